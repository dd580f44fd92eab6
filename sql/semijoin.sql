--
-- semijoin: a nested loop that feeds ids from a local table (a join, or
-- IN (SELECT ...) made a semi-join) lists the table's values once and
-- fetches them in the vendor's batches (id prefetch), not one request per
-- outer row; rescans are answered from memory, and the results are those
-- of a fenced fetch.  The simulator gets 250 more RetailNext stores.
--
SET timezone = 'UTC';
SET search_path = r, public;
\set VERBOSITY default
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null

-- the local table: 250 stores, regions by store number, and one without a uuid
CREATE TABLE many_stores (uuid uuid, store_no int, region text);
INSERT INTO many_stores
  SELECT uuid, store_id::int, CASE WHEN store_id::int % 2 = 0 THEN 'even' ELSE 'odd' END
    FROM rn_locations WHERE location_type = 'store' AND name LIKE 'Extra Store %';
SELECT count(*), count(DISTINCT uuid), min(store_no), max(store_no) FROM many_stores;
ANALYZE many_stores;

-- EXPLAIN (ANALYZE) lines about requests and the prefetch
CREATE FUNCTION pf_explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF l ~ '(Nested Loop|Hash|Foreign Scan|Seq Scan|refetch|Runs |HTTP requests|Id prefetch)' THEN
      RETURN NEXT l;
    END IF;
  END LOOP;
END $$;

-- IN (SELECT ...): a semi-join over the unique values, with the prefetch
EXPLAIN (VERBOSE, COSTS OFF)
SELECT location_uuid, value FROM rn_datamine
 WHERE location_uuid IN (SELECT uuid FROM many_stores WHERE region = 'even')
   AND metric = 'traffic_in' AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
-- 125 stores, batches of 100: 2 requests, not 125
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT count(*), count(DISTINCT location_uuid), sum(value) FROM rn_datamine
 WHERE location_uuid IN (SELECT uuid FROM many_stores WHERE region = 'even')
   AND metric = 'traffic_in' AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
\! $SIMCTL count --contains /v2/datamine

-- a join of all 250 stores for one day: ceil(250 / 100) = 3 requests
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT * FROM pf_explain($$
  SELECT s.store_no, d.value FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
   WHERE d.metric = 'traffic_in' AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-02'$$);
\! $SIMCTL count --contains /v2/datamine
\! $SIMCTL log --bodies --contains /v2/datamine | grep -o '"locations":\[[^]]*\]' | awk -F, '{print NF " locations"}'

-- the same figures as a fenced fetch (a materialized CTE of all the stores)
CREATE TEMP TABLE joined AS
  SELECT s.store_no, d.period_start, d.value
    FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
   WHERE d.metric = 'traffic_in' AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-03';
CREATE TEMP TABLE fenced AS
  WITH f AS MATERIALIZED (
    SELECT location_uuid, period_start, value FROM rn_datamine
     WHERE location_uuid = ANY (ARRAY(SELECT uuid FROM many_stores WHERE uuid IS NOT NULL))
       AND metric = 'traffic_in' AND period_start >= '2021-02-01' AND period_start < '2021-02-03')
  SELECT s.store_no, f.period_start, f.value FROM f JOIN many_stores s ON s.uuid = f.location_uuid;
SELECT (SELECT count(*) FROM joined) AS joined, (SELECT count(*) FROM fenced) AS fenced,
       (SELECT count(*) FROM (SELECT * FROM joined EXCEPT ALL SELECT * FROM fenced) x) AS only_joined,
       (SELECT count(*) FROM (SELECT * FROM fenced EXCEPT ALL SELECT * FROM joined) x) AS only_fenced;
-- ...and of one request per store, where the prefetch cannot be planned (a
-- volatile restriction on the outer table): five stores, five requests
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT * FROM pf_explain($$
  SELECT s.store_no, d.value FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
   WHERE s.store_no + floor(random())::int < 1005
     AND d.metric = 'traffic_in' AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-03'$$);
\! $SIMCTL count --contains /v2/datamine
SELECT count(*) AS mismatches FROM (
  SELECT s.store_no, d.period_start, d.value FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
   WHERE s.store_no + floor(random())::int < 1005
     AND d.metric = 'traffic_in' AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-03'
  EXCEPT ALL SELECT * FROM fenced WHERE store_no < 1005) x;

-- under the 10,000-entry cap: two metrics by the hour are split further,
-- exactly as a constant list of the same stores would be
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT count(*), count(DISTINCT location_uuid) FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
 WHERE d.metric IN ('traffic_in', 'traffic_out') AND d.grain = 'hour'
   AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-02';
\! $SIMCTL count --contains /v2/datamine > $RF_TMP/semijoin_join.count; cat $RF_TMP/semijoin_join.count
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
-- = ANY (ARRAY(SELECT ...)): an initplan's array, pushed as an IN list in batches
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM rn_datamine
 WHERE location_uuid = ANY (ARRAY(SELECT uuid FROM many_stores))
   AND metric IN ('traffic_in', 'traffic_out') AND grain = 'hour'
   AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
SELECT count(*), count(DISTINCT location_uuid) FROM rn_datamine
 WHERE location_uuid = ANY (ARRAY(SELECT uuid FROM many_stores))
   AND metric IN ('traffic_in', 'traffic_out') AND grain = 'hour'
   AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
\! n=$($SIMCTL count --contains /v2/datamine); if [ "$n" = "$(cat $RF_TMP/semijoin_join.count)" ]; then echo "same requests as the join"; else echo "join $(cat $RF_TMP/semijoin_join.count), array $n"; fi

-- rows over work_mem: the prefetch is given up, and every run fetches its
-- own store (one listing request wasted, the same rows)
SET work_mem = 64;
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT * FROM pf_explain($$
  SELECT s.store_no, d.value FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
   WHERE s.store_no < 1020 AND d.metric IN ('traffic_in', 'traffic_out') AND d.grain = 'hour'
     AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-03'$$);
\! $SIMCTL count --contains /v2/datamine
SELECT (SELECT count(*) || ' / ' || sum(d.value)
          FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
         WHERE s.store_no < 1020 AND d.metric IN ('traffic_in', 'traffic_out') AND d.grain = 'hour'
           AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-03') AS joined,
       (WITH f AS MATERIALIZED (
          SELECT value FROM rn_datamine
           WHERE location_uuid = ANY (ARRAY(SELECT uuid FROM many_stores WHERE store_no < 1020))
             AND metric IN ('traffic_in', 'traffic_out') AND grain = 'hour'
             AND period_start >= '2021-02-01' AND period_start < '2021-02-03')
        SELECT count(*) || ' / ' || sum(value) FROM f) AS fenced;
RESET work_mem;

-- a store without a uuid is not in the listing: its run is fetched alone
-- (a NULL id sends nothing)
INSERT INTO many_stores VALUES (NULL, 9999, 'even');
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT * FROM pf_explain($$
  SELECT s.store_no, d.value FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
   WHERE s.region = 'even'
     AND d.metric = 'traffic_in' AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-02'$$);
\! $SIMCTL count --contains /v2/datamine

-- a prepared statement with a parameter in the outer restriction: the
-- parameter goes with the listing, custom and generic plans alike
PREPARE by_region(text) AS
  SELECT count(*) AS n, sum(d.value) AS traffic
    FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
   WHERE s.region = $1
     AND d.metric = 'traffic_in' AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-03';
SELECT count(*) AS n, sum(f.value) AS traffic FROM fenced f JOIN many_stores s USING (store_no)
 WHERE s.region = 'odd';
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
EXECUTE by_region('odd');
\! $SIMCTL count --contains /v2/datamine
SET plan_cache_mode = force_generic_plan;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE by_region('odd');
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
EXECUTE by_region('odd');
\! $SIMCTL count --contains /v2/datamine
EXECUTE by_region('nowhere');
RESET plan_cache_mode;
DEALLOCATE by_region;

-- privileges: the listing runs as the current user, so a role that may
-- not read the outer table fails as PostgreSQL fails it, before any request
CREATE ROLE pf_reader;
GRANT USAGE ON SCHEMA r TO pf_reader;
GRANT USAGE ON FOREIGN SERVER rn TO pf_reader;
GRANT SELECT ON rn_datamine TO pf_reader;
CREATE USER MAPPING FOR pf_reader SERVER rn
  OPTIONS (access_key 'rn-access-key', secret_key 'rn-secret-key');
SET retail_fdw.allowed_hosts = '127.0.0.1';
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SET ROLE pf_reader;
SELECT count(*) FROM rn_datamine
 WHERE location_uuid IN (SELECT uuid FROM many_stores WHERE region = 'even')
   AND metric = 'traffic_in' AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
RESET ROLE;
GRANT SELECT ON many_stores TO pf_reader;
SET ROLE pf_reader;
SELECT count(*) FROM rn_datamine
 WHERE location_uuid IN (SELECT uuid FROM many_stores WHERE region = 'even')
   AND metric = 'traffic_in' AND period_start >= '2021-02-01' AND period_start < '2021-02-02';
RESET ROLE;
\! $SIMCTL count --contains /v2/datamine
-- a view the role may read over a table it may not: its owner's rights
-- read the table, so no listing is run as the role (one request a store)
REVOKE SELECT ON many_stores FROM pf_reader;
CREATE VIEW few_stores AS SELECT uuid, store_no FROM many_stores WHERE store_no < 1003;
GRANT SELECT ON few_stores TO pf_reader;
SET ROLE pf_reader;
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT count(*) FROM few_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
 WHERE d.metric = 'traffic_in' AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-02';
RESET ROLE;
\! $SIMCTL count --contains /v2/datamine
DROP VIEW few_stores;
GRANT SELECT ON many_stores TO pf_reader;
-- row-level security on the outer table: no prefetch (its policies are the
-- statement's to apply), one request per store
ALTER TABLE many_stores ENABLE ROW LEVEL SECURITY;
CREATE POLICY few ON many_stores TO pf_reader USING (store_no < 1004);
SET ROLE pf_reader;
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT count(*) FROM many_stores s JOIN rn_datamine d ON d.location_uuid = s.uuid
 WHERE d.metric = 'traffic_in' AND d.period_start >= '2021-02-01' AND d.period_start < '2021-02-02';
RESET ROLE;
\! $SIMCTL count --contains /v2/datamine
DROP POLICY few ON many_stores;
ALTER TABLE many_stores DISABLE ROW LEVEL SECURITY;
DROP USER MAPPING FOR pf_reader SERVER rn;
REVOKE ALL ON many_stores, rn_datamine FROM pf_reader;
REVOKE ALL ON SCHEMA r FROM pf_reader;
REVOKE ALL ON FOREIGN SERVER rn FROM pf_reader;
DROP ROLE pf_reader;
RESET retail_fdw.allowed_hosts;

-- rn_locations takes uuids in batches of 1,000: one request for them all
\! $SIMCTL reset
\! $SIMCTL config '{"retailnext": {"extra_stores": 250}}' >/dev/null
SELECT * FROM pf_explain($$
  SELECT s.store_no, l.name FROM many_stores s JOIN rn_locations l ON l.uuid = s.uuid
   WHERE s.region = 'odd'$$);
\! $SIMCTL count --contains /v2/location

DROP TABLE many_stores;
DROP FUNCTION pf_explain(text);
\! $SIMCTL reset
