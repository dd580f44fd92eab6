/*-------------------------------------------------------------------------
 *
 * datamine.c
 *		  The request planner of rn_datamine, a hook (see RfPlanHook).
 *
 * Why a hook and not descriptor words: a datamine request's periods must
 * each be whole, so every request owns the periods that start on a run of
 * local days in the query's time zone, reaches one day before them and one
 * longest period after (a length that depends on the grain), and keeps
 * only the rows it owns with a filter on the period's start date; the
 * batches of locations and metrics and the length of the day runs are
 * sized together, per grain, so that no answer reaches the API's cap of
 * 10,000 entries (periods x locations x metrics) and no range the API's
 * 2- or 5-year limit; and the grain also picks the group_bys and the
 * nesting of the answer.  Those are one computation over several columns
 * and table options, not independent parameters, which is all that the
 * generic planner's words describe.
 *
 * Anchored grains are the exception: a weekday's value is summed over
 * the whole range asked, and periods of several weeks start at the week
 * holding its first day, so their rows depend on the range.  The range is
 * then itself a parameter (range_start, range_finish), sent as it is, once,
 * and shown on every row: a query over a wider range is another query.
 *
 * The descriptor (columns, pushdown, options) is in retailnext.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "option.h"
#include "reqplan.h"
#include "vendor.h"
#include "vendors/retailnext/retailnext.h"

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

/* The position of a column's entry in the pushdown table */
static int
pushdown_index(const RfEndpoint *ep, const char *column)
{
	const RfPushdown *pd = rf_pushdown_lookup(ep, column);

	if (pd == NULL)
		elog(ERROR, "rn_datamine has no pushdown entry for \"%s\"", column);
	return pd - ep->pushdown;
}

/*
 * A grain: its group_bys entry, how many periods a day holds (sub-day
 * grains) or how many days a period may span at most (calendar grains,
 * whose length depends on the subscription's calendar: a 4-5-4 retail
 * month has 5 weeks, a 53-week retail year 371 days).
 */
typedef struct RnGrain
{
	const char *name;
	const char *group_by;		/* NULL: day_of_week (below) */
	int			per_day;		/* periods a day (DST: one hour more) */
	int			max_days;		/* longest period, in days */
	bool		anchored;		/* its periods depend on the range asked */
} RnGrain;

/*
 * day_of_week is asked under a date group of one period as long as the
 * range ({"unit": "days", "value": <its days>}): the answer then says, in
 * that group's from and through, which days each weekday was summed over.
 */
static const RnGrain rn_grains[] = {
	{"15 minutes", "{\"group\":\"time\",\"unit\":\"minutes\",\"value\":15}", 100, 1},
	{"30 minutes", "{\"group\":\"time\",\"unit\":\"minutes\",\"value\":30}", 50, 1},
	{"hour", "{\"group\":\"time\",\"unit\":\"hours\",\"value\":1}", 25, 1},
	{"day", "{\"group\":\"date\",\"unit\":\"days\",\"value\":1}", 1, 1},
	{"week", "{\"group\":\"date\",\"unit\":\"weeks\",\"value\":1}", 0, 7},
	{"month", "{\"group\":\"date\",\"unit\":\"months\",\"value\":1}", 0, 35},
	{"year", "{\"group\":\"date\",\"unit\":\"years\",\"value\":1}", 0, 371},
	{"day_of_week", NULL, 0, 1, true},
	{"2 weeks", "{\"group\":\"date\",\"unit\":\"weeks\",\"value\":2}", 0, 14, true},
	{"3 weeks", "{\"group\":\"date\",\"unit\":\"weeks\",\"value\":3}", 0, 21, true},
	{"4 weeks", "{\"group\":\"date\",\"unit\":\"weeks\",\"value\":4}", 0, 28, true},
};

/*
 * The grain named in a query.  Names are matched exactly: the grain column
 * holds these spellings.  A query's other spellings never get here: they
 * are outside the grain's domain (rn_datamine_grains) and match no row,
 * as PostgreSQL would answer; the error guards the planner's own inputs.
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
			 errdetail("The grain column holds exactly one of: 15 minutes, 30 minutes, hour, day, week, month, year, day_of_week, 2 weeks, 3 weeks, 4 weeks."),
			 errhint("Write the grain in lower case, as listed.")));
	return NULL;				/* keep compiler quiet */
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

/* The instant a local day starts */
static TimestampTz
local_midnight(int julian, const char *zone)
{
	pg_tz	   *tz = zone_or_error(zone);
	struct pg_tm tm;
	TimestampTz t;
	int			tzoff;

	memset(&tm, 0, sizeof(tm));
	j2date(julian, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tzoff = DetermineTimeZoneOffset(&tm, tz);
	if (tm2timestamp(&tm, 0, &tzoff, &t) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return t;
}

/*
 * An instant as the API's gregorian value: ISO 8601 in UTC with a "Z",
 * which the document says means UTC.
 */
static char *
gregorian_utc(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The instant a local day starts, as a gregorian value */
static char *
local_midnight_utc(int julian, const char *zone)
{
	return gregorian_utc(local_midnight(julian, zone));
}

/* Periods a request over span_days local days may hold, at most */
static int64
periods_in(const RnGrain *g, int span_days)
{
	if (g->per_day > 0)
		return (int64) span_days * g->per_day;
	if (g->group_by == NULL)
		return 7;				/* day_of_week */
	return span_days / g->max_days + 2;
}

/*
 * Halve the batches of locations, then of metrics, until an answer of
 * span_days days of grain g stays under the v2 cap (or both are single)
 */
static void
fit_under_cap(const RnGrain *g, int span_days, int *nb, int *nm)
{
	while ((int64) *nb * *nm * periods_in(g, span_days) >= RN_V2_CAP)
	{
		if (*nb > 1)
			*nb = (*nb + 1) / 2;
		else if (*nm > 1)
			*nm = (*nm + 1) / 2;
		else
			break;
	}
}

/*
 * The requests of one grain in one time zone: batches of nb locations
 * and of nm metrics, chunks of chunk local days from first to last, in
 * that order (the chunks fastest).
 */
typedef struct DmGroup
{
	const RnGrain *g;
	const char *tz;
	const char *time_range;		/* "store_hours" or "hh:mm-hh:mm" */
	int			nb;				/* locations a request */
	int			nm;				/* metrics a request */
	int			chunk;			/* local days a request owns */
	int			first;			/* Julian days */
	int			last;
	int64		nchunks;
	int64		nmetric_batches;
	int64		count;			/* its series */
} DmGroup;

/* What the series are made from (RfSeriesPlan.state) */
typedef struct DmPlan
{
	const RfEndpoint *ep;
	const char *range_start;	/* anchored grains: the range asked */
	const char *range_finish;
	List	   *locations;
	List	   *metrics;
	DmGroup    *groups;
	int			ngroups;
} DmPlan;

/* The series at a position (RfSeriesMaker) */
static RfSeries *
datamine_make(const RfSeriesPlan *plan, int pos)
{
	const DmPlan *dp = plan->state;
	const RfEndpoint *ep = dp->ep;
	const DmGroup *grp = dp->groups;
	int64		rest = pos;
	int64		k;
	int			day;
	int			end;
	StringInfoData body;
	RfSeries   *s;

	while (rest >= grp->count)
		rest -= (grp++)->count;
	k = rest % grp->nchunks;
	rest /= grp->nchunks;
	day = grp->first + (int) k * grp->chunk;
	end = Min(day + grp->chunk, grp->last + 1);	/* owned: [day, end) */

	initStringInfo(&body);
	appendStringInfoString(&body, "{\"locations\":");
	append_json_array(&body, rf_list_piece(dp->locations, grp->nb,
										   rest / grp->nmetric_batches));
	appendStringInfoString(&body, ",\"metrics\":");
	append_json_array(&body, rf_list_piece(dp->metrics, grp->nm,
										   rest % grp->nmetric_batches));
	/*
	 * An anchored grain's range is sent as asked, to the last second of its
	 * last day: whether the API reads "to" as inclusive or not, the last
	 * 15-minute slot counted is then the one starting at 23:45 that day
	 */
	appendStringInfo(&body,
					 ",\"date_ranges\":[{\"from\":{\"gregorian\":\"%s\"},\"to\":{\"gregorian\":\"%s\"}}]",
					 local_midnight_utc(grp->g->anchored ? day : day - 1, grp->tz),
					 grp->g->anchored ?
					 gregorian_utc(local_midnight(end, grp->tz) - USECS_PER_SEC) :
					 local_midnight_utc(end + grp->g->max_days, grp->tz));
	if (strcmp(grp->time_range, "store_hours") == 0)
		appendStringInfoString(&body, ",\"time_ranges\":[{\"type\":\"store_hours\"}]");
	else
		appendStringInfo(&body, ",\"time_ranges\":[{\"from\":\"%.5s\",\"until\":\"%.5s\"}]",
						 grp->time_range, grp->time_range + 6);
	if (grp->g->group_by == NULL)
		appendStringInfo(&body, ",\"group_bys\":[{\"group\":\"location\",\"unit\":\"\",\"value\":1},"
						 "{\"group\":\"date\",\"unit\":\"days\",\"value\":%d},"
						 "{\"group\":\"day_of_week\",\"unit\":\"\",\"value\":1}]",
						 end - day);
	else if (grp->g->per_day > 1)
		appendStringInfo(&body, ",\"group_bys\":[{\"group\":\"location\",\"unit\":\"\",\"value\":1},"
						 "{\"group\":\"date\",\"unit\":\"days\",\"value\":1},%s]",
						 grp->g->group_by);
	else
		appendStringInfo(&body, ",\"group_bys\":[{\"group\":\"location\",\"unit\":\"\",\"value\":1},%s]",
						 grp->g->group_by);
	appendStringInfoString(&body, ",\"time_zone\":");
	escape_json(&body, grp->tz);
	appendStringInfoChar(&body, '}');

	s = palloc0(sizeof(RfSeries));
	s->path = pstrdup(ep->path);
	s->body = body.data;
	s->consts = list_make3(psprintf("grain=%s", grp->g->name),
						   psprintf("time_zone=%s", grp->tz),
						   psprintf("time_range=%s", grp->time_range));
	s->rows_path = (grp->g->per_day > 1 || grp->g->group_by == NULL) ?
		RN_DATAMINE_SUBDAY_ROWS : ep->rows_path;
	if (grp->g->anchored)
	{
		/* every row of the range asked is its own, none is cut away */
		s->consts = lappend(lappend(s->consts,
									psprintf("range_start=%s", dp->range_start)),
							psprintf("range_finish=%s", dp->range_finish));
		s->window_end = local_midnight(end + 1, grp->tz);
		return s;
	}
	s->keep_path = "@date:group.from.gregorian";
	s->keep_lo = julian_text(day);
	s->keep_hi = julian_text(end);

	/*
	 * Its request reaches to the start of local day end + max_days; one
	 * more day covers a "to" read as wall clock time rather than UTC.
	 */
	s->window_end = local_midnight(end + grp->g->max_days + 1, grp->tz);
	return s;
}

/*
 * Does [first, last] (Julian days) stay within the API's limit of years
 * (the day after last no later than first plus that many years)?
 */
static bool
range_within_years(int first, int last, int years)
{
	int			y,
				m,
				d;

	j2date(first, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return last + 1 <= date2j(y + years, m, d);
}

/*
 * rn_datamine: one series per grain, time zone, time range, batch of
 * locations, batch of metrics and chunk of local days.
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
 *
 * An anchored grain (day_of_week, 2 to 4 weeks) asks for range_start to
 * range_finish exactly, in one request a batch, and keeps every row: its
 * periods are the range's.  The other grains' rows show no range, so a
 * query naming one matches none of them.
 *
 * The plan keeps one group per grain, time zone and time range; each
 * series is made from its group when the scan reaches it (datamine_make).
 */
RfSeriesPlan *
rf_rn_datamine_plan(const RfOptions *opts, List *qualvals, bool *empty)
{
	const RfEndpoint *ep = opts->endpoint;
	RfFilter   *f = palloc0(sizeof(RfFilter) * ep->npushdown);
	RfFilter   *loc_f = &f[pushdown_index(ep, "location_uuid")];
	RfFilter   *metric_f = &f[pushdown_index(ep, "metric")];
	RfFilter   *period_f = &f[pushdown_index(ep, "period_start")];
	RfFilter   *grain_f = &f[pushdown_index(ep, "grain")];
	RfFilter   *tz_f = &f[pushdown_index(ep, "time_zone")];
	RfFilter   *tr_f = &f[pushdown_index(ep, "time_range")];
	RfFilter   *rs_f = &f[pushdown_index(ep, "range_start")];
	RfFilter   *rf_f = &f[pushdown_index(ep, "range_finish")];
	DmPlan	   *dp = palloc0(sizeof(DmPlan));
	const char *opt;
	int			batch = ep->pushdown[pushdown_index(ep, "location_uuid")].batch;
	const char *default_tz;
	const char *hours;
	List	   *grains;
	List	   *zones;
	List	   *time_ranges;
	ListCell   *lg;
	ListCell   *lz;
	ListCell   *lt;
	bool		ranged;
	int			range_first = 0;
	int			range_last = -1;
	int			nloc;
	int			nmetrics;
	int64		npositions = 0;

	*empty = !rf_fold_filters(ep, qualvals, f);
	if (*empty)
		return NULL;
	if ((opt = rf_table_option(opts, "datamine_batch")) != NULL)
		batch = pg_strtoint32(opt);
	default_tz = rf_table_option(opts, "time_zone");
	grains = (*grain_f).has_values ? (*grain_f).values :
		list_make1(pstrdup(rf_table_option(opts, "grain") ? rf_table_option(opts, "grain") : "day"));
	zones = (*tz_f).has_values ? (*tz_f).values :
		list_make1(pstrdup(default_tz ? default_tz : "UTC"));

	/*
	 * Without a time_range the table option hours says which: its rows
	 * show what was sent, as grain and time_zone do
	 */
	hours = rf_table_option(opts, "hours");
	time_ranges = (*tr_f).has_values ? (*tr_f).values :
		list_make1(pstrdup(hours && pg_strcasecmp(hours, "all_day") == 0 ?
						   "00:00-24:00" : "store_hours"));

	/* the range of the anchored grains: local days of each time zone */
	ranged = (*rs_f).has_values || (*rf_f).has_values;
	if (ranged)
	{
		if (!(*rs_f).has_values || !(*rf_f).has_values)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
					 errmsg("rn_datamine needs both range_start and range_finish, or neither"),
					 errdetail("They are the date range asked of the API for the grains whose periods depend on it (day_of_week, 2 weeks, 3 weeks, 4 weeks), its first and its last day."),
					 errhint("Add range_start = '2021-02-01' AND range_finish = '2021-02-28'.")));
		dp->range_start = linitial((*rs_f).values);
		dp->range_finish = linitial((*rf_f).values);
		range_first = (int) (*rs_f).lower + POSTGRES_EPOCH_JDATE;
		range_last = (int) (*rf_f).lower + POSTGRES_EPOCH_JDATE;
	}
	nloc = list_length((*loc_f).values);
	nmetrics = list_length((*metric_f).values);

	dp->ep = ep;
	dp->locations = (*loc_f).values;
	dp->metrics = (*metric_f).values;
	dp->groups = palloc0(sizeof(DmGroup) * list_length(grains) * list_length(zones) *
						 list_length(time_ranges));

	foreach(lg, grains)
	{
		const RnGrain *g = lookup_grain(lfirst(lg));
		int			pad_after = g->max_days;
		int			nb = Max(1, Min(batch, nloc));
		int			nm = Max(1, nmetrics);
		int			chunk;

		if (g->anchored && !ranged)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
					 errmsg("grain \"%s\" of rn_datamine needs range_start and range_finish", g->name),
					 errdetail("Its rows depend on the date range asked of the API: a weekday is summed over the whole range, and periods of several weeks start at the week holding its first day."),
					 errhint("Add range_start = '2021-02-01' AND range_finish = '2021-02-28' (local days in time_zone, both included).")));

		if (g->anchored)
		{
			/*
			 * One request a batch over the whole range, as asked: the API
			 * refuses more than 5 years for one location and 2 for several
			 */
			if (range_last < range_first)
				continue;		/* the API refuses it: no such rows */
			if (!range_within_years(range_first, range_last, 5))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("rn_datamine's range from %s to %s is longer than the API answers",
								dp->range_start, dp->range_finish),
						 errdetail("RetailNext's datamine answers at most 5 years for one location, 2 years for several."),
						 errhint("Ask for a shorter range (range_start, range_finish).")));
			if (!range_within_years(range_first, range_last, 2))
				nb = 1;
			fit_under_cap(g, range_last - range_first + 1, &nb, &nm);
			chunk = range_last - range_first + 1;
		}
		else if (ranged)
			continue;			/* its rows show no range: none matches */
		else
		{
			/* a request owning one day spans 1 + 1 + pad_after days */
			fit_under_cap(g, 2 + pad_after, &nb, &nm);

			/* the longest chunk under the range limit and the entry cap */
			chunk = (nb == 1 ? 5 * 365 : 2 * 365) - 1 - pad_after;
			while (chunk > 1 &&
				   (int64) nb * nm * periods_in(g, chunk + 1 + pad_after) >= RN_V2_CAP)
				chunk = chunk * 3 / 4;
			chunk = Max(chunk, 1);
		}

		foreach(lz, zones)
		{
			foreach(lt, time_ranges)
			{
				DmGroup    *grp = &dp->groups[dp->ngroups++];

				grp->g = g;
				grp->tz = lfirst(lz);
				grp->time_range = lfirst(lt);
				grp->nb = nb;
				grp->nm = nm;
				grp->chunk = chunk;
				if (g->anchored)
				{
					grp->first = range_first;
					grp->last = range_last;
				}
				else
				{
					grp->first = local_julian((*period_f).lower, grp->tz);
					grp->last = local_julian((*period_f).upper, grp->tz);
				}

				/*
				 * Sub-day periods are grouped under their store day, and
				 * store hours may cross midnight ("+01:00" is the next
				 * morning, "-22:00" the evening before): the store days on
				 * either side of the range may hold periods inside it.
				 */
				if (g->per_day > 1)
				{
					grp->first--;
					grp->last++;
				}
				grp->nchunks = grp->first <= grp->last ?
					(grp->last - grp->first) / chunk + 1 : 0;
				grp->nmetric_batches = rf_list_npieces(dp->metrics, nm);
				grp->count = rf_list_npieces(dp->locations, nb) *
					grp->nmetric_batches * grp->nchunks;
				npositions += grp->count;
			}
		}
	}
	return rf_series_plan_new(opts, npositions, datamine_make, dp);
}
