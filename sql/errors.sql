--
-- errors: each failure class ends in a clear error with its own SQLSTATE,
-- never a partial or empty result, never a secret
--
SET timezone = 'UTC';
SET search_path = j, public;
\set VERBOSITY default
\! $SIMCTL reset

-- a missing range, or one with only an upper bound, fails before any
-- request, naming the bound that is missing
SELECT count(*) FROM visit_journey_events WHERE store_code = 'SM-001';
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM visit_journey_events WHERE event_start < '2025-08-13';
-- nothing was sent
\! $SIMCTL count
-- a range with only a lower bound reads up to now (the simulator's record
-- shows the requests: one or two daily windows for the last minutes)
SELECT count(*) >= 0 AS answered FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= now() - interval '5 minutes';
\! n=$($SIMCTL count); [ "$n" -ge 1 ] && [ "$n" -le 2 ] && echo "requests up to now: ok"
\! $SIMCTL reset

-- a column that matches no field, a resource that does not exist, a page
-- size past the endpoint's maximum, a type that cannot hold its field: all
-- refused by CREATE / ALTER itself (the extension's event trigger), not at
-- the first SELECT
CREATE FOREIGN TABLE bad_col (session text, event_start timestamptz)
  SERVER journey OPTIONS (resource 'visit_journey_events');
\echo :LAST_ERROR_SQLSTATE
CREATE FOREIGN TABLE bad_res (session_id text) SERVER journey OPTIONS (resource 'visits');
CREATE FOREIGN TABLE big_pages (session_id text, event_start timestamptz) SERVER journey
  OPTIONS (resource 'visit_journey_events', page_size '20000');
CREATE FOREIGN TABLE bad_type (session_id text, event_start integer) SERVER journey
  OPTIONS (resource 'visit_journey_events');
CREATE FOREIGN TABLE ok_table (session_id text, event_start timestamptz,
  dwell bigint OPTIONS (json_path 'dwell_time_seconds')) SERVER journey
  OPTIONS (resource 'visit_journey_events');
ALTER FOREIGN TABLE ok_table ADD COLUMN nothing text;
ALTER FOREIGN TABLE ok_table OPTIONS (ADD page_size '20000');
DROP FOREIGN TABLE ok_table;

-- wrong credentials: 28000, with the vendor's answer and no token
\getenv journey_url SIM_JOURNEY_URL
CREATE SERVER journey_badauth FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url :'journey_url', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey_badauth OPTIONS (token 'wrong-token-123');
CREATE FOREIGN TABLE vje_badauth (session_id text, event_start timestamptz)
  SERVER journey_badauth OPTIONS (resource 'visit_journey_events');
SELECT * FROM vje_badauth WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
-- a mapping without a token
ALTER USER MAPPING FOR CURRENT_USER SERVER journey_badauth OPTIONS (DROP token);
SELECT * FROM vje_badauth WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
-- the token under another header name and scheme
ALTER USER MAPPING FOR CURRENT_USER SERVER journey_badauth
  OPTIONS (ADD token 'journey-secret-token', ADD auth_header 'X-Api-Key', ADD auth_scheme '');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM vje_badauth WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
SELECT count(*) FROM vje_badauth WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';

-- the vendor failing: retried, then an error naming vendor, endpoint, status
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "status": 500, "body": {"detail": "boom"}, "times": -1}'
SELECT count(*) FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL log

-- throttled: 429 with Retry-After, 503 without: retried and then fine
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "status": 429, "retry_after": "1", "times": 1}'
\! $SIMCTL fault '{"path_contains": "/bi/", "status": 503, "times": 1}'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
\! $SIMCTL log
-- throttled for good: 53400
\! $SIMCTL fault '{"path_contains": "/bi/", "status": 429, "times": -1}'
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
-- a wait of a second or more says so (a NOTICE naming vendor, status, wait)
\! $SIMCTL reset
ALTER SERVER journey OPTIONS (SET retry_max_wait_ms '2000');
\! $SIMCTL fault '{"path_contains": "/bi/", "status": 429, "retry_after": "1", "times": 1}'
SELECT count(*) > 0 AS answered FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
ALTER SERVER journey OPTIONS (SET retry_max_wait_ms '20');

-- malformed JSON: 22032; JSON of the wrong shape
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "kind": "malformed", "times": -1}'
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "kind": "wrong_shape", "times": -1}'
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE

-- a value of the wrong type names table, column and value
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "body": {"count": 1, "next": null, "previous": null, "results": [{"session_id": "s1", "dwell_time_seconds": "lots", "event_start": "2025-08-12T10:00:00Z"}]}}'
SELECT session_id, dwell_time_seconds FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "body": {"count": 1, "next": null, "previous": null, "results": [{"session_id": {"id": 1}, "dwell_time_seconds": {"seconds": 5}, "event_start": "2025-08-12T10:00:00Z"}]}}'
SELECT dwell_time_seconds FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
-- ...while text takes anything, and unknown fields are ignored
SELECT session_id FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
-- an integer beyond the column's type is out of range, also past bigint
-- (json-c holds 2^63 and up as unsigned)
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "body": {"count": 1, "next": null, "previous": null, "results": [{"session_id": "s1", "dwell_time_seconds": 9223372036854775808, "event_start": "2025-08-12T10:00:00Z"}]}}'
CREATE FOREIGN TABLE vje_bigint (event_start timestamptz,
  dwell bigint OPTIONS (json_path 'dwell_time_seconds'))
  SERVER journey OPTIONS (resource 'visit_journey_events');
SELECT dwell FROM vje_bigint
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
SELECT dwell_time_seconds FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
DROP FOREIGN TABLE vje_bigint;
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "body": {"count": 1, "next": null, "previous": null, "results": [{"session_id": "s1", "event_start": "yesterday-ish", "surprise": [1, 2]}]}}'
SELECT session_id, event_start FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset

-- a next link to another host is never followed
\! $SIMCTL fault '{"path_contains": "/bi/", "times": 1, "status": 200, "body": {"count": 2, "next": "http://127.0.0.9:1/bi/visit-journey-events/?page=2", "previous": null, "results": [{"session_id": "s1", "event_start": "2025-08-12T10:00:00Z"}]}}'
SELECT session_id FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset

-- a path the vendor does not have (404): HV00R, not retried
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 404, "body": {"detail": "Not found."}}'
SELECT count(*) FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL count
\! $SIMCTL reset

-- a vendor slower than timeout_ms: 08006, not retried (the time budget is spent)
ALTER SERVER journey OPTIONS (ADD timeout_ms '300');
\! $SIMCTL fault '{"path_contains": "/bi/", "kind": "stall", "stall_ms": 3000, "times": -1}'
\set VERBOSITY terse
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL count
\! $SIMCTL reset
ALTER SERVER journey OPTIONS (DROP timeout_ms);

-- pagination that drifts: the total changes between pages, a page comes
-- back short before the last: HV00M, never a partial result
CREATE FOREIGN TABLE vje_pages (session_id text, event_start timestamptz, store_code text)
  SERVER journey OPTIONS (resource 'visit_journey_events', page_size '10');
\! $SIMCTL fault '{"path_contains": "/bi/", "query_contains": "page=3", "times": -1, "kind": "body", "body": {"count": 9999, "next": null, "previous": null, "results": []}}'
SELECT count(*) FROM vje_pages
 WHERE store_code = 'SM-002' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "query_contains": "page=2", "times": -1, "kind": "body", "body": {"count": 105, "next": null, "previous": null, "results": [{"session_id": "s1", "event_start": "2025-08-12T10:00:00Z", "store_code": "SM-002"}]}}'
SELECT count(*) FROM vje_pages
 WHERE store_code = 'SM-002' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset
DROP FOREIGN TABLE vje_pages;

-- a response larger than max_response_bytes: 54000
ALTER SERVER journey OPTIONS (ADD max_response_bytes '4096');
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-002' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
ALTER SERVER journey OPTIONS (DROP max_response_bytes);

-- a vendor that is not there: HV00N (terse: the detail carries timings)
CREATE SERVER journey_dead FOREIGN DATA WRAPPER retail_fdw
  OPTIONS (vendor 'journey', base_url 'http://127.0.0.1:9', max_retries '1', retry_max_wait_ms '10');
CREATE USER MAPPING FOR CURRENT_USER SERVER journey_dead OPTIONS (token 'journey-secret-token');
CREATE FOREIGN TABLE vje_dead (session_id text, event_start timestamptz)
  SERVER journey_dead OPTIONS (resource 'visit_journey_events');
\set VERBOSITY terse
SELECT * FROM vje_dead WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- a stalled vendor: statement_timeout ends the scan promptly
\! $SIMCTL fault '{"path_contains": "/bi/", "kind": "stall", "stall_ms": 20000, "times": 1}'
CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS ts;
SET statement_timeout = '1s';
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
RESET statement_timeout;
SELECT clock_timestamp() - ts < interval '4 seconds' AS prompt FROM t0;
\! $SIMCTL reset

-- after all that, the session works as before
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
DROP SERVER journey_badauth CASCADE;
DROP SERVER journey_dead CASCADE;
