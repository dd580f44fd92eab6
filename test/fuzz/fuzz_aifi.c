/*-------------------------------------------------------------------------
 *
 * fuzz_aifi.c
 *		  libFuzzer target: AiFi pages (cursor, page number, offset, a bare array).
 *
 * Specs and columns from fdw/vendor_aifi.c: sessions/stores/orders under
 * "data" with the cursor in pagination.next.after, products under
 * "products" (limit/offset), customers as the whole body.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

static const RfRowsSpec specs[] = {
	{.rows_path = "data"},
	{.rows_path = "products"},
	{.rows_path = NULL},
};
static const char *const fields[] = {"pagination.next.after", "count", "total"};
static const char *const refs[] = {
	"id", "sessionId", "customerId", "storeId", "createdAt", "updatedAt",
	"totalPrice", "subtotalPrice", "totalTax", "storePrices", "groupSize",
	"customerFirstEnteredAt", "customerLastExitedAt", "suspectedFraud",
	"addressCity", "externalId", "thirdPartyId", "name", "type", "answer.*",
};

FUZZ_ROWS_TARGET(specs, fields, refs)
