/*-------------------------------------------------------------------------
 *
 * prefetch.h
 *		  Id prefetch for parameterized scans (prefetch.c).
 *
 * A nested loop that feeds an id column from a local table would send one
 * request series per outer row.  When the endpoint takes lists of that id
 * (RF_MULTI_REPEAT), the scan instead lists the outer table's distinct
 * values once, fetches their rows in the vendor's batches, and answers
 * each rescan from memory.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_PREFETCH_H
#define RF_PREFETCH_H

#include "scan.h"

typedef struct RfPrefetch RfPrefetch;

/* Planning */
extern int	rf_prefetch_batch(PlannerInfo *root, RelOptInfo *baserel,
							  Oid foreigntableid, const RfOptions *opts,
							  Relids outer, List *pushed, int *which);
extern List *rf_prefetch_plan(PlannerInfo *root, RelOptInfo *baserel,
							  Oid foreigntableid, const RfOptions *opts,
							  Path *path, List *pushed);

/* Execution */
extern RfPrefetch *rf_prefetch_begin(ForeignScanState *node, List *priv);
extern bool rf_prefetch_start_run(RfPrefetch *pf, RfPager *pager,
								  List *qualvals);
extern bool rf_prefetch_next(RfPrefetch *pf, TupleTableSlot *slot);
extern void rf_prefetch_explain(RfPrefetch *pf, struct ExplainState *es);

#endif							/* RF_PREFETCH_H */
