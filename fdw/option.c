/*-------------------------------------------------------------------------
 *
 * option.c
 *		  Validation of retail_fdw options and their parsed form.
 *
 * Every option is declared once, in rf_option_defs, with the catalogs it
 * may appear in and how its value is checked.  The validator walks that
 * table; the getters turn catalog options into RfOptions / RfCredentials.
 *
 * Secrets (tokens, keys) are accepted in user mappings only: server and
 * table options are readable by anyone with USAGE, while pg_user_mappings
 * hides a mapping's options from other users.  No error message here ever
 * prints an option's value when the option is a secret.
 *
 * Not here: what a vendor's endpoint accepts (vendor_*.c) and URL checks
 * that need a URL parser (http.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/reloptions.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "retail_fdw.h"

PG_FUNCTION_INFO_V1(retail_fdw_validator);

/* Where an option may appear: a bit mask */
#define CTX_SERVER	0x01
#define CTX_MAPPING 0x02
#define CTX_TABLE	0x04
#define CTX_COLUMN	0x08

typedef enum RfOptKind
{
	OPT_TEXT,
	OPT_INT,
	OPT_BOOL,
	OPT_VENDOR,
	OPT_URL,
	OPT_SECRET,
	OPT_INTERVAL,
	OPT_FILE,
	OPT_HEADER,
	OPT_CHOICE
} RfOptKind;

typedef struct RfOptionDef
{
	const char *name;
	int			contexts;
	RfOptKind	kind;
	int			min;			/* OPT_INT only */
	int			max;
	const char *choices;		/* OPT_CHOICE: "a|b|c" */
} RfOptionDef;

static const RfOptionDef rf_option_defs[] = {
	/* server */
	{"vendor", CTX_SERVER, OPT_VENDOR},
	{"base_url", CTX_SERVER, OPT_URL},
	{"subscription", CTX_SERVER, OPT_TEXT},
	{"timeout_ms", CTX_SERVER, OPT_INT, 1, 3600 * 1000},
	{"connect_timeout_ms", CTX_SERVER, OPT_INT, 1, 600 * 1000},
	{"max_retries", CTX_SERVER, OPT_INT, 0, 20},
	{"retry_max_wait_ms", CTX_SERVER, OPT_INT, 0, 600 * 1000},
	{"max_concurrency", CTX_SERVER, OPT_INT, 1, 64},
	{"max_requests_per_second", CTX_SERVER, OPT_INT, 0, 100000},
	{"max_response_bytes", CTX_SERVER, OPT_INT, 1024, INT_MAX},
	{"verify_tls", CTX_SERVER, OPT_BOOL},
	{"ca_file", CTX_SERVER, OPT_FILE},
	/* server or table */
	{"page_size", CTX_SERVER | CTX_TABLE, OPT_INT, 1, 100000},
	/* user mapping */
	{"token", CTX_MAPPING, OPT_SECRET},
	{"auth_header", CTX_MAPPING, OPT_HEADER},
	{"auth_scheme", CTX_MAPPING, OPT_TEXT},
	{"client_id", CTX_MAPPING, OPT_TEXT},
	{"client_secret", CTX_MAPPING, OPT_SECRET},
	{"token_url", CTX_MAPPING, OPT_URL},
	{"access_key", CTX_MAPPING, OPT_SECRET},
	{"secret_key", CTX_MAPPING, OPT_SECRET},
	/* foreign table */
	{"resource", CTX_TABLE, OPT_TEXT},
	{"window", CTX_TABLE, OPT_INTERVAL},
	/* retailnext request shaping */
	{"grain", CTX_TABLE, OPT_CHOICE, 0, 0, "15 minutes|hour|day|week|month|year"},
	{"hours", CTX_TABLE, OPT_CHOICE, 0, 0, "store_hours|all_day"},
	{"time_zone", CTX_TABLE, OPT_TEXT},
	{"datamine_batch", CTX_TABLE, OPT_INT, 1, 200},
	{"metrics", CTX_TABLE, OPT_CHOICE, 0, 0, "all|employee|customer"},
	{"transitions", CTX_TABLE, OPT_CHOICE, 0, 0, "direct_only|direct_and_indirect|directionless"},
	{"dwells", CTX_TABLE, OPT_CHOICE, 0, 0, "dwells_only|non_dwells|all_traffic"},
	/* column */
	{"json_path", CTX_COLUMN, OPT_TEXT},
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
			return CTX_SERVER;
		case UserMappingRelationId:
			return CTX_MAPPING;
		case ForeignTableRelationId:
			return CTX_TABLE;
		case AttributeRelationId:
			return CTX_COLUMN;
		default:
			return 0;
	}
}

static const RfOptionDef *
find_option(const char *name)
{
	for (int i = 0; i < (int) lengthof(rf_option_defs); i++)
	{
		if (strcmp(rf_option_defs[i].name, name) == 0)
			return &rf_option_defs[i];
	}
	return NULL;
}

bool
rf_is_secret_option(const char *name)
{
	const RfOptionDef *def = find_option(name);

	return def != NULL && def->kind == OPT_SECRET;
}

/* The options valid in one context, for a hint */
static char *
valid_option_names(int context)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < (int) lengthof(rf_option_defs); i++)
	{
		if (rf_option_defs[i].contexts & context)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
							 rf_option_defs[i].name);
	}
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
 * A window is an interval of days and time (months have no fixed length),
 * or "none" to send a range in one request series.
 */
static void
check_window(const char *value)
{
	Interval   *volatile iv = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	if (pg_strcasecmp(value, "none") == 0)
		return;

	/*
	 * interval_in holds no resources, so its syntax error can be caught and
	 * replaced by one that names the option.
	 */
	PG_TRY();
	{
		iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
												   CStringGetDatum(value),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		iv = NULL;
	}
	PG_END_TRY();
	if (iv == NULL || iv->month != 0 ||
		(int64) iv->day * USECS_PER_DAY + iv->time < USECS_PER_MINUTE)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"window\": \"%s\"", value),
				 errhint("Use an interval of at least one minute in days, hours or minutes, such as '1 day' or '6 hours', or 'none'.")));
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

static void
check_header_name(const char *value)
{
	if (*value == '\0' || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(value))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"auth_header\": \"%s\"", value),
				 errhint("A header name consists of letters, digits, '-' and '_'.")));
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
		case OPT_INT:
			(void) parse_int_option(def->name, value, def->min, def->max);
			break;
		case OPT_BOOL:
			if (!parse_bool_option(def->name, value) &&
				strcmp(def->name, "verify_tls") == 0 && !superuser())
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("only superusers may turn off \"verify_tls\""),
						 errhint("Give the server's CA certificate with \"ca_file\" instead.")));
			break;
		case OPT_VENDOR:
			if (rf_vendor_lookup(value) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"vendor\": \"%s\"", value),
						 errhint("Valid values are: %s.", rf_vendor_names())));
			break;
		case OPT_URL:
			rf_http_check_url(value, def->name);
			break;
		case OPT_SECRET:
			if (*value == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"%s\" must not be empty", def->name)));
			rf_check_header_value(def->name, value);
			break;
		case OPT_INTERVAL:
			check_window(value);
			break;
		case OPT_FILE:
			check_ca_file(value);
			break;
		case OPT_HEADER:
			rf_check_header_value(def->name, value);
			check_header_name(value);
			break;
		case OPT_CHOICE:
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
		case OPT_TEXT:
			if (def->contexts == CTX_MAPPING)
				rf_check_header_value(def->name, value);
			if (strcmp(def->name, "subscription") == 0 &&
				(*value == '\0' ||
				 strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(value)))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"subscription\": \"%s\"", value),
						 errhint("A subscription name consists of lower-case letters, digits and '-'.")));
			break;
	}
}

/*
 * Checks that concern the server's options as a whole.
 */
static void
check_server_options(List *options)
{
	const char *vendor = NULL;
	bool		has_url = false;
	bool		has_subscription = false;
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "vendor") == 0)
			vendor = defGetString(def);
		else if (strcmp(def->defname, "base_url") == 0)
			has_url = true;
		else if (strcmp(def->defname, "subscription") == 0)
			has_subscription = true;
	}

	if (vendor == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("a retail_fdw server needs the option \"vendor\""),
				 errhint("Valid vendors are: %s.", rf_vendor_names())));
	if (has_subscription && strcmp(vendor, "retailnext") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"subscription\" applies to vendor \"retailnext\" only"),
				 errhint("Give \"base_url\" instead.")));
	if (!has_url && !has_subscription)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("a retail_fdw server needs the option \"base_url\""),
				 errhint("For example OPTIONS (vendor '%s', base_url 'https://api.example.com').",
						 vendor)));
}

/*
 * Validate the options of a retail_fdw object.  PostgreSQL calls this for
 * CREATE and ALTER of servers, user mappings, foreign tables and columns,
 * with the complete resulting option list.
 */
Datum
retail_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	int			context = catalog_context(catalog);
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const RfOptionDef *od = find_option(def->defname);

		if (od != NULL && od->kind == OPT_SECRET && context != CTX_MAPPING)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"%s\" is a secret and is accepted only in a user mapping",
							def->defname),
					 errdetail("Server and table options are visible to every user with USAGE on the server."),
					 errhint("Use CREATE USER MAPPING FOR CURRENT_USER SERVER ... OPTIONS (%s '...').",
							 def->defname)));
		if (od == NULL || (od->contexts & context) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 context == 0 ?
					 errhint("retail_fdw takes no options on the foreign-data wrapper itself.") :
					 errhint("Valid options in this context are: %s.",
							 valid_option_names(context))));
		check_option_value(od, defGetString(def));
	}

	if (context == CTX_SERVER)
		check_server_options(options);

	PG_RETURN_VOID();
}

/*
 * Fill the server part of RfOptions, applying defaults.
 */
void
rf_get_server_options(ForeignServer *server, RfOptions *opts)
{
	char	   *subscription = NULL;
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
	foreach(lc, server->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const char *name = def->defname;
		const char *value = defGetString(def);
		const RfOptionDef *od = find_option(name);

		if (od == NULL)
			continue;
		if (strcmp(name, "vendor") == 0)
			opts->vendor = rf_vendor_lookup(value);
		else if (strcmp(name, "base_url") == 0)
			opts->base_url = pstrdup(value);
		else if (strcmp(name, "subscription") == 0)
			subscription = pstrdup(value);
		else if (strcmp(name, "verify_tls") == 0)
			opts->verify_tls = parse_bool_option(name, value);
		else if (strcmp(name, "ca_file") == 0)
			opts->ca_file = pstrdup(value);
		else if (od->kind == OPT_INT)
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

	if (opts->vendor == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no valid \"vendor\" option",
						server->servername)));
	if (opts->base_url == NULL && subscription != NULL)
		opts->base_url = psprintf("https://%s.api.retailnext.net", subscription);
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

/*
 * Read the calling user's mapping for a server.  The result holds secrets:
 * it must never reach a plan, a log line or an error message.
 */
void
rf_get_credentials(ForeignServer *server, Oid userid, RfCredentials *cred)
{
	UserMapping *um = GetUserMapping(userid, server->serverid);
	ListCell   *lc;

	memset(cred, 0, sizeof(RfCredentials));
	cred->umid = um->umid;
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
