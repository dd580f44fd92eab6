/*-------------------------------------------------------------------------
 *
 * fuzz_journey.c
 *		  libFuzzer target: Journey pages (page/page_size, count/next/results).
 *
 * Rows specs, page fields and column references come from the vendor's
 * descriptors in fdw/vendors/journey/journey.c, the ones the extension reads.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

FUZZ_VENDOR_TARGET("journey")
