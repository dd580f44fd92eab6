/*-------------------------------------------------------------------------
 *
 * fuzz_journey.c
 *		  libFuzzer target: Journey pages (page/page_size, count/next/results).
 *
 * Specs and columns from fdw/vendor_journey.c.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

static const RfRowsSpec specs[] = {
	{.rows_path = "results"},
};
static const char *const fields[] = {"count", "next"};
static const char *const refs[] = {
	"session_id", "visit_id", "user_id", "device_id", "date_of_visit",
	"store_name", "store_code", "zone_name", "zone_serial_code",
	"zone_entered_from", "zone_exited_to", "dwell_time_seconds",
	"event_start", "event_end", "source",
};

FUZZ_ROWS_TARGET(specs, fields, refs)
