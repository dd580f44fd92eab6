/*-------------------------------------------------------------------------
 *
 * functions.c
 *		  SQL functions of retail_fdw that call a vendor directly: actions
 *		  that are not rows of a table, which the vendor modules' own SQL
 *		  functions build on (acknowledging a visit, video exports).
 *
 * Each takes the server's name first and uses the calling user's mapping,
 * exactly as a scan would; the same transport, limits and errors apply.
 *
 * Also here: sync_state_save, the one way to move a sync watermark.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "functions.h"
#include "columns.h"
#include "connection.h"
#include "option.h"
#include "pushdown.h"
#include "reqplan.h"
#include "vendor.h"

PG_FUNCTION_INFO_V1(rf_sql_vendor_action);
PG_FUNCTION_INFO_V1(rf_sql_key_columns);
PG_FUNCTION_INFO_V1(rf_sql_sort_columns);
PG_FUNCTION_INFO_V1(rf_sql_describe_foreign_table);
PG_FUNCTION_INFO_V1(rf_sql_describe_foreign_column);
PG_FUNCTION_INFO_V1(rf_sql_vendor_call);
PG_FUNCTION_INFO_V1(rf_sql_vendor_check_path);
PG_FUNCTION_INFO_V1(rf_sql_sync_state_save);

/*
 * The options of a server by name, for the caller, checking that it is a
 * retail_fdw server and that the caller may use it.  Which vendor a
 * function needs is checked once, in SQL (retail_fdw.server_vendor).
 */
static void
server_for_call(text *name, RfOptions *opts)
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
	xfer = rf_http_send(conn, &req, NULL);
	status = rf_http_status(xfer);
	rf_http_release(xfer, NULL);
	return status;
}

/*
 * retail_fdw.vendor_action(server text, action text, id text) returns integer
 *
 * One of the vendor's named actions (its descriptor's RfAction: method and
 * path with an {id}), sent with the caller's mapping; returns the HTTP
 * status, 404 included (no such object).  The vendor modules' own SQL
 * functions (fdw/vendors/<vendor>/) check the vendor and build on this, so
 * no vendor name lives here.
 */
Datum
rf_sql_vendor_action(PG_FUNCTION_ARGS)
{
	RfOptions	opts;
	RfConn	   *conn;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(2));
	const RfAction *action;
	StringInfoData path;
	const char *brace;
	volatile long status = 0;

	server_for_call(PG_GETARG_TEXT_PP(0), &opts);
	action = rf_action_lookup(opts.vendor, name);
	if (action == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("vendor %s has no action \"%s\"", opts.vendor->name, name)));
	/* the id is one path segment, percent-encoded */
	initStringInfo(&path);
	brace = strstr(action->path, "{id}");
	if (brace)
	{
		appendBinaryStringInfo(&path, action->path, brace - action->path);
		appendStringInfoString(&path, rf_escape_segment(id));
		appendStringInfoString(&path, brace + 4);
	}
	else
		appendStringInfoString(&path, action->path);
	conn = rf_http_connect(&opts, GetUserId());
	PG_TRY();
	{
		status = call_vendor(conn, &opts, action->method, path.data, "{}", true);
	}
	PG_FINALLY();
	{
		rf_http_disconnect(conn);
	}
	PG_END_TRY();
	PG_RETURN_INT32((int32) status);
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Why a vendor_call path would leave the server's base URL (or smuggle
 * something else into the request line), or NULL when it is fine.  The
 * path is appended to base_url, so it must start with '/', and no segment
 * may be "." or ".." however it is spelled (libcurl, proxies and servers
 * resolve "%2e%2e" too): otherwise "/../x" climbs out of a base_url with
 * a path prefix.  Empty segments ("//") and encoded slashes are refused as
 * well, and so is any byte outside printable ASCII.
 */
static const char *
call_path_problem(const char *path)
{
	const char *p;
	const char *seg;

	if (path[0] != '/')
		return "it does not start with '/'";
	for (p = path; *p; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c <= 0x20 || c >= 0x7f)
			return "it holds a space, a control character or a byte outside ASCII";
		if (c == '#' || c == '\\')
			return "it holds '#' or '\\'";
		if (c == '%' && (hex_digit(p[1]) < 0 || hex_digit(p[2]) < 0))
			return "it holds a '%' that is not a percent-encoded byte";
	}

	/* the segments of the path part, as the server will decode them */
	seg = path + 1;
	for (;;)
	{
		size_t		len = strcspn(seg, "/?");
		int			n = 0;
		bool		only_dots = true;

		if (len == 0 && seg[len] == '/')
			return "it has an empty segment (\"//\")";
		for (size_t i = 0; i < len; i++)
		{
			char		c = seg[i];

			if (c == '%')
			{
				c = (char) (hex_digit(seg[i + 1]) * 16 + hex_digit(seg[i + 2]));
				i += 2;
				if (c == '/' || c == '\\' || (unsigned char) c < 0x20)
					return "it holds an encoded '/', '\\' or control character";
			}
			if (c != '.')
				only_dots = false;
			n++;
		}
		if (only_dots && (n == 1 || n == 2))
			return "it has a '.' or '..' segment";
		if (seg[len] != '/')
			break;
		seg += len + 1;
	}
	return NULL;
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
rf_sql_vendor_call(PG_FUNCTION_ARGS)
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
	{
		const char *problem = call_path_problem(path);

		if (problem)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid path \"%s\"", path),
					 errdetail("The path must stay under the server's base URL: %s.", problem),
					 errhint("Give a path under the server's base URL, starting with '/', without \".\" or \"..\" segments.")));
	}

	server_for_call(PG_GETARG_TEXT_PP(0), &opts);
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
		xfer = rf_http_send(conn, &req, NULL);
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
rf_sql_vendor_check_path(PG_FUNCTION_ARGS)
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

/*
 * A relation of a sync pair, checked for the caller's privilege; its name
 * for messages.
 */
static char *
sync_relation(Oid relid, AclMode mode, const char *what)
{
	char	   *name = get_rel_name(relid);
	AclResult	aclresult;

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the %s of a sync does not exist (OID %u)", what, relid)));
	aclresult = pg_class_aclcheck(relid, GetUserId(), mode);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, get_relkind_objtype(get_rel_relkind(relid)),
					   name);
	return name;
}

/*
 * retail_fdw.sync_state_save(source regclass, target regclass,
 *     watermark_column text, watermark timestamptz, last_from timestamptz,
 *     last_to timestamptz, last_inserted bigint, last_updated bigint)
 *
 * Record where a sync of source into target got to.  The watermarks table
 * (sync_watermarks, shown through the view sync_state) is not writable by
 * PUBLIC: a watermark planted by another role would make the next sync
 * skip rows.  This function is the only way in for other roles, and it
 * moves only the watermark of a target the caller may INSERT into (what
 * sync itself needs) from a source the caller may read.  It then writes
 * with the rights of the table's owner, keyed by the tables' OIDs, so no
 * search_path or look-alike name can point it elsewhere.
 */
Datum
rf_sql_sync_state_save(PG_FUNCTION_ARGS)
{
	Oid			source;
	Oid			target;
	Oid			nsp;
	Oid			staterel;
	Oid			owner;
	HeapTuple	tup;
	Oid			save_userid;
	int			save_sec_context;
	char	   *caller;
	Datum		args[9];
	char		nulls[9];
	Oid			types[9] = {REGCLASSOID, REGCLASSOID, TEXTOID, TIMESTAMPTZOID,
		TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, INT8OID, NAMEOID};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("source, target, watermark column and watermark must not be null")));
	source = PG_GETARG_OID(0);
	target = PG_GETARG_OID(1);
	(void) sync_relation(source, ACL_SELECT, "source");
	(void) sync_relation(target, ACL_INSERT, "target");

	nsp = get_namespace_oid("retail_fdw", false);
	staterel = get_relname_relid("sync_watermarks", nsp);
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(staterel));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "retail_fdw.sync_watermarks is missing");
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	caller = GetUserNameFromId(save_userid, false);
	for (int i = 0; i < 8; i++)
	{
		args[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
	}
	args[8] = DirectFunctionCall1(namein, CStringGetDatum(caller));
	nulls[8] = ' ';

	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute_with_args("INSERT INTO retail_fdw.sync_watermarks AS s"
								  " (source, target, watermark_column, watermark, last_from, last_to,"
								  "  last_inserted, last_updated, last_run_at, last_run_by)"
								  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, pg_catalog.now(), $9)"
								  " ON CONFLICT (source, target) DO UPDATE"
								  " SET watermark_column = EXCLUDED.watermark_column,"
								  "     watermark = EXCLUDED.watermark,"
								  "     last_from = EXCLUDED.last_from, last_to = EXCLUDED.last_to,"
								  "     last_inserted = EXCLUDED.last_inserted,"
								  "     last_updated = EXCLUDED.last_updated,"
								  "     last_run_at = EXCLUDED.last_run_at,"
								  "     last_run_by = EXCLUDED.last_run_by",
								  9, types, args, nulls, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not record the sync state");
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	PG_RETURN_VOID();
}

/*
 * What a query must give for a column, or NULL: "a value", "a bounded
 * range" or "a lower bound", and which alternative it belongs to when the
 * endpoint can be read in more than one way.
 */
static char *
required_text(const RfEndpoint *ep, const char *column)
{
	StringInfoData buf;
	int			nalt = 0;

	for (int i = 0; i < ep->nrequired; i++)
		nalt = Max(nalt, ep->required[i].alternative + 1);
	initStringInfo(&buf);
	for (int i = 0; i < ep->nrequired; i++)
	{
		const RfRequired *r = &ep->required[i];

		if (strcmp(r->column, column) != 0)
			continue;
		appendStringInfo(&buf, "%s%s", buf.len ? "; " : "",
						 r->kind == RF_REQ_VALUE ? "a value" :
						 r->kind == RF_REQ_RANGE ? "a bounded range" :
						 "a lower bound");
		if (nalt > 1)
			appendStringInfo(&buf, " (alternative %d of %d)", r->alternative + 1, nalt);
	}
	return buf.len ? buf.data : NULL;
}

/* "1 day", "2 days" */
static const char *
days_text(int n)
{
	return psprintf("%d day%s", n, n == 1 ? "" : "s");
}

/*
 * How a pushed column's values travel, in words (key_columns.sent_as):
 * the parameter and where it goes (query, JSON body path, path), how
 * several values and ranges are sent, and what the descriptor says beyond
 * that (windows, padding, day chunks, accepted values).  A GET-by-id
 * endpoint's other filters belong to its listing, and are named by the
 * listing's parameters.
 */
static char *
sent_as_text(const RfEndpoint *ep, const RfPushdown *pd)
{
	StringInfoData buf;
	const RfEndpoint *via = ep;
	const RfPushdown *sent = pd;
	const char *loc;
	bool		lower,
				upper;

	if (!pd->param && !pd->lower_param && !pd->upper_param && ep->lister)
	{
		via = ep->lister;
		sent = rf_pushdown_lookup(via, pd->column);
	}
	if (sent == NULL || (!sent->param && !sent->lower_param && !sent->upper_param))
		return pstrdup("not sent: PostgreSQL filters");
	loc = sent->loc == RF_LOC_QUERY ? "query parameter" :
		sent->loc == RF_LOC_BODY ? "JSON body" : "path";
	lower = sent->lower_param != NULL && (sent->ops & (RF_OP_GT | RF_OP_GE | RF_OP_EQ));
	upper = sent->upper_param != NULL && (sent->ops & (RF_OP_LT | RF_OP_LE | RF_OP_EQ));

	initStringInfo(&buf);
	if (sent->param && sent->loc == RF_LOC_PATH)
		appendStringInfo(&buf, "path %s", sent->path ? sent->path : via->path);
	else if (sent->param)
		appendStringInfo(&buf, "%s %s", loc, sent->param);
	if (lower && upper)
		appendStringInfo(&buf, "%s%s %s / %s", sent->param ? "; bounds: " : "", loc,
						 sent->lower_param, sent->upper_param);
	else if (lower || upper)
		appendStringInfo(&buf, "%s%s %s (%s bound)", sent->param ? "; bounds: " : "", loc,
						 lower ? sent->lower_param : sent->upper_param,
						 lower ? "lower" : "upper");
	if (via != ep)
		appendStringInfo(&buf, " of the listing %s %s, then %s %s for each listed %s",
						 via->method, via->path, ep->method, ep->path,
						 ep->id_column ? ep->id_column : "row");
	if (lower && !upper && (sent->ops & (RF_OP_LT | RF_OP_LE)))
		appendStringInfoString(&buf, "; only a lower bound is sent");
	else if (upper && !lower && (sent->ops & (RF_OP_GT | RF_OP_GE)))
		appendStringInfoString(&buf, "; only an upper bound is sent");
	if (sent->ops & RF_OP_IN)
	{
		if (sent->multi == RF_MULTI_REPEAT && sent->batch > 0)
			appendStringInfo(&buf, "; IN as lists of up to %d values a request", sent->batch);
		else if (sent->multi == RF_MULTI_REPEAT)
			appendStringInfoString(&buf, "; IN as one list");
		else
			appendStringInfoString(&buf, "; IN as a request series per value");
	}
	if (sent->window)
		appendStringInfo(&buf, "; a range in windows of %s", RF_DEFAULT_WINDOW);
	if (sent->chunk_days > 0)
		appendStringInfo(&buf, "; as dates, at most %s a request, from %d to %d days ahead",
						 days_text(sent->chunk_days), sent->horizon_first, sent->horizon_last);
	if (RF_EP_HOOK(via, range_note) && via->hooks->range_note(via, sent, lower, upper))
		appendStringInfoString(&buf, via->hooks->range_note(via, sent, lower, upper));
	if (sent->accepted)
	{
		appendStringInfoString(&buf, "; sent only for ");
		for (int i = 0; sent->accepted[i]; i++)
			appendStringInfo(&buf, "%s%s", i ? ", " : "", sent->accepted[i]);
		appendStringInfoString(&buf, " (with another value PostgreSQL filters alone)");
	}
	if (sent->shapes)
		appendStringInfo(&buf, "; a request parameter, not a filter: only %s, always sent",
						 (sent->ops & RF_OP_IN) ? "= and IN" : "=");
	if (RF_EP_HOOK(ep, plan_series))
		appendStringInfoString(&buf, "; the endpoint's own planner builds the body (EXPLAIN VERBOSE shows it)");
	return buf.data;
}

/* The API's key for ORDER BY on a column, or NULL (sorted locally) */
static const char *
sort_key(const RfEndpoint *ep, const char *column)
{
	for (int i = 0; i < ep->nsorts; i++)
		if (strcmp(ep->sorts[i].column, column) == 0)
			return ep->sorts[i].key;
	return NULL;
}

/*
 * retail_fdw.key_columns(): the pushdown model of every endpoint, one row
 * per column that pushes down, read from the vendors' descriptors (like
 * Steampipe's key columns), with the domain of the values it sends and how
 * they travel.  The view retail_fdw.key_columns shows it.
 */
Datum
rf_sql_key_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int v = 0; v < rf_nvendors; v++)
	{
		const RfVendor *vendor = rf_vendors[v];

		for (int e = 0; e < vendor->nendpoints; e++)
		{
			const RfEndpoint *ep = &vendor->endpoints[e];

			for (int p = 0; p < ep->npushdown; p++)
			{
				const RfPushdown *pd = &ep->pushdown[p];
				Datum		values[7];
				bool		nulls[7] = {false, false, false, false, false, false, false};
				char	   *req = required_text(ep, pd->column);
				RfDomain	domain = rf_pushdown_domain(ep, pd);
				char		dtext[512];

				values[0] = CStringGetTextDatum(vendor->name);
				values[1] = CStringGetTextDatum(ep->resource);
				values[2] = CStringGetTextDatum(pd->column);
				values[3] = CStringGetTextDatum(rf_ops_text(pd->ops));
				if (req)
					values[4] = CStringGetTextDatum(req);
				else
					nulls[4] = true;
				rf_domain_text(&domain, dtext, sizeof(dtext));
				/* a time or number takes its type's values */
				if (pd->domain.kind == RF_DOM_ANY && domain.kind == RF_DOM_TEXT &&
					rf_column_lookup(ep, pd->column) != NULL &&
					rf_column_lookup(ep, pd->column)->type != RF_TEXT)
					values[5] = CStringGetTextDatum(rf_type_sql(rf_column_lookup(ep, pd->column)->type));
				else
					values[5] = CStringGetTextDatum(dtext);
				values[6] = CStringGetTextDatum(sent_as_text(ep, pd));
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
		}
	}
	return (Datum) 0;
}

/*
 * retail_fdw.sort_columns(): the ORDER BY the APIs do, one row per column
 * an endpoint sorts by (RfSort), with the API's key.  Any other ORDER BY is
 * sorted by PostgreSQL.  The view retail_fdw.sort_columns shows it.
 */
Datum
rf_sql_sort_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int v = 0; v < rf_nvendors; v++)
	{
		const RfVendor *vendor = rf_vendors[v];

		for (int e = 0; e < vendor->nendpoints; e++)
		{
			const RfEndpoint *ep = &vendor->endpoints[e];

			for (int i = 0; i < ep->nsorts; i++)
			{
				Datum		values[4];
				bool		nulls[4] = {false, false, false, false};

				values[0] = CStringGetTextDatum(vendor->name);
				values[1] = CStringGetTextDatum(ep->resource);
				values[2] = CStringGetTextDatum(ep->sorts[i].column);
				values[3] = CStringGetTextDatum(ep->sorts[i].key);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
		}
	}
	return (Datum) 0;
}

/*
 * The endpoint of a retail_fdw foreign table, or NULL for other tables
 * (and tables whose options do not name a known endpoint).
 */
static const RfEndpoint *
table_endpoint(Oid relid, RfOptions *opts)
{
	ForeignTable *ft;
	ForeignServer *server;

	if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE)
		return NULL;
	ft = GetForeignTable(relid);
	server = GetForeignServer(ft->serverid);
	if (strcmp(GetForeignDataWrapper(server->fdwid)->fdwname, "retail_fdw") != 0)
		return NULL;
	rf_get_options(relid, opts);
	return opts->endpoint;
}

/*
 * retail_fdw.describe_foreign_table(regclass): a comment for a foreign
 * table, from its descriptor: what a row is, the vendor's endpoint, what
 * pushes down and what a query must give.  IMPORT FOREIGN SCHEMA and
 * CREATE FOREIGN TABLE set it (the extension's event trigger), so \d+ and
 * BI tools show it.  It starts "<what a row is> (<vendor>: <method>
 * <path>)." (test/gen_docs.py takes the table lists' one line from there).
 */
Datum
rf_sql_describe_foreign_table(PG_FUNCTION_ARGS)
{
	RfOptions	opts;
	const RfEndpoint *ep = table_endpoint(PG_GETARG_OID(0), &opts);
	StringInfoData buf;
	bool		any = false;

	if (ep == NULL)
		PG_RETURN_NULL();
	initStringInfo(&buf);
	if (ep->doc)
		appendStringInfo(&buf, "%s (%s: %s %s).", ep->doc, opts.vendor->name,
						 ep->method, ep->path);
	else
		appendStringInfo(&buf, "%s %s: %s %s.", opts.vendor->name, ep->resource,
						 ep->method, ep->path);
	for (int p = 0; p < ep->npushdown; p++)
	{
		appendStringInfo(&buf, "%s %s (%s)", any ? "," : " Filters at the vendor:",
						 ep->pushdown[p].column, rf_ops_text(ep->pushdown[p].ops));
		any = true;
	}
	if (any)
		appendStringInfoChar(&buf, '.');
	for (int i = 0; i < ep->nsorts; i++)
		appendStringInfo(&buf, "%s %s", i ? "," : " The API sorts by:", ep->sorts[i].column);
	if (ep->nsorts > 0)
		appendStringInfoChar(&buf, '.');
	any = false;
	for (int r = 0; r < ep->nrequired; r++)
	{
		char	   *req = required_text(ep, ep->required[r].column);

		appendStringInfo(&buf, "%s %s: %s", any ? ";" : " A query must give",
						 ep->required[r].column, req);
		any = true;
	}
	if (any)
		appendStringInfoChar(&buf, '.');
	appendStringInfoString(&buf, " Every condition is also checked locally; see retail_fdw.key_columns.");
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}

/*
 * retail_fdw.describe_foreign_column(regclass, name): a comment for a
 * column: what it means, the vendor's field it reads, what a time means,
 * the operators that filter at the vendor and whether the API sorts by it.
 * NULL for columns the descriptor does not know (a json_path of the
 * user's).
 */
Datum
rf_sql_describe_foreign_column(PG_FUNCTION_ARGS)
{
	RfOptions	opts;
	const RfEndpoint *ep = table_endpoint(PG_GETARG_OID(0), &opts);
	char	   *name = NameStr(*PG_GETARG_NAME(1));
	const RfColumn *col;
	const RfPushdown *pd;
	StringInfoData buf;

	if (ep == NULL || (col = rf_column_lookup(ep, name)) == NULL)
		PG_RETURN_NULL();
	initStringInfo(&buf);
	if (col->doc)
		appendStringInfo(&buf, "%s; ", col->doc);
	if (col->json_path && col->json_path[0] == '=')
		appendStringInfo(&buf, "the request's %s", col->json_path + 1);
	else if (col->json_path && strncmp(col->json_path, "localtime:", 10) == 0)
		appendStringInfo(&buf, "a local date and time of the %s answer, in the row's time zone",
						 opts.vendor->name);
	else if (col->json_path && strncmp(col->json_path, "zclock:", 7) == 0 &&
			 opts.vendor->wall_clock)
		appendStringInfo(&buf, "a %s time written with a Z, read as %s (server option %s)",
						 opts.vendor->name,
						 rf_wall_clock_reading(&opts) ? "the wall clock of its location's time zone" : "UTC",
						 opts.vendor->wall_clock->option);
	else if (col->json_path && strstr(col->json_path, "$index") != NULL)
		appendStringInfo(&buf, "the row's position in its list in the %s answer, from 0",
						 opts.vendor->name);
	else if (col->json_path && strpbrk(col->json_path, ":;^#@/[") != NULL)
		appendStringInfo(&buf, "from the %s answer around the row", opts.vendor->name);
	else
		appendStringInfo(&buf, "%s field %s", opts.vendor->name,
						 col->json_path ? col->json_path : col->name);
	if (col->type == RF_TIMESTAMPTZ)
		appendStringInfoString(&buf, ", an instant (shown in the session's time zone)");
	else if (col->type == RF_DATE)
		appendStringInfoString(&buf, ", a calendar day");
	if ((pd = rf_pushdown_lookup(ep, name)) != NULL)
		appendStringInfo(&buf, "; filters at the vendor with %s", rf_ops_text(pd->ops));
	if (sort_key(ep, name))
		appendStringInfo(&buf, "; ORDER BY is done by the API (%s)", sort_key(ep, name));
	if (required_text(ep, name))
		appendStringInfo(&buf, "; a query must give %s", required_text(ep, name));
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}

/*
 * Whether a column declared as typid can hold what the descriptor's type
 * delivers: the same type, text or JSON for anything, another numeric type
 * for a number, another date/time type for a time.
 */
static bool
type_fits(Oid typid, RfType type)
{
	if (typid == TEXTOID || typid == VARCHAROID || typid == JSONBOID || typid == JSONOID)
		return true;
	switch (type)
	{
		case RF_TEXT:
			return true;		/* the input function decides, per value */
		case RF_INT4:
		case RF_INT8:
		case RF_NUMERIC:
		case RF_FLOAT8:
			return typid == INT2OID || typid == INT4OID || typid == INT8OID ||
				typid == NUMERICOID || typid == FLOAT4OID || typid == FLOAT8OID;
		case RF_BOOL:
			return typid == BOOLOID;
		case RF_DATE:
		case RF_TIMESTAMPTZ:
			return typid == DATEOID || typid == TIMESTAMPOID || typid == TIMESTAMPTZOID;
		case RF_UUID:
			return typid == UUIDOID;
		case RF_JSONB:
			return false;		/* objects and arrays need json, jsonb or text */
	}
	return true;
}

/* Whether a column of a foreign table has the option json_path */
static bool
has_json_path(Oid relid, AttrNumber attnum)
{
	ListCell   *lc;

	foreach(lc, GetForeignColumnOptions(relid, attnum))
	{
		if (strcmp(lfirst_node(DefElem, lc)->defname, "json_path") == 0)
			return true;
	}
	return false;
}

/*
 * retail_fdw.check_foreign_table(regclass): what the first SELECT would
 * find wrong with a foreign table, found at CREATE / ALTER / IMPORT time
 * instead (the extension's event trigger calls it): an unknown resource,
 * options out of range, a column that matches no field, a column type that
 * cannot hold the field.  Tables of other wrappers are left alone.
 *
 * A restore is the one exception.  pg_dump writes a table's column options
 * as separate statements after its CREATE FOREIGN TABLE (ALTER FOREIGN
 * TABLE ... ALTER COLUMN ... OPTIONS), so a column mapped by json_path
 * arrives first without it.  Restores run with check_function_bodies off
 * (pg_dump's scripts and pg_restore set it), PostgreSQL's own word for
 * "definitions may arrive before what they need": then a column that
 * matches no field and has no json_path yet is let through.  Everything
 * else is checked as always (the resource, the table's options, the types
 * of the columns that match fields by name), and each ALTER that brings a
 * column its json_path checks the table again.  A column that never gets
 * one fails at its first scan, with this same error.
 */
PG_FUNCTION_INFO_V1(rf_sql_check_foreign_table);

Datum
rf_sql_check_foreign_table(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	ForeignTable *ft;
	ForeignServer *server;
	ForeignDataWrapper *fdw;
	RfOptions	opts;
	Relation	rel;
	TupleDesc	tupdesc;
	char	   *relname;

	if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE)
		PG_RETURN_VOID();
	ft = GetForeignTable(relid);
	server = GetForeignServer(ft->serverid);
	fdw = GetForeignDataWrapper(server->fdwid);
	if (strcmp(fdw->fdwname, "retail_fdw") != 0)
		PG_RETURN_VOID();
	rf_get_options(relid, &opts);
	rel = table_open(relid, AccessShareLock);
	tupdesc = RelationGetDescr(rel);
	relname = pstrdup(RelationGetRelationName(rel));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		const RfColumn *col;

		if (att->attisdropped)
			continue;
		if (!check_function_bodies &&
			rf_column_lookup(opts.endpoint, NameStr(att->attname)) == NULL &&
			!has_json_path(relid, att->attnum))
			continue;
		(void) rf_column_path(opts.endpoint, relid, att->attnum,
						   NameStr(att->attname), relname, &col);
		if (col && !type_fits(att->atttypid, col->type))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("column \"%s\" of foreign table \"%s\" has type %s, which cannot hold %s's field \"%s\"",
							NameStr(att->attname), relname,
							format_type_be(att->atttypid), opts.endpoint->resource,
							col->name),
					 errdetail("The field is %s.", rf_type_sql(col->type)),
					 errhint("Declare the column as %s (or text or jsonb, which take any value).",
							 rf_type_sql(col->type))));
	}
	table_close(rel, AccessShareLock);
	PG_RETURN_VOID();
}
