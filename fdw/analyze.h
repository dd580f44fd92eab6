/*-------------------------------------------------------------------------
 *
 * analyze.h
 *		  ANALYZE on a foreign table (analyze.c).
 *
 * A sample of the most recent days (or of the whole table, where no range
 * is required), read through a pager; relpages is the number of days, for
 * the planner's estimates.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_ANALYZE_H
#define RF_ANALYZE_H

#include "postgres.h"

#include "foreign/fdwapi.h"

extern void rf_analyze_init(void);
extern bool rf_analyze_foreign_table(Relation relation,
									 AcquireSampleRowsFunc *func,
									 BlockNumber *totalpages);

#endif							/* RF_ANALYZE_H */
