-- fdw/sql/90-comments.sql: a comment on every object of the extension that
-- its own fragment leaves undescribed, so that \df+, \d+ and BI tools
-- explain the extension.  One fragment of the extension script: make
-- concatenates fdw/sql/*.sql in name order.

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
COMMENT ON FUNCTION cache_clear() IS
  'forget cached vendor answers (cache_ttl): all of them for a superuser, else those of the caller''s own user mappings in this database; returns how many';
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
COMMENT ON FUNCTION rn_occupancy_adjust(text, uuid, integer, timestamptz) IS
  'adjust a RetailNext store''s live occupancy by a number of people (at a time, or now)';
COMMENT ON TABLE store_map IS
  'one physical store across vendors: your store id and its journey store code, AiFi store id, RetailNext store uuid, Inspector store id and time zone';
COMMENT ON TABLE sync_watermarks IS
  'how far each sync() got, by source and target table (written only by sync; read through the view sync_state)';
