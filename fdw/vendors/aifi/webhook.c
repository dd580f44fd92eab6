/*-------------------------------------------------------------------------
 *
 * webhook.c
 *		  The AiFi webhook receiver: a background worker that accepts AiFi's
 *		  push notifications over HTTP and stores each one with
 *		  retail_fdw.aifi_ingest() before it answers.
 *
 * Part of the AiFi module (fdw/vendors/aifi/): rf_webhook_init is the
 * module's start-up (RfVendor.init in aifi.c), which _PG_init calls.
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

#define WH_WORKER_TYPE		"retail_fdw webhook receiver"
#define WH_RESTART_SECS		5
#define WH_MAX_CONNECTIONS	256
#define WH_IDLE_SECS		30
#define WH_TOKEN_MAX		4096
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

/* Settings */
static char *wh_listen = NULL;
static char *wh_database = NULL;
static char *wh_token_file = NULL;
static char *wh_tls_cert_file = NULL;
static char *wh_tls_key_file = NULL;
static char *wh_role = NULL;
static int	wh_max_body_size = 1024 * 1024;
static int	wh_timeout_ms = 10000;
static int	wh_conn_time_ms = 60000;
static int	wh_per_address = 32;

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
 *		Settings
 * ----------------------------------------------------------------
 */

/*
 * Split "host:port" ("[v6]:port", "*:port" for every address).  Returns
 * false with a reason when the value cannot be a listen address.  Usable in
 * the postmaster (check hook) and the worker alike: no elog here.
 */
static bool
wh_parse_listen(const char *spec, char *host, size_t hostlen, int *port,
				const char **why)
{
	const char *colon;
	const char *hstart = spec;
	size_t		hlen;
	char	   *end;
	long		p;

	if (spec[0] == '[')
	{
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
		{
			*why = "An IPv6 address must be written in brackets, followed by :port.";
			return false;
		}
		hstart = spec + 1;
		hlen = close - hstart;
		colon = close + 1;
	}
	else
	{
		colon = strrchr(spec, ':');
		if (colon == NULL)
		{
			*why = "The value must be host:port.";
			return false;
		}
		hlen = colon - spec;
		if (memchr(spec, ':', hlen) != NULL)
		{
			*why = "An IPv6 address must be written in brackets, followed by :port.";
			return false;
		}
	}
	if (hlen == 0 || hlen >= hostlen)
	{
		*why = "The host part is empty or too long (use * for every address).";
		return false;
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 || p > 65535)
	{
		*why = "The port must be a number between 1 and 65535.";
		return false;
	}
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';
	*port = (int) p;
	return true;
}

static bool
wh_check_listen(char **newval, void **extra, GucSource source)
{
	char		host[256];
	int			port;
	const char *why;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (!wh_parse_listen(*newval, host, sizeof(host), &port, &why))
	{
		GUC_check_errdetail("%s", why);
		return false;
	}
	return true;
}

/*
 * Define the settings and, in the postmaster, register the worker.  Both
 * exist only when the library is preloaded; the worker only when also told
 * where to listen.
 */
void
rf_webhook_init(void)
{
	BackgroundWorker worker;

	/*
	 * The receiver exists only in a preloaded library: its settings are
	 * fixed at server start, and PostgreSQL refuses (FATAL) to create such
	 * settings in a library loaded later, by CREATE EXTENSION or a query.
	 */
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomStringVariable("retail_fdw.webhook_listen",
							   "Address and port (host:port) of the AiFi webhook receiver.",
							   "Empty: no receiver.  \"*:port\" listens on every address; "
							   "an IPv6 address is written in brackets.  Needs retail_fdw "
							   "in shared_preload_libraries.",
							   &wh_listen, "", PGC_POSTMASTER, 0,
							   wh_check_listen, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_database",
							   "Database whose retail_fdw.aifi_events the webhook receiver fills.",
							   NULL, &wh_database, "postgres", PGC_POSTMASTER, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_role",
							   "Role the webhook receiver connects as; required with retail_fdw.webhook_listen.",
							   "Must not be a superuser: aifi_ingest() and the triggers on "
							   "retail_fdw.aifi_events run as this role.  A change restarts "
							   "the receiver.",
							   &wh_role, "", PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_token_file",
							   "File holding the bearer token AiFi sends to the webhook receiver.",
							   "Read when the receiver starts and on reload.",
							   &wh_token_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_tls_cert_file",
							   "PEM certificate (chain) file: the webhook receiver speaks HTTPS.",
							   "Empty: plain HTTP.  Set together with retail_fdw.webhook_tls_key_file.",
							   &wh_tls_cert_file, "", PGC_POSTMASTER, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_tls_key_file",
							   "PEM private key file of the webhook receiver's certificate.",
							   NULL, &wh_tls_key_file, "", PGC_POSTMASTER, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("retail_fdw.webhook_max_body_size",
							"Largest request body the webhook receiver accepts (413 above).",
							NULL, &wh_max_body_size, 1024 * 1024, 1024, 64 * 1024 * 1024,
							PGC_SIGHUP, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("retail_fdw.webhook_timeout",
							"How long a delivery may wait for the database before it is answered 503.",
							"Covers the wait in the receiver's queue and the statement that stores it.",
							&wh_timeout_ms, 10000, 100, 600000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("retail_fdw.webhook_connection_time",
							"Longest time a connection to the webhook receiver stays open.",
							"Counted from the connection; a connection whose request is being "
							"stored or answered is closed once its answer is sent.",
							&wh_conn_time_ms, 60000, 1000, 3600000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("retail_fdw.webhook_connections_per_address",
							"Most connections the webhook receiver keeps open from one client address.",
							"Further connections from that address are closed at once.  Behind a "
							"reverse proxy every connection comes from the proxy's address.",
							&wh_per_address, 32, 1, WH_MAX_CONNECTIONS,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress ||
		wh_listen == NULL || wh_listen[0] == '\0')
		return;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = WH_RESTART_SECS;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "retail_fdw");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "rf_webhook_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, WH_WORKER_TYPE);
	snprintf(worker.bgw_type, BGW_MAXLEN, WH_WORKER_TYPE);
	RegisterBackgroundWorker(&worker);
}

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

/*
 * May the open token file be trusted with the token?  The rule of
 * PostgreSQL's ssl_key_file: a regular file, owned by the server's user
 * with no access for group or others (0600 or less), or owned by root and
 * readable by the group at most (0640 or less).  Anything else is refused
 * with a WARNING: whoever else can read the file can store deliveries.
 */
static bool
wh_token_file_safe(FILE *f)
{
	struct stat st;

	if (fstat(fileno(f), &st) != 0)
	{
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not stat webhook token file \"%s\": %m", wh_token_file),
				 errdetail("The webhook receiver answers every delivery with 503.")));
		return false;
	}
	if (!S_ISREG(st.st_mode))
	{
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("webhook token file \"%s\" is not a regular file", wh_token_file),
				 errdetail("The webhook receiver answers every delivery with 503.")));
		return false;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0)
	{
		ereport(WARNING,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("webhook token file \"%s\" must be owned by the database user or root",
						wh_token_file),
				 errdetail("The webhook receiver answers every delivery with 503."),
				 errhint("chown the file to the user the server runs as, chmod 600, and reload.")));
		return false;
	}
	if ((st.st_uid == geteuid() && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) ||
		(st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)) != 0))
	{
		ereport(WARNING,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("webhook token file \"%s\" has group or world access", wh_token_file),
				 errdetail("The token file must have permissions u=rw (0600) or less if owned by "
						   "the database user, or permissions u=rw,g=r (0640) or less if owned "
						   "by root; the webhook receiver answers every delivery with 503."),
				 errhint("chmod 600 the file and reload.")));
		return false;
	}
	return true;
}

/*
 * Read the token file: the token is its content without surrounding white
 * space, visible ASCII only (what an Authorization header can carry).  Any
 * problem leaves the receiver without a token, so that every delivery is
 * answered 503 (AiFi retries) until the file is fixed and reloaded.
 */
static void
wh_load_token(void)
{
	char		buf[WH_TOKEN_MAX + 2];
	size_t		n;
	size_t		start = 0;
	FILE	   *f;
	char	   *token;

	if (wh_token_file == NULL || wh_token_file[0] == '\0')
	{
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retail_fdw.webhook_token_file is not set"),
				 errdetail("The webhook receiver answers every delivery with 503."),
				 errhint("Put the bearer token in a file readable only by the server's user and name it in retail_fdw.webhook_token_file, then reload.")));
		wh_set_token(NULL, 0);
		return;
	}
	f = AllocateFile(wh_token_file, "r");
	if (f == NULL)
	{
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not open webhook token file \"%s\": %m", wh_token_file),
				 errdetail("The webhook receiver answers every delivery with 503.")));
		wh_set_token(NULL, 0);
		return;
	}
	if (!wh_token_file_safe(f))
	{
		FreeFile(f);
		wh_set_token(NULL, 0);
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	FreeFile(f);
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char) buf[n - 1]))
		buf[--n] = '\0';
	while (start < n && isspace((unsigned char) buf[start]))
		start++;

	if (n - start == 0 || n > WH_TOKEN_MAX)
	{
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("webhook token file \"%s\" is empty or longer than %d bytes",
						wh_token_file, WH_TOKEN_MAX),
				 errdetail("The webhook receiver answers every delivery with 503.")));
		explicit_bzero(buf, sizeof(buf));
		wh_set_token(NULL, 0);
		return;
	}
	for (size_t i = start; i < n; i++)
	{
		if (buf[i] <= ' ' || buf[i] > '~')
		{
			ereport(WARNING,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("webhook token file \"%s\" holds characters a bearer token cannot have",
							wh_token_file),
					 errdetail("The token must be one line of visible ASCII characters; "
							   "the webhook receiver answers every delivery with 503.")));
			explicit_bzero(buf, sizeof(buf));
			wh_set_token(NULL, 0);
			return;
		}
	}
	token = malloc(n - start + 1);
	if (token == NULL)
	{
		explicit_bzero(buf, sizeof(buf));
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	memcpy(token, buf + start, n - start);
	token[n - start] = '\0';
	explicit_bzero(buf, sizeof(buf));
	wh_set_token(token, n - start);
	ereport(LOG,
			(errmsg("retail_fdw webhook receiver: token read from \"%s\"", wh_token_file)));
}

/* Copy the limits the HTTP threads read into the shared state. */
static void
wh_publish_limits(void)
{
	pthread_mutex_lock(&wh_lock);
	wh_cur_max_body = (size_t) wh_max_body_size;
	wh_cur_timeout_ms = wh_timeout_ms;
	wh_cur_conn_time_ms = wh_conn_time_ms;
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

	if (!wh_parse_listen(wh_listen, host, sizeof(host), &port, &why))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid retail_fdw.webhook_listen \"%s\"", wh_listen),
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

	tls = (wh_tls_cert_file[0] != '\0' || wh_tls_key_file[0] != '\0');
	if (tls)
	{
		MemoryContext old_cxt;

		if (wh_tls_cert_file[0] == '\0' || wh_tls_key_file[0] == '\0')
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
		wh_read_pem(wh_tls_cert_file, "certificate")};
		opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_HTTPS_MEM_KEY, 0,
		wh_read_pem(wh_tls_key_file, "key")};
		MemoryContextSwitchTo(old_cxt);
	}
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL};
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_CONNECTION_LIMIT, WH_MAX_CONNECTIONS, NULL};
	opts[nopt++] = (struct MHD_OptionItem) {MHD_OPTION_PER_IP_CONNECTION_LIMIT, wh_per_address, NULL};
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
				 errmsg("retail_fdw webhook receiver could not listen on %s: %m", wh_listen),
				 errhint("Check that no other process uses the port and that the address is one of this machine's.")));
	}
	ereport(LOG,
			(errmsg("retail_fdw webhook receiver listening on %s%s (database \"%s\")",
					wh_listen, tls ? " with TLS" : "", wh_database)));
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
				 errhint("Name a role without SUPERUSER that has only the grants listed in the README's \"Webhooks\" section, then reload.")));
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
	if (wh_role == NULL || wh_role[0] == '\0')
		ereport(FATAL,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retail_fdw.webhook_listen is set but retail_fdw.webhook_role is not"),
				 errdetail("The webhook receiver connects only as a role of its own, never as the bootstrap superuser; it does not start."),
				 errhint("Create a role without SUPERUSER, give it the grants listed in the README's \"Webhooks\" section, set retail_fdw.webhook_role and reload.")));
	wh_connected_role = MemoryContextStrdup(TopMemoryContext, wh_role);
	BackgroundWorkerInitializeConnection(wh_database, wh_connected_role, 0);
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
			if (strcmp(wh_role, wh_connected_role) != 0)
			{
				/* a session cannot change its user: start again as the new one */
				ereport(LOG,
						(errmsg("retail_fdw.webhook_role changed from \"%s\" to \"%s\": the webhook receiver restarts",
								wh_connected_role, wh_role)));
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
