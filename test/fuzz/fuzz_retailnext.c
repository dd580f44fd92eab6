/*-------------------------------------------------------------------------
 *
 * fuzz_retailnext.c
 *		  libFuzzer target: RetailNext answers (nested rows, "ok": false).
 *
 * Rows specs, page fields and column references come from the vendor's
 * descriptors in fdw/vendors/retailnext/retailnext.c, the ones the extension reads,
 * and the sub-day rows of rn_datamine that its planning hook chooses.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"
#include "vendors/retailnext/retailnext.h"

static const FuzzRowsPath rn_more[] = {
	{"rn_datamine", RN_DATAMINE_SUBDAY_ROWS},
};

FUZZ_VENDOR_TARGET_MORE("retailnext", rn_more)
