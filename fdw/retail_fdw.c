/*-------------------------------------------------------------------------
 *
 * retail_fdw.c
 *		  Foreign-data wrapper callbacks of retail_fdw: planning, scanning,
 *		  EXPLAIN and IMPORT FOREIGN SCHEMA.
 *
 * A scan reads one vendor endpoint.  Planning finds the quals the endpoint
 * can take (reqplan.c) and offers parameterized paths for columns a join
 * can feed.  Execution evaluates the pushed values, turns them into request
 * series, and streams pages: a page is fetched when the previous one has
 * been parsed, and up to max_concurrency series run at once, so a scan
 * holds only what is in flight, never the whole result.
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
#include "access/table.h"
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
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "retail_fdw.h"
#include "webhook.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(retail_fdw_handler);

/* Planner cost guesses: a request costs far more than a row */
#define RF_STARTUP_COST		100.0
#define RF_REQUEST_COST		1000.0
#define RF_ROW_COST			0.01
/* Requests EXPLAIN lists before it summarizes */
#define RF_EXPLAIN_MAX_REQUESTS 20

/* fdw_private of the ForeignScan plan */
enum RfPrivate
{
	RF_PRIV_OPS,				/* IntList: pd_index, op, pd_index, op, ... */
	RF_PRIV_ATTRS,				/* IntList of retrieved attribute numbers */
	RF_PRIV_LIMIT,				/* Integer: pushed LIMIT, or -1 */
	RF_PRIV_SORT				/* IntList: sort index, descending; or NIL */
};

/* What planning learns about the foreign relation */
typedef struct RfRelInfo
{
	RfOptions	opts;
	List	   *pushed;			/* RfPushedQual * from baserestrictinfo */
	List	   *local_only;		/* RestrictInfos the API cannot take */
	double		limit;			/* a LIMIT safe to push, or -1 */
} RfRelInfo;

/* One page to fetch, in the order its rows come out */
typedef struct RfFetch
{
	RfSeries   *series;
	int64		pageno;			/* 1 for a series' first page */
	int64		offset;			/* rows of the series before this page */
	char	   *url;
	char	   *page_value;		/* the page / cursor / token asked for */
	List	   *headers;
	RfJsonParser *parser;
	RfTransfer *xfer;
	RfPage	   *cached;			/* an answer shared within the query */
} RfFetch;

typedef struct RfScanState
{
	MemoryContext cxt;			/* the scan's, reset by ReScan */
	MemoryContext row_cxt;		/* one row's Datums */
	MemoryContextCallback release_conn;
	RfOptions	opts;
	const RfEndpoint *ep;
	RfConn	   *conn;
	char	   *relname;
	char	   *endpoint_label;
	char	   *auth_shown;		/* for EXPLAIN, secrets redacted */
	List	   *qual_ops;
	List	   *qual_exprs;		/* ExprState *, parallel to qual_ops */
	List	   *qual_plain;		/* the Exprs, for EXPLAIN */
	RfRowContext rowctx;
	int			page_size;
	double		limit;
	int			sort;			/* index into ep->sorts, or -1 */
	bool		sort_desc;
	bool		explain_only;

	/* the current run */
	bool		started;
	int64		fetched;		/* rows in the pages fetched so far */
	List	   *series;
	int			next_series;
	List	   *queue;			/* RfFetch *, output order */
	RfFetch    *current;
	RfPage	   *page;
	int			row;
	RfStats		stats;			/* across rescans */
	int64		cache_hits;

	/*
	 * Fan-out: once a series' first page tells the total count, its other
	 * pages are asked for by number, several at once, instead of one after
	 * the other along next links.
	 */
	RfSeries   *fan_series;
	int64		fan_next;		/* next page number to ask for */
	int64		fan_total;		/* pages in the series */
	int64		fan_count;		/* the total the first page gave */
	int			fan_size;		/* rows per full page */
	Oid			umid;			/* the user mapping: keys the answer cache */
	EState	   *estate;
} RfScanState;

void		_PG_init(void);

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

	rows = info->opts.endpoint->rows_per_request;
	rows *= clauselist_selectivity(root, local_clauses, baserel->relid,
								   JOIN_INNER, NULL);
	if (info->limit > 0)
		rows = Min(rows, info->limit);
	baserel->rows = clamp_row_est(rows);
}

static void
add_scan_path(PlannerInfo *root, RelOptInfo *baserel, RfRelInfo *info,
			  List *pushed, double rows, Relids required_outer)
{
	Cost		startup = RF_STARTUP_COST + RF_REQUEST_COST;
	Cost		total;

	total = startup + rows * (RF_ROW_COST + cpu_tuple_cost) +
		RF_REQUEST_COST * ceil(rows / Max(info->opts.endpoint->rows_per_request, 1));

	/* a scan the API would refuse must lose to any other plan */
	if (!rf_requirements_met(info->opts.endpoint, pushed))
	{
		startup += disable_cost;
		total += disable_cost;
	}
	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, rows, startup, total,
									 NIL, required_outer, NULL, NIL));
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
												 list_make3_int(i, desc ? 1 : 0,
																(int) Min(limit, INT_MAX))));
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

static void
retailGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					  Oid foreigntableid)
{
	RfRelInfo  *info = baserel->fdw_private;
	const RfEndpoint *ep = info->opts.endpoint;
	List	   *outers = NIL;
	ListCell   *lc;

	add_scan_path(root, baserel, info, info->pushed, baserel->rows,
				  baserel->lateral_relids);
	add_sorted_path(root, baserel, info);

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
		add_scan_path(root, baserel, info, pushed,
					  Min(ppi->ppi_rows, ep->rows_per_request), outer);
	}
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
				   const RfEndpoint *ep)
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
		if (pd && pd->shapes)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("column \"%s\" of foreign table \"%s\" takes = or IN with constants or parameters only",
							name, get_rel_name(foreigntableid)),
					 errdetail("Its values shape the request: there are no rows for values that are not sent."),
					 errhint("Write %s = '...' or %s IN ('...', '...').", name, name)));
	}
}

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
	double		limit = info->limit;
	ListCell   *lc;

	foreach(lc, scan_clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		RfPushedQual *q = palloc(sizeof(RfPushedQual));

		if (ri->pseudoconstant)
			continue;
		if (!rf_match_qual(root, ri->clause, baserel->relid, foreigntableid, ep, q))
		{
			check_shaping_qual(ri->clause, baserel->relid, foreigntableid, ep);
			continue;
		}
		pushed = lappend(pushed, q);
		ops = lappend_int(lappend_int(ops, q->pd_index), q->op);
		exprs = lappend(exprs, q->expr);
	}

	/* the promise: fail before any request when the API would refuse */
	rf_check_required(ep, pushed, get_rel_name(foreigntableid));

	/* a sorted path pushes its ORDER BY, and then the LIMIT may follow */
	if (best_path->fdw_private != NIL)
	{
		sort = list_make2_int(linitial_int(best_path->fdw_private),
							  lsecond_int(best_path->fdw_private));
		if (lthird_int(best_path->fdw_private) > 0)
			limit = lthird_int(best_path->fdw_private);
	}

	return make_foreignscan(tlist,
							extract_actual_clauses(scan_clauses, false),
							baserel->relid,
							exprs,
							list_make4(ops,
									   retrieved_attrs(baserel, foreigntableid,
													   scan_clauses),
									   makeInteger(limit > INT_MAX ? -1 :
												   (int) limit),
									   sort),
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

	if (st->conn)
		rf_http_disconnect(st->conn);
	st->conn = NULL;
}

/* How each retrieved column is found in a row */
static void
init_column_map(RfScanState *st, Relation rel, List *attrs)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ListCell   *lc;
	int			i = 0;

	st->rowctx.cols = palloc0(sizeof(RfColMap) * Max(list_length(attrs), 1));
	foreach(lc, attrs)
	{
		AttrNumber	attno = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(tupdesc, attno - 1);
		char	   *attname = pstrdup(NameStr(att->attname));
		const char *path = NULL;
		const RfColumn *col;
		ListCell   *lo;

		foreach(lo, GetForeignColumnOptions(RelationGetRelid(rel), attno))
		{
			DefElem    *def = lfirst_node(DefElem, lo);

			if (strcmp(def->defname, "json_path") == 0)
				path = defGetString(def);
		}
		if (path == NULL && (col = rf_column_lookup(st->ep, attname)) != NULL)
			path = col->json_path ? col->json_path : col->name;
		if (path == NULL)
		{
			StringInfoData names;

			initStringInfo(&names);
			for (int c = 0; c < st->ep->ncolumns; c++)
				appendStringInfo(&names, "%s%s", c ? ", " : "", st->ep->columns[c].name);
			ereport(ERROR,
					(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
					 errmsg("column \"%s\" of foreign table \"%s\" matches no field of %s",
							attname, st->relname, st->ep->resource),
					 errdetail("Columns of %s: %s.", st->ep->resource, names.data),
					 errhint("Rename the column, or map it with OPTIONS (json_path 'field.subfield').")));
		}
		st->rowctx.cols[i].attnum = attno;
		rf_colmap_init(&st->rowctx.cols[i], attname, att->atttypid,
					   att->atttypmod, path);
		i++;
	}
	st->rowctx.ncols = i;
	st->rowctx.relname = st->relname;
	st->rowctx.vendor = st->opts.vendor->name;
	st->rowctx.endpoint = st->endpoint_label;
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
							   ObjectIdGetDatum(st->opts.serverid)) &&
		!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							   ObjectIdGetDatum(st->opts.serverid)))
		return pstrdup("no user mapping");
	rf_get_credentials(GetForeignServer(st->opts.serverid), userid, &cred);
	return rf_http_describe_auth(st->opts.vendor, &cred);
}

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
	st->estate = estate;
	st->cxt = AllocSetContextCreate(estate->es_query_cxt, "retail_fdw scan",
									ALLOCSET_DEFAULT_SIZES);
	st->row_cxt = AllocSetContextCreate(estate->es_query_cxt, "retail_fdw row",
										ALLOCSET_SMALL_SIZES);
	rf_get_options(RelationGetRelid(rel), &st->opts);
	st->ep = st->opts.endpoint;
	st->relname = pstrdup(RelationGetRelationName(rel));
	st->endpoint_label = psprintf("%s %s", st->ep->method, st->ep->path);
	st->qual_ops = ops;
	st->qual_plain = fsplan->fdw_exprs;
	st->qual_exprs = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	st->limit = intVal(list_nth(fsplan->fdw_private, RF_PRIV_LIMIT));
	st->sort = -1;
	if (list_nth(fsplan->fdw_private, RF_PRIV_SORT) != NIL)
	{
		List	   *sort = list_nth(fsplan->fdw_private, RF_PRIV_SORT);

		st->sort = linitial_int(sort);
		st->sort_desc = lsecond_int(sort) != 0;
	}
	st->page_size = rf_effective_page_size(&st->opts, st->limit);
	st->explain_only = (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0;
	init_column_map(st, rel, attrs);
	st->auth_shown = describe_auth(st, node);

	if (st->explain_only)
		return;

	/* the connection outlives the scan; the scan only holds a reference */
	old = MemoryContextSwitchTo(st->cxt);
	st->conn = rf_http_connect(&st->opts, scan_user(node));
	st->umid = GetUserMapping(scan_user(node), st->opts.serverid)->umid;
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
		qv->typid = (qv->op == RF_OP_IN) ? get_element_type(type) : type;
		result = lappend(result, qv);

		if (explain && has_exec_param_walker((Node *) plain, NULL))
		{
			if (qv->op != RF_OP_EQ)
				*unknown = true;
			qv->values = list_make1(psprintf("$%d", ++nunknown));
			qv->op = RF_OP_IN;	/* a value list, never a bound */
			continue;
		}

		value = ExecEvalExpr(lfirst(le), econtext, &qv->isnull);
		if (qv->isnull)
			continue;
		if (qv->op == RF_OP_IN)
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

/* A fetch of a series' page; url NULL means the series' own target */
static RfFetch *
make_fetch(RfScanState *st, RfSeries *series, int64 pageno, int64 offset,
		   const char *page_value, const char *url)
{
	RfFetch    *f = palloc0(sizeof(RfFetch));
	const RfPagingSpec *pg = &st->ep->paging;

	f->series = series;
	f->pageno = pageno;
	f->offset = offset;
	f->page_value = page_value ? pstrdup(page_value) : NULL;
	if (url)
		f->url = pstrdup(url);
	else
		f->url = psprintf("%s%s", st->opts.base_url,
						  rf_series_target(series, pg, st->page_size, page_value));
	if (pg->style == RF_PAGE_HEADER || pg->in_headers)
	{
		f->headers = lappend(f->headers, psprintf("%s: %d", pg->size_param, st->page_size));
		if (page_value)
			f->headers = lappend(f->headers, psprintf("%s: %s", pg->page_param, page_value));
	}
	return f;
}

static void
submit_fetch(RfScanState *st, RfFetch *f)
{
	RfHttpRequest req;
	RfBodySink	sink;

	if (st->ep->cacheable)
	{
		f->cached = rf_cache_lookup(st->estate, st->umid, f->url, st->ep,
									st->opts.vendor->name);
		if (f->cached)
		{
			st->cache_hits++;
			return;
		}
	}
	memset(&req, 0, sizeof(req));
	req.endpoint = st->endpoint_label;
	req.method = st->ep->method;
	req.url = f->url;
	req.body = f->series->body;
	req.headers = f->headers;
	req.idempotent = st->ep->idempotent;
	req.allow_404 = st->ep->missing_is_empty;
	f->parser = rf_json_parser_create(st->cxt);
	sink = rf_json_parser_sink(f->parser);
	f->xfer = rf_http_submit(st->conn, &req, &sink);
}

/* With a pushed LIMIT, the pages fetched so far may already hold enough */
static bool
limit_reached(RfScanState *st)
{
	return st->limit > 0 && st->fetched >= st->limit;
}

/*
 * Keep up to max_concurrency first pages of upcoming series in flight
 * (only one with a pushed LIMIT, which may need just the first).
 */
/* In-flight limit of the scan: max_concurrency and the vendor's own cap */
static int
inflight_limit(RfScanState *st)
{
	int			maxq = (st->limit > 0) ? 1 : st->opts.max_concurrency;

	if (st->ep->max_concurrency > 0)
		maxq = Min(maxq, st->ep->max_concurrency);
	return maxq;
}

/*
 * Ask for more pages of the fanned-out series, ahead of other series'
 * first pages in the queue (rows come out in page order).
 */
static void
top_up_series(RfScanState *st)
{
	const RfPagingSpec *pg = &st->ep->paging;
	int			maxq = inflight_limit(st);

	if (limit_reached(st))
		return;
	while (st->fan_series && st->fan_next <= st->fan_total &&
		   list_length(st->queue) < maxq)
	{
		int64		pageno = st->fan_next++;
		int64		offset = (pageno - 1) * st->fan_size;
		char	   *value = (pg->style == RF_PAGE_OFFSET) ?
			psprintf(INT64_FORMAT, offset) :
			psprintf(INT64_FORMAT, pg->first_page + pageno - 1);
		RfFetch    *f = make_fetch(st, st->fan_series, pageno, offset, value, NULL);
		int			pos = 0;
		ListCell   *lc;

		foreach(lc, st->queue)
		{
			if (((RfFetch *) lfirst(lc))->series != st->fan_series)
				break;
			pos++;
		}
		submit_fetch(st, f);
		st->queue = list_insert_nth(st->queue, pos, f);
	}
}

static void
start_series(RfScanState *st)
{
	int			inflight = list_length(st->queue);
	int			maxq = inflight_limit(st);

	if (limit_reached(st))
		return;
	top_up_series(st);
	inflight = list_length(st->queue);
	while (inflight < maxq && st->next_series < list_length(st->series))
	{
		RfFetch    *f = make_fetch(st, list_nth(st->series, st->next_series++),
								   1, 0, NULL, NULL);

		submit_fetch(st, f);
		st->queue = lappend(st->queue, f);
		inflight++;
	}
}

static void
pagination_error(RfScanState *st, const char *what, const char *url)
{
	const char *shown = url;

	/* the server's own pages are shown by path: the host is in base_url */
	if (url && strncmp(url, st->opts.base_url, strlen(st->opts.base_url)) == 0)
		shown = url + strlen(st->opts.base_url);
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_REPLY),
			 errmsg("inconsistent pagination from %s: %s", st->opts.vendor->name, what),
			 errdetail("Endpoint %s, server \"%s\", page %s.",
					   st->endpoint_label, st->opts.servername, shown ? shown : "(none)"),
			 errhint("No partial result was returned; retry the query.")));
}

/*
 * A series must never ask for a page twice: a next link or cursor that
 * comes back (1 -> 2 -> 1, or a page that names itself) would loop until
 * statement_timeout.  Every page's key is remembered per series.
 */
static void
check_unvisited(RfScanState *st, RfFetch *f, const char *key, const char *shown)
{
	ListCell   *lc;

	if (f->pageno == 1 && f->series->visited == NIL)
		f->series->visited = list_make1(pstrdup(f->page_value ? f->page_value : f->url));
	foreach(lc, f->series->visited)
	{
		if (strcmp(lfirst(lc), key) == 0)
			pagination_error(st, "the next page was asked for before (the links or cursors loop)",
							 shown);
	}
	f->series->visited = lappend(f->series->visited, pstrdup(key));
}

/*
 * At the end of a series, the rows must be what the total said, when the
 * API gives one: fewer is a lost page, more a page counted twice.  Either
 * is an error, never a short or long answer.
 */
static void
check_series_end(RfScanState *st, RfFetch *f, bool has_count, int64 count,
				 int64 seen)
{
	if (has_count && seen != count)
		pagination_error(st, psprintf("the pages ended after " INT64_FORMAT " rows while the total says " INT64_FORMAT,
									  seen, count), f->url);
}

/*
 * The fetch of the page after f, from what f's page says (next link,
 * cursor, count, headers), or NULL at the end of the series.
 */
static RfFetch *
next_fetch(RfScanState *st, RfFetch *f, RfPage *page)
{
	const RfPagingSpec *pg = &st->ep->paging;
	int			nrows = rf_page_nrows(page);
	int64		seen = f->offset + nrows;
	int64		count = -1;
	bool		has_count = rf_page_get_int(page, pg->count_path, &count);
	char	   *value;

	if (has_count && (count < 0 || seen > count))
		pagination_error(st, psprintf("page " INT64_FORMAT " brings the rows to " INT64_FORMAT ", past the total of " INT64_FORMAT,
									  f->pageno, seen, count), f->url);
	switch (pg->style)
	{
		case RF_PAGE_NONE:
			return NULL;
		case RF_PAGE_NUMBER:
			if (pg->next_is_url)
			{
				char	   *link = rf_page_get_string(page, pg->next_path);

				if (link == NULL || *link == '\0')
				{
					check_series_end(st, f, has_count, count, seen);
					return NULL;
				}
				/* a relative link is read against this page's URL */
				value = rf_http_resolve_url(f->url, link);
				if (value == NULL || !rf_http_same_origin(st->opts.base_url, value))
					pagination_error(st, "the next page is on another host", link);
				if (nrows == 0)
					pagination_error(st, "an empty page links to a next one", value);
				check_unvisited(st, f, value, value);
				return make_fetch(st, f->series, f->pageno + 1, seen, NULL, value);
			}
			if (nrows < st->page_size || (has_count && seen >= count))
			{
				check_series_end(st, f, has_count, count, seen);
				return NULL;
			}
			value = psprintf(INT64_FORMAT, pg->first_page + f->pageno);
			return make_fetch(st, f->series, f->pageno + 1, seen, value, NULL);
		case RF_PAGE_CURSOR:
		case RF_PAGE_TOKEN:
			value = rf_page_get_string(page, pg->next_path);
			if (value == NULL || *value == '\0' ||
				(pg->end_token && strcmp(value, pg->end_token) == 0))
			{
				check_series_end(st, f, has_count, count, seen);
				return NULL;
			}
			if (nrows == 0)
				pagination_error(st, "an empty page names a next cursor", value);
			check_unvisited(st, f, value, value);
			return make_fetch(st, f->series, f->pageno + 1, seen, value, NULL);
		case RF_PAGE_OFFSET:

			/*
			 * A server may cap the page size below what we asked: with a
			 * total, only the total says where the series ends.
			 */
			if (has_count)
			{
				if (seen >= count)
					return NULL;
				if (nrows == 0)
					pagination_error(st, psprintf("the pages ended after " INT64_FORMAT " of " INT64_FORMAT " rows",
												  seen, count), f->url);
			}
			else if (nrows < st->page_size)
				return NULL;
			return make_fetch(st, f->series, f->pageno + 1, seen,
							  psprintf(INT64_FORMAT, seen), NULL);
		case RF_PAGE_HEADER:
			if (rf_http_status(f->xfer) != 206)
				return NULL;
			if (nrows == 0)
				pagination_error(st, "an empty page says more pages follow", f->url);
			value = (char *) rf_http_page_next_header(f->xfer);
			if (value == NULL)
				value = psprintf(INT64_FORMAT, seen);
			check_unvisited(st, f, value, f->url);
			return make_fetch(st, f->series, f->pageno + 1, seen, value, NULL);
	}
	return NULL;
}

/* Drop the current page and its transfer */
static void
finish_current(RfScanState *st)
{
	if (st->page)
		rf_page_free(st->page);
	st->page = NULL;
	if (st->current && st->current->xfer)
		rf_http_release(st->current->xfer, &st->stats);
	st->current = NULL;
}

/*
 * Page-numbered and offset series whose first page gives the total count
 * fan out: the other pages are known in advance and go several at once.
 * Later pages are checked against the first: the same count, full pages
 * before the last.  Returns true when f's series is (now) fanned out, so
 * that no next link is followed.
 */
static bool
fan_out(RfScanState *st, RfFetch *f, RfPage *page)
{
	const RfPagingSpec *pg = &st->ep->paging;
	int			nrows = rf_page_nrows(page);
	int64		count;

	if (f->series == st->fan_series)
	{
		bool		last = (f->pageno == st->fan_total);

		if (!rf_page_get_int(page, pg->count_path, &count) || count != st->fan_count)
			pagination_error(st, psprintf("the total changed between pages (" INT64_FORMAT " then %s)",
										  st->fan_count,
										  rf_page_get_int(page, pg->count_path, &count) ?
										  psprintf(INT64_FORMAT, count) : "none"), f->url);
		if ((!last && nrows != st->fan_size) ||
			(last && nrows != st->fan_count - (st->fan_total - 1) * st->fan_size))
			pagination_error(st, psprintf("page " INT64_FORMAT " has %d rows, not the %s its total implies",
										  f->pageno, nrows, last ? "remainder" : "page size"),
							 f->url);
		if (last)
			st->fan_series = NULL;
		return true;
	}
	if (f->pageno != 1 || st->limit > 0 || pg->count_path == NULL ||
		(pg->style != RF_PAGE_NUMBER && pg->style != RF_PAGE_OFFSET) ||
		pg->page_param == NULL || !rf_page_get_int(page, pg->count_path, &count))
		return false;
	if (count < 0 || count < nrows)
		pagination_error(st, psprintf("the first page has %d rows but the total says " INT64_FORMAT,
									  nrows, count), f->url);
	/* a vendor that returned less than asked decides its own page size */
	if (count == nrows || nrows != st->page_size)
		return count == nrows;
	st->fan_series = f->series;
	st->fan_count = count;
	st->fan_size = nrows;
	st->fan_total = (count - 1) / nrows + 1;
	st->fan_next = 2;
	return true;
}

/*
 * Make the next page current: wait for the head of the queue, parse it,
 * and queue its successor at once so the network works while rows are
 * converted.  False when every series is exhausted.
 */
static bool
advance_page(RfScanState *st)
{
	RfFetch    *f;
	RfFetch    *succ;

	finish_current(st);
	start_series(st);

	/*
	 * Past a pushed LIMIT nothing is fetched ahead, but the executor may
	 * still want rows (its recheck may have dropped some): then the next
	 * page or series is fetched on demand.
	 */
	if (st->queue == NIL && st->next_series < list_length(st->series))
	{
		RfFetch    *next = make_fetch(st, list_nth(st->series, st->next_series++),
									  1, 0, NULL, NULL);

		st->queue = list_make1(next);
	}
	if (st->queue == NIL)
		return false;

	f = linitial(st->queue);
	st->queue = list_delete_first(st->queue);
	st->current = f;
	st->rowctx.consts = f->series->consts;
	if (f->xfer == NULL && f->cached == NULL)
		submit_fetch(st, f);
	if (f->cached)
	{
		st->page = f->cached;
		st->row = 0;
		st->fetched += rf_page_nrows(st->page);
		start_series(st);
		return true;
	}
	rf_http_wait(st->conn, f->xfer);
	if (!rf_http_succeeded(f->xfer))
		rf_http_raise(f->xfer);

	if (f->series->rows_path)
	{
		RfEndpoint *ep = palloc(sizeof(RfEndpoint));

		*ep = *st->ep;
		ep->rows_path = f->series->rows_path;
		st->page = rf_json_parser_finish(f->parser, ep, st->opts.vendor->name);
	}
	else
		st->page = rf_json_parser_finish(f->parser, st->ep, st->opts.vendor->name);
	st->row = 0;
	st->stats.pages++;
	rf_http_add_rows(f->xfer, rf_page_nrows(st->page));
	if (st->ep->cacheable)
		rf_cache_store(st->estate, st->estate->es_query_cxt, st->umid, f->url,
					   st->page);
	st->fetched += rf_page_nrows(st->page);
	if (st->ep->max_rows > 0 && rf_page_nrows(st->page) >= st->ep->max_rows)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_REPLY_HANDLE),
				 errmsg("a response of %s reached the vendor's cap of %d entries",
						st->opts.vendor->name, st->ep->max_rows),
				 errdetail("Endpoint %s may have left rows out; no partial result was returned.",
						   st->endpoint_label),
				 errhint("Add filters to foreign table \"%s\" so that each request returns fewer rows.",
						 st->relname)));

	/* the successor is known now; it is asked for now only below a LIMIT */
	succ = NULL;
	if (!fan_out(st, f, st->page))
		succ = next_fetch(st, f, st->page);
	if (succ)
	{
		if (!limit_reached(st))
			submit_fetch(st, succ);
		st->queue = lcons(succ, st->queue);
	}
	start_series(st);
	return true;
}

/* Does the scan have values for the endpoint's id column? */
static bool
has_id_values(RfScanState *st, List *values)
{
	ListCell   *lc;

	foreach(lc, values)
	{
		RfQualValue *qv = lfirst(lc);

		if (strcmp(st->ep->pushdown[qv->pd_index].column, st->ep->id_column) == 0 &&
			(qv->op & (RF_OP_EQ | RF_OP_IN)))
			return true;
	}
	return false;
}

/* The quals the lister can take, re-indexed into its pushdown table */
static List *
lister_values(RfScanState *st, List *values)
{
	const RfEndpoint *lister = st->ep->lister;
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, values)
	{
		RfQualValue *qv = lfirst(lc);
		const RfPushdown *pd = rf_pushdown_lookup(lister,
												  st->ep->pushdown[qv->pd_index].column);

		if (pd && (pd->ops & qv->op))
		{
			RfQualValue *copy = palloc(sizeof(RfQualValue));

			*copy = *qv;
			copy->pd_index = pd - lister->pushdown;
			result = lappend(result, copy);
		}
	}
	return result;
}

/* The lister's request series (also what EXPLAIN shows) */
static List *
lister_series(RfScanState *st, List *values, bool *empty)
{
	RfOptions	lopts = st->opts;

	lopts.endpoint = st->ep->lister;
	return rf_plan_series(&lopts, lister_values(st, values), empty);
}

/*
 * Listed rows carry some of the fields the quals bound (a visit's
 * created_at, say).  A bound the listing API cannot take (an upper one)
 * still tells which listed ids are worth fetching: these are the lister's
 * timestamp columns with folded bounds.  The executor rechecks anyway.
 */
typedef struct RfListBound
{
	RfFilter   *filter;
	int			att;			/* index into the row's values */
} RfListBound;

static List *
list_bounds(const RfEndpoint *lister, RfFilter *filters, RfColMap *cms,
			int *ncms)
{
	List	   *result = NIL;

	for (int i = 0; i < lister->npushdown; i++)
	{
		RfFilter   *f = &filters[i];
		const RfColumn *col = rf_column_lookup(lister, lister->pushdown[i].column);
		RfListBound *b;

		if (col == NULL || (!f->has_lower && !f->has_upper) ||
			f->lower_text != NULL || f->upper_text != NULL ||
			(f->typid != TIMESTAMPTZOID && f->typid != TIMESTAMPOID))
			continue;
		b = palloc(sizeof(RfListBound));
		b->filter = f;
		b->att = *ncms;
		cms[*ncms].attnum = *ncms + 1;
		rf_colmap_init(&cms[*ncms], col->name, f->typid, -1,
					   col->json_path ? col->json_path : col->name);
		(*ncms)++;
		result = lappend(result, b);
	}
	return result;
}

/* Whether a listed row's bounded fields are within the bounds (NULL: yes) */
static bool
within_bounds(List *bounds, Datum *values, bool *nulls)
{
	ListCell   *lc;

	foreach(lc, bounds)
	{
		RfListBound *b = lfirst(lc);
		Timestamp	t;

		if (nulls[b->att])
			continue;
		t = DatumGetTimestamp(values[b->att]);
		if ((b->filter->has_lower && t < b->filter->lower) ||
			(b->filter->has_upper && t > b->filter->upper))
			return false;
	}
	return true;
}

static void
listing_error(RfScanState *st, const char *what, const char *url)
{
	/* the server's own pages are shown by path: the host is in base_url */
	if (strncmp(url, st->opts.base_url, strlen(st->opts.base_url)) == 0)
		url += strlen(st->opts.base_url);
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_REPLY),
			 errmsg("inconsistent listing from %s: %s", st->opts.vendor->name, what),
			 errdetail("Listing %s %s, server \"%s\", page %s.",
					   st->ep->lister->method, st->ep->lister->path,
					   st->opts.servername, url),
			 errhint("No partial result was returned; retry the query.")));
}

/*
 * Page through the lister and collect the ids it lists, as an IN on the
 * endpoint's id column.  This runs before the first row: the listing is
 * small (ids and a few fields) and the details then go concurrently.
 *
 * A server may cap the page size below what we ask, so a short page is no
 * end: the listing follows the next links (or, without them, offsets)
 * until it has as many rows as its count says, and a listing that ends
 * before that is an error rather than a short answer.
 */
static List *
list_ids(RfScanState *st, List *values, bool *empty)
{
	const RfEndpoint *lister = st->ep->lister;
	const RfPagingSpec *pg = &lister->paging;
	int			size = pg->max_size > 0 ? pg->max_size : pg->default_size;
	List	   *ids = NIL;
	ListCell   *lc;
	RfColMap   *cms = palloc0(sizeof(RfColMap) * (lister->npushdown + 1));
	int			ncms = 1;
	Datum	   *rowvals;
	bool	   *rownulls;
	RfFilter   *filters = palloc0(sizeof(RfFilter) * Max(lister->npushdown, 1));
	List	   *bounds;
	RfRowContext rc;
	RfQualValue *qv;
	const RfPushdown *idpd = rf_pushdown_lookup(st->ep, st->ep->id_column);
	List	   *series = lister_series(st, values, empty);

	if (*empty)
		return values;
	(void) rf_fold_filters(lister, lister_values(st, values), filters);
	memset(&rc, 0, sizeof(rc));
	cms[0].attnum = 1;
	rf_colmap_init(&cms[0], "id", TEXTOID, -1, st->ep->list_id_field);
	bounds = list_bounds(lister, filters, cms, &ncms);
	rowvals = palloc(sizeof(Datum) * ncms);
	rownulls = palloc(sizeof(bool) * ncms);
	rc.cols = cms;
	rc.ncols = ncms;
	rc.relname = st->relname;
	rc.vendor = st->opts.vendor->name;
	rc.endpoint = lister->path;

	foreach(lc, series)
	{
		RfSeries   *s = lfirst(lc);
		int64		seen = 0;
		char	   *url = psprintf("%s%s", st->opts.base_url,
								   rf_series_target(s, pg, size, NULL));

		for (;;)
		{
			RfHttpRequest req;
			RfJsonParser *parser = rf_json_parser_create(CurrentMemoryContext);
			RfBodySink	sink = rf_json_parser_sink(parser);
			RfTransfer *xfer;
			RfPage	   *page;
			int			n;
			int64		count = -1;
			bool		has_count;
			char	   *next;

			memset(&req, 0, sizeof(req));
			req.endpoint = psprintf("%s %s", lister->method, lister->path);
			req.method = lister->method;
			req.url = url;
			req.idempotent = true;
			xfer = rf_http_submit(st->conn, &req, &sink);
			rf_http_wait(st->conn, xfer);
			if (!rf_http_succeeded(xfer))
				rf_http_raise(xfer);
			page = rf_json_parser_finish(parser, lister, st->opts.vendor->name);
			rf_http_add_rows(xfer, rf_page_nrows(page));
			rf_http_release(xfer, &st->stats);
			st->stats.pages++;
			n = rf_page_nrows(page);
			for (int i = 0; i < n; i++)
			{
				memset(rownulls, true, sizeof(bool) * ncms);
				rf_page_row(page, i, &rc, rowvals, rownulls);
				if (!rownulls[0] && within_bounds(bounds, rowvals, rownulls))
					ids = lappend(ids, TextDatumGetCString(rowvals[0]));
			}
			has_count = rf_page_get_int(page, pg->count_path, &count);
			next = pg->next_path ? rf_page_get_string(page, pg->next_path) : NULL;
			rf_page_free(page);
			seen += n;

			if (pg->style != RF_PAGE_OFFSET)
				break;
			if (has_count && seen >= count)
				break;
			if (n == 0)
			{
				if (has_count)
					listing_error(st, psprintf("the listing ended after " INT64_FORMAT " of " INT64_FORMAT " rows",
											   seen, count), url);
				break;
			}
			if (next != NULL && *next != '\0')
			{
				char	   *link = next;

				next = rf_http_resolve_url(url, link);
				if (next == NULL || !rf_http_same_origin(st->opts.base_url, next))
					listing_error(st, "the next page is on another host", url);
				if (strcmp(next, url) == 0)
					listing_error(st, "the next page repeats this one", url);
				url = pstrdup(next);
			}
			else if (has_count || (pg->next_path == NULL && n >= size))
			{
				/* no next link: a count still short, or a full page, asks on */
				if (has_count && pg->next_path != NULL)
					listing_error(st, psprintf("the listing ended after " INT64_FORMAT " of " INT64_FORMAT " rows",
											   seen, count), url);
				url = psprintf("%s%s", st->opts.base_url,
							   rf_series_target(s, pg, size, psprintf(INT64_FORMAT, seen)));
			}
			else
				break;
			CHECK_FOR_INTERRUPTS();
		}
	}

	if (ids == NIL)
	{
		*empty = true;
		return values;
	}
	qv = palloc0(sizeof(RfQualValue));
	qv->pd_index = idpd - st->ep->pushdown;
	qv->op = RF_OP_IN;
	qv->typid = TEXTOID;
	qv->values = ids;
	return lappend(list_copy(values), qv);
}

/* The scan's request series, with a pushed ORDER BY in every one */
static List *
scan_series(RfScanState *st, List *values, bool *empty)
{
	List	   *series;
	const RfPagingSpec *pg = &st->ep->paging;
	ListCell   *lc;

	if (st->ep->lister && !has_id_values(st, values))
	{
		*empty = false;
		values = list_ids(st, values, empty);
		if (*empty)
			return NIL;
	}
	series = rf_plan_series(&st->opts, values, empty);
	if (st->sort < 0)
		return series;
	foreach(lc, series)
	{
		RfSeries   *s = lfirst(lc);

		s->query = lappend(s->query, psprintf("%s=%s", pg->sort_param,
											  st->ep->sorts[st->sort].key));
		s->query = lappend(s->query, psprintf("%s=%s", pg->direction_param,
											  st->sort_desc ? "desc" : "asc"));
	}
	return series;
}

static void
start_scan(ForeignScanState *node, RfScanState *st)
{
	MemoryContext old = MemoryContextSwitchTo(st->cxt);
	bool		unknown;
	bool		empty;
	List	   *values = evaluate_quals(node, st, false, &unknown);

	st->series = scan_series(st, values, &empty);
	st->next_series = 0;
	st->started = true;
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

	for (;;)
	{
		bool		more;

		/* rows a widened request fetched for another series are skipped */
		while (st->page && st->row < rf_page_nrows(st->page) &&
			   st->current->series->keep_path &&
			   !rf_page_row_kept(st->page, st->row, st->current->series))
			st->row++;
		if (st->page && st->row < rf_page_nrows(st->page))
			break;
		old = MemoryContextSwitchTo(st->cxt);
		more = advance_page(st);
		MemoryContextSwitchTo(old);
		if (!more)
			return slot;
	}

	MemoryContextReset(st->row_cxt);
	old = MemoryContextSwitchTo(st->row_cxt);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	rf_page_row(st->page, st->row++, &st->rowctx, slot->tts_values,
				slot->tts_isnull);
	MemoryContextSwitchTo(old);
	st->stats.rows++;
	return ExecStoreVirtualTuple(slot);
}

/*
 * The next row.  An error while a page is current (a value of the wrong
 * type, inconsistent pagination) is that page's failure in request_stats.
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
		rf_http_note_failure(st->current ? st->current->xfer : NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return slot;
}

/* Forget the current run; transfers in flight are cancelled */
static void
reset_run(RfScanState *st)
{
	ListCell   *lc;

	finish_current(st);
	foreach(lc, st->queue)
	{
		RfFetch    *f = lfirst(lc);

		if (f->xfer)
			rf_http_release(f->xfer, &st->stats);
	}
	MemoryContextReset(st->cxt);
	st->queue = NIL;
	st->series = NIL;
	st->started = false;
	st->fetched = 0;
	st->fan_series = NULL;
}

/*
 * A rescan starts over with new parameter values: new series, new
 * requests.  Nothing of the previous run is reused.
 */
static void
retailReScanForeignScan(ForeignScanState *node)
{
	reset_run(node->fdw_state);
}

static void
retailEndForeignScan(ForeignScanState *node)
{
	RfScanState *st = node->fdw_state;

	if (st == NULL)
		return;
	reset_run(st);
}

/* ----------------------------------------------------------------
 *		EXPLAIN
 * ----------------------------------------------------------------
 */

static void
explain_requests(ForeignScanState *node, RfScanState *st, ExplainState *es)
{
	const RfPagingSpec *pg = &st->ep->paging;
	List	   *series = st->series;
	List	   *shown = NIL;
	ListCell   *lc;
	int			n = 0;

	if (!st->started)
	{
		bool		unknown;
		bool		empty;
		List	   *values = evaluate_quals(node, st, true, &unknown);

		if (unknown)
		{
			ExplainPropertyText("Requests", "computed at execution from outer parameters", es);
			return;
		}
		if (st->ep->lister && !has_id_values(st, values))
		{
			const RfEndpoint *lister = st->ep->lister;
			const RfPagingSpec *lpg = &lister->paging;

			foreach(lc, lister_series(st, values, &empty))
				ExplainPropertyText("Listing",
									psprintf("%s %s", lister->method,
											 rf_series_target(lfirst(lc), lpg,
															  lpg->max_size > 0 ? lpg->max_size : lpg->default_size,
															  NULL)), es);
			ExplainPropertyText("Then", psprintf("%s %s for each listed %s, up to %d at once",
												 st->ep->method, st->ep->path,
												 st->ep->id_column, st->opts.max_concurrency), es);
			return;
		}
		series = scan_series(st, values, &empty);
	}

	foreach(lc, series)
	{
		RfSeries   *s = lfirst(lc);

		if (n++ >= RF_EXPLAIN_MAX_REQUESTS)
			break;
		shown = lappend(shown, psprintf("%s %s%s%s", st->ep->method,
										rf_series_target(s, pg, st->page_size, NULL),
										s->body ? " " : "", s->body ? s->body : ""));
	}
	if (es->format == EXPLAIN_FORMAT_TEXT)
	{
		foreach(lc, shown)
			ExplainPropertyText("Request", lfirst(lc), es);
	}
	else
		ExplainPropertyList("Requests", shown, es);
	if (list_length(series) > RF_EXPLAIN_MAX_REQUESTS)
		ExplainPropertyInteger("Further series", NULL,
							   list_length(series) - RF_EXPLAIN_MAX_REQUESTS, es);
	if (series == NIL)
		ExplainPropertyText("Requests", "none: the conditions exclude every row", es);
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

static void
retailExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	RfScanState *st = node->fdw_state;

	ExplainPropertyText("Vendor", st->opts.vendor->name, es);
	ExplainPropertyText("Endpoint", st->endpoint_label, es);
	if (es->verbose)
	{
		ExplainPropertyText("Auth", st->auth_shown, es);
		ExplainPropertyText("Pagination", paging_description(&st->ep->paging), es);
		if (st->ep->paging.style != RF_PAGE_NONE)
			ExplainPropertyInteger("Page size", NULL, st->page_size, es);
		if (st->limit > 0)
			ExplainPropertyInteger("Pushed limit", NULL, (int64) st->limit, es);
		explain_requests(node, st, es);
	}
	if (es->analyze)
	{
		ExplainPropertyInteger("HTTP requests", NULL, st->stats.requests, es);
		ExplainPropertyInteger("Pages", NULL, st->stats.pages, es);
		ExplainPropertyInteger("Bytes received", NULL, st->stats.bytes, es);
		ExplainPropertyInteger("Retries", NULL, st->stats.retries, es);
		if (st->ep->cacheable)
			ExplainPropertyInteger("Answers shared within the query", NULL,
								   st->cache_hits, es);
		if (es->timing)
			ExplainPropertyFloat("Network wait", "ms",
								 st->stats.wait_us / 1000.0, 1, es);
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
 * The remote schema is the vendor's name; its tables are the vendor's
 * resources, with every documented column.
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
	routine->IsForeignRelUpdatable = retailIsForeignRelUpdatable;
	routine->AddForeignUpdateTargets = retailAddForeignUpdateTargets;
	routine->PlanForeignModify = retailPlanForeignModify;
	routine->BeginForeignModify = retailBeginForeignModify;
	routine->ExecForeignInsert = retailExecForeignInsert;
	routine->ExecForeignUpdate = retailExecForeignUpdate;
	routine->EndForeignModify = retailEndForeignModify;
	PG_RETURN_POINTER(routine);
}

void
_PG_init(void)
{
	rf_stats_init();
	rf_http_init();
	rf_webhook_init();
}
