--
-- joins, prepared statements and LIMIT: parameters arrive at execution,
-- a rescan restarts with new ones, and LIMIT stops paging
--
SET timezone = 'UTC';
SET search_path = j, public;
\! $SIMCTL reset

-- reference: per-store counts from one scan over all stores
CREATE TEMP TABLE ref AS
  SELECT store_code, count(*) AS n, sum(dwell_time_seconds) AS dwell
    FROM visit_journey_events
   WHERE event_start >= '2025-08-05' AND event_start < '2025-08-06'
   GROUP BY store_code;
SELECT * FROM ref ORDER BY store_code;

-- a nested loop feeding store_code from a local table: the request
-- carries the outer row's code (north is SM-001)
SET enable_hashjoin = off;
SET enable_mergejoin = off;
\! $SIMCTL reset
SELECT s.code, s.region, count(*) AS n, sum(v.dwell_time_seconds) AS dwell
  FROM stores s JOIN visit_journey_events v ON v.store_code = s.code
 WHERE v.event_start >= '2025-08-05' AND v.event_start < '2025-08-06'
   AND s.region = 'north'
 GROUP BY s.code, s.region ORDER BY s.code;
-- the same figures as the reference
SELECT count(*) AS mismatches FROM (
  SELECT s.code, count(*) AS n, sum(v.dwell_time_seconds) AS dwell
    FROM stores s JOIN visit_journey_events v ON v.store_code = s.code
   WHERE v.event_start >= '2025-08-05' AND v.event_start < '2025-08-06'
     AND s.region = 'north'
   GROUP BY s.code
  EXCEPT
  SELECT store_code, n, dwell FROM ref) d;
\! $SIMCTL log

-- a lateral join with a different day per outer row
\! $SIMCTL reset
SELECT d.day, x.n
  FROM (VALUES ('2025-08-05'::timestamptz), ('2025-08-06')) d(day),
  LATERAL (SELECT count(*) AS n FROM visit_journey_events v
            WHERE v.store_code = 'SM-003'
              AND v.event_start >= d.day AND v.event_start < d.day + interval '1 day') x
 ORDER BY d.day;
\! $SIMCTL log
RESET enable_hashjoin;
RESET enable_mergejoin;

-- a prepared statement, custom then generic plans, agrees with the reference
PREPARE by_store(text) AS
  SELECT count(*) AS n FROM visit_journey_events
   WHERE store_code = $1 AND event_start >= '2025-08-05' AND event_start < '2025-08-06';
EXECUTE by_store('SM-001');
EXECUTE by_store('SM-002');
SET plan_cache_mode = force_generic_plan;
EXECUTE by_store('SM-003');
EXECUTE by_store('SM-404');
RESET plan_cache_mode;
DEALLOCATE by_store;

-- LIMIT: a page of three, one request
\! $SIMCTL reset
SELECT count(*) FROM (
  SELECT session_id FROM visit_journey_events
   WHERE event_start >= '2025-08-05' AND event_start < '2025-08-08' LIMIT 3) l;
\! $SIMCTL log
-- a LIMIT that is not pushed still stops after the pages it needs
CREATE FOREIGN TABLE vje_small (
  session_id text, visit_id text, user_id text, device_id text,
  date_of_visit date, store_name text, store_code text, zone_name text,
  zone_serial_code text, zone_entered_from text, zone_exited_to text,
  dwell_time_seconds integer, event_start timestamptz, event_end timestamptz, source text)
  SERVER journey OPTIONS (resource 'visit_journey_events', page_size '10');
\! $SIMCTL reset
SELECT count(*) FROM (
  SELECT session_id FROM vje_small
   WHERE event_start >= '2025-08-05' AND event_start < '2025-08-08' AND zone_name <> '' LIMIT 15) l;
-- 3 days are ~100 pages of 10: it stops after 2, plus those fetched ahead
-- (at most twice max_concurrency: 4 in flight, 4 arrived and not yet read)
\! n=$($SIMCTL count); if [ "$n" -ge 2 ] && [ "$n" -le 10 ]; then echo "stopped early"; else echo "requests: $n"; fi
DROP FOREIGN TABLE vje_small;
