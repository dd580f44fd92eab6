-- fdw/sql/50-cross-vendor.sql: one store across vendors (store_map, store_daily)
-- One fragment of the extension script: make concatenates fdw/sql/*.sql
-- in name order into fdw/retail_fdw--<default_version>.sql.

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
