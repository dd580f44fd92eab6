-- fdw/sql/10-stats.sql: request statistics (request_stats)
-- One fragment of the extension script: make concatenates fdw/sql/*.sql
-- in name order into fdw/retail_fdw--<default_version>.sql.

-- ----------------------------------------------------------------
-- Request statistics, per server and endpoint.  Shared by every session
-- when retail_fdw is in shared_preload_libraries ("cluster" scope),
-- otherwise the figures of the current session only ("session" scope).
-- request_stats_read() shows the current database's entries of servers
-- the caller has USAGE on (all of them to pg_read_all_stats, with the
-- spill row of all databases, server 0); the filter is in C, so the
-- function may stay executable by everyone.
-- ----------------------------------------------------------------
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

CREATE FUNCTION request_stats_reset()
RETURNS bigint
AS 'MODULE_PATHNAME', 'rf_sql_request_stats_reset'
LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION request_stats_reset() FROM PUBLIC;

-- ----------------------------------------------------------------
-- Scan progress: a long backfill can be watched from another session.
-- One row per backend of this database running a retail_fdw scan (when
-- retail_fdw is preloaded; otherwise none), for scans of roles whose
-- privileges the caller has, on servers it has USAGE on (all of them for
-- pg_read_all_stats).
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
