-- fdw/sql/41-aifi.sql: AiFi webhook events (aifi_events, aifi_ingest)
-- One fragment of the extension script: make concatenates fdw/sql/*.sql
-- in name order into fdw/retail_fdw--<default_version>.sql.

-- ----------------------------------------------------------------
-- AiFi webhooks: AiFi pushes "entered", "left", "tracking" and "checkout"
-- events to the retailer.  A receiver (any HTTP endpoint the retailer runs)
-- calls retail_fdw.aifi_ingest(kind, payload) once per delivery.
-- "entered" and "left" arrive once per person of a group with identical
-- payloads: the same (kind, payload) adds a delivery, not a row.
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
  required text[];
  missing text[];
  result retail_fdw.aifi_events;
  ts_origin timestamptz;
  ts_issue timestamptz;
  session_uuid text;
BEGIN
  IF kind IS NULL OR kind NOT IN ('entered', 'left', 'tracking', 'checkout') THEN
    RAISE EXCEPTION 'unknown AiFi webhook kind %', coalesce(quote_literal(kind), 'NULL')
      USING ERRCODE = '22023',
            HINT = 'Valid kinds are: entered, left, tracking, checkout (the last part of the webhook URL).';
  END IF;
  IF payload IS NULL OR jsonb_typeof(payload) <> 'object' THEN
    RAISE EXCEPTION 'an AiFi % webhook payload must be a JSON object', kind
      USING ERRCODE = '22023',
            DETAIL = format('Got %s.', coalesce(jsonb_typeof(payload), 'NULL'));
  END IF;

  -- what each kind must carry (AiFi's push/transition documentation).  The
  -- session's id is session.sessionId; the top-level sessionId is
  -- deprecated: it stands in when session.sessionId is absent, and its
  -- absence alone is no fault.
  session_uuid := coalesce(payload #>> '{session,sessionId}', payload ->> 'sessionId');
  required := CASE kind
    WHEN 'tracking' THEN ARRAY['storeId', 'timeOfOrigin', 'timeOfIssue', 'shopperId']
    WHEN 'checkout' THEN ARRAY['session.sessionId', 'storeId', 'timeOfOrigin', 'timeOfIssue']
    ELSE ARRAY['session', 'session.sessionId', 'storeId', 'timeOfOrigin', 'timeOfIssue']
  END;
  SELECT array_agg(k ORDER BY k) INTO missing
    FROM unnest(required) k
   WHERE CASE WHEN k = 'session.sessionId' THEN session_uuid IS NULL
              ELSE NOT payload ? k OR payload -> k = 'null'::jsonb END;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'AiFi % webhook payload lacks %', kind, array_to_string(missing, ', ')
      USING ERRCODE = '22023',
            DETAIL = format('Required for %s: %s (session.sessionId may come as the deprecated top-level sessionId).',
                            kind, array_to_string(required, ', ')),
            HINT = 'Pass the request body exactly as AiFi sent it.';
  END IF;
  IF jsonb_typeof(payload -> 'storeId') <> 'number' THEN
    RAISE EXCEPTION 'AiFi % webhook payload has a non-numeric storeId', kind
      USING ERRCODE = '22023', DETAIL = format('storeId: %s.', payload -> 'storeId');
  END IF;
  IF kind IN ('entered', 'left') AND jsonb_typeof(payload -> 'session') <> 'object' THEN
    RAISE EXCEPTION 'AiFi % webhook payload has a session that is not an object', kind
      USING ERRCODE = '22023';
  END IF;
  BEGIN
    -- ISO 8601 only: PostgreSQL would also take words such as 'yesterday'
    IF NOT (payload ->> 'timeOfOrigin') ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}'
       OR NOT (payload ->> 'timeOfIssue') ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}' THEN
      RAISE invalid_datetime_format;
    END IF;
    ts_origin := (payload ->> 'timeOfOrigin')::timestamptz;
    ts_issue := (payload ->> 'timeOfIssue')::timestamptz;
  EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    RAISE EXCEPTION 'AiFi % webhook payload has an invalid time', kind
      USING ERRCODE = '22007',
            DETAIL = format('timeOfOrigin: %s, timeOfIssue: %s.',
                            payload -> 'timeOfOrigin', payload -> 'timeOfIssue');
  END;

  INSERT INTO retail_fdw.aifi_events AS e
         (kind, session_id, session_token, store_id, store_external_id,
          aifi_unique_store_id, customer_id, shopper_id, time_of_origin,
          time_of_issue, payload, payload_md5)
  VALUES (kind,
          session_uuid,
          coalesce(payload #>> '{session,sessionToken}', session_uuid),
          (payload ->> 'storeId')::bigint,
          payload ->> 'storeExternalId',
          payload #>> '{store,aifiUniqueStoreId}',
          coalesce(payload #>> '{customer,id}', payload #>> '{session,customerId}'),
          coalesce(payload ->> 'shopperId', payload #>> '{shopper,shopperId}'),
          ts_origin, ts_issue, payload, md5(payload::text))
  ON CONFLICT ON CONSTRAINT aifi_events_kind_payload_md5_key DO UPDATE
     SET deliveries = e.deliveries + 1,
         last_received_at = clock_timestamp()
  RETURNING * INTO result;
  RETURN result;
END
$fn$;
COMMENT ON FUNCTION aifi_ingest(text, jsonb) IS
  'store one AiFi webhook delivery; a repeated payload counts as another delivery';
