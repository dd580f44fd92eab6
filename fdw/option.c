/*-------------------------------------------------------------------------
 *
 * option.c
 *		  Validation of retail_fdw options and their parsed form.
 *
 * Every option is declared once, with the catalogs it may appear in and
 * how its value is checked (RfOptionDef).  The validator walks that
 * table; the getters turn catalog options into RfOptions / RfCredentials.
 * A user mapping's option names depend on its server's vendor, which the
 * validator is not told: an object access hook checks them once the
 * mapping is stored (rf_option_init).
 *
 * Secrets (tokens, keys) are accepted in user mappings only: server and
 * table options are readable by anyone with USAGE, while pg_user_mappings
 * hides a mapping's options from other users.  No error message here ever
 * prints an option's value when the option is a secret.
 *
 * The core options are declared here; a vendor's own server and user
 * mapping options and an endpoint's table options are declared in their
 * descriptors (rf_descriptor.h), and checked by the same code.
 *
 * Not here: what a vendor's endpoint accepts (vendor_*.c) and URL checks
 * that need a URL parser (http.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "option.h"
#include "netpolicy.h"
#include "vendor.h"

PG_FUNCTION_INFO_V1(retail_fdw_validator);

static object_access_hook_type prev_object_access_hook = NULL;

/*
 * The core options: those of every vendor.  A vendor declares its own
 * server and user mapping options in its descriptor (RfVendor.options),
 * an endpoint its table options (RfEndpoint.options); option.c knows no
 * vendor by name.
 */
static const RfOptionDef rf_core_options[] = {
	/* server */
	{"vendor", RF_CTX_SERVER, RF_OPT_VENDOR},
	{"base_url", RF_CTX_SERVER, RF_OPT_URL},
	{"timeout_ms", RF_CTX_SERVER, RF_OPT_INT, 1, 3600 * 1000},
	{"connect_timeout_ms", RF_CTX_SERVER, RF_OPT_INT, 1, 600 * 1000},
	{"max_retries", RF_CTX_SERVER, RF_OPT_INT, 0, 20},
	{"retry_max_wait_ms", RF_CTX_SERVER, RF_OPT_INT, 0, 600 * 1000},
	{"max_concurrency", RF_CTX_SERVER, RF_OPT_INT, 1, 64},
	{"max_requests_per_second", RF_CTX_SERVER, RF_OPT_INT, 0, 100000},
	{"max_response_bytes", RF_CTX_SERVER, RF_OPT_INT, 1024, INT_MAX},
	{"verify_tls", RF_CTX_SERVER, RF_OPT_BOOL},
	{"ca_file", RF_CTX_SERVER, RF_OPT_FILE},
	/* server or table (the table's wins) */
	{"page_size", RF_CTX_SERVER | RF_CTX_TABLE, RF_OPT_INT, 1, 100000},
	{"cache_ttl", RF_CTX_SERVER | RF_CTX_TABLE, RF_OPT_TTL},
	{"cache_ttl_past", RF_CTX_SERVER | RF_CTX_TABLE, RF_OPT_TTL},
	/* foreign table */
	{"resource", RF_CTX_TABLE, RF_OPT_TEXT},
	{"window", RF_CTX_TABLE, RF_OPT_INTERVAL},
	/* column */
	{"json_path", RF_CTX_COLUMN, RF_OPT_TEXT},
};

/* Defaults of the transport limits */
#define RF_DEFAULT_TIMEOUT_MS			30000
#define RF_DEFAULT_CONNECT_TIMEOUT_MS	10000
#define RF_DEFAULT_MAX_RETRIES			3
#define RF_DEFAULT_RETRY_MAX_WAIT_MS	30000
#define RF_DEFAULT_MAX_CONCURRENCY		4
#define RF_DEFAULT_MAX_RESPONSE_BYTES	(64 * 1024 * 1024)

static int
catalog_context(Oid catalog)
{
	switch (catalog)
	{
		case ForeignServerRelationId:
			return RF_CTX_SERVER;
		case UserMappingRelationId:
			return RF_CTX_MAPPING;
		case ForeignTableRelationId:
			return RF_CTX_TABLE;
		case AttributeRelationId:
			return RF_CTX_COLUMN;
		default:
			return 0;
	}
}

/*
 * Whose options apply: a vendor (NULL: not known, as for a user mapping,
 * whose validator is not told the server) and an endpoint (NULL: not
 * known, as for a table without a "resource" option).  What is not known
 * is every vendor's, or every endpoint's.
 */
typedef struct OptionScope
{
	const RfVendor *vendor;
	const RfEndpoint *endpoint;
} OptionScope;

static const RfOptionDef *
find_in(const RfOptionDef *defs, int n, const char *name, int context)
{
	for (int i = 0; i < n; i++)
	{
		if (strcmp(defs[i].name, name) == 0 && (defs[i].contexts & context))
			return &defs[i];
	}
	return NULL;
}

/* The definition of an option valid in a context and scope, or NULL */
static const RfOptionDef *
find_option(const char *name, int context, const OptionScope *scope)
{
	const RfOptionDef *od = find_in(rf_core_options, lengthof(rf_core_options),
									name, context);

	for (int v = 0; od == NULL && v < rf_nvendors; v++)
	{
		const RfVendor *vendor = rf_vendors[v];

		if (scope->vendor && scope->vendor != vendor)
			continue;
		od = find_in(vendor->options, vendor->noptions, name, context);
		for (int e = 0; od == NULL && e < vendor->nendpoints; e++)
		{
			const RfEndpoint *ep = &vendor->endpoints[e];

			if (scope->endpoint == NULL || scope->endpoint == ep)
				od = find_in(ep->options, ep->noptions, name, context);
		}
	}
	return od;
}

/* An option of any context, vendor or endpoint */
static const RfOptionDef *
any_option(const char *name)
{
	static const OptionScope everyone = {NULL, NULL};

	return find_option(name, RF_CTX_SERVER | RF_CTX_MAPPING | RF_CTX_TABLE |
					   RF_CTX_COLUMN, &everyone);
}

bool
rf_is_secret_option(const char *name)
{
	const RfOptionDef *def = any_option(name);

	return def != NULL && def->kind == RF_OPT_SECRET;
}

/*
 * Append the names of the options valid in a context to a list, each
 * once: vendors share the options of a way to authenticate.
 */
static void
append_names(List **names, const RfOptionDef *defs, int n, int context)
{
	for (int i = 0; i < n; i++)
	{
		ListCell   *lc;
		bool		seen = false;

		if ((defs[i].contexts & context) == 0)
			continue;
		foreach(lc, *names)
			seen |= (strcmp(lfirst(lc), defs[i].name) == 0);
		if (!seen)
			*names = lappend(*names, (char *) defs[i].name);
	}
}

/* The options valid in one context and scope, for a hint */
static char *
valid_option_names(int context, const OptionScope *scope)
{
	List	   *names = NIL;
	StringInfoData buf;
	ListCell   *lc;

	append_names(&names, rf_core_options, lengthof(rf_core_options), context);
	for (int v = 0; v < rf_nvendors; v++)
	{
		const RfVendor *vendor = rf_vendors[v];

		if (scope->vendor && scope->vendor != vendor)
			continue;
		append_names(&names, vendor->options, vendor->noptions, context);
		for (int e = 0; e < vendor->nendpoints; e++)
		{
			const RfEndpoint *ep = &vendor->endpoints[e];

			if (scope->endpoint == NULL || scope->endpoint == ep)
				append_names(&names, ep->options, ep->noptions, context);
		}
	}
	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", (char *) lfirst(lc));
	return buf.data;
}

/* Comma-separated lists, for hints */
char *
rf_vendor_names(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < rf_nvendors; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", rf_vendors[i]->name);
	return buf.data;
}

char *
rf_resource_names(const RfVendor *vendor)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < vendor->nendpoints; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "",
						 vendor->endpoints[i].resource);
	if (vendor->nendpoints == 0)
		appendStringInfoString(&buf, "(none yet)");
	return buf.data;
}

/*
 * Parse an integer option strictly: the whole string, within [min, max].
 */
static int
parse_int_option(const char *name, const char *value, int min, int max)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", name, value),
				 errhint("Valid values in this context are integers between %d and %d.",
						 min, max)));
	return (int) v;
}

static bool
parse_bool_option(const char *name, const char *value)
{
	bool		result;

	if (!parse_bool(value, &result))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", name, value),
				 errhint("Valid values are true and false.")));
	return result;
}

/*
 * An option's value as an interval, or NULL when it is not one.  The
 * parse is interval_in's own steps, which return an error code instead of
 * raising: an error caught without a subtransaction is not safe to swallow
 * in PostgreSQL (whatever the failing code held is left as it was), so
 * nothing here raises and nothing is caught.
 */
static Interval *
option_interval(const char *value)
{
	char		workbuf[256];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf;
	int			dtype;
	struct pg_itm_in itm;
	Interval   *iv = palloc(sizeof(Interval));
	int			rc;

	rc = ParseDateTime(value, workbuf, sizeof(workbuf), field, ftype,
					   MAXDATEFIELDS, &nf);
	if (rc == 0)
		rc = DecodeInterval(field, ftype, nf, INTERVAL_FULL_RANGE, &dtype, &itm);
	if (rc == DTERR_BAD_FORMAT)
	{
		/* interval_in tries ISO 8601 ("P1D", "PT6H") next */
		char	   *copy = pstrdup(value);

		rc = DecodeISO8601Interval(copy, &dtype, &itm);
	}
	if (rc != 0 || dtype != DTK_DELTA || itmin2interval(&itm, iv) != 0)
		return NULL;
	return iv;
}

/*
 * A window is an interval of days and time (months have no fixed length),
 * or "none" to send a range in one request series.
 */
static void
check_window(const char *value)
{
	Interval   *iv;

	if (pg_strcasecmp(value, "none") == 0)
		return;
	iv = option_interval(value);
	if (iv == NULL || iv->month != 0 ||
		(int64) iv->day * USECS_PER_DAY + iv->time < USECS_PER_MINUTE)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"window\": \"%s\"", value),
				 errhint("Use an interval of at least one minute in days, hours or minutes, such as '1 day' or '6 hours', or 'none'.")));
}

/*
 * A lifetime of the response cache: an interval of zero or more (zero
 * turns the cache off), in microseconds.  Months count 30 days.
 */
static int64
parse_ttl(const char *name, const char *value)
{
	Interval   *iv = option_interval(value);

	if (iv == NULL || iv->month < 0 || iv->day < 0 || iv->time < 0 ||
		iv->month > 12 * 100 || iv->day > 36500 ||
		iv->time > (int64) 36500 * USECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", name, value),
				 errhint("Use an interval of zero or more, such as '5 minutes' or '1 day'; '0' turns the response cache off.")));
	return ((int64) iv->month * DAYS_PER_MONTH + iv->day) * USECS_PER_DAY + iv->time;
}

/* Whether a string holds a control character (what header injection needs) */
bool
rf_has_control_chars(const char *s)
{
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		if (*p < 0x20 || *p == 0x7f)
			return true;
	}
	return false;
}

/*
 * A value that travels in an HTTP header (or in a request body next to
 * one) must not hold a control character: a carriage return or line feed
 * would end the header and let the value add headers of its own.  The
 * value is never printed: it may be a secret.
 */
void
rf_check_header_value(const char *option, const char *value)
{
	if (value != NULL && rf_has_control_chars(value))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": it contains a control character",
						option),
				 errdetail("The value is sent in an HTTP header, where a line break would add headers."),
				 errhint("Remove carriage returns, line feeds, tabs and other control characters from the value.")));
}

/*
 * The name of the header that carries the token (auth_header): a token
 * header, never one that frames the message or routes it.  Host would
 * send the request to another virtual host than base_url names;
 * Content-Length and Transfer-Encoding would let the body be read as
 * something else (request smuggling); Connection, Upgrade, TE, Trailer,
 * Expect, Keep-Alive and Proxy-* change how the connection or a proxy
 * treats the exchange.  Checked at CREATE/ALTER USER MAPPING and again at
 * use (mappings made before this check).
 */
void
rf_check_auth_header(const char *value)
{
	static const char *const refused[] = {
		"Host", "Content-Length", "Transfer-Encoding", "Connection",
		"Upgrade", "TE", "Trailer", "Expect", "Keep-Alive"
	};

	if (*value == '\0' || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(value))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"auth_header\": \"%s\"", value),
				 errhint("A header name consists of letters, digits, '-' and '_'.")));
	for (int i = 0; i < (int) lengthof(refused); i++)
	{
		if (pg_strcasecmp(value, refused[i]) == 0 ||
			pg_strncasecmp(value, "Proxy-", 6) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("invalid value for option \"auth_header\": \"%s\"", value),
					 errdetail("%s is a header that frames or routes the request, not one that can carry a token.",
							   value),
					 errhint("Name the header the vendor reads the token from, such as Authorization or X-Api-Key; Host, Content-Length, Transfer-Encoding, Connection, Upgrade, TE, Trailer, Expect, Keep-Alive and Proxy-* are refused.")));
	}
}

/*
 * A CA file is read by the backend: only superusers may point it anywhere;
 * others are limited to the system's certificate directories.
 */
static void
check_ca_file(const char *value)
{
	if (!is_absolute_path(value))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"ca_file\": \"%s\"", value),
				 errhint("Give an absolute path to a PEM file.")));
	if (!superuser() &&
		(strncmp(value, "/etc/ssl/", 9) != 0 || strstr(value, "..") != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers may set \"ca_file\" outside /etc/ssl/")));
}

static void
check_option_value(const RfOptionDef *def, const char *value)
{
	switch (def->kind)
	{
		case RF_OPT_INT:
			(void) parse_int_option(def->name, value, def->min, def->max);
			break;
		case RF_OPT_BOOL:
			if (!parse_bool_option(def->name, value) &&
				strcmp(def->name, "verify_tls") == 0 && !superuser())
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("only superusers may turn off \"verify_tls\""),
						 errhint("Give the server's CA certificate with \"ca_file\" instead.")));
			break;
		case RF_OPT_VENDOR:
			if (rf_vendor_lookup(value) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"vendor\": \"%s\"", value),
						 errhint("Valid values are: %s.", rf_vendor_names())));
			break;
		case RF_OPT_URL:
			rf_http_check_url(value, def->name);
			break;
		case RF_OPT_SECRET:
			if (*value == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"%s\" must not be empty", def->name)));
			rf_check_header_value(def->name, value);
			break;
		case RF_OPT_INTERVAL:
			check_window(value);
			break;
		case RF_OPT_TTL:
			(void) parse_ttl(def->name, value);
			break;
		case RF_OPT_FILE:
			check_ca_file(value);
			break;
		case RF_OPT_HEADER:
			rf_check_header_value(def->name, value);
			rf_check_auth_header(value);
			break;
		case RF_OPT_CHOICE:
			{
				char	   *list = pstrdup(def->choices);
				char	   *save;
				bool		ok = false;

				for (char *c = strtok_r(list, "|", &save); c; c = strtok_r(NULL, "|", &save))
					ok |= (strcmp(c, value) == 0);
				if (!ok)
				{
					StringInfoData shown;

					initStringInfo(&shown);
					for (const char *p = def->choices; *p; p++)
					{
						if (*p == '|')
							appendStringInfoString(&shown, ", ");
						else
							appendStringInfoChar(&shown, *p);
					}
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"", def->name, value),
							 errhint("Valid values are: %s.", shown.data)));
				}
				break;
			}
		case RF_OPT_TEXT:
			if (def->contexts == RF_CTX_MAPPING)
				rf_check_header_value(def->name, value);
			if (def->check)
			{
				const char *hint = def->check(value);

				if (hint)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"", def->name, value),
							 errhint("%s", hint)));
			}
			break;
	}
}

/*
 * Checks that concern the server's options as a whole: a vendor, and a
 * base URL or the vendor's option that stands for one.
 */
static void
check_server_options(List *options, const RfVendor *vendor)
{
	bool		has_url = false;
	const char *vendor_name = NULL;
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "vendor") == 0)
			vendor_name = defGetString(def);
		else if (strcmp(def->defname, "base_url") == 0 ||
				 (vendor && vendor->base_url &&
				  vendor->base_url(def->defname, defGetString(def), NULL, 0)))
			has_url = true;
	}

	if (vendor_name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("a retail_fdw server needs the option \"vendor\""),
				 errhint("Valid vendors are: %s.", rf_vendor_names())));
	if (!has_url)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("a retail_fdw server needs the option \"base_url\""),
				 errhint("For example OPTIONS (vendor '%s', base_url 'https://api.example.com').",
						 vendor_name)));
}

/*
 * The scope of an object's options, from the options themselves: a
 * server's vendor, a table's resource (resource names are unique across
 * vendors).  What the options do not say stays unknown.
 */
static OptionScope
option_scope(List *options, int context)
{
	OptionScope scope = {NULL, NULL};
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (context == RF_CTX_SERVER && strcmp(def->defname, "vendor") == 0)
			scope.vendor = rf_vendor_lookup(defGetString(def));
		else if (context == RF_CTX_TABLE && strcmp(def->defname, "resource") == 0)
			scope.endpoint = rf_endpoint_find(defGetString(def), &scope.vendor);
	}
	return scope;
}

/* The vendors that declare an option, for a message */
static char *
vendors_declaring(const char *name, int context)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int v = 0; v < rf_nvendors; v++)
	{
		OptionScope scope = {rf_vendors[v], NULL};

		if (find_option(name, context, &scope))
			appendStringInfo(&buf, "%s\"%s\"", buf.len ? ", " : "",
							 rf_vendors[v]->name);
	}
	return buf.len ? buf.data : NULL;
}

/*
 * An option that is not valid here: the message says whose it is when it
 * belongs to another vendor or resource, and the hint lists what is valid.
 */
static void
invalid_option(const char *name, int context, const OptionScope *scope)
{
	char	   *owners = NULL;

	if (context == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\"", name),
				 errhint("retail_fdw takes no options on the foreign-data wrapper itself.")));
	if (scope->vendor && (context & (RF_CTX_SERVER | RF_CTX_MAPPING)))
		owners = vendors_declaring(name, context);
	if (owners)
	{
		const RfOptionDef *od = any_option(name);
		bool		stands_for_url = false;

		for (int v = 0; v < rf_nvendors; v++)
			stands_for_url |= (rf_vendors[v]->base_url &&
							   rf_vendors[v]->base_url(od->name, "", NULL, 0));
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"%s\" applies to vendor %s only", name, owners),
				 stands_for_url ?
				 errhint("Give \"base_url\" instead.") :
				 errhint("Valid options for vendor \"%s\" in this context are: %s.",
						 scope->vendor->name, valid_option_names(context, scope))));
	}
	if (scope->endpoint)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\" for resource \"%s\" of vendor \"%s\"",
						name, scope->endpoint->resource, scope->vendor->name),
				 errhint("Valid options for a foreign table of resource \"%s\" are: %s.",
						 scope->endpoint->resource, valid_option_names(context, scope))));
	if (context == RF_CTX_TABLE)
	{
		/* no resource named: every table's options, not every endpoint's */
		List	   *names = NIL;
		StringInfoData buf;
		ListCell   *lc;

		append_names(&names, rf_core_options, lengthof(rf_core_options), context);
		initStringInfo(&buf);
		foreach(lc, names)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", (char *) lfirst(lc));
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\"", name),
				 errdetail("No resource of any vendor takes it."),
				 errhint("Valid options for every foreign table are: %s.  A resource adds its own, listed once the table names it, for example: CREATE FOREIGN TABLE t (...) SERVER s OPTIONS (resource '<one of the vendor's tables>');",
						 buf.data)));
	}
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
			 errmsg("invalid option \"%s\"", name),
			 errhint("Valid options in this context are: %s.",
					 valid_option_names(context, scope))));
}

/*
 * Validate the options of a retail_fdw object.  PostgreSQL calls this for
 * CREATE and ALTER of servers, user mappings, foreign tables and columns,
 * with the complete resulting option list -- but not with the object's
 * server.  A server's options name its vendor and a table's "resource"
 * names its endpoint, so both are checked against exactly their own
 * options.  A user mapping's values are checked here, its names once the
 * mapping is stored and its server known (check_mapping_options); a table
 * without "resource" is checked against every endpoint's options here and
 * against its own by the extension's event trigger and at use
 * (rf_get_options).
 */
Datum
retail_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	int			context = catalog_context(catalog);
	OptionScope scope = option_scope(options, context);
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const RfOptionDef *od = any_option(def->defname);

		if (od != NULL && od->kind == RF_OPT_SECRET && context != RF_CTX_MAPPING)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"%s\" is a secret and is accepted only in a user mapping",
							def->defname),
					 errdetail("Server and table options are visible to every user with USAGE on the server."),
					 errhint("Use CREATE USER MAPPING FOR CURRENT_USER SERVER ... OPTIONS (%s '...').",
							 def->defname)));
		od = find_option(def->defname, context, &scope);
		/* a mapping's names are checked against its server's vendor */
		if (od == NULL && context == RF_CTX_MAPPING)
			continue;
		if (od == NULL)
			invalid_option(def->defname, context, &scope);
		check_option_value(od, defGetString(def));
	}

	if (context == RF_CTX_SERVER)
		check_server_options(options, scope.vendor);

	PG_RETURN_VOID();
}

/*
 * Fill the server part of RfOptions, applying defaults.
 */
void
rf_get_server_options(ForeignServer *server, RfOptions *opts)
{
	const char *url_option = NULL;	/* the vendor's option for base_url */
	const char *url_value = NULL;
	ListCell   *lc;

	memset(opts, 0, sizeof(RfOptions));
	opts->serverid = server->serverid;
	opts->servername = server->servername;
	opts->timeout_ms = RF_DEFAULT_TIMEOUT_MS;
	opts->connect_timeout_ms = RF_DEFAULT_CONNECT_TIMEOUT_MS;
	opts->max_retries = RF_DEFAULT_MAX_RETRIES;
	opts->retry_max_wait_ms = RF_DEFAULT_RETRY_MAX_WAIT_MS;
	opts->max_concurrency = RF_DEFAULT_MAX_CONCURRENCY;
	opts->max_response_bytes = RF_DEFAULT_MAX_RESPONSE_BYTES;
	opts->verify_tls = true;

	opts->max_requests_per_second = -1;	/* the vendor's default */
	opts->server_options = server->options;
	foreach(lc, server->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "vendor") == 0)
			opts->vendor = rf_vendor_lookup(defGetString(def));
	}
	if (opts->vendor == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no valid \"vendor\" option",
						server->servername)));

	foreach(lc, server->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const char *name = def->defname;
		const char *value = defGetString(def);
		const RfOptionDef *od = find_in(rf_core_options, lengthof(rf_core_options),
										name, RF_CTX_SERVER);

		if (opts->vendor->base_url &&
			opts->vendor->base_url(name, value, NULL, 0))
		{
			url_option = name;
			url_value = value;
		}
		if (od == NULL)
			continue;
		if (strcmp(name, "base_url") == 0)
			opts->base_url = pstrdup(value);
		else if (strcmp(name, "verify_tls") == 0)
			opts->verify_tls = parse_bool_option(name, value);
		else if (strcmp(name, "ca_file") == 0)
			opts->ca_file = pstrdup(value);
		else if (strcmp(name, "cache_ttl") == 0)
			opts->cache_ttl = parse_ttl(name, value);
		else if (strcmp(name, "cache_ttl_past") == 0)
			opts->cache_ttl_past = parse_ttl(name, value);
		else if (od->kind == RF_OPT_INT)
		{
			int			v = parse_int_option(name, value, od->min, od->max);

			if (strcmp(name, "timeout_ms") == 0)
				opts->timeout_ms = v;
			else if (strcmp(name, "connect_timeout_ms") == 0)
				opts->connect_timeout_ms = v;
			else if (strcmp(name, "max_retries") == 0)
				opts->max_retries = v;
			else if (strcmp(name, "retry_max_wait_ms") == 0)
				opts->retry_max_wait_ms = v;
			else if (strcmp(name, "max_concurrency") == 0)
				opts->max_concurrency = v;
			else if (strcmp(name, "max_requests_per_second") == 0)
				opts->max_requests_per_second = v;
			else if (strcmp(name, "max_response_bytes") == 0)
				opts->max_response_bytes = v;
			else if (strcmp(name, "page_size") == 0)
				opts->page_size = v;
		}
	}

	if (opts->base_url == NULL && url_option != NULL)
	{
		/* the URL the vendor's option stands for */
		Size		size = strlen(url_value) + 256;
		char	   *buf = palloc(size);

		if (opts->vendor->base_url(url_option, url_value, buf, size))
			opts->base_url = buf;
	}
	if (opts->base_url == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"base_url\" option",
						server->servername)));

	/* the documented paths all start with a slash */
	{
		int			len = strlen(opts->base_url);

		while (len > 0 && opts->base_url[len - 1] == '/')
			opts->base_url[--len] = '\0';
	}
}

/*
 * A table's options against its endpoint's, now that the server says
 * whose they are: the validator could not tell for a table without a
 * "resource" option.
 */
static void
check_table_options(Oid foreigntableid, const RfOptions *opts)
{
	OptionScope scope = {opts->vendor, opts->endpoint};
	ListCell   *lc;

	foreach(lc, opts->table_options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const RfOptionDef *od = find_option(def->defname, RF_CTX_TABLE, &scope);

		if (od == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\" for resource \"%s\" of vendor \"%s\"",
							def->defname, opts->endpoint->resource,
							opts->vendor->name),
					 errdetail("Foreign table \"%s\" has the option.",
							   get_rel_name(foreigntableid)),
					 errhint("Valid options for a foreign table of resource \"%s\" are: %s.",
							 opts->endpoint->resource,
							 valid_option_names(RF_CTX_TABLE, &scope))));
		check_option_value(od, defGetString(def));
	}
}

/* The value of a table option, or NULL */
const char *
rf_table_option(const RfOptions *opts, const char *name)
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

/* A server option's value, or NULL: for options a vendor declares */
const char *
rf_server_option(const RfOptions *opts, const char *name)
{
	ListCell   *lc;

	foreach(lc, opts->server_options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, name) == 0)
			return defGetString(def);
	}
	return NULL;
}

/*
 * Whether the server reads its vendor's "Z" times as wall clock (see
 * RfWallClock): its option says so, or the vendor's default does.
 */
bool
rf_wall_clock_reading(const RfOptions *opts)
{
	const RfWallClock *wc = opts->vendor ? opts->vendor->wall_clock : NULL;
	const char *v;

	if (wc == NULL)
		return false;
	v = rf_server_option(opts, wc->option);
	return v ? strcmp(v, wc->wall_value) == 0 : wc->wall_default;
}

/*
 * Fill RfOptions for a foreign table: its server's options, then its own.
 * The endpoint is the "resource" option, or the table's name when that
 * names a resource of the vendor.
 */
void
rf_get_options(Oid foreigntableid, RfOptions *opts)
{
	ForeignTable *table = GetForeignTable(foreigntableid);
	ForeignServer *server = GetForeignServer(table->serverid);
	const char *resource = NULL;
	ListCell   *lc;

	rf_get_server_options(server, opts);
	opts->table_options = table->options;

	/* a table's cache options replace the server's as a pair */
	if (rf_table_option(opts, "cache_ttl") || rf_table_option(opts, "cache_ttl_past"))
		opts->cache_ttl = opts->cache_ttl_past = 0;

	foreach(lc, table->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "resource") == 0)
			resource = defGetString(def);
		else if (strcmp(def->defname, "window") == 0)
			opts->window = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "page_size") == 0)
			opts->page_size = parse_int_option("page_size", defGetString(def),
											   1, 100000);
		else if (strcmp(def->defname, "cache_ttl") == 0)
			opts->cache_ttl = parse_ttl("cache_ttl", defGetString(def));
		else if (strcmp(def->defname, "cache_ttl_past") == 0)
			opts->cache_ttl_past = parse_ttl("cache_ttl_past", defGetString(def));
	}

	if (resource == NULL)
		resource = get_rel_name(foreigntableid);
	opts->endpoint = rf_endpoint_lookup(opts->vendor, resource);
	if (opts->endpoint == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
				 errmsg("vendor \"%s\" has no resource \"%s\"",
						opts->vendor->name, resource),
				 errdetail("Foreign table \"%s\" uses server \"%s\".",
						   get_rel_name(foreigntableid), server->servername),
				 errhint("Set OPTIONS (resource '...') to one of: %s.",
						 rf_resource_names(opts->vendor))));

	check_table_options(foreigntableid, opts);
	if (opts->page_size > opts->endpoint->paging.max_size &&
		opts->endpoint->paging.max_size > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("page_size %d exceeds the maximum of %d for %s",
						opts->page_size, opts->endpoint->paging.max_size,
						opts->endpoint->resource),
				 errhint("Set page_size between 1 and %d.",
						 opts->endpoint->paging.max_size)));
}

/* The vendor a server's options name, or NULL */
static const RfVendor *
server_vendor(ForeignServer *server)
{
	ListCell   *lc;

	foreach(lc, server->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "vendor") == 0)
			return rf_vendor_lookup(defGetString(def));
	}
	return NULL;
}

/*
 * A user mapping's options against its server's vendor: an option of
 * another vendor (a mapping with an option only another vendor
 * takes) or of none is
 * refused, with the vendor's own options in the hint.  The validator
 * cannot do it (it is not told the server); the object access hook below
 * does it when a mapping is created or altered, and rf_get_credentials
 * when one made before this check is used.
 */
static void
check_mapping_options(ForeignServer *server, List *options)
{
	const RfVendor *vendor = server_vendor(server);
	OptionScope scope = {NULL, NULL};
	ListCell   *lc;

	if (vendor == NULL)
		return;					/* the server's own error comes first */
	scope.vendor = vendor;
	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		char	   *valid;
		char	   *first;
		char	   *owners;

		if (find_option(def->defname, RF_CTX_MAPPING, &scope))
			continue;
		valid = valid_option_names(RF_CTX_MAPPING, &scope);
		first = pstrdup(valid);
		first[strcspn(first, ",")] = '\0';
		owners = vendors_declaring(def->defname, RF_CTX_MAPPING);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\" for a user mapping of vendor \"%s\"",
						def->defname, vendor->name),
				 owners ?
				 errdetail("Server \"%s\" is for vendor \"%s\"; \"%s\" is an option of %s %s.",
						   server->servername, vendor->name, def->defname,
						   strchr(owners, ',') ? "vendors" : "vendor", owners) :
				 errdetail("Server \"%s\" is for vendor \"%s\".",
						   server->servername, vendor->name),
				 errhint("Valid options for a user mapping of vendor \"%s\" are: %s.  For example: CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (%s '...');",
						 vendor->name, valid,
						 quote_identifier(server->servername), first)));
	}
}

/*
 * No user mapping for the user and server, nor one FOR PUBLIC: the error
 * names the user and the server, and the hint the statement that creates
 * a mapping with the vendor's options.
 */
static void
missing_mapping(ForeignServer *server, Oid userid)
{
	const RfVendor *vendor = server_vendor(server);
	OptionScope scope = {vendor, NULL};
	const char *user = GetUserNameFromId(userid, true);
	char	   *valid = vendor ? valid_option_names(RF_CTX_MAPPING, &scope) : pstrdup("token");
	char	   *first = pstrdup(valid);

	first[strcspn(first, ",")] = '\0';
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("user mapping not found for \"%s\" on server \"%s\"",
					user ? user : "?", server->servername),
			 errdetail("retail_fdw sends the vendor the credentials of the user's mapping for the server, or of its mapping FOR PUBLIC."),
			 errhint("Create one with the options of vendor \"%s\" (%s), for example: CREATE USER MAPPING FOR %s SERVER %s OPTIONS (%s '...');",
					 vendor ? vendor->name : "?", valid,
					 quote_identifier(user ? user : "CURRENT_USER"),
					 quote_identifier(server->servername), first)));
}

/* Whether a foreign-data wrapper validates with retail_fdw_validator */
static bool
is_retail_fdw(Oid fdwid)
{
	ForeignDataWrapper *fdw = GetForeignDataWrapper(fdwid);
	FmgrInfo	finfo;

	if (!OidIsValid(fdw->fdwvalidator))
		return false;
	fmgr_info(fdw->fdwvalidator, &finfo);
	return finfo.fn_addr == retail_fdw_validator;
}

/*
 * After CREATE and ALTER USER MAPPING: the stored mapping (read with
 * SnapshotSelf: the command has not made it visible yet) against its
 * server's vendor.  Mappings of other wrappers are not ours to judge.
 */
static void
rf_object_access(ObjectAccessType access, Oid classId, Oid objectId,
				 int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);

	if ((access == OAT_POST_CREATE || access == OAT_POST_ALTER) &&
		classId == UserMappingRelationId)
	{
		Relation	rel = table_open(UserMappingRelationId, AccessShareLock);
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tuple;
		Oid			serverid = InvalidOid;
		List	   *options = NIL;

		ScanKeyInit(&key, Anum_pg_user_mapping_oid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(objectId));
		scan = systable_beginscan(rel, UserMappingOidIndexId, true,
								  SnapshotSelf, 1, &key);
		tuple = systable_getnext(scan);
		if (HeapTupleIsValid(tuple))
		{
			bool		isnull;
			Datum		datum;

			serverid = ((Form_pg_user_mapping) GETSTRUCT(tuple))->umserver;
			datum = heap_getattr(tuple, Anum_pg_user_mapping_umoptions,
								 RelationGetDescr(rel), &isnull);
			if (!isnull)
				options = untransformRelOptions(datum);
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);

		if (OidIsValid(serverid))
		{
			ForeignServer *server = GetForeignServer(serverid);

			if (is_retail_fdw(server->fdwid))
				check_mapping_options(server, options);
		}
	}
}

void
rf_option_init(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = rf_object_access;
}

/*
 * Read the calling user's mapping for a server.  The result holds secrets:
 * it must never reach a plan, a log line or an error message.
 */
void
rf_get_credentials(ForeignServer *server, Oid userid, RfCredentials *cred)
{
	UserMapping *um;
	ListCell   *lc;

	/* PostgreSQL's own error says nothing of what to create */
	if (!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
							   ObjectIdGetDatum(server->serverid)) &&
		!SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							   ObjectIdGetDatum(server->serverid)))
		missing_mapping(server, userid);
	um = GetUserMapping(userid, server->serverid);

	memset(cred, 0, sizeof(RfCredentials));
	cred->umid = um->umid;
	check_mapping_options(server, um->options);
	foreach(lc, um->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		char	   *value = pstrdup(defGetString(def));

		if (strcmp(def->defname, "token") == 0)
			cred->token = value;
		else if (strcmp(def->defname, "auth_header") == 0)
			cred->auth_header = value;
		else if (strcmp(def->defname, "auth_scheme") == 0)
			cred->auth_scheme = value;
		else if (strcmp(def->defname, "client_id") == 0)
			cred->client_id = value;
		else if (strcmp(def->defname, "client_secret") == 0)
			cred->client_secret = value;
		else if (strcmp(def->defname, "token_url") == 0)
			cred->token_url = value;
		else if (strcmp(def->defname, "access_key") == 0)
			cred->access_key = value;
		else if (strcmp(def->defname, "secret_key") == 0)
			cred->secret_key = value;
	}
}
