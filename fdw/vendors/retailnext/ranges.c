/*-------------------------------------------------------------------------
 *
 * ranges.c
 *		  How RetailNext's v1 API reads the bounds of a range, a hook
 *		  (send_range, range_note): days sent wider where the document
 *		  leaves a bound's reading open, and dates sent as midnights.
 *
 * The document does not say whether some bounds are inclusive, nor in
 * which time zone its dates are days: such a bound is sent a day wider
 * (rows the wider request adds are removed by the executor's recheck; rows
 * a narrower one lost would be gone).  Store hours' start_date and
 * end_date are written as instants, "yyyy-mm-ddT00:00:00Z", in the
 * document's examples: a date bound is sent as its midnight.
 *
 * Not here: the descriptors (retailnext.c), the planner that calls the
 * hook (reqplan.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "lib/stringinfo.h"

#include "reqplan.h"
#include "vendor.h"
#include "vendors/retailnext/retailnext.h"

/* A range of an endpoint whose bounds the API reads in its own way */
typedef struct RnRange
{
	const char *resource;		/* the endpoint */
	const char *column;			/* its pushed range column */
	int			pad_days;		/* bounds sent this many days wider */
	bool		as_midnight;	/* a date bound sent as its midnight */
} RnRange;

static const RnRange rn_ranges[] = {
	/* start_date, end_date: dates in no stated zone, written as midnights */
	{"rn_store_hours", "effective_day", 1, true},
	/* start_time: "alerts created before" it, exclusive */
	{"rn_health_alerts", "alert_creation_time", 1, false},
	/* first_day, last_day: dates in no stated zone */
	{"rn_predicted_traffic", "time", 1, false},
};

static const RnRange *
rn_range(const RfEndpoint *ep, const RfPushdown *pd)
{
	for (int i = 0; i < (int) lengthof(rn_ranges); i++)
		if (strcmp(rn_ranges[i].resource, ep->resource) == 0 &&
			strcmp(rn_ranges[i].column, pd->column) == 0)
			return &rn_ranges[i];
	return NULL;
}

/* A bound of a date range as its midnight, where it has an ordinal day */
static void
send_as_midnight(RfFilter *cf, bool upper)
{
	if (cf->typid != DATEOID || !(upper ? cf->has_upper : cf->has_lower) ||
		(upper ? cf->upper_text : cf->lower_text) != NULL)
		return;
	if (upper)
		cf->upper_text = psprintf("%sT00:00:00Z", rf_filter_bound_text(cf, true));
	else
		cf->lower_text = psprintf("%sT00:00:00Z", rf_filter_bound_text(cf, false));
}

/* send_range */
static void
rn_send_range(const RfEndpoint *ep, const RfPushdown *pd, RfFilter *cf)
{
	const RnRange *r = rn_range(ep, pd);

	if (r == NULL)
		return;
	if (r->pad_days > 0)
		rf_filter_widen(cf, r->pad_days);
	if (r->as_midnight)
	{
		send_as_midnight(cf, false);
		send_as_midnight(cf, true);
	}
}

/* range_note: what rn_send_range does to a column's bounds, in words */
static const char *
rn_range_note(const RfEndpoint *ep, const RfPushdown *pd, bool lower, bool upper)
{
	const RnRange *r = rn_range(ep, pd);
	StringInfoData buf;

	if (r == NULL)
		return NULL;
	initStringInfo(&buf);
	if (r->as_midnight)
		appendStringInfoString(&buf, "; a day as its midnight, yyyy-mm-ddT00:00:00Z");
	if (r->pad_days > 0)
		appendStringInfo(&buf, "; sent %d day%s %s", r->pad_days,
						 r->pad_days == 1 ? "" : "s",
						 lower && upper ? "wider on each side" : lower ? "earlier" : "later");
	return buf.data;
}

const RfEndpointHooks rf_rn_ranges_hooks = {
	.send_range = rn_send_range,
	.range_note = rn_range_note,
};
