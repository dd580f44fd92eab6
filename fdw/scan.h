/*-------------------------------------------------------------------------
 *
 * scan.h
 *		  The pager (scan.c): request series -> pages in flight -> rows.
 *
 * One pager pages through the series of a scan, of an id listing or of
 * ANALYZE's sample, with every paging style and its checks; a parallel
 * scan's participants share the series through RfParallelScan.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_SCAN_H
#define RF_SCAN_H

#include "postgres.h"

#include "nodes/execnodes.h"
#include "nodes/pg_list.h"
#include "port/atomics.h"
#include "storage/spin.h"

#include "http.h"
#include "json.h"
#include "option.h"
#include "reqplan.h"

struct RfFetch;

/*
 * A parallel scan's shared state, in dynamic shared memory.  Every
 * participant (the leader and each worker) plans the same request series
 * from the same quals (now() is the transaction's start, which workers
 * share), checks that it did (the first to plan leaves the count and a
 * hash of the series here), and takes the next series from the shared
 * counter, only as many at a time as it can work on (scan.c,
 * may_take_series); a series, with its fan-out and checks, is paged by the
 * one participant that took it.
 */
typedef struct RfParallelScan
{
	pg_atomic_uint32 next_series;	/* next series index to take */
	slock_t		mutex;			/* protects the fields below */
	bool		planned;		/* a participant has planned the series */
	int			nseries;
	uint32		fingerprint;	/* hash of every series' request */
	int			workers;		/* workers planned, then launched */
	bool		leader_reads;	/* parallel_leader_participation */
	RfStats		worker_stats;	/* workers' counters, added at their end */
	int			workers_done;
	RfSharedLimit limit;		/* the query's vendor limits */
} RfParallelScan;

/*
 * One pager: the request series of a scan (or of a listing) and the pages
 * in flight.  The owner fills the first block, then calls rf_pager_start
 * with the plan of the series (rf_pager_plan) and rf_pager_next /
 * rf_pager_row for each row.
 */
typedef struct RfPager
{
	/* set by the owner */
	MemoryContext cxt;			/* the run's memory, reset by rf_pager_reset */
	RfOptions	opts;
	const RfEndpoint *ep;
	RfConn	   *conn;
	char	   *relname;
	char	   *endpoint_label;	/* "GET /path" for messages */
	RfRowContext rowctx;		/* the columns rows are converted to */
	List	   *zone_keys;		/* locations whose zones the run needs */
	List	   *plan_values;	/* the values rf_pager_plan planned from */
	int			page_size;
	double		limit;			/* a pushed LIMIT, or -1 */
	int			sort;			/* index into ep->sorts, or -1 */
	bool		sort_desc;
	Oid			umid;			/* the user mapping: keys the answer cache */
	EState	   *estate;			/* owns the answer cache */
	bool		report_progress;	/* publish to retail_fdw.scan_progress */
	RfParallelScan *par;		/* shared by a parallel scan's participants */
	struct ParallelContext *pcxt;	/* the leader's, in a parallel scan */

	/* the current run */
	List	   *domain_notes;	/* values outside the API's domain (EXPLAIN) */
	bool		domain_empty;	/* ...which left no request to make */
	int64		fetched;		/* rows in the pages fetched so far */
	RfSeriesPlan *plan;			/* the run's series, or NULL: none */
	int			next_position;	/* the plan's next position (serial) */
	int			next_series;	/* series taken by this participant */
	int64		series_ended;	/* of those, series read to their end */
	bool		series_done;	/* no series left to take */
	bool		waiting;		/* waiting for the head of the queue */
	List	   *queue;			/* struct RfFetch *, output order */
	struct RfFetch *current;
	RfPage	   *page;
	int			row;
	RfStats		stats;			/* across runs */
	int64		cache_hits;
	MemoryContext turn_cxt;		/* garbage of one turn to the next page */
	Size		mem_peak;		/* most memory the runs held (EXPLAIN) */

	/*
	 * Fan-out: once a series' first page tells the total count, its other
	 * pages are asked for by number, several at once, instead of one after
	 * the other along next links.
	 */
	RfSeries   *fan_series;
	int64		fan_next;		/* next page number to ask for */
	int64		fan_total;		/* pages in the series */
	int64		fan_count;		/* the total the first page gave */
	int			fan_size;		/* rows per full page */
} RfPager;

extern RfSeriesPlan *rf_pager_plan(RfPager *pager, List *qualvals,
								   bool *empty);
extern bool rf_pager_lists_ids(RfPager *pager, List *qualvals);
extern RfSeriesPlan *rf_pager_lister_plan(RfPager *pager, List *qualvals,
										  bool *empty);
extern void rf_pager_start(RfPager *pager, RfSeriesPlan *plan);
extern void rf_pager_parallel_leader(RfPager *pager,
									 struct ParallelContext *pcxt);
extern int	rf_pager_nseries(const RfPager *pager);
extern bool rf_pager_next(RfPager *pager);
extern void rf_pager_row(RfPager *pager, Datum *values, bool *nulls);
extern RfTransfer *rf_pager_transfer(RfPager *pager);
extern void rf_pager_reset(RfPager *pager);
extern void rf_pager_init_child(RfPager *child, const RfPager *owner,
								MemoryContext cxt);
extern void rf_pager_absorb(RfPager *owner, const RfPager *child, bool rows);
extern bool rf_endpoint_has_zclock(const RfEndpoint *ep);
extern bool rf_endpoint_has_horizon(const RfEndpoint *ep);

#endif							/* RF_SCAN_H */
