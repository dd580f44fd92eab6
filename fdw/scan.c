/*-------------------------------------------------------------------------
 *
 * scan.c
 *		  The pager: one paging state machine for every endpoint.
 *
 * A pager turns request series (reqplan.c) into rows.  It keeps up to
 * max_concurrency requests in flight (more pages of a fanned-out series
 * first, then first pages of upcoming series), fills a slot as soon as a
 * transfer completes, queues each page's successor as soon as the page is
 * parsed, fans out numbered and offset pages once a first page gives the
 * total, and checks every page against what the API promised: totals,
 * next links against the pages a total implies, loops, hosts.  Each page
 * has a memory context of its own, gone when the scan moves past it, and
 * so has each series: it is made from the plan (RfSeriesPlan) when the
 * pager reaches it and goes with its last page, so that a scan's memory
 * grows neither with its pages nor with its series.  In
 * a parallel scan each participant's pager takes its series from a
 * counter in shared memory (RfParallelScan), only as many at a time as it
 * can work on, so that no participant idles while another holds series
 * it has not started.  Paging styles
 * (page numbers, next links, offsets, cursors, header tokens, opaque
 * tokens) are the endpoint's RfPagingSpec; nothing here knows a vendor.
 *
 * Scans (retail_fdw.c) own one pager each; a GET-by-id endpoint's listing
 * runs through a pager of its own before the details are fetched.
 *
 * Not here: what to request (reqplan.c), how bytes travel (http.c), how a
 * row becomes Datums (json.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "scan.h"
#include "scan_int.h"
#include "cache.h"
#include "netpolicy.h"
#include "progress.h"
#include "rf_port.h"
#include "vendor.h"


/*
 * A series and the response cache (RfSeries.cache_state).  A series is
 * read from one fill of the cache or from the network, never from both:
 * its later pages are looked up only after its first page was a hit (and
 * only within that fill), and stored only after its first page was
 * stored; the first page becomes a hit for later scans once the series'
 * last page is stored (cache.c).
 */
#define RF_SERIES_CACHE_NEW		0	/* the first page is not in yet */
#define RF_SERIES_CACHE_HIT		1	/* read from one fill of the cache */
#define RF_SERIES_CACHE_FILL	2	/* fetched, and stored page by page */
#define RF_SERIES_CACHE_OFF		3	/* fetched, not stored */

/*
 * How long a series' answers may be cached: cache_ttl_past when the time
 * window it asks for ended before the transaction started (the vendors do
 * not rewrite history; an open range reads up to the transaction's start,
 * and that window is not over), else cache_ttl; 0 = not cached.  Only
 * scans of idempotent requests are cached.
 */
static int64
series_ttl(RfPager *st, RfSeries *series)
{
	if (!st->ep->idempotent)
		return 0;
	if (st->opts.cache_ttl_past > 0 && series->window_end != 0 &&
		series->window_end <= GetCurrentTransactionStartTimestamp())
		return st->opts.cache_ttl_past;
	return st->opts.cache_ttl;
}

/* How a fetch may use the response cache, from its series' state */
static RfCacheUse *
cache_use(RfPager *st, RfFetch *f)
{
	RfSeries   *s = f->series;
	RfCacheUse *cu;
	int64		ttl;

	if (f->pageno == 1)
	{
		ttl = series_ttl(st, s);
		if (ttl <= 0)
			return NULL;
		/* kept as the series' cache_first: the series' memory, not the page's */
		cu = MemoryContextAllocZero(s->cxt, sizeof(RfCacheUse));
		cu->lookup = true;
		cu->first = true;
		cu->ttl = ttl;
		return cu;
	}
	if (s->cache_state != RF_SERIES_CACHE_HIT &&
		s->cache_state != RF_SERIES_CACHE_FILL)
		return NULL;
	cu = palloc0(sizeof(RfCacheUse));
	cu->lookup = (s->cache_state == RF_SERIES_CACHE_HIT);
	cu->stamp = s->cache_first->stamp;
	cu->as_of = s->cache_first->as_of;
	cu->expires = s->cache_first->expires;
	return cu;
}

/*
 * A page was accepted: move its series' cache state on, store a fetched
 * page of a series being filled, and mark the fill whole at the series'
 * end.
 */
static void
cache_page_done(RfPager *st, RfFetch *f, bool series_end)
{
	RfSeries   *s = f->series;
	RfCacheUse *cu = f->cache;

	if (f->pageno == 1)
	{
		s->cache_first = cu;
		if (cu == NULL)
			s->cache_state = RF_SERIES_CACHE_OFF;
		else if (cu->hit)
			s->cache_state = RF_SERIES_CACHE_HIT;
		else if (rf_http_cache_keep(f->xfer))
			s->cache_state = RF_SERIES_CACHE_FILL;
		else
			s->cache_state = RF_SERIES_CACHE_OFF;
	}
	else if (cu == NULL)
		s->cache_state = RF_SERIES_CACHE_OFF;
	else if (s->cache_state == RF_SERIES_CACHE_HIT && !cu->hit)
		s->cache_state = RF_SERIES_CACHE_OFF;	/* gone meanwhile: network */
	else if (s->cache_state == RF_SERIES_CACHE_FILL && !rf_http_cache_keep(f->xfer))
		s->cache_state = RF_SERIES_CACHE_OFF;
	if (series_end && s->cache_state == RF_SERIES_CACHE_FILL)
		rf_respcache_complete(s->cache_first->key, s->cache_first->keylen,
							  s->cache_first->stamp);
}

static RfFetch *
make_fetch(RfPager *st, RfSeries *series, int64 pageno, int64 offset,
		   const char *page_value, const char *url)
{
	MemoryContext cxt = AllocSetContextCreate(st->cxt, "retail_fdw page",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	RfFetch    *f = palloc0(sizeof(RfFetch));
	const RfPagingSpec *pg = &st->ep->paging;

	f->cxt = cxt;
	f->series = series;
	series->refs++;
	f->pageno = pageno;
	f->offset = offset;
	f->page_value = page_value ? pstrdup(page_value) : NULL;
	if (url)
		f->url = pstrdup(url);
	else
		f->url = psprintf("%s%s", st->opts.base_url,
						  rf_series_target(series, pg, st->page_size, page_value));
	if (pg->style == RF_PAGE_HEADER || pg->in_headers)
	{
		f->headers = lappend(f->headers, psprintf("%s: %d", pg->size_param, st->page_size));
		if (page_value)
			f->headers = lappend(f->headers, psprintf("%s: %s", pg->page_param, page_value));
	}
	MemoryContextSwitchTo(old);
	return f;
}

static void
submit_fetch(RfPager *st, RfFetch *f)
{
	RfHttpRequest req;
	RfBodySink	sink;
	MemoryContext old = MemoryContextSwitchTo(f->cxt);

	if (st->ep->cacheable)
	{
		f->cached = rf_cache_lookup(st->estate, st->umid, f->url, st->ep,
									st->opts.vendor->name);
		if (f->cached)
		{
			st->cache_hits++;
			MemoryContextSwitchTo(old);
			return;
		}
	}
	memset(&req, 0, sizeof(req));
	req.endpoint = st->endpoint_label;
	req.method = st->ep->method;
	req.url = f->url;
	req.body = f->series->body;
	req.headers = f->headers;
	req.idempotent = st->ep->idempotent;
	req.allow_404 = st->ep->missing_is_empty;
	req.shared = st->par ? &st->par->limit : NULL;
	f->cache = cache_use(st, f);
	req.cache = f->cache;
	f->parser = rf_json_parser_create(f->cxt);
	sink = rf_json_parser_sink(f->parser);
	f->xfer = rf_http_submit(st->conn, &req, &sink);
	/* a first page's key is its series' (cache_first), past this page */
	if (f->cache && f->pageno == 1 && f->cache->key)
	{
		char	   *key = MemoryContextAlloc(f->series->cxt, f->cache->keylen + 1);

		memcpy(key, f->cache->key, f->cache->keylen + 1);
		f->cache->key = key;
	}
	MemoryContextSwitchTo(old);
}

/*
 * Put a fetch into the queue at pos.  The queue is the run's (st->cxt),
 * whatever the current memory context is: pages are processed in a
 * context reset on every turn (rf_pager_next).
 */
static void
queue_insert(RfPager *st, int pos, RfFetch *f)
{
	MemoryContext old = MemoryContextSwitchTo(st->cxt);

	st->queue = list_insert_nth(st->queue, pos, f);
	MemoryContextSwitchTo(old);
}

/* With a pushed LIMIT, the pages fetched so far may already hold enough */
static bool
limit_reached(RfPager *st)
{
	return st->limit > 0 && st->fetched >= st->limit;
}

/*
 * In-flight limit of the scan: max_concurrency and the vendor's own cap
 * (only one with a pushed LIMIT, which may need just the first page).
 */
static int
inflight_limit(RfPager *st)
{
	int			maxq = (st->limit > 0) ? 1 : st->opts.max_concurrency;

	if (st->ep->max_concurrency > 0)
		maxq = Min(maxq, st->ep->max_concurrency);
	return maxq;
}

/*
 * Pages the scan may hold, in flight or arrived and not yet read: the
 * in-flight limit, and twice that while the scan waits for the head of
 * its queue.  Then the network is what it waits for, and a slot freed by
 * a page that arrived ahead of its turn is used at once; a scan slower
 * than its vendor (the head has arrived when it is wanted) holds no more
 * pages than before.  Either way memory stays bounded by pages.
 */
static int
queue_limit(RfPager *st)
{
	if (st->limit > 0)
		return 1;
	return st->waiting ? 2 * inflight_limit(st) : inflight_limit(st);
}

/* Fetches of the queue (and the current page) whose transfer runs */
static int
in_flight(RfPager *st)
{
	int			n = 0;
	ListCell   *lc;

	if (st->current && st->current->xfer && !rf_http_done(st->current->xfer))
		n++;
	foreach(lc, st->queue)
	{
		RfFetch    *f = lfirst(lc);

		if (f->xfer && !rf_http_done(f->xfer))
			n++;
	}
	return n;
}

/* Is there room for one more fetch? */
static bool
has_room(RfPager *st)
{
	return list_length(st->queue) < queue_limit(st) &&
		in_flight(st) < inflight_limit(st);
}

/*
 * A series goes when nothing needs it any more: its last fetch is gone
 * and it no longer fans out.
 */
static void
release_series(RfSeries *series)
{
	if (--series->refs == 0)
		MemoryContextDelete(series->cxt);
}

/* A fetch is done with: its memory goes, and its hold on its series */
static void
drop_fetch(RfFetch *f)
{
	RfSeries   *series = f->series;

	MemoryContextDelete(f->cxt);
	release_series(series);
}

/* A list of strings, copied into the current memory context */
static List *
copy_strings(List *strings)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, strings)
		out = lappend(out, pstrdup(lfirst(lc)));
	return out;
}

/* A series as made, copied into the current memory context */
static RfSeries *
copy_series(const RfSeries *s)
{
	RfSeries   *c = palloc0(sizeof(RfSeries));

	c->path = s->path ? pstrdup(s->path) : NULL;
	c->query = copy_strings(s->query);
	c->body = s->body ? pstrdup(s->body) : NULL;
	c->consts = copy_strings(s->consts);
	c->rows_path = s->rows_path ? pstrdup(s->rows_path) : NULL;
	c->keep_path = s->keep_path ? pstrdup(s->keep_path) : NULL;
	c->keep_lo = s->keep_lo ? pstrdup(s->keep_lo) : NULL;
	c->keep_hi = s->keep_hi ? pstrdup(s->keep_hi) : NULL;
	c->window_end = s->window_end;
	return c;
}

/*
 * The series at a position of the run's plan, in a memory context of its
 * own (its parameters, the pages it visited, its use of the cache): a
 * scan holds the series it pages, not every series it will page.  It is
 * made in a scratch context and copied out, without the making's garbage
 * (escaped values, body nodes: several kB).  NULL when the position makes
 * none.
 */
static RfSeries *
make_series_at(RfPager *st, int pos)
{
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "retail_fdw series making",
												  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(scratch);
	RfSeries   *made = rf_series_make(st->plan, pos);
	RfSeries   *series = NULL;

	if (made)
	{
		MemoryContext cxt = AllocSetContextCreate(st->cxt, "retail_fdw series",
												  ALLOCSET_SMALL_SIZES);

		MemoryContextSwitchTo(cxt);
		series = copy_series(made);
		series->cxt = cxt;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(scratch);
	return series;
}

/*
 * Series this participant holds: the one whose page it reads and those
 * queued behind it.  The queue is in output order, so the fetches of a
 * series are next to each other (a fanned-out series always has its next
 * page queued, or current).
 */
static int
series_in_hand(RfPager *st)
{
	RfSeries   *last = NULL;
	int			n = 0;
	ListCell   *lc;

	if (st->current)
	{
		last = st->current->series;
		n++;
	}
	foreach(lc, st->queue)
	{
		RfSeries   *s = ((RfFetch *) lfirst(lc))->series;

		if (s != last)
			n++;
		last = s;
	}
	return n;
}

/*
 * May this participant take one more series now, and how many untaken
 * positions must it then leave to the others (*reserve)?  In a parallel
 * scan a series taken is a series no other participant can read, so one
 * is taken only when it can be worked on now:
 *
 * - with no series in hand, always: there is nothing else to do;
 * - the leader, while workers read, never takes a second.  It starts
 *   before them (taking a series per free slot, it would hold all four
 *   series of a four-day scan before the first worker is up, and the
 *   workers would read nothing), and it also passes the workers' rows on.
 *   Its slots fill with more pages of the series it reads, where the API
 *   lets them go at once;
 * - a worker takes the next series ahead, so that its first page travels
 *   while the worker reads (what keeps max_concurrency busy when the
 *   vendor is slower than the parsing), while it holds fewer series than
 *   its share of max_concurrency, and only as long as one untaken
 *   position remains for each other participant.
 *
 * A scan alone (serial, or a leader whose workers did not start) takes as
 * many as its slots allow.
 */
static bool
may_take_series(RfPager *st, uint32 *reserve)
{
	int			in_hand;
	int			workers;
	int			leader;
	int			share;

	*reserve = 0;
	if (st->par == NULL)
		return true;
	in_hand = series_in_hand(st);
	if (in_hand == 0)
		return true;
	if (!IsParallelWorker())
		return st->pcxt == NULL || st->pcxt->nworkers_launched == 0;
	SpinLockAcquire(&st->par->mutex);
	workers = Max(st->par->workers, 1);
	leader = st->par->leader_reads ? 1 : 0;
	SpinLockRelease(&st->par->mutex);
	/* the leader reads one series: the workers share the other slots */
	share = (st->par->limit.max_running - leader + workers - 1) / workers;
	if (in_hand >= share)
		return false;
	*reserve = workers + leader - 1;
	return true;
}

/*
 * The next position of the plan this participant may take, or false when
 * no more than reserve remain untaken: its own counter, or in a parallel
 * scan the shared one (*n is then npositions or more when all are taken).
 */
static bool
next_position(RfPager *st, uint32 reserve, uint32 *n)
{
	uint32		npositions = st->plan ? (uint32) st->plan->npositions : 0;
	uint32		cur;

	if (st->par == NULL)
	{
		*n = st->next_position++;
		return true;
	}
	cur = pg_atomic_read_u32(&st->par->next_series);
	for (;;)
	{
		if (cur < npositions && npositions - cur <= reserve)
			return false;
		if (cur >= npositions ||
			pg_atomic_compare_exchange_u32(&st->par->next_series, &cur, cur + 1))
		{
			*n = cur;
			return true;
		}
		/* another participant took one: cur is the counter's new value */
	}
}

/*
 * The next series this participant pages through, or NULL: the plan's
 * next, or in a parallel scan the next that no participant took yet,
 * leaving reserve untaken positions to the others.
 */
static RfSeries *
take_series(RfPager *st, uint32 reserve)
{
	while (!st->series_done)
	{
		uint32		n;
		RfSeries   *series;

		if (!next_position(st, reserve, &n))
			break;
		if (st->plan == NULL || n >= (uint32) st->plan->npositions)
		{
			st->series_done = true;
			break;
		}
		series = make_series_at(st, (int) n);
		if (series)
		{
			st->next_series++;
			return series;
		}
		CHECK_FOR_INTERRUPTS();
	}
	return NULL;
}

/*
 * Ask for more pages of the fanned-out series, ahead of other series'
 * first pages in the queue (rows come out in page order).  Its next page
 * is always queued before any other series' page, even without a free
 * slot (it is then asked for when one frees): a later series' first page
 * must never be read while this series has pages to go, since only one
 * series fans out at a time.
 */
static void
top_up_series(RfPager *st)
{
	const RfPagingSpec *pg = &st->ep->paging;

	if (limit_reached(st))
		return;
	while (st->fan_series && st->fan_next <= st->fan_total)
	{
		int64		pageno;
		int64		offset;
		char	   *value;
		RfFetch    *f;
		int			pos = 0;
		ListCell   *lc;

		foreach(lc, st->queue)
		{
			if (((RfFetch *) lfirst(lc))->series != st->fan_series)
				break;
			pos++;
		}
		if (pos > 0 && !has_room(st))
			break;
		pageno = st->fan_next++;
		offset = (pageno - 1) * st->fan_size;
		value = (pg->style == RF_PAGE_OFFSET) ?
			psprintf(INT64_FORMAT, offset) :
			psprintf(INT64_FORMAT, pg->first_page + pageno - 1);
		f = make_fetch(st, st->fan_series, pageno, offset, value, NULL);
		if (in_flight(st) < inflight_limit(st))
			submit_fetch(st, f);
		queue_insert(st, pos, f);
	}
}

/* Ask for queued pages that are waiting for a slot, in output order */
static void
submit_waiting(RfPager *st)
{
	ListCell   *lc;

	foreach(lc, st->queue)
	{
		RfFetch    *f = lfirst(lc);

		if (in_flight(st) >= inflight_limit(st))
			break;
		if (f->xfer == NULL && f->cached == NULL)
			submit_fetch(st, f);
	}
}

/*
 * Fill the free slots: more pages of the fanned-out series first, then
 * first pages of upcoming series.  Called when the scan moves to a page
 * and whenever a transfer completes while the scan waits.
 */
static void
start_series(RfPager *st)
{
	if (limit_reached(st))
		return;
	submit_waiting(st);
	top_up_series(st);
	while (has_room(st))
	{
		RfSeries   *series;
		RfFetch    *f;
		uint32		reserve;

		if (!may_take_series(st, &reserve))
			break;
		series = take_series(st, reserve);
		if (series == NULL)
			break;
		f = make_fetch(st, series, 1, 0, NULL, NULL);
		submit_fetch(st, f);
		queue_insert(st, list_length(st->queue), f);
	}
}

/*
 * The page after f by the page's next link, when the API gives links: a
 * short page is no end (a server may cap the page size), only a missing
 * link is, and then the rows must be what the total said.
 */
static RfFetch *
follow_link(RfPager *st, RfFetch *f, RfPage *page, int64 seen, bool has_count,
			int64 count)
{
	const RfPagingSpec *pg = &st->ep->paging;
	char	   *link = rf_page_get_string(page, pg->next_path);
	char	   *value;

	if (link == NULL || *link == '\0')
	{
		rf_check_series_end(st, f, has_count, count, seen);
		return NULL;
	}
	/* a relative link is read against this page's URL */
	value = rf_http_resolve_url(f->url, link);
	if (value == NULL || !rf_http_same_origin(st->opts.base_url, value))
		rf_pagination_error(st, "the next page is on another host", link);
	if (rf_page_nrows(page) == 0)
		rf_pagination_error(st, "an empty page links to a next one", value);

	/*
	 * With a total the link must name the next page in order, so no page
	 * can come twice; without one, every page asked for is remembered.
	 */
	if (has_count && pg->page_param != NULL)
		rf_check_next_link(st, f, page, seen, seen >= count);
	else
		rf_check_unvisited(st, f, value, value);
	return make_fetch(st, f->series, f->pageno + 1, seen, NULL, value);
}

/*
 * The fetch of the page after f, from what f's page says (next link,
 * cursor, count, headers), or NULL at the end of the series.
 */
static RfFetch *
next_fetch(RfPager *st, RfFetch *f, RfPage *page)
{
	const RfPagingSpec *pg = &st->ep->paging;
	int			nrows = rf_page_nrows(page);
	int64		seen = f->offset + nrows;
	int64		count = -1;
	bool		has_count = rf_page_get_int(page, pg->count_path, &count);
	char	   *value;

	if (has_count && (count < 0 || seen > count))
		rf_pagination_error(st, psprintf("page " INT64_FORMAT " brings the rows to " INT64_FORMAT ", past the total of " INT64_FORMAT,
									  f->pageno, seen, count), f->url);
	if (has_count && f->series->has_total && count != f->series->total)
		rf_pagination_error(st, psprintf("the total changed between pages (" INT64_FORMAT " then " INT64_FORMAT ")",
									  f->series->total, count), f->url);
	if (has_count)
	{
		f->series->has_total = true;
		f->series->total = count;
	}
	switch (pg->style)
	{
		case RF_PAGE_NONE:
			return NULL;
		case RF_PAGE_NUMBER:
			if (pg->next_is_url)
				return follow_link(st, f, page, seen, has_count, count);
			if (nrows < st->page_size || (has_count && seen >= count))
			{
				rf_check_series_end(st, f, has_count, count, seen);
				return NULL;
			}
			value = psprintf(INT64_FORMAT, pg->first_page + f->pageno);
			return make_fetch(st, f->series, f->pageno + 1, seen, value, NULL);
		case RF_PAGE_CURSOR:
		case RF_PAGE_TOKEN:
			value = rf_page_get_string(page, pg->next_path);
			if (value == NULL || *value == '\0' ||
				(pg->end_token && strcmp(value, pg->end_token) == 0))
			{
				rf_check_series_end(st, f, has_count, count, seen);
				return NULL;
			}
			if (nrows == 0)
				rf_pagination_error(st, "an empty page names a next cursor", value);
			rf_check_unvisited(st, f, value, value);
			return make_fetch(st, f->series, f->pageno + 1, seen, value, NULL);
		case RF_PAGE_OFFSET:
			if (pg->next_is_url)
				return follow_link(st, f, page, seen, has_count, count);

			/*
			 * A server may cap the page size below what we asked: with a
			 * total, only the total says where the series ends.
			 */
			if (has_count)
			{
				if (seen >= count)
					return NULL;
				if (nrows == 0)
					rf_pagination_error(st, psprintf("the pages ended after " INT64_FORMAT " of " INT64_FORMAT " rows",
												  seen, count), f->url);
			}
			else if (nrows < st->page_size)
				return NULL;
			return make_fetch(st, f->series, f->pageno + 1, seen,
							  psprintf(INT64_FORMAT, seen), NULL);
		case RF_PAGE_HEADER:
			if (rf_http_status(f->xfer) != 206)
				return NULL;
			if (nrows == 0)
				rf_pagination_error(st, "an empty page says more pages follow", f->url);
			value = (char *) rf_http_page_next_header(f->xfer);
			if (value == NULL)
				value = psprintf(INT64_FORMAT, seen);
			rf_check_unvisited(st, f, value, f->url);
			return make_fetch(st, f->series, f->pageno + 1, seen, value, NULL);
	}
	return NULL;
}

/* Drop the current page and its transfer */
static void
finish_current(RfPager *st)
{
	if (st->page)
		rf_page_free(st->page);
	st->page = NULL;
	if (st->current && st->current->xfer)
		rf_http_release(st->current->xfer, &st->stats);
	if (st->current)
		drop_fetch(st->current);
	st->current = NULL;
	st->rowctx.consts = NIL;	/* they were the series' */
}

/*
 * Page-numbered and offset series whose first page gives the total count
 * fan out: the other pages are known in advance and go several at once.
 * Later pages are checked against the first: the same count, full pages
 * before the last.  Returns true when f's series is (now) fanned out, so
 * that no next link is followed; *ended when f was the series' last page.
 */
static bool
fan_out(RfPager *st, RfFetch *f, RfPage *page, bool *ended)
{
	const RfPagingSpec *pg = &st->ep->paging;
	int			nrows = rf_page_nrows(page);
	int64		count;

	*ended = false;
	if (f->series == st->fan_series)
	{
		bool		last = (f->pageno == st->fan_total);

		if (!rf_page_get_int(page, pg->count_path, &count) || count != st->fan_count)
			rf_pagination_error(st, psprintf("the total changed between pages (" INT64_FORMAT " then %s)",
										  st->fan_count,
										  rf_page_get_int(page, pg->count_path, &count) ?
										  psprintf(INT64_FORMAT, count) : "none"), f->url);
		if ((!last && nrows != st->fan_size) ||
			(last && nrows != st->fan_count - (st->fan_total - 1) * st->fan_size))
			rf_pagination_error(st, psprintf("page " INT64_FORMAT " has %d rows, not the %s its total implies",
										  f->pageno, nrows, last ? "remainder" : "page size"),
							 f->url);
		rf_check_next_link(st, f, page, f->offset + nrows, last);
		if (last)
		{
			release_series(st->fan_series);	/* f still holds it */
			st->fan_series = NULL;
		}
		*ended = last;
		return true;
	}
	if (f->pageno != 1 || st->limit > 0 || pg->count_path == NULL ||
		(pg->style != RF_PAGE_NUMBER && pg->style != RF_PAGE_OFFSET) ||
		pg->page_param == NULL || !rf_page_get_int(page, pg->count_path, &count))
		return false;
	if (count < 0 || count < nrows)
		rf_pagination_error(st, psprintf("the first page has %d rows but the total says " INT64_FORMAT,
									  nrows, count), f->url);
	/* a vendor that returned less than asked decides its own page size */
	if (count == nrows || nrows != st->page_size)
	{
		*ended = (count == nrows);
		if (*ended)
			rf_check_next_link(st, f, page, nrows, true);
		return count == nrows;
	}
	rf_check_next_link(st, f, page, nrows, false);
	st->fan_series = f->series;
	st->fan_series->refs++;		/* its pages to come are not all queued */
	st->fan_count = count;
	st->fan_size = nrows;
	st->fan_total = (count - 1) / nrows + 1;
	st->fan_next = 2;
	return true;
}

/*
 * Make the next page current: wait for the head of the queue, parse it,
 * and queue its successor at once so the network works while rows are
 * converted.  False when every series is exhausted.  Called in the turn's
 * memory context (rf_pager_next), it moves to the page's.
 */
static bool
advance_page(RfPager *st)
{
	RfFetch    *f;
	RfFetch    *succ;
	bool		ended;

	finish_current(st);
	start_series(st);

	/*
	 * Past a pushed LIMIT nothing is fetched ahead, but the executor may
	 * still want rows (its recheck may have dropped some): then the next
	 * page or series is fetched on demand.
	 */
	if (st->queue == NIL)
	{
		RfSeries   *series = take_series(st, 0);

		if (series)
			queue_insert(st, 0, make_fetch(st, series, 1, 0, NULL, NULL));
	}
	if (st->queue == NIL)
		return false;

	f = linitial(st->queue);
	st->queue = list_delete_first(st->queue);
	st->current = f;

	/*
	 * From here on the page's memory: the parsed page (and what it
	 * allocates as it is read) and what its checks leave behind go when
	 * the scan moves past it.  The caller switches back.
	 */
	MemoryContextSwitchTo(f->cxt);
	st->rowctx.consts = f->series->consts;
	if (f->xfer == NULL && f->cached == NULL)
		submit_fetch(st, f);
	if (f->cached)
	{
		st->page = f->cached;
		st->row = 0;
		st->fetched += rf_page_nrows(st->page);
		start_series(st);
		return true;
	}
	/* a transfer that completes frees a slot: fill it while we wait */
	st->waiting = true;
	while (!rf_http_wait_some(st->conn, f->xfer))
		start_series(st);
	st->waiting = false;
	if (!rf_http_succeeded(f->xfer))
		rf_http_raise(f->xfer);

	if (f->series->rows_path)
	{
		RfEndpoint *ep = MemoryContextAlloc(f->cxt, sizeof(RfEndpoint));

		*ep = *st->ep;
		ep->rows_path = f->series->rows_path;
		st->page = rf_json_parser_finish(f->parser, ep, st->opts.vendor->name);
	}
	else
		st->page = rf_json_parser_finish(f->parser, st->ep, st->opts.vendor->name);
	st->row = 0;
	st->stats.pages++;
	st->mem_peak = Max(st->mem_peak, MemoryContextMemAllocated(st->cxt, true));
	if (st->report_progress)
		rf_progress_update(st->next_series, st->series_ended, &st->stats);
	rf_http_add_rows(f->xfer, rf_page_nrows(st->page));
	if (st->ep->cacheable)
		rf_cache_store(st->estate, st->estate->es_query_cxt, st->umid, f->url,
					   st->page);
	st->fetched += rf_page_nrows(st->page);
	if (RF_EP_HOOK(st->ep, check_page))
		st->ep->hooks->check_page(&st->opts, rf_page_nrows(st->page),
								  st->endpoint_label, st->relname);

	/* the successor is known now; it is asked for now only below a LIMIT */
	succ = NULL;
	if (!fan_out(st, f, st->page, &ended))
	{
		succ = next_fetch(st, f, st->page);
		ended = (succ == NULL);
	}
	if (ended)
		st->series_ended++;
	cache_page_done(st, f, ended);
	if (succ)
	{
		if (!limit_reached(st))
			submit_fetch(st, succ);
		queue_insert(st, 0, succ);
	}
	start_series(st);
	return true;
}

/* Does the endpoint have "zclock:" columns (RfWallClock)? */
bool
rf_endpoint_has_zclock(const RfEndpoint *ep)
{
	for (int i = 0; i < ep->ncolumns; i++)
		if (ep->columns[i].json_path &&
			strncmp(ep->columns[i].json_path, "zclock:", 7) == 0)
			return true;
	return false;
}

/* Is a location's zone among the "location=zone" entries? */
static bool
zone_listed(List *zones, const char *location)
{
	ListCell   *lc;
	size_t		len = strlen(location);

	foreach(lc, zones)
	{
		const char *entry = lfirst(lc);

		if (strncmp(entry, location, len) == 0 && entry[len] == '=')
			return true;
	}
	return false;
}

/*
 * Under the wall clock reading of "Z" times (RfWallClock), the time zones
 * of the locations the query names (zone_keys, from rf_pager_plan),
 * listed by the vendor's location endpoint when the run starts, before
 * the first row (never for EXPLAIN without ANALYZE): one request for the
 * locations not yet known to this scan (a rescan with the same stores
 * asks nothing).  The
 * listing is read by a pager of its own, so it pages, retries and counts
 * like the scan, whose exchanges it joins.  Locations the query does not
 * name (no key values) cannot be listed in advance; the rows' zones are
 * then unknown and the row conversion says so.
 */
static void
list_zones(RfPager *st)
{
	const RfWallClock *wc = st->opts.vendor->wall_clock;
	const RfEndpoint *zep = rf_endpoint_lookup(st->opts.vendor, wc->zones_resource);
	const RfPushdown *kpd = zep ? rf_pushdown_lookup(zep, wc->zones_key) : NULL;
	const RfColumn *zcol = zep ? rf_column_lookup(zep, wc->zones_field) : NULL;
	const RfColumn *kcol = zep ? rf_column_lookup(zep, wc->zones_key) : NULL;
	List	   *missing = NIL;
	ListCell   *lc;
	RfQualValue *qv;
	RfColMap   *cms;
	Datum		rowvals[2];
	bool		rownulls[2];
	RfSeriesPlan *plan;
	bool		empty = false;
	RfPager		child;
	MemoryContext keep;
	MemoryContext old;

	if (zep == NULL || kpd == NULL || zcol == NULL || kcol == NULL)
		elog(ERROR, "vendor \"%s\" lists no time zones", st->opts.vendor->name);
	/* the zones live as long as the columns: across rescans */
	keep = GetMemoryChunkContext(st->rowctx.cols);
	foreach(lc, st->zone_keys)
	{
		char	   *loc = lfirst(lc);

		if (!zone_listed(st->rowctx.zones, loc) &&
			!list_member(missing, makeString(loc)))
			missing = lappend(missing, makeString(loc));
	}
	st->zone_keys = NIL;
	if (missing == NIL)
		return;

	qv = palloc0(sizeof(RfQualValue));
	qv->pd_index = kpd - zep->pushdown;
	qv->op = RF_OP_IN;
	qv->typid = TEXTOID;
	foreach(lc, missing)
		qv->values = lappend(qv->values, strVal(lfirst(lc)));

	cms = palloc0(sizeof(RfColMap) * 2);
	cms[0].attnum = 1;
	rf_colmap_init(&cms[0], "location", TEXTOID, -1,
				   kcol->json_path ? kcol->json_path : kcol->name);
	cms[1].attnum = 2;
	rf_colmap_init(&cms[1], "zone", TEXTOID, -1,
				   zcol->json_path ? zcol->json_path : zcol->name);

	rf_pager_init_child(&child, st, CurrentMemoryContext);
	child.opts.endpoint = zep;
	child.ep = zep;
	child.endpoint_label = psprintf("%s %s", zep->method, zep->path);
	child.rowctx.cols = cms;
	child.rowctx.ncols = 2;
	child.rowctx.consts = NIL;
	child.rowctx.wall_clock = false;
	child.rowctx.endpoint = child.endpoint_label;
	child.page_size = zep->paging.max_size > 0 ? zep->paging.max_size :
		zep->paging.default_size;
	child.limit = -1;
	child.sort = -1;
	plan = rf_plan_series(&child.opts, list_make1(qv), &empty);
	if (!empty)
	{
		rf_pager_start(&child, plan);
		while (rf_pager_next(&child))
		{
			rownulls[0] = rownulls[1] = true;
			rf_pager_row(&child, rowvals, rownulls);
			if (rownulls[0] || rownulls[1])
				continue;
			old = MemoryContextSwitchTo(keep);
			st->rowctx.zones = lappend(st->rowctx.zones,
									   psprintf("%s=%s", TextDatumGetCString(rowvals[0]),
												TextDatumGetCString(rowvals[1])));
			MemoryContextSwitchTo(old);
		}
		/* the listing's exchanges are the scan's; its locations are not rows */
		rf_pager_absorb(st, &child, false);
	}
}

/* A pushed ORDER BY in every series of a plan */
RfSeriesPlan *
rf_pager_add_sort(RfPager *st, RfSeriesPlan *plan)
{
	if (st->sort < 0 || plan == NULL)
		return plan;
	plan->query = list_concat(plan->query,
							  st->ep->hooks->sort_query(st->ep->sorts[st->sort].key,
														st->sort_desc));
	return plan;
}

/* Does the endpoint serve a horizon of days (RfPushdown.horizon_last)? */
bool
rf_endpoint_has_horizon(const RfEndpoint *ep)
{
	for (int i = 0; i < ep->npushdown; i++)
		if (ep->pushdown[i].horizon_last > 0)
			return true;
	return false;
}

/*
 * A hash of the requests of a plan, and of the positions that make them:
 * every series made and forgotten in turn, so that the hash of a thousand
 * windows holds one window's memory at a time.
 */
static uint32
series_fingerprint(RfPager *st, const RfSeriesPlan *plan)
{
	uint32		h = 0;
	MemoryContext scratch;
	MemoryContext old;

	if (plan == NULL)
		return h;
	scratch = AllocSetContextCreate(CurrentMemoryContext,
									"retail_fdw series fingerprint",
									ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(scratch);
	for (int pos = 0; pos < plan->npositions; pos++)
	{
		RfSeries   *s = rf_series_make(plan, pos);

		if (s)
		{
			char	   *target = rf_series_target(s, &st->ep->paging, st->page_size, NULL);

			h = hash_combine(h, hash_uint32((uint32) pos));
			h = hash_combine(h, hash_bytes((const unsigned char *) target, strlen(target)));
			if (s->body)
				h = hash_combine(h, hash_bytes((const unsigned char *) s->body,
											   strlen(s->body)));
		}
		MemoryContextReset(scratch);
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(scratch);
	return h;
}

/*
 * In a parallel scan every participant plans the series itself and takes
 * them by index from the shared counter, so all must have planned the very
 * same list: the first to plan leaves its count and hash, the others
 * compare.  A difference would lose or double rows; it is an error.
 */
static void
check_parallel_plan(RfPager *st, const RfSeriesPlan *plan)
{
	uint32		h = series_fingerprint(st, plan);
	int			n = plan ? plan->nseries : 0;
	bool		same = true;
	int			theirs = 0;

	SpinLockAcquire(&st->par->mutex);
	if (!st->par->planned)
	{
		st->par->planned = true;
		st->par->nseries = n;
		st->par->fingerprint = h;
	}
	else if (st->par->nseries != n || st->par->fingerprint != h)
	{
		same = false;
		theirs = st->par->nseries;
	}
	SpinLockRelease(&st->par->mutex);
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("the participants of a parallel scan of \"%s\" planned different requests",
						st->relname),
				 errdetail("This participant planned %d request series, another %d (or other requests).",
						   n, theirs),
				 errhint("Run the query with max_parallel_workers_per_gather = 0 and report the query.")));
}

/* The series to run (NULL: none), set before the first row */
void
rf_pager_start(RfPager *st, RfSeriesPlan *plan)
{
	if (st->rowctx.wall_clock && st->zone_keys != NIL && plan != NULL &&
		plan->nseries > 0)
	{
		list_zones(st);

		/*
		 * Days the API serves from each store's own today: planned again
		 * with the zones (EXPLAIN without ANALYZE shows UTC days).
		 */
		if (rf_endpoint_has_horizon(st->ep) && st->plan_values != NIL)
		{
			bool		empty = false;

			st->opts.zones = st->rowctx.zones;
			plan = rf_plan_series(&st->opts, st->plan_values, &empty);
			plan = empty ? NULL : rf_pager_add_sort(st, plan);
		}
	}
	if (st->par)
		check_parallel_plan(st, plan);
	/* the leader reads after its workers were launched: say how many */
	if (st->par && st->pcxt && !IsParallelWorker())
	{
		SpinLockAcquire(&st->par->mutex);
		st->par->workers = st->pcxt->nworkers_launched;
		SpinLockRelease(&st->par->mutex);
	}
	st->plan = plan;
	st->next_position = 0;
	st->next_series = 0;
	st->series_ended = 0;
	st->series_done = false;
}

/*
 * The leader of a parallel scan, before its workers are launched: who will
 * read (the workers planned, corrected to those launched when the leader
 * starts its run, and the leader unless parallel_leader_participation is
 * off), for may_take_series.
 */
void
rf_pager_parallel_leader(RfPager *st, ParallelContext *pcxt)
{
	st->pcxt = pcxt;
	SpinLockAcquire(&st->par->mutex);
	st->par->workers = pcxt->nworkers;
	st->par->leader_reads = parallel_leader_participation;
	SpinLockRelease(&st->par->mutex);
}

/* How many series the run makes */
int
rf_pager_nseries(const RfPager *st)
{
	return st->plan ? st->plan->nseries : 0;
}

/*
 * Move to the next row, fetching pages as needed: false at the end of the
 * last series.  Rows a widened request fetched for another series (its
 * keep filter) are skipped.  The row is then read with rf_pager_row.
 */
bool
rf_pager_next(RfPager *st)
{
	for (;;)
	{
		bool		more;
		MemoryContext old;

		while (st->page && st->row < rf_page_nrows(st->page) &&
			   st->current->series->keep_path &&
			   !rf_page_row_kept(st->page, st->row, st->current->series))
			st->row++;
		if (st->page && st->row < rf_page_nrows(st->page))
			return true;
		/* what a turn allocates on the way is garbage by the next turn */
		if (st->turn_cxt == NULL)
			st->turn_cxt = AllocSetContextCreate(st->cxt, "retail_fdw page turn",
												 ALLOCSET_SMALL_SIZES);
		else
			MemoryContextReset(st->turn_cxt);
		old = MemoryContextSwitchTo(st->turn_cxt);
		more = advance_page(st);
		MemoryContextSwitchTo(old);
		if (!more)
			return false;
	}
}

/* Convert the current row into values/nulls (of the row context's columns) */
void
rf_pager_row(RfPager *st, Datum *values, bool *nulls)
{
	rf_page_row(st->page, st->row++, &st->rowctx, values, nulls);
	st->stats.rows++;
}

/* The transfer of the current page, or NULL (for request_stats) */
RfTransfer *
rf_pager_transfer(RfPager *st)
{
	return st->current ? st->current->xfer : NULL;
}

/*
 * A pager of the owner's settings (options, endpoint, columns, connection,
 * page size, LIMIT, sort, user mapping) in memory cxt, with a run's state
 * zeroed as a new scan's is: for sub-scans of a scan (an id listing, an id
 * prefetch).  Never part of a parallel scan.
 */
void
rf_pager_init_child(RfPager *child, const RfPager *owner, MemoryContext cxt)
{
	memset(child, 0, sizeof(RfPager));
	child->cxt = cxt;
	child->opts = owner->opts;
	child->ep = owner->ep;
	child->conn = owner->conn;
	child->relname = owner->relname;
	child->endpoint_label = owner->endpoint_label;
	child->rowctx = owner->rowctx;
	child->page_size = owner->page_size;
	child->limit = owner->limit;
	child->sort = owner->sort;
	child->sort_desc = owner->sort_desc;
	child->umid = owner->umid;
	child->estate = owner->estate;
}

/*
 * Count a sub-scan's exchanges as the owner's, for EXPLAIN ANALYZE: its
 * rows too when they are rows of the scan.
 */
void
rf_pager_absorb(RfPager *owner, const RfPager *child, bool rows)
{
	owner->stats.requests += child->stats.requests;
	owner->stats.pages += child->stats.pages;
	if (rows)
		owner->stats.rows += child->stats.rows;
	owner->stats.bytes += child->stats.bytes;
	owner->stats.retries += child->stats.retries;
	owner->stats.wait_us += child->stats.wait_us;
	owner->stats.cache_hits += child->stats.cache_hits;
	owner->cache_hits += child->cache_hits;
	owner->mem_peak = Max(owner->mem_peak, child->mem_peak);
}

/* Forget the current run; transfers in flight are cancelled */
void
rf_pager_reset(RfPager *st)
{
	ListCell   *lc;

	finish_current(st);
	foreach(lc, st->queue)
	{
		RfFetch    *f = lfirst(lc);

		if (f->xfer)
			rf_http_release(f->xfer, &st->stats);
	}
	MemoryContextReset(st->cxt);	/* the fetches' and the turn's too */
	st->turn_cxt = NULL;
	st->queue = NIL;
	st->plan = NULL;
	st->domain_notes = NIL;
	st->domain_empty = false;
	st->next_position = 0;
	st->next_series = 0;
	st->series_ended = 0;
	st->series_done = false;
	st->waiting = false;
	st->fetched = 0;
	st->fan_series = NULL;
}
