/*-------------------------------------------------------------------------
 *
 * rf_descriptor.h
 *		  The descriptor model: an endpoint, its columns, required quals,
 *		  paging, sorts, writes and options, as plain C data.
 *
 * An endpoint is described by data (RfEndpoint): its path and method, its
 * columns with JSON paths, which columns and operators push down to which
 * parameter and how the values travel (query, JSON body path, path
 * segment; split, repeated, batched, chunked into days), which quals are
 * required, how it pages, and the table options it takes.  A vendor
 * (RfVendor, vendor.h) holds its endpoints, its authentication and its
 * server and user mapping options; a pushed parameter (RfPushdown) is
 * param.h's.  The generic code (reqplan.c, option.c, the scan) interprets
 * the descriptors; adding an endpoint means adding a descriptor, not code.
 *
 * These headers and the vendors' tables need no PostgreSQL header, so that
 * tools built without the server (the fuzz targets in test/fuzz) read the
 * very descriptors the extension reads.
 *
 * The model holds the words every vendor's tables may use: what a REST
 * endpoint can do (page, filter, sort, write, list then get by id, answer
 * 404 for no row, share answers within a query, cap its concurrency, take
 * request-shaping parameters, split a range into windows or day chunks),
 * each interpreted by the generic code.  A word marked "(one vendor)"
 * names such a capability that one vendor's endpoints have today.  What
 * one vendor's document says in its own way is not a word but that
 * vendor's: a hook (rf_hooks.h) its module fills -- a bound read its own
 * way, a sort spelt its own way, a cap its answers do not announce, a
 * planner for its aggregates -- and the data the hook reads stays in the
 * vendor's files.
 *
 * Not here: the hooks a vendor fills where the model has no word
 * (rf_hooks.h), the parsed options (option.h), the HTTP transport
 * (http.h), JSON mapping (json.h, jsonpage.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_DESCRIPTOR_H
#define RF_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "param.h"
#include "rf_hooks.h"

/* ----------------------------------------------------------------
 *		Options
 * ----------------------------------------------------------------
 */

/* Where an option may appear: a bit mask */
#define RF_CTX_SERVER	0x01
#define RF_CTX_MAPPING	0x02
#define RF_CTX_TABLE	0x04
#define RF_CTX_COLUMN	0x08

/* What an option's value is, and so how option.c checks it */
typedef enum RfOptKind
{
	RF_OPT_TEXT,				/* any text (a mapping's: fit for a header) */
	RF_OPT_INT,					/* an integer within min..max */
	RF_OPT_BOOL,				/* true / false, on / off, ... */
	RF_OPT_VENDOR,				/* the name of a registered vendor */
	RF_OPT_URL,					/* an http(s) URL (netpolicy.c's checks) */
	RF_OPT_SECRET,				/* a secret: user mappings only, never shown */
	RF_OPT_INTERVAL,			/* a positive interval */
	RF_OPT_TTL,					/* an interval of zero or more: a lifetime */
	RF_OPT_FILE,				/* a file the backend reads (superusers) */
	RF_OPT_HEADER,				/* an HTTP header name */
	RF_OPT_CHOICE				/* one of choices */
} RfOptKind;

/*
 * One option: where it may appear and how its value is checked.  The core
 * options are in option.c; a vendor adds its server and user mapping
 * options in RfVendor.options, an endpoint its table options in
 * RfEndpoint.options.
 */
typedef struct RfOptionDef
{
	const char *name;			/* as written in OPTIONS (...) */
	int			contexts;		/* where it may appear: RF_CTX_* */
	RfOptKind	kind;			/* what its value is */
	int			min;			/* RF_OPT_INT only: the smallest value */
	int			max;			/* ...and the largest */
	const char *choices;		/* RF_OPT_CHOICE: "a|b|c" */
	/* the vendor's check (plain C): NULL, or the hint refusing the value */
	const char *(*check) (const char *value);
} RfOptionDef;

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

/*
 * One column of an endpoint's rows.  doc says what the value means, in
 * the words of the vendor's document; the column's comment (the catalog,
 * \d+, docs/tables/) starts with it.
 */
typedef struct RfColumn
{
	const char *name;			/* SQL column name (snake_case) */
	RfType		type;			/* what IMPORT FOREIGN SCHEMA declares */
	const char *json_path;		/* reference in a row (jsonpage.h); NULL = name */
	const char *doc;			/* what it means, lower case, no final period */
} RfColumn;

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
	const char *column;			/* a pushdown column */
	RfRequire	kind;			/* what a query must give on it */
	int			alternative;	/* entries of one number go together */
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

/* How an endpoint pages: its style and the parameters that carry it */
typedef struct RfPagingSpec
{
	RfPaging	style;			/* which of the styles above */
	const char *page_param;		/* page / after / offset / request header */
	const char *size_param;		/* page_size / count / limit / header */
	int			first_page;		/* first page number (RF_PAGE_NUMBER) */
	int			default_size;	/* rows a page without page_size option */
	int			max_size;		/* the most the API gives a page */
	const char *count_path;		/* total rows across pages, if given */
	const char *next_path;		/* next URL, cursor, token or header name */
	bool		next_is_url;	/* next_path holds an absolute URL */
	const char *end_token;		/* RF_PAGE_TOKEN: the value that ends (one
								 * vendor) */
	bool		in_headers;		/* page/size travel as request headers
								 * (one vendor) */
} RfPagingSpec;

/* A column the API can sort by (nulls last ascending, first descending) */
typedef struct RfSort
{
	const char *column;			/* the column ORDER BY names */
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
	const char *insert_path;	/* appended to base_url */
	const char *update_method;	/* e.g. PUT; NULL = no UPDATE */
	const char *update_path;	/* holds {key_column} */
	const char *key_column;		/* identifies a row for UPDATE */
	const char *const *insert_columns;	/* what INSERT may set; NULL-ended */
	const char *const *update_columns;	/* what UPDATE may set */
	const char *const *insert_required; /* what INSERT must set */
	const char *insert_key;		/* INSERT's body is {insert_key: {...}}, or NULL */
	const char *answer_path;	/* the written object in the answer, or NULL */
	/*
	 * Why the API refuses to create a row with this value (text) in this
	 * column, or NULL: the vendor's own rule, checked before any request
	 */
	const char *(*refuse_insert) (const char *column, const char *value);
	const char *no_delete_reason;	/* why DELETE is not possible */
} RfWrite;

/*
 * A parameter every request of an endpoint sends: "name=value" in the
 * query (value as written), or JSON text at a body path (param.h) of the
 * body, which it makes a POST send even without one.  A fixed one is sent
 * before the pushed parameters, unless a pushed one of the same name and
 * place takes its place (a default the query overrides).  One with an option is sent, after them,
 * only when the table sets that option (one of the endpoint's options):
 * its value is then the option's, as a JSON string in a body (as the one
 * element of an array where value is "[]"), as written in a query.
 */
typedef struct RfConstant
{
	RfParamLoc	loc;			/* RF_LOC_QUERY or RF_LOC_BODY */
	const char *name;			/* query parameter or body path */
	const char *value;			/* query text or JSON text ("[]": see above) */
	const char *option;			/* a table option giving the value, or NULL */
} RfConstant;

/* ----------------------------------------------------------------
 *		Endpoints and vendors
 * ----------------------------------------------------------------
 */

/* One endpoint: a foreign table.  Each nX counts the array X before it. */
typedef struct RfEndpoint RfEndpoint;
struct RfEndpoint
{
	const char *resource;		/* table name and "resource" option */
	const char *doc;			/* what a row is: "One row per ..." (no final
								 * period; starts the table's comment) */
	const char *method;			/* GET, POST */
	const char *path;			/* appended to base_url; may hold {param} */
	const char *rows_path;		/* array of rows; NULL = the body is it */
	const RfConstant *constants;	/* sent by every request (two vendors) */
	int			nconstants;
	bool		idempotent;		/* safe to retry */
	RfPagingSpec paging;		/* how it pages */
	const RfColumn *columns;	/* its columns, as IMPORT declares them */
	int			ncolumns;
	const RfPushdown *pushdown; /* the quals it takes (param.h) */
	int			npushdown;
	const RfRequired *required; /* the quals it needs */
	int			nrequired;
	const RfSort *sorts;		/* ORDER BY it takes, spelt by the hook
								 * sort_query (one vendor) */
	int			nsorts;
	const RfOptionDef *options;	/* table options it takes, beyond the core */
	int			noptions;
	double		rows_per_request;	/* planner estimate */
	const RfWrite *write;		/* INSERT / UPDATE, or NULL (one vendor) */
	bool		object_body;	/* the body is one object, rows_path inside
								 * it (one vendor) */
	bool		missing_is_empty;	/* 404 = no row, not an error (one vendor) */
	bool		cacheable;		/* answers shared within a query (one vendor) */

	/*
	 * GET by id, the ids also from a list: without an id filter the scan
	 * pages through "lister" (its own filters on the same columns), then
	 * fetches each listed id.  (One vendor, for these three.)
	 */
	const struct RfEndpoint *lister;
	const char *id_column;		/* the pushdown column the ids feed */
	const char *list_id_field;	/* the id in a listed row */
	int			max_concurrency;	/* the vendor's cap; 0 = none (one vendor) */
	const RfEndpointHooks *hooks;	/* its vendor's hooks (RF_HOOK), or NULL */
};

#endif							/* RF_DESCRIPTOR_H */
