/*-------------------------------------------------------------------------
 *
 * http.c
 *		  The HTTP transport of retail_fdw: the only file that uses libcurl.
 *
 * Connections are cached per user mapping (RfConn), like postgres_fdw's
 * connection cache: one libcurl multi handle each, whose connection pool
 * keeps sockets alive across pages and across queries of a session.  An
 * ALTER SERVER or ALTER USER MAPPING invalidates the entry, and it is
 * rebuilt when no scan uses it any more.
 *
 * All transfers run through one event loop (rf_http_wait) that waits on
 * libcurl's sockets and on the process latch together, never longer than
 * RF_POLL_MS, and calls CHECK_FOR_INTERRUPTS() between waits: a cancel or
 * statement_timeout lands promptly, even during retry back-off, which is
 * just another timer of the same loop.  Several transfers may be in flight
 * at once, up to max_concurrency.
 *
 * libcurl calls back into this file from inside the loop.  Those callbacks
 * never ereport and never palloc: they only copy bytes into buffers that
 * were allocated beforehand or hand them to the body sink, which obeys the
 * same rule.  Errors are raised afterwards, from rf_http_raise.
 *
 * A transfer is palloc'd in its caller's memory context and registers a
 * reset callback there, so that an error anywhere (or a cancel) detaches
 * its easy handle from the multi handle and frees libcurl's allocations.
 *
 * Network policy, in the style of postgres_fdw's password rule: a
 * connection used by a role that is not a superuser (checked when the
 * connection is built, for the role whose user mapping it uses) may reach
 * only https hosts whose addresses are public.  The address is checked
 * when libcurl opens the socket (open_socket_callback), after name
 * resolution and before connect(), so a name that resolves (or rebinds)
 * to loopback, link-local, private, CGNAT, multicast or reserved space is
 * refused without a packet being sent.  Hosts a superuser lists in
 * retail_fdw.allowed_hosts are exempt, as superusers are.
 *
 * Not here: what is requested (reqplan.c) and how bodies are parsed
 * (json.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <curl/curl.h>

#include "access/xact.h"
#include "common/pg_prng.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/hsearch.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
#include "lib/ilist.h"

#include "retail_fdw.h"

/* Longest time the loop waits before it checks for interrupts again */
#define RF_POLL_MS			100
/* Bytes of an error response kept for the error message */
#define RF_ERROR_BODY_KEEP	512
/* First back-off step; doubles with each retry */
#define RF_BACKOFF_BASE_MS	200

typedef struct RfSock
{
	curl_socket_t fd;
	int			what;			/* CURL_POLL_IN / OUT / INOUT */
} RfSock;

/*
 * A connection is cached per user mapping and per network policy: a
 * mapping FOR PUBLIC serves superusers and other roles alike, and the
 * sockets libcurl keeps for one must never serve the other.
 */
typedef struct RfConnKey
{
	Oid			umid;			/* the user mapping */
	bool		restricted;		/* the network policy applies */
} RfConnKey;

struct RfConn
{
	RfConnKey	key;			/* hash key */
	bool		valid;
	bool		invalidated;
	uint32		server_hashvalue;
	uint32		mapping_hashvalue;
	int			refcount;		/* scans using this connection */
	MemoryContext cxt;			/* holds the settings below */

	CURLM	   *multi;
	RfSock	   *socks;			/* malloc'd: written from libcurl callbacks */
	int			nsocks;
	int			maxsocks;
	TimestampTz timer_due;		/* libcurl wants a timeout call then; 0 = none */
	dlist_head	transfers;		/* every transfer not yet released */
	int			nrunning;		/* transfers inside the multi handle */
	CURL	   *idle[8];		/* easy handles kept for reuse */
	int			nidle;

	/* settings, copied when the connection is built */
	Oid			serverid;
	char	   *servername;
	const char *vendor;
	char	   *base_url;
	long		timeout_ms;
	long		connect_timeout_ms;
	int			max_retries;
	int			retry_max_wait_ms;
	int			max_concurrency;
	int64		max_response_bytes;
	bool		verify_tls;
	char	   *ca_file;
	RfAuth		auth;
	char	   *auth_line;		/* "Header: scheme token": a secret */
	char	   *basic_user;		/* secrets */
	char	   *basic_password;

	/* OAuth2 client credentials: the token is fetched and cached here */
	char	   *client_id;
	char	   *client_secret;	/* a secret */
	char	   *token_url;
	TimestampTz token_expires;
	bool		token_stale;	/* refused once: fetch a new one */
	bool		token_fetching;

	/* client-side pacing */
	int64		min_interval_us;	/* between request starts; 0 = none */
	TimestampTz next_start;
};

typedef enum RfXferState
{
	RF_XFER_QUEUED,				/* waiting for a free slot */
	RF_XFER_BACKOFF,			/* waiting to retry at not_before */
	RF_XFER_RUNNING,			/* in the multi handle */
	RF_XFER_DONE
} RfXferState;

struct RfTransfer
{
	dlist_node	node;			/* in conn->transfers */
	RfConn	   *conn;
	CURL	   *easy;
	struct curl_slist *headers;
	MemoryContextCallback cleanup;
	bool		released;

	/* the request */
	const char *endpoint;
	const char *method;
	char	   *url;
	char	   *body;
	bool		idempotent;
	bool		allow_404;
	bool		no_auth;
	bool		form;
	bool		any_status;
	bool		reauthed;		/* got a new token after a 401 once */
	bool		needs_auth;		/* waits for that new token */
	List	   *extra_headers;
	RfBodySink	sink;
	char	   *stats_name;		/* request_stats' name of the endpoint */
	bool		restricted;		/* only public addresses (network policy) */
	bool		consumer_failed;	/* the answer came, then failed the query */

	/* progress */
	RfXferState state;
	TimestampTz not_before;
	int			attempts;
	int			retries;
	int64		bytes_total;
	int64		wait_us;
	int			throttled;		/* 429 and 503 answers */
	int64		rows;			/* told by the caller, for request_stats */
	char		error[256];		/* why it failed, for request_stats */

	/* the last attempt */
	CURLcode	curl_rc;
	long		status;
	int64		bytes;
	bool		too_large;
	bool		parse_failed;
	bool		parse_refused;	/* the parser refused bytes: deterministic */
	char		blocked[INET6_ADDRSTRLEN];	/* address the policy refused */
	char		errbuf[CURL_ERROR_SIZE];
	char		head[RF_ERROR_BODY_KEEP + 1];
	int			headlen;
	char		retry_after[64];
	char		page_next[256];
	char		location[512];
};

static HTAB *ConnHash = NULL;

/* retail_fdw.allowed_hosts */
static char *rf_allowed_hosts = NULL;

static void conn_invalidate_callback(Datum arg, int cacheid, uint32 hashvalue);
static void build_headers(RfConn *conn, RfTransfer *x);
static void oauth_fetch(RfConn *conn);
static void transfer_cleanup_callback(void *arg);
static void raise_failure(RfTransfer *x) pg_attribute_noreturn();

/*
 * Process-wide set-up, from _PG_init.
 */
void
rf_http_init(void)
{
	DefineCustomStringVariable("retail_fdw.allowed_hosts",
							   "Hosts that roles other than superusers may reach although they are not public https hosts.",
							   "A comma-separated list of host names or addresses as base_url spells them, "
							   "each optionally with :port (IPv6 addresses in brackets).",
							   &rf_allowed_hosts,
							   "",
							   PGC_SUSET, GUC_LIST_INPUT,
							   NULL, NULL, NULL);
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not initialize libcurl")));
}

/* ----------------------------------------------------------------
 *		URL checks
 * ----------------------------------------------------------------
 */

static bool
host_is_loopback(const char *host)
{
	struct in_addr a4;

	if (pg_strcasecmp(host, "localhost") == 0 ||
		strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return false;
}

/*
 * Refuse URLs retail_fdw must not talk to: other schemes than http(s),
 * embedded credentials, and plain http to a host that is not loopback.
 */
void
rf_http_check_url(const char *url, const char *what)
{
	CURLU	   *h = curl_url();
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *user = NULL;
	const char *problem = NULL;

	if (h == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("out of memory")));
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
		curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		problem = "it is not a valid absolute URL";
	else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
		problem = "only http and https are allowed";
	else if (curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK)
		problem = "credentials belong in a user mapping, not in a URL";
	else if (strcmp(scheme, "http") == 0 && !host_is_loopback(host))
		problem = "plain http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost)";

	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(h);

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", what, url),
				 errdetail("%s", problem),
				 errhint("Use an https:// URL such as 'https://api.example.com'.")));
}

/* scheme://host:port of a URL, lower-cased, or NULL */
static char *
url_origin(const char *url)
{
	CURLU	   *h = curl_url();
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *port = NULL;
	char	   *result = NULL;

	if (h == NULL)
		return NULL;
	if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
	{
		result = psprintf("%s://%s:%s", scheme, host, port);
		for (char *p = result; *p; p++)
			*p = pg_tolower((unsigned char) *p);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(h);
	return result;
}

/*
 * Whether a URL the vendor handed back (a "next" link) points at the same
 * scheme, host and port as the server's base URL.  Credentials are only
 * ever sent there.
 */
bool
rf_http_same_origin(const char *base, const char *url)
{
	char	   *a = url_origin(base);
	char	   *b = url_origin(url);

	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * The absolute URL of a link a vendor handed back (a "next" link), read
 * against the URL of the page that held it: "?page=2", "/bi/x?page=2" and
 * "//host/x" are all links.  NULL when it is no URL at all.
 */
char *
rf_http_resolve_url(const char *page_url, const char *link)
{
	CURLU	   *h = curl_url();
	char	   *abs = NULL;
	char	   *result = NULL;

	if (h == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("out of memory")));
	if (curl_url_set(h, CURLUPART_URL, page_url, 0) == CURLUE_OK &&
		curl_url_set(h, CURLUPART_URL, link, 0) == CURLUE_OK &&
		curl_url_get(h, CURLUPART_URL, &abs, 0) == CURLUE_OK)
		result = pstrdup(abs);
	curl_free(abs);
	curl_url_cleanup(h);
	return result;
}

/* ----------------------------------------------------------------
 *		Network policy
 * ----------------------------------------------------------------
 */

/* Whether an IPv4 address (host byte order) is in public unicast space */
static bool
ipv4_is_public(uint32 a)
{
	static const struct
	{
		uint32		net;
		int			bits;
	}			reserved[] = {
		{0x00000000, 8},		/* "this network", 0.0.0.0 */
		{0x0A000000, 8},		/* private */
		{0x64400000, 10},		/* CGNAT, shared address space */
		{0x7F000000, 8},		/* loopback */
		{0xA9FE0000, 16},		/* link-local, cloud metadata */
		{0xAC100000, 12},		/* private */
		{0xC0000000, 24},		/* IETF protocol assignments */
		{0xC0000200, 24},		/* TEST-NET-1 */
		{0xC0586300, 24},		/* 6to4 relay anycast */
		{0xC0A80000, 16},		/* private */
		{0xC6120000, 15},		/* benchmarking */
		{0xC6336400, 24},		/* TEST-NET-2 */
		{0xCB007100, 24},		/* TEST-NET-3 */
		{0xE0000000, 4},		/* multicast */
		{0xF0000000, 4},		/* reserved, broadcast */
	};

	for (int i = 0; i < (int) lengthof(reserved); i++)
	{
		uint32		mask = ~(uint32) 0 << (32 - reserved[i].bits);

		if ((a & mask) == reserved[i].net)
			return false;
	}
	return true;
}

static uint32
ipv4_at(const unsigned char *b)
{
	return ((uint32) b[0] << 24) | ((uint32) b[1] << 16) |
		((uint32) b[2] << 8) | (uint32) b[3];
}

/*
 * Whether an IPv6 address is global unicast.  Addresses that carry an
 * IPv4 address (mapped, compatible, NAT64, 6to4) are judged by it.
 */
static bool
ipv6_is_public(const unsigned char *b)
{
	static const unsigned char zero[12] = {0};
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

	if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero, 12) == 0 ||
		memcmp(b, nat64, 12) == 0)
		return ipv4_is_public(ipv4_at(b + 12));
	if (b[0] == 0x20 && b[1] == 0x02)	/* 6to4 */
		return ipv4_is_public(ipv4_at(b + 2));
	if ((b[0] & 0xe0) != 0x20)	/* outside 2000::/3: ULA, link-local,
								 * multicast, discard, NAT64 local use... */
		return false;
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02)	/* 2001::/23 IETF */
		return false;
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)	/* docs */
		return false;
	return true;
}

static bool
sockaddr_is_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ipv4_is_public(ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return ipv6_is_public(((const struct sockaddr_in6 *) sa)->sin6_addr.s6_addr);
	return false;
}

/* An IP literal of a URL's host ("[...]" for IPv6) that is not public */
static bool
literal_is_private(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char		buf[INET6_ADDRSTRLEN + 2];
	size_t		len = strlen(host);

	if (inet_pton(AF_INET, host, &a4) == 1)
		return !ipv4_is_public(ntohl(a4.s_addr));
	if (len > 2 && len < sizeof(buf) && host[0] == '[' && host[len - 1] == ']')
	{
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		/* a zone id ("%eth0") only comes with link-local addresses */
		if (strchr(buf, '%') != NULL)
			return true;
		if (inet_pton(AF_INET6, buf, &a6) == 1)
			return !ipv6_is_public(a6.s6_addr);
	}
	return false;
}

/* Whether host (and port) are in retail_fdw.allowed_hosts */
static bool
host_is_listed(const char *host, const char *port)
{
	char	   *copy;
	List	   *entries;
	ListCell   *lc;
	bool		listed = false;

	if (rf_allowed_hosts == NULL || *rf_allowed_hosts == '\0')
		return false;
	copy = pstrdup(rf_allowed_hosts);
	if (!SplitGUCList(copy, ',', &entries))
		return false;
	foreach(lc, entries)
	{
		const char *entry = lfirst(lc);
		const char *colon = strrchr(entry, ':');
		size_t		hostlen = strlen(entry);

		/* "host:port", "[v6]:port"; a bare IPv6 address has no port */
		if (colon != NULL && (entry[0] == '[' ? colon > strchr(entry, ']') :
							  strchr(entry, ':') == colon))
		{
			if (strcmp(colon + 1, port) != 0)
				continue;
			hostlen = colon - entry;
		}
		if (strlen(host) == hostlen && pg_strncasecmp(entry, host, hostlen) == 0)
		{
			listed = true;
			break;
		}
	}
	list_free(entries);
	pfree(copy);
	return listed;
}

/*
 * What the network policy says about a URL, before any request: for a
 * restricted connection (a role that is not a superuser), a host not in
 * retail_fdw.allowed_hosts must be https, and must not be an IP literal of
 * non-public space.  Names are checked again, address by address, when
 * libcurl opens its sockets.  *restricted tells whether that check applies.
 */
static void
check_policy(RfConn *conn, const char *url, bool *restricted)
{
	CURLU	   *h;
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *port = NULL;
	const char *problem = NULL;

	*restricted = false;
	if (!conn->key.restricted)
		return;
	h = curl_url();
	if (h == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("out of memory")));
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
		curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
		curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		problem = "it is not a valid absolute URL";
	else if (host_is_listed(host, port))
		;
	else if (strcmp(scheme, "https") != 0)
		problem = "only https is allowed";
	else if (literal_is_private(host))
		problem = "its address is not public";
	else
		*restricted = true;
	curl_free(scheme);
	curl_free(port);
	if (problem)
	{
		char	   *shown = pstrdup(host ? host : "?");

		curl_free(host);
		curl_url_cleanup(h);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("retail_fdw refuses to send a request to %s: %s",
						shown, problem),
				 errdetail("Server \"%s\" is used by a role that is not a superuser; such roles may reach only https hosts with public addresses.",
						   conn->servername),
				 errhint("A superuser can allow the host with the setting retail_fdw.allowed_hosts.")));
	}
	curl_free(host);
	curl_url_cleanup(h);
}

/*
 * Percent-encode a query parameter value.  Characters RFC 3986 allows in a
 * query stay as they are (so EXPLAIN shows 2025-08-12T00:00:00Z, not
 * %3A-soup); the ones that would change the query's structure ('&', '=',
 * '+', '#', '%') and everything outside printable ASCII are encoded.
 */
char *
rf_http_escape(const char *s)
{
	static const char keep[] = "-._~:@!$'()*,;/?";
	StringInfoData buf;

	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9') || strchr(keep, *p) != NULL)
			appendStringInfoChar(&buf, (char) *p);
		else
			appendStringInfo(&buf, "%%%02X", *p);
	}
	return buf.data;
}

/* ----------------------------------------------------------------
 *		Connection cache
 * ----------------------------------------------------------------
 */

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
			conn->socks[i] = conn->socks[--conn->nsocks];
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
			psprintf("%s%s", opts->base_url, v->token_path ? v->token_path : "/oauth/token");
		rf_http_check_url(conn->token_url, "token_url");
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
	conn->token_expires = 0;
	conn->token_stale = conn->token_fetching = false;
	{
		int			rps = opts->max_requests_per_second;

		if (rps < 0)
			rps = opts->vendor->max_requests_per_second;
		conn->min_interval_us = rps > 0 ? USECS_PER_SEC / rps : 0;
		conn->next_start = 0;
	}
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
 * the network policy applies is decided here, for the role whose mapping
 * is used, at every use (a role may lose superuser between queries).
 */
RfConn *
rf_http_connect(const RfOptions *opts, Oid userid)
{
	ForeignServer *server = GetForeignServer(opts->serverid);
	RfCredentials cred;
	RfConnKey	key;
	RfConn	   *conn;
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
	key.restricted = !superuser_arg(userid);
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
		conn_build(conn, opts, &cred);
	conn->refcount++;
	return conn;
}

void
rf_http_disconnect(RfConn *conn)
{
	if (conn->refcount > 0)
		conn->refcount--;
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

/* ----------------------------------------------------------------
 *		libcurl callbacks: no ereport, no palloc
 * ----------------------------------------------------------------
 */

static size_t
write_callback(char *data, size_t size, size_t nmemb, void *arg)
{
	RfTransfer *x = (RfTransfer *) arg;
	size_t		n = size * nmemb;

	x->bytes += n;
	if (x->bytes > x->conn->max_response_bytes)
	{
		x->too_large = true;
		return 0;
	}
	if (x->status == 0)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->headlen < RF_ERROR_BODY_KEEP)
	{
		int			keep = Min((int) n, RF_ERROR_BODY_KEEP - x->headlen);

		memcpy(x->head + x->headlen, data, keep);
		x->headlen += keep;
		x->head[x->headlen] = '\0';
	}
	if (x->status >= 200 && x->status < 300 && x->sink.feed != NULL &&
		!x->sink.feed(x->sink.arg, data, n))
	{
		/* bytes that cannot begin a document: the same bytes would again */
		x->parse_failed = true;
		x->parse_refused = true;
		return 0;
	}
	return n;
}

/*
 * libcurl asks for a socket to connect to a resolved address: the network
 * policy's last word.  A restricted transfer gets no socket for an address
 * that is not public; libcurl then tries the host's other addresses, if
 * any, and fails with "could not connect" when none is left.
 */
static curl_socket_t
open_socket_callback(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	RfTransfer *x = (RfTransfer *) arg;

	if (x->restricted && !sockaddr_is_public(&addr->addr))
	{
		const void *a = (addr->family == AF_INET6) ?
			(const void *) &((struct sockaddr_in6 *) &addr->addr)->sin6_addr :
			(const void *) &((struct sockaddr_in *) &addr->addr)->sin_addr;

		if (inet_ntop(addr->family, a, x->blocked, sizeof(x->blocked)) == NULL)
			strlcpy(x->blocked, "an address", sizeof(x->blocked));
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* Keep a header's value if its name is "name" (case-insensitive) */
static void
capture_header(const char *line, size_t len, const char *name,
			   char *dest, size_t destsize)
{
	size_t		nlen = strlen(name);
	size_t		vlen;
	const char *v;

	if (len <= nlen || line[nlen] != ':' || pg_strncasecmp(line, name, nlen) != 0)
		return;
	v = line + nlen + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	if (vlen >= destsize)
		vlen = destsize - 1;
	memcpy(dest, v, vlen);
	dest[vlen] = '\0';
}

static size_t
header_callback(char *line, size_t size, size_t nmemb, void *arg)
{
	RfTransfer *x = (RfTransfer *) arg;
	size_t		n = size * nmemb;

	capture_header(line, n, "retry-after", x->retry_after, sizeof(x->retry_after));
	capture_header(line, n, "x-page-next", x->page_next, sizeof(x->page_next));
	capture_header(line, n, "location", x->location, sizeof(x->location));
	return n;
}

/* ----------------------------------------------------------------
 *		Transfers
 * ----------------------------------------------------------------
 */

static void
reset_attempt(RfTransfer *x)
{
	x->curl_rc = CURLE_OK;
	x->status = 0;
	x->bytes = 0;
	x->too_large = false;
	x->parse_failed = false;
	x->parse_refused = false;
	x->blocked[0] = '\0';
	x->errbuf[0] = '\0';
	x->head[0] = '\0';
	x->headlen = 0;
	x->retry_after[0] = '\0';
	x->page_next[0] = '\0';
	x->location[0] = '\0';
	if (x->sink.reset)
		x->sink.reset(x->sink.arg);
}

/*
 * Configure the easy handle for one attempt and hand it to libcurl.
 */
static void
start_attempt(RfConn *conn, RfTransfer *x)
{
	CURL	   *e = x->easy;

	reset_attempt(x);
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, x->restricted ? "https" : "http,https");
	if (x->restricted)
	{
		curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket_callback);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
		/* a proxy would connect where the policy cannot look */
		curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	}
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, conn->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, conn->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_callback);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_callback);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, RF_VERSION_STRING);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, conn->verify_tls ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, conn->verify_tls ? 2L : 0L);
	if (conn->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, conn->ca_file);
	if (conn->auth == RF_AUTH_BASIC)
	{
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, conn->basic_user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, conn->basic_password);
	}
	if (strcmp(x->method, "GET") != 0)
	{
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->method);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body ? x->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long) (x->body ? strlen(x->body) : 0));
	}

	if (curl_multi_add_handle(conn->multi, e) != CURLM_OK)
	{
		x->curl_rc = CURLE_FAILED_INIT;
		x->state = RF_XFER_DONE;
		return;
	}
	x->attempts++;
	x->state = RF_XFER_RUNNING;
	conn->nrunning++;
}

/* Start whatever may start: queued transfers and retries that are due */
static void
start_due_transfers(RfConn *conn)
{
	dlist_iter	it;
	TimestampTz now = 0;

	dlist_foreach(it, &conn->transfers)
	{
		RfTransfer *x = dlist_container(RfTransfer, node, it.cur);

		if (conn->nrunning >= conn->max_concurrency)
			break;
		if (x->state == RF_XFER_BACKOFF)
		{
			if (now == 0)
				now = GetCurrentTimestamp();
			if (x->not_before > now)
				continue;
		}
		else if (x->state != RF_XFER_QUEUED)
			continue;
		if (x->needs_auth)
			continue;
		if (conn->min_interval_us > 0)
		{
			if (now == 0)
				now = GetCurrentTimestamp();
			if (now < conn->next_start)
				break;			/* paced: the loop wakes up for it */
			conn->next_start = Max(now, conn->next_start) + conn->min_interval_us;
		}
		start_attempt(conn, x);
	}
}

/* Milliseconds of a Retry-After header (seconds or an HTTP date), or -1 */
static int64
retry_after_ms(const char *value)
{
	char	   *end;
	long		secs;
	time_t		when;

	if (*value == '\0')
		return -1;
	errno = 0;
	secs = strtol(value, &end, 10);
	if (errno == 0 && end != value && *end == '\0' && secs >= 0)
		return (int64) secs * 1000;
	when = curl_getdate(value, NULL);
	if (when < 0)
		return -1;
	return Max(0, (int64) (when - time(NULL)) * 1000);
}

/* How the body sink says the body failed (syntax when it cannot tell) */
static RfBodyFailure
body_failure(RfTransfer *x, const char **why)
{
	RfBodyFailure kind = RF_BODY_SYNTAX;
	const char *text = NULL;

	if (x->sink.failure)
		text = x->sink.failure(x->sink.arg, &kind);
	if (why)
		*why = text;
	return text ? kind : RF_BODY_SYNTAX;
}

/*
 * Whether another attempt may go better: throttling, server errors, broken
 * connections and bodies that ended early.  Not a body the parser refused
 * as it arrived (malformed, nested too deep, too dense for its size, out
 * of memory): the vendor would send the same bytes again.  Nor an address
 * the network policy refused.
 */
static bool
is_retryable(RfTransfer *x)
{
	if (!x->idempotent || x->too_large || x->blocked[0] != '\0')
		return false;
	switch (x->curl_rc)
	{
		case CURLE_OK:
			return x->status == 429 || x->status >= 500;
		case CURLE_WRITE_ERROR:
			return x->parse_failed && !x->parse_refused;
		case CURLE_COULDNT_CONNECT:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE:
		case CURLE_WEIRD_SERVER_REPLY:
		case CURLE_HTTP2:
		case CURLE_HTTP2_STREAM:
			return true;
		default:
			return false;
	}
}

/*
 * An attempt has ended: decide between done and another try.  Retries wait
 * for Retry-After (capped by retry_max_wait_ms) or an exponential back-off
 * with jitter.
 */
static void
finish_attempt(RfConn *conn, RfTransfer *x, CURLcode rc)
{
	curl_multi_remove_handle(conn->multi, x->easy);
	conn->nrunning--;
	x->curl_rc = rc;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	x->bytes_total += x->bytes;
	if (rc == CURLE_OK && (x->status == 429 || x->status == 503))
		x->throttled++;

	/* a complete 2xx body must also have been a complete document */
	if (rc == CURLE_OK && x->status >= 200 && x->status < 300 &&
		x->sink.feed != NULL && x->sink.finish != NULL &&
		!x->sink.finish(x->sink.arg))
	{
		x->curl_rc = CURLE_WRITE_ERROR;
		x->parse_failed = true;
	}

	/* a refused OAuth token: fetch a new one and try once more */
	if (rc == CURLE_OK && x->status == 401 && conn->client_id && !x->no_auth &&
		!x->reauthed)
	{
		x->reauthed = true;
		x->needs_auth = true;
		conn->token_stale = true;
		x->state = RF_XFER_BACKOFF;
		x->not_before = 0;
		return;
	}

	if (is_retryable(x) && x->retries < conn->max_retries)
	{
		int64		delay = retry_after_ms(x->retry_after);

		if (delay < 0)
		{
			delay = (int64) RF_BACKOFF_BASE_MS << Min(x->retries, 16);
			delay += (int64) (pg_prng_double(&pg_global_prng_state) * delay / 2);
		}
		delay = Min(delay, conn->retry_max_wait_ms);
		x->retries++;
		x->state = RF_XFER_BACKOFF;
		x->not_before = GetCurrentTimestamp() + delay * 1000;
		return;
	}
	x->state = RF_XFER_DONE;
}

static void
drain_messages(RfConn *conn)
{
	CURLMsg    *msg;
	int			left;

	while ((msg = curl_multi_info_read(conn->multi, &left)) != NULL)
	{
		RfTransfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &x);
		if (x != NULL)
			finish_attempt(conn, x, msg->data.result);
	}
}

/* How long the loop may sleep: until libcurl's timer or the next retry */
static long
loop_timeout_ms(RfConn *conn)
{
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz due = now + RF_POLL_MS * 1000;
	dlist_iter	it;

	if (conn->timer_due != 0 && conn->timer_due < due)
		due = conn->timer_due;
	dlist_foreach(it, &conn->transfers)
	{
		RfTransfer *x = dlist_container(RfTransfer, node, it.cur);

		if (x->state == RF_XFER_BACKOFF && x->not_before < due)
			due = x->not_before;
		if ((x->state == RF_XFER_QUEUED || x->state == RF_XFER_BACKOFF) &&
			conn->min_interval_us > 0 && conn->next_start > now &&
			conn->next_start < due)
			due = conn->next_start;
	}
	return due <= now ? 0 : (long) ((due - now + 999) / 1000);
}

/*
 * One turn of the event loop: wait for socket activity, the latch or a
 * timer, then let libcurl act on it.
 */
static void
loop_once(RfConn *conn)
{
	long		timeout = loop_timeout_ms(conn);
	int			nsocks = conn->nsocks;
	WaitEventSet *set;
	WaitEvent  *events;
	int			nevents;

	events = palloc(sizeof(WaitEvent) * (nsocks + 2));
	set = CreateWaitEventSet(CurrentMemoryContext, nsocks + 2);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int i = 0; i < nsocks; i++)
	{
		uint32		ev = 0;

		if (conn->socks[i].what & CURL_POLL_IN)
			ev |= WL_SOCKET_READABLE;
		if (conn->socks[i].what & CURL_POLL_OUT)
			ev |= WL_SOCKET_WRITEABLE;
		if (ev != 0)
			AddWaitEventToSet(set, ev, conn->socks[i].fd, NULL, NULL);
	}
	nevents = WaitEventSetWait(set, timeout, events, nsocks + 2,
							   PG_WAIT_EXTENSION);
	FreeWaitEventSet(set);

	for (int i = 0; i < nevents; i++)
	{
		int			flags = 0;
		int			running;

		if (events[i].events & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			continue;
		}
		if (events[i].events & WL_SOCKET_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events[i].events & WL_SOCKET_WRITEABLE)
			flags |= CURL_CSELECT_OUT;
		curl_multi_socket_action(conn->multi, events[i].fd, flags, &running);
	}
	pfree(events);

	if (conn->timer_due != 0 && conn->timer_due <= GetCurrentTimestamp())
	{
		int			running;

		conn->timer_due = 0;
		curl_multi_socket_action(conn->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	drain_messages(conn);
}

/*
 * Queue a request.  It starts as soon as a slot is free; the caller waits
 * for it with rf_http_wait and must rf_http_release it.
 */
RfTransfer *
rf_http_submit(RfConn *conn, const RfHttpRequest *req, const RfBodySink *sink)
{
	RfTransfer *x;
	ListCell   *lc;
	bool		restricted;

	/* refused by the network policy before anything is queued */
	check_policy(conn, req->url, &restricted);

	/* a client-credentials token first, before this transfer is queued */
	if (conn->client_id && !req->no_auth && !conn->token_fetching &&
		(conn->auth_line == NULL || conn->token_stale ||
		 GetCurrentTimestamp() >= conn->token_expires))
		oauth_fetch(conn);

	x = palloc0(sizeof(RfTransfer));
	x->conn = conn;
	x->endpoint = req->endpoint;
	x->method = req->method;
	x->url = pstrdup(req->url);
	x->body = req->body ? pstrdup(req->body) : NULL;
	x->idempotent = req->idempotent;
	x->allow_404 = req->allow_404;
	x->restricted = restricted;
	x->stats_name = rf_stats_endpoint_name(conn->vendor, req->endpoint);
	if (sink)
		x->sink = *sink;
	x->state = RF_XFER_QUEUED;

	/* from here on, the cleanup callback owns the libcurl resources */
	x->cleanup.func = transfer_cleanup_callback;
	x->cleanup.arg = x;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &x->cleanup);
	dlist_push_tail(&conn->transfers, &x->node);

	x->easy = conn->nidle > 0 ? conn->idle[--conn->nidle] : curl_easy_init();
	if (x->easy == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("could not create a libcurl handle")));
	x->no_auth = req->no_auth;
	x->form = req->form;
	x->any_status = req->any_status;
	foreach(lc, req->headers)
		x->extra_headers = lappend(x->extra_headers, pstrdup(lfirst(lc)));
	build_headers(conn, x);

	start_due_transfers(conn);
	return x;
}

/*
 * Send one request and wait for its answer; a failure (after the retries
 * it earns) is raised.  The caller reads the transfer and releases it.
 * Scans do not use this: they keep several transfers in flight.
 */
RfTransfer *
rf_http_send(RfConn *conn, const RfHttpRequest *req, const RfBodySink *sink)
{
	RfTransfer *x = rf_http_submit(conn, req, sink);

	rf_http_wait(conn, x);
	if (!rf_http_succeeded(x))
		rf_http_raise(x);
	return x;
}

/* (Re)build a transfer's header list, with the current credentials */
static void
build_headers(RfConn *conn, RfTransfer *x)
{
	ListCell   *lc;

	if (x->headers)
		curl_slist_free_all(x->headers);
	x->headers = curl_slist_append(NULL, "Accept: application/json");
	if (x->headers && x->body)
		x->headers = curl_slist_append(x->headers, x->form ?
									   "Content-Type: application/x-www-form-urlencoded" :
									   "Content-Type: application/json");
	if (x->headers && conn->auth_line && !x->no_auth)
		x->headers = curl_slist_append(x->headers, conn->auth_line);
	foreach(lc, x->extra_headers)
	{
		if (x->headers)
			x->headers = curl_slist_append(x->headers, (char *) lfirst(lc));
	}
	if (x->headers == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("out of memory")));
}

/*
 * Fetch an OAuth2 access token with the client credentials (RFC 6749
 * section 4.4) and keep it, with its expiry, in the connection.  The token
 * request carries the secret in its body only.
 */
static void
oauth_fetch(RfConn *conn)
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
				build_headers(conn, t);
				t->needs_auth = false;
			}
		}
	}
}

/*
 * Run the event loop until the given transfer is done.  Other transfers
 * progress meanwhile.
 */
void
rf_http_wait(RfConn *conn, RfTransfer *x)
{
	TimestampTz start = GetCurrentTimestamp();

	while (x->state != RF_XFER_DONE)
	{
		if (conn->token_stale && !conn->token_fetching)
			oauth_fetch(conn);
		start_due_transfers(conn);
		if (x->state == RF_XFER_DONE)
			break;
		loop_once(conn);
		CHECK_FOR_INTERRUPTS();
	}
	x->wait_us += GetCurrentTimestamp() - start;
}

bool
rf_http_done(RfTransfer *x)
{
	return x->state == RF_XFER_DONE;
}

bool
rf_http_succeeded(RfTransfer *x)
{
	if (x->state != RF_XFER_DONE || x->curl_rc != CURLE_OK)
		return false;
	if (x->any_status && x->status >= 200 && x->status < 500 && x->status != 401 &&
		x->status != 403 && x->status != 429)
		return true;
	return (x->status >= 200 && x->status < 300) ||
		(x->status == 404 && x->allow_404);
}

long
rf_http_status(RfTransfer *x)
{
	return x->status;
}

/* The Location header of the answer (never followed), or NULL */
const char *
rf_http_location(RfTransfer *x)
{
	return x->location[0] ? x->location : NULL;
}

/*
 * The first bytes of the answer's body, as text: cut back to the last
 * whole character when the kept bytes end inside one; any other invalid
 * UTF-8 is the vendor's and an error (22021), never text of ours.
 */
const char *
rf_http_body_head(RfTransfer *x)
{
	int			len = x->headlen;
	int			i = 0;

	while (i < len)
	{
		int			l = pg_utf_mblen((const unsigned char *) x->head + i);

		if (i + l > len)
		{
			if (len >= RF_ERROR_BODY_KEEP)
				len = i;		/* the keep limit cut a character */
			break;
		}
		i += l;
	}
	x->head[len] = '\0';
	x->headlen = len;
	if (!pg_verify_mbstr(PG_UTF8, x->head, len, true))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s sent an answer that is not valid UTF-8", x->conn->vendor),
				 errdetail("Endpoint %s, server \"%s\", HTTP status %ld. Answer starts: %s",
						   x->endpoint, x->conn->servername, x->status,
						   rf_clean_text(x->head, len, 200)),
				 errhint("The vendor's answer is not valid UTF-8; nothing of it was returned.")));
	return x->head;
}

const char *
rf_http_page_next_header(RfTransfer *x)
{
	return x->page_next[0] ? x->page_next : NULL;
}

/*
 * Detach a transfer from libcurl and give its easy handle back to the pool.
 * Safe to call twice; also the memory-context reset callback.
 */
static void
transfer_detach(RfTransfer *x)
{
	RfConn	   *conn = x->conn;

	if (x->released)
		return;
	x->released = true;
	dlist_delete(&x->node);
	if (x->attempts > 0)
	{
		RfStatCounts d;

		d.requests = x->attempts;
		d.pages = (x->state == RF_XFER_DONE && rf_http_succeeded(x) &&
				   !x->consumer_failed) ? 1 : 0;
		d.rows = x->rows;
		d.bytes = x->bytes_total;
		d.retries = x->retries;
		d.throttled = x->throttled;
		d.net_us = x->wait_us;
		rf_stats_add(conn->serverid, x->stats_name, &d,
					 x->error[0] ? x->error : NULL);
	}
	if (x->easy)
	{
		if (x->state == RF_XFER_RUNNING)
		{
			curl_multi_remove_handle(conn->multi, x->easy);
			conn->nrunning--;
		}
		if (conn->nidle < (int) lengthof(conn->idle) && x->state == RF_XFER_DONE &&
			x->curl_rc == CURLE_OK)
			conn->idle[conn->nidle++] = x->easy;
		else
			curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	curl_slist_free_all(x->headers);
	x->headers = NULL;
}

static void
transfer_cleanup_callback(void *arg)
{
	transfer_detach((RfTransfer *) arg);
}

/*
 * Called while an error propagates (PG_CATCH) from the code that was
 * using a transfer's answer: the answer came, but it failed the query (a
 * value of the wrong type, inconsistent pagination, a wrong shape).  The
 * exchange then counts as an error in request_stats, with the message, not
 * as a page.  A cancel is not the answer's fault and is not counted.
 */
void
rf_http_note_failure(RfTransfer *x)
{
	MemoryContext old;
	ErrorData  *edata;

	if (x == NULL || x->released || x->state != RF_XFER_DONE ||
		x->error[0] != '\0')
		return;
	old = MemoryContextSwitchTo(GetMemoryChunkContext(x));
	edata = CopyErrorData();
	MemoryContextSwitchTo(old);
	if (edata->sqlerrcode != ERRCODE_QUERY_CANCELED &&
		edata->sqlerrcode != ERRCODE_ADMIN_SHUTDOWN)
	{
		x->consumer_failed = true;
		strlcpy(x->error, edata->message ? edata->message : "error",
				sizeof(x->error));
	}
	FreeErrorData(edata);
}

/* The caller made this many rows of the answer (request_stats) */
void
rf_http_add_rows(RfTransfer *x, int64 rows)
{
	x->rows += rows;
}

void
rf_http_release(RfTransfer *x, RfStats *stats)
{
	if (stats && !x->released)
	{
		stats->requests += x->attempts;
		stats->retries += x->retries;
		stats->bytes += x->bytes_total;
		stats->wait_us += x->wait_us;
	}
	transfer_detach(x);
}

/* ----------------------------------------------------------------
 *		Errors
 * ----------------------------------------------------------------
 */

/*
 * The start of an error response, on one line, for errdetail: invalid
 * UTF-8 shown as \xNN, cut at a character boundary.
 */
static char *
body_excerpt(RfTransfer *x)
{
	return rf_clean_text(x->head, x->headlen, 200);
}

/*
 * Raise the error that ends a failed transfer: each failure class has its
 * own SQLSTATE; the detail names vendor, endpoint and HTTP status, never a
 * credential (they travel in headers, which are not printed).
 */
void
rf_http_raise(RfTransfer *x)
{
	/* keep the message for request_stats, then let the error go on */
	PG_TRY();
	{
		raise_failure(x);
	}
	PG_CATCH();
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
		ErrorData  *edata = CopyErrorData();

		MemoryContextSwitchTo(old);
		strlcpy(x->error, edata->message ? edata->message : "error",
				sizeof(x->error));
		FreeErrorData(edata);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pg_unreachable();
}

/* Raise the error that describes a failed transfer */
static void
raise_failure(RfTransfer *x)
{
	RfConn	   *conn = x->conn;
	char	   *where;
	char	   *tries;
	char	   *body;

	where = psprintf("vendor %s, %s, server \"%s\"", conn->vendor,
					 x->endpoint, conn->servername);
	tries = x->retries > 0 ? psprintf(" after %d retries", x->retries) : pstrdup("");
	body = body_excerpt(x);

	if (x->too_large)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("response of %s is larger than max_response_bytes (" INT64_FORMAT " bytes)",
						conn->vendor, conn->max_response_bytes),
				 errdetail("%s, HTTP status %ld.", where, x->status),
				 errhint("Narrow the query, lower page_size, or raise max_response_bytes on server \"%s\".",
						 conn->servername)));
	if (x->parse_failed)
	{
		const char *why;
		RfBodyFailure kind = body_failure(x, &why);

		if (kind == RF_BODY_NOMEM)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory parsing a response of %s", conn->vendor),
					 errdetail("%s, HTTP status %ld, %lld bytes received: %s.",
							   where, x->status, (long long) x->bytes, why),
					 errhint("Lower page_size or max_response_bytes on server \"%s\".",
							 conn->servername)));
		if (kind == RF_BODY_LIMIT)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a response of %s was refused: %s", conn->vendor, why),
					 errdetail("%s, HTTP status %ld, %lld bytes received. Body starts: %s",
							   where, x->status, (long long) x->bytes, body),
					 errhint("Such a body would cost far more memory than its size, or is not valid JSON; it is not retried. Report it to the vendor.")));
	}
	if (x->parse_failed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_JSON_TEXT),
				 errmsg("malformed JSON in a response of %s%s", conn->vendor, tries),
				 errdetail("%s, HTTP status %ld, %lld bytes received. Body starts: %s",
						   where, x->status, (long long) x->bytes, body),
				 errhint("The vendor sent a body that is not valid JSON; retry later or contact the vendor.")));

	if (x->blocked[0] != '\0' && x->curl_rc != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("retail_fdw refuses to connect to %s: not a public address",
						x->blocked),
				 errdetail("%s, used by a role that is not a superuser; such roles may reach only https hosts with public addresses, and the host's name resolved to %s.",
						   where, x->blocked),
				 errhint("A superuser can allow the host with the setting retail_fdw.allowed_hosts.")));

	switch (x->curl_rc)
	{
		case CURLE_OK:
			break;
		case CURLE_OPERATION_TIMEDOUT:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("request to %s timed out%s", conn->vendor, tries),
					 errdetail("%s: %s.", where, x->errbuf),
					 errhint("Raise timeout_ms (now %ld) or connect_timeout_ms (now %ld) on server \"%s\".",
							 conn->timeout_ms, conn->connect_timeout_ms,
							 conn->servername)));
			break;
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_ISSUER_ERROR:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("TLS handshake with %s failed", conn->vendor),
					 errdetail("%s: %s.", where, x->errbuf),
					 errhint("If the vendor uses a private CA, set ca_file on server \"%s\".",
							 conn->servername)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("could not talk to %s%s", conn->vendor, tries),
					 errdetail("%s: %s.", where,
							   x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->curl_rc)),
					 errhint("Check base_url of server \"%s\" and that the vendor is reachable.",
							 conn->servername)));
	}

	if (x->status == 401 || x->status == 403)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("%s refused the credentials (HTTP %ld)", conn->vendor, x->status),
				 errdetail("%s. Response: %s", where, body),
				 errhint("Check the user mapping for server \"%s\" (ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (SET ...)).",
						 conn->servername, conn->servername)));
	if (x->status == 404)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
				 errmsg("%s answered 404 Not Found", conn->vendor),
				 errdetail("%s. Response: %s", where, body),
				 errhint("Check base_url of server \"%s\", including any path prefix.",
						 conn->servername)));
	if (x->status == 429 || x->status == 503)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("%s throttled the request (HTTP %ld)%s", conn->vendor,
						x->status, tries),
				 errdetail("%s. Response: %s", where, body),
				 errhint("Retry later, or lower max_concurrency / raise max_retries on server \"%s\".",
						 conn->servername)));
	if (x->status >= 500)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("%s failed with HTTP %ld%s", conn->vendor, x->status, tries),
				 errdetail("%s. Response: %s", where, body),
				 errhint("The vendor's service is failing; retry later.")));
	if (x->status >= 400)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s rejected the request (HTTP %ld)", conn->vendor, x->status),
				 errdetail("%s. Response: %s", where, body),
				 errhint("Check the query's filters against what the vendor accepts.")));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("unexpected HTTP status %ld from %s", x->status, conn->vendor),
			 errdetail("%s. Location: %s", where, x->location[0] ? "(redirect not followed)" : "none"),
			 errhint("retail_fdw does not follow redirects; check base_url of server \"%s\".",
					 conn->servername)));
}
