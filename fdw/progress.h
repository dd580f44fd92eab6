/*-------------------------------------------------------------------------
 *
 * progress.h
 *		  Per-backend scan progress (progress.c), shown by
 *		  retail_fdw.scan_progress.
 *
 * A scan publishes its server, resource and series count when it starts
 * and its counters as it goes (the pager, the id prefetch); the view reads
 * every backend's slot.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_PROGRESS_H
#define RF_PROGRESS_H

#include "postgres.h"

#include "http.h"

extern void rf_progress_init(void);
extern void rf_progress_start(Oid serverid, const char *resource, int64 total);
extern void rf_progress_update(int64 series_started, int64 series_done,
							   const RfStats *stats);
extern void rf_progress_end(void);

#endif							/* RF_PROGRESS_H */
