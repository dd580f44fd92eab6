/*-------------------------------------------------------------------------
 *
 * ack_visit.c
 *		  The Inspector module's C entry point of ic_ack_visit(), kept for
 *		  installations of version 0.1.
 *
 * Acknowledging a visit is the descriptor's action "ack_visit" (see
 * inspector.c); from version 0.2 on ic_ack_visit() is SQL over
 * vendor_action (43-inspector.sql, beside this file) and this function is not
 * called.  Not here: the transport (vendor_action in functions.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "functions.h"

PG_FUNCTION_INFO_V1(rf_sql_ic_ack_visit);

/*
 * ic_ack_visit(server text, visit_id bigint) returns boolean, the C entry
 * point that version 0.1 of the extension script declares.  From 0.2 on
 * the function is SQL over vendor_action; this keeps a 0.1 installation
 * working until ALTER EXTENSION ... UPDATE.  A server of another vendor
 * fails because its descriptor has no "ack_visit" action.
 */
Datum
rf_sql_ic_ack_visit(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(1);
	Datum		status;

	if (id <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("visit id must be positive, got " INT64_FORMAT, id)));
	status = DirectFunctionCall3Coll(rf_sql_vendor_action, InvalidOid,
									 PG_GETARG_DATUM(0),
									 CStringGetTextDatum("ack_visit"),
									 CStringGetTextDatum(psprintf(INT64_FORMAT, id)));
	PG_RETURN_BOOL(DatumGetInt32(status) != 404);
}
