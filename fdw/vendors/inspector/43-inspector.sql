-- fdw/vendors/inspector/43-inspector.sql: Inspector Cloud actions (ic_ack_visit)
-- One fragment of the extension script, the inspector module's: make concatenates
-- fdw/sql/*.sql and fdw/vendors/*/*.sql in the order of their file names
-- into fdw/retail_fdw--<default_version>.sql.

-- ----------------------------------------------------------------
-- Inspector Cloud: acknowledging a visit is an explicit action (a SELECT
-- never does it): it removes the visit from the vendor's "new" list for
-- every consumer.
-- ----------------------------------------------------------------
CREATE FUNCTION ic_ack_visit(server text, visit_id bigint)
RETURNS boolean
LANGUAGE plpgsql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  PERFORM retail_fdw.server_vendor(server, 'inspector');
  IF visit_id <= 0 THEN
    RAISE EXCEPTION 'visit id must be positive, got %', visit_id USING ERRCODE = '22023';
  END IF;
  -- the descriptor's "ack_visit" action: POST /api/data/v1.3/visits/{id}/ack/
  RETURN retail_fdw.vendor_action(server, 'ack_visit', visit_id::text) <> 404;
END
$fn$;
COMMENT ON FUNCTION ic_ack_visit(text, bigint) IS
  'acknowledge an Inspector Cloud visit (POST /visits/{id}/ack/); false if there is no such visit';
