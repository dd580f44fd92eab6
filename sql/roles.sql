--
-- roles: an ordinary role (no superuser, no ownership of the extension)
-- uses the extension as the README's cookbook does, with USAGE on a server
-- and a user mapping of its own.  What stays restricted, stays restricted.
-- Uses the journey server and tables of setup.sql.
--
SET timezone = 'UTC';
\set VERBOSITY terse
\! $SIMCTL reset
CREATE ROLE rf_analyst NOLOGIN;
GRANT USAGE ON FOREIGN SERVER journey TO rf_analyst;
CREATE USER MAPPING FOR rf_analyst SERVER journey OPTIONS (token 'journey-secret-token');
GRANT USAGE ON SCHEMA j TO rf_analyst;
GRANT SELECT ON j.visit_journey_events TO rf_analyst;
CREATE SCHEMA analyst AUTHORIZATION rf_analyst;
-- the simulator listens on loopback http, which the network policy keeps
-- from ordinary roles unless a superuser allows the host
SET retail_fdw.allowed_hosts = '127.0.0.1';
SET ROLE rf_analyst;

-- a pushed-down query through the role's own mapping
SELECT count(*) > 0 AS rows, count(DISTINCT store_code) AS stores
  FROM j.visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
-- the connection check
SELECT ok, vendor, http_status FROM retail_fdw.check_server('journey');
-- session stitching over the foreign table
SELECT count(*) > 0 AS sessions
  FROM retail_fdw.stitch_sessions('j.visit_journey_events', '2025-08-12', '2025-08-13', 'SM-001');
-- an incremental sync into a table of the role's own
CREATE TABLE analyst.visits AS
  SELECT session_id, zone_serial_code, event_start FROM j.visit_journey_events WHERE false;
ALTER TABLE analyst.visits ADD PRIMARY KEY (session_id, zone_serial_code, event_start);
SELECT rows_inserted > 0 AS synced
  FROM retail_fdw.sync('j.visit_journey_events', 'analyst.visits',
                       '{session_id,zone_serial_code,event_start}', 'event_start',
                       since => '2025-08-12', until => '2025-08-12 06:00');
SELECT target, watermark FROM retail_fdw.sync_state WHERE target = 'analyst.visits';
-- request statistics can be read...
SELECT count(*) > 0 AS has_rows FROM retail_fdw.request_stats WHERE server = 'journey';
-- ...of the servers the role has USAGE on only (no dropped server's either)
SELECT count(*) AS other_servers FROM retail_fdw.request_stats WHERE server <> 'journey';
-- ...but not reset, nor can the watermarks be written by hand
SELECT retail_fdw.request_stats_reset();
INSERT INTO retail_fdw.sync_watermarks DEFAULT VALUES;
-- RetailNext exports: each role sees its own
SELECT count(*) FROM retail_fdw.rn_video_exports;
-- webhook events are granted by an administrator, not to everyone
SELECT count(*) FROM retail_fdw.aifi_events;
-- the store map is readable, not writable
SELECT count(*) >= 0 AS readable FROM retail_fdw.store_map;
INSERT INTO retail_fdw.store_map (store) VALUES ('mine');
RESET ROLE;
RESET retail_fdw.allowed_hosts;

DELETE FROM retail_fdw.sync_watermarks WHERE target = 'analyst.visits'::regclass;
DROP SCHEMA analyst CASCADE;
DROP USER MAPPING FOR rf_analyst SERVER journey;
REVOKE ALL ON j.visit_journey_events FROM rf_analyst;
REVOKE ALL ON SCHEMA j FROM rf_analyst;
REVOKE ALL ON FOREIGN SERVER journey FROM rf_analyst;
DROP ROLE rf_analyst;
