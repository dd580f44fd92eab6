/*-------------------------------------------------------------------------
 *
 * modify.c
 *		  INSERT and UPDATE through retail_fdw foreign tables, and single
 *		  requests made outside a scan (SQL functions, writes).
 *
 * A write endpoint is described by an RfWrite in the vendor's descriptor:
 * which columns may be sent, the path and method, the column that
 * identifies a row for UPDATE, and what the API refuses.  The body is a
 * JSON object of the written columns under their JSON names; the vendor's
 * answer is the written object, which fills the returned slot (RETURNING
 * sees the new uuid).  Nothing here is vendor specific.
 *
 * Not for: scans (retail_fdw.c), HTTP details (http.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "nodes/makefuncs.h"
#include "miscadmin.h"
#include "optimizer/appendinfo.h"
#include "optimizer/inherit.h"
#include "optimizer/pathnode.h"
#include "optimizer/plancat.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "modify.h"
#include "connection.h"
#include "json.h"
#include "netpolicy.h"
#include "option.h"
#include "reqplan.h"
#include "vendor.h"

#define RF_KEY_JUNK "rf_write_key"

/* Per-modify state */
typedef struct RfModifyState
{
	RfOptions	opts;
	const RfWrite *write;
	RfConn	   *conn;
	MemoryContext temp_cxt;
	char	   *relname;
	Oid			relid;
	Oid			key_type;		/* UPDATE: SQL type of the key column */
	List	   *target_attrs;	/* attnums written */
	AttrNumber	key_junk;		/* UPDATE: the key in the plan's output */
	RfRowContext rowctx;		/* every column, to fill the result */
} RfModifyState;

static bool
name_in(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static char *
name_list(const char *const *list)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (; list && *list; list++)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", *list);
	return buf.data;
}

/* The JSON name of a column: its json_path option, the descriptor's, or itself */
static const char *
column_json_name(Oid relid, AttrNumber attno, const RfEndpoint *ep,
				 const char *attname)
{
	const RfColumn *col;
	ListCell   *lc;

	foreach(lc, GetForeignColumnOptions(relid, attno))
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "json_path") == 0)
			return defGetString(def);
	}
	col = rf_column_lookup(ep, attname);
	if (col && col->json_path)
		return col->json_path;
	return attname;
}

/* ----------------------------------------------------------------
 *		One request outside a scan
 * ----------------------------------------------------------------
 */

/*
 * Make one request and return its parsed body as a page of one object (at
 * response_path), or NULL after an allowed 404.  Errors are raised as for
 * scans.  The caller owns nothing but the page.
 */
RfPage *
rf_request_once(RfConn *conn, const RfOptions *opts, const char *method,
				const char *path, const char *body, bool idempotent,
				bool allow_404, const char *response_path, long *status)
{
	RfHttpRequest req;
	RfJsonParser *parser = rf_json_parser_create(CurrentMemoryContext);
	RfBodySink	sink = rf_json_parser_sink(parser);
	RfTransfer *xfer;
	RfStats		stats;
	RfPage	   *page = NULL;
	char	   *label = psprintf("%s %s", method, path);

	memset(&req, 0, sizeof(req));
	memset(&stats, 0, sizeof(stats));
	req.endpoint = label;
	req.method = method;
	req.url = psprintf("%s%s", opts->base_url, path);
	req.body = (char *) body;
	req.idempotent = idempotent;
	req.allow_404 = allow_404;
	xfer = rf_http_send(conn, &req, &sink);
	if (status)
		*status = rf_http_status(xfer);
	if (!(allow_404 && rf_http_status(xfer) == 404))
		page = rf_json_parser_finish_object(parser, response_path,
											opts->vendor->name, label);
	rf_http_release(xfer, &stats);
	return page;
}

/* ----------------------------------------------------------------
 *		Planning
 * ----------------------------------------------------------------
 */

int
rf_IsForeignRelUpdatable(Relation rel)
{
	RfOptions	opts;
	const RfWrite *w;
	int			ops = 0;

	rf_get_options(RelationGetRelid(rel), &opts);
	w = opts.endpoint->write;
	if (w == NULL)
		return 0;

	/*
	 * Only what the API can do: COPY and tuple routing into a partition ask
	 * this and nothing else.  DELETE is "supported" so that planning can
	 * refuse it with a reason.
	 */
	if (w->insert_method)
		ops |= 1 << CMD_INSERT;
	if (w->update_method && w->key_column)
		ops |= 1 << CMD_UPDATE;
	return ops | (1 << CMD_DELETE);
}

void
rf_AddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
							  RangeTblEntry *target_rte,
							  Relation target_relation)
{
	RfOptions	opts;
	const RfWrite *w;
	AttrNumber	attno = InvalidAttrNumber;
	TupleDesc	tupdesc = RelationGetDescr(target_relation);
	Var		   *var;

	rf_get_options(RelationGetRelid(target_relation), &opts);
	w = opts.endpoint->write;
	if (w == NULL || w->key_column == NULL)
		return;
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), w->key_column) == 0)
			attno = att->attnum;
	}
	if (attno == InvalidAttrNumber)
		return;					/* reported by PlanForeignModify */
	var = makeVar(rtindex, attno, TupleDescAttr(tupdesc, attno - 1)->atttypid,
				  TupleDescAttr(tupdesc, attno - 1)->atttypmod,
				  TupleDescAttr(tupdesc, attno - 1)->attcollation, 0);
	add_row_identity_var(root, var, rtindex, RF_KEY_JUNK);
}

List *
rf_PlanForeignModify(PlannerInfo *root, ModifyTable *plan,
						Index resultRelation, int subplan_index)
{
	CmdType		operation = plan->operation;
	RangeTblEntry *rte = planner_rt_fetch(resultRelation, root);
	Relation	rel = table_open(rte->relid, NoLock);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	RfOptions	opts;
	const RfWrite *w;
	List	   *target_attrs = NIL;
	const char *relname = RelationGetRelationName(rel);

	rf_get_options(rte->relid, &opts);
	w = opts.endpoint->write;

	/*
	 * The planner asks this of every foreign result relation before the
	 * executor checks IsForeignRelUpdatable, so a read-only table (no write
	 * descriptor at all) is refused here, with the same words as PostgreSQL.
	 */
	if (w == NULL && operation != CMD_DELETE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot %s foreign table \"%s\"",
						operation == CMD_INSERT ? "insert into" :
						operation == CMD_UPDATE ? "update" : "change", relname),
				 errdetail("The vendor's API has no way to write %s; the table is read-only.",
						   opts.endpoint->resource),
				 errhint("Copy the rows into a local table to change them there.")));

	if (operation == CMD_DELETE)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot delete from foreign table \"%s\"", relname),
				 errdetail("%s", w && w->no_delete_reason ? w->no_delete_reason :
						   "The vendor's API has no way to delete these rows."),
				 errhint("Remove rows in the vendor's own user interface.")));

	if (operation == CMD_INSERT)
	{
		if (w->insert_method == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("cannot insert into foreign table \"%s\"", relname),
					 errdetail("The vendor's API does not create %s.", opts.endpoint->resource)));
		for (int i = 0; i < tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);

			if (!att->attisdropped && name_in(w->insert_columns, NameStr(att->attname)))
				target_attrs = lappend_int(target_attrs, att->attnum);
		}
	}
	else if (operation == CMD_UPDATE)
	{
		RelOptInfo *relinfo = find_base_rel(root, resultRelation);
		Bitmapset  *cols = get_rel_all_updated_cols(root, relinfo);
		int			col = -1;
		bool		has_key = false;

		if (w->update_method == NULL || w->key_column == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("cannot update foreign table \"%s\"", relname),
					 errdetail("The vendor's API does not change %s.", opts.endpoint->resource)));
		for (int i = 0; i < tupdesc->natts; i++)
			has_key |= !TupleDescAttr(tupdesc, i)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(tupdesc, i)->attname), w->key_column) == 0;
		if (!has_key)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
					 errmsg("foreign table \"%s\" needs the column \"%s\" to be updated",
							relname, w->key_column),
					 errhint("Add the column \"%s\" to the foreign table.", w->key_column)));
		while ((col = bms_next_member(cols, col)) >= 0)
		{
			AttrNumber	attno = col + FirstLowInvalidHeapAttributeNumber;
			const char *attname;

			if (attno <= InvalidAttrNumber)
				continue;
			attname = NameStr(TupleDescAttr(tupdesc, attno - 1)->attname);
			if (!name_in(w->update_columns, attname))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("column \"%s\" of foreign table \"%s\" cannot be changed",
								attname, relname),
						 errdetail("The vendor's API changes only: %s.",
								   name_list(w->update_columns)),
						 errhint("Leave \"%s\" out of the SET list.", attname)));
			target_attrs = lappend_int(target_attrs, attno);
		}
	}
	table_close(rel, NoLock);
	return list_make1(target_attrs);
}

/* ----------------------------------------------------------------
 *		Execution
 * ----------------------------------------------------------------
 */

static void
release_modify_conn(void *arg)
{
	RfModifyState *ms = arg;

	if (ms->conn)
		rf_http_disconnect(ms->conn);
	ms->conn = NULL;
}

/*
 * The state of a write, for a planned INSERT/UPDATE and for COPY or tuple
 * routing into the table (BeginForeignInsert), which are never planned.
 */
static void
modify_begin(ResultRelInfo *rinfo, EState *estate, CmdType operation,
			 List *target_attrs, Plan *subplan, Oid userid, bool explain_only)
{
	Relation	rel = rinfo->ri_RelationDesc;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	RfModifyState *ms;
	MemoryContextCallback *release;
	int			n = 0;

	ms = MemoryContextAllocZero(estate->es_query_cxt, sizeof(RfModifyState));
	rinfo->ri_FdwState = ms;
	rf_get_options(RelationGetRelid(rel), &ms->opts);
	ms->write = ms->opts.endpoint->write;
	ms->relname = pstrdup(RelationGetRelationName(rel));
	ms->relid = RelationGetRelid(rel);
	ms->target_attrs = target_attrs;
	ms->temp_cxt = AllocSetContextCreate(estate->es_query_cxt, "retail_fdw modify",
										 ALLOCSET_SMALL_SIZES);
	if (ms->write == NULL ||
		(operation == CMD_INSERT && ms->write->insert_method == NULL) ||
		(operation == CMD_UPDATE && (ms->write->update_method == NULL ||
									 ms->write->key_column == NULL)))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot %s foreign table \"%s\"",
						operation == CMD_UPDATE ? "update" : "insert into", ms->relname),
				 errdetail("The vendor's API does not %s %s.",
						   operation == CMD_UPDATE ? "change" : "create",
						   ms->opts.endpoint->resource)));
	if (operation == CMD_UPDATE)
	{
		ms->key_junk = ExecFindJunkAttributeInTlist(subplan->targetlist, RF_KEY_JUNK);
		if (!AttributeNumberIsValid(ms->key_junk))
			elog(ERROR, "could not find the row key of foreign table \"%s\"", ms->relname);
	}

	/* every column that maps to the answer fills the returned row */
	ms->rowctx.cols = palloc0(sizeof(RfColMap) * Max(tupdesc->natts, 1));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		const char *attname = NameStr(att->attname);

		if (att->attisdropped)
			continue;
		if (ms->write->key_column && strcmp(attname, ms->write->key_column) == 0)
			ms->key_type = att->atttypid;
		ms->rowctx.cols[n].attnum = att->attnum;
		rf_colmap_init(&ms->rowctx.cols[n], pstrdup(attname), att->atttypid,
					   att->atttypmod,
					   column_json_name(RelationGetRelid(rel), att->attnum,
										ms->opts.endpoint, attname));
		n++;
	}
	ms->rowctx.ncols = n;
	ms->rowctx.relname = ms->relname;
	ms->rowctx.vendor = ms->opts.vendor->name;
	ms->rowctx.endpoint = ms->opts.endpoint->resource;

	if (explain_only)
		return;
	ms->conn = rf_http_connect(&ms->opts, userid);

	/* in the context it watches, never in a stack frame */
	release = MemoryContextAlloc(estate->es_query_cxt, sizeof(MemoryContextCallback));
	release->func = release_modify_conn;
	release->arg = ms;
	MemoryContextRegisterResetCallback(estate->es_query_cxt, release);
}

void
rf_BeginForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						 List *fdw_private, int subplan_index, int eflags)
{
	EState	   *estate = mtstate->ps.state;
	RangeTblEntry *rte = exec_rt_fetch(rinfo->ri_RangeTableIndex, estate);
	Oid			userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();

	modify_begin(rinfo, estate, mtstate->operation, linitial(fdw_private),
				 mtstate->operation == CMD_UPDATE ? outerPlanState(mtstate)->plan : NULL,
				 userid, (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0);
}

/*
 * BeginForeignInsert: COPY into the table, or a row routed to it as a
 * partition.  Neither is planned, so the written columns are every column
 * the API accepts.  A partition's range table entry may not exist (COPY),
 * so the user is the current one, as for COPY into a local table.
 */
void
rf_BeginForeignInsert(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	Relation	rel = rinfo->ri_RelationDesc;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	EState	   *estate = mtstate->ps.state;
	RfOptions	opts;
	List	   *target_attrs = NIL;
	Oid			userid = GetUserId();

	rf_get_options(RelationGetRelid(rel), &opts);
	if (opts.endpoint->write)
		for (int i = 0; i < tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);

			if (!att->attisdropped &&
				name_in(opts.endpoint->write->insert_columns, NameStr(att->attname)))
				target_attrs = lappend_int(target_attrs, att->attnum);
		}
	if (rinfo->ri_RangeTableIndex > 0 &&
		(int) rinfo->ri_RangeTableIndex <= list_length(estate->es_range_table))
	{
		RangeTblEntry *rte = exec_rt_fetch(rinfo->ri_RangeTableIndex, estate);

		if (rte->relid == RelationGetRelid(rel) && OidIsValid(rte->checkAsUser))
			userid = rte->checkAsUser;
	}
	modify_begin(rinfo, estate, CMD_INSERT, target_attrs, NULL, userid, false);
}

/*
 * ExplainForeignModify: with VERBOSE, the request each row makes and the
 * columns its body carries (the key of an UPDATE goes into the path).
 */
void
rf_ExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						   List *fdw_private, int subplan_index, ExplainState *es)
{
	RfModifyState *ms = rinfo->ri_FdwState;
	const RfWrite *w;
	StringInfoData cols;
	ListCell   *lc;
	TupleDesc	tupdesc;

	if (!es->verbose || ms == NULL || ms->write == NULL)
		return;
	w = ms->write;
	tupdesc = RelationGetDescr(rinfo->ri_RelationDesc);
	initStringInfo(&cols);
	foreach(lc, ms->target_attrs)
		appendStringInfo(&cols, "%s%s", cols.len ? ", " : "",
						 NameStr(TupleDescAttr(tupdesc, lfirst_int(lc) - 1)->attname));
	if (mtstate->operation == CMD_INSERT)
		ExplainPropertyText("Request per row",
							psprintf("%s %s", w->insert_method, w->insert_path), es);
	else if (mtstate->operation == CMD_UPDATE)
		ExplainPropertyText("Request per row",
							psprintf("%s %s", w->update_method, w->update_path), es);
	ExplainPropertyText("Body columns", cols.len ? cols.data : "(none)", es);
}

void
rf_EndForeignInsert(EState *estate, ResultRelInfo *rinfo)
{
	/* as for EndForeignModify: the connection goes back with the query's memory */
}

/* Append one value as JSON, typed by its SQL type */
static void
append_json_value(StringInfo buf, Datum value, Oid typid)
{
	Oid			outfunc;
	bool		isvarlena;
	char	   *text;

	getTypeOutputInfo(typid, &outfunc, &isvarlena);
	text = OidOutputFunctionCall(outfunc, value);
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
			if (strcmp(text, "NaN") == 0 || strstr(text, "Infinity"))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("JSON has no number %s", text)));
			appendStringInfoString(buf, text);
			break;
		case BOOLOID:
			appendStringInfoString(buf, DatumGetBool(value) ? "true" : "false");
			break;
		case JSONOID:
		case JSONBOID:
			appendStringInfoString(buf, text);
			break;
		default:
			escape_json(buf, text);
	}
}

/* The request body: the target columns of the slot */
static char *
build_body(RfModifyState *ms, TupleTableSlot *slot, bool insert)
{
	TupleDesc	tupdesc = slot->tts_tupleDescriptor;
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	slot_getallattrs(slot);
	foreach(lc, ms->target_attrs)
	{
		AttrNumber	attno = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(tupdesc, attno - 1);
		const char *attname = NameStr(att->attname);
		bool		isnull = slot->tts_isnull[attno - 1];
		Datum		value = slot->tts_values[attno - 1];

		if (insert && isnull)
			continue;			/* the vendor's default */
		if (insert && ms->write->refuse_insert && att->atttypid == TEXTOID)
		{
			char	   *given = TextDatumGetCString(value);
			const char *reason = ms->write->refuse_insert(attname, given);

			if (reason)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("%s cannot create a %s with %s = '%s'",
								ms->opts.vendor->name, ms->opts.endpoint->resource,
								attname, given),
						 errdetail("%s", reason),
						 errhint("Valid values are the ones the vendor's API documents.")));
		}
		if (!first)
			appendStringInfoChar(&buf, ',');
		first = false;
		escape_json(&buf, column_json_name(ms->relid, attno, ms->opts.endpoint, attname));
		appendStringInfoChar(&buf, ':');
		if (isnull)
			appendStringInfoString(&buf, "null");
		else
			append_json_value(&buf, value, att->atttypid);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* Fill the slot from the vendor's answer */
static TupleTableSlot *
store_answer(RfModifyState *ms, TupleTableSlot *slot, RfPage *page)
{
	int			natts = slot->tts_tupleDescriptor->natts;

	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, sizeof(bool) * natts);
	if (page && rf_page_nrows(page) == 1)
		rf_page_row(page, 0, &ms->rowctx, slot->tts_values, slot->tts_isnull);
	return ExecStoreVirtualTuple(slot);
}

TupleTableSlot *
rf_ExecForeignInsert(EState *estate, ResultRelInfo *rinfo,
						TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	RfModifyState *ms = rinfo->ri_FdwState;
	const RfWrite *w = ms->write;
	MemoryContext old;
	TupleDesc	tupdesc = slot->tts_tupleDescriptor;
	char	   *body;
	RfPage	   *page;

	/* the previous row's request and answer are no longer needed */
	MemoryContextReset(ms->temp_cxt);
	old = MemoryContextSwitchTo(ms->temp_cxt);
	slot_getallattrs(slot);
	for (const char *const *req = w->insert_required; req && *req; req++)
	{
		bool		given = false;

		for (int i = 0; i < tupdesc->natts; i++)
			if (strcmp(NameStr(TupleDescAttr(tupdesc, i)->attname), *req) == 0)
				given = !slot->tts_isnull[i];
		if (!given)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("a new row of foreign table \"%s\" needs \"%s\"", ms->relname, *req),
					 errdetail("The vendor's API requires: %s.", name_list(w->insert_required))));
	}
	body = build_body(ms, slot, true);
	if (w->insert_key)
	{
		StringInfoData wrapped;

		initStringInfo(&wrapped);
		appendStringInfoChar(&wrapped, '{');
		escape_json(&wrapped, w->insert_key);
		appendStringInfo(&wrapped, ":%s}", body);
		body = wrapped.data;
	}
	page = rf_request_once(ms->conn, &ms->opts, w->insert_method, w->insert_path,
						   body, false, false, w->answer_path, NULL);
	MemoryContextSwitchTo(old);
	slot = store_answer(ms, slot, page);
	return slot;
}

TupleTableSlot *
rf_ExecForeignUpdate(EState *estate, ResultRelInfo *rinfo,
						TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	RfModifyState *ms = rinfo->ri_FdwState;
	const RfWrite *w = ms->write;
	MemoryContext old;
	bool		isnull;
	Datum		key = ExecGetJunkAttribute(planSlot, ms->key_junk, &isnull);
	char	   *keytext;
	char	   *path;
	char	   *token;
	char	   *at;
	RfPage	   *page;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a row of foreign table \"%s\" without \"%s\" cannot be updated",
						ms->relname, w->key_column)));
	MemoryContextReset(ms->temp_cxt);
	old = MemoryContextSwitchTo(ms->temp_cxt);
	keytext = rf_format_value(key, ms->key_type);
	token = psprintf("{%s}", w->key_column);
	at = strstr(w->update_path, token);
	path = at ? psprintf("%.*s%s%s", (int) (at - w->update_path), w->update_path,
						 rf_http_escape(keytext), at + strlen(token)) :
		pstrdup(w->update_path);
	page = rf_request_once(ms->conn, &ms->opts, w->update_method, path,
						   build_body(ms, slot, false), true, false,
						   w->answer_path, NULL);
	MemoryContextSwitchTo(old);
	return store_answer(ms, slot, page);
}

void
rf_EndForeignModify(EState *estate, ResultRelInfo *rinfo)
{
	/* the connection goes back to the cache when the query's memory does */
}
