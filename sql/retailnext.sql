--
-- retailnext: locations (read, write), datamine (batches, splits, grains,
-- time zones, ok:false), the v1 tables with their paging styles.  The
-- simulator's clock is frozen at 2021-03-03 18:15 UTC, as the vendor's
-- examples assume.
--
SET timezone = 'UTC';
\set VERBOSITY default
\! $SIMCTL reset
-- the server rn and its tables in r come from setup
SELECT foreign_table_name FROM information_schema.foreign_tables
 WHERE foreign_table_schema = 'r' ORDER BY 1;
SET search_path = r, public;

-- ---------------------------------------------------------------- locations
-- the documentation's example: stores with their extra fields
EXPLAIN (VERBOSE, COSTS OFF)
SELECT uuid, name FROM rn_locations WHERE location_type = 'store';
SELECT uuid, parent_uuid, name, type, location_type, area, store_id, time_zone,
       occupancy_limit, archive_date
  FROM rn_locations WHERE location_type = 'store' ORDER BY name;
-- IN and uuid filters go into "where"; everything is rechecked locally
EXPLAIN (VERBOSE, COSTS OFF)
SELECT name FROM rn_locations
 WHERE location_type IN ('entrance', 'display')
   AND uuid = ANY ('{5d0e32a9-7848-11eb-9ea4-c6c92111fb8c,512b7ed8-f5d7-11e8-a167-51085a847a7e}');
SELECT name, location_type FROM rn_locations
 WHERE location_type IN ('entrance', 'display')
   AND uuid = ANY ('{5d0e32a9-7848-11eb-9ea4-c6c92111fb8c,512b7ed8-f5d7-11e8-a167-51085a847a7e}')
 ORDER BY name;
SELECT location_type, count(*) FROM rn_locations GROUP BY 1 ORDER BY 1;
-- uuids fed by a join from a local table
CREATE TEMP TABLE my_stores (uuid uuid, manager text);
INSERT INTO my_stores VALUES ('aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9', 'Ana');
ANALYZE my_stores;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
\! $SIMCTL reset
SELECT m.manager, l.name, l.time_zone
  FROM my_stores m JOIN rn_locations l ON l.uuid = m.uuid;
\! $SIMCTL log --bodies --contains /v2/location
RESET enable_hashjoin;
RESET enable_mergejoin;

-- writes: a sublocation, its uuid back through RETURNING
INSERT INTO rn_locations (name, parent_uuid, location_type, area, aggregate_to_parent)
VALUES ('Front Table', '2512a786-a117-11ea-874c-8000df845ed7', 'display', 53.1, true)
RETURNING uuid, name, type, location_type, area, aggregate_to_parent;
UPDATE rn_locations SET name = 'Willow Glen Updated', occupancy_limit = 20
 WHERE uuid = '86b03ba2-a117-11ea-802c-c00010892d7a'
RETURNING uuid, name, occupancy_limit;
SELECT name, occupancy_limit FROM rn_locations
 WHERE uuid = '86b03ba2-a117-11ea-802c-c00010892d7a';
\! $SIMCTL log --bodies --contains /v2/location/
-- what the API does not allow, before any request
\! $SIMCTL reset
INSERT INTO rn_locations (name, parent_uuid, location_type)
VALUES ('New Store', '22940210-f49b-11e6-944b-c0001cd87189', 'store');
DELETE FROM rn_locations WHERE uuid = '86b03ba2-a117-11ea-802c-c00010892d7a';
UPDATE rn_locations SET store_id = 'x' WHERE uuid = '86b03ba2-a117-11ea-802c-c00010892d7a';
INSERT INTO rn_locations (name) VALUES ('Orphan');
-- EXPLAIN VERBOSE of a write shows the request each row makes
EXPLAIN (VERBOSE, COSTS OFF)
INSERT INTO rn_locations (name, parent_uuid, location_type)
VALUES ('New Entrance', '22940210-f49b-11e6-944b-c0001cd87189', 'entrance');
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE rn_locations SET name = 'Renamed' WHERE uuid = '86b03ba2-a117-11ea-802c-c00010892d7a';
-- a table whose API cannot write: refused at planning, like PostgreSQL's own
-- read-only relations (it used to crash the backend), EXPLAIN included
INSERT INTO rn_user_profiles (name) VALUES ('x');
UPDATE rn_user_profiles SET name = 'x' WHERE true;
EXPLAIN INSERT INTO rn_user_profiles (name) VALUES ('x');
\! $SIMCTL count --vendor retailnext

-- users: INSERT creates an SSO user (POST /v1/users, the body under "user"),
-- the document's example and its answer
\! $SIMCTL reset
INSERT INTO rn_users (email, type, name, disabled, user_profile_id, location_profile_id)
VALUES ('sandra.bloch@domain.com', 'sso', 'Sandra Bloch', false,
        '8b26a6c0-5027-11eb-8039-8000f92819c5', '9e701012-4c76-11e7-853d-c0001c66456e')
RETURNING id, type, name, email, disabled, user_profile_id, location_profile_id;
\! $SIMCTL log --vendor retailnext --bodies
SELECT name, type FROM rn_users WHERE email = 'sandra.bloch@domain.com';
-- UPDATE sets a user's permissions (PUT /v1/users/<id>, a plain body): the
-- document's example, then custom locations instead of a location profile
UPDATE rn_users SET user_profile_id = '74178848-bbf4-11e8-8fcb-40000e637ca2',
                    location_profile_id = '93334489-6d6a-11eb-9ec3-00000d9c1e4f'
 WHERE id = '332e3c2e-5029-11eb-8b74-40002f864572'
RETURNING id, name, user_profile_id, location_profile_id, location_ids;
UPDATE rn_users SET location_ids = '["aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9"]'
 WHERE id = 'dc2e3c2e-5029-11eb-8b74-40002f864577'
RETURNING name, location_profile_id, location_ids;
-- what the API refuses: a local user, no email, a column the API does not
-- update (before any request); a taken email, an unknown profile, and
-- permissions an identity provider manages (the vendor's reason)
INSERT INTO rn_users (email, type) VALUES ('x@domain.com', 'local');
INSERT INTO rn_users (type, name) VALUES ('sso', 'No Mail');
UPDATE rn_users SET name = 'x' WHERE id = '332e3c2e-5029-11eb-8b74-40002f864572';
\! $SIMCTL reset
\! $SIMCTL count --vendor retailnext
INSERT INTO rn_users (email, type, user_profile_id, location_profile_id)
VALUES ('sandra.bloch@domain.com', 'sso', '8b26a6c0-5027-11eb-8039-8000f92819c5',
        '00000000-0000-4000-8000-000000000000');
\! $SIMCTL config '{"retailnext": {"sso_permissions": "saml"}}'
INSERT INTO rn_users (email, type, user_profile_id, location_profile_id)
VALUES ('sso.user@domain.com', 'sso', '8b26a6c0-5027-11eb-8039-8000f92819c5',
        '9e701012-4c76-11e7-853d-c0001c66456e');
INSERT INTO rn_users (email, type) VALUES ('sso.user@domain.com', 'SSO') RETURNING name, type;
\! $SIMCTL config '{"retailnext": {"sso_permissions": null}}'
\! $SIMCTL reset
DELETE FROM rn_users WHERE id = '332e3c2e-5029-11eb-8b74-40002f864572';

-- a store's bandwidth limit: set by UPDATE and returned, never listed
UPDATE rn_locations SET bandwidth_limit_kilobits_per_second = 512
 WHERE uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'
RETURNING name, bandwidth_limit_kilobits_per_second;
UPDATE rn_locations SET bandwidth_limit_kilobits_per_second = 0
 WHERE uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'
RETURNING name, bandwidth_limit_kilobits_per_second;
\! $SIMCTL reset

-- ---------------------------------------------------------------- datamine
-- the documentation's example (last week, store hours, daily, Los Angeles):
-- 173 in, 174 out on 2021-02-21
SELECT metric, period_start, period_end, value, validity
  FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'
   AND metric IN ('traffic_in', 'traffic_out')
   AND time_zone = 'America/Los_Angeles'
   AND period_start >= '2021-02-21 00:00 America/Los_Angeles'
   AND period_start < '2021-02-28 00:00 America/Los_Angeles'
 ORDER BY metric, period_start;
\! $SIMCTL log --bodies --contains /v2/datamine
-- the location's qualified_name and the calendar's labels of each period's
-- first and last day (the document: 2021-02-21 is year 2021, month 1, day 22
-- of the retail calendar, so the week it starts ends on day 28); a
-- sublocation is qualified by its store
SELECT location_qualified_name, period_start::date AS day, period_year, period_month,
       period_day, period_end_year, period_end_month, period_end_day, grain
  FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND time_zone = 'America/Los_Angeles' AND grain IN ('day', 'week', 'month')
   AND period_start >= '2021-02-21 00:00 America/Los_Angeles'
   AND period_start < '2021-02-23 00:00 America/Los_Angeles'
 ORDER BY grain, period_start;
SELECT DISTINCT location_name, location_qualified_name FROM rn_datamine
 WHERE location_uuid IN (SELECT uuid FROM rn_locations WHERE location_type = 'entrance' ORDER BY uuid LIMIT 1)
   AND metric = 'traffic_in' AND period_start >= '2021-02-21' AND period_start < '2021-02-22';
-- several locations in one request; grain and time zone shape the body
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM rn_datamine
 WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', '86b03ba2-a117-11ea-802c-c00010892d7a')
   AND metric = 'traffic_in' AND grain = 'hour' AND time_zone = 'America/New_York'
   AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
SELECT location_name, count(*) AS hours, sum(value) AS traffic_in,
       min(period_start) AS first_hour, max(period_end) AS last_end
  FROM rn_datamine
 WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', '86b03ba2-a117-11ea-802c-c00010892d7a')
   AND metric = 'traffic_in' AND grain = 'hour' AND time_zone = 'America/New_York'
   AND period_start >= '2021-02-01 00:00 America/New_York'
   AND period_start < '2021-02-02 00:00 America/New_York'
 GROUP BY 1 ORDER BY 1;
-- hours add up to the day
SELECT (SELECT sum(value) FROM rn_datamine
         WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
           AND grain = '15 minutes' AND time_zone = 'America/Los_Angeles'
           AND period_start >= '2021-02-01 00:00 America/Los_Angeles'
           AND period_start < '2021-02-02 00:00 America/Los_Angeles')
     = (SELECT value FROM rn_datamine
         WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
           AND time_zone = 'America/Los_Angeles'
           AND period_start = '2021-02-01 00:00 America/Los_Angeles') AS quarters_sum_to_day;
-- half hours (a group value above 1: {"unit": "minutes", "value": 30}) start
-- on the hour and the half hour, half an hour long, and add up to the hours
SELECT count(*) AS half_hours,
       bool_and(extract(minute FROM period_start AT TIME ZONE 'America/Los_Angeles') IN (0, 30)
                AND period_end - period_start = interval '30 minutes') AS aligned,
       sum(value) = (SELECT sum(value) FROM rn_datamine
                      WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'
                        AND metric = 'traffic_in' AND grain = 'hour'
                        AND time_zone = 'America/Los_Angeles'
                        AND period_start >= '2021-02-01 00:00 America/Los_Angeles'
                        AND period_start < '2021-02-02 00:00 America/Los_Angeles') AS sum_to_hours
  FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = '30 minutes' AND time_zone = 'America/Los_Angeles'
   AND period_start >= '2021-02-01 00:00 America/Los_Angeles'
   AND period_start < '2021-02-02 00:00 America/Los_Angeles';
-- store hours past midnight ("+02:00") belong to the next day
SELECT period_start, period_end, value FROM rn_datamine
 WHERE location_uuid = '2512a786-a117-11ea-874c-8000df845ed7' AND metric = 'traffic_in'
   AND grain = 'hour' AND time_zone = 'America/New_York'
   AND period_start >= '2021-02-05 20:00 America/New_York'
   AND period_start < '2021-02-06 05:00 America/New_York'
 ORDER BY 1;
-- weeks, months, years: calendar periods
SELECT grain, period_start, period_end, value FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain IN ('month') AND period_start >= '2020-11-01' AND period_start < '2021-01-01'
 ORDER BY 2;
-- a range too long for one request is split under the 5-year / 2-year limits
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND period_start >= '2014-01-01' AND period_start < '2021-01-01';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM rn_datamine
 WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', '86b03ba2-a117-11ea-802c-c00010892d7a')
   AND metric = 'traffic_in'
   AND period_start >= '2017-01-01' AND period_start < '2021-01-01';
-- ...and so is one whose 15-minute entries would reach the 10,000 cap
\! $SIMCTL reset
SELECT count(*) AS quarters, count(DISTINCT period_start) AS distinct_starts
  FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric IN ('traffic_in', 'traffic_out')
   AND grain = '15 minutes' AND period_start >= '2020-10-01' AND period_start < '2021-02-01';
\! $SIMCTL count --contains /v2/datamine
-- batches of datamine_batch locations a request
CREATE FOREIGN TABLE dm_small (location_uuid uuid, metric text, period_start timestamptz, value numeric)
  SERVER rn OPTIONS (resource 'rn_datamine', datamine_batch '1', hours 'all_day', time_zone 'Europe/London');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM dm_small
 WHERE location_uuid IN ('af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9', '813737be-9f9d-11ea-8372-000008adea78')
   AND metric = 'traffic_in' AND period_start >= '2021-02-20' AND period_start < '2021-02-21';
SELECT * FROM dm_small
 WHERE location_uuid IN ('af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9', '813737be-9f9d-11ea-8372-000008adea78')
   AND metric = 'traffic_in' AND period_start >= '2021-02-20' AND period_start < '2021-02-21'
 ORDER BY 1;
DROP FOREIGN TABLE dm_small;
-- time_range (the document's time_ranges): one request per value,
-- {"type": "store_hours"} or {"from", "until"}; a value the API refuses
-- (an hour past 24:00, until before from, another spelling) is not sent
\! $SIMCTL reset
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND time_zone = 'America/Los_Angeles'
   AND time_range IN ('store_hours', '10:00-14:00', '25:00-26:00', '14:00-10:00', '9:00-12:00')
   AND period_start >= '2021-02-01 00:00 America/Los_Angeles'
   AND period_start < '2021-02-03 00:00 America/Los_Angeles';
SELECT time_range, period_start, value FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND time_zone = 'America/Los_Angeles' AND time_range IN ('store_hours', '10:00-14:00', '00:00-24:00')
   AND period_start >= '2021-02-01 00:00 America/Los_Angeles'
   AND period_start < '2021-02-03 00:00 America/Los_Angeles'
 ORDER BY 1, 2;
\! $SIMCTL log --bodies --contains /v2/datamine | grep -o '"time_ranges":[^]]*]'
-- without a condition the table option hours decides (store hours here),
-- and the rows say so: the same rows as time_range = 'store_hours'
SELECT DISTINCT time_range FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND period_start >= '2021-02-01' AND period_start < '2021-02-03';
SELECT count(*) AS differing FROM (
  (SELECT * FROM rn_datamine
    WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
      AND period_start >= '2021-02-01' AND period_start < '2021-02-03'
   EXCEPT
   SELECT * FROM rn_datamine
    WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
      AND time_range = 'store_hours'
      AND period_start >= '2021-02-01' AND period_start < '2021-02-03')) d;
SELECT * FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND time_range = '24:00-25:00' AND period_start >= '2021-02-01' AND period_start < '2021-02-03';
-- grain day_of_week: a weekday summed over the range asked, which is a
-- parameter of its own (range_start, range_finish: local days, both
-- included), sent as it is under a date group as long as the range;
-- period_start and period_end are the range's
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM rn_datamine
 WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 'dace69f6-b307-11e9-819d-0000698cf233')
   AND metric = 'traffic_in' AND grain = 'day_of_week' AND time_zone = 'America/Los_Angeles'
   AND range_start = '2021-02-01' AND range_finish = '2021-02-28'
   AND period_start >= '2021-02-01';
SELECT location_name, day_of_week, period_start, period_end, range_start, range_finish,
       period_year, period_month, period_day, value
  FROM rn_datamine
 WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 'dace69f6-b307-11e9-819d-0000698cf233')
   AND metric = 'traffic_in' AND grain = 'day_of_week' AND time_zone = 'America/Los_Angeles'
   AND range_start = '2021-02-01' AND range_finish = '2021-02-28'
   AND period_start >= '2021-02-01'
 ORDER BY location_name, array_position(ARRAY['monday', 'tuesday', 'wednesday', 'thursday',
                                              'friday', 'saturday', 'sunday'], day_of_week);
-- (San Jose is closed on Sundays: no row) each weekday is the sum of its days
SELECT w.day_of_week, w.value = sum(d.value) AS sums_its_days, count(d.*) AS days
  FROM rn_datamine w
  JOIN rn_datamine d ON trim(to_char(d.period_start AT TIME ZONE 'America/Los_Angeles', 'day')) = w.day_of_week
 WHERE w.location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND w.metric = 'traffic_in'
   AND w.grain = 'day_of_week' AND w.time_zone = 'America/Los_Angeles'
   AND w.range_start = '2021-02-01' AND w.range_finish = '2021-02-28' AND w.period_start >= '2021-02-01'
   AND d.location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND d.metric = 'traffic_in'
   AND d.time_zone = 'America/Los_Angeles'
   AND d.period_start >= '2021-02-01 00:00 America/Los_Angeles'
   AND d.period_start < '2021-03-01 00:00 America/Los_Angeles'
 GROUP BY w.day_of_week, w.value ORDER BY min(d.period_start);
-- a wider fetch behind a fence answers the same: the range is a parameter
SELECT count(*) AS rows,
       count(*) FILTER (WHERE s.value IS NOT DISTINCT FROM n.value) AS same
  FROM (SELECT * FROM rn_datamine
         WHERE location_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', '86b03ba2-a117-11ea-802c-c00010892d7a')
           AND metric IN ('traffic_in', 'traffic_out') AND grain = 'day_of_week'
           AND range_start = '2021-02-03' AND range_finish = '2021-02-16'
           AND period_start >= '2020-01-01' OFFSET 0) s
  JOIN rn_datamine n USING (location_uuid, metric, grain, time_zone, day_of_week, range_start, range_finish)
 WHERE s.location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND s.metric = 'traffic_in'
   AND n.location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND n.metric = 'traffic_in'
   AND n.grain = 'day_of_week' AND n.range_start = '2021-02-03' AND n.range_finish = '2021-02-16'
   AND n.period_start >= '2021-02-03' AND n.period_start < '2021-02-04';
-- two weeks (a date group of value 2): periods from the week holding
-- range_start (NRF weeks start on Sunday), each summing its days inside
-- the range, over time_range 10:00-14:00
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = '2 weeks' AND time_zone = 'America/Los_Angeles' AND time_range = '10:00-14:00'
   AND range_start = '2021-02-03' AND range_finish = '2021-03-02' AND period_start >= '2021-01-01';
SELECT p.period_start, p.period_end, p.value,
       p.value = (SELECT sum(value) FROM rn_datamine d
                   WHERE d.location_uuid = p.location_uuid AND d.metric = 'traffic_in'
                     AND d.time_zone = 'America/Los_Angeles' AND d.time_range = '10:00-14:00'
                     AND d.period_start >= greatest(p.period_start, '2021-02-03 00:00 America/Los_Angeles')
                     AND d.period_start < least(p.period_end, '2021-03-03 00:00 America/Los_Angeles'))
         AS sums_its_days_in_range
  FROM rn_datamine p
 WHERE p.location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND p.metric = 'traffic_in'
   AND p.grain = '2 weeks' AND p.time_zone = 'America/Los_Angeles' AND p.time_range = '10:00-14:00'
   AND p.range_start = '2021-02-03' AND p.range_finish = '2021-03-02' AND p.period_start >= '2021-01-01'
 ORDER BY 1;
-- the other grains show no range: a range matches none of their rows;
-- a range the API refuses (finish before start) is not sent either
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain IN ('day', 'day_of_week') AND range_start = '2021-02-10' AND range_finish = '2021-02-01'
   AND period_start >= '2021-01-01';
-- anchored grains need their range; both ends; at most 5 years
SELECT * FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = 'day_of_week' AND period_start >= '2021-02-01' AND period_start < '2021-03-01';
SELECT * FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = '3 weeks' AND range_start = '2021-02-01' AND period_start >= '2021-02-01';
SELECT * FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = '4 weeks' AND range_start = '2015-01-01' AND range_finish = '2021-01-01'
   AND period_start >= '2015-01-01';
SELECT * FROM rn_datamine
 WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric = 'traffic_in'
   AND grain = 'day_of_week' AND range_start > '2021-02-01' AND range_finish = '2021-02-28'
   AND period_start >= '2021-02-01';
\! $SIMCTL count --contains /v2/datamine
-- errors: missing quals before any request, ok:false with the vendor's reason
\! $SIMCTL reset
SELECT * FROM rn_datamine WHERE metric = 'traffic_in'
   AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
SELECT * FROM rn_datamine WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'
   AND metric = 'traffic_in' AND period_start < '2021-02-02';
\! $SIMCTL count --vendor retailnext
SELECT * FROM rn_datamine WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'
   AND metric IN ('traffic_in', 'no_such_metric')
   AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
SELECT * FROM rn_datamine WHERE location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9'
   AND metric = 'traffic_in' AND grain = 'fortnight'
   AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
ALTER FOREIGN TABLE rn_datamine OPTIONS (ADD hours 'night');

-- ---------------------------------------------------------------- v1 tables
-- store hours: the store's wall clock, "+" days past midnight
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM rn_store_hours
 WHERE store_uuid = '2512a786-a117-11ea-874c-8000df845ed7'
   AND effective_day >= '2021-02-05' AND effective_day < '2021-02-08';
SELECT * FROM rn_store_hours
 WHERE store_uuid = '2512a786-a117-11ea-874c-8000df845ed7'
   AND effective_day >= '2021-02-05' AND effective_day < '2021-02-08'
 ORDER BY effective_day;
-- more than 100 store-days: X-Page-Length / X-Page-Start, 206 until the end
\! $SIMCTL reset
SELECT count(*), count(DISTINCT (store_uuid, effective_day)) FROM rn_store_hours
 WHERE store_uuid IN ('aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', '86b03ba2-a117-11ea-802c-c00010892d7a')
   AND effective_day >= '2021-01-01' AND effective_day < '2021-03-01';
\! $SIMCTL log --vendor retailnext
SELECT * FROM rn_store_hours WHERE effective_day >= '2021-01-01' AND effective_day < '2021-03-01';

-- zone transitions: one row per floorplan, from-zone and to-zone
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22';
SELECT floorplan_name, store_name, from_zone_uuid, to_zone_uuid, value, percentage
  FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22'
 ORDER BY 3, 4;
-- each from-zone's (rounded) percentages add up to 100
SELECT from_zone_uuid, abs(sum(percentage) - 100) <= 1 AS about_100 FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22'
 GROUP BY 1 ORDER BY 1;

-- a weekday (one request each, the document's "days_of_week") and the hours
-- counted each day ("time_ranges": the document's 10:30-13:00) shape the
-- request; each row shows them, NULL where the API's default (every day,
-- store hours) applies; a weekday the document does not spell matches nothing
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22'
   AND day_of_week IN ('friday', 'saturday', 'Friday')
   AND time_start = '10:30' AND time_finish = '13:00';
SELECT day_of_week, time_start, time_finish, count(*) AS transitions, sum(value) > 0 AS moves
  FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22'
   AND day_of_week IN ('friday', 'saturday') AND time_start = '10:30' AND time_finish = '13:00'
 GROUP BY 1, 2, 3 ORDER BY 1, 2;
-- a condition that is not = or IN on a shaping column: refused with a hint
SELECT count(*) FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22'
   AND (day_of_week = 'friday' OR day_of_week IS NULL);
-- no Friday in a Sunday-only range: every count is 0; a few hours count
-- fewer moves than the whole day
SELECT sum(value) AS friday_moves FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-21' AND finish_date = '2021-02-21' AND day_of_week = 'friday';
SELECT (SELECT sum(value) FROM rn_zone_transitions
         WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
           AND start_date = '2021-02-15' AND finish_date = '2021-02-22'
           AND time_start = '10:30' AND time_finish = '13:00')
     < (SELECT sum(value) FROM rn_zone_transitions
         WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
           AND start_date = '2021-02-15' AND finish_date = '2021-02-22') AS fewer_in_hours;
-- hours the API refuses: not a time of day (nothing to match, no request),
-- and a finish before the start (the API's own error)
SELECT count(*) FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22'
   AND time_start = '25:00' AND time_finish = '13:00';
SELECT count(*) FROM rn_zone_transitions
 WHERE location_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9'
   AND start_date = '2021-02-15' AND finish_date = '2021-02-22'
   AND time_start = '13:00' AND time_finish = '10:30';

-- FPA zones: one row per zone, points as jsonb; a store filter picks the path
EXPLAIN (VERBOSE, COSTS OFF)
SELECT zone_name FROM rn_fpa_zones WHERE store_uuid = 'af1fd977-9e2c-11e5-9bbe-0e5ba9bee1b9';
SELECT floorplan_name, zone_name, type, location_name, round(area::numeric, 2) AS area,
       jsonb_array_length(points) AS points
  FROM rn_fpa_zones ORDER BY floorplan_name, zone_name;
SELECT zone_name, points -> 0 AS first_point FROM rn_fpa_zones
 WHERE zone_uuid = 'f64b51ac-546f-11eb-9441-8000514932de';
-- ... and one row per point of an outline, in its order (point_index):
-- the document's zone, then every point against the zones' jsonb
SELECT zone_name, point_index, x, y FROM rn_fpa_zone_points
 WHERE zone_uuid = 'f64b51ac-546f-11eb-9441-8000514932de' ORDER BY point_index;
SELECT (SELECT count(*) FROM rn_fpa_zone_points) AS points,
       (SELECT sum(jsonb_array_length(points)) FROM rn_fpa_zones) AS in_zones,
       (SELECT count(*) FROM rn_fpa_zone_points p JOIN rn_fpa_zones z USING (zone_uuid)
         WHERE p.x = (z.points -> p.point_index ->> 'x')::float8
           AND p.y = (z.points -> p.point_index ->> 'y')::float8
           AND p.floorplan_uuid = z.floorplan_uuid AND p.store_uuid = z.store_uuid
           AND p.zone_name = z.zone_name) AS same_as_zones;

-- health alerts, users, profiles
SELECT count(*) AS alerts, count(DISTINCT uuid) AS distinct_alerts FROM rn_health_alerts;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM rn_health_alerts WHERE alert_creation_time < '2021-01-22';
SELECT type, severity, description, store_name FROM rn_health_alerts
 WHERE uuid = '97fd95e0-5444-11eb-8b83-40003ca6d233';
\! $SIMCTL reset
SELECT count(*) AS users, count(*) FILTER (WHERE type = 'sso') AS sso FROM rn_users;
\! $SIMCTL log --vendor retailnext
SELECT id, name, email, disabled, last_sign_in_at FROM rn_users
 WHERE email = 'retailnextuser@domain.com';
SELECT id, name, subscription_admin, visible_dashboard_widgets -> 'pages' AS pages
  FROM rn_user_profiles ORDER BY name;
SELECT name, location_ids FROM rn_location_profiles ORDER BY name;

-- inventory: opaque next_page tokens sent back as X-Page-Start
\! $SIMCTL reset
SELECT count(*) AS cameras, count(DISTINCT device_id) AS distinct_cameras FROM rn_cameras;
\! $SIMCTL count --contains /v1/inventory/cameras
SELECT device_name, model, video_channel_count FROM rn_cameras
 WHERE device_id = '20:C3:13:0F:1D:2A';
-- the members of analytics, network_configuration and configuration_summary
-- as typed columns: the document's camera, then a Xovis and a Brickstream
SELECT traffic_line_count, dwell_zone_count, direction_line_configured,
       network_mode, network_ip = '' AS dhcp_ip_empty, height
  FROM rn_cameras WHERE device_id = '20:C3:13:0F:1D:2A';
SELECT vendor, count(*) AS cameras,
       count(*) FILTER (WHERE summary_sensor_name IS NOT NULL) AS sensor_named,
       count(*) FILTER (WHERE summary_device_name IS NOT NULL) AS device_named,
       bool_and(analytics ->> 'traffic_line_count' = traffic_line_count::text) AS same_counts,
       bool_and(network_configuration ->> 'mode' = network_mode::text) AS same_mode
  FROM rn_cameras GROUP BY vendor ORDER BY vendor;
SELECT appliance_id, network_mode, network_ip, network_dns FROM rn_appliances
 WHERE appliance_id = '323231f8-6afg-11eb-8684-4000fc072082';
SELECT name, resolution, maximum_retention_days FROM rn_channels
 WHERE channel_uuid = '9290bc70-3480-11ea-81c9-c000c7e8079e';
SELECT appliance_id, mac_address FROM rn_appliances ORDER BY appliance_id LIMIT 2;
-- the camera inventory allows 3 requests at once: nine stores, never a 429
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"hold_ms": 100}}'
ALTER SERVER rn OPTIONS (ADD max_concurrency '8');
SELECT count(*) FROM rn_cameras
 WHERE store_uuid IN (SELECT uuid FROM rn_locations WHERE location_type = 'store');
\! $SIMCTL log --vendor retailnext | grep -c -- '-> 429'
ALTER SERVER rn OPTIONS (DROP max_concurrency);
\! $SIMCTL reset

-- predicted traffic: future days only, 7 days a request, one store each
\! $SIMCTL config '{"retailnext": {"now": "real"}}'
-- (time >= a date: the date is cast to timestamptz, as the operator would)
SELECT count(*) > 0 AS predicted, min(time) >= current_date + 1 AS future_only
  FROM rn_predicted_traffic
 WHERE store_uuid = 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9'
   AND time >= current_date + 1 AND time < current_date + 11;
\! $SIMCTL count --contains /v1/predictedtraffic
-- EXPLAIN without ANALYZE plans UTC's days and says that each store's own
-- today decides at execution (the dates depend on the day: not shown)
DO $$
DECLARE l text;
BEGIN
  FOR l IN EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM rn_predicted_traffic
            WHERE store_uuid = 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9'
              AND time >= current_date + 1 AND time < current_date + 11
  LOOP
    IF l ~ 'Days served|Z times' THEN RAISE NOTICE '%', btrim(l); END IF;
  END LOOP;
END $$;
-- (terse: the detail names tomorrow's date)
\set VERBOSITY terse
SELECT count(*) FROM rn_predicted_traffic
 WHERE store_uuid = 'aec5c886-9e2c-11e5-9bb7-0e5ba9bee1b9'
   AND time >= '2021-03-17' AND time < '2021-03-18';
\set VERBOSITY default
\! $SIMCTL reset

-- header names are case-insensitive (the vendor changed x-page-next once)
\! $SIMCTL config '{"retailnext": {"page_next_header": "X-Page-Next"}}'
SELECT count(*) FROM rn_users;
\! $SIMCTL reset
-- wrong keys: 28000
ALTER USER MAPPING FOR CURRENT_USER SERVER rn OPTIONS (SET secret_key 'wrong');
SELECT count(*) FROM rn_users;
\echo :LAST_ERROR_SQLSTATE
ALTER USER MAPPING FOR CURRENT_USER SERVER rn OPTIONS (SET secret_key 'rn-secret-key');
-- a location list that reaches the vendor's cap of 10,000 entries may be cut
-- short by the vendor: refused, never returned as if complete
\! python3 -c 'import json; print(json.dumps({"path_contains": "/v2/location", "kind": "body", "body": {"ok": True, "nodes": [[{"uuid": "00000000-0000-0000-0000-%012d" % i, "name": "L%d" % i, "location_type": "zone"} for i in range(10000)]]}}))' | $SIMCTL fault -
SELECT count(*) FROM rn_locations;
\echo :LAST_ERROR_SQLSTATE
-- 9,999 entries are a complete answer
\! python3 -c 'import json; print(json.dumps({"path_contains": "/v2/location", "kind": "body", "body": {"ok": True, "nodes": [[{"uuid": "00000000-0000-0000-0000-%012d" % i, "name": "L%d" % i, "location_type": "zone"} for i in range(9999)]]}}))' | $SIMCTL fault -
SELECT count(*) FROM rn_locations;
\! $SIMCTL reset
