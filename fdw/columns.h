/*-------------------------------------------------------------------------
 *
 * columns.h
 *		  The columns a scan reads (columns.c): their JSON paths and the
 *		  pager's map of them.
 *
 * A column reads its json_path option, else the descriptor column of its
 * name.  The scan, ANALYZE and describe() read the same paths.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_COLUMNS_H
#define RF_COLUMNS_H

#include "postgres.h"

#include "utils/relcache.h"

#include "scan.h"

extern void rf_pager_columns(RfPager *pager, Relation rel, List *attrs);
extern const char *rf_column_path(const RfEndpoint *ep, Oid relid, AttrNumber attno,
								  const char *attname, const char *relname,
								  const RfColumn **col);

#endif							/* RF_COLUMNS_H */
