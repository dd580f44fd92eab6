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

static const FuzzStyle style = {
	specs, FUZZ_N(specs), fields, FUZZ_N(fields), refs, FUZZ_N(refs), NULL, 0
};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_run(&style, data, size);
}
