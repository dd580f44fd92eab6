/*-------------------------------------------------------------------------
 *
 * fuzz_aifi.c
 *		  libFuzzer target: AiFi pages (cursor, page number, offset, a bare array).
 *
 * Rows specs, page fields and column references come from the vendor's
 * descriptors in fdw/vendors/aifi/aifi.c, the ones the extension reads.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

FUZZ_VENDOR_TARGET("aifi")
