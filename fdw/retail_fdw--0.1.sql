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
