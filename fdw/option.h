/*-------------------------------------------------------------------------
 *
 * option.h
 *		  Options of servers, user mappings and foreign tables (option.c):
 *		  the validator, and the parsed options every other module reads.
 *
 * The option table and the checks are option.c's; which options a vendor or
 * an endpoint adds comes from its descriptor (vendor.h, rf_descriptor.h).
 * Secrets live in RfCredentials, read from the user mapping at execution
 * only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_OPTION_H
#define RF_OPTION_H

#include "postgres.h"

#include "foreign/foreign.h"
#include "nodes/pg_list.h"

#include "vendor.h"

/* option.c: lists of names, for hints */
extern char *rf_vendor_names(void);
extern char *rf_resource_names(const RfVendor *vendor);

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

#endif							/* RF_OPTION_H */
