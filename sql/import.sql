--
-- IMPORT FOREIGN SCHEMA: the remote schema is the vendor's name
--
SET timezone = 'UTC';
CREATE SCHEMA imp1;
IMPORT FOREIGN SCHEMA journey LIMIT TO (visit_journey_events) FROM SERVER journey INTO imp1;
SELECT foreign_table_name, foreign_server_name FROM information_schema.foreign_tables
 WHERE foreign_table_schema = 'imp1';
SELECT ftoptions FROM pg_foreign_table WHERE ftrelid = 'imp1.visit_journey_events'::regclass;
CREATE SCHEMA imp2;
IMPORT FOREIGN SCHEMA journey EXCEPT (visit_journey_events) FROM SERVER journey INTO imp2;
SELECT count(*) FROM information_schema.foreign_tables WHERE foreign_table_schema = 'imp2';
-- a LIMIT TO name the vendor lacks is an error naming it (a typo would
-- import nothing), even beside a good one; nothing is imported
IMPORT FOREIGN SCHEMA journey LIMIT TO (no_such_table) FROM SERVER journey INTO imp2;
IMPORT FOREIGN SCHEMA aifi LIMIT TO (aifi_sessions, aifi_sesions, "AIFI_STORES") FROM SERVER aifi INTO imp2;
SELECT count(*) FROM information_schema.foreign_tables WHERE foreign_table_schema = 'imp2';
-- an EXCEPT name the vendor lacks is a warning: the rest is imported
CREATE SCHEMA imp4;
IMPORT FOREIGN SCHEMA journey EXCEPT (visit_journey_event) FROM SERVER journey INTO imp4;
SELECT foreign_table_name FROM information_schema.foreign_tables WHERE foreign_table_schema = 'imp4';
DROP SCHEMA imp4 CASCADE;
-- the wrong remote schema says which one exists
IMPORT FOREIGN SCHEMA aifi FROM SERVER journey INTO imp2;
-- an imported table works straight away
SELECT count(*) FROM imp1.visit_journey_events
 WHERE store_code = 'SM-001' AND event_start >= '2025-08-12' AND event_start < '2025-08-13';
DROP SCHEMA imp1 CASCADE;
DROP SCHEMA imp2 CASCADE;
-- the pushdown model of every endpoint, from the descriptors
SELECT vendor, count(DISTINCT resource) AS tables, count(*) AS key_columns,
       count(required) AS required
  FROM retail_fdw.key_columns GROUP BY vendor ORDER BY vendor;
SELECT resource, column_name, operators, required
  FROM retail_fdw.key_columns
 WHERE resource IN ('visit_journey_events', 'rn_datamine', 'ic_visits')
 ORDER BY resource, column_name;
-- how the values travel, from the same descriptors
SELECT resource, column_name, sent_as
  FROM retail_fdw.key_columns
 WHERE resource IN ('visit_journey_events', 'rn_locations', 'ic_visits', 'rn_health_alerts')
 ORDER BY resource, column_name;
-- the same, asked by a table's own name: every column, pushed or not
SELECT * FROM retail_fdw.describe('ic.ic_visits');
SELECT column_name, data_type, operators, required, sent_as
  FROM retail_fdw.describe('j.visit_journey_events') WHERE pushes_down;
-- a table named otherwise finds its resource in its options; a column the
-- descriptor lacks, or one that reads another field, does not push down
CREATE FOREIGN TABLE public.my_events (store_code text, at timestamptz OPTIONS (json_path 'event_start'),
  event_start timestamptz OPTIONS (json_path 'event_end'))
  SERVER journey OPTIONS (resource 'visit_journey_events');
SELECT column_name, data_type, pushes_down, required FROM retail_fdw.describe('my_events');
DROP FOREIGN TABLE public.my_events;
-- not a retail_fdw table
SELECT * FROM retail_fdw.describe('pg_class');
-- the ORDER BY the APIs do
SELECT resource, column_name, sort_key FROM retail_fdw.sort_columns
 WHERE resource IN ('aifi_orders', 'aifi_stores') ORDER BY resource, column_name;
-- imported (and created) tables describe themselves in the catalog
CREATE SCHEMA imp3;
IMPORT FOREIGN SCHEMA journey FROM SERVER journey INTO imp3;
SELECT obj_description('imp3.visit_journey_events'::regclass, 'pg_class');
SELECT attname, col_description(attrelid, attnum)
  FROM pg_attribute WHERE attrelid = 'imp3.visit_journey_events'::regclass
   AND attname IN ('event_start', 'store_code', 'dwell_time_seconds') ORDER BY attnum;
-- a comment of the user's is kept
CREATE FOREIGN TABLE imp3.mine (event_start timestamptz) SERVER journey
  OPTIONS (resource 'visit_journey_events');
COMMENT ON FOREIGN TABLE imp3.mine IS 'my own words';
ALTER FOREIGN TABLE imp3.mine ADD COLUMN store_code text;
SELECT obj_description('imp3.mine'::regclass, 'pg_class');
DROP SCHEMA imp3 CASCADE;
