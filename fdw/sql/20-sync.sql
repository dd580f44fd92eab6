-- fdw/sql/20-sync.sql: incremental sync with watermarks (sync, sync_state)
-- One fragment of the extension script: make concatenates fdw/sql/*.sql
-- in name order into fdw/retail_fdw--<default_version>.sql.

-- ----------------------------------------------------------------
-- Incremental sync of a foreign table into a local one.
-- ----------------------------------------------------------------
-- The watermarks, keyed by the tables themselves (their OIDs), not by names
-- another schema could imitate.  Nobody but its owner reads or writes this
-- table: sync_state_save (called by sync) writes after checking that the
-- caller may write the target, and the view sync_state shows each role the
-- states of the targets it can write.
CREATE TABLE sync_watermarks (
  source regclass NOT NULL,
  target regclass NOT NULL,
  watermark_column text NOT NULL,
  watermark timestamptz NOT NULL,     -- rows before it have been copied
  last_from timestamptz,
  last_to timestamptz,
  last_inserted bigint,
  last_updated bigint,
  last_run_at timestamptz,
  last_run_by name,
  PRIMARY KEY (source, target)
);
SELECT pg_catalog.pg_extension_config_dump('sync_watermarks', '');
REVOKE ALL ON sync_watermarks FROM PUBLIC;

-- Qualified names as regclass prints them outside any search_path.  A pair
-- whose source or target was dropped is simply not shown (to anyone).
CREATE VIEW sync_state WITH (security_barrier) AS
  SELECT pg_catalog.format('%I.%I', sn.nspname, sc.relname) AS source,
         pg_catalog.format('%I.%I', tn.nspname, tc.relname) AS target,
         w.watermark_column, w.watermark, w.last_from, w.last_to,
         w.last_inserted, w.last_updated, w.last_run_at, w.last_run_by
    FROM retail_fdw.sync_watermarks w
    JOIN pg_catalog.pg_class sc ON sc.oid = w.source
    JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
    JOIN pg_catalog.pg_class tc ON tc.oid = w.target
    JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
   WHERE pg_catalog.has_table_privilege(w.target::oid, 'INSERT');
GRANT SELECT ON sync_state TO PUBLIC;
COMMENT ON VIEW sync_state IS
  'how far each sync got, for the targets the current role may write';

CREATE FUNCTION sync_state_save(source regclass, target regclass,
                                watermark_column text, watermark timestamptz,
                                last_from timestamptz, last_to timestamptz,
                                last_inserted bigint, last_updated bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'rf_sql_sync_state_save'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION sync_state_save(regclass, regclass, text, timestamptz, timestamptz, timestamptz, bigint, bigint) IS
  'record how far a sync got: only for a target the caller may INSERT into and a source it may read';

CREATE FUNCTION sync(source regclass, target regclass, key_columns text[],
                     watermark_column text,
                     since timestamptz DEFAULT NULL,
                     until timestamptz DEFAULT now(),
                     lookback interval DEFAULT '0',
                     filter text DEFAULT NULL,
                     OUT rows_inserted bigint, OUT rows_updated bigint,
                     OUT window_from timestamptz, OUT window_to timestamptz)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  st retail_fdw.sync_state;
  cols text[];
  nonkey text[];
  wm_type regtype;
  leaves oid[];
  updated_before bigint;
  rows_written bigint;
  q text;
  e_msg text;
  e_detail text;
  e_schema text;
  e_table text;
  e_constraint text;
BEGIN
  IF key_columns IS NULL OR cardinality(key_columns) = 0 THEN
    RAISE EXCEPTION 'sync needs key columns' USING ERRCODE = '22023',
      HINT = 'Pass the columns that identify a row, e.g. key_columns => ''{visit_id,zone_serial_code,event_start}''.';
  END IF;
  IF lookback IS NULL OR lookback < interval '0' THEN
    RAISE EXCEPTION 'lookback must not be negative' USING ERRCODE = '22023';
  END IF;

  -- the columns both tables have, in the target's order
  SELECT array_agg(t.attname::text ORDER BY t.attnum) INTO cols
    FROM pg_attribute t
    JOIN pg_attribute s ON s.attrelid = source AND s.attname = t.attname
                       AND s.attnum > 0 AND NOT s.attisdropped
   WHERE t.attrelid = target AND t.attnum > 0 AND NOT t.attisdropped
     AND t.attgenerated = '';
  IF cols IS NULL OR NOT key_columns <@ cols THEN
    RAISE EXCEPTION 'key columns % are not columns of both % and %',
                    key_columns, source, target
      USING ERRCODE = '42703';
  END IF;
  IF NOT ARRAY[watermark_column] <@ cols THEN
    RAISE EXCEPTION 'watermark column "%" is not a column of both % and %',
                    watermark_column, source, target
      USING ERRCODE = '42703';
  END IF;
  SELECT atttypid::regtype INTO wm_type FROM pg_attribute
   WHERE attrelid = source AND attname = watermark_column;
  IF wm_type NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
    RAISE EXCEPTION 'watermark column "%" is of type %, not a timestamp or date',
                    watermark_column, wm_type
      USING ERRCODE = '42804';
  END IF;
  -- ON CONFLICT needs a unique index on exactly the key columns
  IF NOT EXISTS (
      SELECT 1 FROM pg_index i
       WHERE i.indrelid = target AND i.indisunique AND i.indpred IS NULL
         AND i.indexprs IS NULL
         AND (SELECT array_agg(a.attname::text ORDER BY a.attname)
                FROM pg_attribute a
               WHERE a.attrelid = target AND a.attnum = ANY (i.indkey))
             = (SELECT array_agg(k ORDER BY k) FROM unnest(key_columns) k)) THEN
    -- a partitioned table's unique index must hold its partition key, so
    -- the key decides which partition a row is in, and no update moves one
    IF EXISTS (SELECT 1 FROM pg_partitioned_table p
                WHERE p.partrelid = target
                  AND (0 = ANY (p.partattrs)
                       OR EXISTS (SELECT 1 FROM pg_attribute a
                                   WHERE a.attrelid = target AND a.attnum = ANY (p.partattrs)
                                     AND NOT a.attname::text = ANY (key_columns)))) THEN
      RAISE EXCEPTION '% has no unique index on (%)', target, array_to_string(key_columns, ', ')
        USING ERRCODE = '42P10',
              DETAIL = format('%s is partitioned by %s, and a unique index of a partitioned table must contain every partition key column.',
                              target, pg_get_partkeydef(target)),
              HINT = 'Add the partition key columns to key_columns and to the unique index (a table partitioned by an expression cannot be a target).';
    END IF;
    RAISE EXCEPTION '% has no unique index on (%)', target, array_to_string(key_columns, ', ')
      USING ERRCODE = '42P10',
            HINT = format('CREATE UNIQUE INDEX ON %s (%s);', target,
                          (SELECT string_agg(quote_ident(k), ', ') FROM unnest(key_columns) k));
  END IF;

  -- one sync of a pair at a time; the second waits for the first
  PERFORM pg_advisory_xact_lock(hashtext('retail_fdw.sync'), hashtext(source::text || ' ' || target::text));
  SELECT * INTO st FROM retail_fdw.sync_state s
   WHERE s.source = (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
                       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = sync.source)
     AND s.target = (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
                       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = sync.target);

  window_from := coalesce(since, st.watermark - lookback);
  window_to := until;
  IF window_from IS NULL THEN
    RAISE EXCEPTION 'no watermark yet for % -> %', source, target
      USING ERRCODE = '22023',
            HINT = 'The first sync of a pair needs a start: pass since => ''2025-08-01''.';
  END IF;
  IF window_to IS NULL OR window_to <= window_from THEN
    rows_inserted := 0;
    rows_updated := 0;
    RETURN;
  END IF;

  SELECT array_agg(c) INTO nonkey FROM unnest(cols) c WHERE NOT c = ANY (key_columns);

  -- Constant bounds, so that the foreign scan pushes them down.  The
  -- upsert returns a row for each row it inserted or changed; how many of
  -- them were updates, the target's own counters say: the rows this
  -- transaction has updated in each table that holds rows (the partitions
  -- of a partitioned target), read before and after.  (RETURNING xmax = 0
  -- would tell inserts from updates only in a table that is not
  -- partitioned: a partitioned one has no system columns to return.  Looking
  -- the returned keys up in the target is exact too, but the planner may
  -- scan a target it saw empty once per row: quadratic on a first sync.)
  q := format(
    'WITH src AS (SELECT DISTINCT ON (%2$s) %3$s FROM %1$s'
    ' WHERE %4$I >= %5$L::%6$s AND %4$I < %7$L::%6$s%8$s ORDER BY %2$s, %4$I DESC),'
    ' up AS (INSERT INTO %9$s AS t (%3$s) SELECT %3$s FROM src ON CONFLICT (%2$s) %10$s'
    ' RETURNING 1)'
    ' SELECT count(*) FROM up',
    source,
    (SELECT string_agg(quote_ident(k), ', ') FROM unnest(key_columns) k),
    (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cols) c),
    watermark_column,
    window_from, wm_type,
    window_to,
    CASE WHEN filter IS NOT NULL THEN ' AND (' || filter || ')' ELSE '' END,
    target,
    CASE WHEN nonkey IS NULL THEN 'DO NOTHING'
    ELSE format('DO UPDATE SET (%s) = ROW(%s) WHERE (%s) IS DISTINCT FROM (%s)',
                (SELECT string_agg(quote_ident(c), ', ') FROM unnest(nonkey) c),
                (SELECT string_agg('EXCLUDED.' || quote_ident(c), ', ') FROM unnest(nonkey) c),
                (SELECT string_agg('t.' || quote_ident(c), ', ') FROM unnest(nonkey) c),
                (SELECT string_agg('EXCLUDED.' || quote_ident(c), ', ') FROM unnest(nonkey) c))
    END);
  -- The counters count only with track_counts on (the default; autovacuum
  -- needs it): without them the split is unknown, and both counts are NULL.
  -- A trigger of the target that updates rows of the target would be
  -- counted too.
  leaves := ARRAY(SELECT relid FROM pg_partition_tree(target) WHERE isleaf);
  IF cardinality(leaves) = 0 THEN
    leaves := ARRAY[target::oid];       -- a table outside any partition tree
  END IF;
  SELECT sum(pg_stat_get_xact_tuples_updated(l)) INTO updated_before FROM unnest(leaves) l;
  -- A row for which a partitioned target has no partition fails the whole
  -- statement (nothing is written, the watermark stays); say what to do.
  BEGIN
    EXECUTE q INTO rows_written;
  EXCEPTION WHEN check_violation THEN
    GET STACKED DIAGNOSTICS e_msg = MESSAGE_TEXT, e_detail = PG_EXCEPTION_DETAIL,
                            e_schema = SCHEMA_NAME, e_table = TABLE_NAME,
                            e_constraint = CONSTRAINT_NAME;
    IF e_constraint <> '' OR NOT EXISTS (
        SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relname = e_table AND n.nspname = e_schema AND c.relkind = 'p') THEN
      RAISE;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = e_msg, DETAIL = e_detail,
      SCHEMA = e_schema, TABLE = e_table,
      HINT = format('Create the partition of %I.%I that holds the row, or a DEFAULT partition '
                    '(with pg_partman: run_maintenance_proc(), or a larger premake). '
                    'This sync wrote no row and did not move the watermark.',
                    e_schema, e_table);
  END;
  IF current_setting('track_counts')::boolean THEN
    SELECT sum(pg_stat_get_xact_tuples_updated(l)) - updated_before INTO rows_updated
      FROM unnest(leaves) l;
    rows_inserted := rows_written - rows_updated;
  END IF;

  PERFORM retail_fdw.sync_state_save(source, target, watermark_column,
                                     greatest(window_to, st.watermark), window_from, window_to,
                                     rows_inserted, rows_updated);
END
$fn$;
COMMENT ON FUNCTION sync(regclass, regclass, text[], text, timestamptz, timestamptz, interval, text) IS
  'upsert rows of a foreign table whose watermark column is in [watermark - lookback, until) into a local table, and move the watermark, in one transaction';
