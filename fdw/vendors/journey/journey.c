/*-------------------------------------------------------------------------
 *
 * journey.c
 *		  Descriptor tables for the journey (Bespot-style) BI API.
 *
 * Only data lives here, free of PostgreSQL headers: the endpoints, their
 * columns, what pushes down and what is required.  The generic planner and
 * scanner interpret it.
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "vendor.h"

static const RfColumn journey_event_columns[] = {
	{"session_id", RF_TEXT, NULL,
	"the session: a visit of one device, interruptions within 60 minutes stitched together"},
	{"visit_id", RF_TEXT, NULL, "the store visit of one device"},
	{"user_id", RF_TEXT, NULL, "the logged-in app user, if known (NULL otherwise)"},
	{"device_id", RF_TEXT, NULL,
	"a pseudonymous, privacy-safe token of the visitor's device"},
	{"date_of_visit", RF_DATE, NULL, "the day of the visit"},
	{"store_name", RF_TEXT, NULL, "the store's name"},
	{"store_code", RF_TEXT, NULL, "the store's code"},
	{"zone_name", RF_TEXT, NULL, "the zone's human-readable name"},
	{"zone_serial_code", RF_TEXT, NULL, "the zone's internal code, stable across systems"},
	{"zone_entered_from", RF_TEXT, NULL,
	"the zone the visitor came from (NULL for a visit's first event)"},
	{"zone_exited_to", RF_TEXT, NULL,
	"the zone the visitor went to next (NULL for a visit's last event)"},
	{"dwell_time_seconds", RF_INT4, NULL, "time spent in the zone, in seconds"},
	{"event_start", RF_TIMESTAMPTZ, NULL, "when the visitor entered the zone"},
	{"event_end", RF_TIMESTAMPTZ, NULL, "when the visitor left the zone"},
	{"source", RF_TEXT, NULL,
	"the signal that observed the event: app_ble, wifi, camera_fused, ..."},
};

/*
 * The API filters one store per request, so IN on store_code becomes one
 * request series per store.  An empty store_code names no store: the API
 * ignores it and answers every store, so in an IN list beside another
 * code its series would repeat that store's rows; it is outside the
 * parameter's domain (no request, no row).  event_start is split into
 * daily windows, as the vendor asks for long intervals.
 */
static const RfPushdown journey_event_pushdown[] = {
	{"store_code", RF_OP_EQ | RF_OP_IN, "store_code", NULL, NULL,
	RF_LOC_QUERY, RF_MULTI_SPLIT, false, .domain = RF_DOMAIN_NONEMPTY},
	{"event_start", RF_OP_EQ | RF_OP_RANGE, NULL, "datetime_gte", "datetime_lte",
	RF_LOC_QUERY, RF_MULTI_SPLIT, true},
};

static const RfRequired journey_event_required[] = {
	{"event_start", RF_REQ_RANGE, 0},
};

/* The /bi/ family: page / page_size (at most 10,000), count, absolute next */
#define JOURNEY_PAGING { \
	.style = RF_PAGE_NUMBER, \
	.page_param = "page", \
	.size_param = "page_size", \
	.first_page = 1, \
	.default_size = 1000, \
	.max_size = 10000, \
	.count_path = "count", \
	.next_path = "next", \
	.next_is_url = true, \
}

static const RfEndpoint journey_endpoints[] = {
	{
		.resource = "visit_journey_events",
		.doc = "One row per zone event: a device's stay in one zone of a store during a visit",
		.method = "GET",
		.path = "/bi/visit-journey-events/",
		.rows_path = "results",
		.idempotent = true,
		.paging = JOURNEY_PAGING,
		COLS(journey_event_columns),
		PUSH(journey_event_pushdown),
		REQ(journey_event_required),
		.rows_per_request = 1000,
	},
};

static const RfOptionDef journey_options[] = {
	RF_MAPPING_TOKEN_OPTIONS,
};

const RfVendor rf_vendor_journey = {
	.name = "journey",
	.auth = RF_AUTH_HEADER,
	.auth_header = "Authorization",
	.auth_scheme = "Bearer",
	.endpoints = journey_endpoints,
	.nendpoints = RF_LENGTHOF(journey_endpoints),
	.check_path = "/bi/visit-journey-events/?datetime_gte=2000-01-01T00:00:00Z&datetime_lte=2000-01-01T00:00:01Z&page_size=1",
	OPTS(journey_options),
};
