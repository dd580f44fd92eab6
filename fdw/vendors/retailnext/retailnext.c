/*-------------------------------------------------------------------------
 *
 * retailnext.c
 *		  Descriptor tables for the RetailNext API (v2 locations and
 *		  datamine, the v1 lists).
 *
 * Only data, free of PostgreSQL headers.  rn_locations puts its filters
 * in a nested "where" body, uuids in batches; rn_fpa_zones has a path per
 * store; rn_zone_transitions sends its table options in the body;
 * rn_predicted_traffic asks for 7-day chunks of future days.  Only
 * rn_datamine plans its own requests (datamine.c says
 * why).  Every answer carries "ok" (false with a reason in "error").
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vendor.h"
#include "vendors/retailnext/retailnext.h"

/* ----------------------------------------------------------------
 *		rn_locations
 * ----------------------------------------------------------------
 */

static const RfColumn rn_location_columns[] = {
	{"uuid", RF_UUID, NULL, "the location's UUID"},
	{"parent_uuid", RF_UUID, NULL,
	"the parent location (a store's region, a sublocation's store)"},
	{"name", RF_TEXT, NULL, "the location's name"},
	{"type", RF_TEXT, NULL, "the kind of node (location)"},
	{"location_type", RF_TEXT, NULL,
	"store, region, entrance, fitting_room, display, other, organization, ..."},
	{"area", RF_NUMERIC, NULL, "the area in square feet (sublocations)"},
	{"archive_date", RF_TIMESTAMPTZ, NULL,
	"when the location was archived (NULL while in use)"},
	{"store_id", RF_TEXT, NULL, "the store's own id (stores)"},
	{"time_zone", RF_TEXT, NULL, "the store's time zone (stores)"},
	{"pos_id", RF_TEXT, NULL, "the store's point-of-sale id"},
	{"pos_division_id", RF_TEXT, NULL, "the store's point-of-sale division"},
	{"staff_hour_id", RF_TEXT, NULL, "the store's id in staff hour uploads"},
	{"occupancy_limit", RF_INT4, NULL, "how many people may be inside at once (stores)"},
	{"bandwidth_limit_kilobits_per_second", RF_INT4, NULL,
	"a store's own outbound bandwidth limit: set by UPDATE (0 reverts to the global limit) and returned by it; the listing never carries it (NULL)"},
	{"aggregate_to_parent", RF_BOOL, NULL,
	"whether a sublocation's traffic counts toward its parent"},
	{"aggregate_to_store", RF_BOOL, NULL,
	"whether a sublocation's traffic counts toward its store (floor level conversion)"},
};

/*
 * The location types the API can filter on (the document's list); the
 * organization, say, is a location type it cannot filter by: a list with
 * it is not sent, every location comes back and the executor keeps the
 * asked-for types.
 */
static const char *const rn_filter_types[] = {
	"display", "entrance", "fitting_room", "other", "store", "region", NULL
};

/*
 * One POST whose "where" holds an "and" of the pushed filters; a uuid list
 * longer than the API answers at once goes in batches of 1,000.
 */
static const RfPushdown rn_location_pushdown[] = {
	{"location_type", RF_OP_EQ | RF_OP_IN, "where.and[].location_types", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_REPEAT, .accepted = rn_filter_types,
	.domain = RF_DOMAIN_TEXT},
	{"uuid", RF_OP_EQ | RF_OP_IN, "where.and[].uuids", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_REPEAT, .batch = 1000, .domain = RF_DOMAIN_UUID},
};

static const char *const rn_location_insert[] = {
	"name", "parent_uuid", "location_type", "area", "aggregate_to_parent",
	"aggregate_to_store", NULL
};
static const char *const rn_location_insert_required[] = {
	"name", "parent_uuid", "location_type", NULL
};
static const char *const rn_location_update[] = {
	"name", "parent_uuid", "location_type", "area", "occupancy_limit",
	"bandwidth_limit_kilobits_per_second", "aggregate_to_parent",
	"aggregate_to_store", NULL
};

/*
 * INSERT INTO rn_locations never creates a store: the API creates
 * sublocations and regions only (RfWrite.refuse_insert).
 */
static const char *
rn_location_refuse_insert(const char *column, const char *value)
{
	if (strcmp(column, "location_type") == 0 && strcmp(value, "store") == 0)
		return "RetailNext's API creates sublocations (entrance, fitting_room, display, other) and regions; stores are created by RetailNext.";
	return NULL;
}

static const RfWrite rn_location_write = {
	.insert_method = "POST",
	.insert_path = "/v2/location/create",
	.update_method = "PUT",
	.update_path = "/v2/location/{uuid}",
	.key_column = "uuid",
	.insert_columns = rn_location_insert,
	.update_columns = rn_location_update,
	.insert_required = rn_location_insert_required,
	.refuse_insert = rn_location_refuse_insert,
	.no_delete_reason = "RetailNext's API has no call that deletes a location.",
};

/*
 * Users: INSERT creates an SSO user (POST /v1/users, the body {"user":
 * {...}}); UPDATE changes a user's permissions (PUT /v1/users/<id>, a plain
 * body).  Both answer {"user": {...}}.
 */
static const char *
rn_user_refuse_insert(const char *column, const char *value)
{
	if (strcmp(column, "type") == 0 && strcasecmp(value, "sso") != 0)
		return "RetailNext's API creates SSO users only (type 'sso'); local users are created in RetailNext.";
	return NULL;
}

static const char *const rn_user_insert[] = {
	"email", "type", "name", "disabled", "user_profile_id",
	"location_profile_id", "location_ids", NULL
};
static const char *const rn_user_insert_required[] = {"email", "type", NULL};
static const char *const rn_user_update[] = {
	"user_profile_id", "location_profile_id", "location_ids", NULL
};

static const RfWrite rn_user_write = {
	.insert_method = "POST",
	.insert_path = "/v1/users",
	.update_method = "PUT",
	.update_path = "/v1/users/{id}",
	.key_column = "id",
	.insert_columns = rn_user_insert,
	.update_columns = rn_user_update,
	.insert_required = rn_user_insert_required,
	.insert_key = "user",
	.answer_path = "user",
	.refuse_insert = rn_user_refuse_insert,
	.no_delete_reason = "RetailNext's API has no call that deletes a user.",
};

/* Every extra field the API offers, so that every column can be filled */
static const RfConstant rn_location_constants[] = {
	{RF_LOC_BODY, "extra_fields", "[\"store.time_zone\",\"store.store_id\","
	"\"store.pos_id\",\"store.pos_division_id\",\"store.staff_hour_id\","
	"\"store.occupancy_limit\"]"},
};

/* ----------------------------------------------------------------
 *		rn_occupancy_now: live occupancy
 * ----------------------------------------------------------------
 */

/*
 * The document's current occupancy "without time zone": time_zone "local",
 * only total_occupancy and occupancy_limit, grouped by location, one date
 * range from today to now and store hours -- the request every scan sends,
 * with the locations asked for.  A row is a metric's figure for a
 * location as of the moment of the request.
 */
static const RfColumn rn_occupancy_now_columns[] = {
	{"location_uuid", RF_UUID, "group.uuid", "the location"},
	{"location_name", RF_TEXT, "group.name", "the location's name"},
	{"location_qualified_name", RF_TEXT, "group.qualified_name",
	"the location's qualified name"},
	{"metric", RF_TEXT, "^name", "total_occupancy (people inside now) or occupancy_limit"},
	{"value", RF_NUMERIC, NULL, "the metric's value now"},
	{"validity", RF_TEXT, NULL, "whether the figure is complete"},
};

static const RfPushdown rn_occupancy_now_pushdown[] = {
	{"location_uuid", RF_OP_EQ | RF_OP_IN, "locations", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_REPEAT, .domain = RF_DOMAIN_UUID},
};

static const RfRequired rn_occupancy_now_required[] = {
	{"location_uuid", RF_REQ_VALUE, 0},
};

static const RfConstant rn_occupancy_now_constants[] = {
	{RF_LOC_BODY, "date_ranges", "[{\"from\":{\"name\":\"today\"},\"to\":{\"name\":\"now\"}}]"},
	{RF_LOC_BODY, "group_bys", "[{\"group\":\"location\",\"unit\":\"\",\"value\":0}]"},
	{RF_LOC_BODY, "metrics", "[\"total_occupancy\",\"occupancy_limit\"]"},
	{RF_LOC_BODY, "time_ranges", "[{\"type\":\"store_hours\"}]"},
	{RF_LOC_BODY, "time_zone", "\"local\""},
};

/* ----------------------------------------------------------------
 *		rn_datamine (planned by a hook)
 * ----------------------------------------------------------------
 */

/*
 * A datamine answer nests one level per group_bys entry under each metric:
 * location, then date, then (for grains under a day) time of day.  A
 * period starts at its local date and time in the query's time zone;
 * "+" / "-" prefixed times belong to the next / previous day.
 */
static const RfColumn rn_datamine_columns[] = {
	{"location_uuid", RF_UUID, "@location:group.uuid", "the location measured"},
	{"location_name", RF_TEXT, "@location:group.name", "the location's name"},
	{"metric", RF_TEXT, "#0:name",
	"the metric's id: traffic_in, traffic_out, net_sales, conversion_rate, ..."},
	{"period_start", RF_TIMESTAMPTZ,
	"localtime:@date:group.from.gregorian;@time:group.from;=time_zone",
	"when the period starts (its local date and time in time_zone)"},
	{"period_end", RF_TIMESTAMPTZ,
	"localtime:@date:group.through.gregorian;@time:group.until;=time_zone;end",
	"when the period ends"},
	{"grain", RF_TEXT, "=grain",
	"the length of a period: 15 minutes, 30 minutes, hour, day, week, month or year"},
	{"time_zone", RF_TEXT, "=time_zone", "the time zone the periods are counted in"},
	{"value", RF_NUMERIC, NULL, "the metric's value over the whole period"},
	{"validity", RF_TEXT, NULL, "for traffic metrics: complete, incomplete or imputed"},
	{"location_qualified_name", RF_TEXT, "@location:group.qualified_name",
	"the location's name with its store's, for a sublocation"},
	{"period_year", RF_INT4, "@date:group.from.year",
	"the subscription calendar's year of the period's first day (a retail calendar's fiscal year)"},
	{"period_month", RF_INT4, "@date:group.from.month",
	"the calendar's month of the period's first day, from 1 (a retail calendar's month)"},
	{"period_day", RF_INT4, "@date:group.from.day",
	"the period's first day's place in its calendar month, from 1"},
	{"period_end_year", RF_INT4, "@date:group.through.year",
	"the calendar's year of the period's last day (a sub-day period's: its business day)"},
	{"period_end_month", RF_INT4, "@date:group.through.month",
	"the calendar's month of the period's last day, from 1"},
	{"period_end_day", RF_INT4, "@date:group.through.day",
	"the period's last day's place in its calendar month, from 1"},
	{"time_range", RF_TEXT, "=time_range",
	"the hours counted each day: store_hours, or hh:mm-hh:mm of the time_zone's wall clock (until up to 24:00); without a condition on it, the table option hours: store_hours, or 00:00-24:00 for all_day"},
	{"range_start", RF_DATE, "=range_start",
	"the first day of the date range asked of the API, for the grains whose periods depend on it (day_of_week, 2 weeks, 3 weeks, 4 weeks); NULL for the others"},
	{"range_finish", RF_DATE, "=range_finish",
	"the last day of that date range (included)"},
	{"day_of_week", RF_TEXT, "@day_of_week:group.name",
	"grain day_of_week: the weekday, monday ... sunday, its value summed over every such day of the range (period_start to period_end); NULL for the other grains"},
};

/*
 * The grains: the last four are anchored, their periods depend on the
 * date range asked (range_start, range_finish), see datamine.c
 */
static const char *const rn_datamine_grains[] = {
	"15 minutes", "30 minutes", "hour", "day", "week", "month", "year",
	"day_of_week", "2 weeks", "3 weeks", "4 weeks", NULL
};

/* a time range's named span; else "hh:mm-hh:mm" (RF_DOM_CLOCK_SPAN) */
static const char *const rn_datamine_time_spans[] = {"store_hours", NULL};

/*
 * grain, time_zone, time_range and the anchored grains' range_start and
 * range_finish shape the request (group_bys, time_zone, time_ranges,
 * date_ranges): each row shows the values its request was made with
 */
static const RfPushdown rn_datamine_pushdown[] = {
	/* 100 locations a request unless datamine_batch says otherwise */
	{"location_uuid", RF_OP_EQ | RF_OP_IN, "locations", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_REPEAT, .batch = 100, .domain = RF_DOMAIN_UUID},
	/* metric ids: "traffic_in", ... (customisable per subscription) */
	{"metric", RF_OP_EQ | RF_OP_IN, "metrics", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_REPEAT, .domain = RF_DOMAIN_NONEMPTY},
	/* whole store days around the range (the hook widens and chunks it) */
	{"period_start", RF_OP_EQ | RF_OP_RANGE, NULL, "date_ranges[].from.gregorian",
		"date_ranges[].to.gregorian", RF_LOC_BODY, RF_MULTI_SPLIT},
	/* the grains the planner asks for (rn_datamine_grains) */
	{"grain", RF_OP_EQ | RF_OP_IN, "group_bys", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true,
	.domain = RF_DOMAIN_ENUM(rn_datamine_grains)},
	/* a zone name, or "local"; the planner checks it (an error if unknown) */
	{"time_zone", RF_OP_EQ | RF_OP_IN, "time_zone", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true, .domain = RF_DOMAIN_TEXT},
	/* one time range a request: {"type": "store_hours"} or {from, until} */
	{"time_range", RF_OP_EQ | RF_OP_IN, "time_ranges", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true,
	.domain = RF_DOMAIN_CLOCK_SPAN(rn_datamine_time_spans)},
	/* the exact date range of an anchored grain (local days, both included) */
	{"range_start", RF_OP_EQ, "date_ranges[].from.gregorian", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true},
	{"range_finish", RF_OP_EQ, "date_ranges[].to.gregorian", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true},
};

static const RfRequired rn_datamine_required[] = {
	{"location_uuid", RF_REQ_VALUE, 0},
	{"metric", RF_REQ_VALUE, 0},
	{"period_start", RF_REQ_RANGE, 0},
};

/* defaults for a query that does not name a grain or time zone */
static const RfOptionDef rn_datamine_options[] = {
	{"grain", RF_CTX_TABLE, RF_OPT_CHOICE, .choices = "15 minutes|hour|day|week|month|year"},
	{"hours", RF_CTX_TABLE, RF_OPT_CHOICE, .choices = "store_hours|all_day"},
	{"time_zone", RF_CTX_TABLE, RF_OPT_TEXT},
	{"datamine_batch", RF_CTX_TABLE, RF_OPT_INT, 1, 200},
};

/* ----------------------------------------------------------------
 *		v1 tables
 * ----------------------------------------------------------------
 */

/*
 * Store hours open and close are written "yyyy-mm-ddThh:mm:ssZ", and the
 * document's example (Caspar City Plaza, Los Angeles, "open":
 * "2021-01-15T10:00:00Z") is the store's wall clock with a "Z": by
 * default they are read so, in the store's time zone (server option
 * z_reading 'utc' reads them as UTC, see rn_wall_clock).  They are
 * instants (timestamptz) either way; effective_day labels a day and is a
 * date.  The day bounds are sent as the document's
 * "yyyy-mm-ddThh:mm:ssZ" (that day's midnight), a day wider on each side:
 * the document does not say whether end_date is inclusive, nor whose day
 * the dates are.
 */
static const RfColumn rn_store_hours_columns[] = {
	{"store_uuid", RF_UUID, NULL, "the store"},
	{"effective_day", RF_DATE, NULL, "the store's business day"},
	{"open", RF_TIMESTAMPTZ, "zclock:open;store_uuid", "when the store opens that day"},
	{"close", RF_TIMESTAMPTZ, "zclock:close;store_uuid", "when the store closes that day"},
};

static const RfPushdown rn_store_hours_pushdown[] = {
	{"store_uuid", RF_OP_EQ | RF_OP_IN, "stores", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_REPEAT, false, .domain = RF_DOMAIN_UUID},
	{"effective_day", RF_OP_EQ | RF_OP_RANGE, NULL, "start_date", "end_date",
	RF_LOC_BODY, RF_MULTI_SPLIT},
};

static const RfRequired rn_store_hours_required[] = {
	{"store_uuid", RF_REQ_VALUE, 0},
	{"effective_day", RF_REQ_RANGE, 0},
};

static const RfColumn rn_zone_transition_columns[] = {
	{"metric", RF_TEXT, "^^name", "all, employee or customer traffic"},
	{"floorplan_uuid", RF_UUID, "^floorplan.uuid", "the floorplan"},
	{"floorplan_name", RF_TEXT, "^floorplan.name", "the floorplan's name"},
	{"store_uuid", RF_UUID, "^floorplan.store_uuid", "the store of the floorplan"},
	{"store_name", RF_TEXT, "^floorplan.store_name", "the store's name"},
	{"from_zone_uuid", RF_UUID, "from_zone_id", "the zone moved from"},
	{"to_zone_uuid", RF_UUID, "to_zone_id", "the zone moved to"},
	{"value", RF_INT8, NULL, "how many moves from the one zone to the other"},
	{"percentage", RF_NUMERIC, NULL,
	"the moves' share of all moves from the from zone, among the locations asked for"},
	{"zones", RF_JSONB, "^zones", "the floorplan's zones"},
	{"location_uuid", RF_UUID,
	"oneof:location_uuid;^zones[uuid=from_zone_id].location_uuid;^floorplan.store_uuid",
	"the location asked for that the from zone belongs to (its own, or its store)"},
	{"to_location_uuid", RF_UUID, "^zones[uuid=to_zone_id].location_uuid",
	"the location of the to zone"},
	{"start_date", RF_DATE, "=start_date", "the first day counted"},
	{"finish_date", RF_DATE, "=finish_date", "the last day counted"},
	{"day_of_week", RF_TEXT, "=day_of_week",
	"the one weekday counted, monday ... sunday (NULL: every day, the API's default)"},
	{"time_start", RF_TEXT, "=time_start",
	"the start of the hours counted each day, hh:mm (NULL with time_finish: store hours, the API's default)"},
	{"time_finish", RF_TEXT, "=time_finish",
	"the end of the hours counted each day, hh:mm up to 24:00, after time_start"},
};

/*
 * Zone transitions count moves between the zones of the locations asked
 * for together: all the locations of a query go in one request, so that
 * the moves between them (A to B) are there, and percentages are shares
 * within that set.  The set is therefore a parameter, not a filter, and so
 * are the dates: quals on them must be sent.  location_uuid is the location
 * asked for that the from zone answers to (its own location, or its store
 * when the store was asked for); to_location_uuid is the to zone's own.
 * Every value sent is a constant of the rows, which the columns read.
 */
/* The weekdays as the document spells them */
static const char *const rn_weekdays[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL
};

static const RfPushdown rn_zone_transition_pushdown[] = {
	{"location_uuid", RF_OP_EQ | RF_OP_IN, "locations", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_REPEAT, .shapes = true, .as_const = true,
	.domain = RF_DOMAIN_UUID},
	{"start_date", RF_OP_EQ, "date_ranges[0].start", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true, .as_const = true},
	{"finish_date", RF_OP_EQ, "date_ranges[0].finish", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true, .as_const = true},
	/* a weekday a request (one series each), the hours as one time range */
	{"day_of_week", RF_OP_EQ | RF_OP_IN, "days_of_week", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_REPEAT, .batch = 1, .shapes = true, .as_const = true,
	.domain = RF_DOMAIN_ENUM(rn_weekdays)},
	{"time_start", RF_OP_EQ, "time_ranges[0].start", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true, .as_const = true,
	.domain = RF_DOMAIN_CLOCK},
	{"time_finish", RF_OP_EQ, "time_ranges[0].finish", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .shapes = true, .as_const = true,
	.domain = RF_DOMAIN_CLOCK_END},
};

static const RfRequired rn_zone_transition_required[] = {
	{"location_uuid", RF_REQ_VALUE, 0},
	{"start_date", RF_REQ_VALUE, 0},
	{"finish_date", RF_REQ_VALUE, 0},
};

/* Table options that shape zone transition requests, sent when set */
static const RfOptionDef rn_zone_transition_options[] = {
	{"metrics", RF_CTX_TABLE, RF_OPT_CHOICE, .choices = "all|employee|customer"},
	{"transitions", RF_CTX_TABLE, RF_OPT_CHOICE,
	.choices = "direct_only|direct_and_indirect|directionless"},
	{"dwells", RF_CTX_TABLE, RF_OPT_CHOICE, .choices = "dwells_only|non_dwells|all_traffic"},
};

static const RfConstant rn_zone_transition_constants[] = {
	{RF_LOC_BODY, "metrics", "[]", .option = "metrics"},
	{RF_LOC_BODY, "transitions", NULL, .option = "transitions"},
	{RF_LOC_BODY, "dwells", NULL, .option = "dwells"},
};

static const RfColumn rn_fpa_zone_columns[] = {
	{"floorplan_uuid", RF_UUID, "^id", "the floorplan"},
	{"floorplan_name", RF_TEXT, "^name", "the floorplan's name"},
	{"store_uuid", RF_UUID, "^store_id", "the store of the floorplan"},
	{"store_name", RF_TEXT, "^store_name", "the store's name"},
	{"zone_uuid", RF_UUID, "id", "the zone"},
	{"zone_name", RF_TEXT, "name", "the zone's name"},
	{"type", RF_TEXT, NULL, "the kind of zone: fpa, staff or mask"},
	{"location_uuid", RF_UUID, "location_id", "the zone's parent location"},
	{"location_name", RF_TEXT, NULL, "the parent location's name"},
	{"area", RF_FLOAT8, NULL, "the zone's size in square centimetres"},
	{"dwell_time_threshold_ms", RF_INT4, NULL,
	"how long a shopper must stay in the zone for a dwell, in milliseconds"},
	{"zone_threshold_mm", RF_INT4, NULL,
	"the zone's buffer for track detection, in millimetres"},
	{"points", RF_JSONB, NULL,
	"the zone's outline: points x, y in centimetres on the floorplan"},
};

/* One row per point of a zone's outline, in the outline's order */
static const RfColumn rn_fpa_point_columns[] = {
	{"floorplan_uuid", RF_UUID, "^^id", "the floorplan"},
	{"store_uuid", RF_UUID, "^^store_id", "the store of the floorplan"},
	{"zone_uuid", RF_UUID, "^id", "the zone"},
	{"zone_name", RF_TEXT, "^name", "the zone's name"},
	{"point_index", RF_INT4, "$index",
	"the point's place in the zone's outline, from 0 (the outline joins them in this order)"},
	{"x", RF_FLOAT8, NULL, "the point's x, in centimetres on the floorplan"},
	{"y", RF_FLOAT8, NULL, "the point's y, in centimetres on the floorplan"},
};

/* All floorplans, or those of the given stores (a path per store) */
static const RfPushdown rn_fpa_zone_pushdown[] = {
	{"store_uuid", RF_OP_EQ | RF_OP_IN, "store_uuid", NULL, NULL,
		RF_LOC_PATH, RF_MULTI_SPLIT, .path = "/v1/stores/{store_uuid}/fpafloorplans",
	.domain = RF_DOMAIN_UUID},
};

static const RfColumn rn_health_alert_columns[] = {
	{"uuid", RF_UUID, NULL, "the alert"},
	{"type", RF_TEXT, NULL, "the kind of alert, e.g. connectiondown"},
	{"severity", RF_TEXT, NULL, "how serious, or resolved"},
	{"description", RF_TEXT, NULL, "what is wrong"},
	{"store_uuid", RF_UUID, NULL, "the store"},
	{"store_name", RF_TEXT, NULL, "the store's name"},
	{"subject_id", RF_TEXT, NULL, "the device concerned (its MAC address, say)"},
	{"subject_name", RF_TEXT, NULL, "the device's name"},
	{"alert_creation_time", RF_TIMESTAMPTZ, NULL, "when the alert was raised"},
	{"event_time", RF_TIMESTAMPTZ, NULL, "when the problem began"},
	{"resolved", RF_BOOL, NULL, "whether it is resolved"},
	{"resolved_time", RF_TIMESTAMPTZ, NULL, "when it was resolved"},
	{"obsolete", RF_BOOL, NULL, "whether the alert is obsolete"},
};

/*
 * start_time: "alerts created before" the given time, exclusive.  Sent a
 * day later than the query's upper bound (ranges.c), so that the alert
 * created at the bound itself (<=) is not lost; the recheck drops the
 * extra day.
 */
static const RfPushdown rn_health_alert_pushdown[] = {
	{"alert_creation_time", RF_OP_LT | RF_OP_LE, NULL, NULL, "start_time",
	RF_LOC_BODY, RF_MULTI_SPLIT},
};

static const RfColumn rn_predicted_columns[] = {
	{"store_uuid", RF_UUID, "=store_uuid", "the store"},
	{"time", RF_TIMESTAMPTZ, "zclock:time;=store_uuid", "the start of the predicted slot"},
	{"value", RF_NUMERIC, NULL, "the predicted traffic in the slot"},
};

/*
 * Predicted traffic: one store and at most 7 days a request, future days
 * only, up to 31 days ahead.  "time" is an instant, written with a "Z"
 * that the document's example (Fifth Avenue from "09:00:00Z", its
 * opening) shows to be the store's wall clock: read as store hours are
 * (rn_wall_clock), while
 * first_day and last_day are dates the document does not place in a time
 * zone: the days sent reach one day beyond the range on each side (within
 * what the API serves; ranges.c), so that either reading covers the range, and the
 * recheck drops the rest.
 */
static const RfPushdown rn_predicted_pushdown[] = {
	{"store_uuid", RF_OP_EQ | RF_OP_IN, "store_uuid", NULL, NULL,
		RF_LOC_BODY, RF_MULTI_SPLIT, .as_const = true, .domain = RF_DOMAIN_UUID},
	{"time", RF_OP_EQ | RF_OP_RANGE, NULL, "first_day", "last_day",
		RF_LOC_BODY, RF_MULTI_SPLIT,
	.chunk_days = 7, .horizon_first = 1, .horizon_last = 31},
};

static const RfRequired rn_predicted_required[] = {
	{"store_uuid", RF_REQ_VALUE, 0},
	{"time", RF_REQ_RANGE, 0},
};

static const RfColumn rn_user_columns[] = {
	{"id", RF_UUID, NULL, "the user's UUID"},
	{"type", RF_TEXT, NULL, "local or sso"},
	{"name", RF_TEXT, NULL, "the user's name"},
	{"email", RF_TEXT, NULL, "the user's e-mail address"},
	{"disabled", RF_BOOL, NULL, "whether the user is disabled"},
	{"user_profile_id", RF_UUID, NULL, "the user profile (permissions)"},
	{"location_profile_id", RF_UUID, NULL,
	"the location profile (which locations the user sees)"},
	{"location_ids", RF_JSONB, NULL, "custom locations, instead of a location profile"},
	{"last_sign_in_at", RF_TIMESTAMPTZ, NULL, "the previous sign-in"},
	{"current_sign_in_at", RF_TIMESTAMPTZ, NULL, "the latest sign-in"},
	{"invitation_accepted", RF_BOOL, NULL, "whether the user accepted the invitation"},
	{"invitation_locale", RF_TEXT, NULL, "the invitation's language, e.g. en_US"},
};

/* "local or SSO users": the document's example sends type=SSO */
static const char *const rn_user_types[] = {"local", "sso", NULL};

static const RfPushdown rn_user_pushdown[] = {
	{"type", RF_OP_EQ, "type", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, false,
	.domain = RF_DOMAIN_ENUM_NOCASE(rn_user_types)},
	{"email", RF_OP_EQ | RF_OP_IN, "email", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, false,
	.domain = RF_DOMAIN_TEXT},
};

static const RfColumn rn_user_profile_columns[] = {
	{"id", RF_UUID, NULL, "the profile's UUID"},
	{"name", RF_TEXT, NULL, "the profile's name"},
	{"enterprise_groups", RF_JSONB, NULL, "enterprise groups"},
	{"use_idle_timeout", RF_BOOL, NULL, "whether idle sessions time out"},
	{"idle_timeout", RF_INT4, NULL, "the idle timeout, in seconds"},
	{"subscription_admin", RF_BOOL, NULL,
	"whether the profile administers the subscription"},
	{"visible_dashboard_widgets", RF_JSONB, NULL, "the pages and widgets the profile sees"},
};

static const RfColumn rn_location_profile_columns[] = {
	{"id", RF_UUID, NULL, "the profile's UUID"},
	{"name", RF_TEXT, NULL, "the profile's name"},
	{"enterprise_groups", RF_JSONB, NULL, "enterprise groups"},
	{"location_ids", RF_JSONB, NULL, "the locations the profile gives access to"},
};

static const RfColumn rn_camera_columns[] = {
	{"device_id", RF_TEXT, NULL, "the device's MAC address"},
	{"device_name", RF_TEXT, NULL, "the device's name"},
	{"type", RF_INT4, NULL,
	"the kind of device: 0 monocular camera, 1 Aurora, 2 Xovis or Brickstream"},
	{"store_uuid", RF_UUID, NULL, "the store the device is assigned to"},
	{"appliance_id", RF_TEXT, NULL, "the appliance the device is connected to"},
	{"vendor", RF_TEXT, NULL, "the device's maker: RetailNext, Xovis, Brickstream, Axis"},
	{"model", RF_TEXT, NULL, "the device's model"},
	{"private_ip", RF_TEXT, NULL, "the device's address on the local network"},
	{"public_ip", RF_TEXT, NULL, "the device's public address"},
	{"last_heard", RF_TIMESTAMPTZ, NULL,
	"when the device last talked to the RetailNext cloud"},
	{"serial_number", RF_TEXT, NULL, "the serial number (Xovis, Brickstream)"},
	{"network_configuration", RF_JSONB, NULL,
	"the device's network settings: mode (0 DHCP, 1 static), ip, gateway, dns, ntp"},
	{"video_channel_uuids", RF_JSONB, NULL, "the device's video channels"},
	{"video_channel_count", RF_INT4, NULL, "how many video channels the device has"},
	{"configuration_summary", RF_JSONB, NULL,
	"the device's name and location as the sensor knows them"},
	{"analytics", RF_JSONB, NULL,
	"traffic lines, dwell zones and direction line configured"},
	{"height", RF_INT4, NULL, "the device's mounting height, in millimetres (Aurora)"},
	/* the documented members of the objects above, typed */
	{"traffic_line_count", RF_INT4, "analytics.traffic_line_count",
	"how many traffic lines are configured on the device"},
	{"dwell_zone_count", RF_INT4, "analytics.dwell_zone_count",
	"how many dwell zones are configured on the device"},
	{"direction_line_configured", RF_BOOL, "analytics.direction_line_configured",
	"whether a direction line is configured on the device"},
	{"network_mode", RF_INT4, "network_configuration.mode",
	"the device's local network configuration: 0 DHCP, 1 static"},
	{"network_ip", RF_TEXT, "network_configuration.ip", "the device's static IP address"},
	{"network_gateway", RF_TEXT, "network_configuration.gateway",
	"the device's static gateway"},
	{"network_dns", RF_TEXT, "network_configuration.dns", "the device's static DNS server"},
	{"network_ntp", RF_TEXT, "network_configuration.ntp", "the device's static NTP server"},
	{"summary_device_name", RF_TEXT, "configuration_summary.device_name",
	"the device's name as a Brickstream sensor knows it"},
	{"summary_site_name", RF_TEXT, "configuration_summary.site_name",
	"the device's location as a Brickstream sensor knows it"},
	{"summary_sensor_name", RF_TEXT, "configuration_summary.sensor_name",
	"the device's name as a Xovis sensor knows it"},
	{"summary_sensor_group", RF_TEXT, "configuration_summary.sensor_group",
	"the device's location as a Xovis sensor knows it"},
};

static const RfPushdown rn_store_uuid_query_pushdown[] = {
	{"store_uuid", RF_OP_EQ | RF_OP_IN, "store_uuid", NULL, NULL,
	RF_LOC_QUERY, RF_MULTI_SPLIT, false, .domain = RF_DOMAIN_UUID},
};

static const RfColumn rn_channel_columns[] = {
	{"channel_uuid", RF_UUID, NULL, "the video channel"},
	{"name", RF_TEXT, NULL, "the channel's name"},
	{"device_id", RF_TEXT, NULL, "the device producing the video"},
	{"resolution", RF_TEXT, NULL, "the recording's resolution"},
	{"frame_rate", RF_INT4, NULL, "frames per second recorded"},
	{"record_on_motion", RF_BOOL, NULL, "whether it records on motion"},
	/* the API spells it "maximun" */
	{"minimum_retention_days", RF_INT4, NULL, "the fewest days video is kept"},
	{"maximum_retention_days", RF_INT4, "maximun_retention_days",
	"the most days video is kept"},
	{"blur_video", RF_BOOL, NULL, "whether video is blurred"},
	{"recording_enabled", RF_BOOL, NULL, "whether recording is on"},
	{"snapshot_enabled", RF_BOOL, NULL, "whether high resolution snapshots are on"},
	{"snapshot_interval_secs", RF_INT4, NULL, "seconds between snapshots"},
	{"snapshot_resolution", RF_TEXT, NULL, "the snapshots' resolution"},
};

static const RfColumn rn_appliance_columns[] = {
	{"appliance_id", RF_TEXT, NULL, "the appliance"},
	{"store_uuid", RF_UUID, NULL, "the store the appliance is assigned to"},
	{"mac_address", RF_TEXT, NULL, "the appliance's MAC address"},
	{"private_ip", RF_TEXT, NULL, "the appliance's address on the local network"},
	{"public_ip", RF_TEXT, NULL, "the appliance's public address"},
	{"network_configuration", RF_JSONB, NULL,
	"the appliance's network settings: mode (0 DHCP, 1 static), ip, gateway, dns, ntp"},
	{"network_mode", RF_INT4, "network_configuration.mode",
	"the appliance's local network configuration: 0 DHCP, 1 static"},
	{"network_ip", RF_TEXT, "network_configuration.ip", "the appliance's static IP address"},
	{"network_gateway", RF_TEXT, "network_configuration.gateway",
	"the appliance's static gateway"},
	{"network_dns", RF_TEXT, "network_configuration.dns",
	"the appliance's static DNS server"},
	{"network_ntp", RF_TEXT, "network_configuration.ntp",
	"the appliance's static NTP server"},
};

/* v1 lists: X-Page-Length (max 100) / X-Page-Start, 206 while more follow */
#define RN_HEADER_PAGING { \
	.style = RF_PAGE_HEADER, \
	.page_param = "X-Page-Start", \
	.size_param = "X-Page-Length", \
	.default_size = 100, \
	.max_size = 100, \
	.next_path = "x-page-next", \
}

/* inventory: an opaque next_page, sent back as X-Page-Start, "end" ends */
#define RN_TOKEN_PAGING { \
	.style = RF_PAGE_TOKEN, \
	.page_param = "X-Page-Start", \
	.size_param = "X-Page-Length", \
	.default_size = 100, \
	.max_size = 100, \
	.next_path = "next_page", \
	.end_token = "end", \
	.in_headers = true, \
}

static const RfEndpoint rn_endpoints[] = {
	{
		.resource = "rn_locations",
		.doc = "One row per location: the organization, regions, stores and their sublocations",
		.method = "POST",
		.path = "/v2/location",
		.rows_path = "nodes[][]",
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_location_columns),
		PUSH(rn_location_pushdown),
		.rows_per_request = 500,
		.write = &rn_location_write,
		.hooks = RF_HOOK(&rf_rn_locations_hooks),
		CONSTS(rn_location_constants),
	},
	{
		.resource = "rn_datamine",
		.doc = "One row per location, metric and period: traffic, sales, occupancy and other metrics",
		.method = "POST",
		.path = "/v2/datamine",
		.rows_path = "metrics[].data[].data[]",
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_datamine_columns),
		PUSH(rn_datamine_pushdown),
		REQ(rn_datamine_required),
		.rows_per_request = 1000,
		OPTS(rn_datamine_options),
		.hooks = RF_HOOK(&rf_rn_datamine_hooks),
	},
	{
		.resource = "rn_store_hours",
		.doc = "One row per store and business day: when it opens and closes",
		.method = "POST",
		.path = "/v1/storehours",
		.rows_path = "result.*.*",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_store_hours_columns),
		PUSH(rn_store_hours_pushdown),
		REQ(rn_store_hours_required),
		.rows_per_request = 100,
		.hooks = RF_HOOK(&rf_rn_ranges_hooks),
	},
	{
		.resource = "rn_zone_transitions",
		.doc = "One row per floorplan, from zone and to zone: how many shoppers moved between them",
		.method = "POST",
		.path = "/v1/zone_transitions",
		.rows_path = "metrics[].data[].transitions[]",
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_zone_transition_columns),
		PUSH(rn_zone_transition_pushdown),
		REQ(rn_zone_transition_required),
		.rows_per_request = 100,
		OPTS(rn_zone_transition_options),
		CONSTS(rn_zone_transition_constants),
	},
	{
		.resource = "rn_fpa_zones",
		.doc = "One row per zone of a store's floorplans, with its outline",
		.method = "GET",
		.path = "/v1/fpafloorplans",
		.rows_path = "[].zones[]",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_fpa_zone_columns),
		PUSH(rn_fpa_zone_pushdown),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_fpa_zone_points",
		.doc = "One row per point of a floorplan zone's outline (x, y), in order",
		.method = "GET",
		.path = "/v1/fpafloorplans",
		.rows_path = "[].zones[].points[]",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_fpa_point_columns),
		PUSH(rn_fpa_zone_pushdown),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_health_alerts",
		.doc = "One row per health alert of a store's devices",
		.method = "POST",
		.path = "/v1/healthalerts",
		.rows_path = "result",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_health_alert_columns),
		PUSH(rn_health_alert_pushdown),
		.rows_per_request = 100,
		.hooks = RF_HOOK(&rf_rn_ranges_hooks),
	},
	{
		.resource = "rn_predicted_traffic",
		.doc = "One row per store and predicted slot of the coming 31 days",
		.method = "POST",
		.path = "/v1/predictedtraffic",
		.rows_path = "predictions",
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_predicted_columns),
		PUSH(rn_predicted_pushdown),
		REQ(rn_predicted_required),
		.rows_per_request = 672,
		.hooks = RF_HOOK(&rf_rn_ranges_hooks),
		.max_concurrency = 3,
	},
	{
		.resource = "rn_users",
		.doc = "One row per user of the subscription",
		.method = "GET",
		.path = "/v1/users",
		.rows_path = "users",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_user_columns),
		PUSH(rn_user_pushdown),
		.write = &rn_user_write,
		.rows_per_request = 100,
	},
	{
		.resource = "rn_user_profiles",
		.doc = "One row per user profile: what its users may do and see",
		.method = "GET",
		.path = "/v1/user_profiles",
		.rows_path = "user_profiles",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_user_profile_columns),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_location_profiles",
		.doc = "One row per location profile: which locations its users see",
		.method = "GET",
		.path = "/v1/location_profiles",
		.rows_path = "location_profiles",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_location_profile_columns),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_cameras",
		.doc = "One row per camera or sensor, with its network and analytics set-up",
		.method = "GET",
		.path = "/v1/inventory/cameras",
		.rows_path = "cameras",
		.idempotent = true,
		.paging = RN_TOKEN_PAGING,
		COLS(rn_camera_columns),
		PUSH(rn_store_uuid_query_pushdown),
		.rows_per_request = 100,
		.max_concurrency = 3,
	},
	{
		.resource = "rn_channels",
		.doc = "One row per video channel, with its recording settings",
		.method = "GET",
		.path = "/v1/inventory/channels",
		.rows_path = "channels",
		.idempotent = true,
		.paging = RN_TOKEN_PAGING,
		COLS(rn_channel_columns),
		.rows_per_request = 100,
		.max_concurrency = 3,
	},
	{
		.resource = "rn_appliances",
		.doc = "One row per store appliance, with its network set-up",
		.method = "GET",
		.path = "/v1/inventory/appliances",
		.rows_path = "store_appliances",
		.idempotent = true,
		.paging = RN_TOKEN_PAGING,
		COLS(rn_appliance_columns),
		.rows_per_request = 100,
		.max_concurrency = 3,
	},
	{
		.resource = "rn_occupancy_now",
		.doc = "One row per location and occupancy metric: people inside now and the occupancy limit",
		.method = "POST",
		.path = "/v2/datamine",
		.rows_path = "metrics[].data[]",
		CONSTS(rn_occupancy_now_constants),
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_occupancy_now_columns),
		PUSH(rn_occupancy_now_pushdown),
		REQ(rn_occupancy_now_required),
		.rows_per_request = 2,
		.hooks = RF_HOOK(&rf_rn_locations_hooks),
	},
};

/*
 * A subscription name is a host name's first label: lower-case letters,
 * digits and '-' (the option's check; NULL when the name is one).
 */
static const char *
rn_subscription_check(const char *value)
{
	if (*value == '\0' ||
		strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(value))
		return "A subscription name consists of lower-case letters, digits and '-'.";
	return NULL;
}

/*
 * The base URL a server option stands for: the subscription names the
 * API's host, https://<subscription>.api.retailnext.net (RfVendor.base_url).
 */
static bool
rn_base_url(const char *option, const char *value, char *buf, size_t size)
{
	if (strcmp(option, "subscription") != 0)
		return false;
	if (buf)
		snprintf(buf, size, "https://%s.api.retailnext.net", value);
	return true;
}

/*
 * A subscription names the API's host; access keys sign every request;
 * z_reading says how store hours and predictions write their "Z" times.
 */
static const RfOptionDef rn_options[] = {
	{"subscription", RF_CTX_SERVER, RF_OPT_TEXT, .check = rn_subscription_check},
	{"z_reading", RF_CTX_SERVER, RF_OPT_CHOICE, .choices = "wall|utc"},
	RF_MAPPING_BASIC_OPTIONS,
};

/*
 * The "Z" of store hours and predicted traffic: the document's own
 * examples are the stores' wall clocks written with a "Z" (its "Z implies
 * UTC" sentence is about datamine's gregorian values, which stay UTC).
 * z_reading 'wall' (the default) reads them in each store's time zone,
 * listed once a scan from /v2/location; 'utc' reads them as UTC, for an
 * account whose API turns out to mean UTC.  Health alerts need no
 * reading: their times carry offsets, and start_time is sent a day
 * later than the bound, which covers either reading of its "Z".
 */
static const RfWallClock rn_wall_clock = {
	.option = "z_reading",
	.wall_value = "wall",
	.wall_default = true,
	.key_column = "store_uuid",
	.zones_resource = "rn_locations",
	.zones_key = "uuid",
	.zones_field = "time_zone",
};

/* Calls of the SQL-level actions (video export, HLS tokens, occupancy) */
static const RfAction rn_actions[] = {
	{"video_export_start", "POST", "/v1/video/export/start"},
	{"video_export_task", "GET", "/v1/video/export/task/{export_id}"},
	{"video_export_cancel", "DELETE", "/v1/video/export/task/{export_id}"},
	{"hls_token", "POST", "/v1/hlsapitoken"},
	{"occupancy_adjust", "POST", "/v1/occupancy/adjust"},
};

const RfVendor rf_vendor_retailnext = {
	.name = "retailnext",
	.auth = RF_AUTH_BASIC,
	.endpoints = rn_endpoints,
	.nendpoints = RF_LENGTHOF(rn_endpoints),
	.check_path = "/v1/users",
	OPTS(rn_options),
	.ok_field = "ok",
	.error_field = "error",
	.base_url = rn_base_url,
	.actions = rn_actions,
	.nactions = RF_LENGTHOF(rn_actions),
	.wall_clock = &rn_wall_clock,
};
