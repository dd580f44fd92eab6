--
-- pushdown: which quals become request parameters, asserted through
-- EXPLAIN (VERBOSE, COSTS OFF).  Nothing here contacts the vendor.
--
SET timezone = 'UTC';
SET search_path = j, public;

-- one store, one day: one request; every qual is still rechecked locally
EXPLAIN (VERBOSE, COSTS OFF)
SELECT session_id FROM visit_journey_events
 WHERE store_code = 'SM-001'
   AND event_start >= '2025-08-12' AND event_start < '2025-08-13';

-- BETWEEN over three days: three daily windows, no store filter
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE event_start BETWEEN '2025-08-10 00:00' AND '2025-08-12 23:59:59';

-- a window that starts mid-day is clipped, a strict bound is exact
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE event_start > '2025-08-10 18:30' AND event_start <= '2025-08-11 06:00';

-- IN on store_code: one series per store and window
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE store_code IN ('SM-002', 'SM-001', 'SM-002')
   AND event_start >= '2025-08-01' AND event_start < '2025-08-03';

-- = ANY with an array, and the reversed "const op column" spelling
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE store_code = ANY (ARRAY['SM-003'])
   AND '2025-08-05'::timestamptz <= event_start AND '2025-08-06'::timestamptz > event_start;

-- equality on event_start is a one-instant range
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE event_start = '2025-08-12 13:00:00+00';

-- several bounds: the tightest ones win
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE event_start >= '2025-08-01' AND event_start >= '2025-08-02'
   AND event_start < '2025-08-04' AND event_start < '2025-08-03';

-- contradictory filters need no request at all
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND store_code = 'SM-002'
   AND event_start >= '2025-08-01' AND event_start < '2025-08-02';

-- what the API cannot take stays a local filter only
EXPLAIN (VERBOSE, COSTS OFF)
SELECT zone_name FROM visit_journey_events
 WHERE zone_name = 'Bakery' AND dwell_time_seconds > 300
   AND store_code LIKE 'SM-%'
   AND event_start >= '2025-08-12' AND event_start < '2025-08-13';

-- bounds from stable expressions are evaluated at execution start
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE event_start >= '2025-08-12'::date::timestamptz
   AND event_start < '2025-08-12'::date::timestamptz + interval '1 day';

-- session time zone does not matter: parameters are UTC
SET timezone = 'America/New_York';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM visit_journey_events
 WHERE event_start >= '2025-08-12 00:00' AND event_start < '2025-08-12 12:00';
SET timezone = 'UTC';

-- the window is a table option: 6 hours, or none at all
CREATE FOREIGN TABLE vje_6h (event_start timestamptz, store_code text)
  SERVER journey OPTIONS (resource 'visit_journey_events', window '6 hours');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM vje_6h WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
ALTER FOREIGN TABLE vje_6h OPTIONS (SET window 'none', ADD page_size '10000');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM vje_6h WHERE event_start >= '2025-08-01' AND event_start < '2025-09-01';

-- a LIMIT that applies straight to the scan shrinks the page size
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM vje_6h WHERE event_start >= '2025-08-01' AND event_start < '2025-08-02' LIMIT 5;
-- ...but not when an ORDER BY, an aggregate or a local filter sits between
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM vje_6h WHERE event_start >= '2025-08-01' AND event_start < '2025-08-02'
 ORDER BY event_start LIMIT 5;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM vje_6h WHERE event_start >= '2025-08-01' AND event_start < '2025-08-02'
   AND store_code LIKE '%1' LIMIT 5;

-- prepared statements: parameters are known at execution, and shown
PREPARE by_store(text, timestamptz, timestamptz) AS
  SELECT count(*) FROM visit_journey_events
   WHERE store_code = $1 AND event_start >= $2 AND event_start < $3;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE by_store('SM-002', '2025-08-02', '2025-08-03');
RESET plan_cache_mode;
DEALLOCATE by_store;

-- a join from a local table feeds store_code as a parameter
SET enable_hashjoin = off;
SET enable_mergejoin = off;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT s.region, count(*) FROM stores s
  JOIN visit_journey_events v ON v.store_code = s.code
 WHERE v.event_start >= '2025-08-12' AND v.event_start < '2025-08-13'
   AND s.region = 'north'
 GROUP BY s.region;
RESET enable_hashjoin;
RESET enable_mergejoin;

DROP FOREIGN TABLE vje_6h;
-- the cost up front: plain EXPLAIN shows how many requests the plan makes
-- (the first of each series; "at least" where pages are known only as the
-- answers come), EXPLAIN VERBOSE ends its list with the same total
EXPLAIN (COSTS OFF)
SELECT count(*) FROM j.visit_journey_events
 WHERE store_code IN ('SM-001', 'SM-002', 'SM-003')
   AND event_start >= '2025-08-01' AND event_start < '2025-09-01';
DO $$
DECLARE l text; n int := 0;
BEGIN
  FOR l IN EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM j.visit_journey_events
            WHERE store_code IN ('SM-001', 'SM-002', 'SM-003')
              AND event_start >= '2025-08-01' AND event_start < '2025-09-01'
  LOOP
    IF l ~ 'Request: ' THEN n := n + 1; END IF;
    IF l ~ 'Further series|Planned requests' THEN RAISE NOTICE '%', btrim(l); END IF;
  END LOOP;
  RAISE NOTICE 'Request lines shown: %', n;
END $$;
