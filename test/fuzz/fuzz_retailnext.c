/*-------------------------------------------------------------------------
 *
 * fuzz_retailnext.c
 *		  libFuzzer target: RetailNext answers (nested rows, "ok": false).
 *
 * Rows specs, page fields and column references come from the vendor's
 * descriptors in fdw/vendors/retailnext/retailnext.c, the ones the extension reads.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

FUZZ_VENDOR_TARGET("retailnext")
