/*-------------------------------------------------------------------------
 *
 * import.c
 *		  IMPORT FOREIGN SCHEMA: a vendor's tables, from its descriptors.
 *
 * The remote schema is the vendor's name; each endpoint is a table with
 * every documented column, typed as the descriptor says.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "import.h"
#include "option.h"
#include "vendor.h"

/* ----------------------------------------------------------------
 *		IMPORT FOREIGN SCHEMA
 * ----------------------------------------------------------------
 */

static bool
table_selected(ImportForeignSchemaStmt *stmt, const char *name)
{
	ListCell   *lc;
	bool		listed = false;

	if (stmt->list_type == FDW_IMPORT_SCHEMA_ALL)
		return true;
	foreach(lc, stmt->table_list)
		listed |= strcmp(((RangeVar *) lfirst(lc))->relname, name) == 0;
	return stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO ? listed : !listed;
}

/*
 * ImportForeignSchema: the remote schema is the vendor's name; its tables
 * are the vendor's resources, with every documented column, honouring
 * LIMIT TO and EXCEPT.
 */
List *
rf_ImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ForeignServer *server = GetForeignServer(serverOid);
	RfOptions	opts;
	List	   *result = NIL;

	rf_get_server_options(server, &opts);
	if (strcmp(stmt->remote_schema, opts.vendor->name) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("server \"%s\" has no remote schema \"%s\"",
						server->servername, stmt->remote_schema),
				 errdetail("The server is for vendor \"%s\".", opts.vendor->name),
				 errhint("Use IMPORT FOREIGN SCHEMA %s FROM SERVER %s INTO ...;",
						 opts.vendor->name, quote_identifier(server->servername))));

	for (int i = 0; i < opts.vendor->nendpoints; i++)
	{
		const RfEndpoint *ep = &opts.vendor->endpoints[i];
		StringInfoData buf;

		if (!table_selected(stmt, ep->resource))
			continue;
		initStringInfo(&buf);
		appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (",
						 quote_identifier(ep->resource));
		for (int c = 0; c < ep->ncolumns; c++)
			appendStringInfo(&buf, "%s\n  %s %s", c ? "," : "",
							 quote_identifier(ep->columns[c].name),
							 rf_type_sql(ep->columns[c].type));
		appendStringInfo(&buf, "\n) SERVER %s OPTIONS (resource %s)",
						 quote_identifier(server->servername),
						 quote_literal_cstr(ep->resource));
		result = lappend(result, buf.data);
	}
	return result;
}
