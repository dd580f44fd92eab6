-- test/regress-leftovers.sql -- what a regression database holds beyond the
-- system's and the extension's own objects, one sorted line per object.
--
-- test/run-tests.sh (suite regress-alone) runs it after setup alone and after
-- setup and each test: a test must leave exactly what setup left, so that no
-- other test can come to depend on it.  Servers and user mappings with their
-- options (a test that alters one puts it back), schemas, relations with
-- their options (and the statistics of foreign tables: ANALYZE of a shared
-- table changes later plans), functions, types, collations, roles (cluster
-- wide), and the number of rows in each of the extension's tables (the
-- store map, sync watermarks, exports, webhook events).
--
-- Not for anything else: it reads names and options, never data of a test.
SET client_min_messages = warning;

SELECT line FROM (
  SELECT format('server %s %s', s.srvname, s.srvoptions) AS line
    FROM pg_foreign_server s
  UNION ALL
  SELECT format('user mapping %s@%s %s', u.usename, u.srvname, u.umoptions)
    FROM pg_user_mappings u
  UNION ALL
  SELECT format('schema %s', n.nspname)
    FROM pg_namespace n
   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  UNION ALL
  SELECT format('relation %s.%s (%s)%s', n.nspname, c.relname, c.relkind,
                CASE WHEN c.relkind = 'f'
                     THEN format(' %s pages=%s tuples=%s', ft.ftoptions, c.relpages, c.reltuples)
                     ELSE '' END)
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
     AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
     AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND d.deptype = 'e')
  UNION ALL
  SELECT format('function %s', p.oid::regprocedure)
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.deptype = 'e')
  UNION ALL
  SELECT format('type %s (%s)', t.oid::regtype, t.typtype)
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
     AND t.typrelid = 0 AND t.typelem = 0
     AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                        AND d.deptype = 'e')
  UNION ALL
  SELECT format('collation %s', c.oid::regcollation)
    FROM pg_collation c
    JOIN pg_namespace n ON n.oid = c.collnamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  UNION ALL
  SELECT format('role %s', r.rolname)
    FROM pg_roles r
   WHERE r.rolname !~ '^pg_'
) o
ORDER BY line COLLATE "C";

-- the extension's tables: how many rows each holds
SELECT format('SELECT %L || count(*) FROM %s',
              format('rows in %s: ', c.oid::regclass), c.oid::regclass)
  FROM pg_class c
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype = 'e'
 WHERE c.relkind IN ('r', 'p')
 ORDER BY c.oid::regclass::text COLLATE "C"
\gexec
