/*-------------------------------------------------------------------------
 *
 * import.h
 *		  IMPORT FOREIGN SCHEMA (import.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_IMPORT_H
#define RF_IMPORT_H

#include "postgres.h"

#include "nodes/parsenodes.h"

extern List *rf_ImportForeignSchema(ImportForeignSchemaStmt *stmt,
									Oid serverOid);

#endif							/* RF_IMPORT_H */
