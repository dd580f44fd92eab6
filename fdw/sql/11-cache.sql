-- fdw/sql/11-cache.sql: the response cache (cache_ttl)
-- One fragment of the extension script: make concatenates fdw/sql/*.sql
-- in name order into fdw/retail_fdw--<default_version>.sql.

-- ----------------------------------------------------------------
-- Forget cached answers; returns how many.  Everyone may call it: a
-- superuser clears the whole cache, another role only the answers of the
-- user mappings it uses itself in this database (the answers it could be
-- served), so no role can make another role's queries go to the vendor.
-- ----------------------------------------------------------------
CREATE FUNCTION cache_clear()
RETURNS bigint
AS 'MODULE_PATHNAME', 'rf_sql_cache_clear'
LANGUAGE C VOLATILE;
