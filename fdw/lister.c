/*-------------------------------------------------------------------------
 *
 * lister.c
 *		  A scan's plan (rf_pager_plan): the values outside the API's domain
 *		  dropped, the ids of a listing fetched, the request series made.
 *		  Endpoints read by id whose ids come from a listing (RfEndpoint.
 *		  lister): when a query gives no ids, the listing endpoint is read
 *		  first -- its own pushed filters, bounds checked on each listed
 *		  row -- and the ids it lists become the scan's values.  Above the
 *		  pager (scan.c), whose pages it reads and which never calls here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"
#include <ctype.h>
#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "scan.h"
#include "scan_int.h"
#include "cache.h"
#include "netpolicy.h"
#include "progress.h"
#include "rf_port.h"
#include "vendor.h"

/* Does the scan have values for the endpoint's id column? */
static bool
has_id_values(RfPager *st, List *values)
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
lister_values(RfPager *st, List *values)
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

/* Whether the scan must list ids first: a lister and no id values */
bool
rf_pager_lists_ids(RfPager *st, List *values)
{
	return st->ep->lister != NULL && !has_id_values(st, values);
}

/* The lister's request series (also what EXPLAIN shows) */
RfSeriesPlan *
rf_pager_lister_plan(RfPager *st, List *values, bool *empty)
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

/*
 * Page through the lister and collect the ids it lists, as an IN on the
 * endpoint's id column.  This runs before the first row: the listing is
 * small (ids and a few fields) and the details then go concurrently.
 *
 * The listing is read by a pager of its own over the lister endpoint, so
 * it pages, checks counts and refuses loops exactly as scans do.
 */
static List *
rf_pager_list_ids(RfPager *st, List *values, bool *empty)
{
	const RfEndpoint *lister = st->ep->lister;
	const RfPagingSpec *pg = &lister->paging;
	List	   *ids = NIL;
	RfColMap   *cms = palloc0(sizeof(RfColMap) * (lister->npushdown + 1));
	int			ncms = 1;
	Datum	   *rowvals;
	bool	   *rownulls;
	RfFilter   *filters = palloc0(sizeof(RfFilter) * Max(lister->npushdown, 1));
	List	   *bounds;
	RfQualValue *qv;
	const RfPushdown *idpd = rf_pushdown_lookup(st->ep, st->ep->id_column);
	RfSeriesPlan *plan = rf_pager_lister_plan(st, values, empty);
	RfPager		child;

	if (*empty)
		return values;
	(void) rf_fold_filters(lister, lister_values(st, values), filters);
	cms[0].attnum = 1;
	rf_colmap_init(&cms[0], "id", TEXTOID, -1, st->ep->list_id_field);
	bounds = list_bounds(lister, filters, cms, &ncms);
	rowvals = palloc(sizeof(Datum) * ncms);
	rownulls = palloc(sizeof(bool) * ncms);

	rf_pager_init_child(&child, st, CurrentMemoryContext);
	child.opts.endpoint = lister;
	child.ep = lister;
	child.endpoint_label = psprintf("%s %s", lister->method, lister->path);
	child.rowctx.cols = cms;
	child.rowctx.ncols = ncms;
	child.rowctx.consts = NIL;
	child.rowctx.endpoint = child.endpoint_label;
	child.page_size = pg->max_size > 0 ? pg->max_size : pg->default_size;
	child.limit = -1;
	child.sort = -1;
	rf_pager_start(&child, plan);
	while (rf_pager_next(&child))
	{
		memset(rownulls, true, sizeof(bool) * ncms);
		rf_pager_row(&child, rowvals, rownulls);
		if (!rownulls[0] && within_bounds(bounds, rowvals, rownulls))
			ids = lappend(ids, TextDatumGetCString(rowvals[0]));
	}
	/* the listing's exchanges are the scan's; its ids are not rows */
	rf_pager_absorb(st, &child, false);

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

/*
 * The scan's request series, with a pushed ORDER BY in every one: a plan
 * that makes each when the scan reaches it (NULL: none).
 */
RfSeriesPlan *
rf_pager_plan(RfPager *st, List *values, bool *empty)
{
	RfSeriesPlan *plan;
	ListCell   *lc;

	/* values outside the API's domain are never sent */
	st->plan_values = NIL;
	st->domain_notes = NIL;
	values = rf_apply_domains(st->ep, values, &st->domain_notes, empty);
	st->domain_empty = *empty;
	if (*empty)
		return NULL;
	if (rf_pager_lists_ids(st, values))
	{
		*empty = false;
		values = rf_pager_list_ids(st, values, empty);
		if (*empty)
			return NULL;
	}
	plan = rf_plan_series(&st->opts, values, empty);
	st->plan_values = values;
	st->rowctx.wall_clock = rf_wall_clock_reading(&st->opts) &&
		rf_endpoint_has_zclock(st->ep);
	st->zone_keys = NIL;
	if (st->rowctx.wall_clock && !*empty)
	{
		const char *key = st->opts.vendor->wall_clock->key_column;

		foreach(lc, values)
		{
			RfQualValue *v = lfirst(lc);

			if (strcmp(st->ep->pushdown[v->pd_index].column, key) == 0 &&
				(v->op & (RF_OP_EQ | RF_OP_IN)))
				st->zone_keys = list_concat(st->zone_keys, v->values);
		}
	}
	return rf_pager_add_sort(st, plan);
}
