/*-------------------------------------------------------------------------
 *
 * functions.c
 *		  SQL functions of retail_fdw that call a vendor directly: actions
 *		  that are not rows of a table (acknowledging an Inspector Cloud
 *		  visit, RetailNext video exports).
 *
 * Each takes the server's name first and uses the calling user's mapping,
 * exactly as a scan would; the same transport, limits and errors apply.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_foreign_server.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "retail_fdw.h"

PG_FUNCTION_INFO_V1(ic_ack_visit);

/*
 * The options of a server by name, for the caller, checking that it is a
 * retail_fdw server of the expected vendor and that the caller may use it.
 */
static void
server_for_call(text *name, const char *vendor, RfOptions *opts)
{
	ForeignServer *server = GetForeignServerByName(text_to_cstring(name), false);
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);
	AclResult	aclresult;

	if (strcmp(fdw->fdwname, "retail_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("server \"%s\" is not a retail_fdw server", server->servername)));
	aclresult = pg_foreign_server_aclcheck(server->serverid, GetUserId(), ACL_USAGE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);
	rf_get_server_options(server, opts);
	if (strcmp(opts->vendor->name, vendor) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("server \"%s\" is for vendor \"%s\", not \"%s\"",
						server->servername, opts->vendor->name, vendor),
				 errhint("Pass the name of a server created with OPTIONS (vendor '%s', ...).",
						 vendor)));
}

/*
 * One request whose answer body does not matter; returns the HTTP status
 * (404 too, when allowed).
 */
static long
call_vendor(RfConn *conn, const RfOptions *opts, const char *method,
			const char *path, const char *body, bool allow_404)
{
	RfHttpRequest req;
	RfTransfer *xfer;
	long		status;

	memset(&req, 0, sizeof(req));
	req.endpoint = psprintf("%s %s", method, path);
	req.method = method;
	req.url = psprintf("%s%s", opts->base_url, path);
	req.body = (char *) body;
	req.idempotent = false;
	req.allow_404 = allow_404;
	xfer = rf_http_submit(conn, &req, NULL);
	rf_http_wait(conn, xfer);
	if (!rf_http_succeeded(xfer))
		rf_http_raise(xfer);
	status = rf_http_status(xfer);
	rf_http_release(xfer, NULL);
	return status;
}

/*
 * retail_fdw.ic_ack_visit(server text, visit_id bigint) returns boolean
 *
 * Acknowledges an Inspector Cloud visit (POST /visits/{id}/ack/), so that
 * it leaves the vendor's "new" list for every consumer.  True when the
 * vendor accepted it, false when it has no such visit.
 */
Datum
ic_ack_visit(PG_FUNCTION_ARGS)
{
	RfOptions	opts;
	RfConn	   *conn;
	int64		id = PG_GETARG_INT64(1);
	volatile long status = 0;

	server_for_call(PG_GETARG_TEXT_PP(0), "inspector", &opts);
	if (id <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("visit id must be positive, got " INT64_FORMAT, id)));
	conn = rf_http_connect(&opts, GetUserId());
	PG_TRY();
	{
		status = call_vendor(conn, &opts, "POST",
							 psprintf("/api/data/v1.3/visits/" INT64_FORMAT "/ack/", id),
							 "{}", true);
	}
	PG_FINALLY();
	{
		rf_http_disconnect(conn);
	}
	PG_END_TRY();
	PG_RETURN_BOOL(status != 404);
}
