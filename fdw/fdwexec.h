/*-------------------------------------------------------------------------
 *
 * fdwexec.h
 *		  The scan callbacks (fdwexec.c): a foreign scan, its parallel
 *		  workers, and EXPLAIN.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_FDWEXEC_H
#define RF_FDWEXEC_H

#include "postgres.h"

#include "access/parallel.h"
#include "foreign/fdwapi.h"

/* retail_fdw.preview_days */
extern int	rf_preview_days;

extern void rf_BeginForeignScan(ForeignScanState *node, int eflags);
extern TupleTableSlot *rf_IterateForeignScan(ForeignScanState *node);
extern void rf_ReScanForeignScan(ForeignScanState *node);
extern void rf_EndForeignScan(ForeignScanState *node);
extern Size rf_EstimateDSMForeignScan(ForeignScanState *node,
									  ParallelContext *pcxt);
extern void rf_InitializeDSMForeignScan(ForeignScanState *node,
										ParallelContext *pcxt, void *coordinate);
extern void rf_ReInitializeDSMForeignScan(ForeignScanState *node,
										  ParallelContext *pcxt, void *coordinate);
extern void rf_InitializeWorkerForeignScan(ForeignScanState *node,
										   shm_toc *toc, void *coordinate);
extern void rf_ShutdownForeignScan(ForeignScanState *node);
extern void rf_ExplainForeignScan(ForeignScanState *node,
								  struct ExplainState *es);

#endif							/* RF_FDWEXEC_H */
