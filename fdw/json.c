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
#undef json_object
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

struct RfPage
{
	json_object *doc;
	json_object *rows;			/* borrowed from doc */
	int			nrows;
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
 * Take the parsed document of a finished transfer as a page.  The rows are
 * the array at the endpoint's rows_path (the whole body when NULL).  A
 * transfer without a body (an allowed 404) gives an empty page.
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
	if (page->doc == NULL)
		return page;

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

	for (const char *p = json_path; *p; p++)
		n += (*p == '.');
	cm->path_parts = palloc(sizeof(char *) * n);
	cm->npath = 0;
	copy = pstrdup(json_path);
	for (tok = strtok_r(copy, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		cm->path_parts[cm->npath++] = tok;

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
		if (!json_object_is_type(v, json_type_object) ||
			!json_object_object_get_ex(v, cm->path_parts[i], &v))
			return NULL;
	}
	return v;
}

/*
 * Fill values/nulls for the mapped columns of one row.  Columns that are
 * not mapped keep whatever the caller set (NULL).
 */
void
rf_page_row(RfPage *page, int rowno, RfRowContext *rc, Datum *values,
			bool *nulls)
{
	json_object *row = json_object_array_get_idx(page->rows, rowno);
	RfConvErrorContext ec;
	ErrorContextCallback errcb;

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
		json_object *v = row_field(row, cm);
		int			att = cm->attnum - 1;

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
