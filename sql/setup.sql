--
-- setup: the extension, a journey server on the simulator, a user mapping,
-- the imported tables.  Later test files use what this one creates.
--
CREATE EXTENSION retail_fdw;
SELECT fdwname, fdwhandler::regproc, fdwvalidator::regproc
  FROM pg_foreign_data_wrapper WHERE fdwname = 'retail_fdw';
SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'retail_fdw';

-- every file sets UTC itself: pg_regress's PGTZ wins over a database default
SET timezone = 'UTC';

\getenv journey_url SIM_JOURNEY_URL
-- short retry waits keep the fault tests fast
CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url :'journey_url',
           max_retries '2', retry_max_wait_ms '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey
  OPTIONS (token 'journey-secret-token');

CREATE SCHEMA j;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO j;
\d j.visit_journey_events

-- a local copy of store codes, for joins
CREATE TABLE stores (code text PRIMARY KEY, region text);
INSERT INTO stores VALUES ('SM-001', 'north'), ('SM-002', 'south');
ANALYZE stores;
