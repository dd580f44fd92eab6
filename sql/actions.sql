--
-- actions: RetailNext video exports (every state of the lifecycle and
-- every validation), stream tokens, occupancy adjustments, and who may
-- use them.  The server "rn" comes from setup.
--
SET timezone = 'UTC';
\set VERBOSITY default
\getenv rn_url SIM_RETAILNEXT_URL
\! $SIMCTL reset

-- validation before any request
SELECT retail_fdw.rn_video_export_start('rn', '{}', '2021-03-01 13:00', '2021-03-01 13:05');
SELECT retail_fdw.rn_video_export_start('rn',
  array_fill('f2b81aa0-8c90-11eb-9d08-c00017306bd8'::uuid, ARRAY[17]),
  '2021-03-01 13:00', '2021-03-01 13:05');
SELECT retail_fdw.rn_video_export_start('rn', ARRAY['f2b81aa0-8c90-11eb-9d08-c00017306bd8']::uuid[],
  '2021-03-01 13:05', '2021-03-01 13:00');
SELECT retail_fdw.rn_video_export_start('rn', ARRAY['f2b81aa0-8c90-11eb-9d08-c00017306bd8']::uuid[],
  '2021-03-01 13:00', '2021-03-01 13:05', resolution => '1024x768');
SELECT retail_fdw.rn_video_export_start('rn',
  ARRAY['f2b81aa0-8c90-11eb-9d08-c00017306bd8', '9290bc70-3480-11ea-81c9-c000c7e8079e']::uuid[],
  '2021-03-01 13:00', '2021-03-01 13:05', resolution => 'big');
SELECT retail_fdw.rn_video_export_start('journey', ARRAY['f2b81aa0-8c90-11eb-9d08-c00017306bd8']::uuid[],
  '2021-03-01 13:00', '2021-03-01 13:05');
\! $SIMCTL count --vendor retailnext

-- the documentation's example: started, in progress twice, then ready
SELECT retail_fdw.rn_video_export_start('rn', ARRAY['f2b81aa0-8c90-11eb-9d08-c00017306bd8']::uuid[],
  '2021-03-17 13:00:00+00', '2021-03-17 13:05:08+00',
  analytics_overlay => true, info_overlay => true) AS export_id \gset
SELECT :'export_id';
SELECT * FROM retail_fdw.rn_video_export_status('rn', :'export_id');
SELECT status, download_url ~ '^http://127\.0\.0\.1:[0-9]+/v1/video/export/download/' AS same_host_url,
       reason
  FROM retail_fdw.rn_video_export_wait('rn', :'export_id', '30 seconds');
-- never followed: no request went to the download URL
\! $SIMCTL log --vendor retailnext
SELECT export_id, requested_by, server, channels, start_at, end_at, options, status,
       download_url IS NOT NULL AS has_url
  FROM retail_fdw.rn_video_exports;
-- deleted, then gone
SELECT retail_fdw.rn_video_export_delete('rn', :'export_id');
SELECT status FROM retail_fdw.rn_video_exports WHERE export_id = :'export_id';
SELECT * FROM retail_fdw.rn_video_export_status('rn', :'export_id');

-- a channel that does not record: failed, with the vendor's reason
SELECT retail_fdw.rn_video_export_start('rn', ARRAY['7f1e0c9a-0000-11eb-8000-00000000b001']::uuid[],
  '2021-03-01 13:00', '2021-03-01 13:05') AS failing \gset
SELECT * FROM retail_fdw.rn_video_export_wait('rn', :'failing', '30 seconds');
-- expired after it was ready
\! $SIMCTL config '{"retailnext": {"export_polls": 0, "export_ttl": 1}}'
SELECT retail_fdw.rn_video_export_start('rn', ARRAY['9290bc70-3480-11ea-81c9-c000c7e8079e']::uuid[],
  '2021-03-01 13:00', '2021-03-01 13:05') AS expiring \gset
SELECT status FROM retail_fdw.rn_video_export_status('rn', :'expiring');
SELECT status FROM retail_fdw.rn_video_export_status('rn', :'expiring');
SELECT status, count(*) FROM retail_fdw.rn_video_exports GROUP BY 1 ORDER BY 1;
-- waiting is cancelled by statement_timeout
\! $SIMCTL config '{"retailnext": {"export_polls": 1000}}'
SELECT retail_fdw.rn_video_export_start('rn', ARRAY['9290bc70-3480-11ea-81c9-c000c7e8079e']::uuid[],
  '2021-03-01 14:00', '2021-03-01 14:05') AS slow \gset
CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS ts;
SET statement_timeout = '1s';
SELECT * FROM retail_fdw.rn_video_export_wait('rn', :'slow', '1 minute');
RESET statement_timeout;
SELECT clock_timestamp() - ts < interval '4 seconds' AS prompt FROM t0;
\! $SIMCTL config '{"retailnext": {"export_polls": 2}}'

-- live video: a token for a location, and the playlist URL on the same host
SELECT retail_fdw.rn_hls_token('rn', '22940210-f49b-11e6-944b-c0001cd78189') AS token \gset
SELECT :'token';
SELECT replace(retail_fdw.rn_hls_url('rn', '9290bc70-3480-11ea-81c9-c000c7e8079e', :'token'),
               :'rn_url', '<base_url>') AS url;
SELECT retail_fdw.rn_hls_url('rn', '9290bc70-3480-11ea-81c9-c000c7e8079e', 'a&b=c');

-- live occupancy (rn_occupancy_now): the document's request "without time
-- zone" for the locations asked for; its San Jose Store has 179 people inside
-- of a limit of 300
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM r.rn_occupancy_now
 WHERE location_uuid IN ('dace69f6-b307-11e9-819d-0000698cf233',
                         'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9');
SELECT location_name, location_qualified_name, metric, value, validity
  FROM r.rn_occupancy_now
 WHERE location_uuid IN ('dace69f6-b307-11e9-819d-0000698cf233',
                         'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9')
 ORDER BY location_name, metric;
SELECT * FROM r.rn_occupancy_now;
SELECT * FROM r.rn_occupancy_now WHERE location_uuid = '00000000-0000-0000-0000-000000000001';

-- occupancy: within store hours, for a store with a limit; the next read of
-- r.rn_occupancy_now counts the 5 people more
SELECT retail_fdw.rn_occupancy_adjust('rn', 'dace69f6-b307-11e9-819d-0000698cf233', 5);
SELECT value FROM r.rn_occupancy_now
 WHERE location_uuid = 'dace69f6-b307-11e9-819d-0000698cf233' AND metric = 'total_occupancy';
SELECT retail_fdw.rn_occupancy_adjust('rn', 'dace69f6-b307-11e9-819d-0000698cf233', 0);
SELECT retail_fdw.rn_occupancy_adjust('rn', 'a434a682-30a0-11ea-896a-00005f259c6e', 2);
\! $SIMCTL log --bodies --contains occupancy
-- at a time: 20:30 in Los Angeles is inside Caspar City Plaza's hours (10-21)
-- and is sent as its wall clock (z_reading 'wall', the default); 03:30 is not
SELECT retail_fdw.rn_occupancy_adjust('rn', 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 1,
                                      '2021-03-16 20:30 America/Los_Angeles');
SELECT retail_fdw.rn_occupancy_adjust('rn', 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 1,
                                      '2021-03-16 03:30 America/Los_Angeles');
-- z_reading 'utc' sends UTC, for an API that reads it so
ALTER SERVER rn OPTIONS (ADD z_reading 'utc');
\! $SIMCTL config '{"retailnext": {"z_reading": "utc"}}'
SELECT retail_fdw.rn_occupancy_adjust('rn', 'aec3dc7e-9e2c-11e5-9bb4-0e5ba9bee1b9', 1,
                                      '2021-03-16 20:30 America/Los_Angeles');
ALTER SERVER rn OPTIONS (DROP z_reading);
\! $SIMCTL config '{"retailnext": {"z_reading": "wall"}}'
\! $SIMCTL log --bodies --contains /v1/occupancy

-- another role: its own mapping, its own exports; never the owner's keys
CREATE ROLE rf_analyst;
GRANT USAGE ON SCHEMA retail_fdw TO rf_analyst;
GRANT USAGE ON FOREIGN SERVER rn TO rf_analyst;
SET ROLE rf_analyst;
SELECT retail_fdw.rn_hls_token('rn', '22940210-f49b-11e6-944b-c0001cd78189');
RESET ROLE;
CREATE USER MAPPING FOR rf_analyst SERVER rn
  OPTIONS (access_key 'rn-access-key', secret_key 'rn-secret-key');
-- the simulator is plain http on loopback: a superuser allows it for others
SET retail_fdw.allowed_hosts = '127.0.0.1';
SET ROLE rf_analyst;
SELECT retail_fdw.rn_video_export_start('rn', ARRAY['9290bc70-3480-11ea-81c9-c000c7e8079e']::uuid[],
  '2021-03-02 13:00', '2021-03-02 13:05') IS NOT NULL AS started;
SELECT requested_by, count(*) FROM retail_fdw.rn_video_exports GROUP BY 1;
RESET ROLE;
RESET retail_fdw.allowed_hosts;
SELECT requested_by, count(*) FROM retail_fdw.rn_video_exports GROUP BY 1 ORDER BY 1;
DROP USER MAPPING FOR rf_analyst SERVER rn;
REVOKE USAGE ON FOREIGN SERVER rn FROM rf_analyst;
REVOKE USAGE ON SCHEMA retail_fdw FROM rf_analyst;
DELETE FROM retail_fdw.rn_video_exports;
DROP ROLE rf_analyst;
