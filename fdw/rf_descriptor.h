/*-------------------------------------------------------------------------
 *
 * rf_descriptor.h
 *		  The descriptor model: vendors, their endpoints and their options,
 *		  as plain C data.
 *
 * An endpoint is described by data (RfEndpoint): its path and method, its
 * columns with JSON paths, which columns and operators push down to which
 * parameter and how the values travel (query, JSON body path, path
 * segment; split, repeated, batched, chunked into days), which quals are
 * required, how it pages, and the table options it takes.  A vendor
 * (RfVendor) holds its endpoints, its authentication and its server and
 * user mapping options.  The generic code (reqplan.c, option.c, the scan)
 * interprets the descriptors; adding an endpoint means adding a
 * descriptor, not code.
 *
 * This header and the vendor_*.c tables need no PostgreSQL header, so that
 * tools built without the server (the fuzz targets in test/fuzz) read the
 * very descriptors the extension reads.  Hooks for the rare endpoint that
 * data cannot describe take opaque pointers; RF_HOOK() names them, and a
 * standalone build (RF_STANDALONE) leaves them out.
 *
 * Not here: the parsed options, the HTTP transport, JSON mapping (see
 * retail_fdw.h and jsonpage.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_DESCRIPTOR_H
#define RF_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>

/* ----------------------------------------------------------------
 *		Shorthands for descriptor tables (defined here, once)
 * ----------------------------------------------------------------
 */
#define RF_LENGTHOF(a)	((int) (sizeof(a) / sizeof((a)[0])))
#define COLS(c)		.columns = c, .ncolumns = RF_LENGTHOF(c)
#define PUSH(p)		.pushdown = p, .npushdown = RF_LENGTHOF(p)
#define REQ(r)		.required = r, .nrequired = RF_LENGTHOF(r)
#define SORTS(s)	.sorts = s, .nsorts = RF_LENGTHOF(s)
#define OPTS(o)		.options = o, .noptions = RF_LENGTHOF(o)

/* A planning hook, or nothing where no planner is linked in */
#ifdef RF_STANDALONE
#define RF_HOOK(f)	NULL
#else
#define RF_HOOK(f)	f
#endif

/* ----------------------------------------------------------------
 *		Options
 * ----------------------------------------------------------------
 */

/* Where an option may appear: a bit mask */
#define RF_CTX_SERVER	0x01
#define RF_CTX_MAPPING	0x02
#define RF_CTX_TABLE	0x04
#define RF_CTX_COLUMN	0x08

typedef enum RfOptKind
{
	RF_OPT_TEXT,
	RF_OPT_INT,
	RF_OPT_BOOL,
	RF_OPT_VENDOR,
	RF_OPT_URL,
	RF_OPT_SECRET,
	RF_OPT_INTERVAL,
	RF_OPT_TTL,					/* an interval of zero or more: a lifetime */
	RF_OPT_FILE,
	RF_OPT_HEADER,
	RF_OPT_CHOICE
} RfOptKind;

/*
 * One option: where it may appear and how its value is checked.  The core
 * options are in option.c; a vendor adds its server and user mapping
 * options in RfVendor.options, an endpoint its table options in
 * RfEndpoint.options.
 */
typedef struct RfOptionDef
{
	const char *name;
	int			contexts;		/* RF_CTX_* */
	RfOptKind	kind;
	int			min;			/* RF_OPT_INT only */
	int			max;
	const char *choices;		/* RF_OPT_CHOICE: "a|b|c" */
	const char *charset;		/* RF_OPT_TEXT: the only characters allowed */
	const char *charset_hint;	/* ...and the hint naming them */
	/* a table option that shapes requests: sent under this body key */
	const char *body_key;
	bool		body_array;		/* ...as a one-element array */
} RfOptionDef;

/* User mapping options of each way of authenticating */
#define RF_MAPPING_TOKEN_OPTIONS \
	{"token", RF_CTX_MAPPING, RF_OPT_SECRET}, \
	{"auth_header", RF_CTX_MAPPING, RF_OPT_HEADER}, \
	{"auth_scheme", RF_CTX_MAPPING, RF_OPT_TEXT}
#define RF_MAPPING_OAUTH_OPTIONS \
	{"client_id", RF_CTX_MAPPING, RF_OPT_TEXT}, \
	{"client_secret", RF_CTX_MAPPING, RF_OPT_SECRET}, \
	{"token_url", RF_CTX_MAPPING, RF_OPT_URL}
#define RF_MAPPING_BASIC_OPTIONS \
	{"access_key", RF_CTX_MAPPING, RF_OPT_SECRET}, \
	{"secret_key", RF_CTX_MAPPING, RF_OPT_SECRET}

/* ----------------------------------------------------------------
 *		Columns and pushdown
 * ----------------------------------------------------------------
 */

/* SQL type of a descriptor column, as IMPORT FOREIGN SCHEMA declares it */
typedef enum RfType
{
	RF_TEXT,
	RF_INT4,
	RF_INT8,
	RF_NUMERIC,
	RF_FLOAT8,
	RF_BOOL,
	RF_DATE,
	RF_TIMESTAMPTZ,
	RF_UUID,
	RF_JSONB
} RfType;

/* One column of an endpoint's rows */
typedef struct RfColumn
{
	const char *name;			/* SQL column name (snake_case) */
	RfType		type;
	const char *json_path;		/* reference in a row (jsonpage.h); NULL = name */
} RfColumn;

/* Operators a pushable column accepts: a bit mask */
#define RF_OP_EQ	0x01
#define RF_OP_IN	0x02
#define RF_OP_LT	0x04
#define RF_OP_LE	0x08
#define RF_OP_GT	0x10
#define RF_OP_GE	0x20
#define RF_OP_RANGE (RF_OP_LT | RF_OP_LE | RF_OP_GT | RF_OP_GE)
/* not a descriptor word: "col::date = d" on a time column with a range */
#define RF_OP_DAY	0x40
/*
 * Nor this: "date_trunc(unit, col) = v" on a time column with a range,
 * pushed as the span [v, v + 1 unit): its value is that two-element array
 */
#define RF_OP_SPAN	0x80

/* Where a pushed value travels */
typedef enum RfParamLoc
{
	RF_LOC_QUERY,				/* ?name=value */
	RF_LOC_BODY,				/* the JSON body, at a body path (below) */
	RF_LOC_PATH					/* {name} in the path (GET by id) */
} RfParamLoc;

/* How several values (IN, = ANY) are sent */
typedef enum RfMulti
{
	RF_MULTI_SPLIT,				/* one request series per value */
	RF_MULTI_REPEAT				/* name=a&name=b, or a JSON array */
} RfMulti;

/*
 * The values a pushed parameter can take, as the vendor's document gives
 * them: its domain.  The API's field holds only such values, so a value
 * outside it matches no row and is never sent (the API would refuse it):
 * "=" answers no rows without a request, an IN list loses the value, and
 * a bound outside an integer range is not sent (the executor rechecks).
 * RF_DOM_ANY takes the column's type's own domain: a UUID column's values
 * are UUIDs, an integer column's integers.
 */
typedef enum RfDomainKind
{
	RF_DOM_ANY = 0,				/* from the column's type (above) */
	RF_DOM_TEXT,				/* any string, even empty */
	RF_DOM_NONEMPTY,			/* a string that is not empty */
	RF_DOM_INTEGER,				/* a decimal integer, within min..max */
	RF_DOM_ENUM,				/* one of values, exactly */
	RF_DOM_ENUM_NOCASE,			/* one of values, in any case */
	RF_DOM_UUID					/* a UUID in its hyphenated text form */
} RfDomainKind;

typedef struct RfDomain
{
	RfDomainKind kind;
	const char *const *values;	/* enums: NULL-terminated */
	bool		has_min;		/* integers: a documented minimum */
	int64_t		min;
	bool		has_max;		/* ...and maximum */
	int64_t		max;
} RfDomain;

#define RF_DOMAIN_TEXT			{.kind = RF_DOM_TEXT}
#define RF_DOMAIN_NONEMPTY		{.kind = RF_DOM_NONEMPTY}
#define RF_DOMAIN_INT			{.kind = RF_DOM_INTEGER}
#define RF_DOMAIN_INT_MIN(m)	{.kind = RF_DOM_INTEGER, .has_min = true, .min = (m)}
#define RF_DOMAIN_ENUM(v)		{.kind = RF_DOM_ENUM, .values = (v)}
#define RF_DOMAIN_ENUM_NOCASE(v) {.kind = RF_DOM_ENUM_NOCASE, .values = (v)}
#define RF_DOMAIN_UUID			{.kind = RF_DOM_UUID}

/*
 * A column that can be pushed to the API.  Equality and IN go to "param";
 * lower bounds (>, >=) to "lower_param", upper bounds (<, <=) to
 * "upper_param".  Both bounds are sent as inclusive: a strict bound is sent
 * loosely and the executor's recheck removes the boundary rows.  A "window"
 * range is split into consecutive windows (daily by default).  pad_days
 * widens the bounds sent where the API's reading of a bound is uncertain
 * (inclusive or not, UTC or local days): extra rows are filtered locally,
 * missing ones could not be.
 *
 * A body parameter's name is a body path: "a" is a key of the body,
 * "a.b" a key of its object "a", "a[].b" a key of a new element of array
 * "a" (one element per parameter), "a[0].b" a key of its first element
 * (shared by the parameters that name it).
 */
typedef struct RfPushdown
{
	const char *column;
	uint32_t	ops;			/* RF_OP_* accepted */
	const char *param;
	const char *lower_param;
	const char *upper_param;
	RfParamLoc	loc;
	RfMulti		multi;
	bool		window;
	int			pad_days;		/* bounds are sent this many days wider */
	bool		shapes;			/* a parameter, not a filter: any qual on
								 * the column must be pushed */

	/*
	 * With bounded set, the smallest integer the API accepts in
	 * lower_param and in upper_param: a bound below it is not sent (the
	 * executor filters alone), since the API would refuse the request.
	 * (What values the column holds is its domain, below.)
	 */
	bool		bounded;
	int64_t		lower_min;
	int64_t		upper_min;

	/* RF_LOC_PATH: the path used when this parameter has a value */
	const char *path;
	/* each value sent is also a constant "column=value" of its series */
	bool		as_const;
	/* RF_MULTI_REPEAT: at most this many values a request (0 = all) */
	int			batch;
	/* the only values the API filters by; with any other, none is sent */
	const char *const *accepted;

	/*
	 * A range sent as UTC dates (YYYY-MM-DD), at most chunk_days days a
	 * request.  The API serves the days from today + horizon_first to
	 * today + horizon_last: a lower bound before that is an error, the
	 * (padded) days sent are clipped to it.
	 */
	int			chunk_days;
	int			horizon_first;
	int			horizon_last;
	/* a date bound is sent as that day's midnight, "yyyy-mm-ddT00:00:00Z" */
	bool		date_as_time;

	/* the values the parameter takes (RfDomain); every entry declares it */
	RfDomain	domain;
} RfPushdown;

/*
 * Required quals, Steampipe-style key columns.  A requirement is met when,
 * for some alternative number, every entry with that number is satisfied.
 */
typedef enum RfRequire
{
	RF_REQ_VALUE,				/* = or IN */
	RF_REQ_RANGE,				/* a lower and an upper bound (or =) */
	RF_REQ_LOWER				/* a lower bound (or =) */
} RfRequire;

typedef struct RfRequired
{
	const char *column;
	RfRequire	kind;
	int			alternative;
} RfRequired;

/* ----------------------------------------------------------------
 *		Pages, sorts, writes
 * ----------------------------------------------------------------
 */

/* Pagination styles */
typedef enum RfPaging
{
	RF_PAGE_NONE,				/* one response holds everything */
	RF_PAGE_NUMBER,				/* page=N&page_size=M, {count, next, results} */
	RF_PAGE_CURSOR,				/* count=M&after=<cursor from next_path> */
	RF_PAGE_OFFSET,				/* offset=K&limit=M, until a short page or count */
	RF_PAGE_HEADER,				/* X-Page-Start/X-Page-Length; 206 = more */
	RF_PAGE_TOKEN				/* opaque next_page token, end_token when done */
} RfPaging;

typedef struct RfPagingSpec
{
	RfPaging	style;
	const char *page_param;		/* page / after / offset / request header */
	const char *size_param;		/* page_size / count / limit / header */
	int			first_page;		/* first page number (RF_PAGE_NUMBER) */
	int			default_size;
	int			max_size;
	const char *count_path;		/* total rows across pages, if given */
	const char *next_path;		/* next URL, cursor, token or header name */
	bool		next_is_url;	/* next_path holds an absolute URL */
	const char *end_token;		/* RF_PAGE_TOKEN: the value that ends */
	bool		in_headers;		/* page/size travel as request headers */
	const char *sort_param;		/* ORDER BY pushdown: key parameter */
	const char *direction_param;	/* and its direction ("asc" / "desc") */
} RfPagingSpec;

/* A column the API can sort by (nulls last ascending, first descending) */
typedef struct RfSort
{
	const char *column;
	const char *key;			/* the API's name for it */
} RfSort;

/*
 * Writes an endpoint accepts (INSERT / UPDATE through the foreign table).
 * The body is a JSON object of the written columns under their JSON
 * names; the response body is the written object, which fills RETURNING.
 */
typedef struct RfWrite
{
	const char *insert_method;	/* e.g. POST; NULL = no INSERT */
	const char *insert_path;
	const char *update_method;	/* e.g. PUT; NULL = no UPDATE */
	const char *update_path;	/* holds {key_column} */
	const char *key_column;		/* identifies a row for UPDATE */
	const char *const *insert_columns;	/* NULL-terminated */
	const char *const *update_columns;
	const char *const *insert_required;
	const char *refuse_column;	/* INSERT with refuse_column = refuse_value */
	const char *refuse_value;	/* is refused with refuse_reason */
	const char *refuse_reason;
	const char *no_delete_reason;	/* why DELETE is not possible */
} RfWrite;

/* ----------------------------------------------------------------
 *		Endpoints and vendors
 * ----------------------------------------------------------------
 */

struct RfOptions;
struct List;

/*
 * A planning hook: the request series (a List of RfSeries) of a scan from
 * its evaluated quals (a List of RfQualValue); *empty when nothing can
 * match.  Only for what the descriptor words cannot say; each hook says
 * why next to its endpoint.
 */
typedef struct List *(*RfPlanHook) (const struct RfOptions *opts,
									struct List *qualvals, bool *empty);

typedef struct RfEndpoint RfEndpoint;
struct RfEndpoint
{
	const char *resource;		/* table name and "resource" option */
	const char *method;			/* GET, POST */
	const char *path;			/* appended to base_url; may hold {param} */
	const char *rows_path;		/* array of rows; NULL = the body is it */
	const char *ok_field;		/* "ok": false at any level is an error */
	const char *error_field;	/* ...whose reason is here (both default
								 * to the vendor's) */
	const char *static_query;	/* always sent, e.g. "is_new=false" */
	const char *body_template;	/* JSON body that pushed values extend */
	bool		idempotent;		/* safe to retry */
	const char *default_window; /* window size for window ranges */
	RfPagingSpec paging;
	const RfColumn *columns;
	int			ncolumns;
	const RfPushdown *pushdown;
	int			npushdown;
	const RfRequired *required;
	int			nrequired;
	const RfSort *sorts;
	int			nsorts;
	const RfOptionDef *options;	/* table options it takes, beyond the core */
	int			noptions;
	double		rows_per_request;	/* planner estimate */
	const RfWrite *write;		/* INSERT / UPDATE, or NULL */
	bool		object_body;	/* the body is one object (rows_path inside it) */
	bool		missing_is_empty;	/* 404 = no row, not an error */
	bool		cacheable;		/* answers are shared within a query */

	/*
	 * GET-by-id endpoints whose ids may also come from a list: without an
	 * id filter the scan first pages through "lister" (its own filters on
	 * the same columns) and then fetches each listed id.
	 */
	const struct RfEndpoint *lister;
	const char *id_column;		/* the pushdown column the ids feed */
	const char *list_id_field;	/* the id in a listed row */
	int			max_concurrency;	/* the vendor's own cap; 0 = none */
	int			max_rows;		/* a response this long may be truncated */

	/* a rows_path some series of the hook use instead of rows_path */
	const char *alt_rows_path;
	RfPlanHook	plan_series;	/* NULL: the generic planner */
};

/* How a vendor authenticates */
typedef enum RfAuth
{
	RF_AUTH_HEADER,				/* auth_header: auth_scheme token */
	RF_AUTH_BASIC,				/* access_key:secret_key */
	RF_AUTH_OAUTH				/* token, or client credentials */
} RfAuth;

/*
 * Times written "yyyy-mm-ddThh:mm:ssZ" that an API may mean as the wall
 * clock of a location's time zone rather than UTC.  A column reads such a
 * time with the path "zclock:<time>;<location>" (jsonpage.h references):
 * under the wall reading the "Z" is dropped and the time is read in the
 * zone of the location the second reference names.  The zones come from
 * one listing per scan of the locations the query's key_column values
 * name (zones_resource filtered by zones_key, its zones_field).  A server
 * option chooses the reading.
 */
typedef struct RfWallClock
{
	const char *option;			/* server option: wall_value or another */
	const char *wall_value;
	bool		wall_default;	/* the reading without the option */
	const char *key_column;		/* pushdown column naming the locations */
	const char *zones_resource; /* the endpoint that lists them */
	const char *zones_key;		/* its pushdown column for their ids */
	const char *zones_field;	/* its column holding the IANA zone */
} RfWallClock;

/* A call that is not a table's (SQL-level actions over vendor_call) */
typedef struct RfAction
{
	const char *name;			/* e.g. "ack_visit" */
	const char *method;
	const char *path;			/* may hold {param} */
} RfAction;

typedef struct RfVendor
{
	const char *name;
	RfAuth		auth;
	const char *auth_header;	/* default header name */
	const char *auth_scheme;	/* default scheme, e.g. Bearer, Token */
	const RfEndpoint *endpoints;
	int			nendpoints;
	int			max_requests_per_second;	/* default pacing; 0 = none */
	const char *token_path;		/* OAuth token endpoint under base_url */
	const char *check_path;		/* the cheapest GET, for check_server */
	const RfOptionDef *options;	/* server and user mapping options */
	int			noptions;
	const char *ok_field;		/* endpoints' default ok / error fields */
	const char *error_field;

	/*
	 * A server option that stands for base_url: base_url is then
	 * base_url_format with the option's value for %s.
	 */
	const char *base_url_option;
	const char *base_url_format;
	const RfAction *actions;
	int			nactions;
	const RfWallClock *wall_clock;	/* "zclock:" columns, or NULL */

	/*
	 * The module's own start-up, called by _PG_init (RF_HOOK): settings
	 * and background workers of features that are the vendor's alone.
	 */
	void		(*init) (void);
} RfVendor;

/* vendors/registry.c: every vendor module */
extern const RfVendor *const rf_vendors[];
extern const int rf_nvendors;

/* vendor.c: lookups over the descriptors (no PostgreSQL needed) */
extern const RfVendor *rf_vendor_lookup(const char *name);
extern const RfEndpoint *rf_endpoint_lookup(const RfVendor *vendor,
											const char *resource);
extern const RfEndpoint *rf_endpoint_find(const char *resource,
										  const RfVendor **vendor);
extern const RfColumn *rf_column_lookup(const RfEndpoint *ep, const char *name);
extern const RfPushdown *rf_pushdown_lookup(const RfEndpoint *ep,
											const char *column);
extern const RfOptionDef *rf_vendor_option(const RfVendor *vendor,
										   const char *name);
extern const RfOptionDef *rf_endpoint_option(const RfEndpoint *ep,
											 const char *name);
extern const RfAction *rf_action_lookup(const RfVendor *vendor,
										const char *name);
extern const char *rf_endpoint_ok_field(const RfVendor *vendor,
										const RfEndpoint *ep);
extern const char *rf_endpoint_error_field(const RfVendor *vendor,
										   const RfEndpoint *ep);
extern const char *rf_type_sql(RfType type);
extern RfDomain rf_pushdown_domain(const RfEndpoint *ep, const RfPushdown *pd);
extern bool rf_domain_admits(const RfDomain *domain, const char *value);
extern int	rf_domain_text(const RfDomain *domain, char *buf, int size);

#endif							/* RF_DESCRIPTOR_H */
