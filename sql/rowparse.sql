--
-- rowparse: pages are read row by row from their bytes (jsonpage.c), yet
-- a page whose JSON is broken anywhere shows none of its rows, and bodies
-- that are not plain JSON (json-c's extensions, escaped or repeated keys)
-- answer as they did when every page was parsed whole
--
SET timezone = 'UTC';
SET search_path = j, public;
\set VERBOSITY default
\! $SIMCTL reset

-- two good rows, then a syntax error in the third: the first FETCH fails,
-- no row of the page comes out (22032)
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "content_type": "application/json", "body": "{\"count\": 3, \"next\": null, \"previous\": null, \"results\": [{\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"s1\", \"dwell_time_seconds\": 1}, {\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"s2\", \"dwell_time_seconds\": 2}, {\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"s3\", \"dwell_time_seconds\": 3,, }]}"}'
BEGIN;
DECLARE c CURSOR FOR SELECT session_id, dwell_time_seconds FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
FETCH 1 FROM c;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- the same page cut short after its first rows: no row either
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "content_type": "application/json", "body": "{\"count\": 3, \"next\": null, \"previous\": null, \"results\": [{\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"s1\", \"dwell_time_seconds\": 1}, {\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"s2\""}'
BEGIN;
DECLARE c CURSOR FOR SELECT session_id FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
FETCH 1 FROM c;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- json-c's extensions (a trailing comma, a NaN) go to json-c whole, as
-- before: the trailing comma is taken, NaN is refused where it is read
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "content_type": "application/json", "body": "{\"count\": 3, \"next\": null, \"previous\": null, \"results\": [{\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"s1\", \"dwell_time_seconds\": 1}, {\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"s2\", \"dwell_time_seconds\": NaN}, {\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"s3\", \"dwell_time_seconds\": 3},]}"}'
SELECT session_id FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13' ORDER BY 1;
SELECT session_id, dwell_time_seconds FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13' ORDER BY 1;

-- a key spelled with an escape is the same key; of two equal keys the
-- last counts (json-c's rule), raw or not
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "content_type": "application/json", "body": "{\"count\": 1, \"next\": null, \"previous\": null, \"res\\u0075lts\": [{\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"escaped\"}]}"}'
SELECT session_id FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "content_type": "application/json", "body": "{\"count\": 2, \"results\": [{\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"first\"}], \"next\": null, \"previous\": null, \"results\": [{\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"last\"}, {\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"last, 2\"}]}"}'
SELECT session_id FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';

-- rows that are not objects, an empty page, big integers and escapes in
-- rows read raw
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "content_type": "application/json", "body": "{\"count\": 2, \"next\": null, \"previous\": null, \"results\": [{\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"ok\"}, 42]}"}'
SELECT session_id FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "content_type": "application/json", "body": "{\"count\": 0, \"next\": null, \"previous\": null, \"results\": [ ]}"}'
SELECT count(*) FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "status": 200, "content_type": "application/json", "body": "{\"count\": 2, \"next\": null, \"previous\": null, \"results\": [{\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"caf\\u00e9 \\ud83d\\ude00\", \"dwell_time_seconds\": 12345678901234567890}, {\"event_start\": \"2025-08-12T10:00:00Z\", \"session_id\": \"b\", \"dwell_time_seconds\": 9223372036854775807}]}"}'
SELECT session_id FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13' ORDER BY 1;
SELECT session_id, dwell_time_seconds FROM visit_journey_events
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13' ORDER BY 1;
\! $SIMCTL reset
