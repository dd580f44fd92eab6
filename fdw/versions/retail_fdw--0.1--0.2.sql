/* fdw/versions/retail_fdw--0.1--0.2.sql: ALTER EXTENSION retail_fdw UPDATE TO '0.2' */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION retail_fdw UPDATE TO '0.2'" to load this file. \quit

-- Written by hand.  It takes a 0.1 installation to the catalog that
-- CREATE EXTENSION retail_fdw VERSION '0.2' builds from fdw/sql/*.sql:
-- test/suites/55-versions.sh compares the two (pg_dump) and fails on any
-- difference, so a change to a fragment before 0.2 is released needs its
-- counterpart here.  Rows of the extension's tables stay: aifi_events,
-- rn_video_exports and store_map keep their shape, and the sync watermarks
-- move from the table sync_state to the table sync_watermarks (sync_state
-- becomes a view over it).

-- ----------------------------------------------------------------
-- C functions of 0.1 kept in 0.2 now link to prefixed symbols (rf_sql_*:
-- every symbol the library exports carries the project's prefix).  The
-- library no longer has 0.1's names, so these come first.
-- ----------------------------------------------------------------
CREATE OR REPLACE FUNCTION vendor_call(server text, method text, path text, body text DEFAULT NULL,
                            OUT status integer, OUT location text, OUT body_head text)
RETURNS record
AS 'MODULE_PATHNAME', 'rf_sql_vendor_call'
LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION vendor_check_path(vendor text)
RETURNS text
AS 'MODULE_PATHNAME', 'rf_sql_vendor_check_path'
LANGUAGE C IMMUTABLE STRICT;
CREATE OR REPLACE FUNCTION request_stats_reset()
RETURNS bigint
AS 'MODULE_PATHNAME', 'rf_sql_request_stats_reset'
LANGUAGE C VOLATILE;

-- ----------------------------------------------------------------
-- 00-core: the schema open to every role; named vendor actions; the
-- pushdown model (key_columns).
-- ----------------------------------------------------------------
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

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

CREATE FUNCTION vendor_action(server text, action text, id text)
RETURNS integer
AS 'MODULE_PATHNAME', 'rf_sql_vendor_action'
LANGUAGE C STRICT VOLATILE;

-- check_server: a refusal of the network policy says why (its detail and
-- hint), e.g. for a server owned by a role that is not a superuser
CREATE OR REPLACE FUNCTION check_server(server text,
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
  has text[];      -- the server's option names: SET or ADD in a hint
  mapping text;    -- whose mapping the caller uses: a role or PUBLIC
  creds text;      -- its credential options, as SET ... '...'
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
      hint := format('Wrong base URL: give the vendor''s, with any path prefix: ALTER SERVER %I OPTIONS (%s base_url ''https://...'');',
                     server, CASE WHEN EXISTS (SELECT FROM pg_foreign_server s, unnest(s.srvoptions) o
                                               WHERE s.srvname = server AND o LIKE 'base_url=%')
                                  THEN 'SET' ELSE 'ADD' END);
    ELSE
      message := format('%s answered HTTP %s: %s', vendor, r.status, left(r.body_head, 200));
      hint := format('The vendor refused the check request (its answer is in message); send it by hand: SELECT * FROM retail_fdw.vendor_call(%L, ''GET'', %L);',
                     server, path);
    END IF;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    latency_ms := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
    ok := false;
    message := msg;
    http_status := substring(msg FROM 'HTTP ([0-9]{3})')::integer;
    SELECT array_agg(split_part(o, '=', 1)) INTO has
      FROM pg_foreign_server s, unnest(s.srvoptions) o WHERE s.srvname = server;
    has := coalesce(has, '{}');
    SELECT CASE WHEN m.usename = 'public' THEN 'PUBLIC' ELSE 'CURRENT_USER' END,
           (SELECT string_agg(format('SET %s ''...''', split_part(o, '=', 1)), ', ')
              FROM unnest(m.umoptions) o
             WHERE split_part(o, '=', 1) NOT IN ('auth_header', 'auth_scheme', 'token_url'))
      INTO mapping, creds
      FROM pg_user_mappings m
     WHERE m.srvname = server AND m.usename IN (current_user, 'public')
     ORDER BY m.usename = 'public' LIMIT 1;
    hint := CASE
      WHEN st = '42501' THEN
        'Network policy: ' || coalesce(det, '') || ' ' || coalesce(hnt, '')
      WHEN st = '28000' OR http_status IN (401, 403) THEN
        format('Bad key: the vendor refused the credentials; set the ones it issued: ALTER USER MAPPING FOR %s SERVER %I OPTIONS (%s);',
               coalesce(mapping, 'CURRENT_USER'), server, coalesce(creds, 'SET token ''...'''))
      WHEN st = '42704' THEN
        'No user mapping: ' || coalesce(hnt, format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (token ''...'');', server))
      WHEN msg LIKE 'TLS%' OR msg ILIKE '%certificate%' THEN
        format('TLS: the vendor''s certificate was not accepted; if a private CA signed it, give its PEM file: ALTER SERVER %I OPTIONS (%s ca_file ''/etc/ssl/certs/your-ca.pem'');',
               server, CASE WHEN 'ca_file' = ANY (has) THEN 'SET' ELSE 'ADD' END)
      WHEN msg LIKE '%timed out%' THEN
        format('Timeout: the vendor did not answer in time; check base_url, or wait longer: ALTER SERVER %I OPTIONS (%s timeout_ms ''60000'');',
               server, CASE WHEN 'timeout_ms' = ANY (has) THEN 'SET' ELSE 'ADD' END)
      WHEN st = '54000' OR http_status IN (429, 503) THEN
        format('Throttled: the vendor is limiting requests; retry later, or send fewer at once: ALTER SERVER %I OPTIONS (%s max_concurrency ''1'');',
               server, CASE WHEN 'max_concurrency' = ANY (has) THEN 'SET' ELSE 'ADD' END)
      WHEN http_status >= 500 THEN
        format('The vendor''s service is failing; retry later: SELECT * FROM retail_fdw.check_server(%L);', server)
      WHEN msg LIKE 'could not talk%' THEN
        format('No route: nothing answered at base_url (wrong host or port, vendor down, or a firewall); give the right one: ALTER SERVER %I OPTIONS (%s base_url ''https://host:port'');',
               server, CASE WHEN 'base_url' = ANY (has) THEN 'SET' ELSE 'ADD' END)
      ELSE
        format('Unexpected failure (SQLSTATE %s)%s; send the request by hand for the whole error: SELECT * FROM retail_fdw.vendor_call(%L, ''GET'', %L);',
               st, coalesce(': ' || hnt, ''), server, path)
    END;
  END;
END
$fn$;

-- ----------------------------------------------------------------
-- 43-inspector: ic_ack_visit was C; it is SQL over vendor_action now (the
-- signature and the comment stay).
-- ----------------------------------------------------------------
CREATE OR REPLACE FUNCTION ic_ack_visit(server text, visit_id bigint)
RETURNS boolean
LANGUAGE plpgsql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  PERFORM retail_fdw.server_vendor(server, 'inspector');
  IF visit_id <= 0 THEN
    RAISE EXCEPTION 'visit id must be positive, got %', visit_id USING ERRCODE = '22023';
  END IF;
  -- the descriptor's "ack_visit" action: POST /api/data/v1.3/visits/{id}/ack/
  RETURN retail_fdw.vendor_action(server, 'ack_visit', visit_id::text) <> 404;
END
$fn$;

-- ----------------------------------------------------------------
-- 41-aifi: aifi_ingest reads the session's id from session.sessionId (the
-- top-level sessionId is the deprecated fallback) and refuses no delivery
-- for a field: the document requires none.  aifi_events gains group_size,
-- visitors (session.groupSize, session.visitors), oasis_store_id
-- (store.oasisApiStoreId), the customer's externalId, role and metadata,
-- and the payment (its paymentProvider, and the object); stored events keep
-- NULL there (their payloads are as they came).
-- ----------------------------------------------------------------
ALTER TABLE aifi_events
  ADD COLUMN group_size integer,
  ADD COLUMN visitors integer,
  ADD COLUMN oasis_store_id bigint,
  ADD COLUMN customer_external_id text,
  ADD COLUMN customer_role text,
  ADD COLUMN customer_metadata jsonb,
  ADD COLUMN payment_provider text,
  ADD COLUMN payment jsonb;
CREATE OR REPLACE FUNCTION aifi_ingest(kind text, payload jsonb)
RETURNS aifi_events
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
  result retail_fdw.aifi_events;
  ts_origin timestamptz;
  ts_issue timestamptz;
  store bigint;
  session_uuid text;
  group_n integer;
  visitors_n integer;
  oasis_store bigint;
  v jsonb;
  n numeric;
BEGIN
  IF kind IS NULL OR kind NOT IN ('entered', 'left', 'tracking', 'checkout') THEN
    RAISE EXCEPTION 'unknown AiFi webhook kind %', coalesce(quote_literal(kind), 'NULL')
      USING ERRCODE = '22023',
            HINT = 'Valid kinds are: entered, left, tracking, checkout (the last part of the webhook URL).';
  END IF;
  -- AiFi's push/transition document marks no field of any kind required:
  -- entered and left have a body (a JSON object, every field optional),
  -- tracking has no body defined and checkout no page at all.  So no field
  -- refuses a delivery: a missing, unknown or ill-typed one leaves its
  -- column NULL and the payload keeps what came.  Only the body itself is
  -- checked: entered and left must send an object; tracking and checkout
  -- may send any JSON, or none (NULL: stored as JSON null).
  IF kind IN ('entered', 'left')
     AND (payload IS NULL OR jsonb_typeof(payload) <> 'object') THEN
    RAISE EXCEPTION 'an AiFi % webhook payload must be a JSON object', kind
      USING ERRCODE = '22023',
            DETAIL = format('Got %s.', coalesce(jsonb_typeof(payload), 'no body'));
  END IF;
  payload := coalesce(payload, 'null'::jsonb);
  IF jsonb_typeof(payload) = 'object' THEN
    -- the session's id is session.sessionId; the top-level sessionId is
    -- deprecated and stands in when session.sessionId is absent
    session_uuid := coalesce(payload #>> '{session,sessionId}', payload ->> 'sessionId');
    IF jsonb_typeof(payload -> 'storeId') IN ('number', 'string')
       AND (payload ->> 'storeId') ~ '^\s*-?\d{1,18}\s*$' THEN
      store := (payload ->> 'storeId')::bigint;
    END IF;
    -- ISO 8601 only: PostgreSQL would also take words such as 'yesterday'
    BEGIN
      IF (payload ->> 'timeOfOrigin') ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}' THEN
        ts_origin := (payload ->> 'timeOfOrigin')::timestamptz;
      END IF;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      ts_origin := NULL;
    END;
    BEGIN
      IF (payload ->> 'timeOfIssue') ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}' THEN
        ts_issue := (payload ->> 'timeOfIssue')::timestamptz;
      END IF;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      ts_issue := NULL;
    END;
    -- session.groupSize, session.visitors and store.oasisApiStoreId are
    -- integers in the document: a JSON number written as an integer that
    -- fits its column is taken (the text of a jsonb string is quoted, so
    -- the pattern matches numbers only); anything else leaves it NULL
    v := payload #> '{session,groupSize}';
    IF v::text ~ '^-?\d{1,20}$' THEN
      n := v::text::numeric;
      IF n BETWEEN -2147483648 AND 2147483647 THEN
        group_n := n;
      END IF;
    END IF;
    v := payload #> '{session,visitors}';
    IF v::text ~ '^-?\d{1,20}$' THEN
      n := v::text::numeric;
      IF n BETWEEN -2147483648 AND 2147483647 THEN
        visitors_n := n;
      END IF;
    END IF;
    v := payload #> '{store,oasisApiStoreId}';
    IF v::text ~ '^-?\d{1,20}$' THEN
      n := v::text::numeric;
      IF n BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
        oasis_store := n;
      END IF;
    END IF;
  END IF;

  INSERT INTO retail_fdw.aifi_events AS e
         (kind, session_id, session_token, store_id, store_external_id,
          aifi_unique_store_id, customer_id, shopper_id, time_of_origin,
          time_of_issue, group_size, visitors, oasis_store_id,
          customer_external_id, customer_role, customer_metadata,
          payment_provider, payment, payload, payload_md5)
  VALUES (kind,
          session_uuid,
          coalesce(payload #>> '{session,sessionToken}', session_uuid),
          store,
          payload ->> 'storeExternalId',
          payload #>> '{store,aifiUniqueStoreId}',
          coalesce(payload #>> '{customer,id}', payload #>> '{session,customerId}'),
          coalesce(payload ->> 'shopperId', payload #>> '{shopper,shopperId}'),
          ts_origin, ts_issue, group_n, visitors_n, oasis_store,
          -- the customer's and the payment's fields, each only when it has
          -- the document's JSON type (a string, an object)
          CASE WHEN jsonb_typeof(payload #> '{customer,externalId}') = 'string'
               THEN payload #>> '{customer,externalId}' END,
          CASE WHEN jsonb_typeof(payload #> '{customer,role}') = 'string'
               THEN payload #>> '{customer,role}' END,
          CASE WHEN jsonb_typeof(payload #> '{customer,metadata}') = 'object'
               THEN payload #> '{customer,metadata}' END,
          CASE WHEN jsonb_typeof(payload #> '{payment,paymentProvider}') = 'string'
               THEN payload #>> '{payment,paymentProvider}' END,
          CASE WHEN jsonb_typeof(payload -> 'payment') = 'object'
               THEN payload -> 'payment' END,
          payload, md5(payload::text))
  ON CONFLICT ON CONSTRAINT aifi_events_kind_payload_md5_key DO UPDATE
     SET deliveries = e.deliveries + 1,
         last_received_at = clock_timestamp()
  RETURNING * INTO result;
  RETURN result;
END
$fn$;

-- ----------------------------------------------------------------
-- 20-sync: the watermarks are keyed by the tables' OIDs (regclass), in a
-- table only its owner touches; sync_state is a view of the states whose
-- target the current role may write, and sync_state_save the one way to
-- record a sync.  sync tells inserts from updates without system columns,
-- so it works into a partitioned target, and a row that no partition takes
-- fails the sync with a hint.
-- ----------------------------------------------------------------
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

-- 0.1 kept the tables' names as text.  Its sync wrote them qualified (it
-- runs with search_path pg_catalog, pg_temp), but anyone could INSERT a
-- row, so a name may also be unqualified: that one is looked up in the
-- schema named after the role that ran the sync, then in public (the
-- default search_path), then anywhere if a single table has the name.  A
-- pair whose table is gone or cannot be told apart keeps no watermark: a
-- WARNING lists it with its old watermark, for a sync with since => it.
DO $migrate$
DECLARE
  r record;
  nm text;
  ident text[];
  rel regclass;
  rels regclass[];
  lost text[] := '{}';
BEGIN
  FOR r IN SELECT * FROM sync_state ORDER BY watermark DESC, source, target LOOP
    rels := '{}';
    FOREACH nm IN ARRAY ARRAY[r.source, r.target] LOOP
      ident := pg_catalog.parse_ident(nm, false);
      IF cardinality(ident) = 2 THEN
        SELECT c.oid INTO rel
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ident[1] AND c.relname = ident[2];
      ELSE
        WITH cand AS (
          SELECT c.oid, CASE n.nspname WHEN r.last_run_by THEN 1 WHEN 'public' THEN 2 ELSE 3 END AS rank
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE cardinality(ident) = 1 AND c.relname = ident[1]
             AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema')
        SELECT cand.oid INTO rel FROM cand
         WHERE cand.rank < 3 OR (SELECT count(*) FROM cand) = 1
         ORDER BY cand.rank LIMIT 1;
      END IF;
      rels := rels || rel;
    END LOOP;
    IF rels[1] IS NULL OR rels[2] IS NULL THEN
      lost := lost || format('%s -> %s (watermark %s)', r.source, r.target, r.watermark);
      CONTINUE;
    END IF;
    INSERT INTO sync_watermarks
           (source, target, watermark_column, watermark, last_from, last_to,
            last_inserted, last_updated, last_run_at, last_run_by)
    VALUES (rels[1], rels[2], r.watermark_column, r.watermark, r.last_from, r.last_to,
            r.last_inserted, r.last_updated, r.last_run_at, r.last_run_by)
    ON CONFLICT (source, target) DO NOTHING;
  END LOOP;
  IF cardinality(lost) > 0 THEN
    RAISE WARNING 'retail_fdw 0.2 keeps no sync watermark for % pair(s) whose tables were not found',
                  cardinality(lost)
      USING DETAIL = array_to_string(lost, E'\n'),
            HINT = 'Sync such a pair again with since => its old watermark.';
  END IF;
END
$migrate$;

-- the table, its policy and its grants go; the view takes its name
ALTER EXTENSION retail_fdw DROP TABLE sync_state;
DROP TABLE sync_state;


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

CREATE OR REPLACE FUNCTION sync(source regclass, target regclass, key_columns text[],
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

-- ----------------------------------------------------------------
-- Mistakes surface at DDL time, not at the first SELECT: after CREATE /
-- ALTER FOREIGN TABLE and IMPORT FOREIGN SCHEMA, every retail_fdw table
-- the command touched is checked against its vendor's descriptor (unknown
-- resource, options out of range, a column that matches no field, a type
-- that cannot hold its field).  The check raises the error that the first
-- scan would have raised, and the command is rolled back.
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

-- ----------------------------------------------------------------
-- 41-aifi, 42-retailnext: received webhooks and the export history are the
-- user's data: pg_dump keeps their rows, and the identity's position.
-- ----------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('aifi_events', '');
SELECT pg_catalog.pg_extension_config_dump('aifi_events_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('rn_video_exports', '');

-- Comments on every object (fdw/sql/90-comments.sql)
COMMENT ON FUNCTION retail_fdw_handler() IS
  'the handler of the retail_fdw foreign data wrapper';
COMMENT ON FUNCTION retail_fdw_validator(text[], oid) IS
  'checks retail_fdw options of servers, user mappings, tables and columns';
COMMENT ON FUNCTION server_vendor(text, text) IS
  'the vendor of a retail_fdw server; with a second argument, an error unless it is that vendor (the vendor check of every action)';
COMMENT ON FUNCTION vendor_action(text, text, text) IS
  'send a vendor''s named action (method and path from its descriptor, with the id as one path segment) with the caller''s mapping; returns the HTTP status';
COMMENT ON FUNCTION vendor_check_path(text) IS
  'the request check_server sends for a vendor: its cheapest GET';
COMMENT ON FUNCTION key_columns_read() IS
  'the rows of the view retail_fdw.key_columns, read from the vendors'' descriptors';
COMMENT ON FUNCTION sort_columns_read() IS
  'the rows of the view retail_fdw.sort_columns, read from the vendors'' descriptors';
COMMENT ON FUNCTION check_foreign_table(regclass) IS
  'check a retail_fdw foreign table against its descriptor (resource, options, columns, types) with the error its first scan would raise';
COMMENT ON FUNCTION check_foreign_tables_trigger() IS
  'event trigger: checks and describes the retail_fdw tables that CREATE / ALTER FOREIGN TABLE and IMPORT FOREIGN SCHEMA touched';
COMMENT ON FUNCTION request_stats_read() IS
  'the rows of the view retail_fdw.request_stats';
COMMENT ON FUNCTION request_stats_reset() IS
  'forget request statistics of the current database (superusers; a role granted EXECUTE: of the servers it has USAGE on); returns how many entries were removed';
COMMENT ON FUNCTION session_key(timestamptz, timestamptz) IS
  'window aggregate: the start of the visit session an event belongs to (re-opens within 60 minutes count once)';
COMMENT ON FUNCTION session_key_step(session_key_state, timestamptz, timestamptz) IS
  'state step of the session_key aggregate';
COMMENT ON FUNCTION session_key_step(session_key_state, timestamptz, timestamptz, interval) IS
  'state step of the session_key aggregate with a gap';
COMMENT ON FUNCTION session_key_final(session_key_state) IS
  'final step of the session_key aggregate';
COMMENT ON FUNCTION stitch_events(regclass, timestamptz, timestamptz, text, interval) IS
  'the zone events of a journey table with their session keys, read a gap beyond both ends (used by stitch_sessions and session_audit)';
COMMENT ON FUNCTION rn_reason(text) IS
  'the reason in a RetailNext error body ({"ok": false, "error": ...}), or the body';
COMMENT ON FUNCTION rn_video_export_start(text, uuid[], timestamptz, timestamptz, boolean, boolean, boolean, text) IS
  'start a RetailNext video export of channels over a time span; records it in rn_video_exports and returns its id';
COMMENT ON FUNCTION rn_video_export_status(text, uuid) IS
  'the status of a RetailNext video export (in_progress, ready with its download URL, expired, failed with the reason)';
COMMENT ON FUNCTION rn_video_export_wait(text, uuid, interval) IS
  'wait (interruptibly) until a RetailNext video export is no longer in progress, at most the given time';
COMMENT ON FUNCTION rn_video_export_delete(text, uuid) IS
  'delete a RetailNext video export; false when the vendor no longer has it';
COMMENT ON FUNCTION rn_hls_token(text, uuid) IS
  'a RetailNext HLS streaming token for a location';
COMMENT ON FUNCTION rn_hls_url(text, uuid, text) IS
  'the HLS playlist URL of a RetailNext video channel with a token';
-- adjustment_date follows the server option z_reading (the store's wall clock by default)
CREATE OR REPLACE FUNCTION rn_occupancy_adjust(server text, store_uuid uuid, adjustment integer,
                                    at timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  r record;
  body jsonb;
  zone text := 'UTC';
BEGIN
  PERFORM retail_fdw.server_vendor(server, 'retailnext');
  IF adjustment IS NULL OR adjustment = 0 THEN
    RAISE EXCEPTION 'an occupancy adjustment must be non-zero' USING ERRCODE = '22023';
  END IF;
  IF store_uuid IS NULL THEN
    RAISE EXCEPTION 'store_uuid must not be NULL' USING ERRCODE = '22004';
  END IF;
  body := jsonb_build_object('store_uuid', store_uuid, 'adjustment_count', adjustment);
  IF at IS NOT NULL THEN
    -- adjustment_date is written yyyy-mm-ddThh:mm:ssZ: the store's wall clock
    -- under z_reading 'wall' (the default, as the document's examples), else UTC
    IF coalesce((SELECT max(substr(o, 11)) FROM pg_foreign_server s, unnest(s.srvoptions) o
                  WHERE s.srvname = server AND o LIKE 'z_reading=%'), 'wall') = 'wall' THEN
      r := retail_fdw.vendor_call(server, 'POST', '/v2/location',
             jsonb_build_object('where', jsonb_build_object('uuids', jsonb_build_array(store_uuid)),
                                'extra_fields', jsonb_build_array('store.time_zone'))::text);
      BEGIN
        zone := r.body_head::jsonb #>> '{nodes,0,0,time_zone}';
      EXCEPTION WHEN others THEN
        zone := NULL;
      END;
      IF zone IS NULL OR r.status NOT BETWEEN 200 AND 299 THEN
        RAISE EXCEPTION 'no time zone for RetailNext store % (HTTP %)', store_uuid, r.status
          USING ERRCODE = 'HV000', DETAIL = retail_fdw.rn_reason(r.body_head),
                HINT = 'adjustment_date is the store''s wall clock under z_reading ''wall''; set z_reading ''utc'' if the API writes UTC.';
      END IF;
    END IF;
    body := body || jsonb_build_object('adjustment_date',
                      to_char(at AT TIME ZONE zone, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
  END IF;
  r := retail_fdw.vendor_call(server, 'POST', '/v1/occupancy/adjust', body::text);
  IF r.status NOT BETWEEN 200 AND 299 THEN
    RAISE EXCEPTION 'RetailNext refused the occupancy adjustment (HTTP %)', r.status
      USING ERRCODE = 'HV000', DETAIL = retail_fdw.rn_reason(r.body_head),
            HINT = 'Adjustments are accepted within store hours, for stores with an occupancy limit.';
  END IF;
  RETURN true;
END
$fn$;
COMMENT ON FUNCTION rn_occupancy_adjust(text, uuid, integer, timestamptz) IS
  'adjust a RetailNext store''s live occupancy by a number of people (at a time, or now)';
COMMENT ON TABLE store_map IS
  'one physical store across vendors: your store id and its journey store code, AiFi store id, RetailNext store uuid, Inspector store id and time zone';
COMMENT ON TABLE sync_watermarks IS
  'how far each sync() got, by source and target table (written only by sync; read through the view sync_state)';

-- request_stats names a server that no longer exists as such, and counts
-- the answers of the response cache (cache_hits): a new column of the
-- function, so function and view are made again
DROP VIEW request_stats;
DROP FUNCTION request_stats_read();
CREATE FUNCTION request_stats_read(
    OUT serverid oid, OUT endpoint text, OUT requests bigint, OUT cache_hits bigint,
    OUT pages bigint,
    OUT rows bigint, OUT bytes bigint, OUT retries bigint, OUT throttled bigint,
    OUT errors bigint, OUT network_ms float8, OUT first_request_at timestamptz,
    OUT last_request_at timestamptz, OUT last_error text, OUT last_error_at timestamptz,
    OUT scope text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'rf_sql_request_stats_read'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION request_stats_read() IS
  'the rows of the view retail_fdw.request_stats';

CREATE VIEW request_stats AS
  SELECT coalesce(s.srvname,
                  CASE WHEN r.serverid = 0 THEN '(all databases)'
                       ELSE '(dropped server ' || r.serverid || ')' END) AS server,
         r.endpoint,
         r.requests, r.cache_hits, r.pages, r.rows, r.bytes, r.retries, r.throttled, r.errors,
         round(r.network_ms::numeric, 1) AS network_ms,
         r.first_request_at, r.last_request_at, r.last_error, r.last_error_at, r.scope
    FROM request_stats_read() r
    LEFT JOIN pg_catalog.pg_foreign_server s ON s.oid = r.serverid;
GRANT SELECT ON request_stats TO PUBLIC;
COMMENT ON VIEW request_stats IS
  'HTTP requests, response cache hits, pages, rows, bytes, retries, throttled answers, errors and network time per server and endpoint';

-- ----------------------------------------------------------------
-- 11-cache: the response cache (cache_ttl)
-- ----------------------------------------------------------------
CREATE FUNCTION cache_clear()
RETURNS bigint
AS 'MODULE_PATHNAME', 'rf_sql_cache_clear'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION cache_clear() IS
  'forget cached vendor answers (cache_ttl): all of them for a superuser, else those of the caller''s own user mappings in this database; returns how many';

-- ----------------------------------------------------------------
-- Scan progress: a long backfill can be watched from another session.
-- One row per backend of this database running a retail_fdw scan (when
-- retail_fdw is preloaded; otherwise none).
-- ----------------------------------------------------------------
CREATE FUNCTION scan_progress_read(
    OUT pid integer, OUT serverid oid, OUT resource text, OUT series_started bigint,
    OUT series_total bigint, OUT pages bigint, OUT rows bigint, OUT bytes bigint,
    OUT started_at timestamptz, OUT leader_pid integer, OUT series_done bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'rf_sql_scan_progress_read'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION scan_progress_read() IS
  'the rows of the view retail_fdw.scan_progress';

CREATE VIEW scan_progress AS
  SELECT p.pid, p.leader_pid,
         coalesce(s.srvname, '(dropped server ' || p.serverid || ')') AS server,
         p.resource, p.series_started, p.series_done, p.series_total,
         -- a parallel scan's participants each plan every series and read some:
         -- the share is of the whole scan, the same on each of its rows
         round(sum(p.series_done) OVER (PARTITION BY coalesce(p.leader_pid, p.pid))
               / nullif(p.series_total, 0), 3) AS share_done,
         p.pages, p.rows, p.bytes,
         p.started_at, clock_timestamp() - p.started_at AS elapsed
    FROM scan_progress_read() p
    LEFT JOIN pg_catalog.pg_foreign_server s ON s.oid = p.serverid;
GRANT SELECT ON scan_progress TO PUBLIC;
COMMENT ON VIEW scan_progress IS
  'retail_fdw scans running now in this database: the backend and its parallel leader, server, resource, request series started, read to their end and planned, the share of the scan done, pages, rows, bytes, elapsed';

-- 12-describe (fdw/sql/12-describe.sql, the same text)
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

-- ----------------------------------------------------------------
-- Tables imported under 0.1 have no comments; 0.2's IMPORT FOREIGN SCHEMA
-- describes each retail_fdw table and column from its descriptor (the
-- event trigger above).  The tables that are here already get the same,
-- matched by their resource and column names, where they have none: a
-- comment of the user's stays, a table of another wrapper is not touched,
-- and a table whose options name no endpoint is left as it is, with a
-- WARNING (its first scan says why).
-- ----------------------------------------------------------------
DO $do$
DECLARE
  r record;
  c record;
  d text;
BEGIN
  FOR r IN SELECT t.ftrelid
             FROM pg_catalog.pg_foreign_table t
             JOIN pg_catalog.pg_foreign_server s ON s.oid = t.ftserver
             JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
            WHERE w.fdwname = 'retail_fdw'
            ORDER BY t.ftrelid
  LOOP
    BEGIN
      d := describe_foreign_table(r.ftrelid::regclass);
      IF d IS NOT NULL AND pg_catalog.obj_description(r.ftrelid, 'pg_class') IS NULL THEN
        EXECUTE pg_catalog.format('COMMENT ON FOREIGN TABLE %s IS %L', r.ftrelid::regclass, d);
      END IF;
      FOR c IN SELECT attnum, attname FROM pg_catalog.pg_attribute
                WHERE attrelid = r.ftrelid AND attnum > 0 AND NOT attisdropped
                ORDER BY attnum
      LOOP
        d := describe_foreign_column(r.ftrelid::regclass, c.attname);
        IF d IS NOT NULL AND pg_catalog.col_description(r.ftrelid, c.attnum) IS NULL THEN
          EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', r.ftrelid::regclass, c.attname, d);
        END IF;
      END LOOP;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'retail_fdw 0.2 leaves foreign table % without the comments of its descriptor: %',
                    r.ftrelid::regclass, SQLERRM
        USING HINT = pg_catalog.format('See what is wrong with SELECT retail_fdw.check_foreign_table(%L); then comment the table yourself, or import it again.',
                                       r.ftrelid::regclass::text);
    END;
  END LOOP;
END
$do$;
