/*-------------------------------------------------------------------------
 *
 * reqplan.h
 *		  The request planner (reqplan.c): evaluated quals -> request series
 *		  (parameters, body paths, path segments, splits, batches, windows, day
 *		  chunks).
 *
 * Its input is the values of the pushed quals (RfQualValue), evaluated at
 * execution; its output the series a pager pages through (RfSeries).
 * An endpoint's plan_series hook replaces the generic planner.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_REQPLAN_H
#define RF_REQPLAN_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "http.h"
#include "option.h"
#include "rf_descriptor.h"

/*
 * A qual that the API can take: column op expression, found at planning
 * (pushdown.c, rf_match_qual)
 */
typedef struct RfPushedQual
{
	int			pd_index;		/* index into endpoint->pushdown */
	int			op;				/* one RF_OP_* bit */
	Expr	   *expr;			/* the value side */
} RfPushedQual;

/* The values of the pushed quals, evaluated at execution */
typedef struct RfQualValue
{
	int			pd_index;
	int			op;
	bool		isnull;
	Oid			typid;
	List	   *values;			/* formatted values (char *) for EQ/IN */
	Datum		value;			/* the value of a single-valued op */
	Datum		value_end;		/* RF_OP_SPAN: the span's exclusive end */
	bool		placeholder;	/* EXPLAIN's "$n": known only at execution */
} RfQualValue;

/*
 * One request series: fixed parameters, then paged.  A scan's pager makes
 * each when it reaches it (RfSeriesPlan), in a memory context of its own
 * that goes with the series' last page.
 */
typedef struct RfSeries RfSeries;
struct RfSeries
{
	char	   *path;			/* path with {params} resolved */
	List	   *query;			/* "name=value" strings, escaped */
	char	   *body;			/* JSON body, or NULL */
	List	   *consts;			/* "name=value": columns "=name" read these */
	const char *rows_path;		/* overrides the endpoint's, or NULL */

	/*
	 * Rows kept: those whose string at keep_path lies in [keep_lo,
	 * keep_hi) (either bound NULL = open).  For requests widened past the
	 * range the series is responsible for.
	 */
	const char *keep_path;
	char	   *keep_lo;
	char	   *keep_hi;
	struct RfJsonRef *keep_ref; /* keep_path parsed, on first use */
	List	   *visited;		/* pages asked for: URLs, cursors, starts */
	bool		has_total;		/* its pages gave a total... */
	int64		total;			/* ...this one */

	/*
	 * The end of the time window the series asks for (exclusive, UTC), or
	 * 0 when it has none: a window that ended before now may be cached for
	 * cache_ttl_past.
	 */
	TimestampTz window_end;
	int			cache_state;	/* RF_SERIES_CACHE_* (scan.c) */
	RfCacheUse *cache_first;	/* its first page's use of the cache */

	/* the pager's (scan.c): its memory, and who still needs it */
	MemoryContext cxt;
	int			refs;			/* its fetches alive, and its fan-out */
};

/*
 * The request series of a run, made one at a time: a scan of a thousand
 * daily windows holds the few series it is paging, never the thousand.
 * A plan numbers its positions 0 .. npositions - 1 in paging order and
 * makes the series of one when asked (rf_series_make), in the current
 * memory context; a position may make none (a day chunk outside its
 * store's days).  What a plan keeps does not grow with its series: a
 * range split into windows is kept as its bounds and the windows' width.
 * Every participant of a parallel scan makes the same plan and takes
 * positions from a shared counter.
 */
typedef struct RfSeriesPlan RfSeriesPlan;
typedef RfSeries *(*RfSeriesMaker) (const RfSeriesPlan *plan, int pos);
struct RfSeriesPlan
{
	int			npositions;
	int			nseries;		/* positions that make a series */
	RfSeriesMaker make;			/* the planner's: NULL = none here */
	const void *state;			/* what the planner makes series from */
	List	   *query;			/* "name=value" added to every series'
								 * query (a pushed ORDER BY) */
};

/*
 * What the pushed quals of one column say, folded: the EQ / IN values and
 * the tightest inclusive bounds (ordinal keys, or text for other types).
 */
typedef struct RfFilter
{
	bool		has_values;
	List	   *values;			/* EQ / IN values, formatted */
	bool		has_lower;
	bool		has_upper;
	Oid			typid;
	int64		lower;			/* ordinal keys, inclusive */
	int64		upper;
	char	   *lower_text;		/* for types without ordinal keys */
	char	   *upper_text;
} RfFilter;

extern bool rf_fold_filters(const RfEndpoint *ep, List *qualvals,
							RfFilter *filters);
extern char *rf_filter_bound_text(RfFilter *cf, bool upper);
extern void rf_filter_widen(RfFilter *cf, int days);
extern DateADT rf_today(void);
/* the windows of a window range without the table option "window" */
#define RF_DEFAULT_WINDOW "1 day"
extern int64 rf_window_usecs(const RfOptions *opts);
extern List *rf_day_bounds(const RfEndpoint *ep, int pd_index, List *values,
						   DateADT first, DateADT end);
extern List *rf_apply_domains(const RfEndpoint *ep, List *qualvals,
							  List **notes, bool *empty);
extern RfSeriesPlan *rf_plan_series(const RfOptions *opts, List *qualvals,
									 bool *empty);
extern RfSeriesPlan *rf_plan_series_generic(const RfOptions *opts,
											List *qualvals, bool *empty);
extern RfSeriesPlan *rf_series_plan_new(const RfOptions *opts,
										int64 npositions, RfSeriesMaker make,
										const void *state);
extern RfSeries *rf_series_make(const RfSeriesPlan *plan, int pos);
extern List *rf_series_first(const RfSeriesPlan *plan, int n);
extern List *rf_list_piece(List *values, int size, int64 k);
extern int64 rf_list_npieces(List *values, int size);
extern char *rf_series_target(const RfSeries *series, const RfPagingSpec *pg,
							  int page_size, const char *page_value);
extern int	rf_effective_page_size(const RfOptions *opts, double limit);
extern char *rf_format_value(Datum value, Oid typid);
extern char *rf_escape_segment(const char *v);

#endif							/* RF_REQPLAN_H */
