/*-------------------------------------------------------------------------
 *
 * retail_fdw_test_hooks.c
 *		  Test-only SQL functions over retail_fdw's internals.
 *
 * Not shipped: test/run-tests.sh builds and installs this module for the
 * test cluster, and sql/fastpath.sql declares its function in pg_temp.
 * The shipped library exports no test hook.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_MODULE_MAGIC;

/* fdw/json.c: the fast reading of ISO 8601 dates and times */
extern bool rf_fast_datetime(const char *s, Oid typid, Datum *result);

PG_FUNCTION_INFO_V1(rf_test_fast_datetime_check);

/*
 * rf_test_fast_datetime_check(text, regtype): NULL when the fast path
 * leaves the string to the input function; else whether both give the
 * same Datum (the input function's errors show).
 */
Datum
rf_test_fast_datetime_check(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			typid = PG_GETARG_OID(1);
	Datum		fast;
	Datum		slow;
	Oid			infunc;
	Oid			ioparam;

	if (!rf_fast_datetime(s, typid, &fast))
		PG_RETURN_NULL();
	getTypeInputInfo(typid, &infunc, &ioparam);
	slow = OidInputFunctionCall(infunc, s, ioparam, -1);
	PG_RETURN_BOOL(fast == slow);
}
