-- fdw/sql/12-describe.sql: one foreign table's columns and what each does
-- at the vendor, asked by the table's own name.
-- One fragment of the extension script: make concatenates fdw/sql/*.sql
-- in name order into fdw/retail_fdw--<default_version>.sql.

-- ----------------------------------------------------------------
-- retail_fdw.key_columns answers by vendor and resource; describe(regclass)
-- answers for a table: every column in order, its type, whether a filter
-- on it goes to the vendor (and with which operators, what a query must
-- give, the values the API takes, how they are sent) and its comment.
-- The table's resource is its "resource" option, else its name, as a scan
-- reads it; a column matches its descriptor's column by name, unless its
-- json_path reads another field.
-- ----------------------------------------------------------------
CREATE FUNCTION describe(relation regclass,
                         OUT column_name name, OUT data_type text,
                         OUT pushes_down boolean, OUT operators text,
                         OUT required text, OUT domain text, OUT sent_as text,
                         OUT description text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v text;
  res text;
BEGIN
  SELECT (SELECT substr(o, 8) FROM unnest(s.srvoptions) o WHERE o LIKE 'vendor=%'),
         coalesce((SELECT substr(o, 10) FROM unnest(t.ftoptions) o WHERE o LIKE 'resource=%'),
                  c.relname)
    INTO v, res
    FROM pg_class c
    JOIN pg_foreign_table t ON t.ftrelid = c.oid
    JOIN pg_foreign_server s ON s.oid = t.ftserver
    JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
   WHERE c.oid = relation
     AND w.fdwhandler = 'retail_fdw.retail_fdw_handler()'::regprocedure;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'relation "%" is not a retail_fdw foreign table', relation
      USING ERRCODE = 'wrong_object_type',
            DETAIL = 'describe() tells what a foreign table of a retail_fdw server does at its vendor.',
            HINT = 'Name a table that IMPORT FOREIGN SCHEMA created, for example: SELECT * FROM retail_fdw.describe(''journey.visit_journey_events'');';
  END IF;
  RETURN QUERY
    SELECT a.attname, format_type(a.atttypid, a.atttypmod),
           k.column_name IS NOT NULL, k.operators, k.required, k.domain, k.sent_as,
           col_description(a.attrelid, a.attnum)
      FROM pg_attribute a
      LEFT JOIN retail_fdw.key_columns k
        ON k.vendor = v AND k.resource = res AND k.column_name = a.attname
       -- a column that reads another field (json_path) is not the filter
       AND NOT EXISTS (SELECT FROM unnest(a.attfdwoptions) o
                        WHERE o LIKE 'json_path=%' AND o <> 'json_path=' || a.attname)
     WHERE a.attrelid = relation AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum;
END
$fn$;
COMMENT ON FUNCTION describe(regclass) IS
  'the columns of a retail_fdw foreign table in order: type, whether a filter on it goes to the vendor, its operators, what a query must give, the values the API takes, how they are sent, its comment';
