/*-------------------------------------------------------------------------
 *
 * http.h
 *		  The HTTP transport (http.c): transfers on a connection, their event
 *		  loop, retries and errors.
 *
 * A transfer is submitted on a connection (connection.h builds and caches
 * them) and waited for; its body goes to a sink as it arrives, so that the
 * parser runs while the answer downloads.  Failures are raised with the
 * vendor, the endpoint and the HTTP status.  libcurl types stay in
 * http_int.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_HTTP_H
#define RF_HTTP_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "storage/spin.h"
#include "utils/timestamp.h"

/* The User-Agent of every request */
#define RF_VERSION_STRING "retail_fdw/0.1"

typedef struct RfConn RfConn;
typedef struct RfTransfer RfTransfer;

/*
 * Vendor limits shared by the participants of a parallel scan (it lives in
 * the scan's dynamic shared memory): requests in flight across all of them
 * stay within max_running, and their starts are paced min_interval_us
 * apart, as one backend's requests are.  Taken under the spinlock only for
 * a few instructions; a transfer that finds no room waits in its event
 * loop and looks again a few milliseconds later.
 *
 * Workers together never hold the last slot: a worker whose tuple queue
 * is full waits for the leader while holding its slots, and the leader
 * must then still be able to fetch (its rows come first), or neither
 * would move.
 */
typedef struct RfSharedLimit
{
	slock_t		mutex;
	int			max_running;	/* 0 = no shared limit */
	int			running;
	int			workers_running;	/* of running, held by workers */
	int			peak;			/* most running at once, for tests */
	int64		min_interval_us;	/* between starts; 0 = unpaced */
	TimestampTz next_start;
} RfSharedLimit;

/*
 * How a body failed: a broken document may be a broken connection and is
 * tried again; one that breaks a limit or exhausts memory would do so
 * again, and is not.
 */
typedef enum RfBodyFailure
{
	RF_BODY_SYNTAX,				/* not one document: retried if it ended
								 * early, not if the parser refused it */
	RF_BODY_LIMIT,				/* depth, density, bad escapes: final */
	RF_BODY_NOMEM				/* out of memory: final */
} RfBodyFailure;

/*
 * Receives a 2xx response body chunk by chunk.  Called from inside libcurl:
 * it must not ereport or palloc; returning false aborts the transfer.
 */
typedef struct RfBodySink
{
	bool		(*feed) (void *arg, const char *data, size_t len);
	void		(*reset) (void *arg);	/* a retry starts over */
	bool		(*finish) (void *arg);	/* the body was a whole document? */
	/* why the body failed, in words; NULL = not one document */
	const char *(*failure) (void *arg, RfBodyFailure *kind);

	/*
	 * Optional, for the response cache (outside libcurl).  verdict: after
	 * finish accepted body[0 .. len), what checking it established, as a
	 * malloc'd blob of *vlen bytes stored with the body (NULL: nothing).
	 * adopt: a replayed body (palloc'd in the current memory context) with
	 * the verdict stored with it; true when the sink took both as a
	 * finished body (it then owns body), false to have it fed as usual.
	 */
	void	   *(*verdict) (void *arg, const char *body, size_t len,
							size_t *vlen);
	bool		(*adopt) (void *arg, char *body, size_t len,
						  const void *verdict, size_t vlen);
	void	   *arg;
} RfBodySink;

/*
 * How a request uses the response cache (cache.c), filled by the pager: a
 * series' first page is looked up as such; its later pages only within the
 * fill the first page came from, and stored with its stamp and expiry.
 */
typedef struct RfCacheUse
{
	/* set by the caller */
	bool		lookup;			/* may be answered from the cache */
	bool		first;			/* a series' first page */
	int64		ttl;			/* a first page's lifetime (us) */
	uint64		stamp;			/* later pages: their fill */
	TimestampTz as_of;			/* later pages: valid as of then */
	TimestampTz expires;		/* later pages: stored to expire then */
	/* set by http.c */
	bool		hit;			/* answered from the cache */
	char	   *key;			/* the request's cache key */
	Size		keylen;
} RfCacheUse;

typedef struct RfHttpRequest
{
	const char *endpoint;		/* "GET /bi/..." for messages */
	const char *method;
	char	   *url;			/* absolute */
	char	   *body;			/* JSON, or NULL */
	List	   *headers;		/* extra "Name: value" strings */
	bool		idempotent;
	bool		allow_404;		/* 404 is an answer, not an error */
	bool		no_auth;		/* send no credentials (token requests) */
	bool		any_status;		/* every HTTP answer is a result (actions) */
	bool		form;			/* body is application/x-www-form-urlencoded */
	RfSharedLimit *shared;		/* limits shared with parallel workers */
	RfCacheUse *cache;			/* a scan's page with cache_ttl, or NULL */
} RfHttpRequest;

/* Counters a scan reports in EXPLAIN ANALYZE */
typedef struct RfStats
{
	int64		requests;		/* HTTP exchanges, retries included */
	int64		pages;			/* successful responses */
	int64		rows;
	int64		bytes;
	int64		retries;
	int64		wait_us;		/* time blocked on the network */
	int64		cache_hits;		/* answers from the response cache */
} RfStats;

extern void rf_http_init(void);
extern void rf_http_add_rows(RfTransfer *xfer, int64 rows);
extern RfTransfer *rf_http_submit(RfConn *conn, const RfHttpRequest *req,
								  const RfBodySink *sink);
extern void rf_http_wait(RfConn *conn, RfTransfer *xfer);
extern bool rf_http_wait_some(RfConn *conn, RfTransfer *xfer);
extern RfTransfer *rf_http_send(RfConn *conn, const RfHttpRequest *req,
								const RfBodySink *sink);
extern bool rf_http_done(RfTransfer *xfer);
extern bool rf_http_succeeded(RfTransfer *xfer);
extern long rf_http_status(RfTransfer *xfer);
extern const char *rf_http_page_next_header(RfTransfer *xfer);
extern const char *rf_http_location(RfTransfer *xfer);
extern const char *rf_http_body_head(RfTransfer *xfer);
extern void rf_http_raise(RfTransfer *xfer) pg_attribute_noreturn();
extern void rf_http_release(RfTransfer *xfer, RfStats *stats);
extern bool rf_http_cache_keep(RfTransfer *xfer);
extern void rf_http_note_failure(RfTransfer *xfer);

#endif							/* RF_HTTP_H */
