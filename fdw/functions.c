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

#include "access/htup_details.h"
#include "catalog/pg_foreign_server.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "retail_fdw.h"

PG_FUNCTION_INFO_V1(ic_ack_visit);
PG_FUNCTION_INFO_V1(vendor_call);
PG_FUNCTION_INFO_V1(vendor_check_path);

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

/* The vendor of a retail_fdw server, for calls that work with any */
static const char *
rf_get_server_vendor_name(ForeignServer *server)
{
	ListCell   *lc;

	foreach(lc, server->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "vendor") == 0)
			return defGetString(def);
	}
	return "";
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

/*
 * retail_fdw.vendor_call(server text, method text, path text, body text,
 *     OUT status integer, OUT location text, OUT body_head text)
 *
 * One request to the server's own base URL with the caller's mapping, for
 * the SQL-level actions (video exports, tokens, occupancy): every answer
 * short of an auth failure, a throttle or a server error is returned as it
 * is, redirects are not followed (their Location is returned) and nothing
 * is ever sent to another host.  The body comes back truncated to its
 * first 512 bytes: enough for the small JSON answers of actions.
 */
Datum
vendor_call(PG_FUNCTION_ARGS)
{
	RfOptions	opts;
	RfConn	   *conn;
	char	   *method;
	char	   *path;
	char	   *body = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	volatile long status = 0;
	char	   *volatile location = NULL;
	char	   *volatile head = NULL;
	ForeignServer *server;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("server, method and path must not be null")));
	method = text_to_cstring(PG_GETARG_TEXT_PP(1));
	path = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0 &&
		strcmp(method, "PUT") != 0 && strcmp(method, "DELETE") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid method \"%s\"", method),
				 errhint("Use GET, POST, PUT or DELETE.")));
	if (path[0] != '/' || strstr(path, "://") || strstr(path, "//") || strchr(path, '\\') ||
		strchr(path, ' ') || strchr(path, '#'))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid path \"%s\"", path),
				 errhint("Give a path on the server's base URL, starting with '/'.")));

	server = GetForeignServerByName(text_to_cstring(PG_GETARG_TEXT_PP(0)), false);
	server_for_call(PG_GETARG_TEXT_PP(0),
					rf_get_server_vendor_name(server), &opts);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	conn = rf_http_connect(&opts, GetUserId());
	PG_TRY();
	{
		RfHttpRequest req;
		RfTransfer *xfer;

		memset(&req, 0, sizeof(req));
		req.endpoint = psprintf("%s %s", method, path);
		req.method = method;
		req.url = psprintf("%s%s", opts.base_url, path);
		req.body = body;
		req.idempotent = (strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0);
		req.any_status = true;
		xfer = rf_http_submit(conn, &req, NULL);
		rf_http_wait(conn, xfer);
		if (!rf_http_succeeded(xfer))
			rf_http_raise(xfer);
		status = rf_http_status(xfer);
		if (rf_http_location(xfer))
			location = pstrdup(rf_http_location(xfer));
		head = pstrdup(rf_http_body_head(xfer));
		rf_http_release(xfer, NULL);
	}
	PG_FINALLY();
	{
		rf_http_disconnect(conn);
	}
	PG_END_TRY();

	values[0] = Int32GetDatum((int32) status);
	if (location)
		values[1] = CStringGetTextDatum(location);
	else
		nulls[1] = true;
	values[2] = CStringGetTextDatum(head ? head : "");
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * retail_fdw.vendor_check_path(vendor text) returns text
 *
 * The path of the cheapest request a vendor answers (relative to the
 * server's base URL), which check_server sends.
 */
Datum
vendor_check_path(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	const RfVendor *vendor = rf_vendor_lookup(name);

	if (vendor == NULL || vendor->check_path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown vendor \"%s\"", name),
				 errhint("Vendors are: %s.", rf_vendor_names())));
	PG_RETURN_TEXT_P(cstring_to_text(vendor->check_path));
}
