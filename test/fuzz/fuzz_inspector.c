/*-------------------------------------------------------------------------
 *
 * fuzz_inspector.c
 *		  libFuzzer target: Inspector Cloud (limit/offset lists, visit bodies).
 *
 * Specs and columns from fdw/vendor_inspector.c: visit, store and sku
 * lists under "results" with "count"; a visit by id as an object body
 * whose children are nested rows.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#define IC(path) {.rows_path = path, .object_body = true}

static const RfRowsSpec specs[] = {
	{.rows_path = "results"},
	IC(NULL),
	IC("scenes[]"),
	IC("scenes[].images[]"),
	IC("scenes[].question_groups[].questions[]"),
	IC("prices[]"),
	IC("oos_reasons[]"),
	IC("kpi_values[]"),
	IC("dqi[]"),
};
static const char *const fields[] = {"count", "next"};
static const char *const refs[] = {
	"/id", "/created_at", "^id", "^^id", "^name", "^cid", "id", "cid",
	"name", "answer.*", "is_new", "store_id", "images", "url", "value",
};

FUZZ_ROWS_TARGET(specs, fields, refs)
