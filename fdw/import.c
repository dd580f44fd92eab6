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

/*
 * Every name of LIMIT TO or EXCEPT must be one of the vendor's tables.  A
 * misspelt LIMIT TO name would import nothing without a word, so it is an
 * error; a misspelt EXCEPT name imports the table the user meant to leave
 * out, which is visible and undone by DROP FOREIGN TABLE, so it is a
 * warning (postgres_fdw says nothing in either case).
 */
static void
check_listed_tables(ImportForeignSchemaStmt *stmt, ForeignServer *server,
					const RfVendor *vendor)
{
	StringInfoData unknown;
	StringInfoData known;
	ListCell   *lc;
	int			nunknown = 0;
	bool		limit_to = stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO;

	if (stmt->list_type == FDW_IMPORT_SCHEMA_ALL)
		return;
	initStringInfo(&unknown);
	foreach(lc, stmt->table_list)
	{
		const char *name = ((RangeVar *) lfirst(lc))->relname;
		bool		found = false;

		for (int i = 0; i < vendor->nendpoints && !found; i++)
			found = strcmp(vendor->endpoints[i].resource, name) == 0;
		if (found)
			continue;
		appendStringInfo(&unknown, "%s\"%s\"", nunknown ? ", " : "", name);
		nunknown++;
	}
	if (nunknown == 0)
		return;
	initStringInfo(&known);
	for (int i = 0; i < vendor->nendpoints; i++)
		appendStringInfo(&known, "%s%s", i ? ", " : "",
						 vendor->endpoints[i].resource);
	ereport(limit_to ? ERROR : WARNING,
			(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
			 errmsg("vendor \"%s\" has no table%s %s",
					vendor->name, nunknown == 1 ? "" : "s", unknown.data),
			 limit_to ?
			 errdetail("The tables of remote schema \"%s\" are the vendor's: %s.",
					   vendor->name, known.data) :
			 errdetail("EXCEPT leaves nothing out for %s: every other table of the vendor is imported.  The vendor's tables are: %s.",
					   nunknown == 1 ? "it" : "them", known.data),
			 errhint("Name the vendor's tables, for example: IMPORT FOREIGN SCHEMA %s %s (%s) FROM SERVER %s INTO public;",
					 vendor->name, limit_to ? "LIMIT TO" : "EXCEPT",
					 vendor->endpoints[0].resource,
					 quote_identifier(server->servername))));
}

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
	check_listed_tables(stmt, server, opts.vendor);

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
