-- The retail_fdw demo: a journey server on the local vendor simulator,
-- its tables imported, and a few questions answered in SQL.
-- Run by test/demo.sh, which passes :journey_url.
\pset footer off
\set ECHO queries
SET timezone = 'UTC';
DROP EXTENSION IF EXISTS retail_fdw CASCADE;
CREATE EXTENSION retail_fdw;

CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url :'journey_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey
  OPTIONS (token 'journey-secret-token');
CREATE SCHEMA IF NOT EXISTS journey;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO journey;

-- The documentation's example visit
SELECT zone_name, zone_entered_from, zone_exited_to, dwell_time_seconds, event_start
  FROM journey.visit_journey_events
 WHERE store_code = 'SM-001'
   AND event_start >= '2025-08-12' AND event_start < '2025-08-13'
 ORDER BY event_start;

-- Daily traffic per store for a week: seven daily windows, pushed down
SELECT store_code, event_start::date AS day,
       count(DISTINCT visit_id) AS visits,
       count(DISTINCT session_id) AS sessions,
       round(avg(dwell_time_seconds)) AS avg_dwell_s
  FROM journey.visit_journey_events
 WHERE event_start >= '2025-08-04' AND event_start < '2025-08-11'
 GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 10;

-- Joined with a local table of stores
CREATE TEMP TABLE my_stores (code text, manager text);
INSERT INTO my_stores VALUES ('SM-002', 'Dana'), ('SM-003', 'Ravi');
SELECT s.manager, v.zone_name, sum(v.dwell_time_seconds) AS dwell_s
  FROM my_stores s
  JOIN journey.visit_journey_events v ON v.store_code = s.code
 WHERE v.event_start >= '2025-08-05' AND v.event_start < '2025-08-06'
 GROUP BY 1, 2 ORDER BY 1, 3 DESC LIMIT 8;

-- What retail_fdw sends: EXPLAIN VERBOSE lists the requests
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM journey.visit_journey_events
 WHERE store_code IN ('SM-001', 'SM-002')
   AND event_start >= '2025-08-11' AND event_start < '2025-08-13';

-- A query the API cannot answer fails before any request, with a hint
\set ON_ERROR_STOP 0
SELECT count(*) FROM journey.visit_journey_events WHERE store_code = 'SM-001';
\set ON_ERROR_STOP 1

-- Is the vendor reachable with my credentials?
SELECT ok, vendor, http_status, message FROM retail_fdw.check_server('journey');

-- What this session asked the vendor for
SELECT server, endpoint, requests, pages, rows, retries, errors, scope
  FROM retail_fdw.request_stats;
