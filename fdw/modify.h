/*-------------------------------------------------------------------------
 *
 * modify.h
 *		  INSERT and UPDATE on writable endpoints (modify.c): the FDW
 *		  callbacks of foreign table modification.
 *
 * An endpoint's RfWrite says which columns an INSERT or UPDATE sends and
 * where; the answer (the written object) fills RETURNING.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_MODIFY_H
#define RF_MODIFY_H

#include "postgres.h"

#include "foreign/fdwapi.h"

#include "connection.h"
#include "json.h"

extern RfPage *rf_request_once(RfConn *conn, const RfOptions *opts,
							   const char *method, const char *path,
							   const char *body, bool idempotent,
							   bool allow_404, const char *response_path,
							   long *status);
extern int	rf_IsForeignRelUpdatable(Relation rel);
extern void rf_AddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
										  RangeTblEntry *target_rte,
										  Relation target_relation);
extern List *rf_PlanForeignModify(PlannerInfo *root, ModifyTable *plan,
									 Index resultRelation, int subplan_index);
extern void rf_BeginForeignModify(ModifyTableState *mtstate,
									 ResultRelInfo *rinfo, List *fdw_private,
									 int subplan_index, int eflags);
extern TupleTableSlot *rf_ExecForeignInsert(EState *estate,
											   ResultRelInfo *rinfo,
											   TupleTableSlot *slot,
											   TupleTableSlot *planSlot);
extern TupleTableSlot *rf_ExecForeignUpdate(EState *estate,
											   ResultRelInfo *rinfo,
											   TupleTableSlot *slot,
											   TupleTableSlot *planSlot);
extern void rf_EndForeignModify(EState *estate, ResultRelInfo *rinfo);
extern void rf_BeginForeignInsert(ModifyTableState *mtstate, ResultRelInfo *rinfo);
extern void rf_EndForeignInsert(EState *estate, ResultRelInfo *rinfo);
extern void rf_ExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
									   List *fdw_private, int subplan_index,
									   struct ExplainState *es);

#endif							/* RF_MODIFY_H */
