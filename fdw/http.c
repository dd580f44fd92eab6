/*-------------------------------------------------------------------------
 *
 * http.c
 *		  The HTTP transport of retail_fdw: transfers and their event loop.
 *		  With connection.c and netpolicy.c, the only files using libcurl.
 *
 * Connections (RfConn) live in connection.c's cache, one libcurl multi
 * handle each; where a request may go is netpolicy.c's to say.  This file
 * runs transfers on them.
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
 * were allocated beforehand or with malloc (the response headers kept
 * whole, RfKeptHeader), or hand them to the body sink, which obeys the
 * same rule.  What went wrong is noted in the transfer; errors are raised
 * afterwards, by the caller, with rf_http_raise (httperror.c, which also
 * has rf_http_send: one request, its failure raised).
 *
 * A transfer is palloc'd in its caller's memory context and registers a
 * reset callback there, so that an error anywhere (or a cancel) detaches
 * its easy handle from the multi handle and frees libcurl's allocations.
 *
 * The network policy's last word is open_socket_callback: a restricted
 * transfer gets no socket for an address that is not public.
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

#include "access/parallel.h"
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

#include "http_int.h"
#include "cache.h"
#include "netpolicy.h"
#include "option.h"
#include "rf_port.h"
#include "stats.h"





static void transfer_cleanup_callback(void *arg);
static void release_shared_slot(RfTransfer *x);

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
 *		libcurl callbacks: no ereport, no palloc
 * ----------------------------------------------------------------
 */

/*
 * Copy a 2xx body for the response cache, while it fits what the cache
 * takes: malloc only (this runs inside libcurl), and a failure just stops
 * the copy.
 */
static void
keep_bytes(RfTransfer *x, const char *data, size_t n)
{
	if (x->keep_len + n > x->keep_max)
	{
		x->keeping = false;
		return;
	}
	if (x->keep_len + n > x->keep_cap)
	{
		size_t		cap = Max(x->keep_cap * 2, 65536);
		char	   *bigger;

		while (cap < x->keep_len + n)
			cap *= 2;
		cap = Min(cap, x->keep_max);
		bigger = realloc(x->keep, cap);
		if (bigger == NULL)
		{
			x->keeping = false;
			return;
		}
		x->keep = bigger;
		x->keep_cap = cap;
	}
	memcpy(x->keep + x->keep_len, data, n);
	x->keep_len += n;
}

/*
 * Bytes of the answer's body, from libcurl or replayed from the response
 * cache: counted against max_response_bytes, the start kept for error
 * messages, a 2xx body fed to the sink.  False stops the transfer.
 */
static bool
take_bytes(RfTransfer *x, const char *data, size_t n)
{
	x->bytes += n;
	if (x->bytes > x->conn->max_response_bytes)
	{
		x->too_large = true;
		return false;
	}
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
		return false;
	}
	if (x->keeping && x->status >= 200 && x->status < 300)
		keep_bytes(x, data, n);
	return true;
}

static size_t
write_callback(char *data, size_t size, size_t nmemb, void *arg)
{
	RfTransfer *x = (RfTransfer *) arg;
	size_t		n = size * nmemb;

	if (x->status == 0)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	return take_bytes(x, data, n) ? n : 0;
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

	if (x->restricted && !rf_policy_address_is_public(&addr->addr))
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

/* Forget a kept header's value */
static void
kept_clear(RfKeptHeader *h)
{
	free(h->value);
	h->value = NULL;
	h->len = 0;
}

/*
 * Keep a header's whole value if its name is "name" (case-insensitive).
 * False ends the transfer (libcurl's write error): a value past
 * RF_HEADER_MAX, which would be wrong if cut short, or no memory for it.
 * Called from libcurl: nothing here may raise an error.
 */
static bool
capture_header(RfTransfer *x, const char *line, size_t len, const char *name,
			   RfKeptHeader *dest)
{
	size_t		nlen = strlen(name);
	size_t		vlen;
	const char *v;
	char	   *copy;

	if (len <= nlen || line[nlen] != ':' || pg_strncasecmp(line, name, nlen) != 0)
		return true;
	v = line + nlen + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
						v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (vlen > RF_HEADER_MAX)
	{
		x->header_refused = name;
		return false;
	}
	copy = malloc(vlen + 1);
	if (copy == NULL)
	{
		x->header_nomem = true;
		return false;
	}
	memcpy(copy, v, vlen);
	copy[vlen] = '\0';
	kept_clear(dest);
	dest->value = copy;
	dest->len = vlen;
	return true;
}

static size_t
header_callback(char *line, size_t size, size_t nmemb, void *arg)
{
	RfTransfer *x = (RfTransfer *) arg;
	size_t		n = size * nmemb;

	if (!capture_header(x, line, n, "Retry-After", &x->retry_after) ||
		!capture_header(x, line, n, "X-Page-Next", &x->page_next) ||
		!capture_header(x, line, n, "Location", &x->location))
		return 0;
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
	kept_clear(&x->retry_after);
	kept_clear(&x->page_next);
	kept_clear(&x->location);
	x->header_refused = NULL;
	x->header_nomem = false;
	x->keep_len = 0;
	x->keeping = (x->keep_max > 0);
	free(x->keep_verdict);
	x->keep_verdict = NULL;
	x->keep_vlen = 0;
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
	/* every vendor asks for TLS 1.2 at least (RetailNext says so) */
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
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
		conn->ndone++;
		release_shared_slot(x);
		return;
	}
	x->attempts++;
	x->state = RF_XFER_RUNNING;
	conn->nrunning++;
}

/*
 * A transfer of a parallel scan takes a slot of the query's shared budget
 * before it starts, and its start is paced on the shared clock: false when
 * there is no room yet (the loop looks again soon).
 */
static bool
take_shared_slot(RfConn *conn, RfTransfer *x, TimestampTz *now)
{
	RfSharedLimit *sh = x->shared;
	bool		ok = true;

	if (*now == 0)
		*now = GetCurrentTimestamp();
	SpinLockAcquire(&sh->mutex);
	if (sh->running >= sh->max_running ||
		(IsParallelWorker() && sh->workers_running >= sh->max_running - 1))
		ok = false;
	else if (sh->min_interval_us > 0 && *now < sh->next_start)
		ok = false;
	else
	{
		if (sh->min_interval_us > 0)
			sh->next_start = Max(*now, sh->next_start) + sh->min_interval_us;
		sh->running++;
		if (IsParallelWorker())
			sh->workers_running++;
		if (sh->running > sh->peak)
			sh->peak = sh->running;
	}
	SpinLockRelease(&sh->mutex);
	if (ok)
		x->holds_slot = true;
	else
		conn->shared_blocked = true;
	return ok;
}

/* Give a transfer's shared slot back, if it holds one */
static void
release_shared_slot(RfTransfer *x)
{
	if (!x->holds_slot)
		return;
	x->holds_slot = false;
	if (x->shared == NULL)
		return;
	SpinLockAcquire(&x->shared->mutex);
	x->shared->running--;
	if (IsParallelWorker())
		x->shared->workers_running--;
	SpinLockRelease(&x->shared->mutex);
}

/* Start whatever may start: queued transfers and retries that are due */
static void
start_due_transfers(RfConn *conn)
{
	dlist_iter	it;
	TimestampTz now = 0;

	conn->shared_blocked = false;
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
		if (x->shared)
		{
			if (!take_shared_slot(conn, x, &now))
				continue;
		}
		else if (conn->min_interval_us > 0)
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
RfBodyFailure
rf_http_body_failure(RfTransfer *x, const char **why)
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
	if (!x->idempotent || x->too_large || x->blocked[0] != '\0' ||
		x->header_refused != NULL)
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
 * A wait of a second or more says so: a throttled or failing vendor makes a
 * query wait in silence otherwise.  Called once the transfer's state is
 * set, so that nothing here can leave it half changed.
 */
static void
notice_wait(RfConn *conn, RfTransfer *x, int64 delay)
{
	ereport(NOTICE,
			(errmsg("%s answered %s; waiting %.1f s before retry %d of %d",
					conn->vendor,
					x->curl_rc != CURLE_OK ? "no response" :
					psprintf("HTTP %ld", x->status),
					delay / 1000.0, x->retries, conn->max_retries),
			 errdetail("vendor %s, %s, server \"%s\"%s%s.", conn->vendor,
					   x->endpoint, conn->servername,
					   x->retry_after.value ? "; Retry-After: " : "",
					   x->retry_after.value ? x->retry_after.value : ""),
			 errhint("Cancel the query to stop waiting.")));
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
	release_shared_slot(x);
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
	else if (rc == CURLE_OK && x->status >= 200 && x->status < 300 &&
			 x->keeping && x->sink.verdict != NULL)
	{
		/* what the parser established goes into the cache with the body */
		x->keep_verdict = x->sink.verdict(x->sink.arg, x->keep ? x->keep : "",
										  x->keep_len, &x->keep_vlen);
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
		int64		delay = retry_after_ms(x->retry_after.value ?
											   x->retry_after.value : "");

		if (delay < 0)
		{
			delay = (int64) RF_BACKOFF_BASE_MS << Min(x->retries, 16);
			delay += (int64) (pg_prng_double(&pg_global_prng_state) * delay / 2);
		}
		delay = Min(delay, conn->retry_max_wait_ms);
		x->retries++;
		x->state = RF_XFER_BACKOFF;
		x->not_before = GetCurrentTimestamp() + delay * 1000;
		if (delay >= RF_WAIT_NOTICE_MS)
			notice_wait(conn, x, delay);
		return;
	}
	x->state = RF_XFER_DONE;
	conn->ndone++;
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
	/* another participant of a parallel scan may free a slot any time */
	if (conn->shared_blocked)
		due = Min(due, now + RF_SHARED_POLL_MS * 1000);
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
 * The event loop's wait set, kept from turn to turn and from wait to wait
 * instead of a new epoll set per turn.  There is one in the backend, for
 * the connection (multi handle) that waited last: the loop waits on one
 * connection at a time, and a set per cached connection would hold an
 * epoll file each (hundreds of servers would exhaust the backend's
 * descriptors).  It lives in a memory context of its own whose reset
 * callback frees it (FreeWaitEventSet closes the epoll file), so it goes
 * on every path: when another connection waits, when the socket set
 * changes, when its connection is dropped.  A socket that only changes
 * direction is modified in place; one that comes or goes (libcurl's
 * socket callback bumps socks_gen: a closed descriptor leaves the epoll
 * set by itself, and its number may come back for a new socket) means a
 * new set.
 */
typedef struct RfWaitSet
{
	MemoryContext cxt;			/* holds this and the set; deleting it frees all */
	MemoryContextCallback cb;
	RfConn	   *conn;			/* the connection it waits for */
	WaitEventSet *set;
	uint64		gen;			/* conn->socks_gen it was built for */
	int			nsocks;			/* conn->socks it was built for */
	int		   *pos;			/* each socket's event in the set, or -1 */
	uint32	   *events;			/* and the events asked for it */
	WaitEvent  *occurred;		/* room for WaitEventSetWait's answer */
} RfWaitSet;

static RfWaitSet *wait_current = NULL;

static void
wait_set_free(void *arg)
{
	RfWaitSet  *w = (RfWaitSet *) arg;

	if (w->set)
		FreeWaitEventSet(w->set);
	w->set = NULL;
	if (wait_current == w)
		wait_current = NULL;
}

/* The events libcurl asks for on a socket */
static uint32
sock_events(const RfSock *sock)
{
	uint32		ev = 0;

	if (sock->what & CURL_POLL_IN)
		ev |= WL_SOCKET_READABLE;
	if (sock->what & CURL_POLL_OUT)
		ev |= WL_SOCKET_WRITEABLE;
	return ev;
}

/* Drop the wait set if it is the connection's (before the connection goes) */
void
rf_http_wait_set_drop(RfConn *conn)
{
	if (wait_current && wait_current->conn == conn)
		MemoryContextDelete(wait_current->cxt);
}

/* The wait set for the connection's sockets as they are now */
static RfWaitSet *
wait_set(RfConn *conn)
{
	RfWaitSet  *w = wait_current;
	MemoryContext cxt;
	int			n = conn->nsocks;

	if (w && w->conn == conn && w->gen == conn->socks_gen && w->nsocks == n)
	{
		bool		same = true;

		for (int i = 0; i < n && same; i++)
		{
			uint32		ev = sock_events(&conn->socks[i]);

			if (ev == w->events[i])
				continue;
			if (w->pos[i] < 0 || ev == 0)
				same = false;	/* in or out of the set: a new one */
			else
			{
				ModifyWaitEvent(w->set, w->pos[i], ev, NULL);
				w->events[i] = ev;
			}
		}
		if (same)
			return w;
	}
	if (wait_current)
		MemoryContextDelete(wait_current->cxt);

	cxt = AllocSetContextCreate(TopMemoryContext, "retail_fdw wait set",
								ALLOCSET_SMALL_SIZES);
	w = MemoryContextAllocZero(cxt, sizeof(RfWaitSet));
	w->cxt = cxt;
	w->conn = conn;
	w->cb.func = wait_set_free;
	w->cb.arg = w;
	MemoryContextRegisterResetCallback(cxt, &w->cb);
	w->gen = conn->socks_gen;
	w->nsocks = n;
	w->pos = MemoryContextAlloc(cxt, sizeof(int) * (n + 1));
	w->events = MemoryContextAlloc(cxt, sizeof(uint32) * (n + 1));
	w->occurred = MemoryContextAlloc(cxt, sizeof(WaitEvent) * (n + 2));
	wait_current = w;
	w->set = CreateWaitEventSet(cxt, n + 2);
	AddWaitEventToSet(w->set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(w->set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int i = 0; i < n; i++)
	{
		w->events[i] = sock_events(&conn->socks[i]);
		w->pos[i] = (w->events[i] != 0) ?
			AddWaitEventToSet(w->set, w->events[i], conn->socks[i].fd, NULL, NULL) : -1;
	}
	return w;
}

/*
 * One turn of the event loop: wait for socket activity, the latch or a
 * timer, then let libcurl act on it.
 */
static void
loop_once(RfConn *conn)
{
	long		timeout = loop_timeout_ms(conn);
	RfWaitSet  *w = wait_set(conn);
	int			nevents;
	int			nsocks = w->nsocks;
	WaitEvent  *events = w->occurred;

	nevents = WaitEventSetWait(w->set, timeout, events, nsocks + 2,
							   PG_WAIT_EXTENSION);

	/*
	 * libcurl's callbacks may change the socket set below: the set (and
	 * its answer, which lives with it) stays until the next turn.
	 */
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

	if (conn->timer_due != 0 && conn->timer_due <= GetCurrentTimestamp())
	{
		int			running;

		conn->timer_due = 0;
		curl_multi_socket_action(conn->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	drain_messages(conn);
}

/* A transfer of a request, not started yet, owned by the caller's memory */
static RfTransfer *
new_transfer(RfConn *conn, const RfHttpRequest *req, const RfBodySink *sink,
			 bool restricted)
{
	RfTransfer *x = palloc0(sizeof(RfTransfer));

	x->conn = conn;
	x->endpoint = req->endpoint;
	x->method = req->method;
	x->url = pstrdup(req->url);
	x->body = req->body ? pstrdup(req->body) : NULL;
	x->idempotent = req->idempotent;
	x->allow_404 = req->allow_404;
	x->restricted = restricted;
	if (req->shared && req->shared->max_running > 0)
		x->shared = req->shared;
	x->stats_name = rf_stats_endpoint_name(conn->vendor, req->endpoint);
	x->cache = req->cache;
	if (sink)
		x->sink = *sink;
	x->state = RF_XFER_QUEUED;

	/* from here on, the cleanup callback owns the libcurl resources */
	x->cleanup.func = transfer_cleanup_callback;
	x->cleanup.arg = x;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &x->cleanup);
	dlist_push_tail(&conn->transfers, &x->node);
	return x;
}

/* Keep a copy of a cached header's value (NULL: none) */
static void
kept_set(RfKeptHeader *h, const char *value)
{
	kept_clear(h);
	if (value == NULL)
		return;
	h->len = strlen(value);
	h->value = strdup(value);
	if (h->value == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("out of memory")));
}

/*
 * Answer a request from the response cache: a transfer that is done at
 * once.  The kept bytes were checked by the sink when they came from the
 * network; what that established (the verdict stored with them) lets the
 * sink take them as they are (adopt), the byte scan not repeated.  Without
 * a verdict, or when the sink refuses it, they go through the same checks
 * and the same body sink as a network answer's.  The limits that are not
 * the parser's (max_response_bytes) apply either way.  *body is taken
 * (set to NULL) when the sink adopted it.
 */
static void
replay_answer(RfTransfer *x, const RfCachedAnswer *a, char **body)
{
	Size		done = 0;

	x->from_cache = true;
	reset_attempt(x);
	x->status = a->status;
	kept_set(&x->page_next, a->page_next);
	kept_set(&x->location, a->location);
	if (a->verdict != NULL && x->sink.adopt != NULL && x->sink.feed != NULL &&
		x->status >= 200 && x->status < 300 &&
		a->len <= (Size) x->conn->max_response_bytes &&
		x->sink.adopt(x->sink.arg, *body, a->len, a->verdict, a->vlen))
	{
		/* the sink owns the bytes now (a->body is *body: read it first) */
		x->bytes = a->len;
		x->headlen = (int) Min(a->len, (Size) RF_ERROR_BODY_KEEP);
		memcpy(x->head, a->body, x->headlen);
		x->head[x->headlen] = '\0';
		done = a->len;
		*body = NULL;
	}
	while (done < a->len)
	{
		size_t		n = Min(a->len - done, 65536);

		if (!take_bytes(x, a->body + done, n))
		{
			x->curl_rc = CURLE_WRITE_ERROR;
			break;
		}
		done += n;
		CHECK_FOR_INTERRUPTS();
	}
	if (x->curl_rc == CURLE_OK && x->status >= 200 && x->status < 300 &&
		x->sink.feed != NULL && x->sink.finish != NULL &&
		!x->sink.finish(x->sink.arg))
	{
		x->curl_rc = CURLE_WRITE_ERROR;
		x->parse_failed = true;
	}
	x->bytes_total = 0;			/* nothing was received */
	x->state = RF_XFER_DONE;
}

/*
 * Queue a request.  It starts as soon as a slot is free; the caller waits
 * for it with rf_http_wait and must rf_http_release it.  A request that
 * may use the response cache and finds its answer there is done at once.
 */
RfTransfer *
rf_http_submit(RfConn *conn, const RfHttpRequest *req, const RfBodySink *sink)
{
	RfTransfer *x;
	ListCell   *lc;
	bool		restricted;
	RfCacheUse *cu = req->cache;

	/* refused by the network policy before anything is queued */
	rf_policy_check_url(conn->policy, conn->servername, conn->server_owner,
						req->url, &restricted);

	if (cu != NULL)
	{
		RfCachedAnswer a;

		cu->hit = false;
		cu->key = rf_respcache_key(conn->key.umid, conn->key.restricted,
								   req->method, req->url, req->body,
								   req->headers, &cu->keylen);
		memset(&a, 0, sizeof(a));
		if (cu->lookup &&
			rf_respcache_lookup(cu->key, cu->keylen, cu->first, cu->stamp,
								cu->first ? GetCurrentTimestamp() : cu->as_of, &a))
		{
			cu->hit = true;
			if (cu->first)
			{
				cu->stamp = a.stamp;
				cu->expires = a.expires;
				cu->as_of = GetCurrentTimestamp();
			}
			x = new_transfer(conn, req, sink, restricted);
			replay_answer(x, &a, &a.body);
			if (a.body)
				pfree(a.body);
			if (a.verdict)
				pfree(a.verdict);
			return x;
		}
	}

	/* a client-credentials token first, before this transfer is queued */
	if (conn->fetch_token && !req->no_auth && !conn->token_fetching &&
		(conn->auth_line == NULL || conn->token_stale ||
		 GetCurrentTimestamp() >= conn->token_expires))
		conn->fetch_token(conn);

	x = new_transfer(conn, req, sink, restricted);
	if (cu != NULL)
		x->keep_max = rf_respcache_max_body();
	x->easy = conn->nidle > 0 ? conn->idle[--conn->nidle] : curl_easy_init();
	if (x->easy == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("could not create a libcurl handle")));
	x->no_auth = req->no_auth;
	x->form = req->form;
	x->any_status = req->any_status;
	foreach(lc, req->headers)
		x->extra_headers = lappend(x->extra_headers, pstrdup(lfirst(lc)));
	rf_http_build_headers(conn, x);

	start_due_transfers(conn);
	return x;
}

/*
 * (Re)build a transfer's header list, with the connection's current
 * credentials (a new OAuth token rebuilds the lists of waiting transfers)
 */
void
rf_http_build_headers(RfConn *conn, RfTransfer *x)
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
 * The caller accepted a network answer (parsed, its page checked): keep
 * it in the response cache, when the request asked for that.  A series'
 * first page starts a fill (its stamp and expiry go back into the
 * request's RfCacheUse); a later page joins its first page's.  False when
 * it was not kept.
 */
bool
rf_http_cache_keep(RfTransfer *x)
{
	RfCacheUse *cu = x->cache;
	RfCachedAnswer a;
	uint64		stamp;
	TimestampTz expires;

	if (cu == NULL || x->from_cache || !x->keeping ||
		x->state != RF_XFER_DONE || x->curl_rc != CURLE_OK ||
		x->status < 200 || x->status >= 300)
		return false;
	memset(&a, 0, sizeof(a));
	a.status = x->status;
	a.page_next = (char *) rf_http_page_next_header(x);
	a.location = (char *) rf_http_location(x);
	a.body = x->keep ? x->keep : "";
	a.len = x->keep_len;
	a.verdict = x->keep_verdict;
	a.vlen = x->keep_vlen;
	expires = cu->first ? GetCurrentTimestamp() + cu->ttl : cu->expires;
	stamp = rf_respcache_store(cu->key, cu->keylen, x->conn->key.umid,
							   cu->first ? 0 : cu->stamp, expires, &a);
	if (stamp == 0)
		return false;
	if (cu->first)
	{
		cu->stamp = stamp;
		cu->expires = expires;
	}
	return true;
}

/*
 * Run the event loop until the given transfer is done or, with any_done,
 * until any transfer of the connection is done (so that its owner can use
 * the free slot at once).  Other transfers progress meanwhile.
 */
static void
wait_loop(RfConn *conn, RfTransfer *x, bool any_done)
{
	TimestampTz start = GetCurrentTimestamp();
	uint64		ndone = conn->ndone;

	while (x->state != RF_XFER_DONE)
	{
		if (conn->token_stale && !conn->token_fetching && conn->fetch_token)
			conn->fetch_token(conn);
		start_due_transfers(conn);
		if (x->state == RF_XFER_DONE || (any_done && conn->ndone != ndone))
			break;
		loop_once(conn);
		CHECK_FOR_INTERRUPTS();
		if (any_done && conn->ndone != ndone)
			break;
	}
	x->wait_us += GetCurrentTimestamp() - start;
}

/* Run the event loop until the given transfer is done */
void
rf_http_wait(RfConn *conn, RfTransfer *x)
{
	wait_loop(conn, x, false);
}

/*
 * Run the event loop until the given transfer or any other one is done:
 * true when it is the given one.  The pager refills its slots in between,
 * when a transfer completes rather than when the scan reaches its page.
 */
bool
rf_http_wait_some(RfConn *conn, RfTransfer *x)
{
	wait_loop(conn, x, true);
	return x->state == RF_XFER_DONE;
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

/*
 * A kept header's value as text, or NULL when the answer had none (or an
 * empty one).  Its bytes are the vendor's: invalid UTF-8 (a NUL byte
 * included) is an error naming the header (22021), never text of ours;
 * so is a control character (a page token goes back in a request header).
 */
static const char *
kept_text(RfTransfer *x, const RfKeptHeader *h, const char *name)
{
	if (h->value == NULL || h->len == 0)
		return NULL;
	if (!pg_verify_mbstr(PG_UTF8, h->value, (int) h->len, true))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("the %s header of a response of %s is not valid UTF-8",
						name, x->conn->vendor),
				 errdetail("Endpoint %s, server \"%s\", HTTP status %ld. The header starts: %s",
						   x->endpoint, x->conn->servername, x->status,
						   rf_clean_text(h->value, (int) h->len, 200)),
				 errhint("The header was not used; nothing of the answer was returned.")));
	if (rf_has_control_chars(h->value))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("the %s header of a response of %s holds control characters",
						name, x->conn->vendor),
				 errdetail("Endpoint %s, server \"%s\", HTTP status %ld. The header starts: %s",
						   x->endpoint, x->conn->servername, x->status,
						   rf_clean_text(h->value, (int) h->len, 200)),
				 errhint("The header was not used: sent back in a request header, a line break would add headers of the vendor's choosing.")));
	return h->value;
}

/* The Location header of the answer (never followed), or NULL */
const char *
rf_http_location(RfTransfer *x)
{
	return kept_text(x, &x->location, "Location");
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

/* The X-Page-Next header of the answer (header pagination), or NULL */
const char *
rf_http_page_next_header(RfTransfer *x)
{
	return kept_text(x, &x->page_next, "X-Page-Next");
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
	free(x->keep);
	x->keep = NULL;
	x->keeping = false;
	free(x->keep_verdict);
	x->keep_verdict = NULL;
	if (x->from_cache)
	{
		/* no request: a hit, and an error if the answer failed the query */
		RfStatCounts d;

		memset(&d, 0, sizeof(d));
		d.cache_hits = 1;
		rf_stats_add(conn->serverid, x->stats_name, &d,
					 x->error[0] ? x->error : NULL);
	}
	else if (x->attempts > 0)
	{
		RfStatCounts d;

		memset(&d, 0, sizeof(d));
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
		release_shared_slot(x);
		if (conn->nidle < (int) lengthof(conn->idle) && x->state == RF_XFER_DONE &&
			x->curl_rc == CURLE_OK)
			conn->idle[conn->nidle++] = x->easy;
		else
			curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	kept_clear(&x->retry_after);
	kept_clear(&x->page_next);
	kept_clear(&x->location);
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
		stats->cache_hits += x->from_cache ? 1 : 0;
	}
	transfer_detach(x);
}
