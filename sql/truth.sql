--
-- truth: a pushed-down query returns what PostgreSQL returns for the same
-- query over a wider fetch behind an optimisation fence (WITH ...
-- MATERIALIZED), and a row's value never depends on the query's range.
-- One block per case that once returned different rows or values; the
-- generated differential suite (test/diff) checks the property broadly.
-- Uses the servers and tables of setup.
--
SET timezone = 'UTC';
\set VERBOSITY default
SET search_path = r, public;
\! $SIMCTL reset

-- ------------------------------------------------ whole periods, any range
-- Caspar City Plaza, weekly, Los Angeles: the week of 2020-07-12 is whole
-- whether the range ends inside it or after it, and equals its seven days.
CREATE TEMP TABLE caspar_days AS
SELECT period_start, value FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = 'day' AND time_zone = 'America/Los_Angeles'
   AND period_start >= '2020-06-01' AND period_start < '2020-09-01';
SELECT w.period_start AT TIME ZONE 'America/Los_Angeles' AS week,
       w.value AS pushed_short,
       (SELECT value FROM rn_datamine
         WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
           AND grain = 'week' AND time_zone = 'America/Los_Angeles'
           AND period_start >= '2020-07-01' AND period_start < '2020-08-15'
           AND period_start = w.period_start) AS pushed_long,
       (SELECT sum(value) FROM caspar_days d
         WHERE d.period_start >= w.period_start AND d.period_start < w.period_end) AS sum_of_days
  FROM rn_datamine w
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = 'week' AND time_zone = 'America/Los_Angeles'
   AND period_start >= '2020-07-12 00:00 America/Los_Angeles'
   AND period_start < '2020-07-16 00:00 America/Los_Angeles';
-- a period that starts before the range is not the query's, even when the
-- range starts on a day boundary inside it
SELECT count(*) FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = 'week' AND time_zone = 'America/Los_Angeles'
   AND period_start >= '2020-07-13 00:00 America/Los_Angeles'
   AND period_start < '2020-07-19 00:00 America/Los_Angeles';
-- two stores, about two years weekly: split into chunks, no week twice, and
-- every week equal to the same week fetched on its own
CREATE TEMP TABLE two_years AS
SELECT location_uuid, period_start, value FROM rn_datamine
 WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9')
   AND metric = 'traffic_in' AND grain = 'week'
   AND period_start >= '2019-01-06' AND period_start < '2021-02-28';
SELECT count(*) AS weeks, count(DISTINCT (location_uuid, period_start)) AS distinct_weeks
  FROM two_years;
SELECT t.value = s.value AS same_value, t.value
  FROM two_years t
  JOIN rn_datamine s ON s.location_uuid = t.location_uuid AND s.period_start = t.period_start
 WHERE s.location_uuid = 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9' AND s.metric = 'traffic_in'
   AND s.grain = 'week' AND s.period_start >= '2021-01-03' AND s.period_start < '2021-01-04';
-- months and years too: the pushed answer equals the fenced one
SELECT grain, count(*) AS periods,
       count(*) FILTER (WHERE p.value IS DISTINCT FROM w.value) AS differing
  FROM (SELECT * FROM rn_datamine
         WHERE location_uuid = 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9' AND metric = 'traffic_in'
           AND grain IN ('month', 'year') AND time_zone = 'America/New_York'
           AND period_start >= '2020-01-15' AND period_start < '2020-11-15') p
  FULL JOIN (WITH w AS MATERIALIZED (
                SELECT * FROM rn_datamine
                 WHERE location_uuid = 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9' AND metric = 'traffic_in'
                   AND grain IN ('month', 'year') AND time_zone = 'America/New_York'
                   AND period_start >= '2019-01-01' AND period_start < '2021-03-01')
             SELECT * FROM w
              WHERE period_start >= '2020-01-15' AND period_start < '2020-11-15') w
    USING (grain, period_start)
 GROUP BY grain ORDER BY grain;

-- -------------------------------------------- store hours past midnight
-- Union Square is open to 02:00 on Fridays and Saturdays: Saturday's first
-- two hours belong to Friday's store day and are still Saturday's rows.
SELECT (SELECT count(*) FROM rn_datamine
         WHERE location_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND metric = 'traffic_in'
           AND grain = 'hour' AND time_zone = 'America/New_York'
           AND period_start >= '2020-07-11 00:00 America/New_York'
           AND period_start < '2020-07-12 00:00 America/New_York') AS pushed,
       (WITH w AS MATERIALIZED (
            SELECT * FROM rn_datamine
             WHERE location_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND metric = 'traffic_in'
               AND grain = 'hour' AND time_zone = 'America/New_York'
               AND period_start >= '2020-07-08' AND period_start < '2020-07-15')
        SELECT count(*) FROM w
         WHERE period_start >= '2020-07-11 00:00 America/New_York'
           AND period_start < '2020-07-12 00:00 America/New_York') AS fenced;
SELECT to_char(period_start AT TIME ZONE 'America/New_York', 'Dy HH24:MI') AS first_hours
  FROM rn_datamine
 WHERE location_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND metric = 'traffic_in'
   AND grain = 'hour' AND time_zone = 'America/New_York'
   AND period_start >= '2020-07-11 00:00 America/New_York'
   AND period_start < '2020-07-11 03:00 America/New_York'
 ORDER BY period_start;

-- ------------------------------------------------- lists of grains, zones
SELECT grain, time_zone, count(*)
  FROM rn_datamine
 WHERE location_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND metric = 'traffic_in'
   AND grain IN ('day', 'week') AND time_zone IN ('UTC', 'America/New_York')
   AND period_start >= '2020-07-05' AND period_start < '2020-07-19'
 GROUP BY 1, 2 ORDER BY 1, 2;
-- a misspelt grain is outside the grain column's domain (six lower-case
-- names): no row, as over a fenced fetch; quals that cannot be sent are
-- refused, not empty
SELECT count(*) FROM rn_datamine
 WHERE location_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND metric = 'traffic_in'
   AND grain = 'Hour' AND period_start >= '2020-07-05' AND period_start < '2020-07-06';
SELECT count(*) FROM rn_datamine
 WHERE location_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND metric = 'traffic_in'
   AND grain <> 'day' AND period_start >= '2020-07-05' AND period_start < '2020-07-06';
SELECT count(*) FROM rn_datamine
 WHERE location_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND metric = 'traffic_in'
   AND lower(time_zone) = 'utc' AND period_start >= '2020-07-05' AND period_start < '2020-07-06';

-- ------------------------------------------------------ the entry cap
-- 9 stores x 15 metrics at 15 minutes: locations and metrics are split so
-- that no request reaches 10,000 entries; every store and metric is there
\! $SIMCTL reset
SELECT count(DISTINCT location_uuid) AS stores, count(DISTINCT metric) AS metrics,
       count(*) = count(DISTINCT (location_uuid, metric, period_start)) AS no_duplicates
  FROM rn_datamine
 WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', '86b03ba2-a117-11ea-802c-c00010892d7a',
                         'a434a682-30a0-11ea-896a-00005f259c6e', 'dace69f6-b307-11e9-819d-0000698cf233',
                         'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9', '2512a786-a117-11ea-874c-8000df845ed7',
                         'af21ffd8-9e2c-11e5-9bc9-0e5ba9bee1b9', 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9',
                         '813737be-9f9d-11ea-8372-000008adea78')
   AND metric IN ('traffic_in', 'traffic_out', 'total_occupancy', 'occupancy_limit',
                  'individual_traffic_in', 'group_traffic_in', 'passby_traffic',
                  'passby_capture_rate', 'conversion_rate', 'dwell_count',
                  'avg_dwell_duration', 'net_sales', 'sales_transactions_count',
                  'avg_transaction_value', 'staff_count')
   AND grain = '15 minutes' AND time_zone = 'America/New_York'
   AND period_start >= '2021-02-20 00:00 America/New_York'
   AND period_start < '2021-02-21 00:00 America/New_York';
\! $SIMCTL count --contains /v2/datamine

-- ------------------------------------------------ zone transitions
-- two zone locations in one request: the moves between them are there
SELECT count(*) AS transitions,
       count(*) FILTER (WHERE location_uuid <> to_location_uuid) AS between_locations
  FROM rn_zone_transitions
 WHERE location_uuid IN ('f1cc33f2-3329-11ea-9b32-80001a18e60d', 'cdf7322e-3329-11ea-8e45-80003c755d3e')
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22';
-- asked by store, a row answers to the store
SELECT count(*) AS transitions, count(*) FILTER (WHERE location_uuid = store_uuid) AS by_store
  FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22';
SELECT count(*) FROM rn_zone_transitions
 WHERE location_uuid::text LIKE 'f1cc%' AND start_date = '2021-02-15' AND finish_date = '2021-02-22';

-- ------------------------------------------------------ health alerts
-- "created before" is exclusive: the alert created exactly at the bound of
-- a <= is still returned
SELECT (SELECT count(*) FROM rn_health_alerts
         WHERE alert_creation_time <= '2021-01-11 19:38:34.942+00') AS pushed,
       (WITH w AS MATERIALIZED (SELECT * FROM rn_health_alerts)
        SELECT count(*) FROM w WHERE alert_creation_time <= '2021-01-11 19:38:34.942+00') AS fenced,
       (SELECT count(*) FROM rn_health_alerts
         WHERE alert_creation_time <= '2021-01-11 19:38:34.942+00'
           AND uuid = '97fd95e0-5444-11eb-8b83-40003ca6d233') AS the_doc_alert;

-- the request reaches a day past the bound: with a pushed LIMIT, the rows
-- the recheck drops must not end the scan before it has its rows
SELECT count(*) FROM (SELECT * FROM rn_health_alerts
                       WHERE alert_creation_time < '2020-12-03 01:06:41.175+00' LIMIT 1) s;

-- ------------------------------------- Z times: the document's examples
-- store hours are instants; Union Square opens at 10:00 New York time
SELECT effective_day, to_char(open AT TIME ZONE 'America/New_York', 'HH24:MI') AS opens,
       to_char(close AT TIME ZONE 'America/New_York', 'Dy HH24:MI') AS closes
  FROM rn_store_hours
 WHERE store_uuid = '2512a786-a117-11ea-874c-8000df845ed7'
   AND effective_day BETWEEN '2021-02-05' AND '2021-02-07'
 ORDER BY 1;
-- predictions fall inside the store's own hours (Fifth Avenue, 09-21)
\! $SIMCTL config '{"retailnext": {"now": "real"}}'
SELECT count(*) > 0 AS predicted,
       count(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM rn_store_hours h
            WHERE h.store_uuid = p.store_uuid
              AND h.effective_day BETWEEN current_date AND current_date + 10
              AND p.time >= h.open AND p.time < h.close)) AS outside_store_hours
  FROM rn_predicted_traffic p
 WHERE p.store_uuid = 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9'
   AND p.time >= current_date + 2 AND p.time < current_date + 6;
\! $SIMCTL reset
-- the document's example: Caspar City Plaza (Los Angeles) "open":
-- "2021-01-15T10:00:00Z" is 10:00 in Los Angeles, not 02:00 (z_reading
-- 'wall', the default: the store's wall clock written with a Z)
SET timezone = 'America/Los_Angeles';
SELECT effective_day, open, close FROM rn_store_hours
 WHERE store_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND effective_day = '2021-01-15';
-- Fifth Avenue's first predicted slot of each day is its opening, New York
-- time (09:00; Sundays 11:00; 22:00 the day before Black Friday), not 04:00
SET timezone = 'America/New_York';
\! $SIMCTL config '{"retailnext": {"now": "real"}}'
SELECT count(*) > 0 AS predicted,
       count(*) FILTER (WHERE to_char(first, 'HH24:MI') NOT IN ('09:00', '11:00', '22:00')) AS not_at_opening
  FROM (SELECT time::date AS day, min(time) AS first FROM rn_predicted_traffic
         WHERE store_uuid = 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9'
           AND time >= current_date + 2 AND time < current_date + 6
         GROUP BY 1) d;
\! $SIMCTL reset
-- predictions from a store's own tomorrow, for a store east of UTC (an
-- extra store in Asia/Tokyo): its today is UTC's tomorrow late in the UTC
-- day, and its tomorrow starts on UTC's today.  The days sent are clipped
-- to the store's own (never its today, which the API refuses: "first_day
-- must be in the future"), whatever the time of day
\! $SIMCTL config '{"retailnext": {"now": "real", "extra_stores": 1, "extra_store_zone": "Asia/Tokyo"}}'
SELECT time_zone FROM rn_locations WHERE uuid = 'cd30b2bb-ca8d-11ef-9bec-722e31eb0ec2';
SELECT count(*) > 0 AS predicted,
       count(DISTINCT (time AT TIME ZONE 'Asia/Tokyo')::date) AS local_days,
       min(time AT TIME ZONE 'Asia/Tokyo')::date - (now() AT TIME ZONE 'Asia/Tokyo')::date AS from_local_today
  FROM rn_predicted_traffic
 WHERE store_uuid = 'cd30b2bb-ca8d-11ef-9bec-722e31eb0ec2'
   AND time >= ((now() AT TIME ZONE 'Asia/Tokyo')::date + 1)::timestamp AT TIME ZONE 'Asia/Tokyo'
   AND time < ((now() AT TIME ZONE 'Asia/Tokyo')::date + 3)::timestamp AT TIME ZONE 'Asia/Tokyo';
-- the report: Garden Station (London, UTC+1 in summer) two to four UTC
-- days ahead, at 23:30 UTC in July (test/at-date.sh) asked for London's today
SELECT count(*) > 0 AS predicted FROM rn_predicted_traffic
 WHERE store_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND time >= current_date + 2 AND time < current_date + 4;
\! $SIMCTL reset
-- the zones come from one listing of the stores asked for, next to the hours
\! $SIMCTL reset
SELECT count(*) FROM rn_store_hours
 WHERE store_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9')
   AND effective_day BETWEEN '2021-01-15' AND '2021-01-16';
\! $SIMCTL log --vendor retailnext
-- stores fed by a join (a local list): each store's own zone
CREATE TEMP TABLE my_rn_stores (uuid uuid PRIMARY KEY);
INSERT INTO my_rn_stores VALUES ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'), ('aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9'),
                                ('2512a786-a117-11ea-874c-8000df845ed7');
ANALYZE my_rn_stores;
SELECT l.name, h.effective_day, to_char(h.open AT TIME ZONE l.time_zone, 'HH24:MI') AS opens,
       to_char(h.close AT TIME ZONE l.time_zone, 'Dy HH24:MI') AS closes
  FROM my_rn_stores s JOIN rn_store_hours h ON h.store_uuid = s.uuid
  JOIN rn_locations l ON l.uuid = s.uuid
 WHERE h.effective_day BETWEEN '2021-01-15' AND '2021-01-16'
 ORDER BY 1, 2;
DROP TABLE my_rn_stores;
\! $SIMCTL reset
-- z_reading 'utc' reads the Z as UTC: against the document's reading that
-- puts Caspar's opening at 02:00 Los Angeles time ...
ALTER SERVER rn OPTIONS (ADD z_reading 'utc');
SET timezone = 'America/Los_Angeles';
SELECT effective_day, open, close FROM rn_store_hours
 WHERE store_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND effective_day = '2021-01-15';
-- ... and against an API that writes UTC, at 10:00 again; no listing either way
\! $SIMCTL config '{"retailnext": {"z_reading": "utc"}}'
SELECT effective_day, open, close FROM rn_store_hours
 WHERE store_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND effective_day = '2021-01-15';
\! $SIMCTL log --vendor retailnext
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM rn_store_hours
 WHERE store_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND effective_day = '2021-01-15';
\! $SIMCTL reset
-- the option takes the two readings only
ALTER SERVER rn OPTIONS (SET z_reading 'local');
ALTER SERVER rn OPTIONS (DROP z_reading);
ALTER SERVER rn OPTIONS (ADD z_reading 'wall');
ALTER SERVER rn OPTIONS (DROP z_reading);
SET timezone = 'UTC';

-- ------------------------------------------------------------ LIMIT 0
-- what BI tools send first to learn the columns: no filter needed, no request
\! $SIMCTL reset
SELECT * FROM rn_datamine LIMIT 0;
SELECT count(*) FROM (SELECT * FROM rn_datamine LIMIT 0) s;
EXPLAIN (VERBOSE, COSTS OFF) SELECT metric FROM rn_datamine LIMIT 0;
\! $SIMCTL count --vendor retailnext

-- ------------------------------------------------------ ts::date = d
-- the local day of a time column is exactly [d 00:00, d+1 00:00) in the
-- session's time zone: pushed as those bounds, same rows as a fenced fetch
SET timezone = 'America/New_York';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM j.visit_journey_events WHERE event_start::date = '2025-08-12';
SELECT (SELECT count(*) FROM j.visit_journey_events WHERE event_start::date = '2025-08-12') AS pushed,
       (WITH w AS MATERIALIZED (
            SELECT * FROM j.visit_journey_events
             WHERE event_start >= '2025-08-11' AND event_start < '2025-08-14')
        SELECT count(*) FROM w WHERE event_start::date = '2025-08-12') AS fenced;

-- ------------------------------------------ date_trunc(unit, ts) = v
-- [v, v + 1 unit) in the calendar date_trunc uses (the session's zone or
-- the given one); a v that starts no period asks for nothing
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM j.visit_journey_events WHERE date_trunc('week', event_start) = '2025-08-11';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM j.visit_journey_events WHERE date_trunc('hour', event_start, 'Asia/Kolkata') = '2025-08-12 10:00+05:30';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM j.visit_journey_events WHERE date_trunc('day', event_start) = '2025-08-12 13:00';
SELECT (SELECT count(*) FROM j.visit_journey_events WHERE date_trunc('week', event_start) = '2025-08-11') AS pushed,
       (WITH w AS MATERIALIZED (
            SELECT * FROM j.visit_journey_events
             WHERE event_start >= '2025-08-10' AND event_start < '2025-08-19')
        SELECT count(*) FROM w WHERE date_trunc('week', event_start) = '2025-08-11') AS fenced;
SELECT (SELECT count(*) FROM j.visit_journey_events WHERE date_trunc('hour', event_start, 'Asia/Kolkata') = '2025-08-12 13:00+05:30') AS pushed,
       (WITH w AS MATERIALIZED (
            SELECT * FROM j.visit_journey_events
             WHERE event_start >= '2025-08-11' AND event_start < '2025-08-14')
        SELECT count(*) FROM w WHERE date_trunc('hour', event_start, 'Asia/Kolkata') = '2025-08-12 13:00+05:30') AS fenced;
SET timezone = 'UTC';

-- ---------------------------------------- today-relative paths, run here
-- so that memcheck.sh covers them (their answers depend on the date and
-- are checked in test/suites/43-preview-analyze.sh): a LIMIT without a
-- range reads backwards from today; ANALYZE samples the last 7 days (of a
-- table of its own: statistics on j's would change other tests' plans)
SET client_min_messages = warning;
SELECT count(*) <= 5 AS at_most_five FROM (SELECT * FROM j.visit_journey_events LIMIT 5) s;
CREATE SCHEMA sampled;
IMPORT FOREIGN SCHEMA journey LIMIT TO (visit_journey_events) FROM SERVER journey INTO sampled;
ANALYZE sampled.visit_journey_events;
RESET client_min_messages;
SELECT relpages AS window_days, reltuples >= 0 AS sampled
  FROM pg_class WHERE oid = 'sampled.visit_journey_events'::regclass;
DROP FOREIGN TABLE sampled.visit_journey_events;
DROP SCHEMA sampled;

-- ------------------------------------------------ the API's domains
-- A value outside what the document says a parameter takes is never sent
-- (the API would refuse it, and its field holds no such value): "=" answers
-- no rows without a request, an IN list loses it, and the answers equal a
-- fenced fetch filtered by PostgreSQL.  retail_fdw.key_columns shows them.
SELECT resource, column_name, domain FROM retail_fdw.key_columns
 WHERE resource IN ('aifi_sessions', 'aifi_stores', 'rn_users', 'ic_visits')
 ORDER BY resource, column_name;
\! $SIMCTL reset
-- id and customerId are integers in the AiFi document
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM a.aifi_sessions WHERE id = 'abc';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM a.aifi_sessions WHERE customer_id = '';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM a.aifi_sessions WHERE id IN ('1001', 'S-1');
SELECT (SELECT count(*) FROM a.aifi_sessions WHERE id = 'abc') AS pushed,
       (WITH w AS MATERIALIZED (SELECT * FROM a.aifi_sessions)
        SELECT count(*) FROM w WHERE id = 'abc') AS fenced;
SELECT (SELECT array_agg(id) FROM a.aifi_sessions WHERE id IN ('1001', 'S-1')) AS pushed,
       (WITH w AS MATERIALIZED (SELECT * FROM a.aifi_sessions)
        SELECT array_agg(id) FROM w WHERE id IN ('1001', 'S-1')) AS fenced;
-- strings may not be empty (the API answers "must not be empty")
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM a.aifi_sessions WHERE status IN ('', 'active');
SELECT (SELECT count(*) FROM a.aifi_sessions WHERE status IN ('', 'active')) AS pushed,
       (WITH w AS MATERIALIZED (SELECT * FROM a.aifi_sessions)
        SELECT count(*) FROM w WHERE status IN ('', 'active')) AS fenced;
SELECT (SELECT count(*) FROM a.aifi_sessions WHERE code = '') AS pushed,
       (WITH w AS MATERIALIZED (SELECT * FROM a.aifi_sessions)
        SELECT count(*) FROM w WHERE code = '') AS fenced;
-- an integer bound below the domain is not sent; the executor rechecks
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM a.aifi_sessions WHERE visitors >= -3 AND visitors < 2;
SELECT (SELECT count(*) FROM a.aifi_sessions WHERE visitors >= -3 AND visitors < 2) AS pushed,
       (WITH w AS MATERIALIZED (SELECT * FROM a.aifi_sessions)
        SELECT count(*) FROM w WHERE visitors >= -3 AND visitors < 2) AS fenced;
-- RetailNext users: type is local or sso (in any case)
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM r.rn_users WHERE type = 'admin';
SELECT (SELECT count(*) FROM r.rn_users WHERE type = 'admin') AS pushed,
       (WITH w AS MATERIALIZED (SELECT * FROM r.rn_users)
        SELECT count(*) FROM w WHERE type = 'admin') AS fenced;
SELECT (SELECT count(*) FROM r.rn_users WHERE type = 'SSO') AS pushed,
       (WITH w AS MATERIALIZED (SELECT * FROM r.rn_users)
        SELECT count(*) FROM w WHERE type = 'SSO') AS fenced;
-- none of these asked the API for a value outside its domain
\! $SIMCTL log --contains id=abc
\! $SIMCTL log --contains S-1
\! $SIMCTL log --contains type=admin
-- a Param is checked at execution like a constant (a generic plan)
SET plan_cache_mode = force_generic_plan;
PREPARE by_id(text) AS SELECT id FROM a.aifi_sessions WHERE id = $1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE by_id('abc');
EXECUTE by_id('abc');
EXECUTE by_id('1001');
PREPARE by_ids(text[]) AS SELECT array_agg(id) FROM a.aifi_sessions WHERE id = ANY ($1);
EXECUTE by_ids('{1001,S-1}');
PREPARE users_of(text) AS SELECT count(*) FROM r.rn_users WHERE type = $1;
EXECUTE users_of('admin');
DEALLOCATE by_id;
DEALLOCATE by_ids;
DEALLOCATE users_of;
RESET plan_cache_mode;
-- ...and so is a join's value, row by row under a nested loop
CREATE TEMP TABLE wanted (id text);
INSERT INTO wanted VALUES ('1001'), ('S-1'), (''), ('abc');
EXPLAIN (COSTS OFF)
SELECT w.id AS wanted, s.id AS found
  FROM wanted w LEFT JOIN LATERAL (SELECT id FROM a.aifi_sessions s WHERE s.id = w.id OFFSET 0) s ON true
 ORDER BY 1;
SELECT w.id AS wanted, s.id AS found
  FROM wanted w LEFT JOIN LATERAL (SELECT id FROM a.aifi_sessions s WHERE s.id = w.id OFFSET 0) s ON true
 ORDER BY 1;
\! $SIMCTL log --contains S-1

-- ------------------------------------------------ collations
-- The APIs compare strings byte for byte: a comparison under another
-- collation than the column's deterministic one stays with PostgreSQL.
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SET timezone = 'UTC';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT session_id FROM j.visit_journey_events
 WHERE store_code = 'sm-001' COLLATE ci
   AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
SELECT (SELECT count(*) FROM j.visit_journey_events
         WHERE store_code = 'sm-001' COLLATE ci
           AND event_start >= '2025-08-12' AND event_start < '2025-08-13') AS pushed,
       (WITH w AS MATERIALIZED (
            SELECT * FROM j.visit_journey_events
             WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13')
        SELECT count(*) FROM w WHERE store_code = 'sm-001' COLLATE ci) AS fenced;
SELECT (SELECT count(*) FROM j.visit_journey_events
         WHERE store_code COLLATE ci IN ('sm-001', 'SM-002')
           AND event_start >= '2025-08-12' AND event_start < '2025-08-13') AS pushed,
       (WITH w AS MATERIALIZED (
            SELECT * FROM j.visit_journey_events
             WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13')
        SELECT count(*) FROM w WHERE store_code COLLATE ci IN ('sm-001', 'SM-002')) AS fenced;
-- "C" is deterministic but not the column's: not pushed either
EXPLAIN (VERBOSE, COSTS OFF)
SELECT session_id FROM j.visit_journey_events
 WHERE store_code = 'SM-001' COLLATE "C"
   AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
-- a required value the collation keeps local: the hint says why
SELECT count(*) FROM r.rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'
   AND metric = 'TRAFFIC_IN' COLLATE ci
   AND period_start >= '2020-07-01' AND period_start < '2020-07-02';
-- a shaping column under another collation cannot be sent: refused, saying why
SELECT count(*) FROM r.rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = 'DAY' COLLATE ci
   AND period_start >= '2020-07-01' AND period_start < '2020-07-02';
DROP COLLATION ci;
