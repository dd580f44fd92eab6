-- test/servers.sql -- one server, user mapping and schema per vendor, on the
-- local vendor simulator, named as README.md names them:
--
--   vendor      server    schema    remote schema (IMPORT FOREIGN SCHEMA)
--   journey     journey   journey   journey
--   aifi        aifi      aifi      aifi
--   retailnext  rn        rn        retailnext
--   inspector   ic        ic        inspector
--
-- Shared by test/demo.sh and test/sandbox.sh (so the two cannot drift).
-- psql variables: journey_url, aifi_url, rn_url, ic_url (the simulator's
-- SIM_<VENDOR>_URL).  The credentials are the ones the simulator accepts
-- (see the docstrings of test/sim/vendors/).
CREATE EXTENSION IF NOT EXISTS retail_fdw;

CREATE SERVER journey FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url :'journey_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey
  OPTIONS (token 'journey-secret-token');
CREATE SCHEMA IF NOT EXISTS journey;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO journey;

-- OAuth2 client credentials: the token is fetched from <base_url>/oauth/token
CREATE SERVER aifi FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'aifi', base_url :'aifi_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER aifi
  OPTIONS (client_id 'aifi-client', client_secret 'aifi-client-secret');
CREATE SCHEMA IF NOT EXISTS aifi;
IMPORT FOREIGN SCHEMA aifi FROM SERVER aifi INTO aifi;

CREATE SERVER rn FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'retailnext', base_url :'rn_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER rn
  OPTIONS (access_key 'rn-access-key', secret_key 'rn-secret-key');
CREATE SCHEMA IF NOT EXISTS rn;
IMPORT FOREIGN SCHEMA retailnext FROM SERVER rn INTO rn;

CREATE SERVER ic FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'inspector', base_url :'ic_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER ic
  OPTIONS (token 'ic-secret-token');
CREATE SCHEMA IF NOT EXISTS ic;
IMPORT FOREIGN SCHEMA inspector FROM SERVER ic INTO ic;
