--
-- setup: what every other test file may use, and nothing else: the
-- extension, one server per vendor on the simulator with a user mapping and
-- its imported tables (journey in j, aifi in a, rn in r, ic in ic), and a
-- local table of store codes.  pg_regress runs it first, whichever tests
-- follow; every other file creates and drops its own objects and puts back
-- what it alters, so that each passes alone after this one
-- (bash test/run-tests.sh NAME; the suite regress-alone checks it).
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

-- AiFi (aifi.sql, and truth, ecosystem)
\getenv aifi_url SIM_AIFI_URL
CREATE SERVER aifi FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'aifi', base_url :'aifi_url', retry_max_wait_ms '50');
-- client credentials: the token comes from POST /oauth/token
CREATE USER MAPPING FOR CURRENT_USER SERVER aifi
  OPTIONS (client_id 'aifi-client', client_secret 'aifi-client-secret');
CREATE SCHEMA a;
IMPORT FOREIGN SCHEMA aifi FROM SERVER aifi INTO a;

-- RetailNext (retailnext.sql, and semijoin, truth, actions, ecosystem)
\getenv rn_url SIM_RETAILNEXT_URL
CREATE SERVER rn FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'retailnext', base_url :'rn_url', retry_max_wait_ms '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER rn
  OPTIONS (access_key 'rn-access-key', secret_key 'rn-secret-key');
CREATE SCHEMA r;
IMPORT FOREIGN SCHEMA retailnext FROM SERVER rn INTO r;

-- Inspector Cloud (inspector.sql, and ecosystem)
\getenv ic_url SIM_INSPECTOR_URL
CREATE SERVER ic FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'inspector', base_url :'ic_url', retry_max_wait_ms '20');
CREATE USER MAPPING FOR CURRENT_USER SERVER ic OPTIONS (token 'ic-secret-token');
CREATE SCHEMA ic;
IMPORT FOREIGN SCHEMA inspector FROM SERVER ic INTO ic;
