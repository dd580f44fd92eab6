/*-------------------------------------------------------------------------
 *
 * stats.h
 *		  Request statistics (stats.c): what each endpoint of each server
 *		  cost, read through retail_fdw.request_stats.
 *
 * Transfers add their counts when they are released (http.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_STATS_H
#define RF_STATS_H

#include "postgres.h"

/* What transfers add to their endpoint's entry */
typedef struct RfStatCounts
{
	int64		requests;
	int64		pages;
	int64		rows;
	int64		bytes;
	int64		retries;
	int64		throttled;
	int64		net_us;
	int64		cache_hits;		/* answers from the response cache */
} RfStatCounts;

extern void rf_stats_init(void);
extern char *rf_stats_endpoint_name(const char *vendor, const char *label);
extern void rf_stats_add(Oid serverid, const char *endpoint,
						 const RfStatCounts *counts, const char *error);

#endif							/* RF_STATS_H */
