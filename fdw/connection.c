/*-------------------------------------------------------------------------
 *
 * connection.c
 *		  The connection cache of the HTTP transport, and what each
 *		  connection knows: credentials, headers, OAuth tokens.
 *
 * Connections are cached per user mapping and network policy (RfConn),
 * like postgres_fdw's connection.c: one libcurl multi handle each, whose
 * pool keeps sockets alive across pages and queries of a session.  ALTER
 * SERVER or ALTER USER MAPPING invalidates an entry (a syscache callback);
 * it is rebuilt when no scan uses it any more.  OAuth2 client-credential
 * tokens are fetched on first use, kept until shortly before they expire,
 * and fetched again once when the API refuses one.
 *
 * connection.c stands above http.c: it builds connections and fetches
 * tokens with http.c's transfers, while http.c asks for a token only
 * through the connection's fetch_token hook.
 *
 * Not here: transfers, their headers and the event loop (http.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "connection.h"
#include "http_int.h"
#include "json.h"
#include "option.h"

static HTAB *ConnHash = NULL;

static void conn_invalidate_callback(Datum arg, int cacheid, uint32 hashvalue);
static void conn_oauth_fetch(RfConn *conn);


static int
socket_callback(CURL *easy, curl_socket_t fd, int what, void *userp,
				void *socketp)
{
	RfConn	   *conn = (RfConn *) userp;
	int			i;

	for (i = 0; i < conn->nsocks; i++)
		if (conn->socks[i].fd == fd)
			break;

	if (what == CURL_POLL_REMOVE)
	{
		if (i < conn->nsocks)
		{
			conn->socks[i] = conn->socks[--conn->nsocks];
			conn->socks_gen++;
		}
		return 0;
	}
	if (i == conn->nsocks)
	{
		if (conn->nsocks == conn->maxsocks)
		{
			int			newmax = conn->maxsocks * 2 + 8;
			RfSock	   *n = realloc(conn->socks, newmax * sizeof(RfSock));

			if (n == NULL)
				return -1;
			conn->socks = n;
			conn->maxsocks = newmax;
		}
		conn->socks[conn->nsocks++].fd = fd;
		conn->socks_gen++;
	}
	conn->socks[i].what = what;
	return 0;
}

static int
timer_callback(CURLM *multi, long timeout_ms, void *userp)
{
	RfConn	   *conn = (RfConn *) userp;

	if (timeout_ms < 0)
		conn->timer_due = 0;
	else
		conn->timer_due = GetCurrentTimestamp() + (int64) timeout_ms * 1000;
	return 0;
}

static void
conn_destroy(RfConn *conn)
{
	for (int i = 0; i < conn->nidle; i++)
		curl_easy_cleanup(conn->idle[i]);
	conn->nidle = 0;
	if (conn->multi)
		curl_multi_cleanup(conn->multi);
	conn->multi = NULL;
	free(conn->socks);
	conn->socks = NULL;
	conn->nsocks = conn->maxsocks = 0;
	rf_http_wait_set_drop(conn);	/* closes its epoll set */
	if (conn->auth_line)
		explicit_bzero(conn->auth_line, strlen(conn->auth_line));
	if (conn->basic_password)
		explicit_bzero(conn->basic_password, strlen(conn->basic_password));
	if (conn->cxt)
		MemoryContextDelete(conn->cxt);
	conn->cxt = NULL;
	conn->valid = false;
}

/*
 * How the vendor's credentials are sent.  The result holds the secret; a
 * redacted twin is kept for EXPLAIN.
 */
static void
conn_set_auth(RfConn *conn, const RfOptions *opts, const RfCredentials *cred)
{
	const RfVendor *v = opts->vendor;

	conn->auth = v->auth;
	if (v->auth == RF_AUTH_BASIC)
	{
		if (cred->access_key == NULL || cred->secret_key == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("the user mapping for server \"%s\" needs \"access_key\" and \"secret_key\"",
							opts->servername),
					 errhint("ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (ADD access_key '...', ADD secret_key '...').",
							 opts->servername)));
		conn->basic_user = pstrdup(cred->access_key);
		conn->basic_password = pstrdup(cred->secret_key);
		return;
	}

	if (cred->token == NULL && v->auth == RF_AUTH_OAUTH &&
		cred->client_id != NULL && cred->client_secret != NULL)
	{
		conn->client_id = pstrdup(cred->client_id);
		conn->client_secret = pstrdup(cred->client_secret);
		conn->token_url = cred->token_url ? pstrdup(cred->token_url) :
			psprintf("%s%s", opts->base_url, v->token_path);
		rf_http_check_url(conn->token_url, "token_url");
		conn->fetch_token = conn_oauth_fetch;
		return;
	}
	if (cred->token == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("the user mapping for server \"%s\" has no \"token\"",
						opts->servername),
				 errhint("ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (ADD token '...').",
						 opts->servername)));
	{
		const char *header = cred->auth_header ? cred->auth_header : v->auth_header;
		const char *scheme = cred->auth_scheme ? cred->auth_scheme : v->auth_scheme;
		const char *sep = *scheme ? " " : "";

		/* mappings made before CREATE USER MAPPING checked them */
		rf_check_header_value("token", cred->token);
		rf_check_header_value("auth_header", header);
		rf_check_auth_header(header);
		rf_check_header_value("auth_scheme", scheme);
		conn->auth_line = psprintf("%s: %s%s%s", header, scheme, sep, cred->token);
	}
}

static void
conn_build(RfConn *conn, const RfOptions *opts, const RfCredentials *cred)
{
	MemoryContext old;

	conn->cxt = AllocSetContextCreate(TopMemoryContext, "retail_fdw connection",
									  ALLOCSET_SMALL_SIZES);
	conn->socks_gen = 0;
	old = MemoryContextSwitchTo(conn->cxt);
	conn->serverid = opts->serverid;
	conn->servername = pstrdup(opts->servername);
	conn->vendor = opts->vendor->name;
	conn->base_url = pstrdup(opts->base_url);
	conn->timeout_ms = opts->timeout_ms;
	conn->connect_timeout_ms = opts->connect_timeout_ms;
	conn->max_retries = opts->max_retries;
	conn->retry_max_wait_ms = opts->retry_max_wait_ms;
	conn->max_concurrency = opts->max_concurrency;
	conn->max_response_bytes = opts->max_response_bytes;
	conn->verify_tls = opts->verify_tls;
	conn->ca_file = opts->ca_file ? pstrdup(opts->ca_file) : NULL;
	conn->auth_line = NULL;
	conn->basic_user = conn->basic_password = NULL;
	conn->client_id = conn->client_secret = conn->token_url = NULL;
	conn->fetch_token = NULL;
	conn->token_expires = 0;
	conn->token_stale = conn->token_fetching = false;
	conn->min_interval_us = rf_http_min_interval_us(opts);
	conn->next_start = 0;
	conn->ndone = 0;
	conn->shared_blocked = false;
	conn_set_auth(conn, opts, cred);
	MemoryContextSwitchTo(old);

	conn->multi = curl_multi_init();
	if (conn->multi == NULL)
	{
		conn_destroy(conn);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("could not create a libcurl multi handle")));
	}
	curl_multi_setopt(conn->multi, CURLMOPT_SOCKETFUNCTION, socket_callback);
	curl_multi_setopt(conn->multi, CURLMOPT_SOCKETDATA, conn);
	curl_multi_setopt(conn->multi, CURLMOPT_TIMERFUNCTION, timer_callback);
	curl_multi_setopt(conn->multi, CURLMOPT_TIMERDATA, conn);
	curl_multi_setopt(conn->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
					  (long) conn->max_concurrency);
	curl_multi_setopt(conn->multi, CURLMOPT_MAXCONNECTS,
					  (long) conn->max_concurrency * 2);
	conn->socks = NULL;
	conn->nsocks = conn->maxsocks = 0;
	conn->timer_due = 0;
	conn->nrunning = 0;
	conn->nidle = 0;
	dlist_init(&conn->transfers);
	conn->server_hashvalue = GetSysCacheHashValue1(FOREIGNSERVEROID,
												   ObjectIdGetDatum(opts->serverid));
	conn->mapping_hashvalue = GetSysCacheHashValue1(USERMAPPINGOID,
													ObjectIdGetDatum(conn->key.umid));
	conn->invalidated = false;
	conn->valid = true;
}

/*
 * The connection for a server and user, built on first use and reused
 * afterwards.  The caller releases it with rf_http_disconnect.  Whether
 * the network policy applies is decided here, at every use (a role may
 * lose superuser between queries, a server may change owners): for the
 * role whose mapping is used and for the server's owner (rf_policy_for).
 * Every request path (scans, ANALYZE, modify, vendor_call and the
 * actions, check_server, token fetches) comes through here.
 */
RfConn *
rf_http_connect(const RfOptions *opts, Oid userid)
{
	ForeignServer *server = GetForeignServer(opts->serverid);
	RfCredentials cred;
	RfConnKey	key;
	RfConn	   *conn;
	RfPolicy	policy;
	bool		found;

	if (ConnHash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(RfConnKey);
		ctl.entrysize = sizeof(RfConn);
		ConnHash = hash_create("retail_fdw connections", 8, &ctl,
							   HASH_ELEM | HASH_BLOBS);
		CacheRegisterSyscacheCallback(FOREIGNSERVEROID,
									  conn_invalidate_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(USERMAPPINGOID,
									  conn_invalidate_callback, (Datum) 0);
	}

	rf_get_credentials(server, userid, &cred);
	memset(&key, 0, sizeof(key));
	key.umid = cred.umid;
	policy = rf_policy_for(userid, server->owner);
	key.restricted = (policy != RF_POLICY_OPEN);
	conn = hash_search(ConnHash, &key, HASH_ENTER, &found);
	if (!found)
	{
		conn->valid = false;
		conn->refcount = 0;
		conn->cxt = NULL;
	}
	if (conn->valid && conn->invalidated && conn->refcount == 0)
		conn_destroy(conn);
	if (!conn->valid)
	{
		/* servers made before CREATE SERVER refused queries in base_url */
		rf_http_check_url(opts->base_url, "base_url");
		conn_build(conn, opts, &cred);
	}
	conn->policy = policy;
	conn->server_owner = server->owner;
	conn->refcount++;
	return conn;
}

void
rf_http_disconnect(RfConn *conn)
{
	if (conn->refcount > 0)
		conn->refcount--;
}

/*
 * The pause between request starts that max_requests_per_second asks,
 * with a tenth more: the vendor counts requests as they arrive, and the
 * way there (and the vendor's own queue) delays some more than others, so
 * requests started exactly 1/rate apart can arrive rate + 1 to a second.
 */
int64
rf_http_min_interval_us(const RfOptions *opts)
{
	int			rps = opts->max_requests_per_second;

	if (rps < 0)
		rps = opts->vendor->max_requests_per_second;
	return rps > 0 ? USECS_PER_SEC * 11 / 10 / rps : 0;
}

/*
 * A parallel scan's shared memory is going away: no transfer of this
 * backend may touch its limits any more.  Transfers still alive (an error
 * unwinds the query in an order of its own) give up their slot quietly.
 */
void
rf_http_forget_shared(RfSharedLimit *shared)
{
	HASH_SEQ_STATUS scan;
	RfConn	   *conn;

	if (ConnHash == NULL)
		return;
	hash_seq_init(&scan, ConnHash);
	while ((conn = hash_seq_search(&scan)) != NULL)
	{
		dlist_iter	it;

		if (!conn->valid)
			continue;
		dlist_foreach(it, &conn->transfers)
		{
			RfTransfer *x = dlist_container(RfTransfer, node, it.cur);

			if (x->shared == shared)
			{
				x->shared = NULL;
				x->holds_slot = false;
			}
		}
	}
}

static void
conn_invalidate_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	RfConn	   *conn;

	hash_seq_init(&scan, ConnHash);
	while ((conn = hash_seq_search(&scan)) != NULL)
	{
		if (!conn->valid)
			continue;
		if (hashvalue == 0 ||
			(cacheid == FOREIGNSERVEROID && conn->server_hashvalue == hashvalue) ||
			(cacheid == USERMAPPINGOID && conn->mapping_hashvalue == hashvalue))
			conn->invalidated = true;
	}
}

/*
 * How a vendor's requests authenticate, with every secret redacted: what
 * EXPLAIN VERBOSE shows.
 */
char *
rf_http_describe_auth(const RfVendor *v, const RfCredentials *cred)
{
	if (v->auth == RF_AUTH_BASIC)
		return pstrdup("HTTP basic, access key and secret key <redacted>");
	{
		const char *header = cred->auth_header ? cred->auth_header : v->auth_header;
		const char *scheme = cred->auth_scheme ? cred->auth_scheme : v->auth_scheme;

		return psprintf("%s: %s%s<redacted>", header, scheme, *scheme ? " " : "");
	}
}

/*
 * Fetch an OAuth2 access token with the client credentials (RFC 6749
 * section 4.4) and keep it, with its expiry, in the connection.  The token
 * request carries the secret in its body only.  The transport calls this
 * through conn->fetch_token (set with the client credentials): a token is
 * needed before a request is queued, and again after a 401.
 */
static void
conn_oauth_fetch(RfConn *conn)
{
	RfHttpRequest req;
	RfJsonParser *parser = rf_json_parser_create(CurrentMemoryContext);
	RfBodySink	sink = rf_json_parser_sink(parser);
	RfTransfer *x;
	RfPage	   *page;
	char	   *token;
	int64		expires_in = 3600;
	const char *host = strstr(conn->token_url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	size_t		baselen = strlen(conn->base_url);
	char	   *label;

	/* under base_url, the path as the vendor documents it */
	if (strncmp(conn->token_url, conn->base_url, baselen) == 0 &&
		conn->token_url[baselen] == '/')
		path = conn->token_url + baselen;
	label = psprintf("POST %s", path ? path : "/");

	memset(&req, 0, sizeof(req));
	req.endpoint = label;
	req.method = "POST";
	req.url = conn->token_url;
	req.body = psprintf("grant_type=client_credentials&client_id=%s&client_secret=%s",
						rf_http_escape(conn->client_id),
						rf_http_escape(conn->client_secret));
	req.idempotent = true;
	req.no_auth = true;
	req.form = true;
	conn->token_fetching = true;
	PG_TRY();
	{
		x = rf_http_send(conn, &req, &sink);
		page = rf_json_parser_finish_object(parser, NULL, conn->vendor, label);
		token = rf_page_get_string(page, "access_token");
		if (token == NULL || *token == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_REPLY),
					 errmsg("the token endpoint of %s sent no access_token", conn->vendor),
					 errdetail("Token URL %s, server \"%s\".", conn->token_url, conn->servername)));
		if (rf_has_control_chars(token))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
					 errmsg("the token endpoint of %s sent an access_token with control characters",
							conn->vendor),
					 errdetail("Token URL %s, server \"%s\". The token was not used: in a header, line breaks would add headers of the vendor's choosing.",
							   conn->token_url, conn->servername)));
		(void) rf_page_get_int(page, "expires_in", &expires_in);
		rf_http_release(x, NULL);

		if (conn->auth_line)
			pfree(conn->auth_line);
		conn->auth_line = MemoryContextStrdup(conn->cxt,
											  psprintf("Authorization: Bearer %s", token));
		/* renew a little before the vendor would refuse it */
		conn->token_expires = GetCurrentTimestamp() +
			Max(expires_in - Min(expires_in / 10, 60), 1) * USECS_PER_SEC;
		conn->token_stale = false;
	}
	PG_FINALLY();
	{
		conn->token_fetching = false;
	}
	PG_END_TRY();

	/* transfers refused with the old token go again with the new one */
	{
		dlist_iter	it;

		dlist_foreach(it, &conn->transfers)
		{
			RfTransfer *t = dlist_container(RfTransfer, node, it.cur);

			if (t->needs_auth)
			{
				rf_http_build_headers(conn, t);
				t->needs_auth = false;
			}
		}
	}
}

