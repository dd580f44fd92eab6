/*-------------------------------------------------------------------------
 *
 * fdwplan.c
 *		  The planning callbacks of retail_fdw: the size of a foreign
 *		  relation, its paths (plain, parameterized, sorted, partial) and
 *		  its plan.
 *
 * Planning finds the quals the endpoint can take (pushdown.c), fails
 * before any request when a required qual is missing, estimates rows and
 * requests from the pushed ranges, and offers parameterized paths for the
 * columns a join can feed.  What the executor needs it leaves in the
 * plan's fdw_private (RfPrivate, fdwplan.h).
 *
 * Not here: execution (fdwexec.c), deciding what to request (reqplan.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "parser/parsetree.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "cache.h"
#include "fdwplan.h"
#include "option.h"
#include "prefetch.h"
#include "pushdown.h"
#include "reqplan.h"
#include "vendor.h"

/* Planner cost guesses: a request costs far more than a row */
#define RF_STARTUP_COST		100.0
#define RF_REQUEST_COST		1000.0
#define RF_ROW_COST			0.01
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

/* What planning learns about the foreign relation */
typedef struct RfRelInfo
{
	RfOptions	opts;
	List	   *pushed;			/* RfPushedQual * from baserestrictinfo */
	List	   *local_only;		/* RestrictInfos the API cannot take */
	double		limit;			/* a LIMIT safe to push, or -1 */
	int			preview;		/* the range read backwards, or -1 */
	RfPreviewMode preview_mode;
	AttrNumber	preview_attno;	/* the range's column in the table, or 0 */
	bool		preview_sorted; /* ORDER BY it DESC: each day sorted */
	const char *preview_off;	/* why a query without a range is no preview */
} RfRelInfo;

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
 * The range column's attribute in the table when it can be compared and
 * sorted as the days are read: the descriptor's own field (no json_path
 * of another), typed date or timestamptz.  0 otherwise.
 */
static AttrNumber
preview_attribute(Oid reloid, const RfEndpoint *ep, int range)
{
	const char *column = ep->pushdown[range].column;
	const RfColumn *col = rf_column_lookup(ep, column);
	AttrNumber	attno = get_attnum(reloid, column);
	Oid			typid;

	if (attno <= 0 || col == NULL)
		return 0;
	typid = get_atttype(reloid, attno);
	if (!((typid == DATEOID && col->type == RF_DATE) ||
		  (typid == TIMESTAMPTZOID && col->type == RF_TIMESTAMPTZ)))
		return 0;
	return rf_attr_reads_own_field(reloid, attno, col, column) ? attno : 0;
}

/*
 * The query's one sort key, when it is a column of this relation (attno,
 * or any with 0) in its type's default order: that column's Var, or NULL.
 */
static Var *
query_sort_column(PlannerInfo *root, RelOptInfo *baserel, AttrNumber attno)
{
	PathKey    *pk;
	ListCell   *lc;

	if (list_length(root->query_pathkeys) != 1)
		return NULL;
	pk = linitial(root->query_pathkeys);
	if (pk->pk_eclass->ec_has_volatile)
		return NULL;
	foreach(lc, pk->pk_eclass->ec_members)
	{
		Expr	   *e = ((EquivalenceMember *) lfirst(lc))->em_expr;
		Var		   *v;

		while (e && IsA(e, RelabelType))
			e = ((RelabelType *) e)->arg;
		if (e == NULL || !IsA(e, Var))
			continue;
		v = (Var *) e;
		if ((Index) v->varno != baserel->relid || v->varlevelsup != 0 ||
			v->varattno <= 0 || (attno > 0 && v->varattno != attno))
			continue;
		return pk->pk_opfamily ==
			get_opclass_family(GetDefaultOpClass(v->vartype, BTREE_AM_OID)) ? v : NULL;
	}
	return NULL;
}

/* ORDER BY the range column DESC, alone: the days read backwards, sorted */
static bool
orders_by_range_desc(PlannerInfo *root, RelOptInfo *baserel, AttrNumber attno)
{
	return attno > 0 &&
		((PathKey *) linitial(root->query_pathkeys))->pk_strategy == BTGreaterStrategyNumber &&
		query_sort_column(root, baserel, attno) != NULL;
}

/*
 * A lone-table SELECT without a range, on a table that needs a time range:
 * "SELECT * FROM t LIMIT 100", a cursor's FETCH 100, a client's row limit
 * (JDBC setMaxRows, psycopg fetchmany) -- how BI tools and pandas preview a
 * table.  The scan reads the most recent days, one at a time backwards
 * from today, only as far as rows are fetched: a LIMIT ends it (at the
 * horizon, retail_fdw.preview_days, with a NOTICE that it found fewer
 * rows); without one the client decides, and a client that wants more
 * than the horizon holds gets an error, never a part of the table.
 * "ORDER BY <range> DESC" is kept by sorting each day before it is
 * returned.  Only where nothing else could see the difference: no other
 * ORDER BY, aggregate, grouping, DISTINCT, window, set operation or join
 * (they would read every day in reach and answer for those days only), no
 * bound at all on the range, and, without a LIMIT, the query's own top
 * level SELECT (not the source of an INSERT).  Returns the pushdown index
 * of the range column, or -1 (with preview_off saying why, when a range
 * could have been read so).
 */
static int
preview_range(PlannerInfo *root, RelOptInfo *baserel, RfRelInfo *info,
			  Oid reloid)
{
	const RfEndpoint *ep = info->opts.endpoint;
	Query	   *parse = root->parse;
	int			range;

	info->preview_off = NULL;
	info->preview_sorted = false;
	if (rf_requirements_met(ep, info->pushed))
		return -1;
	range = rf_day_range_column(ep, info->pushed);
	if (range < 0)
		return -1;
	info->preview_attno = preview_attribute(reloid, ep, range);
	info->preview_mode = parse->limitCount ? RF_PREVIEW_LIMIT : RF_PREVIEW_OPEN;
	if (bms_membership(root->all_baserels) != BMS_SINGLETON)
		info->preview_off = "the table is joined";
	else if (parse->groupClause != NIL || parse->groupingSets != NIL ||
			 parse->hasAggs || parse->havingQual != NULL)
		info->preview_off = "the query aggregates";
	else if (parse->hasWindowFuncs)
		info->preview_off = "the query has window functions";
	else if (parse->distinctClause != NIL)
		info->preview_off = "the query has DISTINCT";
	else if (parse->setOperations != NULL)
		info->preview_off = "the query has a set operation";
	else if (parse->limitCount == NULL &&
			 (root->query_level > 1 || parse->commandType != CMD_SELECT))
		info->preview_off = "the query is not a lone SELECT";
	else if (parse->sortClause != NIL)
	{
		info->preview_sorted = orders_by_range_desc(root, baserel,
													info->preview_attno);
		if (!info->preview_sorted)
			info->preview_off = psprintf("its ORDER BY is not \"%s\" DESC alone",
										 ep->pushdown[range].column);
	}
	return info->preview_off ? -1 : range;
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

void
rf_GetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
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
	info->preview = preview_range(root, baserel, info, foreigntableid);

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
		!(info->preview >= 0 && !info->preview_sorted && required_outer == NULL))
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
	bool		hooked = (RF_EP_HOOK(ep, plan_series) != NULL);

	for (int p = 0; p < ep->npushdown; p++)
	{
		const RfPushdown *pd = &ep->pushdown[p];
		RfExtent	x;

		pushed_extent(root, info, p, &x);
		if (x.values > 1 && (hooked ? pd->shapes : pd->multi == RF_MULTI_SPLIT))
			series *= x.values;
		else if (x.values > 1 && !hooked &&
				 pd->multi == RF_MULTI_REPEAT && pd->batch > 0)
			series *= ceil(x.values / pd->batch);
		if (hooked || !x.has_lo || !x.has_hi || x.hi <= x.lo)
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
 * others fetched: an endpoint with a per-query answer cache (a parent's
 * answers shared between its child tables in a query) and one whose ids come
 * from a listing first (every participant would list them again).
 */
bool
rf_IsForeignScanParallelSafe(PlannerInfo *root, RelOptInfo *rel,
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
	Var		   *v;
	bool		desc;
	char	   *attname;
	const RfColumn *col;

	if (ep->nsorts == 0 || RF_EP_HOOK(ep, sort_query) == NULL ||
		!single_series(ep, info->pushed) ||
		!rf_requirements_met(ep, info->pushed) ||
		(v = query_sort_column(root, baserel, 0)) == NULL)
		return;
	pk = linitial(root->query_pathkeys);
	desc = (pk->pk_strategy == BTGreaterStrategyNumber);
	if (pk->pk_nulls_first != desc)
		return;
	attname = get_attname(planner_rt_fetch(baserel->relid, root)->relid,
						  v->varattno, false);
	col = rf_column_lookup(ep, attname);
	if (col == NULL || !rf_orders_like(col->type, v->vartype))
		return;
	for (int i = 0; i < ep->nsorts; i++)
	{
		double		rows = baserel->rows;
		double		limit;
		Cost		startup = RF_STARTUP_COST + RF_REQUEST_COST;
		Cost		total;

		if (strcmp(ep->sorts[i].column, attname) != 0)
			continue;
		limit = pushable_limit(root, baserel, info->local_only, true);
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
		return;
	}
}

/*
 * ORDER BY the range DESC without a range: the days read backwards, each
 * sorted before it is returned, are in the query's order (preview_range).
 */
static void
add_preview_sorted_path(PlannerInfo *root, RelOptInfo *baserel, RfRelInfo *info)
{
	const RfEndpoint *ep = info->opts.endpoint;
	double		rows = baserel->rows;
	Cost		startup;

	if (info->preview < 0 || !info->preview_sorted)
		return;
	/* a day is read whole before its first row */
	startup = RF_STARTUP_COST + RF_REQUEST_COST *
		Max(1.0, ceil(rows / Max(ep->rows_per_request, 1)));
	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, rows, startup,
									 startup + rows * (RF_ROW_COST + cpu_tuple_cost),
									 root->query_pathkeys, NULL, NULL, NIL));
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
void
rf_GetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					  Oid foreigntableid)
{
	RfRelInfo  *info = baserel->fdw_private;
	const RfEndpoint *ep = info->opts.endpoint;
	List	   *outers = NIL;
	ListCell   *lc;

	add_scan_path(root, baserel, info, info->pushed, baserel->rows,
				  baserel->lateral_relids, 1.0);
	add_sorted_path(root, baserel, info);
	add_preview_sorted_path(root, baserel, info);
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
		if (pd && pd->shapes && (pd->ops & RF_OP_IN))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("column \"%s\" of foreign table \"%s\" takes = or IN with constants or parameters only",
							name, get_rel_name(foreigntableid)),
					 errdetail("Its values shape the request: there are no rows for values that are not sent."),
					 errhint("Write %s = '...' or %s IN ('...', '...').", name, name)));
		if (pd && pd->shapes)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("column \"%s\" of foreign table \"%s\" takes = with a constant or parameter only",
							name, get_rel_name(foreigntableid)),
					 errdetail("Its value shapes the request: there are no rows for values that are not sent."),
					 errhint("Write %s = '...'.", name)));
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
ForeignScan *
rf_GetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
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
	List	   *attrs;
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
			 rf_requirements_met(ep, pushed) ||
			 (info->preview_sorted && best_path->path.pathkeys == NIL))
	{
		rf_check_required(ep, pushed, get_rel_name(foreigntableid),
						  collation_blocked, info->preview_off);
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

	/* a preview compares each row's range with the day read */
	attrs = retrieved_attrs(baserel, foreigntableid, scan_clauses);
	if (limit == 0)
		preview = -1;
	if (preview >= 0 && info->preview_attno > 0)
		attrs = list_append_unique_int(attrs, info->preview_attno);

	return make_foreignscan(tlist,
							extract_actual_clauses(scan_clauses, false),
							baserel->relid,
							exprs,
							lappend(lappend(list_make5(ops, attrs,
													   makeInteger(limit > INT_MAX ? -1 :
																   (int) limit),
													   sort,
													   makeInteger(preview)),
											sort != NIL || limit >= 0 ? NIL :
											rf_prefetch_plan(root, baserel, foreigntableid,
															 &info->opts,
															 &best_path->path, pushed)),
									list_make3_int(info->preview_mode,
												   preview >= 0 ? info->preview_attno : 0,
												   preview >= 0 && info->preview_sorted)),
							NIL, NIL, outer_plan);
}
