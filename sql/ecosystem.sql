--
-- ecosystem: request statistics, the connection check, incremental sync,
-- the store map and the daily figures across vendors.
-- Uses the servers and tables of setup.
--
SET timezone = 'UTC';
SET search_path = public, j, a, r, ic;
\set VERBOSITY default
\! $SIMCTL reset

-- ----------------------------------------------------------------
-- request_stats: the test cluster preloads retail_fdw, so "cluster" scope
-- ----------------------------------------------------------------
SELECT retail_fdw.request_stats_reset() >= 0 AS reset;
SELECT count(*) FROM retail_fdw.request_stats;
-- three daily windows of one store, 1000 rows a page: 3 requests
SELECT count(*) FROM j.visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-01' AND event_start < '2025-08-04';
SELECT server, endpoint, requests, pages, rows, retries, throttled, errors,
       bytes > 1000 AS has_bytes, network_ms >= 0 AS timed,
       last_request_at >= first_request_at AS ordered, last_error, scope
  FROM retail_fdw.request_stats;
-- the simulator saw as many requests as the statistics say
\! $SIMCTL count --vendor journey
-- a throttled answer that a retry gets past, then a failure that sticks
\! $SIMCTL fault '{"path_contains": "/bi/", "status": 429, "times": 1}'
\! $SIMCTL fault '{"path_contains": "/bi/", "query_contains": "2025-08-05", "status": 500, "body": {"detail": "boom"}, "times": -1}'
SELECT count(*) FROM j.visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-04' AND event_start < '2025-08-05';
SELECT count(*) FROM j.visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-05' AND event_start < '2025-08-06';
SELECT server, endpoint, requests, pages, rows, retries, throttled, errors, last_error,
       last_error_at IS NOT NULL AS error_time
  FROM retail_fdw.request_stats;
\! $SIMCTL reset
-- ids in paths are folded into one endpoint; no query string, no secret
SELECT count(*) FROM ic_visits WHERE id IN (500001, 500008, 500015);
SELECT server, endpoint, requests, pages, rows
  FROM retail_fdw.request_stats WHERE server = 'ic' ORDER BY endpoint;
SELECT count(*) AS leaked FROM retail_fdw.request_stats
 WHERE endpoint ~ '[?]|secret|token=' OR coalesce(last_error, '') ~ 'secret';
-- only the privileged may reset; a role sees the servers it has USAGE on
CREATE ROLE eco_user;
GRANT USAGE ON SCHEMA retail_fdw TO eco_user;
SET ROLE eco_user;
SELECT retail_fdw.request_stats_reset();
SELECT count(*) AS without_usage FROM retail_fdw.request_stats;
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER ic TO eco_user;
SET ROLE eco_user;
SELECT DISTINCT server FROM retail_fdw.request_stats;
RESET ROLE;
REVOKE USAGE ON FOREIGN SERVER ic FROM eco_user;
SELECT retail_fdw.request_stats_reset() > 0 AS removed;
SELECT count(*) FROM retail_fdw.request_stats;

-- ----------------------------------------------------------------
-- check_server
-- ----------------------------------------------------------------
SELECT server, c.ok, c.vendor, c.http_status, c.latency_ms >= 0 AS timed, c.message, c.hint
  FROM unnest(ARRAY['journey', 'aifi', 'rn', 'ic']) server,
       LATERAL retail_fdw.check_server(server) c;
-- one request each (plus AiFi's token)
\! $SIMCTL log
-- bad key
ALTER USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (SET token 'wrong-token');
SELECT ok, http_status, message, hint FROM retail_fdw.check_server('journey');
ALTER USER MAPPING FOR CURRENT_USER SERVER journey OPTIONS (SET token 'journey-secret-token');
-- wrong base URL: a path prefix the vendor does not have
\getenv journey_url SIM_JOURNEY_URL
CREATE SERVER eco_prefix FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url :'journey_url', max_retries '0');
ALTER SERVER eco_prefix OPTIONS (SET base_url 'http://127.0.0.1:1/api');
CREATE USER MAPPING FOR CURRENT_USER SERVER eco_prefix OPTIONS (token 'journey-secret-token');
-- no route: nothing listens on port 1
SELECT ok, http_status, message, hint FROM retail_fdw.check_server('eco_prefix');
-- the network policy: a role that is not a superuser may not reach plain
-- http on loopback; the hint is the statement that allows the host
GRANT USAGE ON FOREIGN SERVER eco_prefix TO eco_user;
CREATE USER MAPPING FOR eco_user SERVER eco_prefix OPTIONS (token 'journey-secret-token');
SET ROLE eco_user;
SELECT ok, http_status, message, hint FROM retail_fdw.check_server('eco_prefix');
RESET ROLE;
DROP USER MAPPING FOR eco_user SERVER eco_prefix;
REVOKE USAGE ON FOREIGN SERVER eco_prefix FROM eco_user;
-- a timeout: the hint raises timeout_ms
ALTER SERVER eco_prefix OPTIONS (SET base_url :'journey_url', ADD timeout_ms '300');
\! $SIMCTL fault '{"path_contains": "/bi/", "kind": "stall", "stall_ms": 2000, "times": -1}'
SELECT ok, http_status, message, hint FROM retail_fdw.check_server('eco_prefix');
\! $SIMCTL reset
ALTER SERVER eco_prefix OPTIONS (DROP timeout_ms);
SELECT format('%s/v9', :'journey_url') AS prefixed \gset
ALTER SERVER eco_prefix OPTIONS (SET base_url :'prefixed');
SELECT ok, http_status, message, hint FROM retail_fdw.check_server('eco_prefix');
-- a dead vendor: 503 on every try
\! $SIMCTL fault '{"vendor": "inspector", "status": 503, "times": -1}'
SELECT ok, http_status, message, hint FROM retail_fdw.check_server('ic');
-- a refusal of another kind: the hint sends the request by hand
\! $SIMCTL reset
\! $SIMCTL fault '{"vendor": "inspector", "status": 400, "body": {"detail": "bad request"}, "times": -1}'
SELECT ok, http_status, message, hint FROM retail_fdw.check_server('ic');
\! $SIMCTL reset
-- no user mapping, and a server that is not retail_fdw's
DROP USER MAPPING FOR CURRENT_USER SERVER eco_prefix;
SELECT ok, message, hint FROM retail_fdw.check_server('eco_prefix');
SELECT * FROM retail_fdw.check_server('no_such_server');
DROP SERVER eco_prefix;

-- ----------------------------------------------------------------
-- sync: journey events by event_start
-- ----------------------------------------------------------------
CREATE TABLE events_copy (LIKE j.visit_journey_events);
-- without a unique index on the key there is no upsert
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'event_start', since => '2025-08-01');
CREATE UNIQUE INDEX ON events_copy (visit_id, zone_serial_code, event_start);
-- the first run needs a start
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-03');
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-03',
  since => '2025-08-01');
-- bad arguments
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,nope}', 'event_start');
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'dwell_time_seconds');
-- the bounds went to the vendor, one day at a time
\! $SIMCTL log --vendor journey
SELECT source, target, watermark_column, watermark, last_from, last_to,
       last_inserted, last_updated
  FROM retail_fdw.sync_state;
-- the next run starts at the watermark, a day of lookback re-reads late rows
\! $SIMCTL reset
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-05',
  lookback => '1 day');
\! $SIMCTL log --vendor journey
-- a changed row comes back as the vendor has it, unchanged rows are left alone
UPDATE events_copy SET dwell_time_seconds = -1
 WHERE (visit_id, zone_serial_code, event_start) =
       (SELECT visit_id, zone_serial_code, event_start FROM events_copy
         ORDER BY event_start, visit_id, zone_serial_code LIMIT 1);
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-05',
  since => '2025-08-01');
SELECT count(*) FROM events_copy WHERE dwell_time_seconds < 0;
-- a failure midway leaves the copy and the watermark as they were
SELECT count(*) AS rows_before FROM events_copy \gset
\! $SIMCTL fault '{"path_contains": "/bi/", "query_contains": "2025-08-07", "status": 500, "times": -1}'
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-09');
SELECT count(*) = :rows_before AS unchanged FROM events_copy;
SELECT watermark FROM retail_fdw.sync_state WHERE target = 'public.events_copy';
-- ...and the rerun loses and duplicates nothing
\! $SIMCTL reset
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-09');
SELECT (SELECT count(*) FROM events_copy) AS copied,
       (SELECT count(*) FROM j.visit_journey_events
         WHERE event_start >= '2025-08-01' AND event_start < '2025-08-09') AS at_vendor;
SELECT count(*) AS differences FROM (
  (SELECT * FROM events_copy
   EXCEPT ALL
   SELECT * FROM j.visit_journey_events
    WHERE event_start >= '2025-08-01' AND event_start < '2025-08-09')
  UNION ALL
  (SELECT * FROM j.visit_journey_events
    WHERE event_start >= '2025-08-01' AND event_start < '2025-08-09'
   EXCEPT ALL
   SELECT * FROM events_copy)) d;
-- nothing to do when until is not past the watermark
SELECT * FROM retail_fdw.sync('j.visit_journey_events', 'events_copy',
  '{visit_id,zone_serial_code,event_start}', 'event_start', until => '2025-08-09');

-- ----------------------------------------------------------------
-- sync: AiFi sessions by updated_at, RetailNext datamine by period
-- ----------------------------------------------------------------
CREATE TABLE sessions_copy (id text PRIMARY KEY, store_id bigint, status text,
                            visitors integer, created_at timestamptz,
                            updated_at timestamptz);
SELECT * FROM retail_fdw.sync('aifi_sessions', 'sessions_copy', '{id}', 'updated_at',
  since => '2025-08-01', until => '2025-08-10');
SELECT * FROM retail_fdw.sync('aifi_sessions', 'sessions_copy', '{id}', 'updated_at',
  until => '2025-09-01');
SELECT count(*) AS copied,
       (SELECT count(*) FROM aifi_sessions
         WHERE updated_at >= '2025-08-01' AND updated_at < '2025-09-01') AS at_vendor
  FROM sessions_copy;
\! $SIMCTL log --vendor aifi --contains sessions

CREATE TABLE traffic_copy (location_uuid uuid, metric text, grain text,
                           period_start timestamptz, value numeric,
                           PRIMARY KEY (location_uuid, metric, grain, period_start));
-- the datamine table needs its locations and metrics: the filter argument
SELECT * FROM retail_fdw.sync('rn_datamine', 'traffic_copy',
  '{location_uuid,metric,grain,period_start}', 'period_start',
  since => '2021-02-25', until => '2021-03-02',
  filter => $$location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric IN ('traffic_in', 'traffic_out')$$);
-- the last day is still counting: a day of lookback fetches it again
SELECT * FROM retail_fdw.sync('rn_datamine', 'traffic_copy',
  '{location_uuid,metric,grain,period_start}', 'period_start',
  until => '2021-03-03', lookback => '1 day',
  filter => $$location_uuid = 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9' AND metric IN ('traffic_in', 'traffic_out')$$);
SELECT metric, count(*), min(period_start), max(period_start) FROM traffic_copy GROUP BY 1 ORDER BY 1;
SELECT target, watermark_column, watermark FROM retail_fdw.sync_state ORDER BY target;

-- ----------------------------------------------------------------
-- store_map and store_daily
-- ----------------------------------------------------------------
INSERT INTO retail_fdw.store_map
       (store, journey_store_code, aifi_store_id, retailnext_store_uuid, inspector_store_id, time_zone)
VALUES ('downtown', 'SM-001', 1, 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 11020, 'UTC'),
       ('riverside', 'SM-002', 2, '86b03ba2-a117-11ea-802c-c00010892d7a', 11021, 'America/Los_Angeles'),
       ('airport', 'SM-003', NULL, NULL, NULL, 'Europe/Berlin');
INSERT INTO retail_fdw.store_map (store, time_zone) VALUES ('moon', 'Moon/Base');
\! $SIMCTL reset
SELECT * FROM retail_fdw.store_daily('2025-08-01', '2025-08-03',
  journey => 'j.visit_journey_events', aifi => 'aifi_sessions', inspector => 'ic_visits');
-- each vendor's range is fetched once: a day of margin on both sides, three
-- journey stores a day, one series per mapped AiFi store
\! $SIMCTL log --vendor journey | wc -l
\! $SIMCTL log --vendor aifi --contains sessions
-- the same figures computed by hand from each vendor's table
SELECT m.store, d::date AS day,
       (SELECT count(DISTINCT session_id) FROM j.visit_journey_events e
         WHERE e.store_code = m.journey_store_code
           AND e.event_start >= (d::timestamp AT TIME ZONE m.time_zone)
           AND e.event_start < ((d + interval '1 day')::timestamp AT TIME ZONE m.time_zone)) AS journey_sessions,
       (SELECT count(*) FROM aifi_sessions s
         WHERE s.store_id = m.aifi_store_id
           AND s.created_at >= (d::timestamp AT TIME ZONE m.time_zone)
           AND s.created_at < ((d + interval '1 day')::timestamp AT TIME ZONE m.time_zone)) AS aifi_sessions
  FROM retail_fdw.store_map m, generate_series('2025-08-01'::timestamp, '2025-08-03', '1 day') d
 WHERE m.aifi_store_id IS NOT NULL
 ORDER BY 1, 2;
-- RetailNext's days are asked for in each store's own time zone
\! $SIMCTL reset
SELECT store, day, traffic_in FROM retail_fdw.store_daily('2021-03-01', '2021-03-02', datamine => 'rn_datamine');
\! $SIMCTL log --vendor retailnext --bodies
SELECT * FROM retail_fdw.store_daily('2025-08-03', '2025-08-01');

DROP TABLE events_copy, sessions_copy, traffic_copy;
DELETE FROM retail_fdw.sync_watermarks;
DELETE FROM retail_fdw.store_map;
REVOKE USAGE ON SCHEMA retail_fdw FROM eco_user;
DROP ROLE eco_user;
-- a dropped server's figures stay, under a name that says so
\getenv journey_url SIM_JOURNEY_URL
CREATE SERVER short_lived FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url :'journey_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER short_lived OPTIONS (token 'journey-secret-token');
SELECT ok FROM retail_fdw.check_server('short_lived');
DROP SERVER short_lived CASCADE;
SELECT count(*) > 0 AS kept FROM retail_fdw.request_stats WHERE server LIKE '(dropped server %)';
