--
-- fastpath: the fast reading of ISO 8601 dates and times (json.c) gives
-- exactly the Datum of the type's input function, or leaves the string to
-- it.  rf_test_fast_datetime_check is a test hook of test/hooks (a module
-- the test command installs, never shipped), declared here for this file
-- only: NULL when the fast path declines the string, else whether both
-- Datums are equal (an input function error would show).
--
CREATE FUNCTION pg_temp.fast_check(text, regtype) RETURNS boolean
  AS 'retail_fdw_test_hooks', 'rf_test_fast_datetime_check' LANGUAGE C STRICT;

-- a session time zone far from UTC: offsets in the strings must win
SET timezone = 'America/New_York';

-- 20,000 strings mixing years (leap and not, 1000 and 9999), months, days
-- (some past the month's end), times, 0-10 fraction digits (ties of the
-- microsecond rounding among them), offsets and separators
CREATE TEMP TABLE gen AS
SELECT i, format('%s-%s-%s%s', y, lpad(m::text, 2, '0'), lpad(d::text, 2, '0'),
                 CASE WHEN i % 23 = 0 THEN '' ELSE sep || t || f || o END) AS s
  FROM generate_series(0, 19999) AS i,
       LATERAL (SELECT
         (ARRAY['1000', '1582', '1899', '1900', '1970', '1999', '2000', '2023',
                '2024', '2025', '2100', '2400', '9999'])[1 + i % 13] AS y,
         1 + i % 12 AS m,
         (ARRAY[1, 9, 15, 28, 29, 30, 31])[1 + i % 7] AS d,
         (ARRAY['T', ' '])[1 + i % 2] AS sep,
         (ARRAY['00:00:00', '09:05:07', '12:30:00', '23:59:59', '18:45:31'])[1 + i % 5] AS t,
         (ARRAY['', '.5', '.05', '.123', '.1234', '.12345', '.123456', '.1234565',
                '.1234575', '.9999995', '.99999949', '.000000500', '.999999999',
                '.0000005', '.0000015', '.1', '.1234567890'])[1 + i % 17] AS f,
         (ARRAY['Z', '+00:00', '-00:00', '+02:00', '-05:30', '+05:45', '+14:00',
                '-12:00', '+15:59', '-15:59', ''])[1 + i % 11] AS o) AS p;

-- fast = the input function's Datum wherever the fast path answers; none differ
SELECT typ, count(*) AS strings,
       count(*) FILTER (WHERE ok) AS fast_and_equal,
       count(*) FILTER (WHERE ok IS NULL) AS left_to_input_function,
       count(*) FILTER (WHERE NOT ok) AS different
  FROM gen, LATERAL (VALUES ('timestamptz'::regtype), ('timestamp'), ('date')) AS t(typ),
       LATERAL (SELECT pg_temp.fast_check(s, typ) AS ok) AS c
 GROUP BY typ ORDER BY typ::text;
SELECT s, typ FROM gen, LATERAL (VALUES ('timestamptz'::regtype), ('timestamp'), ('date')) AS t(typ)
 WHERE NOT pg_temp.fast_check(s, typ);

-- rounding of 7-9 fraction digits and a fraction that rounds up to a second
SELECT s, pg_temp.fast_check(s, 'timestamptz') AS same,
       to_char(s::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS utc
  FROM unnest(ARRAY['2024-02-29T23:59:59.9999995Z', '2024-02-29T23:59:59.9999994Z',
                    '2025-08-13T10:00:00.1234565+02:00', '2025-08-13T10:00:00.1234575-05:30',
                    '2025-08-13T10:00:00.000000500Z', '1000-01-01T00:00:00Z',
                    '9999-12-31T23:59:59.999999+15:59']) AS s;

-- shapes left to the input function: they answer as they always did
SELECT s, pg_temp.fast_check(s, 'timestamptz') AS fast
  FROM unnest(ARRAY['infinity', '-infinity', '0999-12-31T00:00:00Z', 'epoch',
                    '2024-02-29T24:00:00Z', '2024-02-29T23:59:60Z', '2024-01-01t00:00:00z',
                    '2024-01-01T00:00Z', '2024-01-01T00:00:00.1234567890Z',
                    '2024-01-01T00:00:00+0200', '2024-01-01T00:00:00 UTC',
                    '2024-01-01T00:00:00', ' 2024-01-01T00:00:00Z']) AS s;
SELECT 'infinity'::timestamptz, '2024-02-29T24:00:00Z'::timestamptz, '2024-02-29T23:59:60Z'::timestamptz;
SELECT s, pg_temp.fast_check(s, 'timestamptz') AS fast
  FROM unnest(ARRAY['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T00:00:00+16:00']) AS s;
SELECT '2023-02-29T00:00:00Z'::timestamptz;
SELECT '2024-01-01T00:00:00+16:00'::timestamptz;

RESET timezone;
DROP TABLE gen;
