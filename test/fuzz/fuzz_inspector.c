/*-------------------------------------------------------------------------
 *
 * fuzz_inspector.c
 *		  libFuzzer target: Inspector Cloud (limit/offset lists, visit bodies).
 *
 * Rows specs, page fields and column references come from the vendor's
 * descriptors in fdw/vendors/inspector/inspector.c, the ones the extension reads.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

FUZZ_VENDOR_TARGET("inspector")
