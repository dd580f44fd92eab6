/*-------------------------------------------------------------------------
 *
 * jsonpage.c
 *		  Response documents without PostgreSQL: pages, rows, references.
 *
 * Everything here depends on json-c and rf_port.h only, so the same code
 * runs in the extension (hooks in rf_port.c: palloc, ereport) and in the
 * fuzz targets of test/fuzz (malloc, longjmp).  See jsonpage.h; the body
 * stream that feeds a page is jsonstream.c's.
 *
 * json-c allocates with malloc: a stream owns its tokener and, until it is
 * taken, its document; a page owns one reference to its document.  The
 * embedding releases both when its memory goes away, so an error raised
 * through a hook still frees them.
 *
 * Row at a time.  Parsing a 10,000-row page into one json-c tree and then
 * freeing it costs more than reading its rows (a third of a scan's time
 * went to malloc and free).  So a body is kept as bytes while it arrives,
 * and a page with a flat rows path is parsed row by row when the scan
 * reaches it (rf_json_page_lazy, raw_row): one tokener, reset between
 * rows, each row's tree freed when the next is read, and of each row only
 * the members the query reads (sparse_row).
 *
 * A page must still never show a row before all of it is known to be
 * JSON.  json-c has no validating mode that builds nothing, and feeding it
 * the body just to check it would build the very tree we avoid; so the
 * stream checks RFC 8259 syntax itself, in the byte scan it already runs
 * (check_byte).  On the pages of test/bench that scan, with the
 * copy of the bytes, takes about a fifth of the time json-c needs to parse
 * them into a tree.  Whatever is not plain JSON -- a syntax error, or one
 * of json-c's own extensions (NaN, trailing commas) -- hands the bytes
 * to json-c as soon as it is seen, and json-c parses that body whole,
 * failing or accepting it exactly as it always did; so do bodies whose
 * rows are nested.  Three things json-c would
 * take are refused in either mode, by the light scan that runs before
 * json-c sees a byte: raw control characters in strings, leading zeros
 * (01, -01, 00.5) and keys containing \u0000 (json-c keeps a key up to
 * its first NUL, so "visit_id\u0000x" would override "visit_id"); and
 * so are json-c's single quotes and comments, inside which the scan could
 * not see those.
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpage.h"

/* ----------------------------------------------------------------
 *		Pages
 * ----------------------------------------------------------------
 */

void
rf_json_page_init(RfJsonPage *page, json_object *doc, const char *vendor,
				  const char *endpoint)
{
	memset(page, 0, sizeof(RfJsonPage));
	page->nwant = -1;
	page->doc = doc;
	page->vendor = vendor;
	page->endpoint = endpoint;
}

void
rf_json_page_release(RfJsonPage *page)
{
	if (page->doc)
		json_object_put(page->doc);
	page->doc = NULL;
	page->rows = NULL;
	page->nrows = 0;
	if (page->cur)
		json_object_put(page->cur);
	page->cur = NULL;
	if (page->spanval)
		json_object_put(page->spanval);
	page->spanval = NULL;
	if (page->tok)
		json_tokener_free(page->tok);
	page->tok = NULL;
	if (page->own_buf && page->buf_ported)
		rf_port_free(page->buf);
	else if (page->own_buf)
		free(page->buf);
	page->buf = NULL;
	page->own_buf = false;
	page->buf_ported = false;
	if (page->ends)
		rf_port_free(page->ends);
	page->ends = NULL;
	if (page->want)
		rf_port_free(page->want);
	if (page->want_len)
		rf_port_free(page->want_len);
	page->want = NULL;
	page->want_len = NULL;
	page->nwant = -1;
}

/* Follow a dotted path; NULL when a step is missing */
json_object *
rf_json_path_get(json_object *obj, const char *path)
{
	char	   *copy;
	char	   *tok;
	char	   *save;

	if (path == NULL || *path == '\0')
		return obj;
	copy = rf_port_strdup(path);
	for (tok = strtok_r(copy, ".", &save); tok && obj;
		 tok = strtok_r(NULL, ".", &save))
	{
		if (!json_object_is_type(obj, json_type_object) ||
			!json_object_object_get_ex(obj, tok, &obj))
			obj = NULL;
	}
	rf_port_free(copy);
	return obj;
}

static void shape_error(RfJsonPage *page, const char *what,
						json_object *found) RF_PORT_NORETURN;

static void
shape_error(RfJsonPage *page, const char *what, json_object *found)
{
	rf_port_shape_error(page->vendor, page->endpoint, what, found);
}

/* A page of the one row "obj" */
static void
single_row(RfJsonPage *page, json_object *obj)
{
	page->refs = rf_port_alloc(sizeof(RfRowRef));
	page->refs[0].objs = rf_port_alloc(sizeof(json_object *));
	page->refs[0].keys = rf_port_alloc0(sizeof(char *));
	page->refs[0].idx = rf_port_alloc0(sizeof(int));
	page->refs[0].objs[0] = obj;
	page->nrows = 1;
}

/*
 * A page of one row: the object at path (the whole body when NULL), as
 * write endpoints answer.  A body that is no such object is a shape error.
 */
void
rf_json_page_object(RfJsonPage *page, const char *path)
{
	json_object *obj;

	page->depth = 1;
	if (page->doc == NULL)
		return;
	obj = rf_json_path_get(page->doc, path);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		shape_error(page, path ? rf_port_printf("\"%s\" is not an object", path) :
					"the body is not an object", obj ? obj : page->doc);
	single_row(page, obj);
}

/* ----------------------------------------------------------------
 *		Nested rows
 *
 * A rows_path such as "nodes[][]" (arrays in arrays), "result.*.*" (the
 * members of objects of objects) or "metrics[].data[]" yields one row per
 * innermost element.  Columns reach outer levels with a leading '^' per
 * level, the member key of an object level with "$key" and the position
 * (from 0) of an element in its array or object with "$index".
 * ----------------------------------------------------------------
 */

typedef struct RowStep
{
	char	   *name;			/* object member to enter first, or NULL */
	bool		iterate;		/* then iterate (array elements / members) */
} RowStep;

typedef struct RowWalk
{
	RfJsonPage *page;
	const RfRowsSpec *spec;
	RowStep    *steps;
	int			nsteps;
	int			depth;			/* iterating steps */
	json_object **objs;			/* current element per level */
	const char **keys;
	int		   *idx;
	int			allocated;
} RowWalk;

static void
add_nested_row(RowWalk *w)
{
	RfJsonPage *page = w->page;
	RfRowRef   *ref;

	if (page->nrows >= w->allocated)
	{
		w->allocated = w->allocated < 32 ? 64 : w->allocated * 2;
		page->refs = page->refs ?
			rf_port_realloc(page->refs, sizeof(RfRowRef) * w->allocated) :
			rf_port_alloc(sizeof(RfRowRef) * w->allocated);
	}
	ref = &page->refs[page->nrows++];
	/* one block a row: the elements, the keys, the positions */
	ref->objs = rf_port_alloc((sizeof(json_object *) + sizeof(char *) + sizeof(int)) *
							  w->depth);
	ref->keys = (const char **) (ref->objs + w->depth);
	ref->idx = (int *) (ref->keys + w->depth);
	memcpy(ref->objs, w->objs, sizeof(json_object *) * w->depth);
	memcpy(ref->keys, w->keys, sizeof(char *) * w->depth);
	memcpy(ref->idx, w->idx, sizeof(int) * w->depth);
}

/*
 * Vendors that flag failures inside a 200 answer ({"ok": false, "error":
 * ...} at any level) get an error naming the reason, never a partial result.
 */
static void
check_ok(RfJsonPage *page, const RfRowsSpec *spec, json_object *obj)
{
	json_object *ok;
	json_object *why = NULL;
	json_object *name = NULL;

	if (spec->ok_field == NULL || !json_object_is_type(obj, json_type_object) ||
		!json_object_object_get_ex(obj, spec->ok_field, &ok) ||
		!json_object_is_type(ok, json_type_boolean) || json_object_get_boolean(ok))
		return;
	if (spec->error_field)
		json_object_object_get_ex(obj, spec->error_field, &why);
	json_object_object_get_ex(obj, "name", &name);
	rf_port_ok_error(page->vendor, page->endpoint, spec->ok_field,
					 name && json_object_is_type(name, json_type_string) ?
					 json_object_get_string(name) : NULL,
					 why && json_object_is_type(why, json_type_string) ?
					 json_object_get_string(why) : NULL);
}

static void
walk_rows(RowWalk *w, json_object *v, int step, int level)
{
	RowStep    *st;

	if (step == w->nsteps)
	{
		add_nested_row(w);
		return;
	}
	st = &w->steps[step];
	if (st->name)
	{
		if (!json_object_is_type(v, json_type_object) ||
			!json_object_object_get_ex(v, st->name, &v))
			shape_error(w->page, rf_port_printf("\"%s\" is missing", st->name), v);
	}
	if (!st->iterate)
	{
		walk_rows(w, v, step + 1, level);
		return;
	}
	if (json_object_is_type(v, json_type_null))
		return;					/* no rows at this level */
	if (json_object_is_type(v, json_type_array))
	{
		size_t		n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++)
		{
			w->objs[level] = json_object_array_get_idx(v, i);
			w->keys[level] = NULL;
			w->idx[level] = (int) i;
			check_ok(w->page, w->spec, w->objs[level]);
			walk_rows(w, w->objs[level], step + 1, level + 1);
		}
	}
	else if (json_object_is_type(v, json_type_object))
	{
		int			i = 0;

		json_object_object_foreach(v, key, val)
		{
			w->objs[level] = val;
			w->keys[level] = key;
			w->idx[level] = i++;
			walk_rows(w, val, step + 1, level + 1);
		}
	}
	else
		shape_error(w->page, rf_port_printf("expected an array or object of rows%s%s",
											st->name ? " at " : "",
											st->name ? st->name : ""), v);
}

/*
 * Walk a nested rows_path; false (and nothing done) when it names no level
 * to iterate after all: a '*' inside a member name ("a*") is that name.
 */
static bool
collect_nested_rows(RfJsonPage *page, const RfRowsSpec *spec)
{
	RowWalk		w;
	char	   *copy = rf_port_strdup(spec->rows_path);
	char	   *tok;
	char	   *save;
	int			n = 1;

	for (const char *p = spec->rows_path; *p; p++)
		n += (*p == '.') + (*p == '[');
	memset(&w, 0, sizeof(w));
	w.page = page;
	w.spec = spec;
	w.steps = rf_port_alloc0(sizeof(RowStep) * n);
	for (tok = strtok_r(copy, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
	{
		char	   *br = strstr(tok, "[]");

		if (strcmp(tok, "*") == 0)
		{
			w.steps[w.nsteps++].iterate = true;
			continue;
		}
		if (br)
			*br = '\0';
		if (*tok)
			w.steps[w.nsteps].name = tok;
		if (!br)
		{
			w.nsteps++;
			continue;
		}
		/* "a[][]": enter a, iterate, iterate */
		w.steps[w.nsteps++].iterate = true;
		for (br += 2; strncmp(br, "[]", 2) == 0; br += 2)
			w.steps[w.nsteps++].iterate = true;
	}
	for (int i = 0; i < w.nsteps; i++)
		w.depth += w.steps[i].iterate;
	if (w.depth == 0)
	{
		/* rows at level -1 would be read: take it as a flat path */
		rf_port_free(w.steps);
		rf_port_free(copy);
		return false;
	}
	w.objs = rf_port_alloc0(sizeof(json_object *) * (w.depth > 1 ? w.depth : 1));
	w.keys = rf_port_alloc0(sizeof(char *) * (w.depth > 1 ? w.depth : 1));
	w.idx = rf_port_alloc0(sizeof(int) * (w.depth > 1 ? w.depth : 1));
	page->depth = w.depth;
	walk_rows(&w, page->doc, 0, 0);
	return true;
}

/*
 * Find the rows of a page's document: the array at rows_path (the whole
 * body when NULL), the innermost elements of a nested rows_path, or the
 * object body itself.  A page without a document (an allowed 404) has no
 * rows.
 */
void
rf_json_page_rows(RfJsonPage *page, const RfRowsSpec *spec)
{
	if (page->doc == NULL)
		return;

	page->depth = 1;
	if (spec->object_body && spec->rows_path == NULL)
	{
		/* one object, one row */
		if (!json_object_is_type(page->doc, json_type_object))
			shape_error(page, "the body is not an object", page->doc);
		single_row(page, page->doc);
		return;
	}
	if (spec->rows_path &&
		(strstr(spec->rows_path, "[]") || strchr(spec->rows_path, '*')) &&
		collect_nested_rows(page, spec))
	{
		check_ok(page, spec, page->doc);
		return;
	}
	check_ok(page, spec, page->doc);
	page->rows = rf_json_path_get(page->doc, spec->rows_path);
	if (page->rows == NULL || !json_object_is_type(page->rows, json_type_array))
		shape_error(page, spec->rows_path ?
					rf_port_printf("\"%s\" is not an array of rows", spec->rows_path) :
					"the body is not an array of rows",
					page->rows ? page->rows : page->doc);
	page->nrows = (int) json_object_array_length(page->rows);
}

/*
 * The member of a raw top-level object whose key starts at b[at] (its
 * '"'): the offset of its value, or 0 when the key is not "key".  A key
 * with an escape sets *escaped: it might equal "key" once unescaped.
 */
static size_t
raw_member(const char *b, size_t at, const char *key, bool *escaped)
{
	size_t		klen = strlen(key);
	size_t		p = at + 1;
	bool		same;

	while (b[p] != '"')
	{
		if (b[p] == '\\')
		{
			*escaped = true;
			return 0;
		}
		p++;
	}
	same = (p - at - 1 == klen && memcmp(b + at + 1, key, klen) == 0);
	if (!same)
		return 0;
	for (p++; b[p] != ':'; p++)
		;
	for (p++; rf_json_is_ws(b[p]); p++)
		;
	return p;
}

/*
 * Take a raw body (see RfJsonStream) as a page whose rows stay bytes until
 * the scan reaches them.  Only flat rows paths qualify -- the body is the
 * array of rows, or a top-level member is -- and only a body whose syntax
 * was checked whole: a page never shows a row before every byte of it is
 * known to be JSON.  False (and nothing done) when the body does not
 * qualify; the caller then takes the parsed document as usual.
 *
 * With borrow, the page reads the stream's bytes, which must outlive it;
 * otherwise it takes them and the stream starts over.
 *
 * Everything but the rows is parsed once here (a copy of the body without
 * the rows array's elements), so page fields, "ok" flags and the checks of
 * rf_json_page_rows see what they would have seen in the whole document.
 */
bool
rf_json_page_lazy(RfJsonPage *page, RfJsonStream *js, const RfRowsSpec *spec,
				  bool borrow)
{
	const char *b = js->buf;
	const uint32_t *m = js->marks;
	int64_t		n = js->nmarks;
	int64_t		k;
	int64_t		open_mark = -1;
	size_t		close;
	size_t		outer_len;
	char	   *outer;
	int			nrows = 0;
	uint32_t   *ends;
	json_tokener *tok;
	json_object *doc;

	if (!rf_json_stream_raw_whole(js) || n < 2 || spec->object_body ||
		(spec->rows_path && (spec->rows_path[0] == '\0' ||
							 strpbrk(spec->rows_path, ".[*") != NULL)))
		return false;
	if (spec->rows_path == NULL)
	{
		if (b[m[0]] != '[')
			return false;
		open_mark = 0;
	}
	else
	{
		int			depth = 1;
		bool		escaped = false;

		if (b[m[0]] != '{')
			return false;
		/* json-c keeps the last of duplicate keys */
		for (k = 1; k < n; k++)
		{
			char		c = b[m[k]];

			if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']')
				depth--;
			else if (c == '"' && depth == 1)
			{
				size_t		v = raw_member(b, m[k], spec->rows_path, &escaped);

				if (escaped)
					return false;
				if (v == 0)
					continue;
				if (b[v] != '[' || k + 1 >= n || m[k + 1] != v)
					open_mark = -1;		/* no array: rf_json_page_rows says so */
				else
					open_mark = k + 1;
			}
		}
		if (open_mark < 0)
			return false;
	}

	/* the elements end at each ',' up to the array's ']' */
	for (k = open_mark + 1; k < n && b[m[k]] == ','; k++)
		;
	if (k >= n || b[m[k]] != ']')
		return false;			/* cannot be: the marks are inconsistent */
	close = m[k];
	nrows = (int) (k - open_mark);
	if (k - open_mark > INT_MAX / 2)
		return false;
	if (nrows == 1 && rf_json_only_ws(b + m[open_mark] + 1, close - m[open_mark] - 1))
		nrows = 0;				/* [] */

	/* the rest of the body, parsed once */
	outer_len = (m[open_mark] + 1) + (js->len - close);
	outer = rf_port_alloc(outer_len + 1);
	memcpy(outer, b, m[open_mark] + 1);
	memcpy(outer + m[open_mark] + 1, b + close, js->len - close);
	outer[outer_len] = '\0';
	tok = json_tokener_new_ex(RF_JSON_MAX_DEPTH);
	if (tok == NULL)
	{
		rf_port_free(outer);
		return false;
	}
	doc = json_tokener_parse_ex(tok, outer, (int) outer_len);
	rf_port_free(outer);
	if (doc == NULL)
	{
		json_tokener_free(tok);
		return false;
	}

	/* the page owns tok and doc from here on, then the bytes */
	page->tok = tok;
	page->doc = doc;
	ends = rf_port_alloc(sizeof(uint32_t) * (nrows > 0 ? nrows : 1));
	for (int r = 0; r < nrows; r++)
		ends[r] = m[open_mark + 1 + r];
	page->ends = ends;
	page->open = m[open_mark];
	page->cur_rowno = -1;
	page->own_buf = !borrow;
	page->buf = borrow ? js->buf :
		rf_json_stream_give_bytes(js, &page->buf_ported);

	page->depth = 1;
	check_ok(page, spec, page->doc);
	page->rows = spec->rows_path ? rf_json_path_get(page->doc, spec->rows_path) :
		page->doc;
	if (page->rows == NULL || !json_object_is_type(page->rows, json_type_array))
		shape_error(page, "the rows array was not found again", page->doc);
	page->nrows = nrows;
	return true;
}

/* A page-level integer such as "count"; false when absent or null */
bool
rf_json_page_int(RfJsonPage *page, const char *path, int64_t *value)
{
	json_object *v;

	if (page->doc == NULL || path == NULL)
		return false;
	v = rf_json_path_get(page->doc, path);
	if (v == NULL || json_object_is_type(v, json_type_null))
		return false;
	if (!json_object_is_type(v, json_type_int))
		shape_error(page, rf_port_printf("\"%s\" is not an integer", path), v);
	*value = json_object_get_int64(v);
	return true;
}

/* A page-level string such as "next"; NULL when absent or null */
char *
rf_json_page_string(RfJsonPage *page, const char *path)
{
	json_object *v;

	if (page->doc == NULL || path == NULL)
		return NULL;
	v = rf_json_path_get(page->doc, path);
	if (v == NULL || json_object_is_type(v, json_type_null))
		return NULL;
	if (json_object_is_type(v, json_type_int))
		return rf_port_printf("%lld", (long long) json_object_get_int64(v));
	if (!json_object_is_type(v, json_type_string))
		shape_error(page, rf_port_printf("\"%s\" is not a string", path), v);
	return rf_port_strdup(json_object_get_string(v));
}

/* ----------------------------------------------------------------
 *		Rows and references
 * ----------------------------------------------------------------
 */

/*
 * Read only these members of a raw page's rows (nkeys -1: all of them);
 * the keys must outlive the page.  A row read before under other keys is
 * read again.
 */
void
rf_json_page_want(RfJsonPage *page, const char *const *keys, int nkeys)
{
	if (page->want)
		rf_port_free(page->want);
	if (page->want_len)
		rf_port_free(page->want_len);
	page->want = NULL;
	page->want_len = NULL;
	page->nwant = nkeys;
	if (nkeys > 0)
	{
		page->want = rf_port_alloc(sizeof(char *) * nkeys);
		page->want_len = rf_port_alloc(sizeof(size_t) * nkeys);
		for (int i = 0; i < nkeys; i++)
		{
			page->want[i] = keys[i];
			page->want_len[i] = strlen(keys[i]);
		}
	}
	if (page->cur)
		json_object_put(page->cur);
	page->cur = NULL;
	page->cur_rowno = -1;
}

/*
 * The members of a row that resolving r may read (at most two, added to
 * keys), or *all when it may read any.
 */
void
rf_json_ref_keys(const RfJsonRef *r, const char **keys, int *nkeys, bool *all)
{
	if (r->const_name || r->is_key || r->npath == 0)
		return;
	if (r->match_part >= 0)
		keys[(*nkeys)++] = r->match_row_field;
	if (r->from_root || r->up > 0 || r->abs_level >= 0 || r->group_type)
		return;					/* another level's or the document's */
	if (r->match_part == 0)
		keys[(*nkeys)++] = r->path_parts[0];
	else if (strcmp(r->path_parts[0], "*") == 0)
		*all = true;			/* the first member, whichever it is */
	else
		keys[(*nkeys)++] = r->path_parts[0];
}

/*
 * The offset of the '"' that ends the string whose first byte is b[p]
 * (lim when there is none before lim, which a checked row cannot have)
 */
static inline size_t
string_end(const char *b, size_t p, size_t lim)
{
	for (;;)
	{
		const char *q = p < lim ? memchr(b + p, '"', lim - p) : NULL;
		size_t		e;
		size_t		k;

		if (q == NULL)
			return lim;
		e = k = q - b;

		/* escaped when an odd number of backslashes precede it */
		while (k > p && b[k - 1] == '\\')
			k--;
		if (((e - k) & 1) == 0)
			return e;
		p = e + 1;
	}
}

/* The offset just past the JSON value at b[p] (whose syntax was checked) */
static size_t
skip_value(const char *b, size_t p, size_t lim)
{
	int			depth = 0;

	do
	{
		char		c = b[p];

		if (c == '"')
			p = string_end(b, p + 1, lim) + 1;
		else if (c == '{' || c == '[')
		{
			depth++;
			p++;
		}
		else if (c == '}' || c == ']')
		{
			depth--;
			p++;
		}
		else if (depth == 0)
		{
			/* a number or literal: up to the next delimiter */
			while (p < lim && b[p] != ',' && b[p] != '}' && b[p] != ']' && !rf_json_is_ws(b[p]))
				p++;
		}
		else
			p++;
	} while (depth > 0 && p < lim);
	return p;
}

/* Where a member of a raw row is: key (without its quotes) and value */
typedef struct RawMember
{
	size_t		key;
	size_t		klen;
	size_t		val;
	size_t		vend;
} RawMember;

#define RF_SPARSE_MEMBERS 64

/*
 * A member's value made without the tokener when it is a scalar whose
 * json_object is plain to build: a string without escapes, an integer of
 * at most 18 digits (never past int64, never a big-integer mark), true,
 * false or null.  Every call of json_tokener_parse_ex sets up a C numeric
 * locale (duplocale, newlocale, getenv: a third of a row's time for a
 * three-column row), and these are nearly all the values a page has.  The
 * row's syntax was checked by the byte scan, whose plain-JSON bodies have
 * no control characters in strings; the bytes of a string are checked as
 * UTF-8 where they become a value, as json-c's are.  False: parse b[v..e)
 * with the tokener.
 */
static bool
plain_scalar(const char *b, size_t v, size_t e, json_object **out)
{
	size_t		len = e - v;

	switch (b[v])
	{
		case '"':
			if (len < 2 || b[e - 1] != '"' || memchr(b + v + 1, '\\', len - 2) != NULL)
				return false;
			*out = json_object_new_string_len(b + v + 1, (int) (len - 2));
			return *out != NULL;
		case 't':
			if (len != 4 || memcmp(b + v, "true", 4) != 0)
				return false;
			*out = json_object_new_boolean(1);
			return *out != NULL;
		case 'f':
			if (len != 5 || memcmp(b + v, "false", 5) != 0)
				return false;
			*out = json_object_new_boolean(0);
			return *out != NULL;
		case 'n':
			*out = NULL;
			return len == 4 && memcmp(b + v, "null", 4) == 0;
		default:
			{
				int64_t		n;

				if (!rf_json_plain_int(b + v, len, &n))
					return false;
				*out = json_object_new_int64(n);
				return *out != NULL;
			}
	}
}

/*
 * The value of b[0..len) when it is an integer json-c reads exactly and
 * plainly as an int64: at most 18 digits (never past int64, never a
 * big-integer mark), an optional '-', no leading zero, not "-0".
 */
bool
rf_json_plain_int(const char *b, size_t len, int64_t *value)
{
	bool		neg = (len > 0 && b[0] == '-');
	size_t		p = neg;
	int64_t		n = 0;

	if (p == len || len - p > 18 || (b[p] == '0' && len - p > 1) ||
		(neg && len - p == 1 && b[p] == '0'))
		return false;
	for (; p < len; p++)
	{
		if (b[p] < '0' || b[p] > '9')
			return false;
		n = n * 10 + (b[p] - '0');
	}
	*value = neg ? -n : n;
	return true;
}

/*
 * The members of the raw row at b[p..lim), in order, into m; false when
 * the row must be parsed whole instead (not an object, more than
 * RF_SPARSE_MEMBERS members, an escaped key that might be a wanted one
 * once unescaped).
 */
static bool
find_members(const char *b, size_t p, size_t lim, RawMember *m, int *nmembers)
{
	int			n = 0;

	while (rf_json_is_ws(b[p]))
		p++;
	if (b[p] != '{')
		return false;
	p++;
	for (;;)
	{
		size_t		k;
		size_t		v;

		while (rf_json_is_ws(b[p]) || b[p] == ',')
			p++;
		if (b[p] == '}')
			break;
		if (n == RF_SPARSE_MEMBERS)
			return false;
		k = string_end(b, p + 1, lim);
		if (memchr(b + p + 1, '\\', k - p - 1) != NULL)
			return false;
		for (v = k + 1; b[v] != ':'; v++)
			;
		for (v++; rf_json_is_ws(b[v]); v++)
			;
		m[n].key = p + 1;
		m[n].klen = k - p - 1;
		m[n].val = v;
		p = m[n].vend = skip_value(b, v, lim);
		n++;
	}
	*nmembers = n;
	return true;
}

/* Which wanted key a member is (the first equal one), or -1 */
static inline int
wanted(const RfJsonPage *page, const char *b, const RawMember *m)
{
	for (int w = 0; w < page->nwant; w++)
	{
		if (page->want_len[w] == m->klen &&
			memcmp(page->want[w], b + m->key, m->klen) == 0)
			return w;
	}
	return -1;
}

/*
 * A raw row of only the wanted members, parsed one by one, the others
 * skipped; NULL when it must be parsed whole instead (see find_members).
 * Of repeated keys the last counts, as in a whole parse.
 */
static json_object *
sparse_row(RfJsonPage *page, size_t p, size_t lim, bool *whole)
{
	const char *b = page->buf;
	json_object *obj;
	RawMember	m[RF_SPARSE_MEMBERS];
	int			n = 0;

	*whole = true;
	/* find the members first: nothing to undo then */
	if (!find_members(b, p, lim, m, &n))
		return NULL;
	obj = json_object_new_object();
	if (obj == NULL)
		return NULL;
	*whole = false;
	for (int i = 0; i < n; i++)
	{
		int			w = wanted(page, b, &m[i]);
		json_object *val;

		if (w < 0)
			continue;
		if (plain_scalar(b, m[i].val, m[i].vend, &val))
		{
			if (json_object_object_add(obj, page->want[w], val) == 0)
				continue;
		}
		else
		{
			json_tokener_reset(page->tok);
			/* with the delimiter after it: a number must see where it ends */
			val = json_tokener_parse_ex(page->tok, b + m[i].val,
										(int) (m[i].vend - m[i].val + 1));
			if (json_tokener_get_error(page->tok) == json_tokener_success &&
				json_object_object_add(obj, page->want[w], val) == 0)
				continue;
		}
		if (val)
			json_object_put(val);
		json_object_put(obj);
		*whole = true;
		return NULL;
	}
	return obj;
}

/*
 * Row rowno of a page kept raw: parsed now with the page's one tokener,
 * unless it is the row parsed last (a keep filter and then the row's
 * conversion read it one after the other), whose tree is freed.
 */
static json_object *
raw_row(RfJsonPage *page, int rowno)
{
	size_t		start;
	size_t		end;

	if (rowno == page->cur_rowno)
		return page->cur;
	if (page->cur)
		json_object_put(page->cur);
	page->cur = NULL;
	page->cur_rowno = -1;
	if (rowno < 0 || rowno >= page->nrows)
		return NULL;
	start = (rowno == 0 ? page->open : page->ends[rowno - 1]) + 1;
	end = page->ends[rowno];
	if (page->nwant >= 0)
	{
		bool		whole;

		page->cur = sparse_row(page, start, end, &whole);
		if (!whole)
		{
			page->cur_rowno = rowno;
			return page->cur;
		}
	}
	json_tokener_reset(page->tok);
	/* up to and with the ',' or ']': a number must see where it ends */
	page->cur = json_tokener_parse_ex(page->tok, page->buf + start,
									  (int) (end - start + 1));
	if (json_tokener_get_error(page->tok) != json_tokener_success)
	{
		/* the syntax was checked: only memory can run out here */
		if (page->cur)
			json_object_put(page->cur);
		page->cur = NULL;
		shape_error(page, rf_port_printf("row %d could not be parsed (%s)", rowno + 1,
										 json_tokener_error_desc(json_tokener_get_error(page->tok))),
					NULL);
	}
	page->cur_rowno = rowno;
	return page->cur;
}

/*
 * Where the wanted members' values of row rowno of a raw flat page lie in
 * page->buf: spans[w] for want[w] (len 0: the row has no such member; of
 * repeated keys the last counts, as in a whole parse).  False when the
 * row is not read that way (a page of trees, a nested rows_path, every
 * member wanted, or a row find_members leaves to a whole parse): then
 * rf_json_page_row.  The scan then makes no json-c object at all for the
 * values it can convert from their bytes (json.c, jsondatum.c).
 */
bool
rf_json_page_spans(RfJsonPage *page, int rowno, RfJsonSpan *spans)
{
	RawMember	m[RF_SPARSE_MEMBERS];
	int			n;
	size_t		start;

	if (page->buf == NULL || page->depth > 1 || page->refs || page->nwant < 0 ||
		rowno < 0 || rowno >= page->nrows)
		return false;
	start = (rowno == 0 ? page->open : page->ends[rowno - 1]) + 1;
	if (!find_members(page->buf, start, page->ends[rowno], m, &n))
		return false;
	memset(spans, 0, sizeof(RfJsonSpan) * page->nwant);
	for (int i = 0; i < n; i++)
	{
		int			w = wanted(page, page->buf, &m[i]);

		if (w >= 0)
		{
			spans[w].off = (uint32_t) m[i].val;
			spans[w].len = (uint32_t) (m[i].vend - m[i].val);
		}
	}
	return true;
}

/*
 * The json-c value of a span that rf_json_page_spans found, kept by the
 * page until the next call or its release; NULL for a JSON null.  A value
 * that cannot be parsed (only memory can run out: the syntax was checked)
 * is a shape error.
 */
json_object *
rf_json_span_value(RfJsonPage *page, const RfJsonSpan *span)
{
	json_object *val = NULL;

	if (page->spanval)
		json_object_put(page->spanval);
	page->spanval = NULL;
	if (!plain_scalar(page->buf, span->off, span->off + span->len, &val))
	{
		json_tokener_reset(page->tok);
		/* with the delimiter after it: a number must see where it ends */
		val = json_tokener_parse_ex(page->tok, page->buf + span->off, (int) span->len + 1);
		if (json_tokener_get_error(page->tok) != json_tokener_success)
		{
			if (val)
				json_object_put(val);
			shape_error(page, "a value could not be parsed", NULL);
		}
	}
	page->spanval = val;
	return val;
}

/*
 * Row rowno (0-based) of a page, which must be an object; *ref is set to
 * its levels for a nested (or single-row) page, else NULL.
 */
json_object *
rf_json_page_row(RfJsonPage *page, int rowno, RfRowRef **ref)
{
	json_object *row;

	*ref = NULL;
	if (page->depth > 1 || page->refs)
	{
		*ref = &page->refs[rowno];
		row = (*ref)->objs[page->depth - 1];
	}
	else if (page->buf)
		row = raw_row(page, rowno);
	else
		row = json_object_array_get_idx(page->rows, rowno);
	if (row == NULL || !json_object_is_type(row, json_type_object))
		shape_error(page, rf_port_printf("row %d is not an object", rowno + 1), row);
	return row;
}

/* Parse a column's reference (see jsonpage.h) */
void
rf_json_ref_parse(RfJsonRef *r, const char *path)
{
	char	   *copy;
	char	   *tok;
	char	   *save;
	int			n = 1;

	memset(r, 0, sizeof(RfJsonRef));
	r->abs_level = -1;
	r->match_part = -1;
	if (path[0] == '=')
	{
		r->const_name = rf_port_strdup(path + 1);
		return;
	}
	if (path[0] == '/')
	{
		r->from_root = true;
		path++;
	}
	else if (path[0] == '#' && strchr(path, ':'))
	{
		r->abs_level = atoi(path + 1);
		path = strchr(path, ':') + 1;
	}
	else if (path[0] == '@' && strchr(path, ':'))
	{
		const char *colon = strchr(path, ':');

		r->group_type = rf_port_strndup(path + 1, colon - path - 1);
		path = colon + 1;
	}
	while (path[r->up] == '^')
		r->up++;
	path += r->up;
	r->is_key = (strcmp(path, "$key") == 0);
	r->is_index = (strcmp(path, "$index") == 0);
	for (const char *p = path; *p; p++)
		n += (*p == '.');
	r->path_parts = rf_port_alloc(sizeof(char *) * n);
	copy = rf_port_strdup(r->is_key || r->is_index ? "" : path);
	for (tok = strtok_r(copy, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
	{
		char	   *open = strchr(tok, '[');
		char	   *eq = open ? strchr(open, '=') : NULL;
		size_t		len = strlen(tok);

		/* "list[k=f]": keep "list" as the part, remember k and f */
		if (open && eq && len > 0 && tok[len - 1] == ']' && r->match_part < 0)
		{
			*open = '\0';
			*eq = '\0';
			tok[len - 1] = '\0';
			r->match_key = open + 1;
			r->match_row_field = eq + 1;
			r->match_part = r->npath;
		}
		r->path_parts[r->npath++] = tok;
	}
}

/*
 * The element of an array whose field "key" is a string equal to the
 * row's field "row_field"; NULL when there is none.
 */
static json_object *
match_element(json_object *list, const char *key, json_object *row,
			  const char *row_field)
{
	json_object *want;
	size_t		n;

	if (!json_object_is_type(list, json_type_array) || row == NULL ||
		!json_object_is_type(row, json_type_object) ||
		!json_object_object_get_ex(row, row_field, &want) ||
		!json_object_is_type(want, json_type_string))
		return NULL;
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(list, i);
		json_object *k;

		if (json_object_is_type(e, json_type_object) &&
			json_object_object_get_ex(e, key, &k) &&
			json_object_is_type(k, json_type_string) &&
			strcmp(json_object_get_string(k), json_object_get_string(want)) == 0)
			return e;
	}
	return NULL;
}

/* A plain field of the row itself (no level, key, constant or root)? */
bool
rf_json_ref_is_plain(const RfJsonRef *r)
{
	return r->up == 0 && !r->is_key && !r->is_index && r->abs_level < 0 && !r->from_root &&
		r->group_type == NULL && r->const_name == NULL;
}

/*
 * Follow a reference's path from obj; NULL when a step is missing.  row is
 * the row a "list[k=f]" part matches against.
 */
static json_object *
walk_path(json_object *obj, const RfJsonRef *r, json_object *row)
{
	json_object *v = obj;

	for (int i = 0; i < r->npath; i++)
	{
		if (i == r->match_part)
		{
			if (!json_object_is_type(v, json_type_object) ||
				!json_object_object_get_ex(v, r->path_parts[i], &v))
				return NULL;
			v = match_element(v, r->match_key, row, r->match_row_field);
			if (v == NULL)
				return NULL;
			continue;
		}
		/*
		 * "*": the first member of an object (or element of an array); a
		 * string, number or boolean is its own first value
		 */
		if (r->path_parts[i][0] == '*' && r->path_parts[i][1] == '\0')
		{
			if (v == NULL)
				return NULL;
			if (json_object_is_type(v, json_type_array))
			{
				if (json_object_array_length(v) == 0)
					return NULL;
				v = json_object_array_get_idx(v, 0);
				continue;
			}
			if (json_object_is_type(v, json_type_object))
			{
				json_object *first = NULL;

				json_object_object_foreach(v, k, val)
				{
					(void) k;
					first = val;
					break;
				}
				if (first == NULL)
					return NULL;
				v = first;
				continue;
			}
			continue;
		}
		if (!json_object_is_type(v, json_type_object) ||
			!json_object_object_get_ex(v, r->path_parts[i], &v))
			return NULL;
	}
	return v;
}

/* Follow a reference's path from obj, itself the row */
json_object *
rf_json_ref_field(json_object *obj, const RfJsonRef *r)
{
	return walk_path(obj, r, obj);
}

/*
 * Resolve a reference of a row (ref: its levels, or NULL for a flat page):
 * a JSON value, or for member keys a string in *str.  NULL and no string
 * when the value is not there.  Request constants are the caller's.
 */
json_object *
rf_json_ref_resolve(RfJsonPage *page, RfRowRef *ref, json_object *row,
					const RfJsonRef *r, const char **str)
{
	int			level;

	*str = NULL;
	if (r->const_name)
		return NULL;
	if (r->npath == 0 && !r->is_key && !r->is_index)
		return NULL;			/* an empty part */
	if (r->from_root)
		return walk_path(page->doc, r, row);
	if (r->abs_level < 0 && r->group_type == NULL && r->up == 0 && !r->is_key &&
		!r->is_index)
		return rf_json_ref_field(row, r);
	if (ref == NULL)
		return NULL;
	if (r->abs_level >= 0)
		level = r->abs_level;
	else if (r->group_type)
	{
		for (level = page->depth - 1; level >= 0; level--)
		{
			json_object *g;
			json_object *t;

			if (json_object_is_type(ref->objs[level], json_type_object) &&
				json_object_object_get_ex(ref->objs[level], "group", &g) &&
				json_object_is_type(g, json_type_object) &&
				json_object_object_get_ex(g, "type", &t) &&
				json_object_is_type(t, json_type_string) &&
				strcmp(json_object_get_string(t), r->group_type) == 0)
				break;
		}
		level -= r->up;
	}
	else
		level = page->depth - 1 - r->up;
	if (level < 0 || level >= page->depth)
		return NULL;
	if (r->is_key)
	{
		*str = ref->keys[level];
		return NULL;
	}
	if (r->is_index)
	{
		/* valid until the next call: the caller converts it at once */
		static char index_text[16];

		snprintf(index_text, sizeof(index_text), "%d", ref->idx[level]);
		*str = index_text;
		return NULL;
	}
	return walk_path(ref->objs[level], r, row);
}
