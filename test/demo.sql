-- The retail_fdw demo: the four vendors of the local simulator as tables,
-- a few questions to each, what is sent, and one store across vendors.
-- Run by test/demo.sh, which passes :journey_url, :aifi_url, :rn_url and
-- :ic_url.  Days with data: journey from 2025-08-01, AiFi 2025-08,
-- Inspector 2025-08-01..20, RetailNext up to today (demo.sh runs its clock
-- in real time; the tests freeze it at 2021-03-03).
\pset footer off
\set QUIET on
SET timezone = 'UTC';
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS retail_fdw CASCADE;
CREATE EXTENSION retail_fdw;

-- Servers, user mappings and imported schemas for every vendor (shared
-- with test/sandbox.sh): journey, aifi, rn (RetailNext), ic (Inspector)
\ir servers.sql
\echo 'Servers journey, aifi, rn, ic with their user mappings (test/servers.sql); imported:'
\set QUIET off
\set ECHO queries
SELECT foreign_table_schema AS schema, count(*) AS tables,
       string_agg(foreign_table_name, ' ' ORDER BY foreign_table_name) AS imported
  FROM information_schema.foreign_tables GROUP BY 1 ORDER BY 1;

-- journey: a day of visit events per store
SELECT store_code, count(DISTINCT visit_id) AS visits,
       count(DISTINCT session_id) AS sessions, count(*) AS zone_events,
       round(avg(dwell_time_seconds)) AS avg_dwell_s
  FROM journey.visit_journey_events
 WHERE event_start >= '2025-08-05' AND event_start < '2025-08-06'
 GROUP BY 1 ORDER BY 1;

-- AiFi: the sessions of store 2 on one day (status, ranges, store pushed down)
SELECT id, status, visitors, created_at, customer_last_exited_at
  FROM aifi.aifi_sessions
 WHERE store_id = 2 AND created_at >= '2025-08-05' AND created_at < '2025-08-06'
 ORDER BY created_at;

-- RetailNext: daily traffic in of two stores, each in its own time zone
SELECT l.name, l.time_zone, (d.period_start AT TIME ZONE d.time_zone)::date AS day,
       d.value AS traffic_in
  FROM rn.rn_locations l
  JOIN rn.rn_datamine d ON d.location_uuid = l.uuid AND d.time_zone = l.time_zone
 WHERE l.uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9')
   AND d.location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9')
   AND d.metric = 'traffic_in' AND d.grain = 'day'
   AND d.time_zone IN ('America/Los_Angeles', 'America/New_York')
   AND d.period_start >= '2025-08-04' AND d.period_start < '2025-08-07'
 ORDER BY 1, 3;

-- Inspector Cloud: the visits of a day with their scenes (each visit read once)
SELECT v.id, v.store_id, v.agent_id, v.created_at, count(s.scene_id) AS scenes,
       string_agg(s.scene_id::text, ' ' ORDER BY s.scene_id) AS scene_ids
  FROM ic.ic_visits v LEFT JOIN ic.ic_visit_scenes s ON s.visit_id = v.id
 WHERE v.created_at >= '2025-08-05' AND v.created_at < '2025-08-06'
 GROUP BY 1, 2, 3, 4 ORDER BY v.created_at;

-- What retail_fdw sends: EXPLAIN VERBOSE lists the requests
-- (two stores x two days: four request series)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM journey.visit_journey_events
 WHERE store_code IN ('SM-001', 'SM-002')
   AND event_start >= '2025-08-04' AND event_start < '2025-08-06';

-- A query the API cannot answer fails before any request, with a hint
\set ON_ERROR_STOP 0
SELECT count(*) FROM journey.visit_journey_events WHERE store_code = 'SM-001';
\set ON_ERROR_STOP 1

-- One store across vendors: map each physical store to its id at every
-- vendor, then one row per store and local day (each vendor's range is
-- fetched once for all stores)
INSERT INTO retail_fdw.store_map
       (store, journey_store_code, aifi_store_id, retailnext_store_uuid,
        inspector_store_id, time_zone)
VALUES ('0042', 'SM-001', 1, 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 11020, 'America/Los_Angeles'),
       ('0043', 'SM-002', 2, 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9', 11021, 'America/New_York');
SELECT * FROM retail_fdw.store_daily('2025-08-04', '2025-08-06',
         journey => 'journey.visit_journey_events', aifi => 'aifi.aifi_sessions',
         datamine => 'rn.rn_datamine', inspector => 'ic.ic_visits');

-- Is every vendor reachable with my credentials?
SELECT s.srvname AS server, c.ok, c.vendor, c.http_status, c.message
  FROM pg_foreign_server s, retail_fdw.check_server(s.srvname) c ORDER BY 1;

-- What this session asked the vendors for
SELECT server, endpoint, requests, pages, rows, retries, errors
  FROM retail_fdw.request_stats ORDER BY server, endpoint;
