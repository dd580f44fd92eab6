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
 * very descriptors the extension reads.  Hooks for the rare endpoint that
 * data cannot describe take opaque pointers; RF_HOOK() names them, and a
 * standalone build (RF_STANDALONE) leaves them out.
 *
 * Not here: the parsed options (option.h), the HTTP transport (http.h),
 * JSON mapping (json.h, jsonpage.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_DESCRIPTOR_H
#define RF_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "param.h"

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
	/*
	 * The vendor's own check of a value (plain C): NULL when it is valid,
	 * else the hint of the error that refuses it
	 */
	const char *(*check) (const char *value);
	/* a table option that shapes requests: sent under this body key */
	const char *body_key;
	bool		body_array;		/* ...as a one-element array */
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

/* One column of an endpoint's rows */
typedef struct RfColumn
{
	const char *name;			/* SQL column name (snake_case) */
	RfType		type;
	const char *json_path;		/* reference in a row (jsonpage.h); NULL = name */
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
	/*
	 * Why the API refuses to create a row with this value (text) in this
	 * column, or NULL: the vendor's own rule, checked before any request
	 */
	const char *(*refuse_insert) (const char *column, const char *value);
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

#endif							/* RF_DESCRIPTOR_H */
