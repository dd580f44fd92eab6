--
-- sync into partitioned targets: exact insert and update counts on the
-- first and on repeated runs, a default partition, a row that no partition
-- takes (the sync fails whole), keys that leave out the partition key, and
-- how NULL keys are counted.  Uses setup's journey server (j.*); plain
-- targets are covered by ecosystem.
--
SET timezone = 'UTC';
\set SHOW_CONTEXT never

-- ----------------------------------------------------------------
-- daily range partitions on event_start, the key holding event_start
-- ----------------------------------------------------------------
CREATE TABLE events_p (LIKE j.visit_journey_events) PARTITION BY RANGE (event_start);
CREATE TABLE events_p_0801 PARTITION OF events_p FOR VALUES FROM ('2025-08-01') TO ('2025-08-02');
CREATE TABLE events_p_0802 PARTITION OF events_p FOR VALUES FROM ('2025-08-02') TO ('2025-08-03');
CREATE TABLE events_p_0803 PARTITION OF events_p FOR VALUES FROM ('2025-08-03') TO ('2025-08-04');
CREATE UNIQUE INDEX ON events_p (visit_id, zone_serial_code, event_start);
-- the vendor's rows per day, to check the counts against
CREATE TABLE vendor_days AS
  SELECT event_start::date AS day, count(*) AS n FROM j.visit_journey_events
   WHERE event_start >= '2025-08-01' AND event_start < '2025-08-06' GROUP BY 1;
SELECT * FROM vendor_days ORDER BY day;

-- first run: every row is an insert, each in its day's partition
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-01', until => '2025-08-03');
SELECT (SELECT sum(n) FROM vendor_days WHERE day < '2025-08-03') AS at_vendor,
       (SELECT count(*) FROM events_p) AS copied;
SELECT tableoid::regclass AS part, min(event_start)::date, max(event_start)::date, count(*)
  FROM events_p GROUP BY 1 ORDER BY 1;
-- the same window again: nothing changed, nothing counted
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-01', until => '2025-08-03');
-- a row changed here in each of two partitions, one row deleted: two
-- updates (the vendor's values come back) and one insert
UPDATE events_p SET dwell_time_seconds = -1
 WHERE (visit_id, zone_serial_code, event_start) IN (
       (SELECT visit_id, zone_serial_code, event_start FROM events_p_0801
         ORDER BY event_start, visit_id, zone_serial_code LIMIT 1)
       UNION ALL
       (SELECT visit_id, zone_serial_code, event_start FROM events_p_0802
         ORDER BY event_start, visit_id, zone_serial_code LIMIT 1));
DELETE FROM events_p
 WHERE (visit_id, zone_serial_code, event_start) =
       (SELECT visit_id, zone_serial_code, event_start FROM events_p_0802
         ORDER BY event_start DESC, visit_id, zone_serial_code LIMIT 1);
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-01', until => '2025-08-03');
SELECT count(*) AS changed_rows_left FROM events_p WHERE dwell_time_seconds < 0;
-- the watermark goes on from 08-03 with a day of lookback: 08-02 again
-- (unchanged: not counted), 08-03 new
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  until => '2025-08-04', lookback => '1 day');
SELECT (SELECT n FROM vendor_days WHERE day = '2025-08-03') AS at_vendor_0803,
       (SELECT count(*) FROM events_p_0803) AS copied_0803;
SELECT last_from, last_to, last_inserted, last_updated, watermark
  FROM retail_fdw.sync_state WHERE target = 'public.events_p';

-- ----------------------------------------------------------------
-- no partition for 08-04: the sync fails whole, with a hint
-- ----------------------------------------------------------------
SELECT count(*) AS rows_before FROM events_p \gset
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-06');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) = :rows_before AS unchanged FROM events_p;
SELECT watermark FROM retail_fdw.sync_state WHERE target = 'public.events_p';
-- a CHECK constraint of a partition is not taken for a missing partition
-- (08-03's rows again: they come back as inserts once it is gone)
DELETE FROM events_p_0803;
ALTER TABLE events_p_0803 ADD CONSTRAINT no_long_visits CHECK (dwell_time_seconds < 60);
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-03', until => '2025-08-04');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE events_p_0803 DROP CONSTRAINT no_long_visits;
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-03', until => '2025-08-04');

-- ----------------------------------------------------------------
-- a default partition takes what no range does; its rows count the same
-- ----------------------------------------------------------------
CREATE TABLE events_p_default PARTITION OF events_p DEFAULT;
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-06');
SELECT (SELECT sum(n) FROM vendor_days WHERE day >= '2025-08-04') AS at_vendor_after_0803,
       (SELECT count(*) FROM events_p_default) AS in_default;
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-01', until => '2025-08-06');
UPDATE events_p SET event_end = event_end + interval '1 minute'
 WHERE (visit_id, zone_serial_code, event_start) IN (
       (SELECT visit_id, zone_serial_code, event_start FROM events_p_default
         ORDER BY event_start, visit_id, zone_serial_code LIMIT 3)
       UNION ALL
       (SELECT visit_id, zone_serial_code, event_start FROM events_p_0803
         ORDER BY event_start, visit_id, zone_serial_code LIMIT 1));
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_p',
  '{visit_id,zone_serial_code,event_start}', 'event_start',
  since => '2025-08-01', until => '2025-08-06');
SELECT count(*) AS differences FROM (
  (SELECT * FROM events_p
   EXCEPT ALL
   SELECT * FROM j.visit_journey_events
    WHERE event_start >= '2025-08-01' AND event_start < '2025-08-06')
  UNION ALL
  (SELECT * FROM j.visit_journey_events
    WHERE event_start >= '2025-08-01' AND event_start < '2025-08-06'
   EXCEPT ALL
   SELECT * FROM events_p)) d;

-- ----------------------------------------------------------------
-- two levels: days, then stores; a store without a partition fails the
-- sync, naming the day's table
-- ----------------------------------------------------------------
CREATE TABLE events_ps (LIKE j.visit_journey_events) PARTITION BY RANGE (event_start);
CREATE TABLE events_ps_0801 PARTITION OF events_ps FOR VALUES FROM ('2025-08-01') TO ('2025-08-02')
  PARTITION BY LIST (store_code);
CREATE TABLE events_ps_0801_sm1 PARTITION OF events_ps_0801 FOR VALUES IN ('SM-001');
CREATE TABLE events_ps_0801_sm2 PARTITION OF events_ps_0801 FOR VALUES IN ('SM-002');
CREATE UNIQUE INDEX ON events_ps (visit_id, zone_serial_code, event_start, store_code);
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_ps',
  '{visit_id,zone_serial_code,event_start,store_code}', 'event_start',
  since => '2025-08-01', until => '2025-08-02');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE events_ps_0801_sm3 PARTITION OF events_ps_0801 FOR VALUES IN ('SM-003');
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_ps',
  '{visit_id,zone_serial_code,event_start,store_code}', 'event_start',
  since => '2025-08-01', until => '2025-08-02');
SELECT (SELECT n FROM vendor_days WHERE day = '2025-08-01') AS at_vendor_0801;

-- ----------------------------------------------------------------
-- a row never moves between partitions: a unique index of a partitioned
-- table holds the partition key, so the key decides the partition and an
-- update changes other columns only.  A target partitioned by a column
-- outside the key cannot have the index; sync says why.
-- ----------------------------------------------------------------
CREATE TABLE events_by_store (LIKE j.visit_journey_events) PARTITION BY LIST (store_code);
CREATE TABLE events_by_store_all PARTITION OF events_by_store DEFAULT;
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_by_store',
  '{visit_id,zone_serial_code,event_start}', 'event_start', since => '2025-08-01');
CREATE UNIQUE INDEX ON events_by_store (visit_id, zone_serial_code, event_start);
CREATE TABLE events_by_zone (LIKE j.visit_journey_events)
  PARTITION BY LIST ((lower(zone_serial_code)));
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_by_zone',
  '{visit_id,zone_serial_code,event_start}', 'event_start', since => '2025-08-01');

-- when the vendor moves a row to another day, its key changes with it: the
-- new row is an insert into the new day's partition, and the old one stays
-- (sync does not delete)
CREATE TABLE moving_src (k int, ts timestamptz, v text);
INSERT INTO moving_src VALUES (1, '2025-08-01 10:00', 'a'), (2, '2025-08-01 11:00', 'a');
CREATE TABLE moving (k int, ts timestamptz, v text, PRIMARY KEY (k, ts)) PARTITION BY RANGE (ts);
CREATE TABLE moving_0801 PARTITION OF moving FOR VALUES FROM ('2025-08-01') TO ('2025-08-02');
CREATE TABLE moving_0802 PARTITION OF moving FOR VALUES FROM ('2025-08-02') TO ('2025-08-03');
SELECT * FROM retail_fdw.sync('moving_src', 'moving', '{k,ts}', 'ts',
  since => '2025-08-01', until => '2025-08-03');
UPDATE moving_src SET ts = ts + interval '1 day', v = 'moved' WHERE k = 2;
SELECT * FROM retail_fdw.sync('moving_src', 'moving', '{k,ts}', 'ts',
  since => '2025-08-01', until => '2025-08-03');
SELECT tableoid::regclass AS part, k, ts, v FROM moving ORDER BY k, ts;

-- ----------------------------------------------------------------
-- NULL in a key column: a new row each time under a plain unique index
-- (NULLs never conflict), an update under NULLS NOT DISTINCT
-- ----------------------------------------------------------------
CREATE TABLE null_src (k int, ts timestamptz, v text);
INSERT INTO null_src VALUES (1, '2025-08-01 10:00', 'a'), (NULL, '2025-08-01 11:00', 'a');
CREATE TABLE null_distinct (k int, ts timestamptz, v text, UNIQUE (k));
CREATE TABLE null_not_distinct (k int, ts timestamptz, v text, UNIQUE NULLS NOT DISTINCT (k));
SELECT * FROM retail_fdw.sync('null_src', 'null_distinct', '{k}', 'ts',
  since => '2025-08-01', until => '2025-08-02');
SELECT * FROM retail_fdw.sync('null_src', 'null_not_distinct', '{k}', 'ts',
  since => '2025-08-01', until => '2025-08-02');
UPDATE null_src SET v = 'b';
SELECT * FROM retail_fdw.sync('null_src', 'null_distinct', '{k}', 'ts',
  since => '2025-08-01', until => '2025-08-02');
SELECT * FROM retail_fdw.sync('null_src', 'null_not_distinct', '{k}', 'ts',
  since => '2025-08-01', until => '2025-08-02');
SELECT 'distinct' AS target, k, v FROM null_distinct
UNION ALL
SELECT 'not distinct', k, v FROM null_not_distinct
 ORDER BY 1, 2, 3;

-- without track_counts the split is unknown: both counts are NULL, the
-- rows are written all the same
SET track_counts = off;
UPDATE null_src SET v = 'c';
SELECT * FROM retail_fdw.sync('null_src', 'null_not_distinct', '{k}', 'ts',
  since => '2025-08-01', until => '2025-08-02');
RESET track_counts;
SELECT k, v FROM null_not_distinct ORDER BY k;
SELECT last_inserted, last_updated FROM retail_fdw.sync_state
 WHERE target = 'public.null_not_distinct';

DROP TABLE events_p, events_ps, events_by_store, events_by_zone, vendor_days,
           moving_src, moving, null_src, null_distinct, null_not_distinct;
DELETE FROM retail_fdw.sync_watermarks;
