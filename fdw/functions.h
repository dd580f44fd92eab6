/*-------------------------------------------------------------------------
 *
 * functions.h
 *		  The SQL-callable functions of functions.c that vendor modules
 *		  build on.
 *
 * A vendor's own SQL function (fdw/vendors/<vendor>/) calls a vendor
 * through these, so that the transport, limits and errors are the ones
 * every call gets.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_FUNCTIONS_H
#define RF_FUNCTIONS_H

#include "fmgr.h"

/* vendor_action(server text, action text, id text) returns integer */
extern PGDLLEXPORT Datum rf_sql_vendor_action(PG_FUNCTION_ARGS);

#endif							/* RF_FUNCTIONS_H */
