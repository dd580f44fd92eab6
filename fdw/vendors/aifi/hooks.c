/*-------------------------------------------------------------------------
 *
 * hooks.c
 *		  The hooks of AiFi's endpoints: how a pushed ORDER BY is spelled
 *		  in a request (sort_query), and which range bounds the API
 *		  accepts (send_range, range_note).
 *
 * Sessions, stores and orders sort by one key (orderBy=<key>) in one
 * direction (direction=asc|desc); which columns sort, and under which key,
 * is the descriptors' RfSort tables in aifi.c.  No other vendor sorts
 * today, so the spelling is AiFi's own rather than a word of the model.
 *
 * Some range parameters have documented minimums, and the API refuses a
 * request with a value below them (minVisitors >= 0, maxVisitors >= 1): a
 * bound below its parameter's minimum is not sent, and the executor
 * filters alone.  (What values the column holds is its domain in aifi.c.)
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"

#include "reqplan.h"
#include "vendor.h"

extern const RfEndpointHooks rf_aifi_hooks;

/* orderBy=<key>&direction=asc|desc (sort_query) */
static List *
aifi_sort_query(const char *key, bool descending)
{
	return list_make2(psprintf("orderBy=%s", key),
					  psprintf("direction=%s", descending ? "desc" : "asc"));
}

/* A range parameter pair with documented minimums */
typedef struct AifiMinimum
{
	const char *resource;		/* the endpoint */
	const char *column;			/* its pushed range column */
	int64		lower_min;		/* the least lower bound accepted */
	int64		upper_min;		/* the least upper bound accepted */
} AifiMinimum;

/* The document: minVisitors, minGroupSize >= 0; maxVisitors, maxGroupSize >= 1 */
static const AifiMinimum aifi_minimums[] = {
	{"aifi_sessions", "visitors", 0, 1},
	{"aifi_sessions", "group_size", 0, 1},
	{"aifi_products", "quantity", 0, 0},
};

static const AifiMinimum *
aifi_minimum(const RfEndpoint *ep, const RfPushdown *pd)
{
	for (int i = 0; i < (int) lengthof(aifi_minimums); i++)
		if (strcmp(aifi_minimums[i].resource, ep->resource) == 0 &&
			strcmp(aifi_minimums[i].column, pd->column) == 0)
			return &aifi_minimums[i];
	return NULL;
}

/*
 * Whether the API accepts a folded bound: only integral bounds are
 * compared (a bound spelt as text is the API's to read)
 */
static bool
bound_accepted(const RfFilter *cf, bool upper, int64 min)
{
	if ((upper ? cf->upper_text : cf->lower_text) != NULL)
		return true;
	if (cf->typid != INT2OID && cf->typid != INT4OID && cf->typid != INT8OID)
		return false;
	return (upper ? cf->upper : cf->lower) >= min;
}

/* send_range: a bound below its parameter's minimum is not sent */
static void
aifi_send_range(const RfEndpoint *ep, const RfPushdown *pd, RfFilter *cf)
{
	const AifiMinimum *m = aifi_minimum(ep, pd);

	if (m == NULL)
		return;
	if (cf->has_lower && !bound_accepted(cf, false, m->lower_min))
		cf->has_lower = false;
	if (cf->has_upper && !bound_accepted(cf, true, m->upper_min))
		cf->has_upper = false;
}

/* range_note */
static const char *
aifi_range_note(const RfEndpoint *ep, const RfPushdown *pd, bool lower, bool upper)
{
	const AifiMinimum *m = aifi_minimum(ep, pd);

	if (m == NULL)
		return NULL;
	return psprintf("; a lower bound under %lld or an upper one under %lld is not sent",
					(long long) m->lower_min, (long long) m->upper_min);
}

const RfEndpointHooks rf_aifi_hooks = {
	.sort_query = aifi_sort_query,
	.send_range = aifi_send_range,
	.range_note = aifi_range_note,
};
