/*-------------------------------------------------------------------------
 *
 * retail_fdw.h
 *		  The narrow interface between the modules of retail_fdw.
 *
 * retail_fdw is split by concern:
 *
 *	retail_fdw.c	FDW callbacks: planning, scanning, EXPLAIN, IMPORT
 *	scan.c			the pager: request series -> pages in flight -> rows,
 *					with every paging style and its checks
 *	progress.c		per-backend scan progress (retail_fdw.scan_progress)
 *	analyze.c		ANALYZE: a sample of recent days, rows per day for estimates
 *	prefetch.c		the id prefetch: joins that feed ids, fetched in batches
 *	netpolicy.c		URL checks and the network policy (where requests may go)
 *	option.c		option validation and the parsed option structure
 *	reqplan.c		request planner: quals -> query parameters, windows, pages
 *	http.c			HTTP transfers and their event loop (libcurl)
 *	cache.c			the response cache (cache_ttl): raw answers of scans
 *	connection.c	the connection cache, credentials, OAuth tokens (libcurl)
 *	json.c			JSON -> Datum mapping (with jsonpage.c, the only files
 *					that use json-c)
 *	jsonpage.c		parsing, rows and references, free of PostgreSQL
 *	vendor.c		the vendor registry; vendor_*.c hold descriptor tables
 *					(both free of PostgreSQL, like jsonpage.c)
 *
 * An endpoint is described by data (RfEndpoint, in rf_descriptor.h, which
 * needs no PostgreSQL header): its path and method, its columns with JSON
 * paths, which columns and operators push down to which parameter, which
 * quals are required, how it pages and which options it takes.  The
 * generic code interprets those descriptors; adding an endpoint means
 * adding a descriptor, not code.
 *
 * This header deliberately mentions neither libcurl nor json-c types
 * (http_int.h and jsonpage.h hold those, for their own files).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RETAIL_FDW_H
#define RETAIL_FDW_H

#include "postgres.h"

#include "fmgr.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"
#include "port/atomics.h"
#include "storage/spin.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "rf_descriptor.h"

#define RF_VERSION_STRING "retail_fdw/0.1"

/* The descriptor model (vendors, endpoints, options): rf_descriptor.h */

struct RfSeries;

/* option.c: lists of names, for hints */
extern char *rf_vendor_names(void);
extern char *rf_resource_names(const RfVendor *vendor);

/* ----------------------------------------------------------------
 *		Options (option.c)
 * ----------------------------------------------------------------
 */

typedef struct RfOptions RfOptions;
struct RfOptions
{
	/* server */
	Oid			serverid;
	char	   *servername;
	const RfVendor *vendor;
	char	   *base_url;		/* without a trailing slash */
	int			timeout_ms;
	int			connect_timeout_ms;
	int			max_retries;
	int			retry_max_wait_ms;
	int			max_concurrency;
	int			max_requests_per_second;	/* 0 = unpaced; -1 = vendor's */
	int			page_size;		/* 0 = the endpoint's default */
	int			max_response_bytes;
	bool		verify_tls;
	char	   *ca_file;

	/* server or foreign table (the table's wins) */
	int64		cache_ttl;		/* response cache lifetime (us); 0 = off */
	int64		cache_ttl_past;	/* for windows ended before now; 0 = cache_ttl */

	/* foreign table */
	const RfEndpoint *endpoint;
	char	   *window;			/* interval text, or NULL */
	List	   *table_options;	/* every table option, for vendor planners */
	List	   *server_options; /* every server option, for vendor words */

	/* the run */
	List	   *zones;			/* "location=zone" of the stores asked for,
								 * once listed (RfWallClock): day chunks are
								 * clipped to each store's own days */
};

/* Secrets and auth settings come from the user mapping, at execution only */
typedef struct RfCredentials
{
	Oid			umid;
	char	   *token;
	char	   *auth_header;
	char	   *auth_scheme;
	char	   *client_id;
	char	   *client_secret;
	char	   *token_url;
	char	   *access_key;
	char	   *secret_key;
} RfCredentials;

extern void rf_get_options(Oid foreigntableid, RfOptions *opts);
extern void rf_get_server_options(ForeignServer *server, RfOptions *opts);
extern void rf_get_credentials(ForeignServer *server, Oid userid,
							   RfCredentials *cred);
extern bool rf_is_secret_option(const char *name);
extern bool rf_has_control_chars(const char *s);
extern void rf_check_header_value(const char *option, const char *value);
extern void rf_check_auth_header(const char *value);
extern const char *rf_table_option(const RfOptions *opts, const char *name);
extern const char *rf_server_option(const RfOptions *opts, const char *name);
extern bool rf_wall_clock_reading(const RfOptions *opts);

/* ----------------------------------------------------------------
 *		HTTP transport (http.c)
 * ----------------------------------------------------------------
 */

typedef struct RfConn RfConn;
typedef struct RfTransfer RfTransfer;

/*
 * Vendor limits shared by the participants of a parallel scan (it lives in
 * the scan's dynamic shared memory): requests in flight across all of them
 * stay within max_running, and their starts are paced min_interval_us
 * apart, as one backend's requests are.  Taken under the spinlock only for
 * a few instructions; a transfer that finds no room waits in its event
 * loop and looks again a few milliseconds later.
 *
 * Workers together never hold the last slot: a worker whose tuple queue
 * is full waits for the leader while holding its slots, and the leader
 * must then still be able to fetch (its rows come first), or neither
 * would move.
 */
typedef struct RfSharedLimit
{
	slock_t		mutex;
	int			max_running;	/* 0 = no shared limit */
	int			running;
	int			workers_running;	/* of running, held by workers */
	int			peak;			/* most running at once, for tests */
	int64		min_interval_us;	/* between starts; 0 = unpaced */
	TimestampTz next_start;
} RfSharedLimit;

/*
 * How a body failed: a broken document may be a broken connection and is
 * tried again; one that breaks a limit or exhausts memory would do so
 * again, and is not.
 */
typedef enum RfBodyFailure
{
	RF_BODY_SYNTAX,				/* not one document: retried if it ended
								 * early, not if the parser refused it */
	RF_BODY_LIMIT,				/* depth, density, bad escapes: final */
	RF_BODY_NOMEM				/* out of memory: final */
} RfBodyFailure;

/*
 * Receives a 2xx response body chunk by chunk.  Called from inside libcurl:
 * it must not ereport or palloc; returning false aborts the transfer.
 */
typedef struct RfBodySink
{
	bool		(*feed) (void *arg, const char *data, size_t len);
	void		(*reset) (void *arg);	/* a retry starts over */
	bool		(*finish) (void *arg);	/* the body was a whole document? */
	/* why the body failed, in words; NULL = not one document */
	const char *(*failure) (void *arg, RfBodyFailure *kind);
	void	   *arg;
} RfBodySink;

/*
 * How a request uses the response cache (cache.c), filled by the pager: a
 * series' first page is looked up as such; its later pages only within the
 * fill the first page came from, and stored with its stamp and expiry.
 */
typedef struct RfCacheUse
{
	/* set by the caller */
	bool		lookup;			/* may be answered from the cache */
	bool		first;			/* a series' first page */
	int64		ttl;			/* a first page's lifetime (us) */
	uint64		stamp;			/* later pages: their fill */
	TimestampTz as_of;			/* later pages: valid as of then */
	TimestampTz expires;		/* later pages: stored to expire then */
	/* set by http.c */
	bool		hit;			/* answered from the cache */
	char	   *key;			/* the request's cache key */
	Size		keylen;
} RfCacheUse;

typedef struct RfHttpRequest
{
	const char *endpoint;		/* "GET /bi/..." for messages */
	const char *method;
	char	   *url;			/* absolute */
	char	   *body;			/* JSON, or NULL */
	List	   *headers;		/* extra "Name: value" strings */
	bool		idempotent;
	bool		allow_404;		/* 404 is an answer, not an error */
	bool		no_auth;		/* send no credentials (token requests) */
	bool		any_status;		/* every HTTP answer is a result (actions) */
	bool		form;			/* body is application/x-www-form-urlencoded */
	RfSharedLimit *shared;		/* limits shared with parallel workers */
	RfCacheUse *cache;			/* a scan's page with cache_ttl, or NULL */
} RfHttpRequest;

/* Counters a scan reports in EXPLAIN ANALYZE */
typedef struct RfStats
{
	int64		requests;		/* HTTP exchanges, retries included */
	int64		pages;			/* successful responses */
	int64		rows;
	int64		bytes;
	int64		retries;
	int64		wait_us;		/* time blocked on the network */
	int64		cache_hits;		/* answers from the response cache */
} RfStats;

extern void rf_http_init(void);
extern void rf_http_add_rows(RfTransfer *xfer, int64 rows);
extern RfConn *rf_http_connect(const RfOptions *opts, Oid userid);
extern void rf_http_disconnect(RfConn *conn);
extern RfTransfer *rf_http_submit(RfConn *conn, const RfHttpRequest *req,
								  const RfBodySink *sink);
extern void rf_http_wait(RfConn *conn, RfTransfer *xfer);
extern bool rf_http_wait_some(RfConn *conn, RfTransfer *xfer);
extern void rf_http_forget_shared(RfSharedLimit *shared);
extern int64 rf_http_min_interval_us(const RfOptions *opts);
extern RfTransfer *rf_http_send(RfConn *conn, const RfHttpRequest *req,
								const RfBodySink *sink);
extern bool rf_http_done(RfTransfer *xfer);
extern bool rf_http_succeeded(RfTransfer *xfer);
extern long rf_http_status(RfTransfer *xfer);
extern const char *rf_http_page_next_header(RfTransfer *xfer);
extern const char *rf_http_location(RfTransfer *xfer);
extern const char *rf_http_body_head(RfTransfer *xfer);
extern void rf_http_raise(RfTransfer *xfer) pg_attribute_noreturn();
extern void rf_http_release(RfTransfer *xfer, RfStats *stats);
extern void rf_http_check_url(const char *url, const char *what);
extern bool rf_http_same_origin(const char *base, const char *url);
extern bool rf_http_cache_keep(RfTransfer *xfer);

/* ----------------------------------------------------------------
 *		Response cache (cache.c)
 * ----------------------------------------------------------------
 */

/* An answer as kept: status, the headers the pager reads, the body */
typedef struct RfCachedAnswer
{
	long		status;
	char	   *page_next;		/* X-Page-Next, or NULL */
	char	   *location;		/* Location, or NULL */
	char	   *body;
	Size		len;
	uint64		stamp;			/* the fill it belongs to (lookups) */
	TimestampTz expires;		/* (lookups) */
} RfCachedAnswer;

extern void rf_respcache_init(void);
extern char *rf_respcache_key(Oid umid, bool restricted, const char *method,
							  const char *url, const char *body,
							  List *headers, Size *keylen);
extern Size rf_respcache_max_body(void);
extern bool rf_respcache_shared(void);
extern bool rf_respcache_lookup(const char *key, Size keylen, bool first,
								uint64 stamp, TimestampTz as_of,
								RfCachedAnswer *answer);
extern uint64 rf_respcache_store(const char *key, Size keylen, Oid umid,
								 uint64 stamp, TimestampTz expires,
								 const RfCachedAnswer *answer);
extern void rf_respcache_complete(const char *key, Size keylen, uint64 stamp);

/* netpolicy.c: where requests may go */
struct sockaddr;
extern char *rf_allowed_hosts;
/* Whether, and why, the network policy applies to a connection */
typedef enum RfPolicy
{
	RF_POLICY_OPEN,				/* a superuser's mapping, a superuser's server */
	RF_POLICY_USER,				/* the mapping's role is not a superuser */
	RF_POLICY_OWNER				/* the server's owner is not a superuser */
} RfPolicy;
extern RfPolicy rf_policy_for(Oid userid, Oid server_owner);
extern char *rf_policy_reason(RfPolicy policy, const char *servername,
							  Oid server_owner);
extern char *rf_policy_hint(RfPolicy policy, const char *servername);
extern void rf_policy_check_url(RfPolicy policy, const char *servername,
								Oid server_owner, const char *url,
								bool *restricted);
extern bool rf_policy_address_is_public(const struct sockaddr *sa);
extern char *rf_http_resolve_url(const char *page_url, const char *link);
extern void rf_http_note_failure(RfTransfer *xfer);
extern char *rf_http_escape(const char *s);
extern char *rf_http_describe_auth(const RfVendor *vendor,
								   const RfCredentials *cred);

/* ----------------------------------------------------------------
 *		Request statistics (stats.c)
 * ----------------------------------------------------------------
 */

/* What transfers add to their endpoint's entry */
typedef struct RfStatCounts
{
	int64		requests;
	int64		pages;
	int64		rows;
	int64		bytes;
	int64		retries;
	int64		throttled;
	int64		net_us;
	int64		cache_hits;		/* answers from the response cache */
} RfStatCounts;

extern void rf_stats_init(void);
extern char *rf_stats_endpoint_name(const char *vendor, const char *label);
extern void rf_stats_add(Oid serverid, const char *endpoint,
						 const RfStatCounts *counts, const char *error);

/* ----------------------------------------------------------------
 *		JSON mapping (json.c)
 * ----------------------------------------------------------------
 */

typedef struct RfJsonParser RfJsonParser;
typedef struct RfPage RfPage;

/* ISO 8601 date/time strings of a common shape without the input function */
extern bool rf_fast_datetime(const char *s, Oid typid, Datum *result);

/* How one attribute of the foreign table is filled from a row */
typedef struct RfColMap RfColMap;
struct RfColMap
{
	AttrNumber	attnum;
	const char *attname;
	const char *json_path;
	struct RfJsonRef *ref;		/* json_path parsed (jsonpage.h) */
	bool		is_local;		/* "localtime:": date, time and zone parts */
	bool		local_end;		/* ...the end of the period they name */
	const char *oneof;			/* "oneof:": the constants' name */
	bool		zclock;			/* "zclock:": a Z time and its location */
	struct RfJsonRef *sub;		/* the parts */
	int			nsub;
	Oid			typid;
	int32		typmod;
	Oid			typioparam;
	FmgrInfo	infunc;
	Oid			elemtype;		/* for text[] */
	int			conv;			/* conversion chosen by json.c */
};

typedef struct RfRowContext
{
	const char *relname;
	const char *vendor;
	const char *endpoint;
	RfColMap   *cols;
	int			ncols;
	List	   *consts;			/* the series' "name=value" constants */
	bool		wall_clock;		/* "zclock:" times are wall clock... */
	List	   *zones;			/* ...in these "location=zone" zones */
} RfRowContext;

extern RfJsonParser *rf_json_parser_create(MemoryContext cxt);
extern RfBodySink rf_json_parser_sink(RfJsonParser *parser);
extern RfPage *rf_json_parser_finish(RfJsonParser *parser,
									 const RfEndpoint *ep,
									 const char *vendor);
extern RfPage *rf_json_parser_finish_object(RfJsonParser *parser,
											const char *path,
											const char *vendor,
											const char *endpoint);
extern int	rf_page_nrows(RfPage *page);
extern bool rf_page_get_int(RfPage *page, const char *path, int64 *value);
extern char *rf_page_get_string(RfPage *page, const char *path);
extern void rf_page_row(RfPage *page, int rowno, RfRowContext *rc,
						Datum *values, bool *nulls);
extern void rf_page_free(RfPage *page);
extern char *rf_clean_text(const char *s, int len, int maxbytes);
extern bool rf_page_row_kept(RfPage *page, int rowno,
							 const struct RfSeries *series);

/* A per-query cache of parsed answers, keyed by user mapping and URL */
extern RfPage *rf_cache_lookup(void *owner, Oid umid, const char *url,
							   const RfEndpoint *ep, const char *vendor);
extern void rf_cache_store(void *owner, MemoryContext cxt, Oid umid,
						   const char *url, RfPage *page);
extern void rf_colmap_init(RfColMap *cm, const char *attname, Oid typid,
						   int32 typmod, const char *json_path);

/* ----------------------------------------------------------------
 *		Request planner (reqplan.c)
 * ----------------------------------------------------------------
 */

/* A qual that the API can take: column op expression */
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
extern DateADT rf_today(void);
extern int64 rf_window_usecs(const RfOptions *opts);
extern List *rf_day_bounds(const RfEndpoint *ep, int pd_index, List *values,
						   DateADT first, DateADT end);
extern bool rf_match_qual(PlannerInfo *root, Expr *clause, Index relid,
						  Oid reloid, const RfEndpoint *ep, RfPushedQual *out);
extern const char *rf_op_name(int op);
extern char *rf_ops_text(uint32 ops);
extern bool rf_orders_like(RfType t, Oid typid);
extern bool rf_requirements_met(const RfEndpoint *ep, List *pushed);
extern int	rf_day_range_column(const RfEndpoint *ep, List *pushed);
extern void rf_check_required(const RfEndpoint *ep, List *pushed,
							  const char *relname, List *collation_blocked);
extern const char *rf_qual_collation_blocked(PlannerInfo *root, Expr *clause,
											 Index relid, Oid reloid,
											 const RfEndpoint *ep);
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

/* ----------------------------------------------------------------
 *		The pager (scan.c)
 * ----------------------------------------------------------------
 */

struct RfFetch;

/*
 * A parallel scan's shared state, in dynamic shared memory.  Every
 * participant (the leader and each worker) plans the same request series
 * from the same quals (now() is the transaction's start, which workers
 * share), checks that it did (the first to plan leaves the count and a
 * hash of the series here), and takes the next series from the shared
 * counter, only as many at a time as it can work on (scan.c,
 * may_take_series); a series, with its fan-out and checks, is paged by the
 * one participant that took it.
 */
typedef struct RfParallelScan
{
	pg_atomic_uint32 next_series;	/* next series index to take */
	slock_t		mutex;			/* protects the fields below */
	bool		planned;		/* a participant has planned the series */
	int			nseries;
	uint32		fingerprint;	/* hash of every series' request */
	int			workers;		/* workers planned, then launched */
	bool		leader_reads;	/* parallel_leader_participation */
	RfStats		worker_stats;	/* workers' counters, added at their end */
	int			workers_done;
	RfSharedLimit limit;		/* the query's vendor limits */
} RfParallelScan;

/*
 * One pager: the request series of a scan (or of a listing) and the pages
 * in flight.  The owner fills the first block, then calls rf_pager_start
 * with the plan of the series (rf_pager_plan) and rf_pager_next /
 * rf_pager_row for each row.
 */
typedef struct RfPager
{
	/* set by the owner */
	MemoryContext cxt;			/* the run's memory, reset by rf_pager_reset */
	RfOptions	opts;
	const RfEndpoint *ep;
	RfConn	   *conn;
	char	   *relname;
	char	   *endpoint_label;	/* "GET /path" for messages */
	RfRowContext rowctx;		/* the columns rows are converted to */
	List	   *zone_keys;		/* locations whose zones the run needs */
	List	   *plan_values;	/* the values rf_pager_plan planned from */
	int			page_size;
	double		limit;			/* a pushed LIMIT, or -1 */
	int			sort;			/* index into ep->sorts, or -1 */
	bool		sort_desc;
	Oid			umid;			/* the user mapping: keys the answer cache */
	EState	   *estate;			/* owns the answer cache */
	bool		report_progress;	/* publish to retail_fdw.scan_progress */
	RfParallelScan *par;		/* shared by a parallel scan's participants */
	struct ParallelContext *pcxt;	/* the leader's, in a parallel scan */

	/* the current run */
	List	   *domain_notes;	/* values outside the API's domain (EXPLAIN) */
	bool		domain_empty;	/* ...which left no request to make */
	int64		fetched;		/* rows in the pages fetched so far */
	RfSeriesPlan *plan;			/* the run's series, or NULL: none */
	int			next_position;	/* the plan's next position (serial) */
	int			next_series;	/* series taken by this participant */
	bool		series_done;	/* no series left to take */
	bool		waiting;		/* waiting for the head of the queue */
	List	   *queue;			/* struct RfFetch *, output order */
	struct RfFetch *current;
	RfPage	   *page;
	int			row;
	RfStats		stats;			/* across runs */
	int64		cache_hits;
	MemoryContext turn_cxt;		/* garbage of one turn to the next page */
	Size		mem_peak;		/* most memory the runs held (EXPLAIN) */

	/*
	 * Fan-out: once a series' first page tells the total count, its other
	 * pages are asked for by number, several at once, instead of one after
	 * the other along next links.
	 */
	RfSeries   *fan_series;
	int64		fan_next;		/* next page number to ask for */
	int64		fan_total;		/* pages in the series */
	int64		fan_count;		/* the total the first page gave */
	int			fan_size;		/* rows per full page */
} RfPager;

extern RfSeriesPlan *rf_pager_plan(RfPager *pager, List *qualvals,
								   bool *empty);
extern bool rf_pager_lists_ids(RfPager *pager, List *qualvals);
extern RfSeriesPlan *rf_pager_lister_plan(RfPager *pager, List *qualvals,
										  bool *empty);
extern void rf_pager_start(RfPager *pager, RfSeriesPlan *plan);
extern void rf_pager_parallel_leader(RfPager *pager,
									 struct ParallelContext *pcxt);
extern int	rf_pager_nseries(const RfPager *pager);
extern bool rf_pager_next(RfPager *pager);
extern void rf_pager_row(RfPager *pager, Datum *values, bool *nulls);
extern RfTransfer *rf_pager_transfer(RfPager *pager);
extern void rf_pager_columns(RfPager *pager, Relation rel, List *attrs);
extern void rf_pager_reset(RfPager *pager);
extern void rf_pager_init_child(RfPager *child, const RfPager *owner,
								MemoryContext cxt);
extern void rf_pager_absorb(RfPager *owner, const RfPager *child, bool rows);
extern bool rf_endpoint_has_zclock(const RfEndpoint *ep);

/* retail_fdw.c: the JSON path a foreign table's column reads */
extern const char *rf_column_path(const RfEndpoint *ep, Oid relid, AttrNumber attno,
								  const char *attname, const char *relname,
								  const RfColumn **col);

/* analyze.c: ANALYZE on a foreign table */
extern void rf_analyze_init(void);
extern bool rf_analyze_foreign_table(Relation relation,
									 AcquireSampleRowsFunc *func,
									 BlockNumber *totalpages);

/* progress.c: retail_fdw.scan_progress */
extern void rf_progress_init(void);
extern void rf_progress_start(Oid serverid, const char *resource, int64 total);
extern void rf_progress_update(int64 series_started, const RfStats *stats);
extern void rf_progress_end(void);

/* ----------------------------------------------------------------
 *		Writes and single requests (modify.c)
 * ----------------------------------------------------------------
 */
extern RfPage *rf_request_once(RfConn *conn, const RfOptions *opts,
							   const char *method, const char *path,
							   const char *body, bool idempotent,
							   bool allow_404, const char *response_path,
							   long *status);
extern int	rf_IsForeignRelUpdatable(Relation rel);
extern void rf_AddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
										  RangeTblEntry *target_rte,
										  Relation target_relation);
extern List *rf_PlanForeignModify(PlannerInfo *root, ModifyTable *plan,
									 Index resultRelation, int subplan_index);
extern void rf_BeginForeignModify(ModifyTableState *mtstate,
									 ResultRelInfo *rinfo, List *fdw_private,
									 int subplan_index, int eflags);
extern TupleTableSlot *rf_ExecForeignInsert(EState *estate,
											   ResultRelInfo *rinfo,
											   TupleTableSlot *slot,
											   TupleTableSlot *planSlot);
extern TupleTableSlot *rf_ExecForeignUpdate(EState *estate,
											   ResultRelInfo *rinfo,
											   TupleTableSlot *slot,
											   TupleTableSlot *planSlot);
extern void rf_EndForeignModify(EState *estate, ResultRelInfo *rinfo);
extern void rf_BeginForeignInsert(ModifyTableState *mtstate, ResultRelInfo *rinfo);
extern void rf_EndForeignInsert(EState *estate, ResultRelInfo *rinfo);
extern void rf_ExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
									   List *fdw_private, int subplan_index,
									   struct ExplainState *es);

#endif							/* RETAIL_FDW_H */
