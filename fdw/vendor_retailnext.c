/*-------------------------------------------------------------------------
 *
 * vendor_retailnext.c
 *		  Descriptor tables for the RetailNext API (v2 locations and
 *		  datamine, the v1 lists), and the datamine request planner.
 *
 * Mostly data.  Two things need code: rn_locations pushes its filters into
 * a nested "where" object, and rn_datamine batches locations, splits date
 * ranges under the API's limits and shapes group_bys from the grain; both
 * plan their request series here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "retail_fdw.h"

/* v2 responses stop at 10,000 entries */
#define RN_V2_CAP 10000
/* locations per datamine request (option datamine_batch) */
#define RN_DATAMINE_BATCH 100

/* ----------------------------------------------------------------
 *		rn_locations
 * ----------------------------------------------------------------
 */

static const RfColumn rn_location_columns[] = {
	{"uuid", RF_UUID, NULL},
	{"parent_uuid", RF_UUID, NULL},
	{"name", RF_TEXT, NULL},
	{"type", RF_TEXT, NULL},
	{"location_type", RF_TEXT, NULL},
	{"area", RF_NUMERIC, NULL},
	{"archive_date", RF_TIMESTAMPTZ, NULL},
	{"store_id", RF_TEXT, NULL},
	{"time_zone", RF_TEXT, NULL},
	{"pos_id", RF_TEXT, NULL},
	{"pos_division_id", RF_TEXT, NULL},
	{"staff_hour_id", RF_TEXT, NULL},
	{"occupancy_limit", RF_INT4, NULL},
	{"aggregate_to_parent", RF_BOOL, NULL},
	{"aggregate_to_store", RF_BOOL, NULL},
};

static const RfPushdown rn_location_pushdown[] = {
	{"location_type", RF_OP_EQ | RF_OP_IN, "location_types", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_REPEAT, false},
	{"uuid", RF_OP_EQ | RF_OP_IN, "uuids", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_REPEAT, false},
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
	"aggregate_to_parent", "aggregate_to_store", NULL
};

static const RfWrite rn_location_write = {
	.insert_method = "POST",
	.insert_path = "/v2/location/create",
	.update_method = "PUT",
	.update_path = "/v2/location/{uuid}",
	.key_column = "uuid",
	.insert_columns = rn_location_insert,
	.update_columns = rn_location_update,
	.insert_required = rn_location_insert_required,
	.refuse_column = "location_type",
	.refuse_value = "store",
	.refuse_reason = "RetailNext's API creates sublocations (entrance, fitting_room, display, other) and regions; stores are created by RetailNext.",
	.no_delete_reason = "RetailNext's API has no call that deletes a location.",
};

/* Every extra field the API offers, so that every column can be filled */
#define RN_EXTRA_FIELDS "\"extra_fields\":[\"store.time_zone\",\"store.store_id\"," \
	"\"store.pos_id\",\"store.pos_division_id\",\"store.staff_hour_id\"," \
	"\"store.occupancy_limit\"]"

static const char *
table_option(const RfOptions *opts, const char *name)
{
	ListCell   *lc;

	foreach(lc, opts->table_options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, name) == 0)
			return defGetString(def);
	}
	return NULL;
}

/* Append ["a","b"] */
static void
append_json_array(StringInfo buf, List *values)
{
	ListCell   *lc;

	appendStringInfoChar(buf, '[');
	foreach(lc, values)
	{
		if (lc != list_head(values))
			appendStringInfoChar(buf, ',');
		escape_json(buf, lfirst(lc));
	}
	appendStringInfoChar(buf, ']');
}

static RfSeries *
post_series(const RfEndpoint *ep, char *body)
{
	RfSeries   *s = palloc0(sizeof(RfSeries));

	s->path = pstrdup(ep->path);
	s->body = body;
	return s;
}

/*
 * The location types the API can filter on (the document's list); the
 * organization, say, is a location type it cannot filter by.
 */
static const char *const rn_filter_types[] = {
	"display", "entrance", "fitting_room", "other", "store", "region", NULL
};

static bool
all_filter_types(List *values)
{
	ListCell   *lc;

	foreach(lc, values)
	{
		const char *const *t;

		for (t = rn_filter_types; *t; t++)
			if (strcmp(*t, lfirst(lc)) == 0)
				break;
		if (*t == NULL)
			return false;
	}
	return true;
}

/*
 * rn_locations: one POST whose "where" holds an "and" of the pushed
 * filters.  A uuid list longer than the API can answer at once is split.
 * A location_type list the API cannot filter by is not sent: every
 * location comes back and the executor keeps the asked-for types.
 */
static List *
rn_locations_plan(const RfOptions *opts, List *qualvals, bool *empty)
{
	const RfEndpoint *ep = opts->endpoint;
	RfFilter   *f = palloc0(sizeof(RfFilter) * ep->npushdown);
	List	   *result = NIL;
	List	   *uuids;
	int			nuuids;

	*empty = !rf_fold_filters(ep, qualvals, f);
	if (*empty)
		return NIL;
	if (f[0].has_values && !all_filter_types(f[0].values))
		f[0].has_values = false;
	uuids = f[1].has_values ? f[1].values : NIL;
	nuuids = list_length(uuids);
	for (int start = 0; start == 0 || start < nuuids; start += 1000)
	{
		StringInfoData body;
		bool		first = true;

		initStringInfo(&body);
		appendStringInfoString(&body, "{" RN_EXTRA_FIELDS);
		if (f[0].has_values || uuids)
		{
			appendStringInfoString(&body, ",\"where\":{\"and\":[");
			if (f[0].has_values)
			{
				appendStringInfoString(&body, "{\"location_types\":");
				append_json_array(&body, f[0].values);
				appendStringInfoChar(&body, '}');
				first = false;
			}
			if (uuids)
			{
				appendStringInfoString(&body, first ? "{\"uuids\":" : ",{\"uuids\":");
				append_json_array(&body, list_copy_head(list_copy_tail(uuids, start), 1000));
				appendStringInfoChar(&body, '}');
			}
			appendStringInfoString(&body, "]}");
		}
		appendStringInfoChar(&body, '}');
		result = lappend(result, post_series(ep, body.data));
		if (nuuids == 0)
			break;
	}
	return result;
}

/* ----------------------------------------------------------------
 *		rn_datamine
 * ----------------------------------------------------------------
 */

/*
 * A datamine answer nests one level per group_bys entry under each metric:
 * location, then date, then (for grains under a day) time of day.  A
 * period starts at its local date and time in the query's time zone;
 * "+" / "-" prefixed times belong to the next / previous day.
 */
static const RfColumn rn_datamine_columns[] = {
	{"location_uuid", RF_UUID, "@location:group.uuid"},
	{"location_name", RF_TEXT, "@location:group.name"},
	{"metric", RF_TEXT, "#0:name"},
	{"period_start", RF_TIMESTAMPTZ,
	"localtime:@date:group.from.gregorian;@time:group.from;=time_zone"},
	{"period_end", RF_TIMESTAMPTZ,
	"localtime:@date:group.through.gregorian;@time:group.until;=time_zone;end"},
	{"grain", RF_TEXT, "=grain"},
	{"time_zone", RF_TEXT, "=time_zone"},
	{"value", RF_NUMERIC, NULL},
	{"validity", RF_TEXT, NULL},
};

enum
{
	DM_LOCATION,
	DM_METRIC,
	DM_PERIOD,
	DM_GRAIN,
	DM_TZ,
	DM_HOURS
};

static const RfPushdown rn_datamine_pushdown[] = {
	[DM_LOCATION] = {"location_uuid", RF_OP_EQ | RF_OP_IN, "locations", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_REPEAT, false},
	[DM_METRIC] = {"metric", RF_OP_EQ | RF_OP_IN, "metrics", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_REPEAT, false},
	[DM_PERIOD] = {"period_start", RF_OP_EQ | RF_OP_RANGE, NULL, "from", "to",
	RF_LOC_BODY, RF_MULTI_SPLIT, false},
	[DM_GRAIN] = {"grain", RF_OP_EQ | RF_OP_IN, "grain", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_SPLIT, false, 0, true},
	[DM_TZ] = {"time_zone", RF_OP_EQ | RF_OP_IN, "time_zone", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_SPLIT, false, 0, true},
};

static const RfRequired rn_datamine_required[] = {
	{"location_uuid", RF_REQ_VALUE, 0},
	{"metric", RF_REQ_VALUE, 0},
	{"period_start", RF_REQ_RANGE, 0},
};

/*
 * A grain: its group_bys entry, how many periods a day holds (sub-day
 * grains) or how many days a period may span at most (calendar grains,
 * whose length depends on the subscription's calendar: a 4-5-4 retail
 * month has 5 weeks, a 53-week retail year 371 days).
 */
typedef struct RnGrain
{
	const char *name;
	const char *group_by;
	int			per_day;		/* periods a day (DST: one hour more) */
	int			max_days;		/* longest period, in days */
} RnGrain;

static const RnGrain rn_grains[] = {
	{"15 minutes", "{\"group\":\"time\",\"unit\":\"minutes\",\"value\":15}", 100, 1},
	{"hour", "{\"group\":\"time\",\"unit\":\"hours\",\"value\":1}", 25, 1},
	{"day", "{\"group\":\"date\",\"unit\":\"days\",\"value\":1}", 1, 1},
	{"week", "{\"group\":\"date\",\"unit\":\"weeks\",\"value\":1}", 0, 7},
	{"month", "{\"group\":\"date\",\"unit\":\"months\",\"value\":1}", 0, 35},
	{"year", "{\"group\":\"date\",\"unit\":\"years\",\"value\":1}", 0, 371},
};

/*
 * The grain named in a query.  Names are matched exactly: the grain column
 * holds these spellings, so any other spelling could never match a row and
 * is far more likely a typo than a wish for no rows.
 */
static const RnGrain *
lookup_grain(const char *name)
{
	for (int i = 0; i < (int) lengthof(rn_grains); i++)
		if (strcmp(rn_grains[i].name, name) == 0)
			return &rn_grains[i];
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("invalid grain \"%s\" for rn_datamine", name),
			 errdetail("The grain column holds exactly one of: 15 minutes, hour, day, week, month, year."),
			 errhint("Write the grain in lower case, as listed.")));
	return NULL;				/* keep compiler quiet */
}

/* yyyy-mm-dd of a timestamp in UTC terms */
static char *
date_text(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return psprintf("%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
}

static pg_tz *
zone_or_error(const char *zone)
{
	pg_tz	   *tz = pg_tzset(zone);

	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", zone),
				 errhint("Use an IANA time zone name such as 'America/New_York' or 'UTC'.")));
	return tz;
}

/* The day (Julian day number) of a timestamp in a time zone */
static int
local_julian(TimestampTz t, const char *zone)
{
	pg_tz	   *tz = zone_or_error(zone);
	struct pg_tm tm;
	fsec_t		fsec;
	int			tzoff;

	if (timestamp2tm(t, &tzoff, &tm, &fsec, NULL, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday);
}

static char *
julian_text(int julian)
{
	int			y,
				m,
				d;

	j2date(julian, &y, &m, &d);
	return psprintf("%04d-%02d-%02d", y, m, d);
}

/*
 * The instant a local day starts, as the API's gregorian value: ISO 8601
 * in UTC with a "Z", which the document says means UTC.
 */
static char *
local_midnight_utc(int julian, const char *zone)
{
	pg_tz	   *tz = zone_or_error(zone);
	struct pg_tm tm;
	fsec_t		fsec;
	TimestampTz t;
	int			tzoff;

	memset(&tm, 0, sizeof(tm));
	j2date(julian, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tzoff = DetermineTimeZoneOffset(&tm, tz);
	if (tm2timestamp(&tm, 0, &tzoff, &t) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Periods a request over span_days local days may hold, at most */
static int64
periods_in(const RnGrain *g, int span_days)
{
	if (g->per_day > 0)
		return (int64) span_days * g->per_day;
	return span_days / g->max_days + 2;
}

/* Split list into consecutive pieces of at most n */
static List *
split_list(List *list, int n)
{
	List	   *result = NIL;

	for (int start = 0; start < list_length(list); start += n)
		result = lappend(result, list_copy_head(list_copy_tail(list, start), n));
	return result;
}

/*
 * rn_datamine: one series per grain, time zone, batch of locations, batch
 * of metrics and chunk of local days.
 *
 * A period's value must be the vendor's value for the whole period,
 * whatever the query's bounds: the API sums what lies inside the requested
 * range, so a week cut by the range would come back partial.  Each chunk
 * therefore owns the periods that start on its days, [first, last), and
 * its request reaches one day before them and one longest period after:
 * the periods it owns are then whole under every reading of the document
 * (a "to" inclusive or not, a gregorian value read in UTC or wall clock,
 * store hours past midnight, any calendar), and rows the wider request
 * also returns -- cut periods at its edges, periods owned by a neighbour
 * -- are dropped by the series' keep filter on the period's start date.
 * The executor's recheck then keeps the rows the query asked for.
 *
 * The API refuses ranges over 5 years for one location and 2 years for
 * several, and cuts answers at 10,000 entries (periods x locations x
 * metrics): batches and chunks are sized so that no request can reach
 * either limit, splitting locations and then metrics when a single day of
 * a sub-day grain is already too much.
 */
static List *
rn_datamine_plan(const RfOptions *opts, List *qualvals, bool *empty)
{
	const RfEndpoint *ep = opts->endpoint;
	RfFilter   *f = palloc0(sizeof(RfFilter) * ep->npushdown);
	List	   *result = NIL;
	const char *opt;
	int			batch = RN_DATAMINE_BATCH;
	const char *default_tz;
	const char *hours;
	List	   *grains;
	List	   *zones;
	ListCell   *lg;
	ListCell   *lz;
	int			nloc;
	int			nmetrics;

	*empty = !rf_fold_filters(ep, qualvals, f);
	if (*empty)
		return NIL;
	if ((opt = table_option(opts, "datamine_batch")) != NULL)
		batch = pg_strtoint32(opt);
	default_tz = table_option(opts, "time_zone");
	hours = table_option(opts, "hours");
	grains = f[DM_GRAIN].has_values ? f[DM_GRAIN].values :
		list_make1(pstrdup(table_option(opts, "grain") ? table_option(opts, "grain") : "day"));
	zones = f[DM_TZ].has_values ? f[DM_TZ].values :
		list_make1(pstrdup(default_tz ? default_tz : "UTC"));
	nloc = list_length(f[DM_LOCATION].values);
	nmetrics = list_length(f[DM_METRIC].values);

	foreach(lg, grains)
	{
		const RnGrain *g = lookup_grain(lfirst(lg));
		int			pad_after = g->max_days;
		int			nb = Max(1, Min(batch, nloc));
		int			nm = Max(1, nmetrics);
		int			chunk;
		List	   *loc_batches;
		List	   *metric_batches;

		/* a request owning one day spans 1 + 1 + pad_after days */
		while ((int64) nb * nm * periods_in(g, 2 + pad_after) >= RN_V2_CAP)
		{
			if (nb > 1)
				nb = (nb + 1) / 2;
			else if (nm > 1)
				nm = (nm + 1) / 2;
			else
				break;
		}

		/* the longest chunk under the range limit and the entry cap */
		chunk = (nb == 1 ? 5 * 365 : 2 * 365) - 1 - pad_after;
		while (chunk > 1 &&
			   (int64) nb * nm * periods_in(g, chunk + 1 + pad_after) >= RN_V2_CAP)
			chunk = chunk * 3 / 4;
		chunk = Max(chunk, 1);

		loc_batches = split_list(f[DM_LOCATION].values, nb);
		metric_batches = split_list(f[DM_METRIC].values, nm);

		foreach(lz, zones)
		{
			const char *tz = lfirst(lz);
			int			first = local_julian(f[DM_PERIOD].lower, tz);
			int			last = local_julian(f[DM_PERIOD].upper, tz);
			ListCell   *lb;

			/*
			 * Sub-day periods are grouped under their store day, and store
			 * hours may cross midnight ("+01:00" is the next morning, "-22:00"
			 * the evening before): the store days on either side of the
			 * range may hold periods inside it.
			 */
			if (g->per_day > 1)
			{
				first--;
				last++;
			}

			foreach(lb, loc_batches)
			{
				ListCell   *lm;

				foreach(lm, metric_batches)
				{
					for (int day = first; day <= last; day += chunk)
					{
						int			end = Min(day + chunk, last + 1);	/* owned: [day, end) */
						StringInfoData body;
						RfSeries   *s;

						initStringInfo(&body);
						appendStringInfoString(&body, "{\"locations\":");
						append_json_array(&body, lfirst(lb));
						appendStringInfoString(&body, ",\"metrics\":");
						append_json_array(&body, lfirst(lm));
						appendStringInfo(&body,
										 ",\"date_ranges\":[{\"from\":{\"gregorian\":\"%s\"},\"to\":{\"gregorian\":\"%s\"}}]",
										 local_midnight_utc(day - 1, tz),
										 local_midnight_utc(end + pad_after, tz));
						if (hours && pg_strcasecmp(hours, "all_day") == 0)
							appendStringInfoString(&body, ",\"time_ranges\":[{\"from\":\"00:00\",\"until\":\"24:00\"}]");
						else
							appendStringInfoString(&body, ",\"time_ranges\":[{\"type\":\"store_hours\"}]");
						if (g->per_day > 1)
							appendStringInfo(&body, ",\"group_bys\":[{\"group\":\"location\",\"unit\":\"\",\"value\":1},"
											 "{\"group\":\"date\",\"unit\":\"days\",\"value\":1},%s]",
											 g->group_by);
						else
							appendStringInfo(&body, ",\"group_bys\":[{\"group\":\"location\",\"unit\":\"\",\"value\":1},%s]",
											 g->group_by);
						appendStringInfoString(&body, ",\"time_zone\":");
						escape_json(&body, tz);
						appendStringInfoChar(&body, '}');

						s = post_series(ep, body.data);
						s->consts = list_make2(psprintf("grain=%s", g->name),
											   psprintf("time_zone=%s", tz));
						s->rows_path = (g->per_day > 1) ?
							"metrics[].data[].data[].data[]" : "metrics[].data[].data[]";
						s->keep_path = "@date:group.from.gregorian";
						s->keep_lo = julian_text(day);
						s->keep_hi = julian_text(end);
						result = lappend(result, s);
					}
				}
			}
		}
	}
	return result;
}

/* ----------------------------------------------------------------
 *		v1 tables
 * ----------------------------------------------------------------
 */

/*
 * Every RetailNext time written with a "Z" is UTC, as the document says of
 * its gregorian values: store hours open and close are instants
 * (timestamptz); effective_day labels a day and is a date.  The day bounds
 * are sent a day wider on each side: the document does not say whether
 * end_date is inclusive, nor whose day the dates are.
 */
static const RfColumn rn_store_hours_columns[] = {
	{"store_uuid", RF_UUID, NULL},
	{"effective_day", RF_DATE, NULL},
	{"open", RF_TIMESTAMPTZ, NULL},
	{"close", RF_TIMESTAMPTZ, NULL},
};

static const RfPushdown rn_store_hours_pushdown[] = {
	{"store_uuid", RF_OP_EQ | RF_OP_IN, "stores", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_REPEAT, false},
	{"effective_day", RF_OP_EQ | RF_OP_RANGE, NULL, "start_date", "end_date",
	RF_LOC_BODY, RF_MULTI_SPLIT, false, 1},
};

static const RfRequired rn_store_hours_required[] = {
	{"store_uuid", RF_REQ_VALUE, 0},
	{"effective_day", RF_REQ_RANGE, 0},
};

static const RfColumn rn_zone_transition_columns[] = {
	{"metric", RF_TEXT, "^^name"},
	{"floorplan_uuid", RF_UUID, "^floorplan.uuid"},
	{"floorplan_name", RF_TEXT, "^floorplan.name"},
	{"store_uuid", RF_UUID, "^floorplan.store_uuid"},
	{"store_name", RF_TEXT, "^floorplan.store_name"},
	{"from_zone_uuid", RF_UUID, "from_zone_id"},
	{"to_zone_uuid", RF_UUID, "to_zone_id"},
	{"value", RF_INT8, NULL},
	{"percentage", RF_NUMERIC, NULL},
	{"zones", RF_JSONB, "^zones"},
	{"location_uuid", RF_UUID,
	"oneof:location_uuid;^zones[uuid=from_zone_id].location_uuid;^floorplan.store_uuid"},
	{"to_location_uuid", RF_UUID, "^zones[uuid=to_zone_id].location_uuid"},
	{"start_date", RF_DATE, "=start_date"},
	{"finish_date", RF_DATE, "=finish_date"},
};

enum
{
	ZT_LOCATION,
	ZT_START,
	ZT_FINISH
};

/*
 * Zone transitions count moves between the zones of the locations asked
 * for together: all the locations of a query go in one request, so that
 * the moves between them (A to B) are there, and percentages are shares
 * within that set.  The set is therefore a parameter, not a filter, and so
 * are the dates: quals on them must be sent.  location_uuid is the location
 * asked for that the from zone answers to (its own location, or its store
 * when the store was asked for); to_location_uuid is the to zone's own.
 */
static const RfPushdown rn_zone_transition_pushdown[] = {
	[ZT_LOCATION] = {"location_uuid", RF_OP_EQ | RF_OP_IN, "locations", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_REPEAT, false, 0, true},
	[ZT_START] = {"start_date", RF_OP_EQ, "start", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_SPLIT, false, 0, true},
	[ZT_FINISH] = {"finish_date", RF_OP_EQ, "finish", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_SPLIT, false, 0, true},
};

static const RfRequired rn_zone_transition_required[] = {
	{"location_uuid", RF_REQ_VALUE, 0},
	{"start_date", RF_REQ_VALUE, 0},
	{"finish_date", RF_REQ_VALUE, 0},
};

/* Table options that shape zone transition requests, sent when set */
static const char *const rn_zone_transition_options[] = {
	"metrics", "transitions", "dwells", NULL
};

static List *
rn_zone_transitions_plan(const RfOptions *opts, List *qualvals, bool *empty)
{
	const RfEndpoint *ep = opts->endpoint;
	RfFilter   *f = palloc0(sizeof(RfFilter) * ep->npushdown);
	const char *start;
	const char *finish;
	StringInfoData body;
	RfSeries   *s;
	ListCell   *lc;

	*empty = !rf_fold_filters(ep, qualvals, f);
	if (*empty)
		return NIL;
	start = linitial(f[ZT_START].values);
	finish = linitial(f[ZT_FINISH].values);
	initStringInfo(&body);
	appendStringInfoString(&body, "{\"locations\":");
	append_json_array(&body, f[ZT_LOCATION].values);
	appendStringInfoString(&body, ",\"date_ranges\":[{\"start\":");
	escape_json(&body, start);
	appendStringInfoString(&body, ",\"finish\":");
	escape_json(&body, finish);
	appendStringInfoString(&body, "}]");
	for (const char *const *o = rn_zone_transition_options; *o; o++)
	{
		const char *v = table_option(opts, *o);

		if (v == NULL)
			continue;
		appendStringInfoChar(&body, ',');
		escape_json(&body, *o);
		appendStringInfoChar(&body, ':');
		if (strcmp(*o, "metrics") == 0)
			append_json_array(&body, list_make1(pstrdup(v)));
		else
			escape_json(&body, v);
	}
	appendStringInfoChar(&body, '}');
	s = post_series(ep, body.data);
	s->consts = list_make2(psprintf("start_date=%s", start),
						   psprintf("finish_date=%s", finish));
	/* each location asked for: a row answers to its zone's or store's */
	foreach(lc, f[ZT_LOCATION].values)
		s->consts = lappend(s->consts, psprintf("location_uuid=%s", (char *) lfirst(lc)));
	return list_make1(s);
}

static const RfColumn rn_fpa_zone_columns[] = {
	{"floorplan_uuid", RF_UUID, "^id"},
	{"floorplan_name", RF_TEXT, "^name"},
	{"store_uuid", RF_UUID, "^store_id"},
	{"store_name", RF_TEXT, "^store_name"},
	{"zone_uuid", RF_UUID, "id"},
	{"zone_name", RF_TEXT, "name"},
	{"type", RF_TEXT, NULL},
	{"location_uuid", RF_UUID, "location_id"},
	{"location_name", RF_TEXT, NULL},
	{"area", RF_FLOAT8, NULL},
	{"dwell_time_threshold_ms", RF_INT4, NULL},
	{"zone_threshold_mm", RF_INT4, NULL},
	{"points", RF_JSONB, NULL},
};

static const RfPushdown rn_fpa_zone_pushdown[] = {
	{"store_uuid", RF_OP_EQ | RF_OP_IN, "store_uuid", NULL, NULL,
	RF_LOC_PATH, RF_MULTI_SPLIT, false},
};

/* All floorplans, or those of the given stores (a path per store) */
static List *
rn_fpa_zones_plan(const RfOptions *opts, List *qualvals, bool *empty)
{
	const RfEndpoint *ep = opts->endpoint;
	RfFilter   *f = palloc0(sizeof(RfFilter) * ep->npushdown);
	List	   *result = NIL;
	ListCell   *lc;

	*empty = !rf_fold_filters(ep, qualvals, f);
	if (*empty)
		return NIL;
	if (!f[0].has_values)
	{
		RfSeries   *s = palloc0(sizeof(RfSeries));

		s->path = pstrdup(ep->path);
		return list_make1(s);
	}
	foreach(lc, f[0].values)
	{
		RfSeries   *s = palloc0(sizeof(RfSeries));

		s->path = psprintf("/v1/stores/%s/fpafloorplans", rf_http_escape(lfirst(lc)));
		result = lappend(result, s);
	}
	return result;
}

static const RfColumn rn_health_alert_columns[] = {
	{"uuid", RF_UUID, NULL},
	{"type", RF_TEXT, NULL},
	{"severity", RF_TEXT, NULL},
	{"description", RF_TEXT, NULL},
	{"store_uuid", RF_UUID, NULL},
	{"store_name", RF_TEXT, NULL},
	{"subject_id", RF_TEXT, NULL},
	{"subject_name", RF_TEXT, NULL},
	{"alert_creation_time", RF_TIMESTAMPTZ, NULL},
	{"event_time", RF_TIMESTAMPTZ, NULL},
	{"resolved", RF_BOOL, NULL},
	{"resolved_time", RF_TIMESTAMPTZ, NULL},
	{"obsolete", RF_BOOL, NULL},
};

/*
 * start_time: "alerts created before" the given time, exclusive.  Sent a
 * day later than the query's upper bound, so that the alert created at the
 * bound itself (<=) is not lost; the recheck drops the extra day.
 */
static const RfPushdown rn_health_alert_pushdown[] = {
	{"alert_creation_time", RF_OP_LT | RF_OP_LE, NULL, NULL, "start_time",
	RF_LOC_BODY, RF_MULTI_SPLIT, false, 1},
};

static const RfColumn rn_predicted_columns[] = {
	{"store_uuid", RF_UUID, "=store_uuid"},
	{"time", RF_TIMESTAMPTZ, NULL},
	{"value", RF_NUMERIC, NULL},
};

static const RfPushdown rn_predicted_pushdown[] = {
	{"store_uuid", RF_OP_EQ | RF_OP_IN, "store_uuid", NULL, NULL,
	RF_LOC_BODY, RF_MULTI_SPLIT, false},
	{"time", RF_OP_EQ | RF_OP_RANGE, NULL, "first_day", "last_day",
	RF_LOC_BODY, RF_MULTI_SPLIT, false},
};

static const RfRequired rn_predicted_required[] = {
	{"store_uuid", RF_REQ_VALUE, 0},
	{"time", RF_REQ_RANGE, 0},
};

/*
 * Predicted traffic: one store and at most 7 days a request, future days
 * only, up to 31 days ahead.  "time" is an instant ("Z" is UTC), while
 * first_day and last_day are dates the document does not place in a time
 * zone: the days sent reach one day beyond the range on each side (within
 * what the API serves), so that either reading covers the range, and the
 * recheck drops the rest.
 */
static List *
rn_predicted_plan(const RfOptions *opts, List *qualvals, bool *empty)
{
	const RfEndpoint *ep = opts->endpoint;
	RfFilter   *f = palloc0(sizeof(RfFilter) * ep->npushdown);
	List	   *result = NIL;
	ListCell   *lc;
	TimestampTz today = GetCurrentTransactionStartTimestamp();
	TimestampTz first;
	TimestampTz last;

	*empty = !rf_fold_filters(ep, qualvals, f);
	if (*empty)
		return NIL;
	today -= today % USECS_PER_DAY;
	if (f[1].lower < today + USECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("rn_predicted_traffic covers future days only"),
				 errdetail("The range on \"time\" starts on %s; the first day RetailNext predicts is %s.",
						   date_text(f[1].lower), date_text(today + USECS_PER_DAY)),
				 errhint("Use a range from tomorrow up to 31 days ahead, such as WHERE time >= current_date + 1 AND time < current_date + 8.")));
	first = f[1].lower - f[1].lower % USECS_PER_DAY - USECS_PER_DAY;
	first = Max(first, today + USECS_PER_DAY);
	last = f[1].upper - f[1].upper % USECS_PER_DAY + USECS_PER_DAY;
	last = Min(last, today + 31 * USECS_PER_DAY);
	if (first > last)
	{
		*empty = true;
		return NIL;
	}
	foreach(lc, f[0].values)
	{
		for (TimestampTz lo = first; lo <= last; lo += 7 * USECS_PER_DAY)
		{
			TimestampTz hi = Min(lo + 6 * USECS_PER_DAY, last);
			RfSeries   *s = palloc0(sizeof(RfSeries));
			StringInfoData body;

			initStringInfo(&body);
			appendStringInfoString(&body, "{\"store_uuid\":");
			escape_json(&body, lfirst(lc));
			appendStringInfo(&body, ",\"first_day\":\"%s\",\"last_day\":\"%s\"}",
							 date_text(lo), date_text(hi));
			s->path = pstrdup(ep->path);
			s->body = body.data;
			s->consts = list_make1(psprintf("store_uuid=%s", (char *) lfirst(lc)));
			result = lappend(result, s);
		}
	}
	return result;
}

static const RfColumn rn_user_columns[] = {
	{"id", RF_UUID, NULL},
	{"type", RF_TEXT, NULL},
	{"name", RF_TEXT, NULL},
	{"email", RF_TEXT, NULL},
	{"disabled", RF_BOOL, NULL},
	{"user_profile_id", RF_UUID, NULL},
	{"location_profile_id", RF_UUID, NULL},
	{"location_ids", RF_JSONB, NULL},
	{"last_sign_in_at", RF_TIMESTAMPTZ, NULL},
	{"current_sign_in_at", RF_TIMESTAMPTZ, NULL},
	{"invitation_accepted", RF_BOOL, NULL},
	{"invitation_locale", RF_TEXT, NULL},
};

static const RfPushdown rn_user_pushdown[] = {
	{"type", RF_OP_EQ, "type", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, false},
	{"email", RF_OP_EQ | RF_OP_IN, "email", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, false},
};

static const RfColumn rn_user_profile_columns[] = {
	{"id", RF_UUID, NULL},
	{"name", RF_TEXT, NULL},
	{"enterprise_groups", RF_JSONB, NULL},
	{"use_idle_timeout", RF_BOOL, NULL},
	{"idle_timeout", RF_INT4, NULL},
	{"subscription_admin", RF_BOOL, NULL},
	{"visible_dashboard_widgets", RF_JSONB, NULL},
};

static const RfColumn rn_location_profile_columns[] = {
	{"id", RF_UUID, NULL},
	{"name", RF_TEXT, NULL},
	{"enterprise_groups", RF_JSONB, NULL},
	{"location_ids", RF_JSONB, NULL},
};

static const RfColumn rn_camera_columns[] = {
	{"device_id", RF_TEXT, NULL},
	{"device_name", RF_TEXT, NULL},
	{"type", RF_INT4, NULL},
	{"store_uuid", RF_UUID, NULL},
	{"appliance_id", RF_TEXT, NULL},
	{"vendor", RF_TEXT, NULL},
	{"model", RF_TEXT, NULL},
	{"private_ip", RF_TEXT, NULL},
	{"public_ip", RF_TEXT, NULL},
	{"last_heard", RF_TIMESTAMPTZ, NULL},
	{"serial_number", RF_TEXT, NULL},
	{"network_configuration", RF_JSONB, NULL},
	{"video_channel_uuids", RF_JSONB, NULL},
	{"video_channel_count", RF_INT4, NULL},
	{"configuration_summary", RF_JSONB, NULL},
	{"analytics", RF_JSONB, NULL},
	{"height", RF_INT4, NULL},
};

static const RfPushdown rn_store_uuid_query_pushdown[] = {
	{"store_uuid", RF_OP_EQ | RF_OP_IN, "store_uuid", NULL, NULL,
	RF_LOC_QUERY, RF_MULTI_SPLIT, false},
};

static const RfColumn rn_channel_columns[] = {
	{"channel_uuid", RF_UUID, NULL},
	{"name", RF_TEXT, NULL},
	{"device_id", RF_TEXT, NULL},
	{"resolution", RF_TEXT, NULL},
	{"frame_rate", RF_INT4, NULL},
	{"record_on_motion", RF_BOOL, NULL},
	/* the API spells it "maximun" */
	{"minimum_retention_days", RF_INT4, NULL},
	{"maximum_retention_days", RF_INT4, "maximun_retention_days"},
	{"blur_video", RF_BOOL, NULL},
	{"recording_enabled", RF_BOOL, NULL},
	{"snapshot_enabled", RF_BOOL, NULL},
	{"snapshot_interval_secs", RF_INT4, NULL},
	{"snapshot_resolution", RF_TEXT, NULL},
};

static const RfColumn rn_appliance_columns[] = {
	{"appliance_id", RF_TEXT, NULL},
	{"store_uuid", RF_UUID, NULL},
	{"mac_address", RF_TEXT, NULL},
	{"private_ip", RF_TEXT, NULL},
	{"public_ip", RF_TEXT, NULL},
	{"network_configuration", RF_JSONB, NULL},
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

#define COLS(c) .columns = c, .ncolumns = lengthof(c)
#define PUSH(p) .pushdown = p, .npushdown = lengthof(p)
#define REQ(r) .required = r, .nrequired = lengthof(r)

static const RfEndpoint rn_endpoints[] = {
	{
		.resource = "rn_locations",
		.method = "POST",
		.path = "/v2/location",
		.rows_path = "nodes[][]",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_location_columns),
		PUSH(rn_location_pushdown),
		.rows_per_request = 500,
		.write = &rn_location_write,
		.max_rows = RN_V2_CAP,
		.plan_series = rn_locations_plan,
	},
	{
		.resource = "rn_datamine",
		.method = "POST",
		.path = "/v2/datamine",
		.rows_path = "metrics[].data[].data[]",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_datamine_columns),
		PUSH(rn_datamine_pushdown),
		REQ(rn_datamine_required),
		.rows_per_request = 1000,
		.max_rows = RN_V2_CAP,
		.plan_series = rn_datamine_plan,
	},
	{
		.resource = "rn_store_hours",
		.method = "POST",
		.path = "/v1/storehours",
		.rows_path = "result.*.*",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_store_hours_columns),
		PUSH(rn_store_hours_pushdown),
		REQ(rn_store_hours_required),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_zone_transitions",
		.method = "POST",
		.path = "/v1/zone_transitions",
		.rows_path = "metrics[].data[].transitions[]",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_zone_transition_columns),
		PUSH(rn_zone_transition_pushdown),
		REQ(rn_zone_transition_required),
		.rows_per_request = 100,
		.plan_series = rn_zone_transitions_plan,
	},
	{
		.resource = "rn_fpa_zones",
		.method = "GET",
		.path = "/v1/fpafloorplans",
		.rows_path = "[].zones[]",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_fpa_zone_columns),
		PUSH(rn_fpa_zone_pushdown),
		.rows_per_request = 100,
		.plan_series = rn_fpa_zones_plan,
	},
	{
		.resource = "rn_health_alerts",
		.method = "POST",
		.path = "/v1/healthalerts",
		.rows_path = "result",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_health_alert_columns),
		PUSH(rn_health_alert_pushdown),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_predicted_traffic",
		.method = "POST",
		.path = "/v1/predictedtraffic",
		.rows_path = "predictions",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(rn_predicted_columns),
		PUSH(rn_predicted_pushdown),
		REQ(rn_predicted_required),
		.rows_per_request = 672,
		.max_concurrency = 3,
		.plan_series = rn_predicted_plan,
	},
	{
		.resource = "rn_users",
		.method = "GET",
		.path = "/v1/users",
		.rows_path = "users",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_user_columns),
		PUSH(rn_user_pushdown),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_user_profiles",
		.method = "GET",
		.path = "/v1/user_profiles",
		.rows_path = "user_profiles",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_user_profile_columns),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_location_profiles",
		.method = "GET",
		.path = "/v1/location_profiles",
		.rows_path = "location_profiles",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_HEADER_PAGING,
		COLS(rn_location_profile_columns),
		.rows_per_request = 100,
	},
	{
		.resource = "rn_cameras",
		.method = "GET",
		.path = "/v1/inventory/cameras",
		.rows_path = "cameras",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_TOKEN_PAGING,
		COLS(rn_camera_columns),
		PUSH(rn_store_uuid_query_pushdown),
		.rows_per_request = 100,
		.max_concurrency = 3,
	},
	{
		.resource = "rn_channels",
		.method = "GET",
		.path = "/v1/inventory/channels",
		.rows_path = "channels",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_TOKEN_PAGING,
		COLS(rn_channel_columns),
		.rows_per_request = 100,
		.max_concurrency = 3,
	},
	{
		.resource = "rn_appliances",
		.method = "GET",
		.path = "/v1/inventory/appliances",
		.rows_path = "store_appliances",
		.ok_field = "ok",
		.error_field = "error",
		.idempotent = true,
		.paging = RN_TOKEN_PAGING,
		COLS(rn_appliance_columns),
		.rows_per_request = 100,
		.max_concurrency = 3,
	},
};

const RfVendor rf_vendor_retailnext = {
	.name = "retailnext",
	.auth = RF_AUTH_BASIC,
	.endpoints = rn_endpoints,
	.nendpoints = lengthof(rn_endpoints),
	.check_path = "/v1/users",
};
