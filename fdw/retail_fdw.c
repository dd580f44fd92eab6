/*-------------------------------------------------------------------------
 *
 * retail_fdw.c
 *		  Foreign-data wrapper callbacks of retail_fdw: planning, scanning,
 *		  EXPLAIN and IMPORT FOREIGN SCHEMA.
 *
 * A scan reads one vendor endpoint.  Planning finds the quals the endpoint
 * can take (reqplan.c) and offers parameterized paths for columns a join
 * can feed.  Execution evaluates the pushed values, turns them into request
 * series, and hands them to the scan's pager (scan.c), which streams pages:
 * a scan holds only what is in flight, never the whole result.
 *
 * The executor rechecks every qual locally: pushing down is an
 * optimisation, never the only filter.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "parser/parsetree.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "retail_fdw.h"
#include "prefetch.h"
#include "webhook.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(retail_fdw_handler);

/* Planner cost guesses: a request costs far more than a row */
#define RF_STARTUP_COST		100.0
#define RF_REQUEST_COST		1000.0
#define RF_ROW_COST			0.01
/* Requests EXPLAIN lists before it summarizes */
#define RF_EXPLAIN_MAX_REQUESTS 20

/*
 * fdw_private of a sorted ForeignPath (NIL for the others): which sort the
 * API is asked for, and the LIMIT that then may shrink its pages.
 */
enum RfPathPrivate
{
	RF_PATH_SORT,				/* Integer: index into ep->sorts */
	RF_PATH_DESC,				/* Integer: 1 for descending */
	RF_PATH_LIMIT				/* Integer: a LIMIT to push, or -1 */
};

/* fdw_private of the ForeignScan plan */
enum RfPrivate
{
	RF_PRIV_OPS,				/* IntList: pd_index, op, pd_index, op, ... */
	RF_PRIV_ATTRS,				/* IntList of retrieved attribute numbers */
	RF_PRIV_LIMIT,				/* Integer: pushed LIMIT, or -1 */
	RF_PRIV_SORT,				/* IntList: sort index, descending; or NIL */
	RF_PRIV_PREVIEW,			/* Integer: pushdown index of the range read
								 * backwards day by day, or -1 */
	RF_PRIV_PREFETCH			/* List: the id prefetch (prefetch.c), or NIL */
};

/* What planning learns about the foreign relation */
typedef struct RfRelInfo
{
	RfOptions	opts;
	List	   *pushed;			/* RfPushedQual * from baserestrictinfo */
	List	   *local_only;		/* RestrictInfos the API cannot take */
	double		limit;			/* a LIMIT safe to push, or -1 */
	int			preview;		/* the range a LIMIT reads backwards, or -1 */
} RfRelInfo;


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

	/* a LIMIT without a range: days read backwards from today */
	int			preview;		/* pushdown index of the range, or -1 */
	int			preview_day;	/* days back from today being read */
	DateADT		preview_today;
} RfScanState;

/*
 * How many days a LIMIT without a range reads backwards, today included,
 * before it gives up (retail_fdw.preview_days)
 */
static int	rf_preview_days = 31;

void		_PG_init(void);

static bool limit_zero(PlannerInfo *root);

/* ----------------------------------------------------------------
 *		Planning
 * ----------------------------------------------------------------
 */

/*
 * A LIMIT can shrink page_size when it applies straight to this scan's
 * rows: one base relation, no grouping, aggregates, DISTINCT, window
 * functions, set operations or ORDER BY, and no qual left for the executor
 * to filter with.  Paging stops by itself once the executor has its rows,
 * because pages are fetched only on demand.
 */
static double
pushable_limit(PlannerInfo *root, RelOptInfo *baserel, List *local_only,
			   bool sorted)
{
	Query	   *parse = root->parse;
	double		count,
				offset = 0;

	if (parse->limitCount == NULL || !IsA(parse->limitCount, Const) ||
		((Const *) parse->limitCount)->constisnull)
		return -1;
	if (parse->limitOffset != NULL)
	{
		if (!IsA(parse->limitOffset, Const))
			return -1;
		if (!((Const *) parse->limitOffset)->constisnull)
			offset = DatumGetInt64(((Const *) parse->limitOffset)->constvalue);
	}
	if (parse->limitOption != LIMIT_OPTION_COUNT ||
		parse->groupClause || parse->groupingSets || parse->hasAggs ||
		parse->distinctClause || parse->hasWindowFuncs ||
		parse->hasTargetSRFs || parse->havingQual ||
		(parse->sortClause && !sorted) ||
		parse->setOperations || parse->rowMarks ||
		bms_membership(root->all_baserels) != BMS_SINGLETON ||
		local_only != NIL || baserel->reloptkind != RELOPT_BASEREL)
		return -1;
	count = (double) DatumGetInt64(((Const *) parse->limitCount)->constvalue);
	return count + offset;
}

/*
 * GetForeignRelSize: PostgreSQL wants a row estimate for the relation.
 * We load the table's options, split the restriction quals into those the
 * endpoint can take (pushed) and those only the executor can check, and
 * estimate rows from the requests the pushed quals imply: an API answer
 * costs far more than a row, so fewer requests must look cheaper.
 */
/* A constant's value as a timestamp, when it is one (or a date) */
static bool
const_timestamp(Expr *e, TimestampTz *t)
{
	Const	   *c = (Const *) e;

	if (e == NULL || !IsA(e, Const) || c->constisnull)
		return false;
	if (c->consttype == TIMESTAMPTZOID || c->consttype == TIMESTAMPOID)
		*t = DatumGetTimestampTz(c->constvalue);
	else if (c->consttype == DATEOID)
		*t = (TimestampTz) DatumGetDateADT(c->constvalue) * USECS_PER_DAY;
	else
		return false;
	return !TIMESTAMP_NOT_FINITE(*t);
}

/*
 * What the pushed quals of one pushdown column say, as far as the planner
 * can tell: how many values an = / IN list gives, and the constant bounds
 * of a time range (a date_trunc span's ends folded where they can be).
 */
typedef struct RfExtent
{
	double		values;
	bool		has_lo;
	bool		has_hi;
	TimestampTz lo;
	TimestampTz hi;
} RfExtent;

static void
pushed_extent(PlannerInfo *root, RfRelInfo *info, int p, RfExtent *x)
{
	ListCell   *lc;

	memset(x, 0, sizeof(RfExtent));
	foreach(lc, info->pushed)
	{
		RfPushedQual *q = lfirst(lc);
		TimestampTz t;
		TimestampTz end;

		if (q->pd_index != p)
			continue;
		if (q->op == RF_OP_IN && IsA(q->expr, Const) && !((Const *) q->expr)->constisnull)
		{
			ArrayType  *a = DatumGetArrayTypeP(((Const *) q->expr)->constvalue);

			x->values = Max(x->values, ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)));
		}
		else if (q->op == RF_OP_IN && IsA(q->expr, ArrayExpr))
			x->values = Max(x->values, list_length(((ArrayExpr *) q->expr)->elements));
		else if (q->op == RF_OP_EQ)
			x->values = Max(x->values, 1);
		if (q->op == RF_OP_SPAN)
		{
			ArrayExpr  *span = (ArrayExpr *) estimate_expression_value(root, (Node *) q->expr);

			if (!IsA(span, ArrayExpr) ||
				!const_timestamp(linitial(span->elements), &t) ||
				!const_timestamp(lsecond(span->elements), &end))
				continue;
			x->lo = x->has_lo ? Max(x->lo, t) : t;
			x->hi = x->has_hi ? Min(x->hi, end) : end;
			x->has_lo = x->has_hi = true;
			continue;
		}
		if ((q->op & (RF_OP_GT | RF_OP_GE)) && const_timestamp(q->expr, &t))
		{
			x->lo = x->has_lo ? Max(x->lo, t) : t;
			x->has_lo = true;
		}
		if ((q->op & (RF_OP_LT | RF_OP_LE)) && const_timestamp(q->expr, &t))
		{
			x->hi = x->has_hi ? Min(x->hi, t) : t;
			x->has_hi = true;
		}
	}
}

/*
 * How many times rows_per_request the pushed quals ask for, as far as the
 * planner can tell: each value of an = / IN list, each day of a range on a
 * time column with constant bounds (windows and local days are days).  So
 * a month is estimated thirty times a day, and the planner can choose joins
 * and parallelism with the range in mind.  The days of column day_pd (the
 * range ANALYZE's rows per day apply to) go to *days instead; its lower
 * bound alone counts up to now.
 */
static double
request_factor(PlannerInfo *root, RfRelInfo *info, int day_pd, double *days)
{
	const RfEndpoint *ep = info->opts.endpoint;
	double		factor = 1.0;

	for (int p = 0; p < ep->npushdown; p++)
	{
		RfExtent	x;

		pushed_extent(root, info, p, &x);
		if (x.values > 1)
			factor *= x.values;
		if (x.has_lo && !x.has_hi && p == day_pd)
		{
			x.hi = GetCurrentTransactionStartTimestamp();
			x.has_hi = true;
		}
		if (p == day_pd)
			*days = (x.has_lo && x.has_hi && x.hi > x.lo) ?
				Min(ceil((double) (x.hi - x.lo) / USECS_PER_DAY), 3660.0) : 1.0;
		else if (x.has_lo && x.has_hi && x.hi > x.lo)
			factor *= Min(ceil((double) (x.hi - x.lo) / USECS_PER_DAY), 3660.0);
	}
	return factor;
}

/*
 * A LIMIT without a range: "SELECT * FROM t LIMIT 100", what BI tools and
 * pandas send for a preview, on a table that needs a time range.  Such a
 * query asks for any 100 rows, so the scan may read the most recent days,
 * one at a time backwards from today, until the LIMIT has its rows or
 * retail_fdw.preview_days are read.  Only where nothing else could see
 * the difference: this relation alone, no ORDER BY, aggregate, grouping,
 * DISTINCT or window (they would read every day in reach and answer for
 * those days only), and no bound at all on the range.  Returns the
 * pushdown index of the range column, or -1.
 */
static int
preview_range(PlannerInfo *root, RelOptInfo *baserel, RfRelInfo *info)
{
	Query	   *parse = root->parse;

	if (parse->limitCount == NULL || parse->sortClause != NIL ||
		parse->groupClause != NIL || parse->groupingSets != NIL ||
		parse->hasAggs || parse->hasWindowFuncs || parse->distinctClause != NIL ||
		parse->setOperations != NULL || parse->havingQual != NULL ||
		bms_membership(root->all_baserels) != BMS_SINGLETON ||
		rf_requirements_met(info->opts.endpoint, info->pushed))
		return -1;
	return rf_day_range_column(info->opts.endpoint, info->pushed);
}

/*
 * Rows a scan returns.  After ANALYZE (analyze.c): the rows per day its
 * window held (reltuples / relpages days) times the days of the query's
 * range, or the table's rows when it was read whole, times the
 * selectivity of the other quals from the column statistics.  Before:
 * the endpoint's rows per request times the requests the quals ask for
 * (request_factor), times the selectivity of the local quals.
 */
static double
estimate_rows(PlannerInfo *root, RelOptInfo *baserel, RfRelInfo *info,
			  List *local_clauses)
{
	const RfEndpoint *ep = info->opts.endpoint;
	int			window = rf_day_range_column(ep, NIL);
	double		days = 1.0;
	double		factor = request_factor(root, info, window, &days);
	List	   *others = NIL;
	ListCell   *lc;

	if (baserel->tuples < 0 || (window >= 0 && baserel->pages == 0))
		return ep->rows_per_request * factor * days *
			clauselist_selectivity(root, local_clauses, baserel->relid,
								   JOIN_INNER, NULL);

	/* every qual but the range's bounds: their days are counted above */
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		RfPushedQual q;

		if (window >= 0 &&
			rf_match_qual(root, ri->clause, baserel->relid,
						  planner_rt_fetch(baserel->relid, root)->relid, ep, &q) &&
			q.pd_index == window)
			continue;
		others = lappend(others, ri);
	}
	return (window >= 0 ? baserel->tuples / baserel->pages * days : baserel->tuples) *
		clauselist_selectivity(root, others, baserel->relid, JOIN_INNER, NULL);
}

static void
retailGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
						Oid foreigntableid)
{
	RfRelInfo  *info = palloc0(sizeof(RfRelInfo));
	List	   *local_clauses = NIL;
	ListCell   *lc;
	double		rows;

	rf_get_options(foreigntableid, &info->opts);
	baserel->fdw_private = info;

	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		RfPushedQual q;

		if (rf_match_qual(root, ri->clause, baserel->relid, foreigntableid,
						  info->opts.endpoint, &q))
		{
			RfPushedQual *copy = palloc(sizeof(RfPushedQual));

			*copy = q;
			info->pushed = lappend(info->pushed, copy);
		}
		else
		{
			info->local_only = lappend(info->local_only, ri);
			local_clauses = lappend(local_clauses, ri);
		}
	}
	info->limit = pushable_limit(root, baserel, info->local_only, false);
	info->preview = preview_range(root, baserel, info);

	rows = estimate_rows(root, baserel, info, local_clauses);
	if (info->limit > 0)
		rows = Min(rows, info->limit);
	baserel->rows = clamp_row_est(rows);
}

/*
 * A scan's path.  share is the part of the request costs one scan pays:
 * 1, or 1/N for a parameterized scan whose id prefetch sends N values a
 * request (prefetch.c), so that a nested loop over a list of stores costs
 * its batches, not a request per store.
 */
static void
add_scan_path(PlannerInfo *root, RelOptInfo *baserel, RfRelInfo *info,
			  List *pushed, double rows, Relids required_outer, double share)
{
	Cost		startup = (RF_STARTUP_COST + RF_REQUEST_COST) * share;
	Cost		total;

	total = startup + rows * (RF_ROW_COST + cpu_tuple_cost) +
		RF_REQUEST_COST * share * ceil(rows / Max(info->opts.endpoint->rows_per_request, 1));

	/* a scan the API would refuse must lose to any other plan */
	if (!rf_requirements_met(info->opts.endpoint, pushed) &&
		!(info->preview >= 0 && required_outer == NULL))
	{
		startup += disable_cost;
		total += disable_cost;
	}
	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, rows, startup, total,
									 NIL, required_outer, NULL, NIL));
}

/*
 * A partial path: a Parallel Foreign Scan whose participants (the leader
 * and the workers under a Gather) each take the next request series.  It
 * is offered only where that returns exactly the serial plan's rows: the
 * table passed IsForeignScanParallelSafe, the scan is not parameterized,
 * no LIMIT is pushed (its pages would shrink per participant), no ORDER BY
 * (a Gather cannot keep it), the API's requirements are met, the quals
 * imply at least two series (series_estimate), and max_concurrency is 2 or
 * more (the leader keeps a slot of its own).  Each worker costs two
 * more requests' worth to start (its own connection and planning, and a
 * first page that nothing overlaps); the run cost is divided as for a
 * parallel sequential scan.  At the default settings a scan of about ten
 * series or more (a fortnight of one store's days) goes parallel.
 */

/*
 * How many request series the pushed quals will make, as far as the
 * planner can tell: split IN lists (one series per value), batches of a
 * repeated list, windows of a constant range, chunks of days.  A planning
 * hook's series are its own: only the values of columns that shape the
 * request (one series each) are counted.  Only a
 * scan of several series can be shared out between parallel workers.
 */
static double
series_estimate(PlannerInfo *root, RfRelInfo *info)
{
	const RfEndpoint *ep = info->opts.endpoint;
	double		width = (double) rf_window_usecs(&info->opts);
	double		series = 1.0;

	for (int p = 0; p < ep->npushdown; p++)
	{
		const RfPushdown *pd = &ep->pushdown[p];
		RfExtent	x;

		pushed_extent(root, info, p, &x);
		if (x.values > 1 && (ep->plan_series ? pd->shapes : pd->multi == RF_MULTI_SPLIT))
			series *= x.values;
		else if (x.values > 1 && !ep->plan_series &&
				 pd->multi == RF_MULTI_REPEAT && pd->batch > 0)
			series *= ceil(x.values / pd->batch);
		if (ep->plan_series || !x.has_lo || !x.has_hi || x.hi <= x.lo)
			continue;
		if (pd->chunk_days > 0)
			series *= ceil((double) (x.hi - x.lo) / USECS_PER_DAY / pd->chunk_days);
		else if (pd->window && width > 0)
			series *= Min(ceil((double) (x.hi - x.lo) / width), 100000.0);
	}
	return series;
}

static void
add_partial_scan_path(PlannerInfo *root, RelOptInfo *baserel, RfRelInfo *info)
{
	const RfEndpoint *ep = info->opts.endpoint;
	double		series = series_estimate(root, info);
	double		rows = baserel->rows;
	double		divisor;
	double		leader;
	int			workers;
	Cost		startup;
	Cost		run;
	ForeignPath *path;
	int			maxc = info->opts.max_concurrency;

	/* workers need a slot of their own besides the leader's (RfSharedLimit) */
	if (ep->max_concurrency > 0)
		maxc = Min(maxc, ep->max_concurrency);
	if (!baserel->consider_parallel || baserel->lateral_relids != NULL ||
		info->limit >= 0 || limit_zero(root) || series < 2 || maxc < 2 ||
		!rf_requirements_met(ep, info->pushed))
		return;
	/* workers' answers would die with their per-session response caches */
	if ((info->opts.cache_ttl > 0 || info->opts.cache_ttl_past > 0) &&
		!rf_respcache_shared())
		return;
	workers = (int) Min((double) max_parallel_workers_per_gather, series - 1);
	if (workers <= 0)
		return;

	divisor = workers;
	leader = 1.0 - 0.3 * workers;
	if (parallel_leader_participation && leader > 0)
		divisor += leader;

	startup = RF_STARTUP_COST + RF_REQUEST_COST + 2 * RF_REQUEST_COST * workers;
	run = rows * (RF_ROW_COST + cpu_tuple_cost) +
		RF_REQUEST_COST * ceil(rows / Max(ep->rows_per_request, 1));
	path = create_foreignscan_path(root, baserel, NULL, clamp_row_est(rows / divisor),
								   startup, startup + run / divisor,
								   NIL, NULL, NULL, NIL);
	path->path.parallel_aware = true;
	path->path.parallel_safe = true;
	path->path.parallel_workers = workers;
	add_partial_path(baserel, (Path *) path);
}

/*
 * IsForeignScanParallelSafe: may a scan of this table run in a parallel
 * worker at all?  Not where a participant's requests depend on what the
 * others fetched: an endpoint with a per-query answer cache (Inspector's
 * visits, shared between the tables of a query) and one whose ids come
 * from a listing first (every participant would list them again).
 */
static bool
retailIsForeignScanParallelSafe(PlannerInfo *root, RelOptInfo *rel,
								RangeTblEntry *rte)
{
	RfOptions	opts;

	rf_get_options(rte->relid, &opts);
	return !opts.endpoint->cacheable && opts.endpoint->lister == NULL;
}

/*
 * Whether the request series of this scan come out as one ordered stream:
 * no IN split into several series, no windows.
 */
static bool
single_series(const RfEndpoint *ep, List *pushed)
{
	ListCell   *lc;

	foreach(lc, pushed)
	{
		RfPushedQual *q = lfirst(lc);
		const RfPushdown *pd = &ep->pushdown[q->pd_index];

		if (pd->window)
			return false;
		if (q->op == RF_OP_IN && pd->multi == RF_MULTI_SPLIT)
			return false;
	}
	return true;
}

/*
 * ORDER BY on one column the API sorts by becomes its sort parameters: a
 * path that delivers the query's pathkeys, so no local Sort is needed.
 * The API orders NULLs as PostgreSQL's default does (last ascending, first
 * descending); other NULLS orders are not pushed.  Nor is an order the
 * API cannot reproduce: the column's declared type must sort like the
 * API's field (rf_orders_like), with its type's default operators.
 */
/* The fdw_private of a sorted path, slot by slot (RfPathPrivate) */
static List *
sorted_path_private(int sort, bool desc, double limit)
{
	List	   *pp = NIL;

	pp = lappend_int(pp, sort);		/* RF_PATH_SORT */
	pp = lappend_int(pp, desc ? 1 : 0); /* RF_PATH_DESC */
	pp = lappend_int(pp, (int) Min(limit, INT_MAX));	/* RF_PATH_LIMIT */
	return pp;
}

static void
add_sorted_path(PlannerInfo *root, RelOptInfo *baserel, RfRelInfo *info)
{
	const RfEndpoint *ep = info->opts.endpoint;
	PathKey    *pk;
	ListCell   *lc;

	if (ep->nsorts == 0 || list_length(root->query_pathkeys) != 1 ||
		!single_series(ep, info->pushed) ||
		!rf_requirements_met(ep, info->pushed))
		return;
	pk = linitial(root->query_pathkeys);
	if (pk->pk_eclass->ec_has_volatile)
		return;
	foreach(lc, pk->pk_eclass->ec_members)
	{
		EquivalenceMember *em = lfirst(lc);
		Expr	   *e = em->em_expr;
		bool		desc = (pk->pk_strategy == BTGreaterStrategyNumber);
		char	   *attname;
		const RfColumn *col;

		while (e && IsA(e, RelabelType))
			e = ((RelabelType *) e)->arg;
		if (!IsA(e, Var) || (Index) ((Var *) e)->varno != baserel->relid ||
			((Var *) e)->varlevelsup != 0 || ((Var *) e)->varattno <= 0)
			continue;
		if (pk->pk_nulls_first != desc)
			return;
		attname = get_attname(planner_rt_fetch(baserel->relid, root)->relid,
							  ((Var *) e)->varattno, false);
		col = rf_column_lookup(ep, attname);
		if (col == NULL || !rf_orders_like(col->type, ((Var *) e)->vartype) ||
			pk->pk_opfamily !=
			get_opclass_family(GetDefaultOpClass(((Var *) e)->vartype, BTREE_AM_OID)))
			return;
		for (int i = 0; i < ep->nsorts; i++)
		{
			if (strcmp(ep->sorts[i].column, attname) != 0)
				continue;
			{
				double		rows = baserel->rows;
				double		limit = pushable_limit(root, baserel, info->local_only, true);
				Cost		startup = RF_STARTUP_COST + RF_REQUEST_COST;
				Cost		total;

				if (limit > 0)
					rows = Min(rows, limit);
				total = startup + rows * (RF_ROW_COST + cpu_tuple_cost) +
					RF_REQUEST_COST * ceil(rows / Max(ep->rows_per_request, 1));
				add_path(baserel, (Path *)
						 create_foreignscan_path(root, baserel, NULL, rows,
												 startup, total,
												 root->query_pathkeys,
												 baserel->lateral_relids, NULL,
												 sorted_path_private(i, desc, limit)));
			}
			return;
		}
	}
}

typedef struct EcMatchArg
{
	Index		relid;
	AttrNumber	attno;
} EcMatchArg;

static bool
ec_member_matches_column(PlannerInfo *root, RelOptInfo *rel,
						 EquivalenceClass *ec, EquivalenceMember *em,
						 void *arg)
{
	EcMatchArg *m = (EcMatchArg *) arg;
	Expr	   *e = em->em_expr;

	while (e && IsA(e, RelabelType))
		e = ((RelabelType *) e)->arg;
	return e && IsA(e, Var) && (Index) ((Var *) e)->varno == m->relid &&
		((Var *) e)->varattno == m->attno && ((Var *) e)->varlevelsup == 0;
}

/*
 * Join clauses that could feed a pushable column: explicit ones from
 * joininfo and those implied by equivalence classes.
 */
static List *
join_clauses_for_columns(PlannerInfo *root, RelOptInfo *baserel,
						 Oid foreigntableid, const RfEndpoint *ep)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, baserel->joininfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (join_clause_is_movable_to(ri, baserel))
			result = lappend(result, ri);
	}
	if (!baserel->has_eclass_joins)
		return result;

	for (int i = 0; i < ep->npushdown; i++)
	{
		EcMatchArg	arg;

		if ((ep->pushdown[i].ops & RF_OP_EQ) == 0)
			continue;
		arg.relid = baserel->relid;
		arg.attno = get_attnum(foreigntableid, ep->pushdown[i].column);
		if (arg.attno == InvalidAttrNumber)
			continue;
		result = list_concat(result,
							 generate_implied_equalities_for_column(root, baserel,
																	ec_member_matches_column,
																	&arg,
																	baserel->lateral_referencers));
	}
	return result;
}

/*
 * GetForeignPaths: the ways to scan the table.  Always a plain path; a
 * sorted path when the API can deliver the query's ORDER BY exactly; and
 * parameterized paths for id-like columns a join can feed, so that a
 * nested loop sends the outer side's values instead of listing everything.
 */
static void
retailGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					  Oid foreigntableid)
{
	RfRelInfo  *info = baserel->fdw_private;
	const RfEndpoint *ep = info->opts.endpoint;
	List	   *outers = NIL;
	ListCell   *lc;

	add_scan_path(root, baserel, info, info->pushed, baserel->rows,
				  baserel->lateral_relids, 1.0);
	add_sorted_path(root, baserel, info);
	add_partial_scan_path(root, baserel, info);

	/* one parameterized path per set of outer relations that can feed us */
	foreach(lc, join_clauses_for_columns(root, baserel, foreigntableid, ep))
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		RfPushedQual q;
		Relids		outer;
		ParamPathInfo *ppi;
		List	   *pushed;
		ListCell   *lp;
		bool		seen = false;
		int			batch;
		int			which;
		double		share = 1.0;

		if (!rf_match_qual(root, ri->clause, baserel->relid, foreigntableid, ep, &q))
			continue;
		outer = bms_union(bms_difference(ri->clause_relids, baserel->relids),
						  baserel->lateral_relids);
		if (bms_is_empty(outer))
			continue;
		foreach(lp, outers)
			seen |= bms_equal(lfirst(lp), outer);
		if (seen)
			continue;
		outers = lappend(outers, outer);

		ppi = get_baserel_parampathinfo(root, baserel, outer);
		pushed = list_copy(info->pushed);
		foreach(lp, ppi->ppi_clauses)
		{
			RestrictInfo *pri = lfirst_node(RestrictInfo, lp);
			RfPushedQual *pq = palloc(sizeof(RfPushedQual));

			if (rf_match_qual(root, pri->clause, baserel->relid, foreigntableid, ep, pq))
				pushed = lappend(pushed, pq);
		}
		/* an id prefetch shares each request among its batch's values */
		batch = rf_prefetch_batch(root, baserel, foreigntableid, &info->opts,
								  outer, pushed, &which);
		if (batch > 1)
			share = 1.0 / batch;
		else if (batch == 0)
			share = 1.0 / Max(find_base_rel(root, bms_singleton_member(outer))->rows, 1.0);
		add_scan_path(root, baserel, info, pushed,
					  Min(ppi->ppi_rows, ep->rows_per_request), outer, share);
	}
}

/* Is the query's row count a constant LIMIT 0? */
static bool
limit_zero(PlannerInfo *root)
{
	Query	   *parse = root->parse;

	return parse->limitCount != NULL && IsA(parse->limitCount, Const) &&
		!((Const *) parse->limitCount)->constisnull &&
		parse->limitOption == LIMIT_OPTION_COUNT &&
		DatumGetInt64(((Const *) parse->limitCount)->constvalue) == 0;
}

/* Attributes the scan must fill: the target list's and the quals' */
static List *
retrieved_attrs(RelOptInfo *baserel, Oid foreigntableid, List *scan_clauses)
{
	Bitmapset  *attrs = NULL;
	List	   *result = NIL;
	Relation	rel;
	TupleDesc	tupdesc;
	bool		whole_row;
	ListCell   *lc;

	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs);
	foreach(lc, scan_clauses)
		pull_varattnos((Node *) lfirst_node(RestrictInfo, lc)->clause,
					   baserel->relid, &attrs);
	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);

	rel = table_open(foreigntableid, NoLock);
	tupdesc = RelationGetDescr(rel);
	for (int i = 1; i <= tupdesc->natts; i++)
	{
		if (TupleDescAttr(tupdesc, i - 1)->attisdropped)
			continue;
		if (whole_row ||
			bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs))
			result = lappend_int(result, i);
	}
	table_close(rel, NoLock);
	return result;
}

/*
 * Columns that shape the request (rn_datamine's grain and time zone) have
 * no rows outside the values sent: a qual on one that cannot be sent as =
 * or IN would silently meet only the default's rows, so it is refused.
 */
static void
check_shaping_qual(Expr *clause, Index relid, Oid foreigntableid,
				   const RfEndpoint *ep, bool collation_blocked)
{
	Bitmapset  *attrs = NULL;
	int			x = -1;

	pull_varattnos((Node *) clause, relid, &attrs);
	while ((x = bms_next_member(attrs, x)) >= 0)
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;
		char	   *name;
		const RfPushdown *pd;

		if (attno <= 0)
			continue;
		name = get_attname(foreigntableid, attno, false);
		pd = rf_pushdown_lookup(ep, name);
		if (pd && pd->shapes && collation_blocked)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("column \"%s\" of foreign table \"%s\" takes = or IN with constants or parameters only",
							name, get_rel_name(foreigntableid)),
					 errdetail("Its values shape the request: there are no rows for values that are not sent."),
					 errhint("The condition's collation keeps it from the API: compare under the column's own collation.")));
		if (pd && pd->shapes)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("column \"%s\" of foreign table \"%s\" takes = or IN with constants or parameters only",
							name, get_rel_name(foreigntableid)),
					 errdetail("Its values shape the request: there are no rows for values that are not sent."),
					 errhint("Write %s = '...' or %s IN ('...', '...').", name, name)));
	}
}

/*
 * GetForeignPlan: freeze the chosen path into a ForeignScan.  Every qual
 * stays in the plan's qual list (the executor rechecks all of them, since
 * an API may filter more loosely than SQL); the pushed ones are also
 * listed, by operator, in fdw_private (RfPrivate) with their value
 * expressions in fdw_exprs.  Required quals are checked here, so that a
 * query the API would refuse fails before any request.
 */
static ForeignScan *
retailGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
					 Oid foreigntableid, ForeignPath *best_path, List *tlist,
					 List *scan_clauses, Plan *outer_plan)
{
	RfRelInfo  *info = baserel->fdw_private;
	const RfEndpoint *ep = info->opts.endpoint;
	List	   *pushed = NIL;
	List	   *ops = NIL;
	List	   *exprs = NIL;
	List	   *sort = NIL;
	List	   *collation_blocked = NIL;
	double		limit = info->limit;
	int			preview = info->preview;
	ListCell   *lc;

	foreach(lc, scan_clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		RfPushedQual *q = palloc(sizeof(RfPushedQual));

		if (ri->pseudoconstant)
			continue;
		if (!rf_match_qual(root, ri->clause, baserel->relid, foreigntableid, ep, q))
		{
			const char *blocked = rf_qual_collation_blocked(root, ri->clause,
															baserel->relid,
															foreigntableid, ep);

			if (blocked)
				collation_blocked = lappend(collation_blocked, (char *) blocked);
			check_shaping_qual(ri->clause, baserel->relid, foreigntableid, ep,
							   blocked != NULL);
			continue;
		}
		pushed = lappend(pushed, q);
		ops = lappend_int(lappend_int(ops, q->pd_index), q->op);
		exprs = lappend(exprs, q->expr);
	}

	/*
	 * The promise: fail before any request when the API would refuse.  A
	 * query under LIMIT 0 (what BI tools send to learn the columns) reads
	 * no row, so it needs no filter and makes no request.
	 */
	if (limit_zero(root))
		limit = 0;
	else if (info->preview < 0 || best_path->path.param_info != NULL ||
			 rf_requirements_met(ep, pushed))
	{
		rf_check_required(ep, pushed, get_rel_name(foreigntableid),
						  collation_blocked);
		preview = -1;
	}

	/* a sorted path pushes its ORDER BY, and then the LIMIT may follow */
	if (best_path->fdw_private != NIL)
	{
		List	   *pp = best_path->fdw_private;

		sort = list_make2_int(list_nth_int(pp, RF_PATH_SORT),
							  list_nth_int(pp, RF_PATH_DESC));
		if (list_nth_int(pp, RF_PATH_LIMIT) > 0)
			limit = list_nth_int(pp, RF_PATH_LIMIT);
	}

	return make_foreignscan(tlist,
							extract_actual_clauses(scan_clauses, false),
							baserel->relid,
							exprs,
							lappend(list_make5(ops,
											   retrieved_attrs(baserel, foreigntableid,
															   scan_clauses),
											   makeInteger(limit > INT_MAX ? -1 :
														   (int) limit),
											   sort,
											   makeInteger(limit == 0 ? -1 : preview)),
									sort != NIL || limit >= 0 ? NIL :
									rf_prefetch_plan(root, baserel, foreigntableid,
													 &info->opts,
													 &best_path->path, pushed)),
							NIL, NIL, outer_plan);
}

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
static void
retailBeginForeignScan(ForeignScanState *node, int eflags)
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

/*
 * The next earlier day of a scan that reads backwards: false when the
 * horizon is reached (and then a NOTICE says the LIMIT was not met).
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

		st->preview_today = rf_today();
		st->preview_day = 0;
		values = rf_day_bounds(st->pg.ep, st->preview, values, st->preview_today, 0);
		ereport(NOTICE,
				(errmsg("foreign table \"%s\" has no range on \"%s\": the LIMIT reads backwards from today, one day at a time",
						st->pg.relname, column),
				 errdetail("Days from %s back to %s at most (retail_fdw.preview_days = %d), until the LIMIT has its rows.",
						   preview_day_text(st, 0),
						   preview_day_text(st, rf_preview_days - 1), rf_preview_days),
				 errhint("Add a range on \"%s\" to choose the days.", column)));
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

static TupleTableSlot *
iterate_scan(ForeignScanState *node)
{
	RfScanState *st = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	MemoryContext old;

	ExecClearTuple(slot);
	if (!st->started)
		start_scan(node, st);
	if (st->prefetched)
		return rf_prefetch_next(st->prefetch, slot) ?
			ExecStoreVirtualTuple(slot) : slot;
	while (!rf_pager_next(&st->pg))
	{
		if (!preview_next_day(node, st))
			return slot;
	}

	MemoryContextReset(st->row_cxt);
	old = MemoryContextSwitchTo(st->row_cxt);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	rf_pager_row(&st->pg, slot->tts_values, slot->tts_isnull);
	MemoryContextSwitchTo(old);
	return ExecStoreVirtualTuple(slot);
}

/*
 * IterateForeignScan: the next row, or an empty slot at the end.  The
 * first call plans the request series from the evaluated quals; the pager
 * streams pages from there.  An error while a page is current (a value of
 * the wrong type, inconsistent pagination) is that page's failure in
 * request_stats.
 */
static TupleTableSlot *
retailIterateForeignScan(ForeignScanState *node)
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
static void
retailReScanForeignScan(ForeignScanState *node)
{
	reset_run(node, node->fdw_state);
}

/*
 * EndForeignScan: cancel what is in flight and free the run; the
 * connection reference is dropped with the query's memory.
 */
static void
retailEndForeignScan(ForeignScanState *node)
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
static Size
retailEstimateDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt)
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
static void
retailInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
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
static void
retailReInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
								 void *coordinate)
{
	RfScanState *st = node->fdw_state;

	reset_shared((RfParallelScan *) coordinate);
	st->pg.par = (RfParallelScan *) coordinate;
	rf_pager_parallel_leader(&st->pg, pcxt);
}

/* InitializeWorkerForeignScan: a worker joins the shared state */
static void
retailInitializeWorkerForeignScan(ForeignScanState *node, shm_toc *toc,
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
static void
retailShutdownForeignScan(ForeignScanState *node)
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

static void
explain_requests(ForeignScanState *node, RfScanState *st, ExplainState *es)
{
	const RfPagingSpec *pg = &st->pg.ep->paging;
	RfSeriesPlan *plan = st->pg.plan;
	int			nseries;
	List	   *shown = NIL;
	ListCell   *lc;

	if (st->pg.limit == 0)
	{
		ExplainPropertyText("Requests", "none: LIMIT 0 reads no row", es);
		return;
	}
	if (intVal(list_nth(((ForeignScan *) node->ss.ps.plan)->fdw_private,
						RF_PRIV_PREVIEW)) >= 0)
		ExplainPropertyText("Reading",
							psprintf("no range on %s: backwards from today, one day at a time, until the LIMIT has its rows or %d days are read (retail_fdw.preview_days)%s",
									 st->pg.ep->pushdown[intVal(list_nth(((ForeignScan *) node->ss.ps.plan)->fdw_private,
																	   RF_PRIV_PREVIEW))].column,
									 rf_preview_days,
									 st->started ? "; the last day read" : "; today"),
							es);
	if (!st->started || st->prefetched)
	{
		bool		unknown;
		bool		empty;
		List	   *values = evaluate_quals(node, st, true, &unknown);

		if (unknown)
		{
			ExplainPropertyText("Requests", "computed at execution from outer parameters", es);
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

			foreach(lc, rf_series_first(lplan, lplan ? lplan->nseries : 0))
				ExplainPropertyText("Listing",
									psprintf("%s %s", lister->method,
											 rf_series_target(lfirst(lc), lpg,
															  lpg->max_size > 0 ? lpg->max_size : lpg->default_size,
															  NULL)), es);
			ExplainPropertyText("Then", psprintf("%s %s for each listed %s, up to %d at once",
												 st->pg.ep->method, st->pg.ep->path,
												 st->pg.ep->id_column, st->pg.opts.max_concurrency), es);
			return;
		}
		plan = rf_pager_plan(&st->pg, values, &empty);
	}

	/* the first series are made to be shown; the others are counted */
	nseries = plan ? plan->nseries : 0;
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
static void
retailExplainForeignScan(ForeignScanState *node, ExplainState *es)
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
			if (!es->analyze && rf_wall_clock_reading(&st->pg.opts))
			{
				/* future days follow each store's today, known at execution */
				for (int i = 0; i < st->pg.ep->npushdown; i++)
					if (st->pg.ep->pushdown[i].horizon_last > 0)
					{
						ExplainPropertyText("Days served",
											psprintf("from each %s's own today: at execution the days above (UTC's) are planned again with the time zones listed by %s %s, a day more or less per store",
													 wc->key_column,
													 zep ? zep->method : "?", zep ? zep->path : "?"),
											es);
						break;
					}
			}
		}
	}
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
static List *
retailImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
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

/* ----------------------------------------------------------------
 *		Entry points
 * ----------------------------------------------------------------
 */

/*
 * The FDW handler: PostgreSQL asks it once for the callbacks of retail_fdw.
 */
Datum
retail_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = retailGetForeignRelSize;
	routine->GetForeignPaths = retailGetForeignPaths;
	routine->GetForeignPlan = retailGetForeignPlan;
	routine->BeginForeignScan = retailBeginForeignScan;
	routine->IterateForeignScan = retailIterateForeignScan;
	routine->ReScanForeignScan = retailReScanForeignScan;
	routine->EndForeignScan = retailEndForeignScan;
	routine->ExplainForeignScan = retailExplainForeignScan;
	routine->ImportForeignSchema = retailImportForeignSchema;
	routine->IsForeignScanParallelSafe = retailIsForeignScanParallelSafe;
	routine->EstimateDSMForeignScan = retailEstimateDSMForeignScan;
	routine->InitializeDSMForeignScan = retailInitializeDSMForeignScan;
	routine->ReInitializeDSMForeignScan = retailReInitializeDSMForeignScan;
	routine->InitializeWorkerForeignScan = retailInitializeWorkerForeignScan;
	routine->ShutdownForeignScan = retailShutdownForeignScan;
	routine->AnalyzeForeignTable = rf_analyze_foreign_table;
	routine->IsForeignRelUpdatable = rf_IsForeignRelUpdatable;
	routine->AddForeignUpdateTargets = rf_AddForeignUpdateTargets;
	routine->PlanForeignModify = rf_PlanForeignModify;
	routine->BeginForeignModify = rf_BeginForeignModify;
	routine->ExecForeignInsert = rf_ExecForeignInsert;
	routine->ExecForeignUpdate = rf_ExecForeignUpdate;
	routine->EndForeignModify = rf_EndForeignModify;
	routine->BeginForeignInsert = rf_BeginForeignInsert;
	routine->EndForeignInsert = rf_EndForeignInsert;
	routine->ExplainForeignModify = rf_ExplainForeignModify;
	PG_RETURN_POINTER(routine);
}

void
_PG_init(void)
{
	DefineCustomIntVariable("retail_fdw.preview_days",
							"Days a LIMIT without a range reads backwards, today included.",
							"A query with a LIMIT and no range on a table that needs one reads "
							"the most recent days, one at a time, until the LIMIT has its rows "
							"or this many days are read.",
							&rf_preview_days, 31, 1, 3660, PGC_USERSET, 0,
							NULL, NULL, NULL);
	rf_stats_init();
	rf_respcache_init();
	rf_progress_init();
	rf_analyze_init();
	rf_http_init();
	rf_webhook_init();

	/*
	 * Every retail_fdw.* setting is defined above: a misspelt one in
	 * postgresql.conf or SET is an error, not a silent placeholder.
	 */
	MarkGUCPrefixReserved("retail_fdw");
}
