/*-------------------------------------------------------------------------
 *
 * pagecheck.c
 *		  What a vendor says about its pages, checked before a row is
 *		  believed: a series never asks for a page twice, a next link names
 *		  the page after this one on the same endpoint, and the rows of a
 *		  series add up to the total its pages announce.  Any other answer
 *		  is an error (HV00M-class "inconsistent pagination"), never a
 *		  short or long result.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "scan_int.h"
#include "json.h"
#include "netpolicy.h"
#include "rf_port.h"
#include "vendor.h"

/*
 * Inconsistent pagination: the query fails with what the pages said and
 * which page it was (the server's own pages shown by path).
 */
void
rf_pagination_error(RfPager *st, const char *what, const char *url)
{
	const char *shown = url;

	/* the server's own pages are shown by path: the host is in base_url */
	if (url && strncmp(url, st->opts.base_url, strlen(st->opts.base_url)) == 0)
		shown = url + strlen(st->opts.base_url);
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_REPLY),
			 errmsg("inconsistent pagination from %s: %s", st->opts.vendor->name, what),
			 errdetail("Endpoint %s, server \"%s\", page %s.",
					   st->endpoint_label, st->opts.servername, shown ? shown : "(none)"),
			 errhint("No partial result was returned; retry the query.")));
}

/*
 * A series must never ask for a page twice: a next link or cursor that
 * comes back (1 -> 2 -> 1, or a page that names itself) would loop until
 * statement_timeout.  Every page's key is remembered per series.
 */
void
rf_check_unvisited(RfPager *st, RfFetch *f, const char *key, const char *shown)
{
	ListCell   *lc;

	/* the series' memory, not the page's (that goes with the page) */
	MemoryContext old = MemoryContextSwitchTo(f->series->cxt);

	if (f->pageno == 1 && f->series->visited == NIL)
		f->series->visited = list_make1(pstrdup(f->page_value ? f->page_value : f->url));
	foreach(lc, f->series->visited)
	{
		if (strcmp(lfirst(lc), key) == 0)
			rf_pagination_error(st, "the next page was asked for before (the links or cursors loop)",
							 shown);
	}
	f->series->visited = lappend(f->series->visited, pstrdup(key));
	MemoryContextSwitchTo(old);
}

/*
 * The value of query parameter name in url, percent-decoded; *n is how
 * many times the parameter occurs (a link naming the page twice names no
 * page).  NULL when it does not occur.
 */
static char *
url_param(const char *url, const char *name, int *n)
{
	const char *q = strchr(url, '?');
	size_t		namelen = strlen(name);
	char	   *result = NULL;

	*n = 0;
	while (q != NULL && *q != '\0' && *q != '#')
	{
		const char *item = q + 1;
		const char *end = item + strcspn(item, "&#");

		if ((size_t) (end - item) >= namelen && strncmp(item, name, namelen) == 0 &&
			(item + namelen == end || item[namelen] == '='))
		{
			StringInfoData buf;
			const char *c = item + namelen + (item + namelen < end ? 1 : 0);

			initStringInfo(&buf);
			for (; c < end; c++)
			{
				/* %00 stays as it is: a NUL would cut the value short */
				if (*c == '%' && c + 2 < end && isxdigit((unsigned char) c[1]) &&
					isxdigit((unsigned char) c[2]) && (c[1] != '0' || c[2] != '0'))
				{
					char		hex[3] = {c[1], c[2], '\0'};

					appendStringInfoChar(&buf, (char) strtol(hex, NULL, 16));
					c += 2;
				}
				else
					appendStringInfoChar(&buf, *c == '+' ? ' ' : *c);
			}
			result = buf.data;
			(*n)++;
		}
		q = (*end == '&') ? end : NULL;
	}
	return result;
}

/* A next link that disagrees with the pages: the page and its link shown */
static void
link_error(RfPager *st, const char *what, RfFetch *f, const char *link)
{
	const char *page = f->url;
	size_t		blen = strlen(st->opts.base_url);

	/* the server's own pages are shown by path: the host is in base_url */
	if (strncmp(page, st->opts.base_url, blen) == 0)
		page = page + blen;
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_REPLY),
			 errmsg("inconsistent pagination from %s: %s", st->opts.vendor->name, what),
			 errdetail("Endpoint %s, server \"%s\", page %s links to %s.",
					   st->endpoint_label, st->opts.servername, page,
					   rf_clean_text(link, strlen(link), 300)),
			 errhint("With a total, the next links must name the pages in order, up to the last; no partial result was returned. Retry the query; if it fails again, the vendor's paging is broken.")));
}

/*
 * With a total, the pages of a series are known in advance (and fetched by
 * number when they fan out), so the vendor's own next links must agree:
 * page k's link designates page k + 1 as the pager asks for it (its page
 * parameter: the page number, or the offset = rows so far; other
 * parameters and their order do not matter), and the last page has none.
 * A link that loops back, cycles with a cache-busting parameter or skips a
 * page would otherwise return duplicated or missing rows that still add up
 * to the total.  seen: the rows up to and including f's page.
 */
void
rf_check_next_link(RfPager *st, RfFetch *f, RfPage *page, int64 seen, bool last)
{
	const RfPagingSpec *pg = &st->ep->paging;
	char	   *link;
	char	   *url;
	char	   *value;
	char	   *want;
	int			n;

	if (!pg->next_is_url || pg->page_param == NULL)
		return;
	link = rf_page_get_string(page, pg->next_path);
	if (link == NULL || *link == '\0')
	{
		if (!last)
			rf_pagination_error(st, psprintf("page " INT64_FORMAT " has no next link though the total says more rows follow",
										  f->pageno), f->url);
		return;
	}
	if (last)
		link_error(st, psprintf("the last page by the total (page " INT64_FORMAT ") links to a next one",
								f->pageno), f, link);
	url = rf_http_resolve_url(f->url, link);
	if (url == NULL || !rf_http_same_origin(st->opts.base_url, url))
		rf_pagination_error(st, "the next page is on another host", link);
	want = (pg->style == RF_PAGE_OFFSET) ?
		psprintf(INT64_FORMAT, seen) :
		psprintf(INT64_FORMAT, pg->first_page + f->pageno);
	value = url_param(url, pg->page_param, &n);
	if (n != 1)
		link_error(st, psprintf("page " INT64_FORMAT "'s next link %s parameter \"%s\" (expected %s)",
								f->pageno, n == 0 ? "lacks the" : "repeats the",
								pg->page_param, want), f, link);
	if (strcmp(value, want) != 0)
	{
		char	   *end;
		int64		v;
		bool		num;
		int64		w = pg->style == RF_PAGE_OFFSET ? seen : pg->first_page + f->pageno;

		errno = 0;
		v = strtoi64(value, &end, 10);
		num = (*value != '\0' && *end == '\0' && errno == 0);

		link_error(st, psprintf("page " INT64_FORMAT "'s next link asks for %s=%s, %s (expected %s)",
								f->pageno, pg->page_param, value,
								!num ? "not a page the pager would ask for" :
								v < w ? "a page already fetched" : "skipping pages",
								want), f, link);
	}
}

/*
 * At the end of a series, the rows must be what the total said, when the
 * API gives one: fewer is a lost page, more a page counted twice.  Either
 * is an error, never a short or long answer.
 */
void
rf_check_series_end(RfPager *st, RfFetch *f, bool has_count, int64 count,
				 int64 seen)
{
	if (has_count && seen != count)
		rf_pagination_error(st, psprintf("the pages ended after " INT64_FORMAT " rows while the total says " INT64_FORMAT,
									  seen, count), f->url);
}
