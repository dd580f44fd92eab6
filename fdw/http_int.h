/*-------------------------------------------------------------------------
 *
 * http_int.h
 *		  What http.c and connection.c share, and nothing else includes: the
 *		  connection and transfer structures and libcurl types.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include <arpa/inet.h>
#include <curl/curl.h>

#include "lib/ilist.h"
#include "utils/timestamp.h"

#include "http.h"
#include "netpolicy.h"
#include "vendor.h"

/* Longest time the loop waits before it checks for interrupts again */
#define RF_POLL_MS			100
/* Bytes of an error response kept for the error message */
#define RF_ERROR_BODY_KEEP	512
/* First back-off step; doubles with each retry */
#define RF_BACKOFF_BASE_MS	200
/* a wait this long before a retry says so (NOTICE) */
#define RF_WAIT_NOTICE_MS	1000
/* How soon the loop looks again for a slot another participant freed */
#define RF_SHARED_POLL_MS	3
/*
 * Longest value of a response header the transport keeps (Location,
 * X-Page-Next, Retry-After).  A presigned download URL runs to a few
 * kilobytes; past this bound a header is an error, never cut short.
 */
#define RF_HEADER_MAX		(64 * 1024)

/*
 * A response header the transport keeps: its whole value, malloc'd (it is
 * written from a libcurl callback, where an error cannot be raised) and
 * NUL-terminated, or NULL when the answer had none.  It is checked for
 * UTF-8 when it is read (rf_http_location, rf_http_page_next_header).
 */
typedef struct RfKeptHeader
{
	char	   *value;
	size_t		len;
} RfKeptHeader;

typedef struct RfSock
{
	curl_socket_t fd;
	int			what;			/* CURL_POLL_IN / OUT / INOUT */
} RfSock;

/*
 * A connection is cached per user mapping and per network policy: a
 * mapping FOR PUBLIC serves superusers and other roles alike, and the
 * sockets libcurl keeps for one must never serve the other.  Why the
 * policy applies (RfConn.policy) is not part of the key: it only changes
 * what the errors say.
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
	uint64		socks_gen;		/* bumped when a socket comes or goes */
	TimestampTz timer_due;		/* libcurl wants a timeout call then; 0 = none */
	dlist_head	transfers;		/* every transfer not yet released */
	int			nrunning;		/* transfers inside the multi handle */
	CURL	   *idle[8];		/* easy handles kept for reuse */
	int			nidle;

	/* the network policy of the latest rf_http_connect, and why */
	RfPolicy	policy;
	Oid			server_owner;

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
	/* gets a token when none is valid (connection.c); NULL without OAuth */
	void		(*fetch_token) (RfConn *conn);
	bool		token_stale;	/* refused once: fetch a new one */
	bool		token_fetching;

	/* client-side pacing */
	int64		min_interval_us;	/* between request starts; 0 = none */
	TimestampTz next_start;

	uint64		ndone;			/* transfers finished so far */
	bool		shared_blocked; /* a transfer waits for a shared slot */
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
	RfSharedLimit *shared;		/* parallel scan's limits, or NULL */
	bool		holds_slot;		/* counted in shared->running */

	/* the response cache (cache.c) */
	RfCacheUse *cache;			/* the caller's, or NULL */
	bool		from_cache;		/* replayed from the cache: no request */
	char	   *keep;			/* malloc'd copy of the 2xx body, to store */
	size_t		keep_len;
	size_t		keep_cap;
	size_t		keep_max;		/* the largest body the cache takes; 0 = none */
	bool		keeping;		/* this attempt's body is still being copied */
	void	   *keep_verdict;	/* malloc'd: the sink's verdict on keep */
	size_t		keep_vlen;

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
	RfKeptHeader retry_after;
	RfKeptHeader page_next;
	RfKeptHeader location;
	const char *header_refused; /* a kept header past RF_HEADER_MAX: its name */
	bool		header_nomem;	/* no memory to keep a header */
};

/*
 * http.c, for connection.c (which stands above it: http.c calls nothing of
 * connection.c, and reaches the OAuth token fetch through
 * RfConn.fetch_token)
 */
extern void rf_http_wait_set_drop(RfConn *conn);
extern void rf_http_build_headers(RfConn *conn, RfTransfer *x);

extern RfBodyFailure rf_http_body_failure(RfTransfer *x, const char **why);

#endif							/* HTTP_INT_H */
