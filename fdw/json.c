/*-------------------------------------------------------------------------
 *
 * json.c
 *		  JSON to Datum mapping: the only file that uses json-c.
 *
 * A response body is parsed while it downloads: the parser is a body sink
 * that feeds each chunk to a json_tokener, so no copy of the raw body is
 * kept.  The parsed document becomes an RfPage, from which the scan reads
 * page-level fields (count, next) and converts rows to Datums.
 *
 * Conversion is driven by the foreign table's column types, not by the
 * descriptor: a user may declare any subset of columns with other types
 * (text for anything, jsonb for nested values).  A JSON null or a missing
 * field is SQL NULL; unknown fields are ignored; a value that cannot be of
 * the column's type is an error naming the table, the column and the value.
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

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
/* PostgreSQL declares an SQL function json_object(); json-c a type */
#define json_object pg_json_object_function
#include "utils/builtins.h"
#include "utils/datetime.h"
#undef json_object
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include <json-c/json.h>

#include "retail_fdw.h"

/* Nesting deeper than this is refused as malformed */
#define RF_JSON_MAX_DEPTH	64
/* How much of a bad value an error message shows */
#define RF_VALUE_SHOWN		64

/* How a column is converted, decided once per scan */
enum
{
	CONV_TEXT,
	CONV_INT2,
	CONV_INT4,
	CONV_INT8,
	CONV_FLOAT8,
	CONV_NUMERIC,
	CONV_BOOL,
	CONV_JSON,
	CONV_JSONB,
	CONV_TEXTARRAY,
	CONV_INPUT					/* the type's input function */
};

struct RfJsonParser
{
	json_tokener *tok;
	json_object *doc;
	bool		failed;
	MemoryContextCallback cleanup;
};

/*
 * A row found by a nested rows_path: the element at each level of
 * iteration (innermost last) and, for levels that iterate an object's
 * members, the member's key.
 */
typedef struct RfRowRef
{
	json_object **objs;
	const char **keys;
} RfRowRef;

struct RfPage
{
	json_object *doc;
	json_object *rows;			/* borrowed from doc (flat rows_path) */
	int			nrows;
	int			depth;			/* levels of iteration; 1 = flat */
	RfRowRef   *refs;			/* nrows of them when depth > 1 */
	const char *vendor;
	const char *endpoint;
	MemoryContextCallback cleanup;
};

/* What the error context callback reports */
typedef struct RfConvErrorContext
{
	RfRowContext *rc;
	RfColMap   *cm;
	const char *value;
} RfConvErrorContext;

/* ----------------------------------------------------------------
 *		Streaming parser
 * ----------------------------------------------------------------
 */

static void
parser_cleanup(void *arg)
{
	RfJsonParser *p = (RfJsonParser *) arg;

	if (p->doc)
		json_object_put(p->doc);
	p->doc = NULL;
	if (p->tok)
		json_tokener_free(p->tok);
	p->tok = NULL;
}

RfJsonParser *
rf_json_parser_create(MemoryContext cxt)
{
	RfJsonParser *p = MemoryContextAllocZero(cxt, sizeof(RfJsonParser));

	p->cleanup.func = parser_cleanup;
	p->cleanup.arg = p;
	MemoryContextRegisterResetCallback(cxt, &p->cleanup);
	p->tok = json_tokener_new_ex(RF_JSON_MAX_DEPTH);
	if (p->tok == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("out of memory")));
	json_tokener_set_flags(p->tok, JSON_TOKENER_VALIDATE_UTF8);
	return p;
}

static bool
only_whitespace(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
			return false;
	}
	return true;
}

/* Body sink callbacks: called from inside libcurl, no ereport */
static bool
parser_feed(void *arg, const char *data, size_t len)
{
	RfJsonParser *p = (RfJsonParser *) arg;
	json_object *obj;

	if (p->failed)
		return false;
	if (p->doc)
	{
		p->failed = !only_whitespace(data, len);
		return !p->failed;
	}
	while (len > INT_MAX / 2)
	{
		/* json-c takes an int length; bodies this size are refused anyway */
		p->failed = true;
		return false;
	}
	obj = json_tokener_parse_ex(p->tok, data, (int) len);
	if (obj != NULL)
	{
		size_t		used = json_tokener_get_parse_end(p->tok);

		p->doc = obj;
		if (used < len && !only_whitespace(data + used, len - used))
			p->failed = true;
	}
	else if (json_tokener_get_error(p->tok) != json_tokener_continue)
		p->failed = true;
	return !p->failed;
}

static void
parser_reset(void *arg)
{
	RfJsonParser *p = (RfJsonParser *) arg;

	json_tokener_reset(p->tok);
	if (p->doc)
		json_object_put(p->doc);
	p->doc = NULL;
	p->failed = false;
}

static bool
parser_complete(void *arg)
{
	RfJsonParser *p = (RfJsonParser *) arg;

	return p->doc != NULL && !p->failed;
}

RfBodySink
rf_json_parser_sink(RfJsonParser *parser)
{
	RfBodySink	sink;

	sink.feed = parser_feed;
	sink.reset = parser_reset;
	sink.finish = parser_complete;
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

	if (page->doc)
		json_object_put(page->doc);
	page->doc = NULL;
}

/* Follow a dotted path; NULL when a step is missing */
static json_object *
json_path_get(json_object *obj, const char *path)
{
	char	   *copy;
	char	   *tok;
	char	   *save;

	if (path == NULL || *path == '\0')
		return obj;
	copy = pstrdup(path);
	for (tok = strtok_r(copy, ".", &save); tok && obj;
		 tok = strtok_r(NULL, ".", &save))
	{
		if (!json_object_is_type(obj, json_type_object) ||
			!json_object_object_get_ex(obj, tok, &obj))
			obj = NULL;
	}
	pfree(copy);
	return obj;
}

static char *
json_excerpt(json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	int			len = strlen(s);

	if (len <= RF_VALUE_SHOWN)
		return pstrdup(s);
	return psprintf("%.*s...", pg_mbcliplen(s, len, RF_VALUE_SHOWN), s);
}

static void
shape_error(RfPage *page, const char *what, json_object *found)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_REPLY),
			 errmsg("unexpected response shape from %s: %s", page->vendor, what),
			 errdetail("Endpoint %s. Found: %s.", page->endpoint,
					   found ? json_excerpt(found) : "nothing"),
			 errhint("The vendor's API may have changed; no partial result was returned.")));
}

/*
 * A page of one row: the object at path (the whole body when NULL), as
 * write endpoints answer.  A body that is no such object is a shape error.
 */
RfPage *
rf_json_parser_finish_object(RfJsonParser *parser, const char *path,
							 const char *vendor, const char *endpoint)
{
	MemoryContext cxt = GetMemoryChunkContext(parser);
	RfPage	   *page = MemoryContextAllocZero(cxt, sizeof(RfPage));
	json_object *obj;

	page->vendor = vendor;
	page->endpoint = endpoint;
	page->cleanup.func = page_cleanup;
	page->cleanup.arg = page;
	MemoryContextRegisterResetCallback(cxt, &page->cleanup);
	page->doc = parser->doc;
	parser->doc = NULL;
	json_tokener_reset(parser->tok);
	page->depth = 1;
	if (page->doc == NULL)
		return page;
	obj = json_path_get(page->doc, path);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		shape_error(page, path ? psprintf("\"%s\" is not an object", path) :
					"the body is not an object", obj ? obj : page->doc);
	page->refs = palloc(sizeof(RfRowRef));
	page->refs[0].objs = palloc(sizeof(json_object *));
	page->refs[0].keys = palloc0(sizeof(char *));
	page->refs[0].objs[0] = obj;
	page->nrows = 1;
	return page;
}

static RfPage *page_rows(RfPage *page, const RfEndpoint *ep);

/* ----------------------------------------------------------------
 *		Nested rows
 *
 * A rows_path such as "nodes[][]" (arrays in arrays), "result.*.*" (the
 * members of objects of objects) or "metrics[].data[]" yields one row per
 * innermost element.  Columns reach outer levels with a leading '^' per
 * level and the member key of an object level with "$key".
 * ----------------------------------------------------------------
 */

typedef struct RowStep
{
	char	   *name;			/* object member to enter first, or NULL */
	bool		iterate;		/* then iterate (array elements / members) */
} RowStep;

typedef struct RowWalk
{
	RfPage	   *page;
	const RfEndpoint *ep;
	RowStep    *steps;
	int			nsteps;
	int			depth;			/* iterating steps */
	json_object **objs;			/* current element per level */
	const char **keys;
	int			allocated;
} RowWalk;

static void
add_nested_row(RowWalk *w)
{
	RfPage	   *page = w->page;
	RfRowRef   *ref;

	if (page->nrows >= w->allocated)
	{
		w->allocated = Max(64, w->allocated * 2);
		page->refs = page->refs ?
			repalloc(page->refs, sizeof(RfRowRef) * w->allocated) :
			palloc(sizeof(RfRowRef) * w->allocated);
	}
	ref = &page->refs[page->nrows++];
	ref->objs = palloc(sizeof(json_object *) * w->depth);
	ref->keys = palloc(sizeof(char *) * w->depth);
	memcpy(ref->objs, w->objs, sizeof(json_object *) * w->depth);
	memcpy(ref->keys, w->keys, sizeof(char *) * w->depth);
}

/*
 * Vendors that flag failures inside a 200 answer ({"ok": false, "error":
 * ...} at any level) get an error naming the reason, never a partial result.
 */
static void
check_ok(RfPage *page, const RfEndpoint *ep, json_object *obj)
{
	json_object *ok;
	json_object *why = NULL;
	json_object *name = NULL;

	if (ep->ok_field == NULL || !json_object_is_type(obj, json_type_object) ||
		!json_object_object_get_ex(obj, ep->ok_field, &ok) ||
		!json_object_is_type(ok, json_type_boolean) || json_object_get_boolean(ok))
		return;
	if (ep->error_field)
		json_object_object_get_ex(obj, ep->error_field, &why);
	json_object_object_get_ex(obj, "name", &name);
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("%s answered \"%s\": false%s%s: %s", page->vendor, ep->ok_field,
					name && json_object_is_type(name, json_type_string) ? " for " : "",
					name && json_object_is_type(name, json_type_string) ?
					json_object_get_string(name) : "",
					why && json_object_is_type(why, json_type_string) ?
					json_object_get_string(why) : "no reason given"),
			 errdetail("Endpoint %s; no partial result was returned.", page->endpoint),
			 errhint("Check the values the query passes (ids, metrics, ranges) and the permissions of the API key.")));
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
			shape_error(w->page, psprintf("\"%s\" is missing", st->name), v);
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
			check_ok(w->page, w->ep, w->objs[level]);
			walk_rows(w, w->objs[level], step + 1, level + 1);
		}
	}
	else if (json_object_is_type(v, json_type_object))
	{
		json_object_object_foreach(v, key, val)
		{
			w->objs[level] = val;
			w->keys[level] = key;
			walk_rows(w, val, step + 1, level + 1);
		}
	}
	else
		shape_error(w->page, psprintf("expected an array or object of rows%s%s",
									  st->name ? " at " : "",
									  st->name ? st->name : ""), v);
}

static void
collect_nested_rows(RfPage *page, const RfEndpoint *ep, const char *rows_path)
{
	RowWalk		w;
	char	   *copy = pstrdup(rows_path);
	char	   *tok;
	char	   *save;
	int			n = 1;

	for (const char *p = rows_path; *p; p++)
		n += (*p == '.') + (*p == '[');
	memset(&w, 0, sizeof(w));
	w.page = page;
	w.ep = ep;
	w.steps = palloc0(sizeof(RowStep) * n);
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
	w.objs = palloc0(sizeof(json_object *) * Max(w.depth, 1));
	w.keys = palloc0(sizeof(char *) * Max(w.depth, 1));
	page->depth = w.depth;
	walk_rows(&w, page->doc, 0, 0);
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
	MemoryContext cxt = GetMemoryChunkContext(parser);
	RfPage	   *page = MemoryContextAllocZero(cxt, sizeof(RfPage));

	page->vendor = vendor;
	page->endpoint = ep->path;
	page->cleanup.func = page_cleanup;
	page->cleanup.arg = page;
	MemoryContextRegisterResetCallback(cxt, &page->cleanup);

	page->doc = parser->doc;
	parser->doc = NULL;
	json_tokener_reset(parser->tok);
	return page_rows(page, ep);
}

/* Find the rows of a page's document */
static RfPage *
page_rows(RfPage *page, const RfEndpoint *ep)
{
	if (page->doc == NULL)
		return page;

	page->depth = 1;
	if (ep->object_body && ep->rows_path == NULL)
	{
		/* one object, one row */
		if (!json_object_is_type(page->doc, json_type_object))
			shape_error(page, "the body is not an object", page->doc);
		page->refs = palloc(sizeof(RfRowRef));
		page->refs[0].objs = palloc(sizeof(json_object *));
		page->refs[0].keys = palloc0(sizeof(char *));
		page->refs[0].objs[0] = page->doc;
		page->nrows = 1;
		return page;
	}
	if (ep->rows_path && (strstr(ep->rows_path, "[]") || strchr(ep->rows_path, '*')))
	{
		collect_nested_rows(page, ep, ep->rows_path);
		check_ok(page, ep, page->doc);
		return page;
	}
	check_ok(page, ep, page->doc);
	page->rows = json_path_get(page->doc, ep->rows_path);
	if (page->rows == NULL || !json_object_is_type(page->rows, json_type_array))
		shape_error(page, ep->rows_path ?
					psprintf("\"%s\" is not an array of rows", ep->rows_path) :
					"the body is not an array of rows",
					page->rows ? page->rows : page->doc);
	page->nrows = (int) json_object_array_length(page->rows);
	return page;
}

int
rf_page_nrows(RfPage *page)
{
	return page->nrows;
}

/* A page-level integer such as "count"; false when absent or null */
bool
rf_page_get_int(RfPage *page, const char *path, int64 *value)
{
	json_object *v;

	if (page->doc == NULL || path == NULL)
		return false;
	v = json_path_get(page->doc, path);
	if (v == NULL || json_object_is_type(v, json_type_null))
		return false;
	if (!json_object_is_type(v, json_type_int))
		shape_error(page, psprintf("\"%s\" is not an integer", path), v);
	*value = json_object_get_int64(v);
	return true;
}

/* A page-level string such as "next"; NULL when absent or null */
char *
rf_page_get_string(RfPage *page, const char *path)
{
	json_object *v;

	if (page->doc == NULL || path == NULL)
		return NULL;
	v = json_path_get(page->doc, path);
	if (v == NULL || json_object_is_type(v, json_type_null))
		return NULL;
	if (json_object_is_type(v, json_type_int))
		return psprintf(INT64_FORMAT, json_object_get_int64(v));
	if (!json_object_is_type(v, json_type_string))
		shape_error(page, psprintf("\"%s\" is not a string", path), v);
	return pstrdup(json_object_get_string(v));
}

void
rf_page_free(RfPage *page)
{
	page_cleanup(page);
	page->rows = NULL;
	page->nrows = 0;
}

/* ----------------------------------------------------------------
 *		Row conversion
 * ----------------------------------------------------------------
 */

/*
 * A reference to a value of a (nested) row:
 *   "a.b"          a field of the row
 *   "^a.b"         a field one level up (one '^' per level)
 *   "#0:a"         a field of the outermost level (#1: the next, ...)
 *   "@date:a"      a field of the nearest level whose group.type is "date"
 *   "$key"         the member key of an object level (with ^, #, @)
 *   "=name"        the request constant "name"
 *   "/a.b"         a field of the whole document (a visit's id, say)
 */
static void
parse_ref(RfColMap *cm, const char *path)
{
	char	   *copy;
	char	   *tok;
	char	   *save;
	int			n = 1;

	cm->const_name = NULL;
	cm->from_root = false;
	cm->abs_level = -1;
	cm->group_type = NULL;
	cm->up = 0;
	cm->is_key = false;
	cm->npath = 0;
	cm->path_parts = NULL;
	if (path[0] == '=')
	{
		cm->const_name = pstrdup(path + 1);
		return;
	}
	if (path[0] == '/')
	{
		cm->from_root = true;
		path++;
	}
	else if (path[0] == '#' && strchr(path, ':'))
	{
		cm->abs_level = atoi(path + 1);
		path = strchr(path, ':') + 1;
	}
	else if (path[0] == '@' && strchr(path, ':'))
	{
		const char *colon = strchr(path, ':');

		cm->group_type = pnstrdup(path + 1, colon - path - 1);
		path = colon + 1;
	}
	while (path[cm->up] == '^')
		cm->up++;
	path += cm->up;
	cm->is_key = (strcmp(path, "$key") == 0);
	for (const char *p = path; *p; p++)
		n += (*p == '.');
	cm->path_parts = palloc(sizeof(char *) * n);
	copy = pstrdup(cm->is_key ? "" : path);
	for (tok = strtok_r(copy, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		cm->path_parts[cm->npath++] = tok;
}

void
rf_colmap_init(RfColMap *cm, const char *attname, Oid typid, int32 typmod,
			   const char *json_path)
{
	Oid			infunc;
	char	   *copy;
	char	   *tok;
	char	   *save;
	int			n = 1;

	cm->attname = attname;
	cm->json_path = json_path;
	cm->typid = typid;
	cm->typmod = typmod;
	getTypeInputInfo(typid, &infunc, &cm->typioparam);
	fmgr_info(infunc, &cm->infunc);
	cm->elemtype = get_element_type(typid);

	/* "localtime:<date>;<time>;<zone>[;end]": a local date and time */
	cm->nsub = 0;
	cm->sub = NULL;
	if (strncmp(json_path, "localtime:", 10) == 0)
	{
		char	   *spec = pstrdup(json_path + 10);
		char	   *part;
		char	   *ssave;

		cm->sub = palloc0(sizeof(RfColMap) * 4);
		for (part = strtok_r(spec, ";", &ssave); part && cm->nsub < 4;
			 part = strtok_r(NULL, ";", &ssave))
		{
			if (strcmp(part, "end") == 0)
			{
				cm->local_end = true;
				continue;
			}
			parse_ref(&cm->sub[cm->nsub++], strcmp(part, "-") == 0 ? "" : part);
		}
		if (cm->nsub != 3)
			elog(ERROR, "invalid localtime path \"%s\"", json_path);
		cm->is_local = true;
		json_path = "";
	}
	parse_ref(cm, json_path);
	(void) copy;
	(void) tok;
	(void) save;
	(void) n;

	switch (typid)
	{
		case TEXTOID:
			cm->conv = CONV_TEXT;
			break;
		case INT2OID:
			cm->conv = CONV_INT2;
			break;
		case INT4OID:
			cm->conv = CONV_INT4;
			break;
		case INT8OID:
			cm->conv = CONV_INT8;
			break;
		case FLOAT8OID:
			cm->conv = CONV_FLOAT8;
			break;
		case NUMERICOID:
			cm->conv = (typmod < 0) ? CONV_NUMERIC : CONV_INPUT;
			break;
		case BOOLOID:
			cm->conv = CONV_BOOL;
			break;
		case JSONOID:
			cm->conv = CONV_JSON;
			break;
		case JSONBOID:
			cm->conv = CONV_JSONB;
			break;
		case TEXTARRAYOID:
			cm->conv = CONV_TEXTARRAY;
			break;
		default:
			cm->conv = CONV_INPUT;
	}
}

static void
conversion_error_callback(void *arg)
{
	RfConvErrorContext *ec = (RfConvErrorContext *) arg;

	if (ec->cm == NULL)
		return;
	if (ec->value)
		errcontext("column \"%s\" of foreign table \"%s\", value \"%.*s%s\" from %s %s",
				   ec->cm->attname, ec->rc->relname,
				   pg_mbcliplen(ec->value, strlen(ec->value), RF_VALUE_SHOWN),
				   ec->value,
				   strlen(ec->value) > RF_VALUE_SHOWN ? "..." : "",
				   ec->rc->vendor, ec->rc->endpoint);
	else
		errcontext("column \"%s\" of foreign table \"%s\" from %s %s",
				   ec->cm->attname, ec->rc->relname,
				   ec->rc->vendor, ec->rc->endpoint);
}

static void wrong_type(RfConvErrorContext *ec, json_object *v) pg_attribute_noreturn();

static void
wrong_type(RfConvErrorContext *ec, json_object *v)
{
	RfColMap   *cm = ec->cm;

	ec->cm = NULL;				/* the message says it all */
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("%s sent a JSON %s for column \"%s\" of foreign table \"%s\", which has type %s",
					ec->rc->vendor, json_type_to_name(json_object_get_type(v)),
					cm->attname, ec->rc->relname, format_type_be(cm->typid)),
			 errdetail("Value: %s. Endpoint: %s.", json_excerpt(v), ec->rc->endpoint),
			 errhint("Declare the column as text or jsonb to take any value.")));
}

/* A JSON string in the server encoding, refusing NUL bytes */
static char *
server_string(json_object *v, int *lenp)
{
	const char *s = json_object_get_string(v);
	int			len = json_object_get_string_len(v);

	if (memchr(s, '\0', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg("unsupported Unicode escape sequence"),
				 errdetail("\\u0000 cannot be converted to text.")));
	if (GetDatabaseEncoding() != PG_UTF8)
	{
		s = pg_any_to_server(s, len, PG_UTF8);
		len = strlen(s);
	}
	*lenp = len;
	return (char *) s;
}

/* Any JSON value as text: strings as they are, the rest as JSON */
static char *
json_as_cstring(json_object *v, int *lenp)
{
	const char *s;

	if (json_object_is_type(v, json_type_string))
		return server_string(v, lenp);
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
									   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (GetDatabaseEncoding() != PG_UTF8)
		s = pg_any_to_server(s, strlen(s), PG_UTF8);
	*lenp = strlen(s);
	return (char *) s;
}

static Datum
call_input(RfConvErrorContext *ec, char *s)
{
	ec->value = s;
	return InputFunctionCall(&ec->cm->infunc, s, ec->cm->typioparam,
							 ec->cm->typmod);
}

/* An integer value: JSON integers, integral doubles, or digit strings */
static int64
json_to_int64(RfConvErrorContext *ec, json_object *v, int64 min, int64 max)
{
	int64		result;

	switch (json_object_get_type(v))
	{
		case json_type_int:
			result = json_object_get_int64(v);
			if (result == PG_INT64_MAX && json_object_get_uint64(v) > (uint64) PG_INT64_MAX)
				result = max, min = max + 1;	/* forces the range error */
			break;
		case json_type_double:
			{
				double		d = json_object_get_double(v);

				if (!isfinite(d) || d != floor(d) ||
					d < (double) PG_INT64_MIN || d >= (double) PG_INT64_MAX)
					wrong_type(ec, v);
				result = (int64) d;
				break;
			}
		case json_type_string:
			{
				int			len;
				char	   *s = server_string(v, &len);
				char	   *end;

				bool		overflow;

				ec->value = s;
				errno = 0;
				result = strtoll(s, &end, 10);
				overflow = (errno == ERANGE);
				if (end == s || *end != '\0' || overflow)
					ereport(ERROR,
							(errcode(overflow ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE :
									 ERRCODE_INVALID_TEXT_REPRESENTATION),
							 errmsg("invalid input syntax for type %s: \"%s\"",
									format_type_be(ec->cm->typid), s)));
				break;
			}
		default:
			wrong_type(ec, v);
	}
	if (result < min || result > max)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value %s is out of range for type %s",
						json_object_get_string(v), format_type_be(ec->cm->typid))));
	return result;
}

static Datum
json_to_textarray(RfConvErrorContext *ec, json_object *v)
{
	int			n = (int) json_object_array_length(v);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(v, i);
		int			len;
		char	   *s;

		nulls[i] = (e == NULL || json_object_is_type(e, json_type_null));
		if (nulls[i])
			continue;
		s = json_as_cstring(e, &len);
		elems[i] = PointerGetDatum(cstring_to_text_with_len(s, len));
	}
	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Convert one non-null JSON value to the column's type.
 */
static Datum
json_to_datum(RfConvErrorContext *ec, json_object *v)
{
	RfColMap   *cm = ec->cm;
	json_type	jt = json_object_get_type(v);
	bool		scalar = (jt != json_type_object && jt != json_type_array);
	int			len;
	char	   *s;

	switch (cm->conv)
	{
		case CONV_TEXT:
			s = json_as_cstring(v, &len);
			return PointerGetDatum(cstring_to_text_with_len(s, len));
		case CONV_INT2:
			return Int16GetDatum((int16) json_to_int64(ec, v, PG_INT16_MIN, PG_INT16_MAX));
		case CONV_INT4:
			return Int32GetDatum((int32) json_to_int64(ec, v, PG_INT32_MIN, PG_INT32_MAX));
		case CONV_INT8:
			return Int64GetDatum(json_to_int64(ec, v, PG_INT64_MIN, PG_INT64_MAX));
		case CONV_FLOAT8:
			if (jt == json_type_int || jt == json_type_double)
				return Float8GetDatum(json_object_get_double(v));
			break;
		case CONV_NUMERIC:
			if (jt == json_type_int)
				return NumericGetDatum(int64_to_numeric(json_object_get_int64(v)));
			break;
		case CONV_BOOL:
			if (jt == json_type_boolean)
				return BoolGetDatum(json_object_get_boolean(v));
			if (jt != json_type_string)
				wrong_type(ec, v);
			break;
		case CONV_JSON:
		case CONV_JSONB:
			s = pstrdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
													   JSON_C_TO_STRING_NOSLASHESCAPE));
			if (GetDatabaseEncoding() != PG_UTF8)
				s = pg_any_to_server(s, strlen(s), PG_UTF8);
			return call_input(ec, s);
		case CONV_TEXTARRAY:
			if (jt == json_type_array)
				return json_to_textarray(ec, v);
			break;
		case CONV_INPUT:
			break;
	}

	/*
	 * The rest goes through the type's input function: strings for any
	 * type, other scalars only where their JSON text is a valid input.
	 */
	if (!scalar)
		wrong_type(ec, v);
	if (jt != json_type_string && cm->conv != CONV_INPUT &&
		!(cm->conv == CONV_NUMERIC && jt == json_type_double))
		wrong_type(ec, v);
	s = json_as_cstring(v, &len);
	return call_input(ec, s);
}

/* Find a row's field along a pre-split path */
static json_object *
row_field(json_object *row, RfColMap *cm)
{
	json_object *v = row;

	for (int i = 0; i < cm->npath; i++)
	{
		/* "*": the first member of an object (or element of an array) */
		if (cm->path_parts[i][0] == '*' && cm->path_parts[i][1] == '\0')
		{
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
			return NULL;
		}
		if (!json_object_is_type(v, json_type_object) ||
			!json_object_object_get_ex(v, cm->path_parts[i], &v))
			return NULL;
	}
	return v;
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
 * Resolve a reference of a nested row: a JSON value, or (for member keys
 * and request constants) a string in *str.  NULL and no string when the
 * value is not there.
 */
static json_object *
resolve_ref(RfPage *page, RfRowRef *ref, json_object *row, RfColMap *cm,
			RfRowContext *rc, const char **str)
{
	int			level;

	*str = NULL;
	if (cm->const_name)
	{
		*str = series_const(rc, cm->const_name);
		return NULL;
	}
	if (cm->npath == 0 && !cm->is_key)
		return NULL;			/* an empty part */
	if (cm->from_root)
		return row_field(page->doc, cm);
	if (cm->abs_level < 0 && cm->group_type == NULL && cm->up == 0 && !cm->is_key)
		return row_field(row, cm);	/* from_root was handled above */
	if (ref == NULL)
		return NULL;
	if (cm->abs_level >= 0)
		level = cm->abs_level;
	else if (cm->group_type)
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
				strcmp(json_object_get_string(t), cm->group_type) == 0)
				break;
		}
		level -= cm->up;
	}
	else
		level = page->depth - 1 - cm->up;
	if (level < 0 || level >= page->depth)
		return NULL;
	if (cm->is_key)
	{
		*str = ref->keys[level];
		return NULL;
	}
	return row_field(ref->objs[level], cm);
}

/* A part of a composite value as text, or NULL */
static const char *
part_text(RfPage *page, RfRowRef *ref, json_object *row, RfColMap *part,
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

	if (page->depth > 1 || page->refs)
	{
		ref = &page->refs[rowno];
		row = ref->objs[page->depth - 1];
	}
	else
		row = json_object_array_get_idx(page->rows, rowno);
	if (row == NULL || !json_object_is_type(row, json_type_object))
		shape_error(page, psprintf("row %d is not an object", rowno + 1), row);

	ec.rc = rc;
	ec.cm = NULL;
	ec.value = NULL;
	errcb.callback = conversion_error_callback;
	errcb.arg = &ec;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

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
			char	   *text = date ? local_time_text(date, time, zone, cm->local_end) : NULL;

			nulls[att] = (date == NULL);
			if (date)
			{
				ec.cm = cm;
				ec.value = text ? text : date;
				values[att] = call_input(&ec, text ? text : pstrdup(date));
			}
			continue;
		}
		if (cm->up == 0 && !cm->is_key && cm->abs_level < 0 && !cm->from_root &&
			cm->group_type == NULL && cm->const_name == NULL)
			v = row_field(row, cm);
		else
		{
			const char *str;

			v = resolve_ref(page, ref, row, cm, rc, &str);
			if (str || cm->const_name || cm->is_key)
			{
				nulls[att] = (str == NULL);
				if (str)
				{
					ec.cm = cm;
					ec.value = str;
					values[att] = call_input(&ec, pstrdup(str));
				}
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
		values[att] = json_to_datum(&ec, v);
		nulls[att] = false;
	}

	error_context_stack = errcb.previous;
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

	if (c == NULL)
		return NULL;
	e = cache_find(c, psprintf("%u %s", umid, url));
	if (e == NULL)
		return NULL;
	page = palloc0(sizeof(RfPage));
	page->vendor = vendor;
	page->endpoint = ep->path;
	page->cleanup.func = page_cleanup;
	page->cleanup.arg = page;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &page->cleanup);
	page->doc = e->doc ? json_object_get(e->doc) : NULL;
	return page_rows(page, ep);
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
	e->doc = page->doc ? json_object_get(page->doc) : NULL;
	c->entries = lappend(c->entries, e);
	MemoryContextSwitchTo(old);
}
