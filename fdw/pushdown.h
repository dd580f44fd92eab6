/*-------------------------------------------------------------------------
 *
 * pushdown.h
 *		  Which quals push down (pushdown.c), and the required quals.
 *
 * Only "column op value" shapes on the descriptor's allowlist of columns
 * and operators, nothing mutable, under a collation that means the same
 * remotely.  A missing required qual is an error naming the table, the
 * column and the operators that work.  A matched qual is an RfPushedQual
 * (reqplan.h), which the request planner turns into parameters.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_PUSHDOWN_H
#define RF_PUSHDOWN_H

#include "postgres.h"

#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"

#include "reqplan.h"
#include "rf_descriptor.h"

extern bool rf_match_qual(PlannerInfo *root, Expr *clause, Index relid,
						  Oid reloid, const RfEndpoint *ep, RfPushedQual *out);
extern char *rf_ops_text(uint32 ops);
extern bool rf_orders_like(RfType t, Oid typid);
extern bool rf_requirements_met(const RfEndpoint *ep, List *pushed);
extern bool rf_attr_reads_own_field(Oid reloid, AttrNumber attno,
									const RfColumn *col, const char *attname);
extern int	rf_day_range_column(const RfEndpoint *ep, List *pushed);
extern void rf_check_required(const RfEndpoint *ep, List *pushed,
							  const char *relname, List *collation_blocked,
							  const char *preview_off);
extern const char *rf_qual_collation_blocked(PlannerInfo *root, Expr *clause,
											 Index relid, Oid reloid,
											 const RfEndpoint *ep);

#endif							/* RF_PUSHDOWN_H */
