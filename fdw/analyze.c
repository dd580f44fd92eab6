/*-------------------------------------------------------------------------
 *
 * analyze.c
 *		  ANALYZE on a foreign table: a sample of a recent window, and what
 *		  the planner learns from it.
 *
 * A vendor table has no size of its own: how many rows a query returns
 * depends on the days and stores it asks for.  ANALYZE therefore reads a
 * window of whole recent days (retail_fdw.analyze_days, default 7, ending
 * at today's midnight in the session's time zone) on tables that need a
 * time range, or the whole table on those that need nothing, and samples
 * its rows like any ANALYZE (reservoir sampling, default_statistics_target).
 *
 * What it stores: pg_statistic for every column, as for a local table;
 * pg_class.reltuples = the rows the window held; pg_class.relpages = the
 * days the window covered (0 for a whole-table read).  The planner then
 * estimates rows per day = reltuples / relpages, times the days of the
 * query's range, times the selectivity of its other quals from the column
 * statistics (retail_fdw.c, estimate_rows).
 *
 * Tables that need a value no window can supply (rn_datamine's locations,
 * a period of the future) are not sampled; a NOTICE says why.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"

#include "analyze.h"
#include "columns.h"
#include "connection.h"
#include "pushdown.h"
#include "reqplan.h"
#include "scan.h"

/* Whole days before today that ANALYZE reads (retail_fdw.analyze_days) */
static int	rf_analyze_days = 7;

void
rf_analyze_init(void)
{
	DefineCustomIntVariable("retail_fdw.analyze_days",
							"Days before today that ANALYZE on a foreign table reads.",
							"Tables that need a time range are sampled over this many whole "
							"days ending at today's midnight; the rows per day they held "
							"scale the planner's estimates.",
							&rf_analyze_days, 7, 1, 366, PGC_USERSET, 0,
							NULL, NULL, NULL);
}

static void
analyze_release_conn(void *arg)
{
	RfPager    *pg = (RfPager *) arg;

	if (pg->conn)
		rf_http_disconnect(pg->conn);
	pg->conn = NULL;
}

/*
 * AcquireSampleRowsFunc: read the window, keep a reservoir of targrows
 * rows.  *totalrows is every row the window held; relpages (set by the
 * caller from AnalyzeForeignTable) holds the window's days.
 */
static int
acquire_sample_rows(Relation rel, int elevel, HeapTuple *rows, int targrows,
					double *totalrows, double *totaldeadrows)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "retail_fdw analyze",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext row_cxt = AllocSetContextCreate(cxt, "retail_fdw analyze row",
												  ALLOCSET_SMALL_SIZES);
	MemoryContext caller = CurrentMemoryContext;
	MemoryContextCallback *release;
	RfPager    *pg;
	Oid			owner = rel->rd_rel->relowner;
	Datum	   *values;
	bool	   *nulls;
	List	   *attrs = NIL;
	List	   *quals = NIL;
	int			window;
	int			numrows = 0;
	double		seen = 0;
	double		skip = -1;
	bool		empty = false;
	ReservoirStateData rstate;
	MemoryContext old = MemoryContextSwitchTo(cxt);

	pg = palloc0(sizeof(RfPager));
	pg->cxt = AllocSetContextCreate(cxt, "retail_fdw analyze pages",
									ALLOCSET_DEFAULT_SIZES);
	rf_get_options(RelationGetRelid(rel), &pg->opts);
	pg->ep = pg->opts.endpoint;
	pg->relname = pstrdup(RelationGetRelationName(rel));
	pg->endpoint_label = psprintf("%s %s", pg->ep->method, pg->ep->path);
	pg->limit = -1;
	pg->sort = -1;
	pg->page_size = rf_effective_page_size(&pg->opts, -1);
	pg->estate = CreateExecutorState();
	for (int i = 0; i < tupdesc->natts; i++)
		if (!TupleDescAttr(tupdesc, i)->attisdropped)
			attrs = lappend_int(attrs, i + 1);
	rf_pager_columns(pg, rel, attrs);

	window = rf_day_range_column(pg->ep, NIL);
	if (window >= 0)
	{
		DateADT		today = rf_today();

		quals = rf_day_bounds(pg->ep, window, NIL, today - rf_analyze_days, today);
	}

	pg->conn = rf_http_connect(&pg->opts, owner);
	pg->umid = GetUserMapping(owner, pg->opts.serverid)->umid;

	/*
	 * The callback lives in the context it watches, never in this frame: an
	 * error while sampling leaves cxt to be deleted with its parent after
	 * this function's frame is gone.
	 */
	release = palloc(sizeof(MemoryContextCallback));
	release->func = analyze_release_conn;
	release->arg = pg;
	MemoryContextRegisterResetCallback(cxt, release);

	values = palloc(sizeof(Datum) * tupdesc->natts);
	nulls = palloc(sizeof(bool) * tupdesc->natts);
	reservoir_init_selection_state(&rstate, targrows);

	MemoryContextSwitchTo(pg->cxt);
	rf_pager_start(pg, rf_pager_plan(pg, quals, &empty));
	MemoryContextSwitchTo(cxt);
	while (!empty && rf_pager_next(pg))
	{
		HeapTuple	tuple;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(row_cxt);
		MemoryContextSwitchTo(row_cxt);
		memset(nulls, true, sizeof(bool) * tupdesc->natts);
		rf_pager_row(pg, values, nulls);
		seen += 1;

		/* Vitter's reservoir: the first targrows, then replacements */
		if (numrows < targrows)
		{
			MemoryContextSwitchTo(caller);
			rows[numrows++] = heap_form_tuple(tupdesc, values, nulls);
		}
		else
		{
			if (skip < 0)
				skip = reservoir_get_next_S(&rstate, seen - 1, targrows);
			if (skip <= 0)
			{
				int			k = (int) (targrows * sampler_random_fract(&rstate.randstate));

				MemoryContextSwitchTo(caller);
				tuple = heap_form_tuple(tupdesc, values, nulls);
				heap_freetuple(rows[k]);
				rows[k] = tuple;
			}
			skip -= 1;
		}
		MemoryContextSwitchTo(cxt);
	}

	ereport(elevel,
			(errmsg("\"%s\": %s read %.0f rows (%s), %d in the sample",
					RelationGetRelationName(rel), pg->endpoint_label, seen,
					window >= 0 ? psprintf("%d days before today", rf_analyze_days) :
					"the whole table", numrows)));

	rf_pager_reset(pg);
	FreeExecutorState(pg->estate);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);

	*totalrows = seen;
	*totaldeadrows = 0;
	return numrows;
}

/*
 * AnalyzeForeignTable: sample tables whose rows a window of days (or the
 * whole table) can give; *totalpages is that window's days.
 */
bool
rf_analyze_foreign_table(Relation relation, AcquireSampleRowsFunc *func,
						 BlockNumber *totalpages)
{
	RfOptions	opts;
	int			window;

	rf_get_options(RelationGetRelid(relation), &opts);
	window = rf_day_range_column(opts.endpoint, NIL);
	if (window < 0 && !rf_requirements_met(opts.endpoint, NIL))
	{
		ereport(NOTICE,
				(errmsg("foreign table \"%s\" is not sampled by ANALYZE",
						RelationGetRelationName(relation)),
				 errdetail("Resource %s needs filters that no window of days supplies.",
						   opts.endpoint->resource),
				 errhint("Its estimates come from the endpoint's rows per request and the query's filters.")));
		return false;
	}
	*func = acquire_sample_rows;
	*totalpages = (window >= 0) ? rf_analyze_days : 0;
	return true;
}
