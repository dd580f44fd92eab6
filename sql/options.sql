--
-- options: validation of server, user mapping, table and column options
--
SET timezone = 'UTC';
\set VERBOSITY default

-- vendor is required and must be known
CREATE SERVER s1 FOREIGN DATA WRAPPER retail_fdw OPTIONS (base_url 'https://api.example.com');
CREATE SERVER s1 FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'bespot', base_url 'https://api.example.com');
-- base_url is required, must be http(s), plain http only to loopback
CREATE SERVER s1 FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey');
CREATE SERVER s1 FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url 'ftp://127.0.0.1/');
CREATE SERVER s1 FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url 'http://api.example.com');
CREATE SERVER s1 FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url 'https://user:pw@api.example.com');
CREATE SERVER s1 FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url 'not a url');
-- loopback http in its three spellings is fine
CREATE SERVER s1 FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'journey', base_url 'http://127.0.0.2:8080/prefix');
ALTER SERVER s1 OPTIONS (SET base_url 'http://localhost:8080');
ALTER SERVER s1 OPTIONS (SET base_url 'http://[::1]:8080');
-- unknown options name the valid ones
ALTER SERVER s1 OPTIONS (ADD timeout '10');
-- integer limits say their range
ALTER SERVER s1 OPTIONS (ADD timeout_ms 'soon');
ALTER SERVER s1 OPTIONS (ADD timeout_ms '0');
ALTER SERVER s1 OPTIONS (ADD max_concurrency '1000');
ALTER SERVER s1 OPTIONS (ADD timeout_ms '5000', ADD connect_timeout_ms '1000',
  ADD max_retries '0', ADD max_concurrency '2', ADD page_size '500',
  ADD max_response_bytes '1048576', ADD verify_tls 'true');
ALTER SERVER s1 OPTIONS (SET verify_tls 'maybe');
-- secrets are refused outside user mappings, without echoing them
ALTER SERVER s1 OPTIONS (ADD token 'leaky-token');
ALTER SERVER s1 OPTIONS (ADD secret_key 'leaky-key');
-- subscription belongs to retailnext, which needs no base_url with it
ALTER SERVER s1 OPTIONS (ADD subscription 'acme');
CREATE SERVER rn_acme FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'retailnext', subscription 'acme');
CREATE SERVER rn2 FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'retailnext', subscription 'Acme Corp');
DROP SERVER rn_acme;

-- user mappings
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (password 'x');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token '');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'X Api Key');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'X-Api-Key', auth_scheme '');
DROP USER MAPPING FOR CURRENT_USER SERVER s1;
-- a mapping takes its server's vendor's options only, and the hint lists
-- those: an Inspector mapping takes no RetailNext key, at CREATE or ALTER
CREATE SERVER ic_s FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'inspector', base_url 'https://api.example.com');
CREATE USER MAPPING FOR CURRENT_USER SERVER ic_s OPTIONS (access_key 'k');
CREATE USER MAPPING FOR CURRENT_USER SERVER ic_s OPTIONS (token 't', client_secret 's');
CREATE USER MAPPING FOR CURRENT_USER SERVER ic_s OPTIONS (token 't');
ALTER USER MAPPING FOR CURRENT_USER SERVER ic_s OPTIONS (ADD secret_key 's');
ALTER USER MAPPING FOR CURRENT_USER SERVER ic_s OPTIONS (ADD password 's');
SELECT umoptions FROM pg_user_mappings WHERE srvname = 'ic_s';
DROP USER MAPPING FOR CURRENT_USER SERVER ic_s;
DROP SERVER ic_s;
CREATE SERVER rn_s FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'retailnext', subscription 'acme');
CREATE USER MAPPING FOR CURRENT_USER SERVER rn_s OPTIONS (token 't');
CREATE USER MAPPING FOR CURRENT_USER SERVER rn_s OPTIONS (access_key 'k', secret_key 's');
DROP USER MAPPING FOR CURRENT_USER SERVER rn_s;
DROP SERVER rn_s;

-- foreign tables and columns
CREATE FOREIGN TABLE ft1 (session_id text) SERVER s1 OPTIONS (token 'x');
CREATE FOREIGN TABLE ft1 (session_id text) SERVER s1 OPTIONS (resource 'visit_journey_events', window '1 mon');
CREATE FOREIGN TABLE ft1 (session_id text) SERVER s1 OPTIONS (resource 'visit_journey_events', window 'daily');
CREATE FOREIGN TABLE ft1 (session_id text) SERVER s1 OPTIONS (resource 'visit_journey_events', window '30 seconds');
CREATE FOREIGN TABLE ft1 (session_id text OPTIONS (path 'x')) SERVER s1;
-- a table that names no resource hears of every table's options only
CREATE FOREIGN TABLE ft1 (session_id text) SERVER s1 OPTIONS (colour 'red');
CREATE FOREIGN TABLE ft1 (session_id text OPTIONS (json_path 'session_id'))
  SERVER s1 OPTIONS (resource 'visit_journey_events', window '6 hours', page_size '100');
ALTER FOREIGN TABLE ft1 OPTIONS (SET window 'none');
-- a table takes its resource's options only (grain is rn_datamine's)
CREATE SERVER aifi_s FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'aifi', base_url 'https://api.example.com');
CREATE FOREIGN TABLE aifi_t (id text) SERVER aifi_s OPTIONS (resource 'aifi_sessions', grain 'day');
CREATE FOREIGN TABLE aifi_t (id text) SERVER aifi_s OPTIONS (resource 'aifi_sessions');
ALTER FOREIGN TABLE aifi_t OPTIONS (ADD grain 'day');
-- without "resource" the table's name is the resource: checked all the same
CREATE FOREIGN TABLE aifi_sessions (id text) SERVER aifi_s OPTIONS (grain 'day');
DROP SERVER aifi_s CASCADE;
-- the wrapper itself takes no options
ALTER FOREIGN DATA WRAPPER retail_fdw OPTIONS (ADD debug 'on');

-- turning TLS verification off, or reading an arbitrary CA file, is for superusers
CREATE ROLE rf_user;
GRANT USAGE ON FOREIGN DATA WRAPPER retail_fdw TO rf_user;
SET ROLE rf_user;
CREATE SERVER s2 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'https://api.example.com', verify_tls 'false');
CREATE SERVER s2 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'https://api.example.com', ca_file '/var/lib/postgresql/secret.pem');
CREATE SERVER s2 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'https://api.example.com', ca_file '/etc/ssl/certs/ca-certificates.crt');
DROP SERVER s2;
RESET ROLE;
CREATE SERVER s2 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'https://api.example.com', verify_tls 'false', ca_file 'relative.pem');

-- base_url and token_url hold no query or fragment: paths and parameters
-- are appended to them
CREATE SERVER s3 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'https://api.example.com/v1?tenant=acme');
CREATE SERVER s3 FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'http://127.0.0.1:8080/#admin');
ALTER SERVER s1 OPTIONS (SET base_url 'http://127.0.0.1:8080/x?');
CREATE SERVER aifi_s FOREIGN DATA WRAPPER retail_fdw OPTIONS (vendor 'aifi', base_url 'https://api.example.com');
CREATE USER MAPPING FOR CURRENT_USER SERVER aifi_s
  OPTIONS (client_id 'c', client_secret 's', token_url 'https://auth.example.com/oauth/token?audience=x');
CREATE USER MAPPING FOR CURRENT_USER SERVER aifi_s
  OPTIONS (client_id 'c', client_secret 's', token_url 'https://auth.example.com/oauth/token#x');
CREATE USER MAPPING FOR CURRENT_USER SERVER aifi_s
  OPTIONS (client_id 'c', client_secret 's', token_url 'https://auth.example.com/oauth/token');
DROP SERVER aifi_s CASCADE;

-- auth_header names a header that carries a token, not one that frames
-- or routes the request
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'Host');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'content-length');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'Transfer-Encoding');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'CONNECTION');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'Upgrade');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'te');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'Trailer');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'Expect');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'Keep-Alive');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'Proxy-Authorization');
CREATE USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (token 't', auth_header 'X-Api-Key');
ALTER USER MAPPING FOR CURRENT_USER SERVER s1 OPTIONS (SET auth_header 'Host');
DROP USER MAPPING FOR CURRENT_USER SERVER s1;

-- intervals: interval syntax and ISO 8601, checked without catching errors
CREATE FOREIGN TABLE ft2 (session_id text) SERVER s1 OPTIONS (resource 'visit_journey_events', window 'PT6H');
ALTER FOREIGN TABLE ft2 OPTIONS (SET window 'P1M');
ALTER FOREIGN TABLE ft2 OPTIONS (SET window '99999999999 days');
ALTER FOREIGN TABLE ft2 OPTIONS (ADD cache_ttl 'P1DT2H');
ALTER FOREIGN TABLE ft2 OPTIONS (SET cache_ttl '5 fortnights');
SELECT ftoptions FROM pg_foreign_table WHERE ftrelid = 'ft2'::regclass;
DROP FOREIGN TABLE ft2;
DROP SERVER s1 CASCADE;
REVOKE USAGE ON FOREIGN DATA WRAPPER retail_fdw FROM rf_user;
DROP ROLE rf_user;
