/*-------------------------------------------------------------------------
 *
 * fdwexec.c
 *		  The scan callbacks of retail_fdw: begin, iterate, rescan and end
 *		  a foreign scan, share it with parallel workers, and EXPLAIN it.
 *
 * Execution evaluates the pushed values, turns them into request series,
 * and hands them to the scan's pager (scan.c), which streams pages: a scan
 * holds only what is in flight, never the whole result.  A SELECT without
 * the range a table needs (a LIMIT, a cursor, a client's row limit) reads
 * the most recent days one at a time, as far as rows are fetched.  The
 * executor rechecks every qual locally: pushing down is an optimisation,
 * never the only filter.
 *
 * Not here: planning (fdwplan.c, whose RfPrivate says what the plan holds).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_oper.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "tcop/pquery.h"
#include "utils/portal.h"
#include "utils/syscache.h"
#include "utils/tuplesort.h"

#include "cache.h"
#include "columns.h"
#include "connection.h"
#include "fdwexec.h"
#include "fdwplan.h"
#include "option.h"
#include "prefetch.h"
#include "progress.h"
#include "reqplan.h"
#include "scan.h"
#include "vendor.h"

/* Requests EXPLAIN lists before it summarizes */
#define RF_EXPLAIN_MAX_REQUESTS 20

typedef struct RfScanState
{
	RfPager		pg;				/* requests, pages and rows (scan.c) */
	MemoryContext row_cxt;		/* one row's Datums */
	MemoryContextCallback release_conn;
	char	   *auth_shown;		/* for EXPLAIN, secrets redacted */
	List	   *qual_ops;
	List	   *qual_exprs;		/* ExprState *, parallel to qual_ops */
	List	   *qual_plain;		/* the Exprs, for EXPLAIN */
	bool		explain_only;
	bool		started;		/* the run's series are planned */
	RfStats		worker_stats;	/* a parallel scan's workers' counters */
	int			workers_done;	/* workers that reported them */
	RfPrefetch *prefetch;		/* id prefetch (prefetch.c), or NULL */
	bool		prefetched;		/* the run is answered by the prefetch */

	/* no range (a LIMIT, a cursor, a row limit): days read backwards */
	int			preview;		/* pushdown index of the range, or -1 */
	RfPreviewMode preview_mode;
	AttrNumber	preview_attno;	/* the range's attribute, or 0 */
	bool		preview_sorted; /* each day sorted descending on it */
	int			preview_day;	/* days back from today being read */
	DateADT		preview_today;
	Datum		preview_lo;		/* the day read: rows from lo ... */
	Datum		preview_hi;		/* ... to before hi (none for today) */
	Oid			preview_typid;	/* its type: date or timestamptz */
	Tuplesortstate *day_sort;	/* a sorted preview's current day */
	TupleTableSlot *sort_slot;
} RfScanState;

/*
 * How many days a LIMIT without a range reads backwards, today included,
 * before it gives up (retail_fdw.preview_days, defined by _PG_init)
 */
int			rf_preview_days = 31;

/* ----------------------------------------------------------------
 *		Execution
 * ----------------------------------------------------------------
 */

static void
release_conn_callback(void *arg)
{
	RfScanState *st = (RfScanState *) arg;

	if (st->pg.conn)
		rf_http_disconnect(st->pg.conn);
	st->pg.conn = NULL;
}

/* The user whose mapping the scan uses, as ExecCheckRTEPerms decides */
static Oid
scan_user(ForeignScanState *node)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	RangeTblEntry *rte = exec_rt_fetch(fsplan->scan.scanrelid, node->ss.ps.state);

	return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
}

/* The auth line for EXPLAIN; without a user mapping, only its absence */
static char *
describe_auth(RfScanState *st, ForeignScanState *node)
{
	Oid			userid = scan_user(node);
	RfCredentials cred;

	if (!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
							   ObjectIdGetDatum(st->pg.opts.serverid)) &&
		!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							   ObjectIdGetDatum(st->pg.opts.serverid)))
		return pstrdup("no user mapping");
	rf_get_credentials(GetForeignServer(st->pg.opts.serverid), userid, &cred);
	return rf_http_describe_auth(st->pg.opts.vendor, &cred);
}

/*
 * BeginForeignScan: set up the scan's state from the plan: options, column
 * map, pager, and (unless this is EXPLAIN without ANALYZE) a reference to
 * the cached connection of the user mapping the permission check chose.
 * No request is made until the first row is asked for.
 */
void
rf_BeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	Relation	rel = node->ss.ss_currentRelation;
	RfScanState *st = palloc0(sizeof(RfScanState));
	List	   *ops = list_nth(fsplan->fdw_private, RF_PRIV_OPS);
	List	   *attrs = list_nth(fsplan->fdw_private, RF_PRIV_ATTRS);
	MemoryContext old;

	node->fdw_state = st;
	st->pg.estate = estate;
	st->pg.cxt = AllocSetContextCreate(estate->es_query_cxt, "retail_fdw scan",
									ALLOCSET_DEFAULT_SIZES);
	st->row_cxt = AllocSetContextCreate(estate->es_query_cxt, "retail_fdw row",
										ALLOCSET_SMALL_SIZES);
	rf_get_options(RelationGetRelid(rel), &st->pg.opts);
	st->pg.ep = st->pg.opts.endpoint;
	st->pg.relname = pstrdup(RelationGetRelationName(rel));
	st->pg.endpoint_label = psprintf("%s %s", st->pg.ep->method, st->pg.ep->path);
	st->qual_ops = ops;
	st->qual_plain = fsplan->fdw_exprs;
	st->qual_exprs = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	st->pg.limit = intVal(list_nth(fsplan->fdw_private, RF_PRIV_LIMIT));
	st->preview = intVal(list_nth(fsplan->fdw_private, RF_PRIV_PREVIEW));
	{
		List	   *how = list_nth(fsplan->fdw_private, RF_PRIV_PREVIEW_HOW);

		st->preview_mode = (RfPreviewMode) linitial_int(how);
		st->preview_attno = (AttrNumber) lsecond_int(how);
		st->preview_sorted = lthird_int(how) != 0;
		if (st->preview_attno > 0)
			st->preview_typid = TupleDescAttr(RelationGetDescr(rel),
											  st->preview_attno - 1)->atttypid;
	}
	st->pg.sort = -1;
	if (list_nth(fsplan->fdw_private, RF_PRIV_SORT) != NIL)
	{
		List	   *sort = list_nth(fsplan->fdw_private, RF_PRIV_SORT);

		st->pg.sort = linitial_int(sort);
		st->pg.sort_desc = lsecond_int(sort) != 0;
	}
	st->pg.page_size = rf_effective_page_size(&st->pg.opts, st->pg.limit);
	st->explain_only = (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0;
	st->prefetch = rf_prefetch_begin(node, list_nth(fsplan->fdw_private,
													RF_PRIV_PREFETCH));
	rf_pager_columns(&st->pg, rel, attrs);
	st->auth_shown = describe_auth(st, node);

	if (st->explain_only)
		return;

	/* the connection outlives the scan; the scan only holds a reference */
	old = MemoryContextSwitchTo(st->pg.cxt);
	st->pg.conn = rf_http_connect(&st->pg.opts, scan_user(node));
	st->pg.umid = GetUserMapping(scan_user(node), st->pg.opts.serverid)->umid;
	MemoryContextSwitchTo(old);
	st->release_conn.func = release_conn_callback;
	st->release_conn.arg = st;
	MemoryContextRegisterResetCallback(estate->es_query_cxt, &st->release_conn);
}

/* Does an expression depend on executor params (nestloop or initplan)? */
static bool
has_exec_param_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXEC)
		return true;
	return expression_tree_walker(node, has_exec_param_walker, context);
}

/*
 * Evaluate the pushed values.  In EXPLAIN without ANALYZE, values fed by
 * the outer side of a join are unknown: they are shown as $n placeholders
 * when they are equality values, and *unknown is set when a range bound
 * depends on them (then no request list can be shown).
 */
static List *
evaluate_quals(ForeignScanState *node, RfScanState *st, bool explain,
			   bool *unknown)
{
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	List	   *result = NIL;
	ListCell   *lo = list_head(st->qual_ops);
	ListCell   *le;
	ListCell   *lp;
	int			nunknown = 0;

	*unknown = false;
	forboth(le, st->qual_exprs, lp, st->qual_plain)
	{
		RfQualValue *qv = palloc0(sizeof(RfQualValue));
		Expr	   *plain = lfirst(lp);
		Oid			type = exprType((Node *) plain);
		Datum		value;

		qv->pd_index = lfirst_int(lo);
		lo = lnext(st->qual_ops, lo);
		qv->op = lfirst_int(lo);
		lo = lnext(st->qual_ops, lo);
		qv->typid = (qv->op & (RF_OP_IN | RF_OP_SPAN)) ? get_element_type(type) : type;
		result = lappend(result, qv);

		if (explain && has_exec_param_walker((Node *) plain, NULL))
		{
			if (qv->op != RF_OP_EQ)
				*unknown = true;
			qv->values = list_make1(psprintf("$%d", ++nunknown));
			qv->op = RF_OP_IN;	/* a value list, never a bound */
			qv->placeholder = true;
			continue;
		}

		value = ExecEvalExpr(lfirst(le), econtext, &qv->isnull);
		if (qv->isnull)
			continue;
		if (qv->op == RF_OP_SPAN)
		{
			/* [start, exclusive end, the period of start] */
			Datum	   *elems;
			bool	   *nulls;
			int			n;

			deconstruct_array(DatumGetArrayTypeP(value), qv->typid, 8,
							  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
							  &elems, &nulls, &n);
			qv->isnull = (n != 3 || nulls[0] || nulls[1] || nulls[2]);
			/* a v that is not the start of a period matches no row */
			if (!qv->isnull &&
				DatumGetTimestamp(elems[2]) != DatumGetTimestamp(elems[0]))
				qv->isnull = true;
			if (qv->isnull)
				continue;
			qv->value = elems[0];
			qv->value_end = elems[1];
			qv->values = list_make1(rf_format_value(elems[0], qv->typid));
		}
		else if (qv->op == RF_OP_IN)
		{
			ArrayType  *arr = DatumGetArrayTypeP(value);
			int16		typlen;
			bool		typbyval;
			char		typalign;
			Datum	   *elems;
			bool	   *nulls;
			int			n;

			get_typlenbyvalalign(qv->typid, &typlen, &typbyval, &typalign);
			deconstruct_array(arr, qv->typid, typlen, typbyval, typalign,
							  &elems, &nulls, &n);
			for (int i = 0; i < n; i++)
				if (!nulls[i])
					qv->values = lappend(qv->values,
										 rf_format_value(elems[i], qv->typid));
		}
		else
		{
			qv->value = value;
			qv->values = list_make1(rf_format_value(value, qv->typid));
		}
	}
	return result;
}

static char *
preview_day_text(RfScanState *st, int back)
{
	return DatumGetCString(DirectFunctionCall1(date_out,
											   DateADTGetDatum(st->preview_today - back)));
}

/* The bounds of the day being read, as the range column's Datums */
static void
preview_set_day(RfScanState *st)
{
	DateADT		day = st->preview_today - st->preview_day;

	if (st->preview_typid == DATEOID)
	{
		st->preview_lo = DateADTGetDatum(day);
		st->preview_hi = DateADTGetDatum(day + 1);
	}
	else
	{
		st->preview_lo = DirectFunctionCall1(date_timestamptz, DateADTGetDatum(day));
		st->preview_hi = DirectFunctionCall1(date_timestamptz, DateADTGetDatum(day + 1));
	}
}

/*
 * Is the row of the day being read?  The request asked for that day; the
 * row is kept only if its range says so too (the recheck a pushed range
 * would have), so that no row is returned for two days and a sorted
 * preview's days follow each other.  Today's reading has no upper bound.
 */
static bool
preview_keeps(RfScanState *st, TupleTableSlot *slot)
{
	AttrNumber	a = st->preview_attno;
	Datum		v;

	if (st->preview < 0 || a <= 0)
		return true;
	if (slot->tts_isnull[a - 1])
		return false;
	v = slot->tts_values[a - 1];
	if (st->preview_typid == DATEOID)
		return DatumGetDateADT(v) >= DatumGetDateADT(st->preview_lo) &&
			(st->preview_day == 0 || DatumGetDateADT(v) < DatumGetDateADT(st->preview_hi));
	return DatumGetTimestampTz(v) >= DatumGetTimestampTz(st->preview_lo) &&
		(st->preview_day == 0 ||
		 DatumGetTimestampTz(v) < DatumGetTimestampTz(st->preview_hi));
}

/*
 * The next earlier day of a scan that reads backwards: false when the
 * horizon is reached (and then a NOTICE says the LIMIT was not met; a scan
 * without a LIMIT, whose client wants more rows, fails instead).
 */
static bool
preview_next_day(ForeignScanState *node, RfScanState *st)
{
	const char *column;
	MemoryContext old;
	bool		unknown;
	bool		empty;

	if (st->preview < 0 || st->explain_only)
		return false;
	column = st->pg.ep->pushdown[st->preview].column;
	if (st->preview_day + 1 >= rf_preview_days &&
		st->preview_mode == RF_PREVIEW_OPEN)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
				 errmsg("foreign table \"%s\" needs a lower bound on \"%s\" to be read past the last %d days",
						st->pg.relname, column, rf_preview_days),
				 errdetail("Without a range the rows are read backwards from today only as far as the client fetches them (a cursor, a client's row limit, a LIMIT); the days from %s back to %s were read and more rows were asked for.",
						   preview_day_text(st, 0),
						   preview_day_text(st, rf_preview_days - 1)),
				 errhint("Add a range, e.g. WHERE %s >= '%s', or a LIMIT, or raise retail_fdw.preview_days.",
						 column, preview_day_text(st, rf_preview_days - 1))));
	if (st->preview_day + 1 >= rf_preview_days)
	{
		ereport(NOTICE,
				(errmsg("foreign table \"%s\" has fewer rows than the LIMIT in the last %d days",
						st->pg.relname, rf_preview_days),
				 errdetail("Without a range on \"%s\", the days from %s back to %s were read.",
						   column, preview_day_text(st, 0),
						   preview_day_text(st, rf_preview_days - 1)),
				 errhint("Add a range on \"%s\" to read earlier days, or raise retail_fdw.preview_days.",
						 column)));
		st->preview = -1;
		return false;
	}
	st->preview_day++;
	preview_set_day(st);
	rf_pager_reset(&st->pg);
	old = MemoryContextSwitchTo(st->pg.cxt);
	rf_pager_start(&st->pg,
				   rf_pager_plan(&st->pg,
								 rf_day_bounds(st->pg.ep, st->preview,
											   evaluate_quals(node, st, false, &unknown),
											   st->preview_today - st->preview_day,
											   st->preview_today - st->preview_day + 1),
								 &empty));
	MemoryContextSwitchTo(old);
	return true;
}

/* A fetch of a series' page; url NULL means the series' own target */
static void
start_scan(ForeignScanState *node, RfScanState *st)
{
	MemoryContext old = MemoryContextSwitchTo(st->pg.cxt);
	bool		unknown;
	bool		empty;
	List	   *values = evaluate_quals(node, st, false, &unknown);

	/* a run the id prefetch answers sends nothing */
	if (st->prefetch && st->pg.limit != 0 &&
		rf_prefetch_start_run(st->prefetch, &st->pg, values))
	{
		st->prefetched = true;
		st->started = true;
		MemoryContextSwitchTo(old);
		return;
	}

	if (st->preview >= 0)
	{
		const char *column = st->pg.ep->pushdown[st->preview].column;
		bool		limited = (st->preview_mode == RF_PREVIEW_LIMIT);

		/*
		 * Without a LIMIT only the client's fetching ends the reading; a
		 * command that reads every row (CREATE TABLE AS, REFRESH
		 * MATERIALIZED VIEW, COPY, EXPLAIN ANALYZE) never stops early, so
		 * it is refused before any request, as the planner refuses the
		 * other whole reads.
		 */
		if (!limited && ActivePortal != NULL &&
			ActivePortal->commandTag != CMDTAG_SELECT)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
					 errmsg("foreign table \"%s\" needs a lower bound on \"%s\" to be read whole",
							st->pg.relname, column),
					 errdetail("Without a range only a preview reads recent days, as far as a client fetches rows (a cursor, a client's row limit, a LIMIT); %s reads every row.",
							   GetCommandTagName(ActivePortal->commandTag)),
					 errhint("Add a range, e.g. WHERE %s >= '%s'.", column,
							 DatumGetCString(DirectFunctionCall1(date_out,
																 DateADTGetDatum(rf_today() - 7))))));
		st->preview_today = rf_today();
		st->preview_day = 0;
		preview_set_day(st);
		values = rf_day_bounds(st->pg.ep, st->preview, values, st->preview_today, 0);
		ereport(NOTICE,
				(errmsg("foreign table \"%s\" has no range on \"%s\": %s, one day at a time%s%s",
						st->pg.relname, column,
						limited ? "the LIMIT reads backwards from today" :
						"rows are read backwards from today",
						limited ? "" : ", as far as they are fetched",
						st->preview_sorted ? ", each day sorted" : ""),
				 errdetail("Days from %s back to %s at most (retail_fdw.preview_days = %d)%s",
						   preview_day_text(st, 0),
						   preview_day_text(st, rf_preview_days - 1), rf_preview_days,
						   limited ? ", until the LIMIT has its rows." :
						   "; a client that fetches more gets an error."),
				 errhint("Add a range on \"%s\" to choose the days%s", column,
						 limited ? "." :
						 ", or fetch fewer rows (a cursor, a client's row limit, LIMIT).")));
	}

	/* LIMIT 0: no series at all */
	rf_pager_start(&st->pg, st->pg.limit == 0 ? NULL :
				   rf_pager_plan(&st->pg, values, &empty));
	st->started = true;
	if (!st->explain_only)
	{
		st->pg.report_progress = true;
		rf_progress_start(st->pg.opts.serverid, st->pg.ep->resource,
						  rf_pager_nseries(&st->pg));
	}
	MemoryContextSwitchTo(old);
}

/*
 * The pager's current row into the slot's values (in the row context,
 * reset for each row); false when a preview keeps it for no day.
 */
static bool
next_row(RfScanState *st, TupleTableSlot *slot)
{
	MemoryContext old;

	MemoryContextReset(st->row_cxt);
	old = MemoryContextSwitchTo(st->row_cxt);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	rf_pager_row(&st->pg, slot->tts_values, slot->tts_isnull);
	MemoryContextSwitchTo(old);
	return preview_keeps(st, slot);
}

static void
end_day_sort(RfScanState *st)
{
	if (st->sort_slot)
		ExecClearTuple(st->sort_slot);
	if (st->day_sort)
		tuplesort_end(st->day_sort);
	st->day_sort = NULL;
}

/*
 * ORDER BY the range DESC without a range: each day's rows, read whole,
 * are sorted before the first is returned; the days come newest first,
 * so the rows come in the query's order.
 */
static TupleTableSlot *
iterate_sorted_day(ForeignScanState *node, RfScanState *st, TupleTableSlot *slot)
{
	for (;;)
	{
		MemoryContext old;
		Oid			sortop;
		Oid			collation = InvalidOid;
		bool		nulls_first = true;

		if (st->day_sort)
		{
			/* the sort's own tuple, copied into the scan's slot */
			if (tuplesort_gettupleslot(st->day_sort, true, false, st->sort_slot, NULL))
				return ExecCopySlot(slot, st->sort_slot);
			end_day_sort(st);
			if (!preview_next_day(node, st))
				return ExecClearTuple(slot);
		}

		get_sort_group_operators(st->preview_typid, false, false, true,
								 NULL, NULL, &sortop, NULL);
		old = MemoryContextSwitchTo(st->pg.estate->es_query_cxt);
		if (st->sort_slot == NULL)
			st->sort_slot = MakeSingleTupleTableSlot(slot->tts_tupleDescriptor,
													 &TTSOpsMinimalTuple);
		st->day_sort = tuplesort_begin_heap(slot->tts_tupleDescriptor, 1,
											&st->preview_attno, &sortop,
											&collation, &nulls_first,
											work_mem, NULL, TUPLESORT_NONE);
		MemoryContextSwitchTo(old);
		while (rf_pager_next(&st->pg))
		{
			ExecClearTuple(slot);
			if (next_row(st, slot))
				tuplesort_puttupleslot(st->day_sort, ExecStoreVirtualTuple(slot));
		}
		ExecClearTuple(slot);
		tuplesort_performsort(st->day_sort);
	}
}

static TupleTableSlot *
iterate_scan(ForeignScanState *node)
{
	RfScanState *st = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	ExecClearTuple(slot);
	if (!st->started)
		start_scan(node, st);
	if (st->prefetched)
		return rf_prefetch_next(st->prefetch, slot) ?
			ExecStoreVirtualTuple(slot) : slot;
	if (st->preview >= 0 && st->preview_sorted)
		return iterate_sorted_day(node, st, slot);
	for (;;)
	{
		while (!rf_pager_next(&st->pg))
		{
			if (!preview_next_day(node, st))
				return slot;
		}

		if (next_row(st, slot))
			return ExecStoreVirtualTuple(slot);
	}
}

/*
 * IterateForeignScan: the next row, or an empty slot at the end.  The
 * first call plans the request series from the evaluated quals; the pager
 * streams pages from there.  An error while a page is current (a value of
 * the wrong type, inconsistent pagination) is that page's failure in
 * request_stats.
 */
TupleTableSlot *
rf_IterateForeignScan(ForeignScanState *node)
{
	RfScanState *st = node->fdw_state;
	TupleTableSlot *volatile slot = NULL;

	PG_TRY();
	{
		slot = iterate_scan(node);
	}
	PG_CATCH();
	{
		rf_http_note_failure(rf_pager_transfer(&st->pg));
		PG_RE_THROW();
	}
	PG_END_TRY();
	return slot;
}

/* Forget the current run; transfers in flight are cancelled */
static void
reset_run(ForeignScanState *node, RfScanState *st)
{
	if (st->pg.report_progress)
		rf_progress_end();
	rf_pager_reset(&st->pg);
	end_day_sort(st);
	st->started = false;
	st->prefetched = false;
	/* a rescan reads backwards from today again */
	st->preview = intVal(list_nth(((ForeignScan *) node->ss.ps.plan)->fdw_private,
								  RF_PRIV_PREVIEW));
}

/*
 * ReScanForeignScan: start over with new parameter values (a nested loop's
 * next outer row): new series, new requests.  Nothing of the previous run
 * is reused -- a no-op rescan would return the first run's rows again.
 */
void
rf_ReScanForeignScan(ForeignScanState *node)
{
	reset_run(node, node->fdw_state);
}

/*
 * EndForeignScan: cancel what is in flight and free the run; the
 * connection reference is dropped with the query's memory.
 */
void
rf_EndForeignScan(ForeignScanState *node)
{
	RfScanState *st = node->fdw_state;

	if (st == NULL)
		return;
	reset_run(node, st);
}

/* ----------------------------------------------------------------
 *		Parallel scans
 * ----------------------------------------------------------------
 */

/* EstimateDSMForeignScan: the shared state is one fixed-size struct */
Size
rf_EstimateDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt)
{
	return sizeof(RfParallelScan);
}

/*
 * The shared memory is going away (the leader's Gather is done, or the
 * query failed): transfers of this backend still alive forget its limits.
 */
static void
forget_shared_on_detach(dsm_segment *seg, Datum arg)
{
	rf_http_forget_shared((RfSharedLimit *) DatumGetPointer(arg));
}

/* A run of the parallel scan starts: no series taken, none planned */
static void
reset_shared(RfParallelScan *par)
{
	pg_atomic_write_u32(&par->next_series, 0);
	SpinLockAcquire(&par->mutex);
	par->planned = false;
	par->nseries = 0;
	par->fingerprint = 0;
	SpinLockRelease(&par->mutex);
}

/*
 * InitializeDSMForeignScan (leader): the series counter, and the vendor
 * limits of the whole query: max_concurrency (and the endpoint's own cap)
 * in flight across all participants, requests paced as one backend's.
 */
void
rf_InitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
							   void *coordinate)
{
	RfScanState *st = node->fdw_state;
	RfParallelScan *par = (RfParallelScan *) coordinate;
	int			maxc = st->pg.opts.max_concurrency;

	memset(par, 0, sizeof(RfParallelScan));
	pg_atomic_init_u32(&par->next_series, 0);
	SpinLockInit(&par->mutex);
	SpinLockInit(&par->limit.mutex);
	if (st->pg.ep->max_concurrency > 0)
		maxc = Min(maxc, st->pg.ep->max_concurrency);

	/*
	 * Without a segment (no dynamic shared memory: no worker will start)
	 * the leader keeps its own limits; with one, transfers must forget the
	 * limits before it is unmapped, whatever order an error unwinds in.
	 */
	if (pcxt->seg != NULL)
	{
		par->limit.max_running = maxc;
		par->limit.min_interval_us = rf_http_min_interval_us(&st->pg.opts);
		on_dsm_detach(pcxt->seg, forget_shared_on_detach,
					  PointerGetDatum(&par->limit));
	}
	st->pg.par = par;
	rf_pager_parallel_leader(&st->pg, pcxt);
}

/* ReInitializeDSMForeignScan (leader): a rescan starts a new run */
void
rf_ReInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
								 void *coordinate)
{
	RfScanState *st = node->fdw_state;

	reset_shared((RfParallelScan *) coordinate);
	st->pg.par = (RfParallelScan *) coordinate;
	rf_pager_parallel_leader(&st->pg, pcxt);
}

/* InitializeWorkerForeignScan: a worker joins the shared state */
void
rf_InitializeWorkerForeignScan(ForeignScanState *node, shm_toc *toc,
								  void *coordinate)
{
	RfScanState *st = node->fdw_state;

	st->pg.par = (RfParallelScan *) coordinate;
}

/*
 * ShutdownForeignScan: the parallel scan ends before its shared memory
 * does.  A worker adds its counters for the leader's EXPLAIN ANALYZE; the
 * leader copies the workers' sums out (its node is shut down after theirs
 * have finished); both end their run so that nothing refers to the shared
 * memory any more.
 */
void
rf_ShutdownForeignScan(ForeignScanState *node)
{
	RfScanState *st = node->fdw_state;
	RfParallelScan *par;

	if (st == NULL || st->pg.par == NULL)
		return;
	par = st->pg.par;
	reset_run(node, st);
	SpinLockAcquire(&par->mutex);
	if (IsParallelWorker())
	{
		par->worker_stats.requests += st->pg.stats.requests;
		par->worker_stats.pages += st->pg.stats.pages;
		par->worker_stats.rows += st->pg.stats.rows;
		par->worker_stats.bytes += st->pg.stats.bytes;
		par->worker_stats.retries += st->pg.stats.retries;
		par->worker_stats.wait_us += st->pg.stats.wait_us;
		par->workers_done++;
	}
	else
	{
		st->worker_stats = par->worker_stats;
		st->workers_done = par->workers_done;
	}
	SpinLockRelease(&par->mutex);
	st->pg.par = NULL;
}

/* ----------------------------------------------------------------
 *		EXPLAIN
 * ----------------------------------------------------------------
 */

/*
 * "Planned requests": the first request of every series the scan makes,
 * exact where the endpoint has no pages, "at least" where pages (or days
 * of a preview) are known only as the answers come.  Plain EXPLAIN shows
 * it alone; EXPLAIN VERBOSE after the requests themselves.
 */
static void
explain_planned(ExplainState *es, int64 n, bool at_least)
{
	if (at_least && n > 0)
		ExplainPropertyText("Planned requests",
							psprintf("at least " INT64_FORMAT, n), es);
	else
		ExplainPropertyInteger("Planned requests", NULL, n, es);
}

static void
explain_requests(ForeignScanState *node, RfScanState *st, ExplainState *es)
{
	const RfPagingSpec *pg = &st->pg.ep->paging;
	RfSeriesPlan *plan = st->pg.plan;
	int			nseries;
	List	   *shown = NIL;
	ListCell   *lc;
	bool		preview;

	if (st->pg.limit == 0)
	{
		if (es->verbose)
			ExplainPropertyText("Requests", "none: LIMIT 0 reads no row", es);
		explain_planned(es, 0, false);
		return;
	}
	preview = intVal(list_nth(((ForeignScan *) node->ss.ps.plan)->fdw_private,
							  RF_PRIV_PREVIEW)) >= 0;
	if (preview && es->verbose)
	{
		const char *column =
			st->pg.ep->pushdown[intVal(list_nth(((ForeignScan *) node->ss.ps.plan)->fdw_private,
												RF_PRIV_PREVIEW))].column;

		ExplainPropertyText("Reading",
							psprintf("no range on %s: backwards from today, one day at a time%s, %s %d days%s (retail_fdw.preview_days)%s",
									 column,
									 st->preview_sorted ? ", each day sorted descending" : "",
									 st->preview_mode == RF_PREVIEW_LIMIT ?
									 "until the LIMIT has its rows or" :
									 "as far as the client fetches; an error past",
									 rf_preview_days,
									 st->preview_mode == RF_PREVIEW_LIMIT ? " are read" : "",
									 st->started ? "; the last day read" : "; today"),
							es);
	}
	if (!st->started || st->prefetched)
	{
		bool		unknown;
		bool		empty;
		List	   *values = evaluate_quals(node, st, true, &unknown);

		if (unknown)
		{
			ExplainPropertyText(es->verbose ? "Requests" : "Planned requests",
								"computed at execution from outer parameters", es);
			return;
		}
		if (st->preview >= 0)
		{
			st->preview_today = rf_today();
			values = rf_day_bounds(st->pg.ep, st->preview, values, st->preview_today, 0);
		}
		if (rf_pager_lists_ids(&st->pg, values))
		{
			const RfEndpoint *lister = st->pg.ep->lister;
			const RfPagingSpec *lpg = &lister->paging;
			RfSeriesPlan *lplan = rf_pager_lister_plan(&st->pg, values, &empty);
			char	   *planned = psprintf("at least %d (listing), then one for each listed %s",
										   lplan ? lplan->nseries : 0,
										   st->pg.ep->id_column);

			if (!es->verbose)
			{
				ExplainPropertyText("Planned requests", planned, es);
				return;
			}
			foreach(lc, rf_series_first(lplan, lplan ? lplan->nseries : 0))
				ExplainPropertyText("Listing",
									psprintf("%s %s", lister->method,
											 rf_series_target(lfirst(lc), lpg,
															  lpg->max_size > 0 ? lpg->max_size : lpg->default_size,
															  NULL)), es);
			ExplainPropertyText("Then", psprintf("%s %s for each listed %s, up to %d at once",
												 st->pg.ep->method, st->pg.ep->path,
												 st->pg.ep->id_column, st->pg.opts.max_concurrency), es);
			ExplainPropertyText("Planned requests", planned, es);
			return;
		}
		plan = rf_pager_plan(&st->pg, values, &empty);
	}

	/* the first series are made to be shown; the others are counted */
	nseries = plan ? plan->nseries : 0;
	if (!es->verbose)
	{
		explain_planned(es, nseries, preview || pg->style != RF_PAGE_NONE);
		return;
	}
	foreach(lc, rf_series_first(plan, RF_EXPLAIN_MAX_REQUESTS))
	{
		RfSeries   *s = lfirst(lc);

		shown = lappend(shown, psprintf("%s %s%s%s", st->pg.ep->method,
										rf_series_target(s, pg, st->pg.page_size, NULL),
										s->body ? " " : "", s->body ? s->body : ""));
	}
	if (es->format == EXPLAIN_FORMAT_TEXT)
	{
		foreach(lc, shown)
			ExplainPropertyText("Request", lfirst(lc), es);
	}
	else
		ExplainPropertyList("Requests", shown, es);
	if (nseries > RF_EXPLAIN_MAX_REQUESTS)
		ExplainPropertyInteger("Further series", NULL,
							   nseries - RF_EXPLAIN_MAX_REQUESTS, es);
	foreach(lc, st->pg.domain_notes)
		ExplainPropertyText("Outside the API's domain", lfirst(lc), es);
	if (nseries == 0)
		ExplainPropertyText("Requests", st->pg.domain_empty ?
							"none: a value outside the API's domain matches no row" :
							"none: the conditions exclude every row", es);
	explain_planned(es, nseries, preview || pg->style != RF_PAGE_NONE);
}

static const char *
paging_description(const RfPagingSpec *pg)
{
	switch (pg->style)
	{
		case RF_PAGE_NONE:
			return "none";
		case RF_PAGE_NUMBER:
			return pg->next_is_url ? "page number, following next links" : "page number";
		case RF_PAGE_CURSOR:
			return "cursor";
		case RF_PAGE_OFFSET:
			return "offset";
		case RF_PAGE_HEADER:
			return "page headers (206 = more)";
		case RF_PAGE_TOKEN:
			return "next-page token";
	}
	return "?";
}

/*
 * ExplainForeignScan: what EXPLAIN VERBOSE shows is the contract of the
 * pushdown: the vendor, endpoint, auth (redacted), paging, and the exact
 * requests; EXPLAIN ANALYZE adds what really happened on the network.
 */
void
rf_ExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	RfScanState *st = node->fdw_state;

	ExplainPropertyText("Vendor", st->pg.opts.vendor->name, es);
	ExplainPropertyText("Endpoint", st->pg.endpoint_label, es);
	if (es->verbose)
	{
		ExplainPropertyText("Auth", st->auth_shown, es);
		ExplainPropertyText("Pagination", paging_description(&st->pg.ep->paging), es);
		if (st->pg.ep->paging.style != RF_PAGE_NONE)
			ExplainPropertyInteger("Page size", NULL, st->pg.page_size, es);
		if (st->pg.limit > 0)
			ExplainPropertyInteger("Pushed limit", NULL, (int64) st->pg.limit, es);
		explain_requests(node, st, es);
		rf_prefetch_explain(st->prefetch, es);
		if (st->pg.opts.vendor->wall_clock && rf_endpoint_has_zclock(st->pg.ep))
		{
			const RfWallClock *wc = st->pg.opts.vendor->wall_clock;
			const RfEndpoint *zep = rf_endpoint_lookup(st->pg.opts.vendor,
													   wc->zones_resource);

			/* how the "Z" times are read, and where the zones come from */
			ExplainPropertyText("Z times",
								rf_wall_clock_reading(&st->pg.opts) ?
								psprintf("%s %s: wall clock of each %s's time zone, listed by %s %s",
										 wc->option, wc->wall_value, wc->key_column,
										 zep ? zep->method : "?", zep ? zep->path : "?") :
								psprintf("%s %s: UTC", wc->option,
										 rf_server_option(&st->pg.opts, wc->option)), es);
			/* future days follow each store's today, known at execution */
			if (!es->analyze && rf_wall_clock_reading(&st->pg.opts) &&
				rf_endpoint_has_horizon(st->pg.ep))
				ExplainPropertyText("Days served",
									psprintf("from each %s's own today: at execution the days above (UTC's) are planned again with the time zones listed by %s %s, a day more or less per store",
											 wc->key_column,
											 zep ? zep->method : "?", zep ? zep->path : "?"),
									es);
		}
	}
	else
		explain_requests(node, st, es);
	if (es->analyze)
	{
		/* a parallel scan's figures are the leader's and its workers' */
		RfStats    *w = &st->worker_stats;

		ExplainPropertyInteger("HTTP requests", NULL,
							   st->pg.stats.requests + w->requests, es);
		ExplainPropertyInteger("Pages", NULL, st->pg.stats.pages + w->pages, es);
		ExplainPropertyInteger("Bytes received", NULL,
							   st->pg.stats.bytes + w->bytes, es);
		ExplainPropertyInteger("Retries", NULL,
							   st->pg.stats.retries + w->retries, es);
		if (st->pg.ep->cacheable)
			ExplainPropertyInteger("Answers shared within the query", NULL,
								   st->pg.cache_hits, es);
		if (st->pg.opts.cache_ttl > 0 || st->pg.opts.cache_ttl_past > 0)
			ExplainPropertyInteger("Cache hits", NULL, st->pg.stats.cache_hits, es);
		if (es->timing)
			ExplainPropertyFloat("Network wait", "ms",
								 (st->pg.stats.wait_us + w->wait_us) / 1000.0, 1, es);
		/* this process' pages; it varies between runs, like the summary */
		if (es->summary)
			ExplainPropertyInteger("Scan memory peak", "kB",
								   (int64) ((st->pg.mem_peak + 1023) / 1024), es);
		if (st->workers_done > 0)
		{
			ExplainPropertyInteger("Workers' HTTP requests", NULL, w->requests, es);
			ExplainPropertyInteger("Workers' pages", NULL, w->pages, es);
		}
	}
}
