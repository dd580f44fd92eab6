/* fdw/retail_fdw--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION retail_fdw" to load this file. \quit

-- Everything of the extension lives in the schema retail_fdw (see the
-- control file); the wrapper itself is a database-wide object.

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

  -- what each kind must carry (AiFi's push/transition documentation)
  required := CASE kind
    WHEN 'tracking' THEN ARRAY['storeId', 'timeOfOrigin', 'timeOfIssue', 'shopperId']
    WHEN 'checkout' THEN ARRAY['sessionId', 'storeId', 'timeOfOrigin', 'timeOfIssue']
    ELSE ARRAY['sessionId', 'session', 'storeId', 'timeOfOrigin', 'timeOfIssue']
  END;
  SELECT array_agg(k ORDER BY k) INTO missing
    FROM unnest(required) k
   WHERE NOT payload ? k OR payload -> k = 'null'::jsonb;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'AiFi % webhook payload lacks %', kind, array_to_string(missing, ', ')
      USING ERRCODE = '22023',
            DETAIL = format('Required for %s: %s.', kind, array_to_string(required, ', ')),
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
          coalesce(payload #>> '{session,id}', payload ->> 'sessionId'),
          coalesce(payload #>> '{session,sessionToken}', payload ->> 'sessionId'),
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

-- ----------------------------------------------------------------
-- Inspector Cloud: acknowledging a visit is an explicit action (a SELECT
-- never does it): it removes the visit from the vendor's "new" list for
-- every consumer.
-- ----------------------------------------------------------------
CREATE FUNCTION ic_ack_visit(server text, visit_id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ic_ack_visit'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION ic_ack_visit(text, bigint) IS
  'acknowledge an Inspector Cloud visit (POST /visits/{id}/ack/); false if there is no such visit';

-- ----------------------------------------------------------------
-- Session stitching.  The journey vendor bills a session: a visit per
-- device in which interruptions and re-opens within a gap (60 minutes)
-- count once.  For one device in one store, presence intervals taken in
-- time order join the current session when they start no later than
-- "gap" after the latest end seen in it (exactly "gap" joins); otherwise
-- a new session starts.  A NULL end counts as the start.
-- ----------------------------------------------------------------

CREATE TYPE session_key_state AS (session_start timestamptz, latest_end timestamptz);

CREATE FUNCTION session_key_step(state session_key_state, event_start timestamptz,
                                 event_end timestamptz, gap interval)
RETURNS session_key_state
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $fn$
DECLARE
  e timestamptz := greatest(event_start, coalesce(event_end, event_start));
BEGIN
  IF event_start IS NULL THEN
    RETURN state;
  END IF;
  IF gap IS NULL OR gap < interval '0' THEN
    RAISE EXCEPTION 'session gap must be a non-negative interval, got %', coalesce(gap::text, 'NULL')
      USING ERRCODE = '22023';
  END IF;
  IF state IS NULL OR state.session_start IS NULL
     OR event_start > state.latest_end + gap THEN
    RETURN ROW(event_start, e)::retail_fdw.session_key_state;
  END IF;
  RETURN ROW(state.session_start, greatest(state.latest_end, e))::retail_fdw.session_key_state;
END
$fn$;

CREATE FUNCTION session_key_step(state session_key_state, event_start timestamptz,
                                 event_end timestamptz)
RETURNS session_key_state
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$ SELECT retail_fdw.session_key_step(state, event_start, event_end, interval '60 minutes') $fn$;

CREATE FUNCTION session_key_final(state session_key_state)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$ SELECT (state).session_start $fn$;

-- session_key(event_start, event_end [, gap]) OVER (PARTITION BY device_id,
-- store_code ORDER BY event_start): the start of the row's session, the
-- same for every row of it and whenever it is computed over the same data.
CREATE AGGREGATE session_key(timestamptz, timestamptz, interval) (
  SFUNC = session_key_step, STYPE = session_key_state, FINALFUNC = session_key_final
);
CREATE AGGREGATE session_key(timestamptz, timestamptz) (
  SFUNC = session_key_step, STYPE = session_key_state, FINALFUNC = session_key_final
);
COMMENT ON AGGREGATE session_key(timestamptz, timestamptz, interval) IS
  'as a window function ordered by event_start: the start of the row''s stitched session';

-- The events a stitch reads: the range widened by gap on both sides.
CREATE FUNCTION stitch_events(p_events regclass, p_from timestamptz, p_to timestamptz,
                              p_store text, p_gap interval)
RETURNS TABLE (session_id text, visit_id text, user_id text, device_id text,
               store_code text, zone_name text, dwell_time_seconds integer,
               event_start timestamptz, event_end timestamptz, session_start timestamptz)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_from >= p_to THEN
    RAISE EXCEPTION 'stitching needs from_ts < to_ts'
      USING ERRCODE = '22023', HINT = 'For one day: from_ts => ''2025-08-12'', to_ts => ''2025-08-13''.';
  END IF;
  IF p_gap IS NULL OR p_gap < interval '0' THEN
    RAISE EXCEPTION 'session gap must be a non-negative interval, got %', coalesce(p_gap::text, 'NULL')
      USING ERRCODE = '22023';
  END IF;
  RETURN QUERY EXECUTE format($q$
    SELECT e.session_id::text, e.visit_id::text, e.user_id::text, e.device_id::text,
           e.store_code::text, e.zone_name::text, e.dwell_time_seconds::integer,
           e.event_start, e.event_end,
           retail_fdw.session_key(e.event_start, e.event_end, $4)
             OVER (PARTITION BY e.device_id, e.store_code
                   ORDER BY e.event_start, e.event_end, e.visit_id, e.zone_name)
      FROM %s e
     WHERE e.event_start >= $1 - $4 AND e.event_start < $2 + $4
       AND ($3::text IS NULL OR e.store_code = $3)
       AND e.device_id IS NOT NULL$q$, p_events)
    USING p_from, p_to, p_store, p_gap;
END
$fn$;

CREATE FUNCTION stitch_sessions(events regclass, from_ts timestamptz, to_ts timestamptz,
                                store_code text DEFAULT NULL,
                                gap interval DEFAULT '60 minutes')
RETURNS TABLE (device_id text, user_id text, store text,
               session_start timestamptz, session_end timestamptz, duration interval,
               zone_events integer, visits integer, dwell_seconds bigint,
               vendor_session_ids text[], zones text[])
LANGUAGE sql STABLE
AS $fn$
  SELECT s.device_id, max(s.user_id), s.store_code,
         s.session_start,
         max(greatest(s.event_start, coalesce(s.event_end, s.event_start))),
         max(greatest(s.event_start, coalesce(s.event_end, s.event_start))) - s.session_start,
         count(*)::integer,
         count(DISTINCT s.visit_id)::integer,
         coalesce(sum(s.dwell_time_seconds), 0)::bigint,
         array_agg(DISTINCT s.session_id ORDER BY s.session_id)
           FILTER (WHERE s.session_id IS NOT NULL),
         array_agg(s.zone_name ORDER BY s.event_start, s.event_end, s.visit_id, s.zone_name)
    FROM retail_fdw.stitch_events(events, from_ts, to_ts, store_code, gap) s
   WHERE s.session_start >= from_ts AND s.session_start < to_ts
   GROUP BY s.device_id, s.store_code, s.session_start
   ORDER BY s.store_code, s.session_start, s.device_id
$fn$;
COMMENT ON FUNCTION stitch_sessions(regclass, timestamptz, timestamptz, text, interval) IS
  'one row per stitched session (a visit per device, re-opens within gap count once) starting in [from_ts, to_ts)';

CREATE FUNCTION session_audit(events regclass, from_ts timestamptz, to_ts timestamptz,
                              store_code text DEFAULT NULL,
                              gap interval DEFAULT '60 minutes')
RETURNS TABLE (store text, day date, vendor_sessions integer,
               stitched_sessions integer, split_session_ids text[],
               merged_session_ids text[])
LANGUAGE sql STABLE
AS $fn$
  WITH ev AS (
    SELECT * FROM retail_fdw.stitch_events(events, from_ts, to_ts, store_code, gap)
  ),
  -- a vendor session belongs to the day (UTC) of its first event
  vendor AS (
    SELECT ev.store_code, ev.session_id, min(ev.event_start) AS first_start,
           count(DISTINCT (ev.device_id, ev.session_start)) AS stitched_parts
      FROM ev WHERE ev.session_id IS NOT NULL
     GROUP BY ev.store_code, ev.session_id
  ),
  stitched AS (
    SELECT ev.store_code, ev.device_id, ev.session_start,
           count(DISTINCT ev.session_id) AS vendor_parts,
           array_agg(DISTINCT ev.session_id ORDER BY ev.session_id)
             FILTER (WHERE ev.session_id IS NOT NULL) AS ids
      FROM ev
     GROUP BY ev.store_code, ev.device_id, ev.session_start
  ),
  days AS (
    SELECT v.store_code, (v.first_start AT TIME ZONE 'UTC')::date AS day FROM vendor v
     WHERE v.first_start >= from_ts AND v.first_start < to_ts
    UNION
    SELECT s.store_code, (s.session_start AT TIME ZONE 'UTC')::date FROM stitched s
     WHERE s.session_start >= from_ts AND s.session_start < to_ts
  )
  SELECT d.store_code, d.day,
         (SELECT count(*) FROM vendor v
           WHERE v.store_code = d.store_code
             AND v.first_start >= from_ts AND v.first_start < to_ts
             AND (v.first_start AT TIME ZONE 'UTC')::date = d.day)::integer,
         (SELECT count(*) FROM stitched s
           WHERE s.store_code = d.store_code
             AND s.session_start >= from_ts AND s.session_start < to_ts
             AND (s.session_start AT TIME ZONE 'UTC')::date = d.day)::integer,
         coalesce((SELECT array_agg(v.session_id ORDER BY v.session_id) FROM vendor v
           WHERE v.store_code = d.store_code AND v.stitched_parts > 1
             AND v.first_start >= from_ts AND v.first_start < to_ts
             AND (v.first_start AT TIME ZONE 'UTC')::date = d.day), '{}'),
         coalesce((SELECT array_agg(DISTINCT i ORDER BY i) FROM stitched s, unnest(s.ids) i
           WHERE s.store_code = d.store_code AND s.vendor_parts > 1
             AND s.session_start >= from_ts AND s.session_start < to_ts
             AND (s.session_start AT TIME ZONE 'UTC')::date = d.day), '{}')
    FROM days d
   ORDER BY d.store_code, d.day
$fn$;
COMMENT ON FUNCTION session_audit(regclass, timestamptz, timestamptz, text, interval) IS
  'per store and day: the vendor''s session count, the recomputed one, and the vendor session ids the rule would split or merge';

-- ----------------------------------------------------------------
-- Vendor actions.  vendor_call makes one request to a server's own base
-- URL with the caller's user mapping; answers up to 4xx come back as they
-- are (redirects are never followed, credentials never leave the server's
-- host).  The functions below build RetailNext's actions on it.
-- ----------------------------------------------------------------
CREATE FUNCTION vendor_call(server text, method text, path text, body text DEFAULT NULL,
                            OUT status integer, OUT location text, OUT body_head text)
RETURNS record
AS 'MODULE_PATHNAME', 'vendor_call'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION vendor_call(text, text, text, text) IS
  'one request to the server''s base URL with the caller''s mapping; status, Location (not followed) and the start of the body';

-- the vendor of a retail_fdw server, or an error naming what was expected
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

-- the reason in a RetailNext error body {"ok": false, "error": "..."}
CREATE FUNCTION rn_reason(body text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $fn$
BEGIN
  RETURN coalesce(body::jsonb ->> 'error', body::jsonb ->> 'reason', body);
EXCEPTION WHEN others THEN
  RETURN body;
END
$fn$;

CREATE TABLE rn_video_exports (
  export_id uuid PRIMARY KEY,
  requested_by name NOT NULL DEFAULT current_user,
  requested_at timestamptz NOT NULL DEFAULT now(),
  server text NOT NULL,
  channels uuid[] NOT NULL,
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  options jsonb NOT NULL,
  status text NOT NULL DEFAULT 'in_progress'
    CHECK (status IN ('in_progress', 'ready', 'expired', 'failed', 'deleted')),
  download_url text,
  reason text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rn_video_exports IS
  'every RetailNext video export requested through retail_fdw, with its last known status';
ALTER TABLE rn_video_exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY rn_video_exports_own ON rn_video_exports
  USING (requested_by = current_user) WITH CHECK (requested_by = current_user);
GRANT SELECT, INSERT, UPDATE ON rn_video_exports TO PUBLIC;

CREATE FUNCTION rn_video_export_start(server text, channels uuid[], start_at timestamptz,
                                      end_at timestamptz,
                                      analytics_overlay boolean DEFAULT false,
                                      info_overlay boolean DEFAULT false,
                                      raw boolean DEFAULT false,
                                      resolution text DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  r record;
  q text;
  id uuid;
  n int := coalesce(cardinality(channels), 0);
BEGIN
  PERFORM retail_fdw.server_vendor(server, 'retailnext');
  IF n < 1 OR n > 16 THEN
    RAISE EXCEPTION 'a video export takes 1 to 16 channels, got %', n
      USING ERRCODE = '22023', HINT = 'Channels of one store appliance: SELECT channel_uuid FROM rn_channels ...';
  END IF;
  IF array_position(channels, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'a video export channel must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF start_at IS NULL OR end_at IS NULL OR end_at <= start_at THEN
    RAISE EXCEPTION 'a video export needs start_at < end_at'
      USING ERRCODE = '22023', DETAIL = format('start_at %s, end_at %s.', start_at, end_at);
  END IF;
  IF resolution IS NOT NULL AND n = 1 THEN
    RAISE EXCEPTION 'resolution applies to exports of several channels only'
      USING ERRCODE = '22023', HINT = 'Leave resolution out for one channel: its own resolution is used.';
  END IF;
  IF resolution IS NOT NULL AND resolution !~ '^[0-9]{2,5}x[0-9]{2,5}$' THEN
    RAISE EXCEPTION 'invalid resolution "%"', resolution
      USING ERRCODE = '22023', HINT = 'Use WIDTHxHEIGHT, such as 1024x768.';
  END IF;
  q := format('start=%s&end=%s',
              to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
              to_char(end_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
  q := q || (SELECT string_agg('&channel=' || c::text, '' ORDER BY o)
               FROM unnest(channels) WITH ORDINALITY AS t(c, o));
  q := q || format('&analytics_overlay=%s&info_overlay=%s&raw=%s',
                   analytics_overlay::int, info_overlay::int, raw::int);
  IF resolution IS NOT NULL THEN
    q := q || '&resolution=' || resolution;
  END IF;
  r := retail_fdw.vendor_call(server, 'POST', '/v1/video/export/start?' || q);
  IF r.status NOT BETWEEN 200 AND 299 OR r.location IS NULL
     OR r.location !~ '/v1/video/export/task/[0-9a-fA-F-]{36}$' THEN
    RAISE EXCEPTION 'RetailNext refused the video export (HTTP %)', r.status
      USING ERRCODE = 'HV000', DETAIL = retail_fdw.rn_reason(r.body_head),
            HINT = 'Check the channels (one store appliance, recording enabled) and the time range.';
  END IF;
  id := substring(r.location from '([0-9a-fA-F-]{36})$')::uuid;
  INSERT INTO retail_fdw.rn_video_exports (export_id, server, channels, start_at, end_at, options)
  VALUES (id, server, channels, start_at, end_at,
          jsonb_build_object('analytics_overlay', analytics_overlay,
                             'info_overlay', info_overlay, 'raw', raw,
                             'resolution', resolution))
  ON CONFLICT (export_id) DO NOTHING;
  RETURN id;
END
$fn$;

CREATE FUNCTION rn_video_export_status(server text, export_id uuid,
                                       OUT status text, OUT download_url text, OUT reason text)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  r record;
BEGIN
  PERFORM retail_fdw.server_vendor(server, 'retailnext');
  IF export_id IS NULL THEN
    RAISE EXCEPTION 'export_id must not be NULL' USING ERRCODE = '22004';
  END IF;
  r := retail_fdw.vendor_call(server, 'GET', '/v1/video/export/task/' || export_id::text);
  CASE
    WHEN r.status = 202 OR (r.status BETWEEN 200 AND 299 AND r.location IS NULL) THEN
      status := 'in_progress';
    WHEN r.status IN (301, 302, 303, 307) AND r.location IS NOT NULL THEN
      status := 'ready';
      download_url := r.location;
    WHEN r.status = 404 THEN
      status := 'expired';
    WHEN r.status = 424 THEN
      status := 'failed';
      reason := retail_fdw.rn_reason(r.body_head);
    ELSE
      RAISE EXCEPTION 'unexpected answer from RetailNext for export % (HTTP %)', export_id, r.status
        USING ERRCODE = 'HV00M', DETAIL = retail_fdw.rn_reason(r.body_head);
  END CASE;
  UPDATE retail_fdw.rn_video_exports e
     SET status = rn_video_export_status.status,
         download_url = coalesce(rn_video_export_status.download_url, e.download_url),
         reason = rn_video_export_status.reason, updated_at = now()
   WHERE e.export_id = rn_video_export_status.export_id;
END
$fn$;

CREATE FUNCTION rn_video_export_wait(server text, export_id uuid,
                                     timeout interval DEFAULT '5 minutes',
                                     OUT status text, OUT download_url text, OUT reason text)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  deadline timestamptz := clock_timestamp() + timeout;
  pause float8 := 0.2;
BEGIN
  LOOP
    SELECT s.status, s.download_url, s.reason INTO status, download_url, reason
      FROM retail_fdw.rn_video_export_status(server, export_id) s;
    EXIT WHEN status <> 'in_progress' OR clock_timestamp() >= deadline;
    -- pg_sleep is interrupted by cancel and statement_timeout
    PERFORM pg_sleep(least(pause, greatest(extract(epoch FROM deadline - clock_timestamp()), 0)));
    pause := least(pause * 2, 5);
  END LOOP;
END
$fn$;

CREATE FUNCTION rn_video_export_delete(server text, export_id uuid)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  r record;
BEGIN
  PERFORM retail_fdw.server_vendor(server, 'retailnext');
  r := retail_fdw.vendor_call(server, 'DELETE', '/v1/video/export/task/' || export_id::text);
  IF r.status NOT BETWEEN 200 AND 299 AND r.status <> 404 THEN
    RAISE EXCEPTION 'RetailNext refused to delete export % (HTTP %)', export_id, r.status
      USING ERRCODE = 'HV000', DETAIL = retail_fdw.rn_reason(r.body_head);
  END IF;
  UPDATE retail_fdw.rn_video_exports e
     SET status = 'deleted', updated_at = now()
   WHERE e.export_id = rn_video_export_delete.export_id;
  RETURN r.status <> 404;
END
$fn$;

CREATE FUNCTION rn_hls_token(server text, location_uuid uuid)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  r record;
  token text;
BEGIN
  PERFORM retail_fdw.server_vendor(server, 'retailnext');
  r := retail_fdw.vendor_call(server, 'POST', '/v1/hlsapitoken',
                              jsonb_build_object('location_uuid', location_uuid)::text);
  IF r.status BETWEEN 200 AND 299 THEN
    BEGIN
      token := r.body_head::jsonb ->> 'token';
    EXCEPTION WHEN others THEN
      token := NULL;
    END;
  END IF;
  IF token IS NULL THEN
    RAISE EXCEPTION 'RetailNext gave no stream token for location % (HTTP %)', location_uuid, r.status
      USING ERRCODE = 'HV000', DETAIL = retail_fdw.rn_reason(r.body_head);
  END IF;
  RETURN token;
END
$fn$;

CREATE FUNCTION rn_hls_url(server text, channel uuid, token text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  base text;
BEGIN
  PERFORM retail_fdw.server_vendor(server, 'retailnext');
  SELECT coalesce(max(split_part(o, '=', 2)) FILTER (WHERE o LIKE 'base_url=%'),
                  'https://' || max(split_part(o, '=', 2)) FILTER (WHERE o LIKE 'subscription=%')
                  || '.api.retailnext.net')
    INTO base
    FROM pg_foreign_server s, unnest(s.srvoptions) o WHERE s.srvname = server;
  IF token IS NULL OR token !~ '^[A-Za-z0-9_-]+$' THEN
    RAISE EXCEPTION 'invalid stream token' USING ERRCODE = '22023',
      HINT = 'Use the token rn_hls_token() returned.';
  END IF;
  RETURN rtrim(base, '/') || '/v1/hls/' || channel::text || '.m3u8?token=' || token;
END
$fn$;

CREATE FUNCTION rn_occupancy_adjust(server text, store_uuid uuid, adjustment integer,
                                    at timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  r record;
  body jsonb;
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
    body := body || jsonb_build_object('adjustment_date',
                      to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
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

-- ----------------------------------------------------------------
-- Request statistics, per server and endpoint.  Shared by every session
-- when retail_fdw is in shared_preload_libraries ("cluster" scope),
-- otherwise the figures of the current session only ("session" scope).
-- ----------------------------------------------------------------
CREATE FUNCTION request_stats_read(
    OUT serverid oid, OUT endpoint text, OUT requests bigint, OUT pages bigint,
    OUT rows bigint, OUT bytes bigint, OUT retries bigint, OUT throttled bigint,
    OUT errors bigint, OUT network_ms float8, OUT first_request_at timestamptz,
    OUT last_request_at timestamptz, OUT last_error text, OUT last_error_at timestamptz,
    OUT scope text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'request_stats_read'
LANGUAGE C VOLATILE STRICT;

CREATE VIEW request_stats AS
  SELECT coalesce(s.srvname, 'server ' || r.serverid) AS server, r.endpoint,
         r.requests, r.pages, r.rows, r.bytes, r.retries, r.throttled, r.errors,
         round(r.network_ms::numeric, 1) AS network_ms,
         r.first_request_at, r.last_request_at, r.last_error, r.last_error_at, r.scope
    FROM request_stats_read() r
    LEFT JOIN pg_catalog.pg_foreign_server s ON s.oid = r.serverid;
GRANT SELECT ON request_stats TO PUBLIC;
COMMENT ON VIEW request_stats IS
  'HTTP requests, pages, rows, bytes, retries, throttled answers, errors and network time per server and endpoint';

CREATE FUNCTION request_stats_reset()
RETURNS bigint
AS 'MODULE_PATHNAME', 'request_stats_reset'
LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION request_stats_reset() FROM PUBLIC;

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
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    latency_ms := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
    ok := false;
    message := msg;
    http_status := substring(msg FROM 'HTTP ([0-9]{3})')::integer;
    hint := CASE
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
AS 'MODULE_PATHNAME', 'vendor_check_path'
LANGUAGE C IMMUTABLE STRICT;

COMMENT ON FUNCTION check_server(text) IS
  'one cheap request with the caller''s mapping: whether the vendor answered, HTTP status, latency and a hint on failure';

-- ----------------------------------------------------------------
-- Incremental sync of a foreign table into a local one.
-- ----------------------------------------------------------------
CREATE TABLE sync_state (
  source text NOT NULL,               -- qualified names, as regclass prints them
  target text NOT NULL,
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
SELECT pg_catalog.pg_extension_config_dump('sync_state', '');
-- anyone may sync; a state row is only seen and moved by who can write its target
ALTER TABLE sync_state ENABLE ROW LEVEL SECURITY;
CREATE POLICY sync_state_writers ON sync_state
  USING (pg_catalog.has_table_privilege(target, 'INSERT'));
GRANT SELECT, INSERT, UPDATE ON sync_state TO PUBLIC;

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
  q text;
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
    RAISE EXCEPTION '% has no unique index on (%)', target, array_to_string(key_columns, ', ')
      USING ERRCODE = '42P10',
            HINT = format('CREATE UNIQUE INDEX ON %s (%s);', target,
                          (SELECT string_agg(quote_ident(k), ', ') FROM unnest(key_columns) k));
  END IF;

  -- one sync of a pair at a time; the second waits for the first
  PERFORM pg_advisory_xact_lock(hashtext('retail_fdw.sync'), hashtext(source::text || ' ' || target::text));
  SELECT * INTO st FROM retail_fdw.sync_state s
   WHERE s.source = sync.source::text AND s.target = sync.target::text;

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

  -- constant bounds, so that the foreign scan pushes them down
  q := format(
    'WITH src AS (SELECT DISTINCT ON (%2$s) %3$s FROM %1$s'
    ' WHERE %4$I >= %5$L::%6$s AND %4$I < %7$L::%6$s%8$s ORDER BY %2$s, %4$I DESC),'
    ' up AS (INSERT INTO %9$s AS t (%3$s) SELECT %3$s FROM src ON CONFLICT (%2$s) %10$s'
    ' RETURNING (t.xmax = 0) AS inserted)'
    ' SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up',
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
  EXECUTE q INTO rows_inserted, rows_updated;

  INSERT INTO retail_fdw.sync_state AS s
         (source, target, watermark_column, watermark, last_from, last_to,
          last_inserted, last_updated, last_run_at, last_run_by)
  VALUES (source::text, target::text, watermark_column,
          greatest(window_to, st.watermark), window_from, window_to,
          rows_inserted, rows_updated, now(), current_user)
  ON CONFLICT ON CONSTRAINT sync_state_pkey DO UPDATE
     SET watermark_column = EXCLUDED.watermark_column, watermark = EXCLUDED.watermark,
         last_from = EXCLUDED.last_from, last_to = EXCLUDED.last_to,
         last_inserted = EXCLUDED.last_inserted, last_updated = EXCLUDED.last_updated,
         last_run_at = EXCLUDED.last_run_at, last_run_by = EXCLUDED.last_run_by;
END
$fn$;
COMMENT ON FUNCTION sync(regclass, regclass, text[], text, timestamptz, timestamptz, interval, text) IS
  'upsert rows of a foreign table whose watermark column is in [watermark - lookback, until) into a local table, and move the watermark, in one transaction';

-- ----------------------------------------------------------------
-- One physical store across vendors, and its daily figures side by side.
-- ----------------------------------------------------------------
CREATE TABLE store_map (
  store text PRIMARY KEY,                  -- your own store id, as in your sales data
  journey_store_code text UNIQUE,          -- visit_journey_events.store_code
  aifi_store_id bigint UNIQUE,             -- aifi_sessions.store_id
  retailnext_store_uuid uuid UNIQUE,       -- rn_datamine.location_uuid of the store
  inspector_store_id bigint UNIQUE,        -- ic_visits.store_id
  time_zone text NOT NULL DEFAULT 'UTC'    -- the store's days are local days
    CHECK (now() AT TIME ZONE time_zone IS NOT NULL)
);
SELECT pg_catalog.pg_extension_config_dump('store_map', '');
GRANT SELECT ON store_map TO PUBLIC;

CREATE FUNCTION store_daily(from_date date, to_date date,
                            journey regclass DEFAULT NULL,
                            aifi regclass DEFAULT NULL,
                            datamine regclass DEFAULT NULL,
                            inspector regclass DEFAULT NULL)
RETURNS TABLE (store text, day date, traffic_in numeric,
               journey_sessions bigint, journey_visits bigint,
               aifi_sessions bigint, aifi_visitors bigint, ic_visits bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  -- a margin of a day on both sides covers every time zone; each row is
  -- then put on its store's local day
  lo timestamptz := (from_date - 1)::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (to_date + 2)::timestamp AT TIME ZONE 'UTC';
  codes text[];
  ids bigint[];
  uuids uuid[];
  ics bigint[];
  rnq text;
  q text;
BEGIN
  IF from_date IS NULL OR to_date IS NULL OR to_date < from_date THEN
    RAISE EXCEPTION 'store_daily needs from_date <= to_date' USING ERRCODE = '22023';
  END IF;
  IF to_date - from_date > 366 THEN
    RAISE EXCEPTION 'store_daily covers at most a year at a time' USING ERRCODE = '22023',
      HINT = 'Split the range, or sync the vendors into local tables and query those.';
  END IF;
  SELECT array_agg(m.journey_store_code) FILTER (WHERE m.journey_store_code IS NOT NULL),
         array_agg(m.aifi_store_id) FILTER (WHERE m.aifi_store_id IS NOT NULL),
         array_agg(m.retailnext_store_uuid) FILTER (WHERE m.retailnext_store_uuid IS NOT NULL),
         array_agg(m.inspector_store_id) FILTER (WHERE m.inspector_store_id IS NOT NULL)
    INTO codes, ids, uuids, ics
    FROM retail_fdw.store_map m;

  q := 'WITH days AS (SELECT m.store, m.time_zone, m.journey_store_code, m.aifi_store_id,'
       ' m.retailnext_store_uuid, m.inspector_store_id, d::date AS day'
       ' FROM retail_fdw.store_map m, generate_series($1::timestamp, $2::timestamp, ''1 day'') d)';
  IF datamine IS NOT NULL AND uuids IS NOT NULL THEN
    -- RetailNext's days are local days of the time zone asked for: one
    -- request series per time zone of the mapped stores
    SELECT ', rn AS MATERIALIZED (' || string_agg(
             format('SELECT x.location_uuid AS k, x.period_start, x.value FROM %s x'
                    ' WHERE x.location_uuid = ANY (%L::uuid[]) AND x.metric = ''traffic_in'''
                    ' AND x.grain = ''day'' AND x.time_zone = %L'
                    ' AND x.period_start >= %L::timestamptz AND x.period_start < %L::timestamptz',
                    datamine, z.uuids, z.time_zone, lo, hi), ' UNION ALL ') || ')'
      INTO STRICT rnq
      FROM (SELECT m.time_zone, array_agg(m.retailnext_store_uuid) AS uuids
              FROM retail_fdw.store_map m
             WHERE m.retailnext_store_uuid IS NOT NULL
             GROUP BY m.time_zone) z;
    q := q || rnq;
  ELSE
    q := q || ', rn AS MATERIALIZED (SELECT NULL::uuid AS k, NULL::timestamptz AS period_start, NULL::numeric AS value WHERE false)';
  END IF;
  IF journey IS NOT NULL AND codes IS NOT NULL THEN
    q := q || format(', jy AS MATERIALIZED (SELECT x.store_code AS k, x.event_start, x.session_id, x.visit_id FROM %s x'
                     ' WHERE x.store_code = ANY (%L::text[]) AND x.event_start >= %L::timestamptz'
                     ' AND x.event_start < %L::timestamptz)', journey, codes, lo, hi);
  ELSE
    q := q || ', jy AS MATERIALIZED (SELECT NULL::text AS k, NULL::timestamptz AS event_start, NULL::text AS session_id, NULL::text AS visit_id WHERE false)';
  END IF;
  IF aifi IS NOT NULL AND ids IS NOT NULL THEN
    q := q || format(', af AS MATERIALIZED (SELECT x.store_id AS k, x.created_at, x.visitors FROM %s x'
                     ' WHERE x.store_id = ANY (%L::bigint[]) AND x.created_at >= %L::timestamptz'
                     ' AND x.created_at < %L::timestamptz)', aifi, ids, lo, hi);
  ELSE
    q := q || ', af AS MATERIALIZED (SELECT NULL::bigint AS k, NULL::timestamptz AS created_at, NULL::integer AS visitors WHERE false)';
  END IF;
  IF inspector IS NOT NULL AND ics IS NOT NULL THEN
    q := q || format(', iv AS MATERIALIZED (SELECT x.store_id AS k, x.created_at FROM %s x'
                     ' WHERE x.created_at >= %L::timestamptz AND x.created_at < %L::timestamptz'
                     ' AND x.store_id = ANY (%L::bigint[]))', inspector, lo, hi, ics);
  ELSE
    q := q || ', iv AS MATERIALIZED (SELECT NULL::bigint AS k, NULL::timestamptz AS created_at WHERE false)';
  END IF;
  q := q ||
    ' SELECT d.store, d.day,'
    '  CASE WHEN $3 AND d.retailnext_store_uuid IS NOT NULL THEN coalesce('
    '   (SELECT sum(rn.value) FROM rn WHERE rn.k = d.retailnext_store_uuid'
    '     AND (rn.period_start AT TIME ZONE d.time_zone)::date = d.day), 0) END,'
    '  CASE WHEN $4 AND d.journey_store_code IS NOT NULL THEN'
    '   (SELECT count(DISTINCT jy.session_id) FROM jy WHERE jy.k = d.journey_store_code'
    '     AND (jy.event_start AT TIME ZONE d.time_zone)::date = d.day) END,'
    '  CASE WHEN $4 AND d.journey_store_code IS NOT NULL THEN'
    '   (SELECT count(DISTINCT jy.visit_id) FROM jy WHERE jy.k = d.journey_store_code'
    '     AND (jy.event_start AT TIME ZONE d.time_zone)::date = d.day) END,'
    '  CASE WHEN $5 AND d.aifi_store_id IS NOT NULL THEN'
    '   (SELECT count(*) FROM af WHERE af.k = d.aifi_store_id'
    '     AND (af.created_at AT TIME ZONE d.time_zone)::date = d.day) END,'
    '  CASE WHEN $5 AND d.aifi_store_id IS NOT NULL THEN'
    '   (SELECT coalesce(sum(af.visitors), 0) FROM af WHERE af.k = d.aifi_store_id'
    '     AND (af.created_at AT TIME ZONE d.time_zone)::date = d.day) END,'
    '  CASE WHEN $6 AND d.inspector_store_id IS NOT NULL THEN'
    '   (SELECT count(*) FROM iv WHERE iv.k = d.inspector_store_id'
    '     AND (iv.created_at AT TIME ZONE d.time_zone)::date = d.day) END'
    ' FROM days d ORDER BY d.store, d.day';
  RETURN QUERY EXECUTE q
    USING from_date, to_date, datamine IS NOT NULL, journey IS NOT NULL,
          aifi IS NOT NULL, inspector IS NOT NULL;
END
$fn$;
COMMENT ON FUNCTION store_daily(date, date, regclass, regclass, regclass, regclass) IS
  'per store of store_map and local day: RetailNext traffic in, journey sessions and visits, AiFi sessions and visitors, Inspector Cloud visits';
