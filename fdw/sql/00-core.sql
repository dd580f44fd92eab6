-- fdw/sql/00-core.sql: the wrapper, vendor_call, the vendor check, check_server
-- One fragment of the extension script: make concatenates fdw/sql/*.sql
-- in name order into fdw/retail_fdw--<default_version>.sql.

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION retail_fdw" to load this file. \quit

-- Everything of the extension lives in the schema retail_fdw (see the
-- control file); the wrapper itself is a database-wide object.
--
-- Ordinary roles use the extension: the schema is open to everyone, and
-- each object says below who may do what with it (vendor calls need USAGE
-- on a server and a user mapping of one's own; statistics are reset only
-- by superusers; tables of events and exports show each role its own rows
-- or are granted by an administrator).  docs/security.md: "Roles and privileges".
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

CREATE FUNCTION retail_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION retail_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER retail_fdw
  HANDLER retail_fdw_handler
  VALIDATOR retail_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER retail_fdw IS
  'retail analytics vendor APIs as foreign tables';

-- ----------------------------------------------------------------
-- Vendor actions.  vendor_call sends a single request to the base URL of
-- a server, authenticated by the caller's user mapping.  Any answer below
-- 500 is handed back as is; a redirect is reported, not followed, so the
-- credentials stay with the server's host.  The per-vendor fragments
-- (42-retailnext.sql, ...) build their actions on top of it.
-- ----------------------------------------------------------------
CREATE FUNCTION vendor_call(server text, method text, path text, body text DEFAULT NULL,
                            OUT status integer, OUT location text, OUT body_head text)
RETURNS record
AS 'MODULE_PATHNAME', 'rf_sql_vendor_call'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION vendor_call(text, text, text, text) IS
  'one request to the server''s base URL with the caller''s mapping; status, Location (not followed) and the start of the body';

-- The vendor of a retail_fdw server.  With an expected vendor this is the
-- one vendor check of the actions written in SQL: each begins with
--   PERFORM retail_fdw.server_vendor(server, '<vendor>');
-- so a wrong server always fails alike (HV00D, the same message and hint;
-- the regression outputs show this function in the error's context).  The
-- C action ic_ack_visit of version 0.1 (fdw/vendors/inspector/ack_visit.c)
-- checks through server_for_call in functions.c, which raises the same
-- error.
-- The pushdown model of every endpoint, from the vendors' descriptors:
-- which columns a query can filter at the vendor, with which operators,
-- and what it must give (Steampipe's key columns, in SQL).
CREATE FUNCTION key_columns_read(OUT vendor text, OUT resource text, OUT column_name text,
                                 OUT operators text, OUT required text,
                                 OUT domain text, OUT sent_as text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'rf_sql_key_columns'
LANGUAGE C STRICT IMMUTABLE;
CREATE VIEW key_columns AS SELECT * FROM key_columns_read();
COMMENT ON VIEW key_columns IS
  'the pushdown model of every endpoint: columns that filter at the vendor, their operators, what a query must give (NULL = optional), the values the API takes (domain: other values are never sent) and how they are sent (sent_as)';
GRANT SELECT ON key_columns TO PUBLIC;

-- The ORDER BY the APIs do: the columns each endpoint sorts by, with the
-- API's sort key.  Any other ORDER BY is sorted by PostgreSQL.
CREATE FUNCTION sort_columns_read(OUT vendor text, OUT resource text, OUT column_name text,
                                  OUT sort_key text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'rf_sql_sort_columns'
LANGUAGE C STRICT IMMUTABLE;
CREATE VIEW sort_columns AS SELECT * FROM sort_columns_read();
COMMENT ON VIEW sort_columns IS
  'the ORDER BY every endpoint does at the vendor: the columns it sorts by and the API''s sort key (other orders are sorted by PostgreSQL)';
GRANT SELECT ON sort_columns TO PUBLIC;

-- One of a vendor's named actions (its descriptor's method and path with
-- an {id}); returns the HTTP status, 404 included.  The per-vendor SQL
-- functions check the vendor first (server_vendor) and build on it.
CREATE FUNCTION vendor_action(server text, action text, id text)
RETURNS integer
AS 'MODULE_PATHNAME', 'rf_sql_vendor_action'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION server_vendor(server text, expected text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v text;
BEGIN
  SELECT split_part(o, '=', 2) INTO v
    FROM pg_foreign_server s
    JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw AND w.fdwname = 'retail_fdw',
         unnest(s.srvoptions) o
   WHERE s.srvname = server AND o LIKE 'vendor=%';
  IF v IS NULL THEN
    RAISE EXCEPTION 'no retail_fdw server "%"', server USING ERRCODE = '42704';
  END IF;
  IF expected IS NOT NULL AND v <> expected THEN
    RAISE EXCEPTION 'server "%" is for vendor "%", not "%"', server, v, expected
      USING ERRCODE = 'HV00D',
            HINT = format('Pass the name of a server created with OPTIONS (vendor %L, ...).', expected);
  END IF;
  RETURN v;
END
$fn$;

-- ----------------------------------------------------------------
-- Connection check: one cheap request with the caller's user mapping.
-- Never raises for a vendor-side problem: the answer says what went wrong.
-- ----------------------------------------------------------------
CREATE FUNCTION check_server(server text,
    OUT ok boolean, OUT vendor text, OUT http_status integer, OUT latency_ms float8,
    OUT message text, OUT hint text)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  path text;
  t0 timestamptz;
  r record;
  st text;
  msg text;
  det text;
  hnt text;
BEGIN
  vendor := retail_fdw.server_vendor(server);
  path := retail_fdw.vendor_check_path(vendor);
  t0 := clock_timestamp();
  BEGIN
    r := retail_fdw.vendor_call(server, 'GET', path);
    latency_ms := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
    http_status := r.status;
    ok := r.status BETWEEN 200 AND 299;
    IF ok THEN
      message := format('%s answered HTTP %s', vendor, r.status);
    ELSIF r.status = 404 THEN
      message := format('%s answered 404 Not Found for %s', vendor, split_part(path, '?', 1));
      hint := 'Wrong base URL: check base_url of the server, including any path prefix.';
    ELSE
      message := format('%s answered HTTP %s: %s', vendor, r.status, left(r.body_head, 200));
      hint := 'The vendor refused the check request; see the message.';
    END IF;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    latency_ms := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
    ok := false;
    message := msg;
    http_status := substring(msg FROM 'HTTP ([0-9]{3})')::integer;
    hint := CASE
      WHEN st = '42501' THEN
        'Network policy: ' || coalesce(det, '') || ' ' || coalesce(hnt, '')
      WHEN st = '28000' OR http_status IN (401, 403) THEN
        'Bad key: the vendor refused the credentials; check the user mapping (ALTER USER MAPPING FOR CURRENT_USER SERVER '
        || quote_ident(server) || ' OPTIONS (SET ...)).'
      WHEN st = '42704' THEN
        'No user mapping: CREATE USER MAPPING FOR CURRENT_USER SERVER ' || quote_ident(server) || ' OPTIONS (...).'
      WHEN msg LIKE 'TLS%' OR msg ILIKE '%certificate%' THEN
        'TLS: the vendor''s certificate was not accepted; if it uses a private CA, set ca_file on the server.'
      WHEN msg LIKE '%timed out%' THEN
        'Timeout: the vendor did not answer in time; check base_url, or raise timeout_ms / connect_timeout_ms.'
      WHEN st = '54000' OR http_status IN (429, 503) THEN
        'Throttled: the vendor is limiting requests; retry later or lower max_concurrency.'
      WHEN http_status >= 500 THEN
        'The vendor''s service is failing; retry later.'
      WHEN msg LIKE 'could not talk%' THEN
        'No route: nothing answered at base_url (wrong host or port, vendor down, or a firewall).'
      ELSE 'See the message.'
    END;
  END;
END
$fn$;
CREATE FUNCTION vendor_check_path(vendor text)
RETURNS text
AS 'MODULE_PATHNAME', 'rf_sql_vendor_check_path'
LANGUAGE C IMMUTABLE STRICT;

COMMENT ON FUNCTION check_server(text) IS
  'one cheap request with the caller''s mapping: whether the vendor answered, HTTP status, latency and a hint on failure';

-- ----------------------------------------------------------------
-- Mistakes surface at DDL time, not at the first SELECT: after CREATE /
-- ALTER FOREIGN TABLE and IMPORT FOREIGN SCHEMA, every retail_fdw table
-- the command touched is checked against its vendor's descriptor (unknown
-- resource, options out of range, a column that matches no field, a type
-- that cannot hold its field).  The check raises the error that the first
-- scan would have raised, and the command is rolled back.  A restore
-- (pg_dump gives column options after CREATE FOREIGN TABLE) is let through
-- where a column's json_path is still to come: see check_foreign_table.
-- ----------------------------------------------------------------
CREATE FUNCTION check_foreign_table(relation regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'rf_sql_check_foreign_table'
LANGUAGE C STRICT STABLE;

CREATE FUNCTION describe_foreign_table(relation regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'rf_sql_describe_foreign_table'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION describe_foreign_table(regclass) IS
  'a description of a retail_fdw foreign table from its descriptor: endpoint, what filters at the vendor, what a query must give';

CREATE FUNCTION describe_foreign_column(relation regclass, column_name name)
RETURNS text
AS 'MODULE_PATHNAME', 'rf_sql_describe_foreign_column'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION describe_foreign_column(regclass, name) IS
  'a description of a column of a retail_fdw foreign table: the vendor field, what a time means, its operators at the vendor';

-- New tables also get comments from their descriptors (where they have
-- none yet), so that \d+, JDBC REMARKS and BI tools describe them.
CREATE FUNCTION check_foreign_tables_trigger()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  r record;
  c record;
  d text;
BEGIN
  FOR r IN SELECT DISTINCT objid, command_tag FROM pg_event_trigger_ddl_commands()
            WHERE object_type IN ('foreign table', 'table column') AND classid = 'pg_class'::regclass
  LOOP
    PERFORM retail_fdw.check_foreign_table(r.objid::regclass);
    -- a restore (check_function_bodies off) brings the comments the table
    -- had, and none where its user removed one
    CONTINUE WHEN r.command_tag = 'ALTER FOREIGN TABLE'
               OR NOT current_setting('check_function_bodies')::boolean;
    d := retail_fdw.describe_foreign_table(r.objid::regclass);
    IF d IS NOT NULL AND obj_description(r.objid, 'pg_class') IS NULL THEN
      EXECUTE format('COMMENT ON FOREIGN TABLE %s IS %L', r.objid::regclass, d);
    END IF;
    FOR c IN SELECT attnum, attname FROM pg_attribute
              WHERE attrelid = r.objid AND attnum > 0 AND NOT attisdropped
    LOOP
      d := retail_fdw.describe_foreign_column(r.objid::regclass, c.attname);
      IF d IS NOT NULL AND col_description(r.objid, c.attnum) IS NULL THEN
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', r.objid::regclass, c.attname, d);
      END IF;
    END LOOP;
  END LOOP;
END
$fn$;

CREATE EVENT TRIGGER retail_fdw_check_foreign_tables ON ddl_command_end
  WHEN TAG IN ('CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE', 'IMPORT FOREIGN SCHEMA')
  EXECUTE FUNCTION check_foreign_tables_trigger();
