--
-- stitching: session_key, stitch_sessions and session_audit on hand-built
-- events (every edge of the rule), then on a generated day read through
-- the foreign table, checked against a plain-SQL recomputation.
--
SET timezone = 'UTC';
SET search_path = j, public;
CREATE TABLE ev (
  session_id text, visit_id text, user_id text, device_id text,
  date_of_visit date, store_name text, store_code text, zone_name text,
  zone_serial_code text, zone_entered_from text, zone_exited_to text,
  dwell_time_seconds integer, event_start timestamptz, event_end timestamptz,
  source text);
-- inserted out of time order on purpose
INSERT INTO ev (session_id, visit_id, user_id, device_id, store_code, zone_name,
                dwell_time_seconds, event_start, event_end) VALUES
 -- exactly the gap after the latest end: joins
 ('v-a2', 'a2', NULL, 'dev-a', 'S1', 'Bakery',  600, '2025-08-12 11:10', '2025-08-12 11:20'),
 ('v-a1', 'a1', 'u1', 'dev-a', 'S1', 'Entrance', 600, '2025-08-12 10:00', '2025-08-12 10:10'),
 -- a second more than the gap: a new session
 ('v-b1', 'b1', NULL, 'dev-b', 'S1', 'Entrance', 600, '2025-08-12 10:00', '2025-08-12 10:10'),
 ('v-b1', 'b2', NULL, 'dev-b', 'S1', 'Dairy',    600, '2025-08-12 11:10:01', '2025-08-12 11:20'),
 -- overlap: a contained interval does not shorten the session's end
 ('v-c1', 'c1', NULL, 'dev-c', 'S1', 'Entrance', 1800, '2025-08-12 10:00', '2025-08-12 10:30'),
 ('v-c1', 'c1', NULL, 'dev-c', 'S1', 'Dairy',     300, '2025-08-12 10:20', '2025-08-12 10:25'),
 ('v-c2', 'c2', NULL, 'dev-c', 'S1', 'Checkout',  600, '2025-08-12 11:30', '2025-08-12 11:40'),
 -- a NULL end counts as the start
 ('v-d1', 'd1', NULL, 'dev-d', 'S1', 'Entrance', NULL, '2025-08-12 10:00', NULL),
 ('v-d1', 'd2', NULL, 'dev-d', 'S1', 'Bakery',    60, '2025-08-12 11:00', '2025-08-12 11:01'),
 ('v-d2', 'd3', NULL, 'dev-d', 'S1', 'Bakery',    60, '2025-08-12 12:02', '2025-08-12 12:03'),
 -- across midnight: one session, on the day it started
 ('v-e1', 'e1', NULL, 'dev-e', 'S1', 'Entrance', 600, '2025-08-12 23:40', '2025-08-12 23:50'),
 ('v-e2', 'e2', NULL, 'dev-e', 'S1', 'Dairy',    600, '2025-08-13 00:30', '2025-08-13 00:40'),
 -- the same device in another store is another session
 ('v-f1', 'f1', NULL, 'dev-a', 'S2', 'Entrance', 600, '2025-08-12 10:30', '2025-08-12 10:40'),
 -- many devices at the same time do not mix
 ('v-g1', 'g1', NULL, 'dev-g1', 'S1', 'Entrance', 60, '2025-08-12 15:00', '2025-08-12 15:01'),
 ('v-g2', 'g2', NULL, 'dev-g2', 'S1', 'Entrance', 60, '2025-08-12 15:00', '2025-08-12 15:01'),
 ('v-g3', 'g3', NULL, 'dev-g3', 'S1', 'Entrance', 60, '2025-08-12 15:00', '2025-08-12 15:01');

-- session_key as a window function
SELECT device_id, store_code, event_start, event_end,
       retail_fdw.session_key(event_start, event_end)
         OVER (PARTITION BY device_id, store_code ORDER BY event_start) AS session
  FROM ev ORDER BY device_id, store_code, event_start;
-- the same keys whatever the physical order, and a smaller gap splits more
SELECT count(DISTINCT (device_id, store_code, k)) AS sessions_60m FROM (
  SELECT device_id, store_code, retail_fdw.session_key(event_start, event_end)
           OVER (PARTITION BY device_id, store_code ORDER BY event_start) AS k
    FROM (SELECT * FROM ev ORDER BY random()) r) x;
SELECT count(DISTINCT (device_id, store_code, k)) AS sessions_30m FROM (
  SELECT device_id, store_code, retail_fdw.session_key(event_start, event_end, '30 minutes')
           OVER (PARTITION BY device_id, store_code ORDER BY event_start) AS k
    FROM ev) x;

-- stitched sessions of the 12th: the midnight one is whole
SELECT device_id, user_id, store, session_start, session_end, duration,
       zone_events, visits, dwell_seconds, vendor_session_ids, zones
  FROM retail_fdw.stitch_sessions('ev', '2025-08-12', '2025-08-13');
-- the 13th has none: the midnight session started on the 12th
SELECT count(*) FROM retail_fdw.stitch_sessions('ev', '2025-08-13', '2025-08-14');
-- one store only
SELECT device_id, store, session_start
  FROM retail_fdw.stitch_sessions('ev', '2025-08-12', '2025-08-13', store_code => 'S2');
-- the audit: vendor ids the rule merges (a-, c-, e-) and splits (b1); v-e2's
-- first event is on the 13th, its stitched session started on the 12th
SELECT * FROM retail_fdw.session_audit('ev', '2025-08-12', '2025-08-14');
-- bad arguments
SELECT * FROM retail_fdw.stitch_sessions('ev', '2025-08-13', '2025-08-12');
SELECT * FROM retail_fdw.stitch_sessions('ev', '2025-08-12', '2025-08-13', gap => '-1 minute');

-- a generated day through the foreign table, against a plain-SQL
-- recomputation (islands: a new session where the start passes the
-- running latest end by more than the gap)
CREATE TEMP TABLE day_events AS
  SELECT * FROM visit_journey_events
   WHERE store_code = 'SM-002'
     AND event_start >= timestamptz '2025-08-05' - interval '60 minutes'
     AND event_start < timestamptz '2025-08-06' + interval '60 minutes';
CREATE TEMP VIEW recomputed AS
  WITH o AS (
    SELECT device_id, store_code, event_start,
           greatest(event_start, coalesce(event_end, event_start)) AS e,
           max(greatest(event_start, coalesce(event_end, event_start)))
             OVER (PARTITION BY device_id, store_code ORDER BY event_start, event_end, visit_id, zone_name
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
      FROM day_events),
  f AS (
    SELECT *, sum(CASE WHEN prev_end IS NULL OR event_start > prev_end + interval '60 minutes'
                       THEN 1 ELSE 0 END)
                OVER (PARTITION BY device_id, store_code ORDER BY event_start, e
                      ROWS UNBOUNDED PRECEDING) AS n
      FROM o)
  SELECT device_id, store_code, min(event_start) AS session_start, max(e) AS session_end,
         count(*) AS zone_events
    FROM f GROUP BY device_id, store_code, n;
SELECT count(*) > 10 AS enough_sessions FROM recomputed
 WHERE session_start >= '2025-08-05' AND session_start < '2025-08-06';
-- identical both ways, from the foreign table and from a local copy
SELECT count(*) AS differences FROM (
  (SELECT device_id, store, session_start, session_end, zone_events::bigint
     FROM retail_fdw.stitch_sessions('j.visit_journey_events', '2025-08-05', '2025-08-06', 'SM-002')
   EXCEPT ALL
   SELECT device_id, store_code, session_start, session_end, zone_events
     FROM recomputed WHERE session_start >= '2025-08-05' AND session_start < '2025-08-06')
  UNION ALL
  (SELECT device_id, store_code, session_start, session_end, zone_events
     FROM recomputed WHERE session_start >= '2025-08-05' AND session_start < '2025-08-06'
   EXCEPT ALL
   SELECT device_id, store, session_start, session_end, zone_events::bigint
     FROM retail_fdw.stitch_sessions('j.visit_journey_events', '2025-08-05', '2025-08-06', 'SM-002'))) d;
SELECT count(*) AS differences FROM (
  SELECT * FROM retail_fdw.stitch_sessions('day_events', '2025-08-05', '2025-08-06')
  EXCEPT ALL
  SELECT * FROM retail_fdw.stitch_sessions('j.visit_journey_events', '2025-08-05', '2025-08-06', 'SM-002')) d;
-- the vendor's own stitching agrees with the rule on generated data
SELECT store, day, vendor_sessions, stitched_sessions,
       cardinality(split_session_ids) AS split, cardinality(merged_session_ids) AS merged
  FROM retail_fdw.session_audit('day_events', '2025-08-05', '2025-08-06');
DROP TABLE ev;
