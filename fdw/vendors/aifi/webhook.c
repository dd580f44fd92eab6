/*-------------------------------------------------------------------------
 *
 * webhook.c
 *		  The AiFi webhook receiver: a background worker that accepts AiFi's
 *		  push notifications over HTTP and stores each one with
 *		  retail_fdw.aifi_ingest() before it answers.
 *
 * Part of the AiFi module (fdw/vendors/aifi/): its settings, the worker's
 * registration and the token file are webhook_settings.c's, whose
 * rf_webhook_init is the module's start-up (RfVendor.init in aifi.c).
 *
 * The worker is registered at start-up when retail_fdw is in
 * shared_preload_libraries and retail_fdw.webhook_listen is set.  It
 * connects to retail_fdw.webhook_database and serves
 * "POST <any prefix>/<kind>" with libmicrohttpd.  A 2xx answer means the
 * delivery is committed; any other answer means nothing was stored.
 *
 * Rights.  The worker connects as retail_fdw.webhook_role, never as a
 * superuser (it refuses to start otherwise): aifi_ingest() and the triggers
 * on retail_fdw.aifi_events run with that role's rights.  Each delivery
 * runs under a search_path of its own and its statement names every object
 * with its schema, so that the database's owner cannot substitute any.
 *
 * Slow clients.  libmicrohttpd limits the connections per client address;
 * the main thread closes connections older than
 * retail_fdw.webhook_connection_time (except while their request is stored
 * or answered), so that trickled headers hold a thread only that long.
 *
 * This file is not an HTTP parser (libmicrohttpd is) and does not know what
 * a payload must hold: aifi_ingest() in the extension script validates and
 * stores, exactly as it does when a user calls it.
 *
 * Threads.  libmicrohttpd serves each connection on a thread of its own.
 * A backend is single-threaded, so those threads never call PostgreSQL code
 * (no palloc, elog, latch or SPI): they check the method, the token, the
 * kind and the size with plain C, collect the body with malloc and hand a
 * WhRequest to the worker's main thread through a queue under one pthread
 * mutex.  A byte written to a non-blocking pipe wakes the main thread, which
 * waits on its latch, the postmaster and that pipe in one WaitEventSet.  The
 * main thread runs each delivery in a transaction of its own and hands the
 * answer back through the request's condition variable only once COMMIT has
 * returned (or the transaction has been rolled back).
 *
 * Bounded waits.  A request that is still queued when retail_fdw.
 * webhook_timeout has passed is taken off the queue by its own thread and
 * answered 503; the main thread never sees it.  A request the main thread
 * has started runs under a statement timeout of the time it has left, and
 * its thread waits for the outcome, so that a 503 never hides a commit.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "webhook.h"
#include "webhook_settings.h"

#define WH_IDLE_SECS		30
#define WH_PEM_MAX			(1024 * 1024)
#define WH_DRAIN_MS			2000	/* at exit, for answers to go out */
#define WH_TICK_MS			250		/* the main thread's longest sleep */

/*
 * The kinds aifi_ingest() accepts (and the CHECK of aifi_events): the last
 * part of the URL AiFi calls.  Anything else is answered 404 before the body
 * is read.
 */
static const char *const wh_kinds[] = {"entered", "left", "tracking", "checkout"};

/*
 * The one statement a delivery runs.  NOTIFY goes with the same
 * transaction, so a listener hears of exactly the committed deliveries.
 * An empty body is passed as NULL: tracking and checkout have no body in
 * AiFi's document, and aifi_ingest() stores them without one.
 * Every name in it is schema-qualified, and it runs under WH_SEARCH_PATH
 * whatever the database or role settings say: the owner of
 * webhook_database must not be able to put a type, cast, function or
 * operator of its own in front of the ones meant.
 */
#define WH_INGEST_SQL \
	"SELECT e.id, e.deliveries," \
	" pg_catalog.pg_notify('retail_fdw_aifi_events'," \
	"   pg_catalog.json_build_object('kind', e.kind, 'id', e.id," \
	"                                'deliveries', e.deliveries)::pg_catalog.text)" \
	" FROM retail_fdw.aifi_ingest($1," \
	"   CASE WHEN pg_catalog.btrim($2, E' \\t\\r\\n') OPERATOR(pg_catalog.<>) ''" \
	"        THEN $2::pg_catalog.jsonb END) AS e"
#define WH_SEARCH_PATH	"pg_catalog, pg_temp"

/* The role the worker connected as (TopMemoryContext). */
static char *wh_connected_role = NULL;

/* Answers the HTTP threads give on their own (no PostgreSQL involved). */
#define WH_ANS_METHOD	"{\"error\": \"only POST is accepted\"}\n"
#define WH_ANS_AUTH		"{\"error\": \"missing or wrong bearer token\"}\n"
#define WH_ANS_KIND		"{\"error\": \"unknown webhook kind\", \"hint\": \"The last part of the path must be one of: entered, left, tracking, checkout.\"}\n"
#define WH_ANS_SIZE		"{\"error\": \"request body too large\", \"hint\": \"See retail_fdw.webhook_max_body_size.\"}\n"
#define WH_ANS_NOTOKEN	"{\"error\": \"the receiver has no token\", \"hint\": \"Check retail_fdw.webhook_token_file and the server log.\"}\n"
#define WH_ANS_TIMEOUT	"{\"error\": \"the database did not take the delivery in time\"}\n"
#define WH_ANS_STOPPING	"{\"error\": \"the receiver is shutting down\"}\n"
#define WH_ANS_NOMEM	"{\"error\": \"out of memory\"}\n"

typedef enum WhState
{
	WH_NEW,						/* being received by its HTTP thread */
	WH_QUEUED,					/* waiting for the main thread */
	WH_RUNNING,					/* in a transaction of the main thread */
	WH_DONE						/* status and answer are final */
} WhState;

/*
 * One HTTP request.  Allocated (malloc) and freed by the connection's
 * thread; the main thread reads kind and body and writes the answer only
 * between WH_QUEUED and WH_DONE, under wh_lock.
 */
typedef struct WhRequest
{
	const char *kind;			/* one of wh_kinds */
	char	   *body;
	size_t		body_len;
	size_t		body_cap;
	size_t		max_body;		/* the limit when the request arrived */
	size_t		discarded;		/* bytes not kept (answer already decided) */
	bool		too_large;
	unsigned int verdict;		/* non-zero: answer this without hand-off */
	const char *verdict_body;

	WhState		state;
	struct WhRequest *next;		/* queue link */
	struct timespec deadline;	/* CLOCK_MONOTONIC */
	pthread_cond_t done;
	bool		done_ready;		/* "done" is initialized */
	unsigned int status;
	char	   *answer;			/* JSON; malloc'd if answer_owned */
	bool		answer_owned;
} WhRequest;

/*
 * One TCP connection, from libmicrohttpd's "started" to its "closed"
 * notification (malloc'd, linked in wh_conns under wh_lock).  The main
 * thread shuts down the socket of a connection older than
 * retail_fdw.webhook_connection_time unless it is busy: from the moment its
 * request is complete (handed to the main thread, or refused) until its
 * answer has been sent, so that no answer, least of all one for a committed
 * delivery, is cut off.  libmicrohttpd closes the socket only after the
 * "closed" notification, so the descriptor stays valid while listed.
 */
typedef struct WhConn
{
	struct MHD_Connection *conn;
	int			fd;				/* -1: unknown, never shut down */
	struct timespec started;	/* CLOCK_MONOTONIC */
	bool		busy;
	bool		cut;			/* shut down by the main thread */
	struct WhConn *prev;
	struct WhConn *next;
} WhConn;

/* What the HTTP threads and the main thread share, under wh_lock. */
static pthread_mutex_t wh_lock = PTHREAD_MUTEX_INITIALIZER;
static WhConn *wh_conns = NULL;
static int	wh_cur_conn_time_ms = 60000;
static WhRequest *wh_queue_head = NULL;
static WhRequest *wh_queue_tail = NULL;
static WhRequest *wh_running = NULL;
static char *wh_token = NULL;	/* malloc'd; NULL: no usable token */
static size_t wh_token_len = 0;
static size_t wh_cur_max_body = 1024 * 1024;
static int	wh_cur_timeout_ms = 10000;
static bool wh_stopping = false;
static int	wh_open_requests = 0;	/* created and not yet completed */

/* Main thread only */
static int	wh_wake_pipe[2] = {-1, -1};
static struct MHD_Daemon *wh_daemon = NULL;
static MemoryContext wh_cxt = NULL;
static int	wh_cut_unlogged = 0;	/* connections cut since the last LOG */
static TimestampTz wh_cut_logged_at = 0;

/* ----------------------------------------------------------------
 *		Token and limits (main thread)
 * ----------------------------------------------------------------
 */

/*
 * Put a new token in place (NULL: none), wiping the old one.  The token is
 * never logged: messages name the file only.
 */
static void
wh_set_token(char *token, size_t len)
{
	char	   *old;
	size_t		oldlen;

	pthread_mutex_lock(&wh_lock);
	old = wh_token;
	oldlen = wh_token_len;
	wh_token = token;
	wh_token_len = len;
	pthread_mutex_unlock(&wh_lock);
	if (old != NULL)
	{
		explicit_bzero(old, oldlen);
		free(old);
	}
}

/* (Re)read the token file (webhook_settings.c) and put the token in place */
static void
wh_load_token(void)
{
	size_t		len = 0;
	char	   *token = rf_webhook_read_token(&len);

	wh_set_token(token, token ? len : 0);
}

/* Copy the limits the HTTP threads read into the shared state. */
static void
wh_publish_limits(void)
{
	pthread_mutex_lock(&wh_lock);
	wh_cur_max_body = (size_t) rf_wh_max_body_size;
	wh_cur_timeout_ms = rf_wh_timeout_ms;
	wh_cur_conn_time_ms = rf_wh_conn_time_ms;
	pthread_mutex_unlock(&wh_lock);
}

/* ----------------------------------------------------------------
 *		HTTP threads: plain C only, never PostgreSQL
 * ----------------------------------------------------------------
 */

/*
 * Compare in time that depends on the expected token's length only, not on
 * where the first difference is.  Caller holds wh_lock.
 */
static bool
wh_token_matches(const char *given, size_t given_len)
{
	unsigned int diff;

	diff = (given_len != wh_token_len);
	for (size_t i = 0; i < wh_token_len; i++)
	{
		unsigned char g = (i < given_len) ? (unsigned char) given[i] : 0;

		diff |= g ^ (unsigned char) wh_token[i];
	}
	return diff == 0;
}

/* The kind named by the path's last non-empty segment, or NULL. */
static const char *
wh_kind_of(const char *url)
{
	size_t		len = strlen(url);
	size_t		start;

	while (len > 0 && url[len - 1] == '/')
		len--;
	start = len;
	while (start > 0 && url[start - 1] != '/')
		start--;
	for (int i = 0; i < (int) lengthof(wh_kinds); i++)
	{
		if (strlen(wh_kinds[i]) == len - start &&
			memcmp(url + start, wh_kinds[i], len - start) == 0)
			return wh_kinds[i];
	}
	return NULL;
}

/*
 * Decide what the headers alone decide: method, token, kind.  The order
 * matters: an unauthenticated caller learns nothing about the kinds.
 */
static void
wh_first_look(struct MHD_Connection *conn, const char *url, const char *method,
			  WhRequest *req)
{
	const char *auth;
	bool		authorized = false;
	bool		have_token;

	pthread_mutex_lock(&wh_lock);
	req->max_body = wh_cur_max_body;
	have_token = (wh_token != NULL);
	auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
									   MHD_HTTP_HEADER_AUTHORIZATION);
	if (have_token && auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
	{
		const char *t = auth + 7;

		while (*t == ' ')
			t++;
		authorized = wh_token_matches(t, strlen(t));
	}
	if (wh_stopping)
	{
		req->verdict = MHD_HTTP_SERVICE_UNAVAILABLE;
		req->verdict_body = WH_ANS_STOPPING;
	}
	pthread_mutex_unlock(&wh_lock);

	if (req->verdict != 0)
		return;
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
	{
		req->verdict = MHD_HTTP_METHOD_NOT_ALLOWED;
		req->verdict_body = WH_ANS_METHOD;
	}
	else if (!have_token)
	{
		req->verdict = MHD_HTTP_SERVICE_UNAVAILABLE;
		req->verdict_body = WH_ANS_NOTOKEN;
	}
	else if (!authorized)
	{
		req->verdict = MHD_HTTP_UNAUTHORIZED;
		req->verdict_body = WH_ANS_AUTH;
	}
	else if ((req->kind = wh_kind_of(url)) == NULL)
	{
		req->verdict = MHD_HTTP_NOT_FOUND;
		req->verdict_body = WH_ANS_KIND;
	}
}

/* Keep a chunk of the body, or count it as discarded. */
static void
wh_take_body(WhRequest *req, const char *data, size_t len)
{
	if (req->verdict == 0 && !req->too_large)
	{
		if (req->body_len + len > req->max_body)
		{
			req->too_large = true;
			free(req->body);
			req->body = NULL;
			req->body_cap = 0;
		}
		else
		{
			if (req->body_len + len > req->body_cap)
			{
				size_t		cap = req->body_cap ? req->body_cap : 8192;
				char	   *grown;

				while (cap < req->body_len + len)
					cap *= 2;
				if (cap > req->max_body)
					cap = req->max_body;
				grown = realloc(req->body, cap);
				if (grown == NULL)
				{
					req->verdict = MHD_HTTP_SERVICE_UNAVAILABLE;
					req->verdict_body = WH_ANS_NOMEM;
					free(req->body);
					req->body = NULL;
					req->body_len = req->body_cap = 0;
					return;
				}
				req->body = grown;
				req->body_cap = cap;
			}
			memcpy(req->body + req->body_len, data, len);
			req->body_len += len;
			return;
		}
	}
	req->discarded += len;
}

/* Wake the main thread: one byte in the pipe (a full pipe wakes it too). */
static void
wh_wake_main(void)
{
	char		one = 1;

	if (write(wh_wake_pipe[1], &one, 1) < 0)
	{
		/* EAGAIN: bytes are waiting already; nothing else can happen */
	}
}

/*
 * Hand the request to the main thread and wait for its answer.  While the
 * request is queued the wait is bounded by the deadline; once the main
 * thread has started it, its outcome decides the answer (its statement
 * timeout bounds that), so a 503 never hides a commit.
 */
static void
wh_hand_off(WhRequest *req)
{
	pthread_condattr_t attr;
	int			timeout_ms;

	if (pthread_condattr_init(&attr) != 0)
		goto nomem;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
		pthread_cond_init(&req->done, &attr) != 0)
	{
		pthread_condattr_destroy(&attr);
		goto nomem;
	}
	pthread_condattr_destroy(&attr);
	req->done_ready = true;

	pthread_mutex_lock(&wh_lock);
	if (wh_stopping)
	{
		req->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		req->answer = WH_ANS_STOPPING;
		req->state = WH_DONE;
		pthread_mutex_unlock(&wh_lock);
		return;
	}
	timeout_ms = wh_cur_timeout_ms;
	clock_gettime(CLOCK_MONOTONIC, &req->deadline);
	req->deadline.tv_sec += timeout_ms / 1000;
	req->deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
	if (req->deadline.tv_nsec >= 1000000000L)
	{
		req->deadline.tv_sec++;
		req->deadline.tv_nsec -= 1000000000L;
	}
	req->state = WH_QUEUED;
	req->next = NULL;
	if (wh_queue_tail)
		wh_queue_tail->next = req;
	else
		wh_queue_head = req;
	wh_queue_tail = req;
	pthread_mutex_unlock(&wh_lock);

	wh_wake_main();

	pthread_mutex_lock(&wh_lock);
	while (req->state != WH_DONE)
	{
		if (req->state == WH_QUEUED)
		{
			int			rc = pthread_cond_timedwait(&req->done, &wh_lock, &req->deadline);

			if (rc == ETIMEDOUT && req->state == WH_QUEUED)
			{
				WhRequest **link = &wh_queue_head;
				WhRequest  *prev = NULL;

				while (*link != req)
				{
					prev = *link;
					link = &(*link)->next;
				}
				*link = req->next;
				if (wh_queue_tail == req)
					wh_queue_tail = prev;
				req->status = MHD_HTTP_SERVICE_UNAVAILABLE;
				req->answer = WH_ANS_TIMEOUT;
				req->state = WH_DONE;
			}
		}
		else
			pthread_cond_wait(&req->done, &wh_lock);
	}
	pthread_mutex_unlock(&wh_lock);
	return;

nomem:
	req->status = MHD_HTTP_SERVICE_UNAVAILABLE;
	req->answer = WH_ANS_NOMEM;
	req->state = WH_DONE;
}

/*
 * libmicrohttpd's connection notifications: list each connection with the
 * time it was accepted, so that the main thread can close the ones that
 * stay too long.  Without memory for the entry the connection is closed at
 * once, rather than left unbounded.
 */
static void
wh_notify_connection(void *cls, struct MHD_Connection *conn,
					 void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
	WhConn	   *c = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
	{
		const union MHD_ConnectionInfo *info;

		info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(WhConn));
		if (c == NULL)
		{
			if (info != NULL)
				(void) shutdown(info->connect_fd, SHUT_RDWR);
			return;
		}
		c->conn = conn;
		c->fd = (info != NULL) ? info->connect_fd : -1;
		clock_gettime(CLOCK_MONOTONIC, &c->started);
		pthread_mutex_lock(&wh_lock);
		c->next = wh_conns;
		if (wh_conns != NULL)
			wh_conns->prev = c;
		wh_conns = c;
		pthread_mutex_unlock(&wh_lock);
		*socket_context = c;
	}
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && c != NULL)
	{
		pthread_mutex_lock(&wh_lock);
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			wh_conns = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		pthread_mutex_unlock(&wh_lock);
		free(c);
		*socket_context = NULL;
	}
}

/* Mark the connection busy (a request complete, its answer not yet sent) or not. */
static void
wh_conn_set_busy(struct MHD_Connection *conn, bool busy)
{
	pthread_mutex_lock(&wh_lock);
	for (WhConn *c = wh_conns; c != NULL; c = c->next)
	{
		if (c->conn == conn)
		{
			c->busy = busy;
			break;
		}
	}
	pthread_mutex_unlock(&wh_lock);
}

static enum MHD_Result
wh_respond(struct MHD_Connection *conn, unsigned int status, const char *json)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(json), (void *) json,
										   MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	else if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
								"Bearer realm=\"retail_fdw\"");
	else if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * libmicrohttpd's access handler, on the connection's thread.  First call:
 * headers only.  Then once per chunk of body.  Last call (no data): the
 * answer.  A body declared too large is refused at once, without reading
 * it; any other early answer waits until the body is read (and dropped), so
 * that the client is not reset while it is still sending.
 */
static enum MHD_Result
wh_handle(void *cls, struct MHD_Connection *conn, const char *url,
		  const char *method, const char *version, const char *upload_data,
		  size_t *upload_data_size, void **req_cls)
{
	WhRequest  *req = *req_cls;

	if (req == NULL)
	{
		const char *clen;

		req = calloc(1, sizeof(WhRequest));
		if (req == NULL)
			return MHD_NO;
		*req_cls = req;
		pthread_mutex_lock(&wh_lock);
		wh_open_requests++;
		pthread_mutex_unlock(&wh_lock);
		wh_first_look(conn, url, method, req);
		clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
										   MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (req->verdict == 0 && clen != NULL &&
			strtoull(clen, NULL, 10) > (unsigned long long) req->max_body)
		{
			wh_conn_set_busy(conn, true);
			return wh_respond(conn, MHD_HTTP_CONTENT_TOO_LARGE, WH_ANS_SIZE);
		}
		return MHD_YES;
	}

	if (*upload_data_size > 0)
	{
		wh_take_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		/* a body far past any limit is not worth reading to its end */
		if (req->discarded > 4 * req->max_body)
			return MHD_NO;
		return MHD_YES;
	}

	/* the request is complete: from here to its answer it is not cut off */
	wh_conn_set_busy(conn, true);
	if (req->verdict != 0)
		return wh_respond(conn, req->verdict, req->verdict_body);
	if (req->too_large)
		return wh_respond(conn, MHD_HTTP_CONTENT_TOO_LARGE, WH_ANS_SIZE);
	wh_hand_off(req);
	return wh_respond(conn, req->status, req->answer);
}

/* The request is over (answered, failed or dropped): free what it holds. */
static void
wh_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	WhRequest  *req = *req_cls;

	/* the answer is out (or never will be): the connection may be cut again */
	wh_conn_set_busy(conn, false);
	if (req == NULL)
		return;
	free(req->body);
	if (req->answer_owned)
		free(req->answer);
	if (req->done_ready)
		pthread_cond_destroy(&req->done);
	free(req);
	*req_cls = NULL;
	pthread_mutex_lock(&wh_lock);
	wh_open_requests--;
	pthread_mutex_unlock(&wh_lock);
}

/*
 * libmicrohttpd's own messages.  elog is not for other threads, so they go
 * to stderr, which the server log collects; one write() keeps lines whole.
 */
static void
wh_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char		line[512];
	int			len;

	len = snprintf(line, sizeof(line), "retail_fdw webhook receiver: ");
	len += vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (len >= (int) sizeof(line))
		len = sizeof(line) - 1;
	if (len > 0 && line[len - 1] != '\n')
		line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0)
	{
		/* nowhere else to say it */
	}
}

/* ----------------------------------------------------------------
 *		Main thread: the deliveries
 * ----------------------------------------------------------------
 */

/* Status for an error of aifi_ingest(): the payload's fault, or not. */
static unsigned int
wh_status_for(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_DATA_EXCEPTION:	/* bad JSON, missing field, bad time */
		case ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION:
		case ERRCODE_PROGRAM_LIMIT_EXCEEDED:	/* nested past the parser */
			return MHD_HTTP_BAD_REQUEST;
		default:
			/* the database cannot take it now: AiFi should retry */
			return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
}

/* A malloc'd copy of a StringInfo's data; NULL when malloc fails. */
static char *
wh_malloc_copy(StringInfo s)
{
	char	   *copy = malloc(s->len + 1);

	if (copy != NULL)
		memcpy(copy, s->data, s->len + 1);
	return copy;
}

/* Answer 503 "answer" to a request the main thread owns now. */
static void
wh_finish(WhRequest *req, unsigned int status, char *answer, bool owned)
{
	pthread_mutex_lock(&wh_lock);
	req->status = status;
	req->answer = answer;
	req->answer_owned = owned;
	req->state = WH_DONE;
	if (wh_running == req)
		wh_running = NULL;
	pthread_cond_signal(&req->done);
	pthread_mutex_unlock(&wh_lock);
}

/*
 * Store one delivery in a transaction of its own, and say what to answer.
 * The answer is built (malloc) before COMMIT, so that nothing PostgreSQL
 * allocates is needed after it, and given out only after COMMIT returned.
 */
static void
wh_ingest(WhRequest *req, int budget_ms)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(wh_cxt);
	char	   *volatile answer = NULL;
	unsigned int status = MHD_HTTP_OK;
	StringInfoData buf;

	/*
	 * An empty body goes on as NULL (WH_INGEST_SQL): aifi_ingest() decides,
	 * by kind, whether the document defines a body that must be there.
	 */
	if (req->body_len > 0 &&
		(memchr(req->body, '\0', req->body_len) != NULL ||
		 !pg_verifymbstr(req->body, (int) req->body_len, true)))
	{
		initStringInfo(&buf);
		appendStringInfoString(&buf, "{\"error\": \"the body is not valid text in the database encoding\", \"sqlstate\": \"22021\"}\n");
		answer = wh_malloc_copy(&buf);
		status = MHD_HTTP_BAD_REQUEST;
		goto done;
	}

	PG_TRY();
	{
		Oid			argtypes[2] = {TEXTOID, TEXTOID};
		Datum		values[2];
		bool		isnull;
		int64		id;
		int32		deliveries;
		int			ret;
		int			save_nestlevel;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();

		/*
		 * A search_path of our own for this transaction, whatever the
		 * database's or the role's settings (or a trigger of an earlier
		 * delivery) made of the session's.
		 */
		save_nestlevel = NewGUCNestLevel();
		(void) set_config_option("search_path", WH_SEARCH_PATH,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		if (superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("the webhook receiver's role has become a superuser"),
					 errdetail("The webhook receiver stores nothing as a superuser."),
					 errhint("ALTER ROLE ... NOSUPERUSER the role named in retail_fdw.webhook_role.")));
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, req->kind);

		values[0] = CStringGetTextDatum(req->kind);
		values[1] = PointerGetDatum(req->body_len > 0 ?
									cstring_to_text_with_len(req->body,
															 (int) req->body_len) :
									cstring_to_text(""));
		enable_timeout_after(STATEMENT_TIMEOUT, budget_ms);
		ret = SPI_execute_with_args(WH_INGEST_SQL, 2, argtypes, values, NULL,
									false, 1);
		disable_timeout(STATEMENT_TIMEOUT, false);
		if (ret != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "aifi_ingest() returned no row (SPI code %d)", ret);
		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1, &isnull));
		deliveries = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 2, &isnull));

		initStringInfo(&buf);
		appendStringInfo(&buf, "{\"id\": " INT64_FORMAT ", \"kind\": \"%s\", \"deliveries\": %d}\n",
						 id, req->kind, deliveries);
		answer = wh_malloc_copy(&buf);

		SPI_finish();
		AtEOXact_GUC(true, save_nestlevel);
		PopActiveSnapshot();
		CommitTransactionCommand();
		status = (deliveries == 1) ? MHD_HTTP_CREATED : MHD_HTTP_OK;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		disable_timeout(STATEMENT_TIMEOUT, false);
		MemoryContextSwitchTo(wh_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		/* a cancel that arrived with the error is spent with it */
		QueryCancelPending = false;

		free(answer);
		status = wh_status_for(edata->sqlerrcode);
		initStringInfo(&buf);
		appendStringInfoString(&buf, "{\"error\": ");
		escape_json(&buf, edata->message ? edata->message : "unknown error");
		appendStringInfo(&buf, ", \"sqlstate\": \"%s\"",
						 unpack_sql_state(edata->sqlerrcode));
		if (edata->detail)
		{
			appendStringInfoString(&buf, ", \"detail\": ");
			escape_json(&buf, edata->detail);
		}
		if (edata->hint)
		{
			appendStringInfoString(&buf, ", \"hint\": ");
			escape_json(&buf, edata->hint);
		}
		appendStringInfoString(&buf, "}\n");
		answer = wh_malloc_copy(&buf);

		/* the database's trouble is the operator's business; a bad payload is AiFi's */
		ereport(status == MHD_HTTP_SERVICE_UNAVAILABLE ? LOG : DEBUG1,
				(errmsg("retail_fdw webhook receiver: %s delivery answered %u: %s",
						req->kind, status, edata->message),
				 errdetail_internal("SQLSTATE %s", unpack_sql_state(edata->sqlerrcode))));
		FreeErrorData(edata);
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);

done:
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(wh_cxt);
	if (answer == NULL)
		wh_finish(req, MHD_HTTP_SERVICE_UNAVAILABLE, WH_ANS_NOMEM, false);
	else
		wh_finish(req, status, answer, true);
}

/*
 * Close the connections that have been open longer than
 * retail_fdw.webhook_connection_time and are not busy: a client that
 * trickles its request byte by byte keeps a thread and a connection slot
 * only that long.  shutdown() wakes the connection's thread, which sees the
 * end of the stream and closes the connection itself.
 */
static void
wh_cut_old_connections(void)
{
	struct timespec now;
	int			cut = 0;
	long		limit_ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&wh_lock);
	limit_ms = wh_cur_conn_time_ms;
	for (WhConn *c = wh_conns; c != NULL; c = c->next)
	{
		long		age_ms;

		if (c->busy || c->cut || c->fd < 0)
			continue;
		age_ms = (now.tv_sec - c->started.tv_sec) * 1000L +
			(now.tv_nsec - c->started.tv_nsec) / 1000000L;
		if (age_ms < limit_ms)
			continue;
		(void) shutdown(c->fd, SHUT_RDWR);
		c->cut = true;
		cut++;
	}
	pthread_mutex_unlock(&wh_lock);

	/* at most one line a minute, however many are cut */
	wh_cut_unlogged += cut;
	if (wh_cut_unlogged > 0 &&
		TimestampDifferenceExceeds(wh_cut_logged_at, GetCurrentTimestamp(), 60000))
	{
		ereport(LOG,
				(errmsg("retail_fdw webhook receiver closed %d connection(s) open longer than retail_fdw.webhook_connection_time (%ld ms)",
						wh_cut_unlogged, limit_ms),
				 errhint("A client that sends its request this slowly is not AiFi; see also retail_fdw.webhook_connections_per_address.")));
		wh_cut_unlogged = 0;
		wh_cut_logged_at = GetCurrentTimestamp();
	}
}

/* Take queued requests one by one until the queue is empty. */
static void
wh_serve_queue(void)
{
	for (;;)
	{
		WhRequest  *req;
		struct timespec now;
		long		left_ms = 0;

		CHECK_FOR_INTERRUPTS();
		wh_cut_old_connections();
		pthread_mutex_lock(&wh_lock);
		req = wh_queue_head;
		if (req != NULL)
		{
			wh_queue_head = req->next;
			if (wh_queue_head == NULL)
				wh_queue_tail = NULL;
			req->next = NULL;
			req->state = WH_RUNNING;
			wh_running = req;
			clock_gettime(CLOCK_MONOTONIC, &now);
			left_ms = (req->deadline.tv_sec - now.tv_sec) * 1000L +
				(req->deadline.tv_nsec - now.tv_nsec) / 1000000L;
		}
		pthread_mutex_unlock(&wh_lock);
		if (req == NULL)
			return;

		if (left_ms <= 0)
			wh_finish(req, MHD_HTTP_SERVICE_UNAVAILABLE, WH_ANS_TIMEOUT, false);
		else
			wh_ingest(req, (int) Min(left_ms, INT_MAX));
	}
}

/*
 * Leaving, for whatever reason (SIGTERM, postmaster death, an error): every
 * waiting request is answered 503 before libmicrohttpd is stopped, since
 * stopping waits for the connection threads.  Runs before the transaction
 * of a delivery that was interrupted is rolled back, never instead of it.
 */
static void
wh_on_exit(int code, Datum arg)
{
	WhRequest  *req;

	pthread_mutex_lock(&wh_lock);
	wh_stopping = true;
	if (wh_running != NULL)
	{
		req = wh_running;
		wh_running = NULL;
		req->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		req->answer = WH_ANS_STOPPING;
		req->state = WH_DONE;
		pthread_cond_signal(&req->done);
	}
	while ((req = wh_queue_head) != NULL)
	{
		wh_queue_head = req->next;
		req->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		req->answer = WH_ANS_STOPPING;
		req->state = WH_DONE;
		pthread_cond_signal(&req->done);
	}
	wh_queue_tail = NULL;
	pthread_mutex_unlock(&wh_lock);

	/*
	 * Stopping libmicrohttpd shuts its connections down at once; give the
	 * answers just handed out a moment to be sent first.  Requests that
	 * arrive meanwhile are answered 503 at once (wh_stopping).
	 */
	if (wh_daemon != NULL)
	{
		for (int waited = 0; waited < WH_DRAIN_MS; waited += 10)
		{
			int			open;

			pthread_mutex_lock(&wh_lock);
			open = wh_open_requests;
			pthread_mutex_unlock(&wh_lock);
			if (open == 0)
				break;
			pg_usleep(10000L);
		}
		MHD_stop_daemon(wh_daemon);
		wh_daemon = NULL;
	}
	wh_set_token(NULL, 0);
	for (int i = 0; i < 2; i++)
	{
		if (wh_wake_pipe[i] >= 0)
			close(wh_wake_pipe[i]);
		wh_wake_pipe[i] = -1;
	}
}

/* A whole PEM file into TopMemoryContext (libmicrohttpd takes it as text). */
static char *
wh_read_pem(const char *path, const char *what)
{
	FILE	   *f = AllocateFile(path, "r");
	StringInfoData buf;
	char		chunk[8192];
	size_t		n;

	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open webhook TLS %s file \"%s\": %m", what, path)));
	initStringInfo(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
	{
		if (buf.len + n > WH_PEM_MAX)
		{
			FreeFile(f);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("webhook TLS %s file \"%s\" is larger than %d bytes",
							what, path, WH_PEM_MAX)));
		}
		appendBinaryStringInfo(&buf, chunk, n);
	}
	FreeFile(f);
	return buf.data;
}

/*
 * Start libmicrohttpd on the configured address.  Its threads are created
 * with every signal blocked, so that the postmaster's signals and the
 * latch's SIGURG always reach the main thread.
 */
static void
wh_start_daemon(void)
{
	char		host[256];
	char		portstr[16];
	int			port;
	const char *why;
	unsigned int flags;
	struct addrinfo hints;
	struct addrinfo *ai = NULL;
	struct MHD_OptionItem opts[14];
	int			nopt = 0;
	sigset_t	all,
				old;
	int			err;
	bool		tls;

	if (!rf_webhook_parse_listen(rf_wh_listen, host, sizeof(host), &port, &why))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid retail_fdw.webhook_listen \"%s\"", rf_wh_listen),
				 errdetail("%s", why)));

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_ERROR_LOG;
	/* the logger first, so that it hears about the other options too */
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_EXTERNAL_LOGGER,
	(intptr_t) wh_mhd_log, NULL};
	if (strcmp(host, "*") == 0)
		flags |= MHD_USE_DUAL_STACK;
	else
	{
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		snprintf(portstr, sizeof(portstr), "%d", port);
		err = getaddrinfo(host, portstr, &hints, &ai);
		if (err != 0)
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("could not resolve webhook listen host \"%s\": %s",
							host, gai_strerror(err))));
		if (ai->ai_family == AF_INET6)
			flags |= MHD_USE_IPv6;
		opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr};
	}

	tls = (rf_wh_tls_cert_file[0] != '\0' || rf_wh_tls_key_file[0] != '\0');
	if (tls)
	{
		MemoryContext old_cxt;

		if (rf_wh_tls_cert_file[0] == '\0' || rf_wh_tls_key_file[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("retail_fdw.webhook_tls_cert_file and retail_fdw.webhook_tls_key_file must be set together")));
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("this libmicrohttpd was built without TLS"),
					 errhint("Leave the TLS settings empty and put a TLS-terminating reverse proxy in front.")));
		flags |= MHD_USE_TLS;
		old_cxt = MemoryContextSwitchTo(TopMemoryContext);
		opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_HTTPS_MEM_CERT, 0,
		wh_read_pem(rf_wh_tls_cert_file, "certificate")};
		opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_HTTPS_MEM_KEY, 0,
		wh_read_pem(rf_wh_tls_key_file, "key")};
		MemoryContextSwitchTo(old_cxt);
	}
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL};
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_CONNECTION_LIMIT, WH_MAX_CONNECTIONS, NULL};
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_PER_IP_CONNECTION_LIMIT, rf_wh_per_address, NULL};
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_CONNECTION_TIMEOUT, WH_IDLE_SECS, NULL};
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_NOTIFY_COMPLETED,
	(intptr_t) wh_completed, NULL};
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_NOTIFY_CONNECTION,
	(intptr_t) wh_notify_connection, NULL};
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_END, 0, NULL};
	Assert(nopt <= (int) lengthof(opts));

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	wh_daemon = MHD_start_daemon(flags, (uint16_t) port, NULL, NULL,
								 wh_handle, NULL,
								 MHD_OPTION_ARRAY, opts,
								 MHD_OPTION_END);
	err = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ai != NULL)
		freeaddrinfo(ai);
	if (wh_daemon == NULL)
	{
		errno = err;
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("retail_fdw webhook receiver could not listen on %s: %m", rf_wh_listen),
				 errhint("Check that no other process uses the port and that the address is one of this machine's.")));
	}
	ereport(LOG,
			(errmsg("retail_fdw webhook receiver listening on %s%s (database \"%s\")",
					rf_wh_listen, tls ? " with TLS" : "", rf_wh_database)));
}

/*
 * The receiver never runs as a superuser: aifi_ingest() and every trigger
 * on retail_fdw.aifi_events run with its rights.  Checked once connected
 * (FATAL: the postmaster tries again after WH_RESTART_SECS, so a corrected
 * setting takes effect on reload) and again for each delivery (wh_ingest).
 */
static void
wh_refuse_superuser(void)
{
	bool		is_super;

	StartTransactionCommand();
	is_super = superuser();
	CommitTransactionCommand();
	if (is_super)
		ereport(FATAL,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("retail_fdw.webhook_role \"%s\" is a superuser", wh_connected_role),
				 errdetail("aifi_ingest() and the triggers on retail_fdw.aifi_events run as this role; the webhook receiver does not start as a superuser."),
				 errhint("Name a role without SUPERUSER that has only the grants listed in docs/security.md (\"The webhook receiver's role\"), then reload.")));
}

/*
 * The background worker.  SIGTERM (pg_terminate_backend, shutdown) ends it
 * at the next interrupt check with exit code 1, so that the postmaster
 * starts it again after WH_RESTART_SECS unless the server is stopping.
 */
void
rf_webhook_main(Datum main_arg)
{
	WaitEventSet *wes;

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	if (rf_wh_role == NULL || rf_wh_role[0] == '\0')
		ereport(FATAL,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retail_fdw.webhook_listen is set but retail_fdw.webhook_role is not"),
				 errdetail("The webhook receiver connects only as a role of its own, never as the bootstrap superuser; it does not start."),
				 errhint("Create a role without SUPERUSER, give it the grants listed in docs/security.md (\"The webhook receiver's role\"), set retail_fdw.webhook_role and reload.")));
	wh_connected_role = MemoryContextStrdup(TopMemoryContext, rf_wh_role);
	BackgroundWorkerInitializeConnection(rf_wh_database, wh_connected_role, 0);
	pgstat_report_appname(WH_WORKER_TYPE);
	wh_refuse_superuser();

	wh_cxt = AllocSetContextCreate(TopMemoryContext, "retail_fdw webhook",
								   ALLOCSET_DEFAULT_SIZES);
	if (pipe2(wh_wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create the webhook receiver's wake-up pipe: %m")));
	before_shmem_exit(wh_on_exit, (Datum) 0);

	wh_publish_limits();
	wh_load_token();
	wh_start_daemon();

	wes = CreateWaitEventSet(TopMemoryContext, 3);
	AddWaitEventToSet(wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(wes, WL_SOCKET_READABLE, wh_wake_pipe[0], NULL, NULL);

	for (;;)
	{
		WaitEvent	ev;
		char		drain[64];

		(void) WaitEventSetWait(wes, WH_TICK_MS, &ev, 1, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		while (read(wh_wake_pipe[0], drain, sizeof(drain)) > 0)
			;
		/* a cancel while idle cancels nothing */
		QueryCancelPending = false;
		CHECK_FOR_INTERRUPTS();

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (strcmp(rf_wh_role, wh_connected_role) != 0)
			{
				/* a session cannot change its user: start again as the new one */
				ereport(LOG,
						(errmsg("retail_fdw.webhook_role changed from \"%s\" to \"%s\": the webhook receiver restarts",
								wh_connected_role, rf_wh_role)));
				proc_exit(1);
			}
			wh_publish_limits();
			wh_load_token();
		}
		wh_serve_queue();
		wh_cut_old_connections();
		/* table statistics of the deliveries, as a backend sends them when idle */
		pgstat_report_stat(false);
	}
}
