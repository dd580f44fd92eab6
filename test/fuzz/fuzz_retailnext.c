/*-------------------------------------------------------------------------
 *
 * fuzz_retailnext.c
 *		  libFuzzer target: RetailNext answers (nested rows, "ok": false).
 *
 * Specs and columns from fdw/vendor_retailnext.c: location trees, datamine
 * metrics by day and by hour, store hours, zone transitions, floorplans,
 * flat lists; every one with its ok/error fields; token paging.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#define RN(path) {.rows_path = path, .ok_field = "ok", .error_field = "error"}

static const RfRowsSpec specs[] = {
	RN("nodes[][]"),
	RN("metrics[].data[].data[]"),
	RN("metrics[].data[].data[].data[]"),
	RN("result.*.*"),
	RN("metrics[].data[].transitions[]"),
	RN("[].zones[]"),
	RN("result"),
	RN("predictions"),
	RN("users"),
};
static const char *const fields[] = {"next_page", "x-page-next"};
static const char *const refs[] = {
	"@location:group.uuid", "@location:group.name", "#0:name",
	"localtime:@date:group.from.gregorian;@time:group.from;=time_zone",
	"localtime:@date:group.through.gregorian;@time:group.until;=time_zone;end",
	"=grain", "^^name", "^floorplan.uuid", "^floorplan.store_name", "^zones",
	"^id", "^name", "^store_id", "$key", "^$key", "#1:$key", "value",
	"from_zone_id", "to_zone_id", "id", "uuid", "name", "type",
};

FUZZ_ROWS_TARGET(specs, fields, refs)
