/*-------------------------------------------------------------------------
 *
 * json.c
 *		  JSON to Datum mapping: the parser sink, pages, and rows converted
 *		  to a foreign table's columns (with jsondatum.c, jsonpage.c and
 *		  rf_port.c, the only files that use json-c).
 *
 * A response body is parsed while it downloads: the parser is a body sink
 * that feeds each chunk to a json_tokener, so no copy of the raw body is
 * kept.  The parsed document becomes an RfPage, from which the scan reads
 * page-level fields (count, next) and converts rows to Datums.
 *
 * Each column's value is found in a row here (references, request
 * constants, local and wall clock times, "oneof:" values) and converted by
 * jsondatum.c, driven by the column's type.  A JSON null or a missing
 * field is SQL NULL; unknown fields are ignored.  Also here: the per-query
 * cache of parsed answers.
 *
 * Parsing, finding rows and resolving column references are in jsonpage.c,
 * which does not depend on PostgreSQL (the fuzz targets build it alone);
 * rf_port.c supplies its allocation and error hooks (rf_port.h).
 *
 * json-c allocates with malloc.  Every json-c object belongs to a parser or
 * a page, each of which registers a reset callback on its memory context,
 * so an error anywhere still frees them.
 *
 * Not here: HTTP (http.c), and deciding what to request (reqplan.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

/* PostgreSQL declares an SQL function json_object(); json-c a type */
#define json_object pg_json_object_function
#include "utils/datetime.h"
#undef json_object
#include "port/pg_crc32c.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "json.h"
#include "jsondatum.h"
#include "jsonpage.h"
#include "reqplan.h"
#include "rf_port.h"
#include "vendor.h"

struct RfJsonParser
{
	RfJsonStream js;
	MemoryContextCallback cleanup;
};

struct RfPage
{
	RfJsonPage	jp;
	MemoryContextCallback cleanup;
	RfRowContext *want_rc;		/* whose columns the raw rows are read for */
	bool		spans;			/* ...each a plain member: read by spans */
	RfJsonSpan *span;			/* one per wanted key */
};

/* ----------------------------------------------------------------
 *		Streaming parser
 * ----------------------------------------------------------------
 */

static void
parser_cleanup(void *arg)
{
	RfJsonParser *p = (RfJsonParser *) arg;

	rf_json_stream_release(&p->js);
}

RfJsonParser *
rf_json_parser_create(MemoryContext cxt)
{
	RfJsonParser *p = MemoryContextAllocZero(cxt, sizeof(RfJsonParser));

	p->cleanup.func = parser_cleanup;
	p->cleanup.arg = p;
	MemoryContextRegisterResetCallback(cxt, &p->cleanup);
	if (!rf_json_stream_init(&p->js))
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("out of memory")));
	return p;
}

/* Body sink callbacks: called from inside libcurl, no ereport */
static bool
parser_feed(void *arg, const char *data, size_t len)
{
	return rf_json_stream_feed(&((RfJsonParser *) arg)->js, data, len);
}

static void
parser_reset(void *arg)
{
	rf_json_stream_reset(&((RfJsonParser *) arg)->js);
}

static bool
parser_complete(void *arg)
{
	return rf_json_stream_complete(&((RfJsonParser *) arg)->js);
}

/*
 * The checksum that ties a verdict to its bytes: CRC-32C of the body, then
 * of the marks.  The response cache keeps both in one record, so they
 * cannot part; the checksum is there for memory that changed beneath them
 * all the same, which would otherwise send the row scan off its bytes.
 */
static uint32
verdict_check(const char *body, size_t len, const RfJsonVerdict *v)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, body, len);
	COMP_CRC32C(crc, (const char *) v + sizeof(RfJsonVerdict),
				sizeof(uint32) * (size_t) v->nmarks);
	FIN_CRC32C(crc);
	return (uint32) crc;
}

/* What the byte scan established about an accepted body (see RfBodySink) */
static void *
parser_verdict(void *arg, const char *body, size_t len, size_t *vlen)
{
	RfJsonVerdict *v = rf_json_stream_verdict(&((RfJsonParser *) arg)->js,
											  body, len, vlen);

	if (v != NULL)
		v->check = verdict_check(body, len, v);
	return v;
}

/*
 * A cached body with its verdict: taken without a second byte scan when
 * the checksum holds and the body lives in the parser's own memory context
 * (the page made from it frees it with rf_port_free, i.e. pfree).
 */
static bool
parser_adopt(void *arg, char *body, size_t len, const void *verdict,
			 size_t vlen)
{
	RfJsonParser *p = (RfJsonParser *) arg;
	RfJsonVerdict head;

	if (vlen < sizeof(RfJsonVerdict) ||
		GetMemoryChunkContext(body) != GetMemoryChunkContext(p))
		return false;
	memcpy(&head, verdict, sizeof(head));
	if (head.magic != RF_JSON_VERDICT_MAGIC || head.len != len ||
		head.nmarks < 1 ||
		vlen != sizeof(RfJsonVerdict) + sizeof(uint32) * (size_t) head.nmarks ||
		verdict_check(body, len, verdict) != head.check)
		return false;
	return rf_json_stream_adopt(&p->js, body, len, verdict, vlen);
}

/* Why the body failed; called outside libcurl, but allocates nothing */
static const char *
parser_failure(void *arg, RfBodyFailure *kind)
{
	RfJsonStream *js = &((RfJsonParser *) arg)->js;

	switch (js->why)
	{
		case RF_JSON_DEPTH:
		case RF_JSON_DENSE:
			*kind = RF_BODY_LIMIT;
			break;
		case RF_JSON_NOMEM:
			*kind = RF_BODY_NOMEM;
			break;
		case RF_JSON_CONTROL:
		case RF_JSON_LEADING_ZERO:
		case RF_JSON_NUL_KEY:
		case RF_JSON_EXTENSION:
			/* malformed (22032, not retried), with the reason */
			*kind = RF_BODY_SYNTAX;
			break;
		default:
			*kind = RF_BODY_SYNTAX;
			return NULL;
	}
	return rf_json_failure_text(js->why);
}

RfBodySink
rf_json_parser_sink(RfJsonParser *parser)
{
	RfBodySink	sink;

	sink.feed = parser_feed;
	sink.reset = parser_reset;
	sink.finish = parser_complete;
	sink.failure = parser_failure;
	sink.verdict = parser_verdict;
	sink.adopt = parser_adopt;
	sink.arg = parser;
	return sink;
}

/* ----------------------------------------------------------------
 *		Pages
 * ----------------------------------------------------------------
 */

static void
page_cleanup(void *arg)
{
	RfPage	   *page = (RfPage *) arg;

	rf_json_page_release(&page->jp);
}

/*
 * An empty page in cxt, whose document is released when cxt goes away.
 * The caller hands it the document only then: an error in between would
 * otherwise leave the document to no one.
 */
static RfPage *
page_create(MemoryContext cxt, const char *vendor, const char *endpoint)
{
	RfPage	   *page = MemoryContextAllocZero(cxt, sizeof(RfPage));

	rf_json_page_init(&page->jp, NULL, vendor, endpoint);
	page->cleanup.func = page_cleanup;
	page->cleanup.arg = page;
	MemoryContextRegisterResetCallback(cxt, &page->cleanup);
	return page;
}

/* How an endpoint's answer holds its rows; ok / error default to the vendor's */
static RfRowsSpec
rows_spec(const RfEndpoint *ep, const char *vendor)
{
	RfRowsSpec	spec;
	const RfVendor *v = rf_vendor_lookup(vendor);

	spec.rows_path = ep->rows_path;
	spec.ok_field = rf_endpoint_ok_field(v, ep);
	spec.error_field = rf_endpoint_error_field(v, ep);
	spec.object_body = ep->object_body;
	return spec;
}

/*
 * A page of one row: the object at path (the whole body when NULL), as
 * write endpoints answer.  A body that is no such object is a shape error.
 */
RfPage *
rf_json_parser_finish_object(RfJsonParser *parser, const char *path,
							 const char *vendor, const char *endpoint)
{
	RfPage	   *page = page_create(GetMemoryChunkContext(parser), vendor,
								   endpoint);

	page->jp.doc = rf_json_stream_take(&parser->js);
	rf_json_page_object(&page->jp, path);
	return page;
}

/*
 * Take the parsed document of a finished transfer as a page.  The rows are
 * the array at the endpoint's rows_path (the whole body when NULL), or the
 * innermost elements of a nested rows_path.  A transfer without a body (an
 * allowed 404) gives an empty page.
 */
RfPage *
rf_json_parser_finish(RfJsonParser *parser, const RfEndpoint *ep,
					  const char *vendor)
{
	RfPage	   *page = page_create(GetMemoryChunkContext(parser), vendor,
								   ep->path);
	RfRowsSpec	spec = rows_spec(ep, vendor);

	/*
	 * A flat page of plain JSON keeps its rows as bytes, parsed one at a
	 * time as the scan reaches them.  The per-query cache keeps parsed
	 * documents, so its endpoints take the whole tree.
	 */
	if (ep->cacheable || !rf_json_page_lazy(&page->jp, &parser->js, &spec, false))
	{
		page->jp.doc = rf_json_stream_take(&parser->js);
		rf_json_page_rows(&page->jp, &spec);
	}
	return page;
}

int
rf_page_nrows(RfPage *page)
{
	return page->jp.nrows;
}

/* A page-level integer such as "count"; false when absent or null */
bool
rf_page_get_int(RfPage *page, const char *path, int64 *value)
{
	int64_t		v;

	if (!rf_json_page_int(&page->jp, path, &v))
		return false;
	*value = v;
	return true;
}

/* A page-level string such as "next"; NULL when absent or null */
char *
rf_page_get_string(RfPage *page, const char *path)
{
	return rf_json_page_string(&page->jp, path);
}

void
rf_page_free(RfPage *page)
{
	rf_json_page_release(&page->jp);
}

/* The value of a request constant "name=value", or NULL */
static const char *
series_const(RfRowContext *rc, const char *name)
{
	ListCell   *lc;
	size_t		len = strlen(name);

	foreach(lc, rc->consts)
	{
		const char *c = lfirst(lc);

		if (strncmp(c, name, len) == 0 && c[len] == '=')
			return c + len + 1;
	}
	return NULL;
}

/*
 * Resolve a reference of a row: a JSON value, or (for member keys and
 * request constants) a string in *str.  NULL and no string when the value
 * is not there.
 */
static json_object *
resolve_ref(RfPage *page, RfRowRef *ref, json_object *row, RfJsonRef *r,
			RfRowContext *rc, const char **str)
{
	if (r->const_name)
	{
		*str = series_const(rc, r->const_name);
		return NULL;
	}
	return rf_json_ref_resolve(&page->jp, ref, row, r, str);
}

/* A part of a composite value as text, or NULL */
static const char *
part_text(RfPage *page, RfRowRef *ref, json_object *row, RfJsonRef *part,
		  RfRowContext *rc)
{
	const char *str;
	json_object *v = resolve_ref(page, ref, row, part, rc, &str);

	if (str)
		return str;
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The first part of a "oneof:" column that is among its constants */
static const char *
oneof_text(RfPage *page, RfRowRef *ref, json_object *row, RfColMap *cm,
		   RfRowContext *rc)
{
	size_t		len = strlen(cm->oneof);

	for (int i = 0; i < cm->nsub; i++)
	{
		const char *text = part_text(page, ref, row, &cm->sub[i], rc);
		ListCell   *lc;

		if (text == NULL)
			continue;
		foreach(lc, rc->consts)
		{
			const char *c = lfirst(lc);

			if (strncmp(c, cm->oneof, len) == 0 && c[len] == '=' &&
				strcmp(c + len + 1, text) == 0)
				return text;
		}
	}
	return NULL;
}

/*
 * A local date ("2021-02-21"), an optional local time ("09:15", "+01:00"
 * = one day later, "-23:00" = one day earlier, "24:00" = the end of the
 * day) and a time zone make one input string for timestamptz:
 * "2021-02-21 09:15:00 America/New_York".  The end of a period without a
 * time is the next day's midnight.
 */
static char *
local_time_text(const char *date, const char *time, const char *zone, bool end)
{
	int			y,
				m,
				d,
				hh = 0,
				mi = 0,
				shift = 0;
	int			julian;

	if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3)
		return NULL;
	if (time && *time)
	{
		if (*time == '+' || *time == '-')
			shift = (*time++ == '+') ? 1 : -1;
		if (sscanf(time, "%d:%d", &hh, &mi) != 2)
			return NULL;
	}
	else if (end)
		shift = 1;
	if (hh == 24)
	{
		hh = 0;
		shift++;
	}
	julian = date2j(y, m, d) + shift;
	j2date(julian, &y, &m, &d);
	return psprintf("%04d-%02d-%02d %02d:%02d:00 %s", y, m, d, hh, mi,
					zone ? zone : "UTC");
}

/*
 * A "zclock:" time as timestamptz input: as written (its "Z" is UTC, and
 * an explicit offset is always an instant), or, under the wall clock
 * reading, its date and time without the "Z" in the zone the context
 * lists for the row's location.  A location without a listed zone is an
 * error: its times cannot be placed.
 */
static char *
zclock_text(RfRowContext *rc, const char *time, const char *location)
{
	size_t		len = strlen(time);
	const char *zone = NULL;
	ListCell   *lc;
	char	   *text;

	if (!rc->wall_clock || len < 11 || (time[len - 1] != 'Z' && time[len - 1] != 'z'))
		return pstrdup(time);
	foreach(lc, rc->zones)
	{
		const char *entry = lfirst(lc);
		const char *eq = strchr(entry, '=');

		if (location && eq && strlen(location) == (size_t) (eq - entry) &&
			pg_strncasecmp(entry, location, eq - entry) == 0)
		{
			zone = eq + 1;
			break;
		}
	}
	if (zone == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("no time zone for %s location \"%s\" of %s",
						rc->vendor ? rc->vendor : "the vendor's",
						location ? location : "(none)", rc->endpoint ? rc->endpoint : "the answer"),
				 errdetail("Its times are read as the location's wall clock (server option z_reading 'wall'), and the location listing gave it no time zone."),
				 errhint("Check that the location exists and has a time zone, or set z_reading 'utc' if the API writes UTC.")));
	text = psprintf("%.*s %s", (int) (len - 1), time, zone);
	if (text[10] == 'T' || text[10] == 't')
		text[10] = ' ';
	return text;
}

/*
 * A page read raw parses of each row only the members its columns read
 * (the first part of each reference), once per row context.
 */
static void
want_columns(RfPage *page, RfRowContext *rc)
{
	const char **keys;
	int			nkeys = 0;
	bool		all = false;
	MemoryContext old;

	if (page->jp.buf == NULL || page->want_rc == rc)
		return;
	keys = palloc(sizeof(char *) * 2 * (rc->ncols * 5 + 1));
	page->spans = true;
	for (int i = 0; i < rc->ncols; i++)
	{
		RfColMap   *cm = &rc->cols[i];
		const RfJsonRef *r = cm->ref;

		/* a member of the row itself, one key deep: its span is its value */
		cm->want_idx = -1;
		if (!cm->is_local && !cm->zclock && !cm->oneof && cm->nsub == 0 &&
			rf_json_ref_is_plain(r) && r->npath == 1 && r->match_part < 0 &&
			strcmp(r->path_parts[0], "*") != 0)
		{
			cm->want_idx = nkeys;
			for (int k = 0; k < nkeys; k++)
			{
				if (strcmp(keys[k], r->path_parts[0]) == 0)
				{
					cm->want_idx = k;	/* the first equal key is the one matched */
					break;
				}
			}
		}
		else
			page->spans = false;
		rf_json_ref_keys(cm->ref, keys, &nkeys, &all);
		for (int k = 0; k < cm->nsub; k++)
			rf_json_ref_keys(&cm->sub[k], keys, &nkeys, &all);
	}
	/* the page keeps its list as long as it lives (rows come per tuple) */
	old = MemoryContextSwitchTo(GetMemoryChunkContext(page));
	rf_json_page_want(&page->jp, keys, all ? -1 : nkeys);
	if (page->span)
		pfree(page->span);
	page->span = palloc(sizeof(RfJsonSpan) * (nkeys + 1));
	MemoryContextSwitchTo(old);
	pfree(keys);
	page->want_rc = rc;
}

/*
 * A raw row whose columns are each a member of the row (rf_page_row): each
 * value converted from its bytes where rf_conv_span can, else from the
 * json-c value of those bytes alone.  The same values, NULLs and errors as
 * the row's json-c object would give, without making it: no hash table,
 * no lookups, no copies of the strings.
 */
static void
span_row(RfPage *page, RfRowContext *rc, RfConvErrorContext *ec,
		 Datum *values, bool *nulls)
{
	for (int i = 0; i < rc->ncols; i++)
	{
		RfColMap   *cm = &rc->cols[i];
		const RfJsonSpan *sp = &page->span[cm->want_idx];
		int			att = cm->attnum - 1;
		json_object *v;

		ec->cm = cm;
		ec->value = NULL;
		nulls[att] = true;
		if (sp->len == 0)
			continue;			/* no such member */
		if (rf_conv_span(ec, page->jp.buf + sp->off, sp->len, &values[att], &nulls[att]))
			continue;
		nulls[att] = true;
		v = rf_json_span_value(&page->jp, sp);
		if (v == NULL || json_object_is_type(v, json_type_null))
			continue;
		values[att] = rf_conv_json(ec, v);
		nulls[att] = false;
	}
}

/*
 * Fill values/nulls for the mapped columns of one row.  Columns that are
 * not mapped keep whatever the caller set (NULL).
 */
void
rf_page_row(RfPage *page, int rowno, RfRowContext *rc, Datum *values,
			bool *nulls)
{
	json_object *row;
	RfRowRef   *ref = NULL;
	RfConvErrorContext ec;
	ErrorContextCallback errcb;

	want_columns(page, rc);

	ec.rc = rc;
	ec.cm = NULL;
	ec.value = NULL;
	errcb.callback = rf_conv_error_callback;
	errcb.arg = &ec;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (page->spans && rf_json_page_spans(&page->jp, rowno, page->span))
	{
		span_row(page, rc, &ec, values, nulls);
		error_context_stack = errcb.previous;
		return;
	}
	row = rf_json_page_row(&page->jp, rowno, &ref);

	for (int i = 0; i < rc->ncols; i++)
	{
		RfColMap   *cm = &rc->cols[i];
		json_object *v;
		int			att = cm->attnum - 1;

		if (cm->is_local)
		{
			const char *date = part_text(page, ref, row, &cm->sub[0], rc);
			const char *time = part_text(page, ref, row, &cm->sub[1], rc);
			const char *zone = part_text(page, ref, row, &cm->sub[2], rc);
			char	   *text;

			ec.cm = cm;
			ec.value = NULL;
			for (int p = 0; p < 3; p++)
			{
				const char *part = (p == 0 ? date : p == 1 ? time : zone);

				if (part)
					rf_conv_verify_utf8(&ec, part, strlen(part));
			}
			text = date ? local_time_text(date, time, zone, cm->local_end) : NULL;

			nulls[att] = (date == NULL);
			if (date)
			{
				ec.cm = cm;
				ec.value = text ? text : date;
				values[att] = rf_conv_input(&ec, text ? text : pstrdup(date));
			}
			continue;
		}
		if (cm->zclock)
		{
			const char *time = part_text(page, ref, row, &cm->sub[0], rc);

			nulls[att] = (time == NULL);
			if (time)
			{
				const char *loc = part_text(page, ref, row, &cm->sub[1], rc);

				ec.cm = cm;
				ec.value = NULL;
				rf_conv_verify_utf8(&ec, time, strlen(time));
				if (loc)
					rf_conv_verify_utf8(&ec, loc, strlen(loc));
				ec.value = zclock_text(rc, time, loc);
				values[att] = rf_conv_input(&ec, pstrdup(ec.value));
			}
			continue;
		}
		if (cm->oneof)
		{
			const char *found = oneof_text(page, ref, row, cm, rc);

			nulls[att] = (found == NULL);
			if (found)
				values[att] = rf_conv_string(&ec, cm, found);
			continue;
		}
		if (rf_json_ref_is_plain(cm->ref))
			v = rf_json_ref_field(row, cm->ref);
		else
		{
			const char *str;

			v = resolve_ref(page, ref, row, cm->ref, rc, &str);
			if (str || cm->ref->const_name || cm->ref->is_key || cm->ref->is_index)
			{
				nulls[att] = (str == NULL);
				if (str)
					values[att] = rf_conv_string(&ec, cm, str);
				continue;
			}
		}

		if (v == NULL || json_object_is_type(v, json_type_null))
		{
			nulls[att] = true;
			continue;
		}
		ec.cm = cm;
		ec.value = NULL;
		values[att] = rf_conv_json(&ec, v);
		nulls[att] = false;
	}

	error_context_stack = errcb.previous;
}

/*
 * A series may keep only the rows whose value at keep_path (a string, such
 * as a period's start date) lies in [keep_lo, keep_hi): requests widened
 * past their share of a range must not return the periods that belong to
 * a neighbouring series, nor the cut periods at their own edges.
 */
bool
rf_page_row_kept(RfPage *page, int rowno, const RfSeries *series)
{
	json_object *row;
	RfRowRef   *ref = NULL;
	const char *str = NULL;
	json_object *v;

	if (series->keep_path == NULL)
		return true;
	if (series->keep_ref == NULL)
	{
		/* parsed once, in the memory the series lives in */
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext((void *) series));
		RfJsonRef  *r = palloc0(sizeof(RfJsonRef));

		rf_json_ref_parse(r, series->keep_path);
		((RfSeries *) series)->keep_ref = r;
		MemoryContextSwitchTo(old);
	}
	if (page->jp.buf && page->want_rc != NULL)
	{
		/* every member: the keep filter's and, next, the columns' */
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(page));

		rf_json_page_want(&page->jp, NULL, -1);
		MemoryContextSwitchTo(old);
		page->want_rc = NULL;
	}
	row = rf_json_page_row(&page->jp, rowno, &ref);
	v = rf_json_ref_resolve(&page->jp, ref, row, series->keep_ref, &str);
	if (str == NULL && v != NULL && json_object_is_type(v, json_type_string))
		str = json_object_get_string(v);
	if (str == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("a row of %s %s has no string at \"%s\"",
						page->jp.vendor, page->jp.endpoint, series->keep_path),
				 errdetail("The period a row belongs to is read from that field."),
				 errhint("The vendor's answer does not have the documented shape.")));
	return (series->keep_lo == NULL || strcmp(str, series->keep_lo) >= 0) &&
		(series->keep_hi == NULL || strcmp(str, series->keep_hi) < 0);
}

/* ----------------------------------------------------------------
 *		Per-query answer cache
 *
 * Scans of one query that ask for the same URL with the same user mapping
 * (a visit and its children, say) share one answer: the parsed document
 * is kept, with a reference, until the query's memory goes away.
 * ----------------------------------------------------------------
 */

typedef struct RfCacheEntry
{
	char	   *key;
	json_object *doc;			/* NULL: the vendor answered 404 */
} RfCacheEntry;

/*
 * The entries live in the query's context itself (not in a child): its
 * reset callback runs after the children are gone but before its own
 * memory is, so it can still drop the references it holds.
 */
typedef struct RfCache
{
	void	   *owner;
	MemoryContext cxt;
	List	   *entries;		/* RfCacheEntry * */
	MemoryContextCallback cb;
	struct RfCache *next;
} RfCache;

static RfCache *rf_caches = NULL;

static void
cache_release(void *arg)
{
	RfCache    *c = arg;
	ListCell   *lc;
	RfCache   **pp;

	foreach(lc, c->entries)
	{
		RfCacheEntry *e = lfirst(lc);

		if (e->doc)
			json_object_put(e->doc);
		e->doc = NULL;
	}
	c->entries = NIL;
	for (pp = &rf_caches; *pp; pp = &(*pp)->next)
	{
		if (*pp == c)
		{
			*pp = c->next;
			break;
		}
	}
}

static RfCache *
cache_for(void *owner, MemoryContext cxt)
{
	RfCache    *c;

	for (c = rf_caches; c; c = c->next)
		if (c->owner == owner)
			return c;
	if (cxt == NULL)
		return NULL;
	c = MemoryContextAllocZero(cxt, sizeof(RfCache));
	c->owner = owner;
	c->cxt = cxt;
	c->cb.func = cache_release;
	c->cb.arg = c;
	MemoryContextRegisterResetCallback(cxt, &c->cb);
	c->next = rf_caches;
	rf_caches = c;
	return c;
}

static RfCacheEntry *
cache_find(RfCache *c, const char *key)
{
	ListCell   *lc;

	foreach(lc, c->entries)
	{
		RfCacheEntry *e = lfirst(lc);

		if (strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

/* A page made from a cached answer, or NULL when there is none */
RfPage *
rf_cache_lookup(void *owner, Oid umid, const char *url, const RfEndpoint *ep,
				const char *vendor)
{
	RfCache    *c = cache_for(owner, NULL);
	RfCacheEntry *e;
	RfPage	   *page;
	RfRowsSpec	spec;

	if (c == NULL)
		return NULL;
	e = cache_find(c, psprintf("%u %s", umid, url));
	if (e == NULL)
		return NULL;
	page = page_create(CurrentMemoryContext, vendor, ep->path);
	page->jp.doc = e->doc ? json_object_get(e->doc) : NULL;
	spec = rows_spec(ep, vendor);
	rf_json_page_rows(&page->jp, &spec);
	return page;
}

/* Keep a page's answer for the rest of the query (cxt: the query's memory) */
void
rf_cache_store(void *owner, MemoryContext cxt, Oid umid, const char *url,
			   RfPage *page)
{
	RfCache    *c = cache_for(owner, cxt);
	char	   *key = psprintf("%u %s", umid, url);
	MemoryContext old;
	RfCacheEntry *e;

	if (cache_find(c, key))
		return;
	old = MemoryContextSwitchTo(c->cxt);
	e = palloc(sizeof(RfCacheEntry));
	e->key = pstrdup(key);
	e->doc = page->jp.doc ? json_object_get(page->jp.doc) : NULL;
	c->entries = lappend(c->entries, e);
	MemoryContextSwitchTo(old);
}
