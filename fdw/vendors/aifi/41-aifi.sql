-- fdw/vendors/aifi/41-aifi.sql: AiFi webhook events (aifi_events, aifi_ingest)
-- One fragment of the extension script, the aifi module's: make concatenates
-- fdw/sql/*.sql and fdw/vendors/*/*.sql in the order of their file names
-- into fdw/retail_fdw--<default_version>.sql.

-- ----------------------------------------------------------------
-- AiFi webhooks: AiFi pushes "entered", "left", "tracking" and "checkout"
-- events to the retailer.  A receiver (any HTTP endpoint the retailer runs)
-- calls retail_fdw.aifi_ingest(kind, payload) once per delivery.
-- "entered" and "left" arrive once per person of a group with identical
-- payloads: the same (kind, payload) adds a delivery, not a row.
-- The document marks no field required, so no field refuses a delivery:
-- the columns hold what the payload gives, the payload keeps all of it.
-- ----------------------------------------------------------------

CREATE TABLE aifi_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('entered', 'left', 'tracking', 'checkout')),
  session_id text,
  session_token text,
  store_id bigint,
  store_external_id text,
  aifi_unique_store_id text,
  customer_id text,
  shopper_id text,
  time_of_origin timestamptz,
  time_of_issue timestamptz,
  payload jsonb NOT NULL,
  payload_md5 text NOT NULL,
  first_received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  last_received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  deliveries integer NOT NULL DEFAULT 1,
  -- added in 0.2 (after 0.1's columns, where the update script's ADD COLUMN
  -- puts them)
  group_size integer,
  visitors integer,
  oasis_store_id bigint,
  customer_external_id text,
  customer_role text,
  customer_metadata jsonb,
  payment_provider text,
  payment jsonb,
  UNIQUE (kind, payload_md5)
);
COMMENT ON TABLE aifi_events IS
  'AiFi webhook events, one row per distinct (kind, payload); see aifi_ingest()';
-- the rows are the user's (deliveries that came once): pg_dump keeps them,
-- and the identity's position with them
SELECT pg_catalog.pg_extension_config_dump('aifi_events', '');
SELECT pg_catalog.pg_extension_config_dump('aifi_events_id_seq', '');
CREATE INDEX aifi_events_session ON aifi_events (session_id);
CREATE INDEX aifi_events_origin ON aifi_events (time_of_origin);

CREATE FUNCTION aifi_ingest(kind text, payload jsonb)
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
COMMENT ON FUNCTION aifi_ingest(text, jsonb) IS
  'store one AiFi webhook delivery; a repeated payload counts as another delivery';
