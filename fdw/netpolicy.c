/*-------------------------------------------------------------------------
 *
 * netpolicy.c
 *		  Which URLs a request may go to: URL checks and the network policy.
 *
 * URL checks (for base_url, token_url and next links): plain http only to
 * loopback, same-origin next links, relative links resolved, values
 * percent-encoded.  The network policy, in the style of postgres_fdw's
 * password rule: a connection used by a role that is not a superuser, or
 * to a server whose owner is not one, may reach only https hosts whose
 * addresses are public; http.c asks rf_policy_check_url before a request
 * and rf_policy_address_is_public when libcurl opens a socket (after name
 * resolution, before connect()), so a name that rebinds to a private
 * address gets no packet.  Hosts a
 * superuser lists in retail_fdw.allowed_hosts are exempt.
 *
 * Not here: the transfers themselves (http.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <curl/curl.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/varlena.h"

#include "lib/stringinfo.h"

#include "netpolicy.h"

/* retail_fdw.allowed_hosts (defined in rf_http_init) */
char	   *rf_allowed_hosts = NULL;

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
 * base_url and token_url hold no query or fragment: documented paths and
 * parameters are appended to them, and a query of the URL's own would ride
 * along on every request (or swallow them, after a '#').
 */
void
rf_http_check_url(const char *url, const char *what)
{
	CURLU	   *h = curl_url();
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *user = NULL;
	const char *problem = NULL;
	const char *hint = "Use an https:// URL such as 'https://api.example.com'.";

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
	else if (strpbrk(url, "?#") != NULL)
	{
		problem = "it holds a query or a fragment ('?' or '#')";
		hint = "Give scheme, host, port and path prefix only, such as 'https://api.example.com/v1'; retail_fdw adds each request's own path and parameters.";
	}

	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(h);

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", what, url),
				 errdetail("%s", problem),
				 errhint("%s", hint)));
}

/*
 * "host:port" of a URL (the port the scheme implies when it gives none),
 * or with with_scheme "scheme://host:port", lower-cased; NULL when the URL
 * does not parse.
 */
static char *
url_address(const char *url, bool with_scheme)
{
	CURLU	   *h = curl_url();
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *port = NULL;
	char	   *result = NULL;

	if (h == NULL)
		return NULL;
	if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
		(!with_scheme || curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) &&
		curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
	{
		if (!with_scheme)
			result = psprintf("%s:%s", host, port);
		else
		{
			result = psprintf("%s://%s:%s", scheme, host, port);
			for (char *p = result; *p; p++)
				*p = pg_tolower((unsigned char) *p);
		}
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
	char	   *a = url_address(base, true);
	char	   *b = url_address(url, true);

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

bool
rf_policy_address_is_public(const struct sockaddr *sa)
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
 * Whether the network policy applies to a connection, and why.  Like
 * postgres_fdw's password rule it looks at the role whose user mapping is
 * used; unlike it, also at the server's owner.  Whoever owns a server
 * chose its base_url (only the owner or a superuser may ALTER SERVER, and
 * only they may create mappings for others, token_url included), so a
 * server owned by a role that is not a superuser is restricted whoever
 * uses it: otherwise such a role points a server FOR PUBLIC at a loopback
 * service and waits for a superuser's check_server loop to send the
 * request for it (a confused deputy).  A superuser who has checked such a
 * server takes it over with ALTER SERVER ... OWNER TO.  Asked at every
 * use: roles gain and lose superuser, servers change owners.
 */
RfPolicy
rf_policy_for(Oid userid, Oid server_owner)
{
	if (!superuser_arg(userid))
		return RF_POLICY_USER;
	if (!superuser_arg(server_owner))
		return RF_POLICY_OWNER;
	return RF_POLICY_OPEN;
}

/* Why a connection is restricted: the detail of the policy's errors */
char *
rf_policy_reason(RfPolicy policy, const char *servername, Oid server_owner)
{
	if (policy == RF_POLICY_OWNER)
	{
		const char *owner = GetUserNameFromId(server_owner, true);

		return psprintf("Server \"%s\" is owned by role \"%s\", which is not a superuser: a server created or last altered by a role that is not a superuser is restricted whoever uses it, to https hosts with public addresses.",
						servername, owner ? owner : "?");
	}
	return psprintf("Server \"%s\" is used by a role that is not a superuser; such roles may reach only https hosts with public addresses.",
					servername);
}

/*
 * What a superuser can do about it: the hint of the policy's errors, with
 * the statements to run.  The setting is read when a session starts, so
 * the example sets it for the role that uses the server.
 */
char *
rf_policy_hint(RfPolicy policy, const char *servername, const char *url)
{
	char	   *hostport = url ? url_address(url, false) : NULL;
	const char *role = GetUserNameFromId(GetUserId(), true);
	char	   *allow;

	allow = psprintf("ALTER ROLE %s SET retail_fdw.allowed_hosts = '%s'; (from the role's next session)",
					 quote_identifier(role ? role : "CURRENT_USER"),
					 hostport ? hostport : "host:port");
	if (policy == RF_POLICY_OWNER)
		return psprintf("As a superuser, once the server's options are checked, take it over: ALTER SERVER %s OWNER TO CURRENT_USER; or allow the host: %s",
						quote_identifier(servername), allow);
	return psprintf("As a superuser, allow the host for the role: %s", allow);
}

/*
 * What the network policy says about a URL, before any request: for a
 * restricted connection (rf_policy_for), a host not in
 * retail_fdw.allowed_hosts must be https, and must not be an IP literal of
 * non-public space.  Names are checked again, address by address, when
 * libcurl opens its sockets.  *restricted tells whether that check applies.
 */
void
rf_policy_check_url(RfPolicy policy, const char *servername, Oid server_owner,
					const char *url, bool *restricted)
{
	CURLU	   *h;
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *port = NULL;
	const char *problem = NULL;

	*restricted = false;
	if (policy == RF_POLICY_OPEN)
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
				 errdetail("%s", rf_policy_reason(policy, servername, server_owner)),
				 errhint("%s", rf_policy_hint(policy, servername, url))));
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

