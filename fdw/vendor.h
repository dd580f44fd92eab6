/*-------------------------------------------------------------------------
 *
 * vendor.h
 *		  Vendors in the descriptor model: how each authenticates, its
 *		  endpoints, options and actions; the registry of vendor modules and
 *		  the lookups over their tables (vendor.c).
 *
 * Each vendor is a module, fdw/vendors/<vendor>/, whose <vendor>.c holds
 * its RfVendor and endpoint tables as plain C data (no PostgreSQL header:
 * the fuzz targets in test/fuzz build them standalone).  Hooks for what
 * data cannot describe are named with RF_HOOK(), which a standalone build
 * (RF_STANDALONE) leaves out.  fdw/vendors/registry.c lists the modules.
 *
 * Not here: what an endpoint is (rf_descriptor.h), the parsed options of a
 * server (option.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_VENDOR_H
#define RF_VENDOR_H

#include <stddef.h>

#include "rf_descriptor.h"

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
#define CONSTS(c)	.constants = c, .nconstants = RF_LENGTHOF(c)

/* A planning hook, or nothing where no planner is linked in */
#ifdef RF_STANDALONE
#define RF_HOOK(f)	NULL
#else
#define RF_HOOK(f)	f
#endif

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
 * option chooses the reading.  (One vendor; read by scan.c,
 * json.c and option.c.)
 */
typedef struct RfWallClock
{
	const char *option;			/* server option: wall_value or another */
	const char *wall_value;		/* ...the value that reads the wall clock */
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
	const char *method;			/* GET, POST, DELETE */
	const char *path;			/* appended to base_url; may hold {param} */
} RfAction;

/* A vendor module: what it is called, how it authenticates, what it has */
typedef struct RfVendor
{
	const char *name;			/* the server option "vendor" */
	RfAuth		auth;			/* how requests authenticate */
	const char *auth_header;	/* default header name */
	const char *auth_scheme;	/* default scheme, e.g. Bearer, Token */
	const RfEndpoint *endpoints;	/* its tables */
	int			nendpoints;
	int			max_requests_per_second;	/* default pacing; 0 = none (one
											 * vendor) */
	const char *token_path;		/* OAuth token endpoint under base_url;
								 * required with RF_AUTH_OAUTH */
	const char *check_path;		/* the cheapest GET, for check_server */
	const RfOptionDef *options;	/* server and user mapping options */
	int			noptions;

	/*
	 * "ok": false at any level of an answer is an error, whose reason is
	 * in error_field (one vendor; jsonpage.c checks it)
	 */
	const char *ok_field;
	const char *error_field;

	/*
	 * Whether a server option of the vendor stands for base_url (plain C):
	 * true, with the URL written to buf when buf is not NULL, if it does
	 */
	bool		(*base_url) (const char *option, const char *value,
							 char *buf, size_t size);
	const RfAction *actions;	/* calls that are not a table's */
	int			nactions;
	const RfWallClock *wall_clock;	/* "zclock:" columns, or NULL (one
									 * vendor) */

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

#endif							/* RF_VENDOR_H */
