--
-- results: rows as the vendor sent them, typed per the table's columns,
-- and the requests that produced them (the simulator's record)
--
SET timezone = 'UTC';
SET search_path = j, public;
\! $SIMCTL reset

-- the documentation's example, row for row
SELECT * FROM visit_journey_events
 WHERE store_code = 'SM-001'
   AND event_start >= '2025-08-12' AND event_start < '2025-08-13'
 ORDER BY event_start;
\! $SIMCTL log

-- any subset of columns in any order, with other types and a json_path
CREATE FOREIGN TABLE vje_subset (
  dwell bigint OPTIONS (json_path 'dwell_time_seconds'),
  zone_name varchar(40),
  started text OPTIONS (json_path 'event_start'),
  date_of_visit date,
  event_start timestamptz,
  dwell_time_seconds numeric,
  store jsonb OPTIONS (json_path 'store_name'),
  user_id text
) SERVER journey OPTIONS (resource 'visit_journey_events');
SELECT * FROM vje_subset
 WHERE event_start >= '2025-08-12 13:10' AND event_start < '2025-08-12 13:30'
   AND date_of_visit = '2025-08-12';
SELECT zone_name, dwell, store FROM vje_subset
 WHERE dwell > 400
   AND user_id = 'usr_4a91d2c8'
   AND event_start BETWEEN '2025-08-12' AND '2025-08-13';
-- a text column sorts differently from a timestamp: not a bound for the API
SELECT count(*) FROM vje_subset
 WHERE started BETWEEN '2025-08-12' AND '2025-08-13';
-- nor is a column that reads another field
CREATE FOREIGN TABLE vje_renamed (
  event_start timestamptz OPTIONS (json_path 'event_end'),
  store_code text OPTIONS (json_path 'zone_name')
) SERVER journey OPTIONS (resource 'visit_journey_events');
SELECT count(*) FROM vje_renamed
 WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
DROP FOREIGN TABLE vje_renamed;
DROP FOREIGN TABLE vje_subset;

-- a generated week over three stores, compared with the vendor's own
-- answer fetched outside retail_fdw (curl, PostgreSQL's JSON functions)
\! $SIMCTL reset
CREATE TEMP TABLE raw (doc jsonb);
\set q '/bi/visit-journey-events/?datetime_gte=2025-08-03T00:00:00Z&datetime_lte=2025-08-09T23:59:59Z&page_size=10000'
\getenv journey_url SIM_JOURNEY_URL
\set cmd 'curl -sf -H "Authorization: Bearer journey-secret-token" "' :journey_url :q '"'
COPY raw FROM PROGRAM :'cmd' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
CREATE TEMP TABLE expected AS
  SELECT r.* FROM raw,
    jsonb_populate_recordset(NULL::j.visit_journey_events, doc->'results') r;
SELECT (SELECT (doc->>'count')::int FROM raw) AS vendor_count,
       (SELECT count(*) FROM expected) AS expected_rows;

CREATE TEMP TABLE got AS
  SELECT * FROM visit_journey_events
   WHERE event_start >= '2025-08-03' AND event_start < '2025-08-10';
SELECT count(*) AS rows_via_fdw,
       count(DISTINCT store_code) AS stores,
       count(DISTINCT date_trunc('day', event_start)) AS days
  FROM got;
-- identical both ways, duplicates included
SELECT count(*) AS missing FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM got) d;
SELECT count(*) AS extra FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM expected) d;
-- seven daily windows, each one page, besides the one curl made
\! $SIMCTL count --contains page_size=1000

-- small pages: the same rows; once the first page gives the count, the other
-- pages are asked for by number, several at once
CREATE FOREIGN TABLE vje_small (
  session_id text, visit_id text, user_id text, device_id text,
  date_of_visit date, store_name text, store_code text, zone_name text,
  zone_serial_code text, zone_entered_from text, zone_exited_to text,
  dwell_time_seconds integer, event_start timestamptz, event_end timestamptz, source text)
  SERVER journey OPTIONS (resource 'visit_journey_events', page_size '7');
\! $SIMCTL reset
SELECT count(*) AS missing FROM (
  SELECT * FROM expected WHERE store_code = 'SM-002' AND event_start < '2025-08-04'
  EXCEPT ALL
  SELECT * FROM vje_small WHERE store_code = 'SM-002'
     AND event_start >= '2025-08-03' AND event_start < '2025-08-04') d;
\! $SIMCTL log
DROP FOREIGN TABLE vje_small;

-- EXPLAIN ANALYZE reports what was really sent and received
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';

-- every supported type, from a row the simulator is told to send
\! $SIMCTL reset
\! $SIMCTL fault '{"path_contains": "/bi/", "times": -1, "kind": "body", "body": {"count": 2, "next": null, "previous": null, "results": [{"event_start": "2025-08-12T12:00:00+02:00", "s": 7, "i": 123456, "b": 12345678901, "n": "12.50", "f": 1.5e3, "t": true, "d": "2025-08-12", "ts": "2025-08-12T10:00:00.25", "u": "6a1f0e3c-2b7d-4f3a-9c41-0d2e8f5b7a90", "j": {"k": [1, {"x": null}]}, "a": ["x", "y, z", "\"q\""], "deep": {"er": {"field": "found"}}, "txt": 42}, {"event_start": "2025-08-12T10:00:00Z", "s": null, "j": null, "a": []}]}}'
CREATE FOREIGN TABLE vje_types (
  event_start timestamptz,
  s smallint OPTIONS (json_path 's'), i integer OPTIONS (json_path 'i'),
  b bigint OPTIONS (json_path 'b'), n numeric OPTIONS (json_path 'n'),
  f float8 OPTIONS (json_path 'f'), t boolean OPTIONS (json_path 't'),
  d date OPTIONS (json_path 'd'), ts timestamp OPTIONS (json_path 'ts'),
  u uuid OPTIONS (json_path 'u'), j json OPTIONS (json_path 'j'),
  jb jsonb OPTIONS (json_path 'j'), a text[] OPTIONS (json_path 'a'),
  deep text OPTIONS (json_path 'deep.er.field'), txt text OPTIONS (json_path 'txt'),
  missing text OPTIONS (json_path 'no.such.field')
) SERVER journey OPTIONS (resource 'visit_journey_events');
\x on
SELECT * FROM vje_types WHERE event_start >= '2025-08-12' AND event_start < '2025-08-13';
\x off
DROP FOREIGN TABLE vje_types;
\! $SIMCTL reset
