/*-------------------------------------------------------------------------
 *
 * columns.c
 *		  The columns a scan reads: where each column of a foreign table is
 *		  found in a row, and the pager's map of them.
 *
 * A column reads its json_path option, else the descriptor column of its
 * name (whose JSON path may differ from the name).  The pager converts
 * rows to exactly the columns its owner retrieves (RfRowContext); the
 * scan, ANALYZE and the id prefetch fill it here alike, and describe()
 * reads the same paths.
 *
 * Not here: what a path means (jsonpage.h references), converting values
 * (json.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "utils/rel.h"

#include "columns.h"
#include "json.h"
#include "vendor.h"

/*
 * The JSON path of a column of a foreign table: its json_path option, else
 * the endpoint's column of that name; an error naming the endpoint's
 * columns when there is neither.  *col is the descriptor column, if any.
 */
const char *
rf_column_path(const RfEndpoint *ep, Oid relid, AttrNumber attno,
			   const char *attname, const char *relname, const RfColumn **col)
{
	const char *path = NULL;
	ListCell   *lo;

	*col = NULL;
	foreach(lo, GetForeignColumnOptions(relid, attno))
	{
		DefElem    *def = lfirst_node(DefElem, lo);

		if (strcmp(def->defname, "json_path") == 0)
			path = defGetString(def);
	}
	if (path == NULL && (*col = rf_column_lookup(ep, attname)) != NULL)
		path = (*col)->json_path ? (*col)->json_path : (*col)->name;
	if (path == NULL)
	{
		StringInfoData names;

		initStringInfo(&names);
		for (int c = 0; c < ep->ncolumns; c++)
			appendStringInfo(&names, "%s%s", c ? ", " : "", ep->columns[c].name);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
				 errmsg("column \"%s\" of foreign table \"%s\" matches no field of %s",
						attname, relname, ep->resource),
				 errdetail("Columns of %s: %s.", ep->resource, names.data),
				 errhint("Rename the column, or map it with OPTIONS (json_path 'field.subfield').")));
	}
	return path;
}

/* How each retrieved column is found in a row (the pager's row context) */
void
rf_pager_columns(RfPager *pg, Relation rel, List *attrs)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ListCell   *lc;
	int			i = 0;

	pg->rowctx.cols = palloc0(sizeof(RfColMap) * Max(list_length(attrs), 1));
	foreach(lc, attrs)
	{
		AttrNumber	attno = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(tupdesc, attno - 1);
		char	   *attname = pstrdup(NameStr(att->attname));
		const RfColumn *col;
		const char *path = rf_column_path(pg->ep, RelationGetRelid(rel), attno,
									   attname, pg->relname, &col);

		pg->rowctx.cols[i].attnum = attno;
		rf_colmap_init(&pg->rowctx.cols[i], attname, att->atttypid,
					   att->atttypmod, path);
		i++;
	}
	pg->rowctx.ncols = i;
	pg->rowctx.relname = pg->relname;
	pg->rowctx.vendor = pg->opts.vendor->name;
	pg->rowctx.endpoint = pg->endpoint_label;
}
