/*-------------------------------------------------------------------------
 *
 * retailnext.h
 *		  What the files of the RetailNext module share: the v2 API's cap,
 *		  the nesting of sub-day datamine answers, and the endpoint hooks.
 *
 * Words the core model has no use for live here, not in rf_descriptor.h:
 * the core reaches them only through the hooks (RfEndpointHooks) that
 * retailnext.c's endpoints point at.  Plain C (the fuzz targets include
 * it); the hooks themselves are in v2.c, ranges.c and datamine.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_RETAILNEXT_H
#define RF_RETAILNEXT_H

#include "rf_descriptor.h"

/* v2 responses (/v2/location, /v2/datamine) stop at 10,000 entries */
#define RN_V2_CAP 10000

/*
 * The rows of a datamine answer of a sub-day grain (15 minutes, hour): a
 * level deeper than rn_datamine's rows_path, each day's periods nested in
 * the day's group (datamine.c picks it; the fuzz targets read it too)
 */
#define RN_DATAMINE_SUBDAY_ROWS "metrics[].data[].data[].data[]"

/* v2.c: the hooks of rn_locations (and rn_occupancy_now) and of rn_datamine */
extern const RfEndpointHooks rf_rn_locations_hooks;
extern const RfEndpointHooks rf_rn_datamine_hooks;

/* ranges.c: how the v1 API reads the bounds of some ranges (send_range) */
extern const RfEndpointHooks rf_rn_ranges_hooks;

/* datamine.c: rn_datamine's planner (RfPlanHook) */
extern struct RfSeriesPlan *rf_rn_datamine_plan(const struct RfOptions *opts,
												struct List *qualvals,
												bool *empty);

#endif							/* RF_RETAILNEXT_H */
