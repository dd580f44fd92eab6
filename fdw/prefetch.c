/*-------------------------------------------------------------------------
 *
 * prefetch.c
 *		  Id prefetch: a parameterized scan under a nested loop fetches the
 *		  rows of all the outer side's values at once, in the vendor's
 *		  batches, and answers each rescan from memory.
 *
 * The planner puts a local table on the outer side of a nested loop whose
 * inner side is a parameterized foreign scan: for "s JOIN rn_datamine d ON
 * d.location_uuid = s.uuid", and for "location_uuid IN (SELECT uuid FROM
 * s ...)", which it turns into a semi-join and runs the same way over the
 * unique values.  Without help each outer row is one request series.
 * When the id column travels as a list (RF_MULTI_REPEAT: a JSON array or a
 * repeated query parameter, in batches of the descriptor's size), the
 * scan can do better:
 *
 *	planning	the outer side is a single base relation, an ordinary
 *				table, whose restrictions can be evaluated again (no
 *				volatile functions, no subqueries, no executor Params;
 *				a prepared statement's Params are passed along), no row
 *				security and no view's owner checking its permissions.
 *				GetForeignPlan records "SELECT DISTINCT <outer expression>
 *				FROM <table> WHERE <its restrictions>", deparsed.
 *	first run	that query runs once through SPI, read-only, in the
 *				statement's snapshot, as the current user (so privileges
 *				hold as in the statement itself); the scan's pushed quals
 *				are planned once more with the id qual replaced by an IN
 *				list of those values, which the request planner splits
 *				into the vendor's batches (and, for rn_datamine, under the
 *				entry cap); every row is kept in memory under its id.
 *	each run	a value that was listed is answered from memory; any
 *				other value (NULL, or one the query could not foresee) is
 *				fetched on its own, as without prefetch.  The executor
 *				still rechecks the join clause on every row.
 *
 * Trade-offs.  The prefetch reads every outer row the restrictions admit,
 * so a LIMIT above the join, or a join with a third table that would have
 * removed most outer rows, may fetch more than per-row requests would
 * have: the prefetch is not planned when the query wants only its first
 * rows (tuple_fraction), and never for more than RF_PREFETCH_MAX_VALUES
 * values.  Rows are kept in memory up to work_mem; beyond, the prefetch is
 * given up (what it fetched is dropped, EXPLAIN ANALYZE says so) and every
 * run fetches its own value again: a spill to disk would keep requests low
 * for a result that large, but such results are not what a nested loop
 * over a list of stores is for.  Endpoints that send one request per value
 * anyway (a path segment, or a split query parameter) gain nothing and
 * are not prefetched.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "prefetch.h"
#include "http.h"
#include "progress.h"
#include "reqplan.h"

/* More distinct values than this are fetched one run at a time */
#define RF_PREFETCH_MAX_VALUES	10000
/* Longest value kept as a key (ids are short; a longer one turns it off) */
#define RF_PREFETCH_KEYLEN		128
/* Batch size shown and costed for a list the API takes whole */
#define RF_PREFETCH_WHOLE_LIST	0

/* fdw_private of the prefetch (a List, one slot each) */
enum RfPrefetchPrivate
{
	RF_PF_QUERY,				/* String: SELECT DISTINCT ... */
	RF_PF_QUAL,					/* Integer: index of the id qual */
	RF_PF_KEY_ATTNO,			/* Integer: the id column */
	RF_PF_KEY_TYPE,				/* Integer: its type (= the value's) */
	RF_PF_BATCH,				/* Integer: values a request, 0 = all */
	RF_PF_PARAMS,				/* IntList: Param ids, as $1, $2, ... */
	RF_PF_PARAM_TYPES			/* OidList: their types */
};

typedef enum RfPrefetchState
{
	RF_PF_NEW,					/* not run yet */
	RF_PF_READY,				/* rows in memory */
	RF_PF_OFF					/* given up: every run fetches its own */
} RfPrefetchState;

typedef struct RfPrefetchEntry
{
	char		key[RF_PREFETCH_KEYLEN];
	List	   *rows;			/* HeapTuple */
} RfPrefetchEntry;

struct RfPrefetch
{
	/* from the plan */
	char	   *query;
	int			qual;
	AttrNumber	key_attno;
	Oid			key_type;
	int			batch;
	List	   *params;
	List	   *param_types;

	EState	   *estate;
	TupleDesc	tupdesc;
	ExprState  *filter;			/* the scan's quals that no run changes */
	ExprContext *econtext;		/* ...evaluated here */
	TupleTableSlot *slot;
	Size		bytes;			/* rows kept */
	MemoryContext cxt;			/* keys and rows */
	HTAB	   *keys;
	RfPrefetchState state;
	const char *off_reason;

	/* the run being answered */
	List	   *rows;
	int			pos;

	/* for EXPLAIN ANALYZE */
	int64		nvalues;
	int64		nseries;
	int64		nrows;
	int64		served;
	int64		alone;
};

/* ----------------------------------------------------------------
 *		Planning
 * ----------------------------------------------------------------
 */

/* Anything but the outer table's columns, constants and extern Params? */
static bool
unsafe_walker(Node *node, Index *outer)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *v = (Var *) node;

		return v->varno != (int) *outer || v->varlevelsup != 0 ||
			v->varattno <= 0;
	}
	if (IsA(node, Param))
		return ((Param *) node)->paramkind != PARAM_EXTERN;
	if (IsA(node, SubLink) || IsA(node, SubPlan) ||
		IsA(node, AlternativeSubPlan) || IsA(node, PlaceHolderVar) ||
		IsA(node, Aggref) || IsA(node, WindowFunc) ||
		IsA(node, GroupingFunc) || IsA(node, CurrentOfExpr) ||
		IsA(node, NextValueExpr))
		return true;
	return expression_tree_walker(node, unsafe_walker, outer);
}

static bool
safe_expr(Node *node, Index outer)
{
	return !unsafe_walker(node, &outer) && !contain_volatile_functions(node);
}

/* Does an expression read a Var or an executor Param (changes per run)? */
static bool
varying_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) || IsA(node, PlaceHolderVar))
		return true;
	if (IsA(node, Param))
		return ((Param *) node)->paramkind != PARAM_EXTERN;
	return expression_tree_walker(node, varying_walker, context);
}

/* Has the table row security enabled (its policies would apply again)? */
static bool
row_security_on(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		on;

	if (!HeapTupleIsValid(tup))
		return true;
	on = ((Form_pg_class) GETSTRUCT(tup))->relrowsecurity;
	ReleaseSysCache(tup);
	return on;
}

/* The outer relation, when it is one table whose query can run again */
static RangeTblEntry *
outer_table(PlannerInfo *root, Relids outer, Index *rti)
{
	int			x;
	RelOptInfo *orel;
	RangeTblEntry *rte;
	char		relkind;
	ListCell   *lc;

	if (!bms_get_singleton_member(outer, &x))
		return NULL;
	orel = find_base_rel(root, x);
	if (orel->reloptkind != RELOPT_BASEREL || orel->rtekind != RTE_RELATION)
		return NULL;
	rte = planner_rt_fetch(x, root);
	if (rte->rtekind != RTE_RELATION || rte->tablesample != NULL ||
		OidIsValid(rte->checkAsUser) || row_security_on(rte->relid))
		return NULL;
	relkind = get_rel_relkind(rte->relid);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_MATVIEW &&
		relkind != RELKIND_PARTITIONED_TABLE)
		return NULL;
	foreach(lc, orel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (!safe_expr((Node *) ri->clause, x))
			return NULL;
	}
	*rti = x;
	return rte;
}

/*
 * Can a scan parameterized by the relations "outer", with these pushed
 * quals (RfPushedQual *), prefetch its ids?  The values a request takes
 * (0 = the whole list) and, in *which, the position of the id qual in
 * pushed; -1 when it cannot.
 */
int
rf_prefetch_batch(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				  const RfOptions *opts, Relids outer, List *pushed, int *which)
{
	const RfEndpoint *ep = opts->endpoint;
	const RfPushdown *pd;
	RfPushedQual *id = NULL;
	Index		rti;
	ListCell   *lc;
	Oid			keytype;
	Oid			coll;
	AttrNumber	attno;

	*which = -1;
	/* a query that wants its first rows fast is better served per row */
	if (root->tuple_fraction != 0.0 || root->parse->rowMarks != NIL)
		return -1;
	if (outer_table(root, outer, &rti) == NULL)
		return -1;
	/* more rows than the prefetch takes would be fetched one by one */
	if (find_base_rel(root, rti)->rows > RF_PREFETCH_MAX_VALUES)
		return -1;
	foreach(lc, pushed)
	{
		RfPushedQual *q = lfirst(lc);

		if (!varying_walker((Node *) q->expr, NULL))
			continue;
		if (id != NULL || q->op != RF_OP_EQ || !safe_expr((Node *) q->expr, rti))
			return -1;
		id = q;
		*which = foreach_current_index(lc);
	}
	if (id == NULL)
		return -1;

	pd = &ep->pushdown[id->pd_index];
	/*
	 * Only a list the API filters by: not one sent value by value, nor
	 * values that shape the answer or become the rows' constants (a row of
	 * rn_zone_transitions answers to whichever asked location it belongs
	 * to, which depends on what else was asked).
	 */
	if (pd->multi != RF_MULTI_REPEAT || pd->loc == RF_LOC_PATH || ep->lister ||
		pd->shapes || pd->as_const)
		return -1;

	/* rows are matched to values by their text: same type, exact equality */
	attno = get_attnum(foreigntableid, pd->column);
	if (attno == InvalidAttrNumber)
		return -1;
	keytype = exprType((Node *) id->expr);
	if (keytype != get_atttype(foreigntableid, attno) ||
		(keytype != TEXTOID && keytype != VARCHAROID && keytype != UUIDOID &&
		 keytype != INT4OID && keytype != INT8OID && keytype != INT2OID))
		return -1;
	coll = exprCollation((Node *) id->expr);
	if (OidIsValid(coll) && !get_collation_isdeterministic(coll))
		return -1;
	return pd->batch > 0 ? pd->batch : RF_PREFETCH_WHOLE_LIST;
}

/* Renumber a prepared statement's Params as $1, $2, ... of the query */
typedef struct ParamRenumber
{
	List	   *ids;
	List	   *types;
} ParamRenumber;

static Node *
renumber_params(Node *node, ParamRenumber *ctx)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN)
	{
		Param	   *p = (Param *) copyObject(node);
		int			n = list_length(ctx->ids);
		ListCell   *lc;

		foreach(lc, ctx->ids)
		{
			if (lfirst_int(lc) == p->paramid)
			{
				n = foreach_current_index(lc);
				break;
			}
		}
		if (n == list_length(ctx->ids))
		{
			ctx->ids = lappend_int(ctx->ids, p->paramid);
			ctx->types = lappend_oid(ctx->types, p->paramtype);
		}
		p->paramid = n + 1;
		return (Node *) p;
	}
	return expression_tree_mutator(node, renumber_params, ctx);
}

/*
 * GetForeignPlan's part: the prefetch of a parameterized path, as the
 * fdw_private slot RfPrefetchPrivate, or NIL.  pushed are the plan's
 * pushed quals (RfPushedQual *), in fdw_exprs order.
 */
List *
rf_prefetch_plan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				 const RfOptions *opts, Path *path, List *pushed)
{
	int			which;
	int			batch;
	Index		rti;
	RangeTblEntry *rte;
	RelOptInfo *orel;
	RfPushedQual *id;
	ParamRenumber ctx = {NIL, NIL};
	List	   *dpcontext;
	StringInfoData sql;
	Node	   *e;
	ListCell   *lc;
	bool		first = true;
	const char *alias;

	if (path->param_info == NULL)
		return NIL;
	batch = rf_prefetch_batch(root, baserel, foreigntableid, opts,
							  path->param_info->ppi_req_outer, pushed, &which);
	if (batch < 0)
		return NIL;
	rte = outer_table(root, path->param_info->ppi_req_outer, &rti);
	orel = find_base_rel(root, rti);
	id = list_nth(pushed, which);
	alias = rte->eref->aliasname;
	dpcontext = deparse_context_for(alias, rte->relid);

	initStringInfo(&sql);
	e = copyObject((Node *) id->expr);
	ChangeVarNodes(e, rti, 1, 0);
	e = renumber_params(e, &ctx);
	appendStringInfo(&sql, "SELECT DISTINCT %s FROM %s%s %s",
					 deparse_expression(e, dpcontext, true, false),
					 rte->inh ? "" : "ONLY ",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(rte->relid)),
												get_rel_name(rte->relid)),
					 quote_identifier(alias));
	foreach(lc, orel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		e = copyObject((Node *) ri->clause);
		ChangeVarNodes(e, rti, 1, 0);
		e = renumber_params(e, &ctx);
		appendStringInfo(&sql, "%s%s", first ? " WHERE " : " AND ",
						 deparse_expression(e, dpcontext, true, false));
		first = false;
	}

	return lappend(lappend(list_make5(makeString(sql.data),
									  makeInteger(which),
									  makeInteger(get_attnum(foreigntableid,
															 opts->endpoint->pushdown[id->pd_index].column)),
									  makeInteger((int) exprType((Node *) id->expr)),
									  makeInteger(batch)),
						   ctx.ids),
				   ctx.types);
}

/* ----------------------------------------------------------------
 *		Execution
 * ----------------------------------------------------------------
 */

/* Does an expression read an executor Param or run a subquery? */
static bool
exec_param_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param))
		return ((Param *) node)->paramkind != PARAM_EXTERN;
	if (IsA(node, SubPlan) || IsA(node, AlternativeSubPlan) || IsA(node, SubLink))
		return true;
	return expression_tree_walker(node, exec_param_walker, context);
}

RfPrefetch *
rf_prefetch_begin(ForeignScanState *node, List *priv)
{
	RfPrefetch *pf;
	List	   *fixed = NIL;
	ListCell   *lc;

	if (priv == NIL)
		return NULL;
	pf = palloc0(sizeof(RfPrefetch));
	pf->query = strVal(list_nth(priv, RF_PF_QUERY));
	pf->qual = intVal(list_nth(priv, RF_PF_QUAL));
	pf->key_attno = intVal(list_nth(priv, RF_PF_KEY_ATTNO));
	pf->key_type = (Oid) intVal(list_nth(priv, RF_PF_KEY_TYPE));
	pf->batch = intVal(list_nth(priv, RF_PF_BATCH));
	pf->params = list_nth(priv, RF_PF_PARAMS);
	pf->param_types = list_nth(priv, RF_PF_PARAM_TYPES);
	pf->estate = node->ss.ps.state;
	pf->tupdesc = RelationGetDescr(node->ss.ss_currentRelation);
	pf->state = RF_PF_NEW;

	/*
	 * Rows the scan's own quals refuse in every run need no memory: those
	 * quals are checked once here (the executor checks them again).  Not
	 * the ones that read a run's parameters, nor volatile ones (checked
	 * twice they would filter twice), nor subqueries.
	 */
	foreach(lc, ((ForeignScan *) node->ss.ps.plan)->scan.plan.qual)
	{
		Node	   *q = lfirst(lc);

		if (!exec_param_walker(q, NULL) && !contain_volatile_functions(q))
			fixed = lappend(fixed, q);
	}
	if (fixed != NIL)
	{
		pf->filter = ExecInitQual(fixed, (PlanState *) node);
		pf->econtext = CreateExprContext(pf->estate);
		pf->slot = ExecInitExtraTupleSlot(pf->estate, pf->tupdesc, &TTSOpsVirtual);
	}
	return pf;
}

static void
prefetch_off(RfPrefetch *pf, const char *why)
{
	if (pf->cxt)
		MemoryContextDelete(pf->cxt);
	pf->cxt = NULL;
	pf->keys = NULL;
	pf->state = RF_PF_OFF;
	pf->off_reason = why;
}

/*
 * The distinct values of the outer side, by the recorded query, into the
 * key table; false (and the prefetch off) when they cannot be had.
 */
static bool
list_values(RfPrefetch *pf)
{
	int			nargs = list_length(pf->params);
	Oid		   *argtypes = palloc0(sizeof(Oid) * Max(nargs, 1));
	Datum	   *args = palloc0(sizeof(Datum) * Max(nargs, 1));
	char	   *argnulls = palloc0(Max(nargs, 1) + 1);
	ParamListInfo pli = pf->estate->es_param_list_info;
	SPIPlanPtr	plan;
	HASHCTL		ctl;
	int			ret;
	uint64		n;
	bool		too_long = false;

	for (int i = 0; i < nargs; i++)
	{
		int			id = list_nth_int(pf->params, i);
		ParamExternData *prm;
		ParamExternData workspace;

		if (pli == NULL || id <= 0 || id > pli->numParams)
		{
			prefetch_off(pf, "a parameter is not available");
			return false;
		}
		prm = pli->paramFetch ? pli->paramFetch(pli, id, false, &workspace) :
			&pli->params[id - 1];
		if (prm == NULL || prm->ptype != list_nth_oid(pf->param_types, i))
		{
			prefetch_off(pf, "a parameter is not available");
			return false;
		}
		argtypes[i] = prm->ptype;
		args[i] = prm->value;
		argnulls[i] = prm->isnull ? 'n' : ' ';
	}

	pf->cxt = AllocSetContextCreate(pf->estate->es_query_cxt,
									"retail_fdw id prefetch",
									ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = RF_PREFETCH_KEYLEN;
	ctl.entrysize = sizeof(RfPrefetchEntry);
	ctl.hcxt = pf->cxt;
	pf->keys = hash_create("retail_fdw id prefetch", 256, &ctl,
						   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(pf->query, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare the id prefetch \"%s\": %s",
			 pf->query, SPI_result_code_string(SPI_result));
	ret = SPI_execute_plan(plan, args, argnulls, true, RF_PREFETCH_MAX_VALUES + 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "id prefetch \"%s\" failed: %s", pf->query,
			 SPI_result_code_string(ret));
	n = SPI_processed;
	for (uint64 r = 0; r < n && n <= RF_PREFETCH_MAX_VALUES; r++)
	{
		bool		isnull;
		bool		found;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc,
									  1, &isnull);
		char	   *text;
		RfPrefetchEntry *e;

		if (isnull)
			continue;
		text = rf_format_value(d, pf->key_type);
		if (strlen(text) >= RF_PREFETCH_KEYLEN)
		{
			too_long = true;
			break;
		}
		e = hash_search(pf->keys, text, HASH_ENTER, &found);
		if (!found)
			e->rows = NIL;
	}
	SPI_finish();

	if (n > RF_PREFETCH_MAX_VALUES || too_long)
	{
		prefetch_off(pf, too_long ? "a value too long to keep" : "too many values");
		return false;
	}
	pf->nvalues = hash_get_num_entries(pf->keys);
	return true;
}

static int
compare_keys(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/*
 * Fetch the rows of every listed value with a pager of its own (the
 * scan's pager keeps its run and memory): the scan's quals, the id qual
 * replaced by an IN list of all the values.
 */
static void
fetch_all(RfPrefetch *pf, RfPager *scan, List *qualvals)
{
	RfPager		pager;
	RfQualValue *idq;
	List	   *vals = NIL;
	List	   *keys = NIL;
	HASH_SEQ_STATUS hs;
	RfPrefetchEntry *ent;
	MemoryContext rowcxt;
	MemoryContext old;
	Datum	   *values = palloc(sizeof(Datum) * pf->tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * pf->tupdesc->natts);
	bool		empty;
	Size		limit = (Size) work_mem * 1024;
	Form_pg_attribute keyatt = TupleDescAttr(pf->tupdesc, pf->key_attno - 1);

	/*
	 * A pager of its own: the owner's part of the scan's (settings, columns,
	 * connection), a run's state zeroed as a new scan's is.
	 */
	rf_pager_init_child(&pager, scan,
						AllocSetContextCreate(pf->estate->es_query_cxt,
											  "retail_fdw id prefetch run",
											  ALLOCSET_DEFAULT_SIZES));

	old = MemoryContextSwitchTo(pager.cxt);
	hash_seq_init(&hs, pf->keys);
	while ((ent = hash_seq_search(&hs)) != NULL)
		keys = lappend(keys, pstrdup(ent->key));
	/* the order of the listing, for stable requests */
	list_sort(keys, compare_keys);
	{
		ListCell   *lc;

		foreach(lc, qualvals)
		{
			RfQualValue *qv = lfirst(lc);

			if (foreach_current_index(lc) == pf->qual)
			{
				idq = palloc(sizeof(RfQualValue));
				*idq = *qv;
				idq->op = RF_OP_IN;
				idq->isnull = false;
				idq->values = keys;
				qv = idq;
			}
			vals = lappend(vals, qv);
		}
	}
	if (keys != NIL)
		rf_pager_start(&pager, rf_pager_plan(&pager, vals, &empty));
	pf->nseries = rf_pager_nseries(&pager);
	MemoryContextSwitchTo(old);

	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "retail_fdw id prefetch row",
								   ALLOCSET_SMALL_SIZES);
	rf_progress_start(pager.opts.serverid, pager.ep->resource,
					  rf_pager_nseries(&pager));
	pager.report_progress = true;
	PG_TRY();
	{
		while (rf_pager_nseries(&pager) > 0 && rf_pager_next(&pager))
		{
			char	   *key;
			RfPrefetchEntry *e;
			HeapTuple	tuple;

			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(rowcxt);
			old = MemoryContextSwitchTo(rowcxt);
			memset(nulls, true, sizeof(bool) * pf->tupdesc->natts);
			rf_pager_row(&pager, values, nulls);
			if (nulls[pf->key_attno - 1])
			{
				MemoryContextSwitchTo(old);
				continue;
			}
			key = rf_format_value(values[pf->key_attno - 1], keyatt->atttypid);
			e = strlen(key) < RF_PREFETCH_KEYLEN ?
				hash_search(pf->keys, key, HASH_FIND, NULL) : NULL;
			MemoryContextSwitchTo(old);
			if (e == NULL)
				continue;		/* not asked for: the recheck would drop it */
			if (pf->filter)
			{
				bool		keep;

				ExecClearTuple(pf->slot);
				memcpy(pf->slot->tts_values, values, sizeof(Datum) * pf->tupdesc->natts);
				memcpy(pf->slot->tts_isnull, nulls, sizeof(bool) * pf->tupdesc->natts);
				ExecStoreVirtualTuple(pf->slot);
				pf->econtext->ecxt_scantuple = pf->slot;
				keep = ExecQual(pf->filter, pf->econtext);
				ResetExprContext(pf->econtext);
				if (!keep)
					continue;
			}
			old = MemoryContextSwitchTo(pf->cxt);
			tuple = heap_form_tuple(pf->tupdesc, values, nulls);
			e->rows = lappend(e->rows, tuple);
			MemoryContextSwitchTo(old);
			pf->nrows++;
			pf->bytes += HEAPTUPLESIZE + MAXALIGN(tuple->t_len) + sizeof(ListCell) * 2;
			if (pf->bytes > limit)
			{
				prefetch_off(pf, "rows over work_mem");
				break;
			}
		}
	}
	PG_CATCH();
	{
		rf_http_note_failure(rf_pager_transfer(&pager));
		PG_RE_THROW();
	}
	PG_END_TRY();
	rf_progress_end();

	/* what the prefetch cost counts in the scan's EXPLAIN ANALYZE */
	rf_pager_reset(&pager);
	rf_pager_absorb(scan, &pager, true);
	MemoryContextDelete(pager.cxt);
	MemoryContextDelete(rowcxt);
	if (pf->state == RF_PF_NEW)
		pf->state = RF_PF_READY;
}

/*
 * A run of the scan is starting with these evaluated quals.  True when the
 * prefetch answers it (rows from rf_prefetch_next); false when the scan
 * must fetch the run's value itself.  The first run lists the values and
 * fetches them all.
 */
bool
rf_prefetch_start_run(RfPrefetch *pf, RfPager *pager, List *qualvals)
{
	RfQualValue *qv = list_nth(qualvals, pf->qual);
	RfPrefetchEntry *e = NULL;
	const char *v;

	pf->rows = NIL;
	pf->pos = 0;
	if (pf->state == RF_PF_NEW && list_values(pf))
		fetch_all(pf, pager, qualvals);
	if (pf->state != RF_PF_READY || qv->isnull || list_length(qv->values) != 1)
	{
		pf->alone++;
		return false;
	}
	v = linitial(qv->values);
	if (strlen(v) < RF_PREFETCH_KEYLEN)
		e = hash_search(pf->keys, v, HASH_FIND, NULL);
	if (e == NULL)
	{
		pf->alone++;
		return false;
	}
	pf->rows = e->rows;
	pf->served++;
	return true;
}

/* The next row of a run the prefetch answers: false at its end */
bool
rf_prefetch_next(RfPrefetch *pf, TupleTableSlot *slot)
{
	if (pf->pos >= list_length(pf->rows))
		return false;
	heap_deform_tuple(list_nth(pf->rows, pf->pos++), slot->tts_tupleDescriptor,
					  slot->tts_values, slot->tts_isnull);
	return true;
}

void
rf_prefetch_explain(RfPrefetch *pf, ExplainState *es)
{
	if (pf == NULL)
		return;
	ExplainPropertyText("Id prefetch",
						pf->batch > 0 ?
						psprintf("%s; batches of %d", pf->query, pf->batch) :
						psprintf("%s; all in one request", pf->query), es);
	if (!es->analyze)
		return;
	if (pf->state == RF_PF_OFF)
		ExplainPropertyText("Id prefetch given up", pf->off_reason, es);
	else
	{
		ExplainPropertyInteger("Prefetched values", NULL, pf->nvalues, es);
		ExplainPropertyInteger("Prefetch series", NULL, pf->nseries, es);
		ExplainPropertyInteger("Prefetched rows", NULL, pf->nrows, es);
	}
	ExplainPropertyInteger("Runs answered from the prefetch", NULL, pf->served, es);
	ExplainPropertyInteger("Runs fetched alone", NULL, pf->alone, es);
}
