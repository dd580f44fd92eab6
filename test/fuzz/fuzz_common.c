/*-------------------------------------------------------------------------
 *
 * fuzz_common.c
 *		  Standalone hooks for fdw/jsonpage.c and the shared fuzz driver.
 *
 * The vendor targets take what they read from the extension's own
 * descriptors (each vendor module's fdw/vendors/<vendor>/<vendor>.c, with
 * fdw/vendors/registry.c and fdw/vendor.c, which need no PostgreSQL and
 * are built here with RF_STANDALONE): no copy to fall out of date.
 *
 * The hooks of rf_port.h, as a memory context and ereport would behave:
 * every allocation of one input is kept on a list and freed when the
 * input is done, and an error jumps back to the driver, which then
 * releases the json-c objects as the extension's reset callbacks do.  A
 * leak left after that is a leak of the code under test.
 *
 *-------------------------------------------------------------------------
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

/* ----------------------------------------------------------------
 *		Allocation: a list of chunks freed after each input
 * ----------------------------------------------------------------
 */

typedef struct Chunk
{
	struct Chunk *prev;
	struct Chunk *next;
} Chunk;						/* 16 bytes: what follows stays aligned */

static Chunk arena = {&arena, &arena};

/*
 * The headers are poisoned while the code under test runs, so that a read
 * just before an allocation is reported as palloc's own header would not be.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define HIDE(c) do { if ((c) != &arena) ASAN_POISON_MEMORY_REGION((c), sizeof(Chunk)); } while (0)
#define SHOW(c) ASAN_UNPOISON_MEMORY_REGION((c), sizeof(Chunk))
#endif
#endif
#ifndef HIDE
#define HIDE(c) ((void) (c))
#define SHOW(c) ((void) (c))
#endif

static void *
chunk_link(Chunk *c)
{
	Chunk	   *first;

	if (c == NULL)
		abort();				/* palloc would raise "out of memory" */
	first = arena.next;
	SHOW(first);
	c->prev = &arena;
	c->next = first;
	first->prev = c;
	arena.next = c;
	HIDE(first);
	HIDE(c);
	return c + 1;
}

/* Take a chunk off the list; its header stays visible */
static void
chunk_unlink(Chunk *c)
{
	Chunk	   *prev;
	Chunk	   *next;

	SHOW(c);
	prev = c->prev;
	next = c->next;
	SHOW(prev);
	SHOW(next);
	prev->next = next;
	next->prev = prev;
	HIDE(prev);
	HIDE(next);
}

void *
rf_port_alloc(size_t size)
{
	return chunk_link(malloc(sizeof(Chunk) + size));
}

void *
rf_port_alloc0(size_t size)
{
	return chunk_link(calloc(1, sizeof(Chunk) + size));
}

void *
rf_port_realloc(void *ptr, size_t size)
{
	Chunk	   *c = (Chunk *) ptr - 1;

	chunk_unlink(c);
	return chunk_link(realloc(c, sizeof(Chunk) + size));
}

void
rf_port_free(void *ptr)
{
	Chunk	   *c = (Chunk *) ptr - 1;

	chunk_unlink(c);
	free(c);
}

char *
rf_port_strdup(const char *s)
{
	return rf_port_strndup(s, strlen(s));
}

char *
rf_port_strndup(const char *s, size_t len)
{
	char	   *d;

	len = strnlen(s, len);
	d = rf_port_alloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *
rf_port_printf(const char *fmt,...)
{
	va_list		args;
	int			len;
	char	   *s;

	va_start(args, fmt);
	len = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (len < 0)
		abort();
	s = rf_port_alloc(len + 1);
	va_start(args, fmt);
	vsnprintf(s, len + 1, fmt, args);
	va_end(args);
	return s;
}

static void
arena_reset(void)
{
	while (arena.next != &arena)
	{
		Chunk	   *c = arena.next;

		chunk_unlink(c);
		free(c);
	}
}

/* ----------------------------------------------------------------
 *		Errors: jump back to the driver
 * ----------------------------------------------------------------
 */

static jmp_buf *error_jump = NULL;
static char error_message[512];

static void raise_error(void) RF_PORT_NORETURN;

static void
raise_error(void)
{
	if (error_jump == NULL)
		abort();				/* an error where the extension allows none */
	longjmp(*error_jump, 1);
}

void
rf_port_shape_error(const char *vendor, const char *endpoint,
					const char *what, struct json_object *found)
{
	/* what the extension's message shows: an excerpt of the value */
	snprintf(error_message, sizeof(error_message),
			 "unexpected response shape from %s: %s (endpoint %s, found %.64s)",
			 vendor, what, endpoint,
			 found ? json_object_to_json_string_ext(found, JSON_C_TO_STRING_PLAIN) :
			 "nothing");
	raise_error();
}

void
rf_port_ok_error(const char *vendor, const char *endpoint,
				 const char *ok_field, const char *name, const char *reason)
{
	snprintf(error_message, sizeof(error_message),
			 "%s answered \"%s\": false%s%s: %s (endpoint %s)",
			 vendor, ok_field, name ? " for " : "", name ? name : "",
			 reason ? reason : "no reason given", endpoint);
	raise_error();
}

/* ----------------------------------------------------------------
 *		The driver
 * ----------------------------------------------------------------
 */

static volatile size_t fuzz_sink;	/* keeps reads from being optimized out */

/* Read a value as jsondatum.c's conversions do (without making Datums) */
static void
touch_value(json_object *v)
{
	const char *s;

	if (v == NULL)
		return;
	switch (json_object_get_type(v))
	{
		case json_type_string:
			s = json_object_get_string(v);
			fuzz_sink += (memchr(s, '\0', json_object_get_string_len(v)) != NULL);
			fuzz_sink += strtoll(s, NULL, 10);
			break;
		case json_type_int:
			fuzz_sink += json_object_get_int64(v);
			fuzz_sink += json_object_get_uint64(v);
			break;
		case json_type_double:
			fuzz_sink += (size_t) (json_object_get_double(v) != 0.0);
			break;
		case json_type_boolean:
			fuzz_sink += json_object_get_boolean(v);
			break;
		case json_type_array:
			for (size_t i = 0; i < json_object_array_length(v); i++)
			{
				json_object *e = json_object_array_get_idx(v, i);

				if (e && json_object_is_type(e, json_type_string))
					fuzz_sink += json_object_get_string_len(e);
				else if (e)
					fuzz_sink += strlen(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN |
																	   JSON_C_TO_STRING_NOSLASHESCAPE));
			}
			break;
		default:
			break;
	}
	fuzz_sink += strlen(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
													   JSON_C_TO_STRING_NOSLASHESCAPE));
}

/*
 * A column: one reference, the three parts of "localtime:", the two of
 * "zclock:", or the references of "oneof:"
 */
#define FUZZ_MAX_PARTS 4

typedef struct FuzzCol
{
	RfJsonRef	ref[FUZZ_MAX_PARTS];
	int			nref;
	bool		local;
} FuzzCol;

static void
parse_col(FuzzCol *col, const char *path)
{
	memset(col, 0, sizeof(FuzzCol));
	if (strncmp(path, "localtime:", 10) == 0)
	{
		char	   *spec = rf_port_strdup(path + 10);
		char	   *part;
		char	   *save;

		col->local = true;
		for (part = strtok_r(spec, ";", &save); part && col->nref < 3;
			 part = strtok_r(NULL, ";", &save))
		{
			if (strcmp(part, "end") == 0)
				continue;
			rf_json_ref_parse(&col->ref[col->nref++],
							  strcmp(part, "-") == 0 ? "" : part);
		}
		return;
	}
	if (strncmp(path, "zclock:", 7) == 0)
	{
		/* the time, then the location whose zone reads it */
		char	   *spec = rf_port_strdup(path + 7);
		char	   *save;
		char	   *part;

		for (part = strtok_r(spec, ";", &save); part && col->nref < 2;
			 part = strtok_r(NULL, ";", &save))
			rf_json_ref_parse(&col->ref[col->nref++], part);
		return;
	}
	if (strncmp(path, "oneof:", 6) == 0)
	{
		/* the constants' name, then the references json.c tries */
		char	   *spec = rf_port_strdup(path + 6);
		char	   *save;
		char	   *part = strtok_r(spec, ";", &save);

		for (part = part ? strtok_r(NULL, ";", &save) : NULL;
			 part && col->nref < FUZZ_MAX_PARTS;
			 part = strtok_r(NULL, ";", &save))
			rf_json_ref_parse(&col->ref[col->nref++], part);
		return;
	}
	rf_json_ref_parse(&col->ref[0], path);
	col->nref = 1;
}

/* One column of one row, as rf_page_row reads it */
static void
read_col(RfJsonPage *page, RfRowRef *ref, json_object *row, FuzzCol *col)
{
	for (int i = 0; i < col->nref; i++)
	{
		RfJsonRef  *r = &col->ref[i];
		const char *str = NULL;
		json_object *v;

		if (r->const_name)
			continue;			/* a request constant: not in the answer */
		if (rf_json_ref_is_plain(r))
			v = rf_json_ref_field(row, r);
		else
			v = rf_json_ref_resolve(page, ref, row, r, &str);
		if (str)
			fuzz_sink += strlen(str);
		if (col->local)
		{
			/* parts are strings (part_text) */
			if (v && json_object_is_type(v, json_type_string))
				fuzz_sink += strlen(json_object_get_string(v));
		}
		else
			touch_value(v);
	}
}

/* The answer as one endpoint's page: rows, page fields, every column */
static void
run_page(json_object *doc, const RfRowsSpec *spec, const char *object_path,
		 const FuzzStyle *style, FuzzCol *cols, int ncols)
{
	jmp_buf		jump;

	/* in memory that the jumps leave alone, like the extension's palloc */
	RfJsonPage *page = rf_port_alloc(sizeof(RfJsonPage));

	rf_json_page_init(page, doc ? json_object_get(doc) : NULL,
					  "fuzzvendor", spec ? (spec->rows_path ? spec->rows_path : "(body)") :
					  object_path);
	error_jump = &jump;
	if (setjmp(jump) == 0)
	{
		if (spec)
			rf_json_page_rows(page, spec);
		else
			rf_json_page_object(page, *object_path ? object_path : NULL);
		for (int rowno = 0; rowno < page->nrows; rowno++)
		{
			RfRowRef   *ref;
			json_object *row = rf_json_page_row(page, rowno, &ref);

			for (int c = 0; c < ncols; c++)
				read_col(page, ref, row, &cols[c]);
		}
	}
	/* each page field on its own: an error in one leaves the others */
	for (int f = 0; f < style->nfields; f++)
	{
		if (setjmp(jump) == 0)
		{
			int64_t		n;

			if (rf_json_page_int(page, style->fields[f], &n))
				fuzz_sink += (size_t) n;
		}
		if (setjmp(jump) == 0)
		{
			char	   *s = rf_json_page_string(page, style->fields[f]);

			if (s)
				fuzz_sink += strlen(s);
		}
	}
	error_jump = NULL;
	rf_json_page_release(page);
}

static uint32_t
hash_input(const uint8_t *data, size_t size)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return h;
}

/*
 * Feed the body as libcurl would: in chunks whose sizes depend on the
 * input (so the same input always splits the same way), sometimes after a
 * failed first attempt (a retry resets the stream).
 */
static void
feed(RfJsonStream *js, const uint8_t *data, size_t size)
{
	uint32_t	h = hash_input(data, size);
	size_t		off = 0;

	if ((h & 7) == 1 && size > 1)
	{
		(void) rf_json_stream_feed(js, (const char *) data, size / 2);
		rf_json_stream_reset(js);
	}
	if ((h & 3) == 0)
	{
		(void) rf_json_stream_feed(js, (const char *) data, size);
		return;
	}
	while (off < size)
	{
		size_t		n;

		h = h * 1103515245u + 12345u;
		n = 1 + (h >> 16) % (1u << (h % 11));
		if (n > size - off)
			n = size - off;
		if (!rf_json_stream_feed(js, (const char *) data + off, n))
			return;				/* the transfer is aborted */
		off += n;
	}
}

/*
 * Where rf_json_page_spans reads a raw row, each wanted member's span must
 * hold the whole tree's value of that member (the first of equal keys is
 * the one a span is found for), and a member the row lacks no span.
 */
static void
compare_spans(RfJsonPage *raw, int rowno, json_object *wrow, const char **keys,
			  int nkeys, jmp_buf *jump)
{
	RfJsonSpan *spans = rf_port_alloc(sizeof(RfJsonSpan) * (nkeys + 1));

	if (setjmp(*jump) != 0)
		abort();				/* a span found could not be read */
	if (!rf_json_page_spans(raw, rowno, spans))
		return;
	for (int k = 0; k < nkeys; k++)
	{
		json_object *b = NULL;
		bool		inb = json_object_object_get_ex(wrow, keys[k], &b);
		bool		first = true;

		for (int j = 0; j < k; j++)
			first = first && strcmp(keys[j], keys[k]) != 0;
		if (!first)
			continue;
		if ((spans[k].len != 0) != inb)
			abort();			/* a span where the row has no member, or none */
		if (inb && !json_object_equal(rf_json_span_value(raw, &spans[k]), b))
			abort();			/* a member read from its span differs */
	}
}

/* Does raw row rowno's text hold a backslash (an escape, maybe in a key)? */
static bool
raw_row_has_escape(const RfJsonPage *raw, int rowno)
{
	uint32_t	from = rowno == 0 ? raw->open : raw->ends[rowno - 1];
	uint32_t	to = raw->ends[rowno];

	return raw->buf != NULL && to > from &&
		memchr(raw->buf + from, '\\', to - from) != NULL;
}

/*
 * A body kept raw must give the same pages read row by row as parsed
 * whole: the same error or none, the same number of rows, equal rows.
 * Its columns are read too, as rf_page_row reads them.  ref_doc is the
 * body parsed whole; the page borrows the stream's bytes.
 */
static void
compare_raw_page(RfJsonStream *js, json_object *ref_doc, const RfRowsSpec *spec,
				 FuzzCol *cols, int ncols)
{
	jmp_buf		jump;
	RfJsonPage *raw = rf_port_alloc(sizeof(RfJsonPage));
	RfJsonPage *whole = rf_port_alloc(sizeof(RfJsonPage));
	volatile bool raw_failed = false;
	volatile bool whole_failed = false;
	volatile bool lazy = false;

	rf_json_page_init(raw, NULL, "fuzzvendor", "raw");
	rf_json_page_init(whole, json_object_get(ref_doc), "fuzzvendor", "whole");
	error_jump = &jump;
	if (setjmp(jump) == 0)
		lazy = rf_json_page_lazy(raw, js, spec, true);
	else
	{
		lazy = true;
		raw_failed = true;
	}
	if (lazy)
	{
		if (setjmp(jump) == 0)
			rf_json_page_rows(whole, spec);
		else
			whole_failed = true;
		if (raw_failed != whole_failed)
			abort();			/* one fails where the other does not */
		if (!raw_failed && raw->nrows != whole->nrows)
			abort();
		/* pass 0: whole rows; pass 1: only the members the columns read */
		const char **keys = rf_port_alloc(sizeof(char *) * (2 * FUZZ_MAX_PARTS * ncols + 1));
		int			nkeys = 0;
		bool		all = false;

		for (int c = 0; c < ncols; c++)
			for (int p = 0; p < cols[c].nref; p++)
				rf_json_ref_keys(&cols[c].ref[p], keys, &nkeys, &all);
		for (int pass = 0; pass < 2; pass++)
		{
		if (pass == 1)
			rf_json_page_want(raw, keys, all ? -1 : nkeys);
		for (int rowno = 0; !raw_failed && rowno < raw->nrows; rowno++)
		{
			volatile bool rf = false;
			volatile bool wf = false;
			json_object *volatile rrow = NULL;
			json_object *volatile wrow = NULL;
			RfRowRef   *ref;

			if (setjmp(jump) == 0)
				rrow = rf_json_page_row(raw, rowno, &ref);
			else
				rf = true;
			if (setjmp(jump) == 0)
				wrow = rf_json_page_row(whole, rowno, &ref);
			else
				wf = true;
			if (rf != wf)
				abort();		/* a row read raw fails where the whole tree's does not */
			if (!rf && (pass == 0 || all) && !json_object_equal(rrow, wrow))
				abort();		/* a row read raw differs from the whole tree's */
			if (!rf && pass == 1 && !all)
			{
				/*
				 * Members nobody reads were parsed: allowed only where the
				 * row is read whole by design (an escaped key, which might
				 * be a wanted one once unescaped, or too many members).
				 */
				if (json_object_object_length(rrow) > nkeys &&
					!(json_object_object_length(rrow) == json_object_object_length(wrow) &&
					  (raw_row_has_escape(raw, rowno) ||
					   json_object_object_length(wrow) > 64)))
					abort();
				for (int k = 0; k < nkeys; k++)
				{
					json_object *a = NULL;
					json_object *b = NULL;
					bool		ina = json_object_object_get_ex(rrow, keys[k], &a);
					bool		inb = json_object_object_get_ex(wrow, keys[k], &b);

					if (ina != inb || !json_object_equal(a, b))
						abort();	/* a member read alone differs */
				}
				compare_spans(raw, rowno, wrow, keys, nkeys, &jump);
			}
			if (rf)
				continue;
			if (setjmp(jump) == 0)
			{
				for (int c = 0; c < ncols; c++)
					read_col(raw, NULL, rrow, &cols[c]);
			}
		}
		}
	}
	error_jump = NULL;
	rf_json_page_release(raw);
	rf_json_page_release(whole);
}

/* A verdict that does not fit its body: refused, and nothing taken */
static void
refuse_verdict(const RfJsonVerdict *v, size_t vlen, const char *body,
			   size_t len)
{
	RfJsonStream js2;
	char	   *copy = rf_port_alloc(len + 1);

	memcpy(copy, body, len);
	copy[len] = '\0';
	if (!rf_json_stream_init(&js2))
		abort();
	if (rf_json_stream_adopt(&js2, copy, len, v, vlen))
		abort();				/* a verdict that does not fit was taken */
	if (js2.buf != NULL || js2.len != 0 || js2.marks != NULL)
		abort();
	rf_json_stream_release(&js2);
	rf_port_free(copy);
}

/*
 * The response cache keeps a raw body with the stream's verdict on it and
 * replays it without scanning it again (rf_json_stream_adopt).  A stream
 * that adopts the body as received must hold what the scan held -- the
 * same bytes, the same marks -- and give the same pages as the whole
 * parse, read raw (borrowed, and owned as the extension's pages own it)
 * and parsed whole; positions off by one byte fail here.  Verdicts that
 * do not fit the body (out of order, outside it, off the structure, the
 * wrong length) are refused.
 */
static void
compare_replay(RfJsonStream *js, const uint8_t *data, size_t size,
			   json_object *ref_doc, const FuzzStyle *style, FuzzCol *cols)
{
	size_t		vlen = 0;
	RfJsonVerdict *v = rf_json_stream_verdict(js, (const char *) data, size,
											  &vlen);
	RfJsonVerdict *bad;
	uint32_t   *bm;
	RfJsonStream js2;
	char	   *copy;
	json_object *doc2;

	if (v == NULL)
	{
		/* none only for bytes the scan changed (a big integer's mark) */
		if (js->len == size && size > 0 && memcmp(js->buf, data, size) == 0 &&
			rf_json_stream_raw_whole(js) && js->nmarks >= 1)
			abort();
		return;
	}
	if (vlen != sizeof(RfJsonVerdict) + sizeof(uint32_t) * (size_t) js->nmarks)
		abort();

	/* verdicts that do not fit */
	bad = rf_port_alloc(vlen);
	bm = (uint32_t *) ((char *) bad + sizeof(RfJsonVerdict));
	memcpy(bad, v, vlen);
	bad->len = size + 1;
	refuse_verdict(bad, vlen, (const char *) data, size);
	memcpy(bad, v, vlen);
	refuse_verdict(bad, vlen - 1, (const char *) data, size);
	bad->magic ^= 1;
	refuse_verdict(bad, vlen, (const char *) data, size);
	memcpy(bad, v, vlen);
	bm[bad->nmarks - 1] = (uint32_t) size;
	refuse_verdict(bad, vlen, (const char *) data, size);
	if (bad->nmarks >= 2)
	{
		memcpy(bad, v, vlen);
		bm[0] = bm[1];
		bm[1] = ((uint32_t *) ((char *) v + sizeof(RfJsonVerdict)))[0];
		refuse_verdict(bad, vlen, (const char *) data, size);
	}
	for (size_t p = 0; p < size; p++)
	{
		int64_t		k = (int64_t) (hash_input(data, size) % (uint32_t) v->nmarks);

		if (strchr("{}[],\"", data[p]) != NULL && data[p] != '\0')
			continue;
		memcpy(bad, v, vlen);
		bm[k] = (uint32_t) p;
		refuse_verdict(bad, vlen, (const char *) data, size);
		break;
	}
	rf_port_free(bad);

	/* the replay */
	copy = rf_port_alloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (!rf_json_stream_init(&js2))
		abort();
	if (!rf_json_stream_adopt(&js2, copy, size, v, vlen))
		abort();				/* the scan's own verdict on its own bytes */
	if (js2.len != js->len || memcmp(js2.buf, js->buf, js->len) != 0 ||
		js2.nmarks != js->nmarks ||
		memcmp(js2.marks, js->marks, sizeof(uint32_t) * (size_t) js->nmarks) != 0 ||
		!rf_json_stream_raw_whole(&js2) || !rf_json_stream_complete(&js2))
		abort();
	for (int i = 0; i < style->nspecs; i++)
		compare_raw_page(&js2, ref_doc, &style->specs[i], cols, style->nrefs);
	for (int i = 0; i < style->nspecs; i++)
	{
		jmp_buf		jump;
		RfJsonPage *page = rf_port_alloc(sizeof(RfJsonPage));

		/* a page that owns the adopted bytes frees them with the hook */
		rf_json_page_init(page, NULL, "fuzzvendor", "replay");
		error_jump = &jump;
		if (setjmp(jump) == 0)
			(void) rf_json_page_lazy(page, &js2, &style->specs[i], false);
		error_jump = NULL;
		if (js2.buf == NULL)
		{
			/* taken (a shape error may come after that) */
			if (page->buf != copy || !page->buf_ported)
				abort();
			rf_json_page_release(page);
			copy = NULL;
			break;
		}
		rf_json_page_release(page);
	}
	if (copy != NULL)
	{
		/* still the stream's: parsed whole as json-c would, then freed */
		doc2 = rf_json_stream_take(&js2);
		if (doc2 == NULL || !json_object_equal(doc2, ref_doc))
			abort();
		json_object_put(doc2);
	}
	rf_json_stream_release(&js2);
	free(v);
}

static void
run_doc(const FuzzStyle *style, const uint8_t *data, size_t size)
{
	RfJsonStream js;
	json_object *doc;
	bool		complete;
	FuzzCol    *cols;

	if (!rf_json_stream_init(&js))
		abort();
	feed(&js, data, size);
	complete = rf_json_stream_complete(&js);
	if (complete && js.raw)
	{
		/* the body parsed whole, as rf_json_stream_take would */
		json_tokener *tok = json_tokener_new_ex(RF_JSON_MAX_DEPTH);
		json_object *ref_doc = json_tokener_parse_ex(tok, js.buf, (int) js.len);

		json_tokener_free(tok);
		if (ref_doc == NULL)
			abort();			/* a body the syntax check passed that json-c refuses */
		cols = rf_port_alloc(sizeof(FuzzCol) * (style->nrefs > 0 ? style->nrefs : 1));
		for (int c = 0; c < style->nrefs; c++)
			parse_col(&cols[c], style->refs[c]);
		for (int i = 0; i < style->nspecs; i++)
			compare_raw_page(&js, ref_doc, &style->specs[i], cols, style->nrefs);
		compare_replay(&js, data, size, ref_doc, style, cols);
		json_object_put(ref_doc);
	}
	doc = rf_json_stream_take(&js);
	rf_json_stream_release(&js);
	if (!complete)
	{
		/* the extension raises an error and frees what was parsed */
		if (doc)
			json_object_put(doc);
		return;
	}

	cols = rf_port_alloc(sizeof(FuzzCol) * (style->nrefs > 0 ? style->nrefs : 1));
	for (int c = 0; c < style->nrefs; c++)
		parse_col(&cols[c], style->refs[c]);
	for (int i = 0; i < style->nspecs; i++)
		run_page(doc, &style->specs[i], NULL, style, cols, style->nrefs);
	for (int i = 0; i < style->nobjects; i++)
		run_page(doc, NULL, style->objects[i], style, cols, style->nrefs);
	json_object_put(doc);
}

int
fuzz_run(const FuzzStyle *style, const uint8_t *data, size_t size)
{
	run_doc(style, data, size);
	arena_reset();
	return 0;
}

/* ----------------------------------------------------------------
 *		Vendor styles, from the descriptors
 * ----------------------------------------------------------------
 */

/* Lists that live as long as the process (not in the per-input arena) */
typedef struct FuzzList
{
	const char **items;
	int			n;
	int			cap;
} FuzzList;

static void
list_add(FuzzList *l, const char *item)
{
	if (item == NULL)
		return;
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->items[i], item) == 0)
			return;
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = realloc(l->items, sizeof(char *) * l->cap);
		if (l->items == NULL)
			abort();
	}
	l->items[l->n++] = item;
}

static void
add_spec(RfRowsSpec **specs, int *nspecs, const RfVendor *v,
		 const RfEndpoint *ep, const char *rows_path)
{
	RfRowsSpec *s;

	for (int i = 0; i < *nspecs; i++)
	{
		s = &(*specs)[i];
		if (s->object_body == ep->object_body &&
			((s->rows_path == NULL && rows_path == NULL) ||
			 (s->rows_path && rows_path && strcmp(s->rows_path, rows_path) == 0)))
			return;
	}
	*specs = realloc(*specs, sizeof(RfRowsSpec) * (*nspecs + 1));
	if (*specs == NULL)
		abort();
	s = &(*specs)[(*nspecs)++];
	s->rows_path = rows_path;
	s->ok_field = rf_endpoint_ok_field(v, ep);
	s->error_field = rf_endpoint_error_field(v, ep);
	s->object_body = ep->object_body;
}

/* An endpoint's rows specs, page fields and column references */
static void
add_endpoint(FuzzStyle *style, RfRowsSpec **specs, FuzzList *fields,
			 FuzzList *refs, const RfVendor *v, const RfEndpoint *ep)
{
	add_spec(specs, &style->nspecs, v, ep, ep->rows_path);
	list_add(fields, ep->paging.count_path);
	list_add(fields, ep->paging.next_path);
	list_add(fields, ep->list_id_field);
	for (int c = 0; c < ep->ncolumns; c++)
		list_add(refs, ep->columns[c].json_path ? ep->columns[c].json_path :
				 ep->columns[c].name);
}

/*
 * The answer style of a vendor: every endpoint and lister, as the
 * extension reads them.  Built on first use and kept for the process.
 */
const FuzzStyle *
fuzz_vendor_style(const char *vendor, const FuzzRowsPath *more, int nmore)
{
	static FuzzStyle style;
	static bool built = false;
	const RfVendor *v;
	RfRowsSpec *specs = NULL;
	FuzzList	fields = {0};
	FuzzList	refs = {0};

	if (built)
		return &style;
	v = rf_vendor_lookup(vendor);
	if (v == NULL || v->nendpoints == 0)
		abort();
	for (int e = 0; e < v->nendpoints; e++)
	{
		const RfEndpoint *ep = &v->endpoints[e];

		add_endpoint(&style, &specs, &fields, &refs, v, ep);
		if (ep->lister)
			add_endpoint(&style, &specs, &fields, &refs, v, ep->lister);
		for (int m = 0; m < nmore; m++)
			if (strcmp(more[m].resource, ep->resource) == 0)
				add_spec(&specs, &style.nspecs, v, ep, more[m].rows_path);
	}
	style.specs = specs;
	style.fields = fields.items;
	style.nfields = fields.n;
	style.refs = refs.items;
	style.nrefs = refs.n;
	built = true;
	return &style;
}

/* The next line of the input (without its newline), or NULL at the end */
static char *
next_line(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t		len;
	char	   *line;

	if (nl == NULL)
		return NULL;
	len = nl - *data;
	line = rf_port_alloc(len + 1);
	memcpy(line, *data, len);
	line[len] = '\0';
	*data += len + 1;
	*size -= len + 1;
	return line;
}

/*
 * Input: a line "[!]rows_path" (! = an object body), then the references
 * separated by tabs on one line, then the body.  The references also serve
 * as page fields and object paths.
 */
int
fuzz_run_with_paths(const uint8_t *data, size_t size)
{
	char	   *rows_line = next_line(&data, &size);
	char	   *refs_line = rows_line ? next_line(&data, &size) : NULL;
	RfRowsSpec	spec;
	FuzzStyle	style;
	const char **refs;
	int			nrefs = 0;
	char	   *tok;
	char	   *save;

	if (refs_line == NULL)
	{
		arena_reset();
		return 0;
	}
	memset(&spec, 0, sizeof(spec));
	spec.ok_field = "ok";
	spec.error_field = "error";
	if (rows_line[0] == '!')
	{
		spec.object_body = true;
		rows_line++;
	}
	spec.rows_path = *rows_line ? rows_line : NULL;

	refs = rf_port_alloc(sizeof(char *) * (strlen(refs_line) + 1));
	for (tok = strtok_r(refs_line, "\t", &save); tok && nrefs < 16;
		 tok = strtok_r(NULL, "\t", &save))
		refs[nrefs++] = tok;

	memset(&style, 0, sizeof(style));
	style.specs = &spec;
	style.nspecs = 1;
	style.refs = (const char *const *) refs;
	style.nrefs = nrefs;
	style.fields = (const char *const *) refs;
	style.nfields = nrefs;
	style.objects = (const char *const *) refs;
	style.nobjects = nrefs < 2 ? nrefs : 2;
	return fuzz_run(&style, data, size);
}
