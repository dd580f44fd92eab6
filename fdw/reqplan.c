/*-------------------------------------------------------------------------
 *
 * reqplan.c
 *		  The request planner: the request series a scan makes, from the
 *		  evaluated values of its pushed quals and the endpoint's descriptor.
 *
 * rf_apply_domains first takes out every value outside its parameter's
 * domain (RfDomain), so that none is ever sent.  rf_plan_series folds the
 * values of each pushed column (rf_fold_filters) and reads the
 * descriptor's words for where and how they travel: query
 * parameters, body paths ("where.and[].uuids"), path segments (a path of
 * its own per value), one series per value or a repeated list, lists in
 * batches, ranges in windows or in chunks of UTC days within the days an
 * API serves, bounds padded where the API's reading is uncertain, values
 * that become constants of their rows, and table options sent in the
 * body.  The series are the cartesian product of the split dimensions,
 * numbered: the plan (RfSeriesPlan) keeps the dimensions -- a range and
 * its window width, a list and its batch size -- and makes the series at
 * a position when the scan reaches it, so that planning a thousand
 * windows costs what planning one does.  An endpoint with a planning hook
 * (see RfPlanHook) plans its own series.
 *
 * Not here: how a series is spelt into a request (reqencode.c), which
 * quals push down (pushdown.c), HTTP (http.c), JSON
 * (json.c), FDW callbacks (retail_fdw.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "reqplan.h"
#include "reqencode.h"
#include "netpolicy.h"
#include "option.h"
#include "param.h"
#include "vendor.h"

/* ----------------------------------------------------------------
 *		Values
 * ----------------------------------------------------------------
 */

static char *
format_timestamp(Timestamp ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(ts) ||
		timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0 || tm.tm_year < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for a vendor API filter"),
				 errhint("Use finite timestamps in years 1 to 9999.")));
	if (fsec != 0)
		return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
						tm.tm_year, tm.tm_mon, tm.tm_mday,
						tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ",
					tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * A value as the APIs spell it: timestamps in ISO 8601 UTC, dates as
 * YYYY-MM-DD, booleans as JSON's true and false, the rest in PostgreSQL's
 * text form.
 */
char *
rf_format_value(Datum value, Oid typid)
{
	Oid			outfunc;
	bool		isvarlena;

	switch (typid)
	{
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			return format_timestamp(DatumGetTimestamp(value));
		case DATEOID:
			{
				int			y,
							m,
							d;

				if (DATE_NOT_FINITE(DatumGetDateADT(value)))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("date out of range for a vendor API filter")));
				j2date(DatumGetDateADT(value) + POSTGRES_EPOCH_JDATE, &y, &m, &d);
				return psprintf("%04d-%02d-%02d", y, m, d);
			}
		case BOOLOID:
			return pstrdup(DatumGetBool(value) ? "true" : "false");
		default:
			getTypeOutputInfo(typid, &outfunc, &isvarlena);
			return OidOutputFunctionCall(outfunc, value);
	}
}

/* Ordered types whose values map onto int64, so bounds can be compared */
static bool
ordinal_key(Datum value, Oid typid, int64 *key)
{
	switch (typid)
	{
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			*key = DatumGetTimestamp(value);
			return !TIMESTAMP_NOT_FINITE(*key);
		case DATEOID:
			*key = DatumGetDateADT(value);
			return !DATE_NOT_FINITE((DateADT) *key);
		case INT2OID:
			*key = DatumGetInt16(value);
			return true;
		case INT4OID:
			*key = DatumGetInt32(value);
			return true;
		case INT8OID:
			*key = DatumGetInt64(value);
			return true;
		default:
			return false;
	}
}

static Datum
ordinal_datum(int64 key, Oid typid)
{
	switch (typid)
	{
		case DATEOID:
			return DateADTGetDatum((DateADT) key);
		case INT2OID:
			return Int16GetDatum((int16) key);
		case INT4OID:
			return Int32GetDatum((int32) key);
		default:
			return Int64GetDatum(key);
	}
}

/* ----------------------------------------------------------------
 *		Domains
 * ----------------------------------------------------------------
 */

static char *
domain_words(const RfDomain *d)
{
	char		buf[512];

	rf_domain_text(d, buf, sizeof(buf));
	return pstrdup(buf);
}

/* Whether an ordinal bound lies within an integer domain's range */
static bool
bound_in_domain(const RfDomain *d, int64 key)
{
	return d->kind != RF_DOM_INTEGER ||
		((!d->has_min || key >= d->min) && (!d->has_max || key <= d->max));
}

/*
 * The evaluated quals with every value outside its parameter's domain
 * (RfDomain) taken out, so that none is ever sent: the API would refuse
 * it, and its field holds no such value.  "=" with such a value, or an IN
 * list left empty, matches no row: *empty, and no request at all.  A bound
 * outside an integer domain is not sent (a wider request; the executor
 * rechecks every qual).  Each decision is added to *notes for EXPLAIN.
 * Called for every run of a scan, so a Param's value (a prepared
 * statement's, a join's) is checked like a constant's.
 */
List *
rf_apply_domains(const RfEndpoint *ep, List *qualvals, List **notes,
				 bool *empty)
{
	List	   *result = NIL;
	ListCell   *lc;

	*empty = false;
	foreach(lc, qualvals)
	{
		RfQualValue *qv = lfirst(lc);
		const RfPushdown *pd = &ep->pushdown[qv->pd_index];
		RfDomain	d = rf_pushdown_domain(ep, pd);
		int64		key;

		if (qv->isnull || qv->placeholder || d.kind == RF_DOM_TEXT ||
			(qv->op & (RF_OP_DAY | RF_OP_SPAN)))
		{
			result = lappend(result, qv);
			continue;
		}
		if (qv->op & (RF_OP_EQ | RF_OP_IN))
		{
			List	   *kept = NIL;
			StringInfoData dropped;
			ListCell   *lv;

			initStringInfo(&dropped);
			foreach(lv, qv->values)
			{
				if (rf_domain_admits(&d, lfirst(lv)))
					kept = lappend(kept, lfirst(lv));
				else
					appendStringInfo(&dropped, "%s%s", dropped.len ? ", " : "",
									 quote_literal_cstr(lfirst(lv)));
			}
			if (dropped.len > 0)
			{
				RfQualValue *copy = palloc(sizeof(RfQualValue));

				*notes = lappend(*notes,
								 psprintf(qv->op == RF_OP_IN ? "%s IN (%s): %s, %s" : "%s = %s: %s, %s",
										  pd->column, dropped.data, domain_words(&d),
										  kept == NIL ? "no row can match" :
										  "dropped from the list"));
				if (kept == NIL)
				{
					*empty = true;
					return NIL;
				}
				*copy = *qv;
				copy->values = kept;
				qv = copy;
			}
			result = lappend(result, qv);
			continue;
		}
		/* a bound: outside an integer range, it is not sent */
		if (d.kind == RF_DOM_INTEGER && ordinal_key(qv->value, qv->typid, &key) &&
			!bound_in_domain(&d, key))
		{
			*notes = lappend(*notes,
							 psprintf("%s %s %s: %s, bound not sent (the executor filters)",
									  pd->column, rf_op_name(qv->op),
									  (char *) linitial(qv->values), domain_words(&d)));
			continue;
		}
		result = lappend(result, qv);
	}
	return result;
}

/* ----------------------------------------------------------------
 *		Folding the values of each column
 * ----------------------------------------------------------------
 */

static List *
intersect_values(List *a, List *b)
{
	List	   *result = NIL;
	ListCell   *la,
			   *lb;

	foreach(la, a)
		foreach(lb, b)
			if (strcmp(lfirst(la), lfirst(lb)) == 0)
			{
				result = lappend(result, lfirst(la));
				break;
			}
	return result;
}

static List *
distinct_values(List *values)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, values)
	{
		ListCell   *lr;
		bool		seen = false;

		foreach(lr, result)
			seen |= strcmp(lfirst(lr), lfirst(lc)) == 0;
		if (!seen)
			result = lappend(result, lfirst(lc));
	}
	return result;
}

/*
 * A required time range given only its lower bound reads up to now (the
 * transaction's start), or up to the endpoint's horizon for data about the
 * future: "event_start >= now() - interval '1 day'" means the last day.
 * EXPLAIN shows the bound in the requests.  False when nothing is left.
 */
static bool
default_upper_bounds(const RfEndpoint *ep, RfFilter *f)
{
	for (int i = 0; i < ep->nrequired; i++)
	{
		const RfRequired *req = &ep->required[i];
		const RfPushdown *pd = rf_pushdown_lookup(ep, req->column);
		RfFilter   *cf;
		TimestampTz now = GetCurrentTransactionStartTimestamp();

		if (req->kind != RF_REQ_RANGE || pd == NULL)
			continue;
		cf = &f[pd - ep->pushdown];
		if (!cf->has_lower || cf->has_upper || cf->lower_text != NULL)
			continue;
		if (pd->horizon_last > 0)
			now += (int64) pd->horizon_last * USECS_PER_DAY;
		if (cf->typid == TIMESTAMPTZOID || cf->typid == TIMESTAMPOID)
			cf->upper = now;
		else if (cf->typid == DATEOID)
			cf->upper = DatumGetDateADT(DirectFunctionCall1(timestamptz_date,
															TimestampTzGetDatum(now)));
		else
			continue;
		cf->has_upper = true;
		if (cf->lower > cf->upper)
			return false;
	}
	return true;
}

/* Today's date in the session's time zone, as of the transaction's start */
DateADT
rf_today(void)
{
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date,
											   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())));
}

/*
 * The quals of whole local days on a date or time range column: from the
 * start of day first to the start of day end (exclusive), or up to now when
 * end is 0 -- appended to values.  For reads of recent days without a
 * range of the query's own: LIMIT previews and ANALYZE's window.
 */
List *
rf_day_bounds(const RfEndpoint *ep, int pd_index, List *values,
			  DateADT first, DateADT end)
{
	const RfColumn *col = rf_column_lookup(ep, ep->pushdown[pd_index].column);
	bool		date = (col && col->type == RF_DATE);
	RfQualValue *lower = palloc0(sizeof(RfQualValue));
	RfQualValue *upper;

	lower->pd_index = pd_index;
	lower->op = RF_OP_GE;
	lower->typid = date ? DATEOID : TIMESTAMPTZOID;
	lower->value = date ? DateADTGetDatum(first) :
		DirectFunctionCall1(date_timestamptz, DateADTGetDatum(first));
	lower->values = list_make1(rf_format_value(lower->value, lower->typid));
	values = lappend(list_copy(values), lower);
	if (end == 0)
		return values;			/* up to now (default_upper_bounds) */
	upper = palloc0(sizeof(RfQualValue));
	*upper = *lower;
	upper->op = date ? RF_OP_LE : RF_OP_LT;
	upper->value = date ? DateADTGetDatum(end - 1) :
		DirectFunctionCall1(date_timestamptz, DateADTGetDatum(end));
	upper->values = list_make1(rf_format_value(upper->value, upper->typid));
	return lappend(values, upper);
}

/*
 * Fold the evaluated quals into one filter per pushdown column.  Returns
 * false when they cannot match anything (a NULL, an empty IN list, or an
 * empty range): then no request is needed at all.
 */
bool
rf_fold_filters(const RfEndpoint *ep, List *qualvals, RfFilter *f)
{
	ListCell   *lc;

	foreach(lc, qualvals)
	{
		RfQualValue *qv = lfirst(lc);
		RfFilter   *cf = &f[qv->pd_index];
		int64		key;
		bool		ordinal;

		if (qv->isnull)
			return false;
		if (qv->op == RF_OP_DAY)
		{
			/* the local day d: [d 00:00, d+1 00:00) in the session's zone */
			DateADT		d = DatumGetDateADT(qv->value);
			int64		lo = DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz,
																	 DateADTGetDatum(d)));
			int64		hi = DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz,
																	 DateADTGetDatum(d + 1))) - 1;

			cf->typid = TIMESTAMPTZOID;
			cf->lower = cf->has_lower ? Max(cf->lower, lo) : lo;
			cf->upper = cf->has_upper ? Min(cf->upper, hi) : hi;
			cf->has_lower = cf->has_upper = true;
			if (cf->lower > cf->upper)
				return false;
			continue;
		}

		if (qv->op == RF_OP_SPAN)
		{
			/* date_trunc(unit, col) = v: [v, v + 1 unit) */
			int64		lo,
						hi;

			if (!ordinal_key(qv->value, qv->typid, &lo) ||
				!ordinal_key(qv->value_end, qv->typid, &hi))
				return false;	/* infinite: date_trunc returns no such v */
			cf->typid = qv->typid;
			cf->lower = cf->has_lower ? Max(cf->lower, lo) : lo;
			cf->upper = cf->has_upper ? Min(cf->upper, hi - 1) : hi - 1;
			cf->has_lower = cf->has_upper = true;
			if (cf->lower > cf->upper)
				return false;
			continue;
		}

		cf->typid = qv->typid;

		if (qv->op == RF_OP_IN ||
			(qv->op == RF_OP_EQ && ep->pushdown[qv->pd_index].param != NULL))
		{
			List	   *vals = distinct_values(qv->values);

			cf->values = cf->has_values ? intersect_values(cf->values, vals) : vals;
			cf->has_values = true;
			if (cf->values == NIL)
				return false;
			if (qv->op == RF_OP_IN)
				continue;
		}

		/* single-valued: a bound (= is both bounds) */
		ordinal = ordinal_key(qv->value, qv->typid, &key);
		if (!ordinal)
		{
			char	   *text = rf_format_value(qv->value, qv->typid);

			if (qv->op & (RF_OP_EQ | RF_OP_GT | RF_OP_GE))
				cf->lower_text = cf->lower_text ? cf->lower_text : text;
			if (qv->op & (RF_OP_EQ | RF_OP_LT | RF_OP_LE))
				cf->upper_text = cf->upper_text ? cf->upper_text : text;
			cf->has_lower |= (qv->op & (RF_OP_EQ | RF_OP_GT | RF_OP_GE)) != 0;
			cf->has_upper |= (qv->op & (RF_OP_EQ | RF_OP_LT | RF_OP_LE)) != 0;
			continue;
		}
		/* strict bounds become inclusive: exact for integral keys */
		if (qv->op & (RF_OP_EQ | RF_OP_GT | RF_OP_GE))
		{
			int64		lo = (qv->op == RF_OP_GT) ? key + 1 : key;

			cf->lower = cf->has_lower ? Max(cf->lower, lo) : lo;
			cf->has_lower = true;
		}
		if (qv->op & (RF_OP_EQ | RF_OP_LT | RF_OP_LE))
		{
			int64		hi = (qv->op == RF_OP_LT) ? key - 1 : key;

			cf->upper = cf->has_upper ? Min(cf->upper, hi) : hi;
			cf->has_upper = true;
		}
		if (cf->has_lower && cf->has_upper && cf->lower > cf->upper)
			return false;
	}
	return default_upper_bounds(ep, f);
}

char *
rf_filter_bound_text(RfFilter *cf, bool upper)
{
	if (upper ? cf->upper_text : cf->lower_text)
		return upper ? cf->upper_text : cf->lower_text;
	return rf_format_value(ordinal_datum(upper ? cf->upper : cf->lower,
										 cf->typid), cf->typid);
}

/*
 * Widen the bounds of a date or timestamp filter by some days on each
 * side.  For a vendor's send_range hook where a document leaves open
 * whether the API reads a bound as inclusive, or in UTC or local days:
 * the rows a wider request adds are removed by the executor's recheck,
 * the rows a narrower one loses would be gone for good.
 */
void
rf_filter_widen(RfFilter *cf, int days)
{
	int64		unit;

	if (cf->lower_text || cf->upper_text)
		return;
	if (cf->typid == DATEOID)
		unit = 1;
	else if (cf->typid == TIMESTAMPTZOID || cf->typid == TIMESTAMPOID)
		unit = USECS_PER_DAY;
	else
		return;
	/* stay far from the ends of the types' ranges */
	if (cf->has_lower && cf->lower > PG_INT64_MIN / 2)
		cf->lower -= days * unit;
	if (cf->has_upper && cf->upper < PG_INT64_MAX / 2)
		cf->upper += days * unit;
}

/*
 * The window size of window ranges (RfPushdown.window) in microseconds, or
 * 0 for no splitting: the table option "window", else RF_DEFAULT_WINDOW
 */
int64
rf_window_usecs(const RfOptions *opts)
{
	const char *w = opts->window ? opts->window : RF_DEFAULT_WINDOW;
	Interval   *iv;

	if (w == NULL || pg_strcasecmp(w, "none") == 0)
		return 0;
	iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(w),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
	return (int64) iv->day * USECS_PER_DAY + iv->time;
}

/*
 * One dimension of the series product: a parameter with alternative
 * values (split IN values, batches of a list), or a pair of parameters
 * (windows, chunks of days).  A dimension keeps what its positions are
 * made from, never the positions: a range of a thousand windows is its
 * bounds and the windows' width, a list in batches the list.
 */
typedef enum DimensionKind
{
	DIM_VALUES,					/* pd->param: pieces of a list */
	DIM_WINDOWS,				/* lower_param, upper_param: time windows */
	DIM_DAYS					/* lower_param, upper_param: chunks of days */
} DimensionKind;

typedef struct Dimension
{
	const RfPushdown *pd;
	DimensionKind kind;
	int64		count;			/* its positions */
	/* DIM_VALUES: pieces of at most piece values of values */
	List	   *values;
	int			piece;
	/* DIM_WINDOWS: [lower, upper] cut at multiples of width from start */
	int64		lower;
	int64		upper;
	int64		start;
	int64		width;
	Oid			typid;
	/* DIM_DAYS: first..last in chunks, before each store's own clipping */
	int64		first;
	int64		last;
} Dimension;

/*
 * Where an inclusive upper bound of a time column ends, as a UTC instant
 * (exclusive); 0 when the column is not a date or timestamp.  A timestamp
 * without time zone is sent as UTC, so it is read as one.
 */
static TimestampTz
bound_end(int64 upper, Oid typid)
{
	if (typid == TIMESTAMPTZOID || typid == TIMESTAMPOID)
		return upper + 1;
	if (typid == DATEOID)
		return (upper + 1) * USECS_PER_DAY;
	return 0;
}

/* The earlier of two window ends, 0 meaning none */
static TimestampTz
earlier_end(TimestampTz a, TimestampTz b)
{
	if (a == 0 || (b != 0 && b < a))
		return b;
	return a;
}

/*
 * How many pieces of size (windows of a width, chunks of days) cover span,
 * the distance from the first's start to the last value
 */
static int64
pieces_over(int64 span, int64 size)
{
	return span / size + 1;
}

/* Windows over [lo, hi], aligned to multiples of the window size */
static void
make_windows(RfFilter *cf, int64 width, Dimension *dim)
{
	int64		span;

	dim->kind = DIM_WINDOWS;
	dim->lower = cf->lower;
	dim->upper = cf->upper;
	dim->width = width;
	dim->typid = cf->typid;
	dim->start = cf->lower - ((cf->lower % width) + width) % width;
	if (pg_sub_s64_overflow(cf->upper, dim->start, &span))
		span = PG_INT64_MAX;
	dim->count = pieces_over(span, width);
}

/* Window k of a dimension: its inclusive bounds */
static void
window_bounds(const Dimension *dim, int64 k, int64 *lo, int64 *hi)
{
	int64		ws = dim->start + k * dim->width;

	*lo = Max(dim->lower, ws);
	*hi = Min(dim->upper, ws + dim->width - 1);
}

/* The UTC day (days since the PostgreSQL epoch) of an ordinal bound */
static int64
bound_day(int64 key, Oid typid)
{
	int64		day;

	if (typid == DATEOID)
		return key;
	day = key / USECS_PER_DAY;
	if (key < 0 && key % USECS_PER_DAY != 0)
		day--;
	return day;
}

static char *
day_text(int64 day)
{
	return rf_format_value(DateADTGetDatum((DateADT) day), DATEOID);
}

/*
 * A range sent as dates in chunks of at most chunk_days days.  The bounds
 * become the UTC days that hold them, as the vendor's send_range hook
 * widens them (after the check of the first day below), and are clipped
 * to the days the API serves (today + horizon_first to today +
 * horizon_last).  A range that starts before the first day any store
 * may serve is an error rather than a quietly empty answer: it can only
 * be a mistake.  Returns false when no served day is left.
 *
 * The days served follow the store's own today: late in the UTC day a
 * store east of UTC is already on UTC's tomorrow (a first_day of UTC's
 * tomorrow is refused: "first_day must be in the future"), early in it a
 * store west of UTC still serves UTC's today.  When the stores' zones are
 * known (opts->zones), the chunks here reach one day further on each side
 * and each series is clipped to its own store's days (clip_store_days);
 * a store whose zone is unknown keeps UTC's.
 */
static bool
make_day_chunks(const RfOptions *opts, const RfPushdown *pd, RfFilter *cf,
				Dimension *dim)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	int64		today = bound_day(now, TIMESTAMPTZOID);
	int64		first = bound_day(cf->lower, cf->typid);
	int64		last = bound_day(cf->upper, cf->typid);

	/*
	 * Under the wall clock reading the stores' zones will be known: a
	 * range may start on UTC's today, already the tomorrow of a store east
	 * of UTC.
	 */
	if (pd->horizon_last > 0 &&
		first < today + pd->horizon_first - (rf_wall_clock_reading(opts) ? 1 : 0))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("%s covers future days only", opts->endpoint->resource),
				 errdetail("The range on \"%s\" starts on %s; the first day %s serves is %s.",
						   pd->column, day_text(first), opts->vendor->name,
						   day_text(today + pd->horizon_first)),
				 errhint("Use a range from %d to %d days ahead, such as WHERE %s >= current_date + %d AND %s < current_date + %d.",
						 pd->horizon_first, pd->horizon_last, pd->column,
						 pd->horizon_first, pd->column,
						 pd->horizon_first + pd->chunk_days)));
	if (RF_EP_HOOK(opts->endpoint, send_range))
	{
		opts->endpoint->hooks->send_range(opts->endpoint, pd, cf);
		first = bound_day(cf->lower, cf->typid);
		last = bound_day(cf->upper, cf->typid);
	}
	if (pd->horizon_last > 0)
	{
		/* with the zones known, the days any store may serve (see below) */
		int			slack = opts->zones != NIL ? 1 : 0;

		first = Max(first, today + pd->horizon_first - slack);
		last = Min(last, today + pd->horizon_last + slack);
	}
	if (first > last)
		return false;
	dim->kind = DIM_DAYS;
	dim->first = first;
	dim->last = last;
	dim->count = pieces_over(last - first, pd->chunk_days);
	return true;
}

/* Chunk k of a dimension of days: its first and last day */
static void
chunk_days(const Dimension *dim, int64 k, int64 *days)
{
	days[0] = dim->first + k * dim->pd->chunk_days;
	days[1] = Min(days[0] + dim->pd->chunk_days - 1, dim->last);
}

/* A list in pieces of at most size values (size 0: one piece) */
static void
make_pieces(List *values, int size, Dimension *dim)
{
	dim->kind = DIM_VALUES;
	dim->values = values;
	dim->piece = size;
	dim->count = rf_list_npieces(values, size);
}

/* How many pieces of at most size values a list makes (size 0: one) */
int64
rf_list_npieces(List *values, int size)
{
	if (size <= 0)
		return 1;
	return (list_length(values) + size - 1) / size;
}

/* Piece k of a list cut into pieces of at most size values (size 0: all) */
List *
rf_list_piece(List *values, int size, int64 k)
{
	List	   *piece = NIL;
	int			end;

	if (size <= 0)
		return values;
	end = (int) Min((int64) list_length(values), (k + 1) * size);
	for (int i = (int) (k * size); i < end; i++)
		piece = lappend(piece, list_nth(values, i));
	return piece;
}

/*
 * The request series a scan makes, from the evaluated pushed quals: a
 * plan that makes each series when asked.  *empty is set (and NULL
 * returned) when the quals cannot match any row: no request at all.
 * Endpoints with a planning hook use it.
 */
RfSeriesPlan *
rf_plan_series(const RfOptions *opts, List *qualvals, bool *empty)
{
	RfSeriesPlan *plan;
	MemoryContext scratch;
	MemoryContext old;

	if (RF_EP_HOOK(opts->endpoint, plan_series))
		plan = opts->endpoint->hooks->plan_series(opts, qualvals, empty);
	else
		plan = rf_plan_series_generic(opts, qualvals, empty);
	if (*empty)
		return NULL;

	/*
	 * The first and the last series are made here once and forgotten: a
	 * bound no request can spell lies at an end of its range, and is
	 * refused before any request, as when every series was made up front.
	 */
	scratch = AllocSetContextCreate(CurrentMemoryContext,
									"retail_fdw series check",
									ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(scratch);
	if (plan->npositions > 0)
	{
		(void) rf_series_make(plan, 0);
		(void) rf_series_make(plan, plan->npositions - 1);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(scratch);
	return plan;
}

/*
 * A plan of npositions series, made by make from state.  A scan numbers
 * its series with 32 bits (the counter a parallel scan shares): a query
 * that would make more is refused before any request.
 */
RfSeriesPlan *
rf_series_plan_new(const RfOptions *opts, int64 npositions, RfSeriesMaker make,
				   const void *state)
{
	RfSeriesPlan *plan = palloc0(sizeof(RfSeriesPlan));

	if (npositions > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a scan of %s would make more than %d request series",
						opts->endpoint->resource, PG_INT32_MAX),
				 errhint("Narrow the range, or make its windows wider with the table option \"window\".")));
	plan->npositions = (int) npositions;
	plan->nseries = (int) npositions;
	plan->make = make;
	plan->state = state;
	return plan;
}

/*
 * The series at a position of a plan, made in the current memory context
 * with the plan's own query parameters last; NULL when the position makes
 * none.
 */
RfSeries *
rf_series_make(const RfSeriesPlan *plan, int pos)
{
	RfSeries   *series;

	Assert(pos >= 0 && pos < plan->npositions);
	series = plan->make(plan, pos);
	if (series && plan->query != NIL)
		series->query = list_concat(series->query, plan->query);
	return series;
}

/*
 * The first n series of a plan (NULL: none), made in the current memory
 * context: what EXPLAIN shows.
 */
List *
rf_series_first(const RfSeriesPlan *plan, int n)
{
	List	   *result = NIL;

	for (int pos = 0; plan && pos < plan->npositions && list_length(result) < n; pos++)
	{
		RfSeries   *series = rf_series_make(plan, pos);

		if (series)
			result = lappend(result, series);
		CHECK_FOR_INTERRUPTS();
	}
	return result;
}

/*
 * Whether the API filters by every = / IN value of a parameter with a list
 * of the values it filters by (values outside the domain are gone by now:
 * rf_apply_domains).  If one is not on the list, the parameter is not sent
 * and the executor filters alone.
 */
static bool
values_accepted(const RfPushdown *pd, const RfFilter *cf)
{
	ListCell   *lc;

	if (pd->accepted == NULL)
		return true;
	foreach(lc, cf->values)
	{
		const char *v = lfirst(lc);
		const char *const *a;

		for (a = pd->accepted; *a; a++)
			if (strcmp(*a, v) == 0)
				break;
		if (*a == NULL)
			return false;
	}
	return true;
}

/*
 * The local today of a store (days since the PostgreSQL epoch) from its
 * "location=zone" entry: false when its zone is not listed or not known.
 */
static bool
store_today(const RfOptions *opts, const char *store, int64 *today)
{
	ListCell   *lc;
	size_t		len = strlen(store);

	foreach(lc, opts->zones)
	{
		const char *entry = lfirst(lc);
		pg_tz	   *tz;
		struct pg_tm tm;
		fsec_t		fsec;
		int			tzoff;

		if (strncmp(entry, store, len) != 0 || entry[len] != '=')
			continue;
		tz = pg_tzset(entry + len + 1);
		if (tz == NULL ||
			timestamp2tm(GetCurrentTransactionStartTimestamp(), &tzoff, &tm,
						 &fsec, NULL, tz) != 0)
			return false;
		*today = date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
		return true;
	}
	return false;
}

/*
 * What the generic planner makes its series from: the parameters common
 * to every series, the table options sent in the body, and the dimensions
 * of the product, walked like an odometer (the last dimension fastest, so
 * that the windows of one value are consecutive).
 */
typedef struct GenericPlan
{
	RfOptions	opts;			/* as planned (zones: the stores' days) */
	List	   *fixed;			/* SeriesParam *: in every series */
	List	   *options;		/* SeriesParam *: constants of table options */
	Dimension  *dims;
	int			ndims;
	TimestampTz fixed_end;		/* a time window sent whole: its end */
} GenericPlan;

/* The position of each dimension at a position of the product */
static void
odometer(const GenericPlan *gp, int pos, int64 *at)
{
	int64		rest = pos;

	for (int d = gp->ndims - 1; d >= 0; d--)
	{
		at[d] = rest % gp->dims[d].count;
		rest /= gp->dims[d].count;
	}
}

/*
 * The store a series is for: the single value of the wall clock's key
 * column (RfWallClock) among its parameters, or NULL.
 */
static const char *
series_store(const GenericPlan *gp, const int64 *at)
{
	const RfOptions *opts = &gp->opts;
	const char *key = opts->vendor && opts->vendor->wall_clock ?
		opts->vendor->wall_clock->key_column : NULL;
	ListCell   *lc;

	if (key == NULL)
		return NULL;
	foreach(lc, gp->fixed)
	{
		SeriesParam *p = lfirst(lc);

		if (p->pd && strcmp(p->pd->column, key) == 0 && list_length(p->values) == 1)
			return linitial(p->values);
	}
	for (int d = 0; d < gp->ndims; d++)
	{
		const Dimension *dim = &gp->dims[d];
		List	   *piece;

		if (strcmp(dim->pd->column, key) != 0 || dim->kind != DIM_VALUES)
			continue;
		piece = rf_list_piece(dim->values, dim->piece, at[d]);
		if (list_length(piece) == 1)
			return linitial(piece);
	}
	return NULL;
}

/*
 * A day chunk clipped to the days its store serves: from its own today
 * when its zone is known, else UTC's.  False when none is left.
 */
static bool
clip_store_days(const RfOptions *opts, const RfPushdown *pd, const char *store,
				const int64 *days, int64 *lo, int64 *hi)
{
	int64		today;

	*lo = days[0];
	*hi = days[1];
	if (pd->horizon_last <= 0)
		return true;
	if (store == NULL || !store_today(opts, store, &today))
		today = bound_day(GetCurrentTransactionStartTimestamp(), TIMESTAMPTZOID);
	*lo = Max(*lo, today + pd->horizon_first);
	*hi = Min(*hi, today + pd->horizon_last);
	return *lo <= *hi;
}

/*
 * Whether the position at makes no series: one of its day chunks lies
 * outside its store's days.
 */
static bool
position_skipped(const GenericPlan *gp, const int64 *at)
{
	const char *store = NULL;
	bool		store_known = false;

	for (int d = 0; d < gp->ndims; d++)
	{
		int64		days[2];
		int64		lo,
					hi;

		if (gp->dims[d].kind != DIM_DAYS)
			continue;
		if (!store_known)
		{
			store = series_store(gp, at);
			store_known = true;
		}
		chunk_days(&gp->dims[d], at[d], days);
		if (!clip_store_days(&gp->opts, gp->dims[d].pd, store, days, &lo, &hi))
			return true;
	}
	return false;
}

/* The generic planner's series at a position (RfSeriesMaker) */
static RfSeries *
generic_make(const RfSeriesPlan *plan, int pos)
{
	const GenericPlan *gp = plan->state;
	const RfEndpoint *ep = gp->opts.endpoint;
	int64	   *at = palloc0(sizeof(int64) * Max(gp->ndims, 1));
	const char *store;
	List	   *params = NIL;
	TimestampTz end = gp->fixed_end;	/* of its time windows, the earliest */
	RfSeries   *series;

	odometer(gp, pos, at);
	store = series_store(gp, at);

	/* parameters keep the descriptor's order */
	for (int i = 0; i < ep->npushdown; i++)
	{
		const RfPushdown *pd = &ep->pushdown[i];
		ListCell   *lc;

		foreach(lc, gp->fixed)
		{
			SeriesParam *p = lfirst(lc);

			if (p->pd == pd)
				params = lappend(params, p);
		}
		for (int d = 0; d < gp->ndims; d++)
		{
			const Dimension *dim = &gp->dims[d];
			int64		days[2];
			int64		lo,
						hi;

			if (dim->pd != pd)
				continue;
			switch (dim->kind)
			{
				case DIM_DAYS:
					chunk_days(dim, at[d], days);
					if (!clip_store_days(&gp->opts, pd, store, days, &lo, &hi))
						return NULL;
					rf_add_param(&params, pd, pd->lower_param, list_make1(day_text(lo)));
					rf_add_param(&params, pd, pd->upper_param, list_make1(day_text(hi)));
					end = earlier_end(end, bound_end(hi, DATEOID));
					break;
				case DIM_WINDOWS:
					window_bounds(dim, at[d], &lo, &hi);
					rf_add_param(&params, pd, pd->lower_param,
							  list_make1(rf_format_value(ordinal_datum(lo, dim->typid),
														 dim->typid)));
					rf_add_param(&params, pd, pd->upper_param,
							  list_make1(rf_format_value(ordinal_datum(hi, dim->typid),
														 dim->typid)));
					end = earlier_end(end, bound_end(hi, dim->typid));
					break;
				case DIM_VALUES:
					rf_add_param(&params, pd, pd->param,
							  rf_list_piece(dim->values, dim->piece, at[d]));
					break;
			}
		}
	}
	series = rf_make_series(ep, list_concat(params, gp->options));
	/* its rows lie before the earliest end of its time windows */
	series->window_end = end;
	return series;
}

/* The generic planner: parameters, splits, batches, windows, day chunks */
RfSeriesPlan *
rf_plan_series_generic(const RfOptions *opts, List *qualvals, bool *empty)
{
	const RfEndpoint *ep = opts->endpoint;
	RfFilter   *filters = palloc0(sizeof(RfFilter) * Max(ep->npushdown, 1));
	GenericPlan *gp = palloc0(sizeof(GenericPlan));
	Dimension  *dims = palloc0(sizeof(Dimension) * Max(ep->npushdown, 1));
	int			ndims = 0;
	int64		width = rf_window_usecs(opts);
	int64		npositions = 1;
	bool		has_days = false;
	RfSeriesPlan *plan;

	*empty = !rf_fold_filters(ep, qualvals, filters);
	if (*empty)
		return NULL;
	gp->opts = *opts;

	for (int i = 0; i < ep->npushdown; i++)
	{
		const RfPushdown *pd = &ep->pushdown[i];
		RfFilter   *cf = &filters[i];
		bool		ordinal = cf->lower_text == NULL && cf->upper_text == NULL;

		if (cf->has_values && pd->param && pd->loc == RF_LOC_PATH)
		{
			List	   *values = cf->values;

			if (pd->multi == RF_MULTI_SPLIT && list_length(values) > 1)
			{
				dims[ndims].pd = pd;
				make_pieces(values, 1, &dims[ndims++]);
			}
			else
				rf_add_param(&gp->fixed, pd, pd->param, values);
		}
		else if (cf->has_values && pd->param && values_accepted(pd, cf))
		{
			if (pd->multi == RF_MULTI_SPLIT && list_length(cf->values) > 1)
			{
				dims[ndims].pd = pd;
				make_pieces(cf->values, 1, &dims[ndims++]);
			}
			else if (pd->batch > 0 && list_length(cf->values) > pd->batch)
			{
				dims[ndims].pd = pd;
				make_pieces(cf->values, pd->batch, &dims[ndims++]);
			}
			else
				rf_add_param(&gp->fixed, pd, pd->param, cf->values);
		}
		if (pd->chunk_days > 0 && cf->has_lower && cf->has_upper && ordinal &&
			(cf->typid == TIMESTAMPTZOID || cf->typid == TIMESTAMPOID ||
			 cf->typid == DATEOID))
		{
			dims[ndims].pd = pd;
			*empty = !make_day_chunks(opts, pd, cf, &dims[ndims++]);
			if (*empty)
				return NULL;
			has_days = true;
			continue;
		}
		if (RF_EP_HOOK(ep, send_range))
			ep->hooks->send_range(ep, pd, cf);
		if (pd->window && width > 0 && cf->has_lower && cf->has_upper && ordinal &&
			(cf->typid == TIMESTAMPTZOID || cf->typid == TIMESTAMPOID))
		{
			dims[ndims].pd = pd;
			make_windows(cf, width, &dims[ndims++]);
			continue;
		}
		if (cf->has_lower && pd->lower_param)
			rf_add_param(&gp->fixed, pd, pd->lower_param,
					  list_make1(rf_filter_bound_text(cf, false)));
		if (cf->has_upper && pd->upper_param)
		{
			rf_add_param(&gp->fixed, pd, pd->upper_param,
					  list_make1(rf_filter_bound_text(cf, true)));
			if ((pd->window || pd->chunk_days > 0) && ordinal)
				gp->fixed_end = earlier_end(gp->fixed_end,
											bound_end(cf->upper, cf->typid));
		}
	}

	/* constants whose value is a table option's, when the table sets it */
	for (int i = 0; i < ep->nconstants; i++)
	{
		const RfConstant *c = &ep->constants[i];
		const char *v = c->option ? rf_table_option(opts, c->option) : NULL;
		SeriesParam *p;

		if (v == NULL)
			continue;
		p = palloc0(sizeof(SeriesParam));
		p->loc = c->loc;
		p->name = c->name;
		p->values = list_make1(pstrdup(v));
		p->array = c->value != NULL && strcmp(c->value, "[]") == 0;
		gp->options = lappend(gp->options, p);
	}

	gp->dims = dims;
	gp->ndims = ndims;
	for (int d = 0; d < ndims; d++)
		if (pg_mul_s64_overflow(npositions, dims[d].count, &npositions))
			npositions = PG_INT64_MAX;
	plan = rf_series_plan_new(opts, npositions, generic_make, gp);

	/* day chunks may fall outside their store's days: those make none */
	if (has_days)
	{
		int64	   *at = palloc0(sizeof(int64) * ndims);

		plan->nseries = 0;
		for (int pos = 0; pos < plan->npositions; pos++)
		{
			odometer(gp, pos, at);
			if (!position_skipped(gp, at))
				plan->nseries++;
			CHECK_FOR_INTERRUPTS();
		}
		pfree(at);
		/* every series' days fell outside its store's */
		*empty = (plan->nseries == 0);
	}
	return *empty ? NULL : plan;
}

/*
 * The page size to ask for: the option, else the endpoint's default, and
 * no more than a pushed-down LIMIT needs.
 */
int
rf_effective_page_size(const RfOptions *opts, double limit)
{
	const RfPagingSpec *pg = &opts->endpoint->paging;
	int			size = opts->page_size > 0 ? opts->page_size : pg->default_size;

	if (limit > 0 && limit < size)
		size = (int) Max(limit, 1);
	if (pg->max_size > 0 && size > pg->max_size)
		size = pg->max_size;
	return size;
}
