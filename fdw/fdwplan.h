/*-------------------------------------------------------------------------
 *
 * fdwplan.h
 *		  The planning callbacks (fdwplan.c), and what a plan hands the
 *		  executor (fdwexec.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_FDWPLAN_H
#define RF_FDWPLAN_H

#include "postgres.h"

#include "foreign/fdwapi.h"

/* fdw_private of the ForeignScan plan */
enum RfPrivate
{
	RF_PRIV_OPS,				/* IntList: pd_index, op, pd_index, op, ... */
	RF_PRIV_ATTRS,				/* IntList of retrieved attribute numbers */
	RF_PRIV_LIMIT,				/* Integer: pushed LIMIT, or -1 */
	RF_PRIV_SORT,				/* IntList: sort index, descending; or NIL */
	RF_PRIV_PREVIEW,			/* Integer: pushdown index of the range read
								 * backwards day by day, or -1 */
	RF_PRIV_PREFETCH,			/* List: the id prefetch (prefetch.c), or NIL */
	RF_PRIV_PREVIEW_HOW			/* IntList: RfPreviewMode, the range's
								 * attribute (0: none), 1 if each day is
								 * sorted descending on it */
};

/* How a scan without a range reads days backwards (fdwplan.c) */
typedef enum RfPreviewMode
{
	RF_PREVIEW_LIMIT,			/* until the LIMIT has its rows; at the
								 * horizon a NOTICE that fewer were found */
	RF_PREVIEW_OPEN				/* as far as the client fetches; past the
								 * horizon an error */
} RfPreviewMode;

extern void rf_GetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
								 Oid foreigntableid);
extern void rf_GetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
							   Oid foreigntableid);
extern ForeignScan *rf_GetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
									  Oid foreigntableid, ForeignPath *best_path,
									  List *tlist, List *scan_clauses,
									  Plan *outer_plan);
extern bool rf_IsForeignScanParallelSafe(PlannerInfo *root, RelOptInfo *rel,
										 RangeTblEntry *rte);

#endif							/* RF_FDWPLAN_H */
