-- fdw/sql/90-comments.sql: a comment on every object of the extension that
-- its own fragment leaves undescribed, so that \df+, \d+ and BI tools
-- explain the extension (a vendor module's objects are described in its
-- own fragment).  One fragment of the extension script: make concatenates
-- fdw/sql/*.sql and fdw/vendors/*/*.sql in the order of their file names.

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
COMMENT ON TABLE store_map IS
  'one physical store across vendors: your store id and its journey store code, AiFi store id, RetailNext store uuid, Inspector store id and time zone';
COMMENT ON TABLE sync_watermarks IS
  'how far each sync() got, by source and target table (written only by sync; read through the view sync_state)';
