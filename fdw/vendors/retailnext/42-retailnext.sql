-- fdw/vendors/retailnext/42-retailnext.sql: RetailNext actions: video export, HLS, occupancy
-- Every action here begins with server_vendor(server, 'retailnext') (00-core.sql).
-- One fragment of the extension script, the retailnext module's: make concatenates
-- fdw/sql/*.sql and fdw/vendors/*/*.sql in the order of their file names
-- into fdw/retail_fdw--<default_version>.sql.

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
-- the export history is the user's: pg_dump keeps its rows
SELECT pg_catalog.pg_extension_config_dump('rn_video_exports', '');
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

-- descriptions of the objects above that have none yet
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
COMMENT ON FUNCTION rn_occupancy_adjust(text, uuid, integer, timestamptz) IS
  'adjust a RetailNext store''s live occupancy by a number of people (at a time, or now)';
