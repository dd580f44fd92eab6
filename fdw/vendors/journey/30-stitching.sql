-- fdw/vendors/journey/30-stitching.sql: journey session stitching (session_key, stitch_sessions, session_audit)
-- One fragment of the extension script, the journey module's: make
-- concatenates fdw/sql/*.sql and fdw/vendors/*/*.sql in the order of their
-- file names into fdw/retail_fdw--<default_version>.sql.

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

-- descriptions of the objects above that have none yet
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
