/*-------------------------------------------------------------------------
 *
 * v2.c
 *		  The hooks of RetailNext's v2 endpoints (rn_locations,
 *		  rn_occupancy_now, rn_datamine): an answer that reaches the v2 cap
 *		  is refused, and rn_datamine plans its own series.
 *
 * The v2 API stops an answer at 10,000 entries without saying that it
 * did: an answer that long may have lost rows, and a partial result is
 * never returned.  The datamine planner sizes its requests below the cap
 * (datamine.c); rn_locations and rn_occupancy_now (a row per location
 * and metric) cannot, and rely on this check alone.
 *
 * Not here: the descriptors (retailnext.c), the datamine planner itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "option.h"
#include "vendor.h"
#include "vendors/retailnext/retailnext.h"

/* A page of nrows entries: an error if it reached the cap (check_page) */
static void
check_v2_cap(const RfOptions *opts, int nrows, const char *label,
			 const char *relname)
{
	if (nrows >= RN_V2_CAP)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_REPLY_HANDLE),
				 errmsg("a response of %s reached the vendor's cap of %d entries",
						opts->vendor->name, RN_V2_CAP),
				 errdetail("Endpoint %s may have left rows out; no partial result was returned.",
						   label),
				 errhint("Add filters to foreign table \"%s\" so that each request returns fewer rows.",
						 relname)));
}

const RfEndpointHooks rf_rn_locations_hooks = {
	.check_page = check_v2_cap,
};

const RfEndpointHooks rf_rn_datamine_hooks = {
	.plan_series = rf_rn_datamine_plan,
	.check_page = check_v2_cap,
};
