/*-------------------------------------------------------------------------
 *
 * scan_int.h
 *		  What the pager's own files share (scan.c, pagecheck.c, lister.c):
 *		  a page to fetch, the checks of what a vendor says about its pages,
 *		  and the ids a listing gives.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_SCAN_INT_H
#define RF_SCAN_INT_H

#include "scan.h"

/*
 * One page to fetch, in the order its rows come out.  A fetch and all it
 * holds (URL, headers, parser, transfer, parsed page) live in a memory
 * context of its own, deleted when the scan moves past the page: a scan's
 * memory is bounded by the pages it holds, not by the requests it made.
 */
typedef struct RfFetch
{
	MemoryContext cxt;			/* holds this struct and all below */
	RfSeries   *series;
	int64		pageno;			/* 1 for a series' first page */
	int64		offset;			/* rows of the series before this page */
	char	   *url;
	char	   *page_value;		/* the page / cursor / token asked for */
	List	   *headers;
	RfJsonParser *parser;
	RfTransfer *xfer;
	RfPage	   *cached;			/* an answer shared within the query */
	RfCacheUse *cache;			/* its use of the response cache, or NULL */
} RfFetch;

extern void rf_pagination_error(RfPager *st, const char *what, const char *url) pg_attribute_noreturn();
extern void rf_check_unvisited(RfPager *st, RfFetch *f, const char *key, const char *shown);
extern void rf_check_next_link(RfPager *st, RfFetch *f, RfPage *page, int64 seen, bool last);
extern void rf_check_series_end(RfPager *st, RfFetch *f, bool has_count, int64 count,
								int64 seen);

extern RfSeriesPlan *rf_pager_add_sort(RfPager *st, RfSeriesPlan *plan);

#endif							/* RF_SCAN_INT_H */
