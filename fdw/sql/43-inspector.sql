-- fdw/sql/43-inspector.sql: Inspector Cloud actions (ic_ack_visit)
-- One fragment of the extension script: make concatenates fdw/sql/*.sql
-- in name order into fdw/retail_fdw--0.1.sql.

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
