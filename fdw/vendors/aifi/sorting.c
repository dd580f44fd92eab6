/*-------------------------------------------------------------------------
 *
 * sorting.c
 *		  The hooks of AiFi's sortable endpoints: how a pushed ORDER BY is
 *		  spelled in a request.
 *
 * Sessions, stores and orders sort by one key (orderBy=<key>) in one
 * direction (direction=asc|desc); which columns sort, and under which key,
 * is the descriptors' RfSort tables in aifi.c.  No other vendor sorts
 * today, so the spelling is AiFi's own rather than a word of the model.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/builtins.h"

#include "vendor.h"

extern const RfEndpointHooks rf_aifi_sorted_hooks;

/* orderBy=<key>&direction=asc|desc (sort_query) */
static List *
aifi_sort_query(const char *key, bool descending)
{
	return list_make2(psprintf("orderBy=%s", key),
					  psprintf("direction=%s", descending ? "desc" : "asc"));
}

const RfEndpointHooks rf_aifi_sorted_hooks = {
	.sort_query = aifi_sort_query,
};
