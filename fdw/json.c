/*-------------------------------------------------------------------------
 *
 * json.c
 *		  JSON to Datum mapping: with jsonpage.c and rf_port.c, the only
 *		  files that use json-c.
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

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
/* PostgreSQL declares an SQL function json_object(); json-c a type */
#define json_object pg_json_object_function
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/date.h"
#include "utils/timestamp.h"
#undef json_object
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "json.h"
#include "jsonpage.h"
#include "reqplan.h"
#include "rf_port.h"
#include "vendor.h"

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
	CONV_TIMESTAMPTZ,			/* fast ISO 8601 path, else the input function */
	CONV_TIMESTAMP,
	CONV_DATE,
	CONV_INPUT					/* the type's input function */
};

/* Types whose strings (and other scalars) go to the input function */
#define CONV_IS_INPUT(c) ((c) == CONV_INPUT || (c) == CONV_TIMESTAMPTZ || \
						  (c) == CONV_TIMESTAMP || (c) == CONV_DATE)

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

/* ----------------------------------------------------------------
 *		Row conversion
 * ----------------------------------------------------------------
 */

void
rf_colmap_init(RfColMap *cm, const char *attname, Oid typid, int32 typmod,
			   const char *json_path)
{
	Oid			infunc;

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
	cm->oneof = NULL;
	cm->zclock = false;
	if (strncmp(json_path, "localtime:", 10) == 0)
	{
		char	   *spec = pstrdup(json_path + 10);
		char	   *part;
		char	   *ssave;

		cm->sub = palloc0(sizeof(RfJsonRef) * 4);
		for (part = strtok_r(spec, ";", &ssave); part && cm->nsub < 4;
			 part = strtok_r(NULL, ";", &ssave))
		{
			if (strcmp(part, "end") == 0)
			{
				cm->local_end = true;
				continue;
			}
			rf_json_ref_parse(&cm->sub[cm->nsub++],
							  strcmp(part, "-") == 0 ? "" : part);
		}
		if (cm->nsub != 3)
			elog(ERROR, "invalid localtime path \"%s\"", json_path);
		cm->is_local = true;
		json_path = "";
	}
	/*
	 * "zclock:<time>;<location>": a time written "...Z", which the row
	 * context reads as UTC or as the wall clock of the location's zone
	 */
	else if (strncmp(json_path, "zclock:", 7) == 0)
	{
		char	   *spec = pstrdup(json_path + 7);
		char	   *part;
		char	   *ssave;

		cm->sub = palloc0(sizeof(RfJsonRef) * 2);
		for (part = strtok_r(spec, ";", &ssave); part && cm->nsub < 2;
			 part = strtok_r(NULL, ";", &ssave))
			rf_json_ref_parse(&cm->sub[cm->nsub++], part);
		if (cm->nsub != 2)
			elog(ERROR, "invalid zclock path \"%s\"", json_path);
		cm->zclock = true;
		json_path = "";
	}
	/*
	 * "oneof:<const>;<ref>;<ref>...": the first of the references whose
	 * string is one of the request's constants named <const> -- which of
	 * the values asked for together a row answers to.
	 */
	else if (strncmp(json_path, "oneof:", 6) == 0)
	{
		char	   *spec = pstrdup(json_path + 6);
		char	   *part;
		char	   *ssave;

		cm->oneof = strtok_r(spec, ";", &ssave);
		cm->sub = palloc0(sizeof(RfJsonRef) * 4);
		for (part = strtok_r(NULL, ";", &ssave); part && cm->nsub < 4;
			 part = strtok_r(NULL, ";", &ssave))
			rf_json_ref_parse(&cm->sub[cm->nsub++], part);
		if (cm->oneof == NULL || cm->nsub == 0)
			elog(ERROR, "invalid oneof path \"%s\"", json_path);
		json_path = "";
	}
	/* the syntax of references: see jsonpage.h */
	cm->ref = palloc(sizeof(RfJsonRef));
	rf_json_ref_parse(cm->ref, json_path);

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
		case TIMESTAMPTZOID:
			cm->conv = (typmod < 0) ? CONV_TIMESTAMPTZ : CONV_INPUT;
			break;
		case TIMESTAMPOID:
			cm->conv = (typmod < 0) ? CONV_TIMESTAMP : CONV_INPUT;
			break;
		case DATEOID:
			cm->conv = CONV_DATE;
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
			 errdetail("Value: %s. Endpoint: %s.", rf_json_excerpt(v), ec->rc->endpoint),
			 errhint("Declare the column as text or jsonb to take any value.")));
}

/*
 * Vendor bytes must be valid UTF-8 before they become text: PostgreSQL's
 * verifier refuses overlong forms, encoded surrogates, code points past
 * U+10FFFF and NUL, which json-c lets through.  The error shows the bad
 * bytes in hex, never raw.
 */
static void
verify_utf8(RfConvErrorContext *ec, const char *s, int len)
{
	int			ok = pg_verify_mbstr_len(PG_UTF8, s, len, true);

	if (ok < 0)
	{
		int			bad = 0;
		StringInfoData hex;
		const char *attname = ec && ec->cm ? ec->cm->attname : "?";

		/* find the first bad sequence: verify growing prefixes */
		while (bad < len)
		{
			int			l = pg_utf_mblen((const unsigned char *) s + bad);

			if (bad + l > len || !pg_verify_mbstr(PG_UTF8, s + bad, l, true))
				break;
			bad += l;
		}
		initStringInfo(&hex);
		for (int i = bad; i < len && i < bad + 4; i++)
			appendStringInfo(&hex, "%s0x%02x", i > bad ? " " : "", (unsigned char) s[i]);
		if (ec)
			ec->cm = NULL;		/* the context line would show the bytes */
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s sent invalid UTF-8 for column \"%s\" of foreign table \"%s\"",
						ec ? ec->rc->vendor : "the vendor", attname,
						ec ? ec->rc->relname : "?"),
				 errdetail("Bytes %s at offset %d of the value are not a valid UTF-8 sequence. Endpoint: %s.",
						   hex.data, bad, ec ? ec->rc->endpoint : "?"),
				 errhint("The vendor's answer is not valid UTF-8; nothing of it was stored. Report it to the vendor.")));
	}
}

/* A JSON string in the server encoding, refusing NUL bytes and bad UTF-8 */
static char *
server_string(RfConvErrorContext *ec, json_object *v, int *lenp)
{
	const char *s = json_object_get_string(v);
	int			len = json_object_get_string_len(v);

	if (memchr(s, '\0', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg("unsupported Unicode escape sequence"),
				 errdetail("\\u0000 cannot be converted to text.")));
	verify_utf8(ec, s, len);
	if (GetDatabaseEncoding() != PG_UTF8)
	{
		s = pg_any_to_server(s, len, PG_UTF8);
		len = strlen(s);
	}
	*lenp = len;
	return (char *) s;
}

/*
 * A JSON number's text as the vendor wrote it, refusing NaN and Infinity
 * (which JSON does not have, though json-c reads them).  NULL for json-c's
 * native integers, whose text is exact anyway.
 */
static char *
number_text(RfConvErrorContext *ec, json_object *v)
{
	size_t		len;
	const char *t = rf_json_number_text(v, &len);
	double		d;

	if (t == NULL)
		return NULL;
	d = json_object_get_double(v);
	if (isnan(d) || (isinf(d) && !(t[0] >= '0' && t[0] <= '9') &&
					 !(t[0] == '-' && t[1] >= '0' && t[1] <= '9')))
	{
		const char *attname = ec && ec->cm ? ec->cm->attname : "?";

		if (ec)
			ec->cm = NULL;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("%s sent %.*s for column \"%s\" of foreign table \"%s\", which is not a JSON number",
						ec ? ec->rc->vendor : "the vendor", (int) Min(len, 32), t,
						attname, ec ? ec->rc->relname : "?"),
				 errdetail("JSON has no NaN or Infinity. Endpoint: %s.", ec ? ec->rc->endpoint : "?"),
				 errhint("Declare the column as text to see the vendor's value.")));
	}
	return pnstrdup(t, len);
}

/*
 * A JSON document as text without the marks the stream put on big
 * integers: a digit followed by the mark, outside strings, loses the mark.
 */
static char *
unmarked_json(const char *s)
{
	size_t		mlen = strlen(RF_JSON_BIG_MARK);
	StringInfoData buf;
	bool		in_string = false;
	bool		escape = false;

	if (strstr(s, RF_JSON_BIG_MARK) == NULL)
		return pstrdup(s);
	initStringInfo(&buf);
	for (const char *p = s; *p; p++)
	{
		if (in_string)
		{
			if (escape)
				escape = false;
			else if (*p == '\\')
				escape = true;
			else if (*p == '"')
				in_string = false;
		}
		else if (*p == '"')
			in_string = true;
		else if (*p >= '0' && *p <= '9' && strncmp(p + 1, RF_JSON_BIG_MARK, mlen) == 0)
		{
			appendStringInfoChar(&buf, *p);
			p += mlen;
			continue;
		}
		appendStringInfoChar(&buf, *p);
	}
	return buf.data;
}

/* Any JSON value as text: strings as they are, the rest as JSON */
static char *
json_as_cstring(RfConvErrorContext *ec, json_object *v, int *lenp)
{
	char	   *s;

	if (json_object_is_type(v, json_type_string))
		return server_string(ec, v, lenp);
	if ((s = number_text(ec, v)) == NULL)
		s = unmarked_json(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
														 JSON_C_TO_STRING_NOSLASHESCAPE));
	verify_utf8(ec, s, strlen(s));
	if (GetDatabaseEncoding() != PG_UTF8)
		s = pg_any_to_server(s, strlen(s), PG_UTF8);
	*lenp = strlen(s);
	return s;
}

static Datum
call_input(RfConvErrorContext *ec, char *s)
{
	ec->value = s;
	return InputFunctionCall(&ec->cm->infunc, s, ec->cm->typioparam,
							 ec->cm->typmod);
}

/* A vendor's number for a message: at most RF_VALUE_SHOWN characters */
static const char *
shown_number(const char *text)
{
	if (strlen(text) <= RF_VALUE_SHOWN)
		return text;
	return psprintf("%.*s...", RF_VALUE_SHOWN, text);
}

/*
 * 22003 for a vendor number an integer column cannot hold: past the type's
 * range, or (fractional) with a fractional part, which is never rounded.
 */
static void number_error(RfConvErrorContext *ec, const char *text, bool fractional) pg_attribute_noreturn();

static void
number_error(RfConvErrorContext *ec, const char *text, bool fractional)
{
	RfColMap   *cm = ec->cm;

	ec->cm = NULL;
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 fractional ?
			 errmsg("value %s sent by %s is not an integer, as type %s requires",
					shown_number(text), ec->rc->vendor, format_type_be(cm->typid)) :
			 errmsg("value %s sent by %s is out of range for type %s",
					shown_number(text), ec->rc->vendor, format_type_be(cm->typid)),
			 errdetail("Column \"%s\" of foreign table \"%s\". Endpoint: %s.%s",
					   cm->attname, ec->rc->relname, ec->rc->endpoint,
					   fractional ? " The value has a fractional part; it is not rounded." : ""),
			 errhint("Declare the column as numeric or text to take the vendor's value.")));
}

#define out_of_range(ec, text)	number_error((ec), (text), false)
#define not_integral(ec, text)	number_error((ec), (text), true)

/* What integral_value found */
typedef enum
{
	INTEGRAL_OK,
	INTEGRAL_FRACTION,			/* not an integer */
	INTEGRAL_RANGE				/* an integer past int64 */
} IntegralResult;

/*
 * The integer a JSON number's text stands for, read from its decimal
 * digits, never through a double: "12.0", "1.2e1" and "1200e-2" are 12,
 * "9007199254740993.0" is 9007199254740993, "0.9999999999999999999" is
 * not an integer.  The text is a JSON number (the stream checked it).
 */
static IntegralResult
integral_value(const char *t, int64 *result)
{
	const char *p = t;
	bool		neg = false;
	char	   *digits = palloc(strlen(t) + 1);
	int			n = 0;
	int			nfrac = 0;
	int			start;
	int			end;
	int64		exp = 0;
	int64		e;
	uint64		mag = 0;

	if (*p == '-')
	{
		neg = true;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		digits[n++] = *p;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++)
			digits[n++] = *p;
	if (*p == 'e' || *p == 'E')
	{
		bool		eneg;

		p++;
		eneg = (*p == '-');
		if (*p == '-' || *p == '+')
			p++;
		/* past 10^9 either way, only zero is an integer in range */
		for (; *p >= '0' && *p <= '9'; p++)
			if (exp < INT64CONST(1000000000))
				exp = exp * 10 + (*p - '0');
		if (eneg)
			exp = -exp;
	}
	/* the value is digits[start..n) * 10^e */
	for (start = 0; start < n && digits[start] == '0'; start++)
		;
	*result = 0;
	if (start == n)
		goto done;
	e = exp - nfrac;
	end = n;
	if (e < 0)
	{
		/* the last -e digits are the fraction: all must be zero */
		if (-e >= n - start)
			goto fraction;		/* digits[start] is not zero */
		for (int k = n + (int) e; k < n; k++)
			if (digits[k] != '0')
				goto fraction;
		end = n + (int) e;
		e = 0;
	}
	if ((end - start) + e > 19)
		goto range;
	for (int k = start; k < end; k++)
		mag = mag * 10 + (digits[k] - '0');
	for (; e > 0; e--)
		mag *= 10;				/* 19 digits at most: no overflow */
	if (mag > (neg ? (uint64) PG_INT64_MAX + 1 : (uint64) PG_INT64_MAX))
		goto range;
	*result = neg ? (int64) (0 - mag) : (int64) mag;
done:
	pfree(digits);
	return INTEGRAL_OK;
fraction:
	pfree(digits);
	return INTEGRAL_FRACTION;
range:
	pfree(digits);
	return INTEGRAL_RANGE;
}

/*
 * An integer value: JSON integers, integral numbers, or digit strings.
 * Numbers json-c did not read as 64-bit integers (big integers, which
 * arrive with their text, see RF_JSON_BIG_MARK, and numbers written with a
 * point or an exponent) are read from the vendor's digits, so that neither
 * json-c's clamping nor a double's rounding can change one: 12.0 is 12,
 * 0.5 and 0.9999999999999999999 are errors.
 */
static int64
json_to_int64(RfConvErrorContext *ec, json_object *v, int64 min, int64 max)
{
	int64		result;
	char	   *text = NULL;

	switch (json_object_get_type(v))
	{
		case json_type_int:
			result = json_object_get_int64(v);
			break;
		case json_type_double:
			text = number_text(ec, v);
			switch (integral_value(text, &result))
			{
				case INTEGRAL_OK:
					break;
				case INTEGRAL_FRACTION:
					not_integral(ec, text);
				case INTEGRAL_RANGE:
					out_of_range(ec, text);
			}
			break;
		case json_type_string:
			{
				int			len;
				char	   *s = server_string(ec, v, &len);
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
				text = s;
				break;
			}
		default:
			wrong_type(ec, v);
	}
	if (result < min || result > max)
		out_of_range(ec, text ? text : psprintf(INT64_FORMAT, result));
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
		s = json_as_cstring(ec, e, &len);
		elems[i] = PointerGetDatum(cstring_to_text_with_len(s, len));
	}
	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  TEXTOID, -1, false, TYPALIGN_INT));
}

/* ----------------------------------------------------------------
 *		jsonb straight from json-c's tree
 *
 * A jsonb column used to get its value as json-c's text of it, which
 * jsonb_in then parsed into a tree of JsonbValues (some 700 bytes for a
 * small object such as {"ab":1}) before writing the binary form: with
 * json-c's own tree still alive, a field of many small objects took about
 * 140 times its bytes.  Here the binary form is written directly from
 * json-c's tree, in PostgreSQL's layout (utils/jsonb.h, as
 * convertJsonbValue writes it): a container is its header, one JEntry per
 * element (keys, then values, for an object; keys sorted by length, then
 * bytes), then the elements' data, every JB_OFFSET_STRIDE'th JEntry an
 * end offset, the others lengths; numerics and containers int-aligned.
 * Only the output grows; strings and numbers are checked as for text
 * (UTF-8, no \u0000, no NaN), numbers keep the vendor's digits.
 * ----------------------------------------------------------------
 */

typedef struct JsonbMember
{
	const char *key;
	int			len;
	json_object *val;
} JsonbMember;

static void jsonb_put(RfConvErrorContext *ec, StringInfo buf, JEntry *header,
					  json_object *v);

static int
jsonb_pad(StringInfo buf)
{
	int			pad = INTALIGN(buf->len) - buf->len;

	appendBinaryStringInfo(buf, "\0\0\0", pad);
	return pad;
}

static void
jsonb_too_large(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("total size of jsonb elements exceeds the maximum of %d bytes",
					JENTRY_OFFLENMASK)));
}

/* Fill in the JEntry of element i (of n: keys, then values, for objects) */
static void
jsonb_entry(StringInfo buf, int at, int i, JEntry meta, int *totallen)
{
	*totallen += JBE_OFFLENFLD(meta);
	if (*totallen > JENTRY_OFFLENMASK)
		jsonb_too_large();
	if (i % JB_OFFSET_STRIDE == 0)
		meta = (meta & JENTRY_TYPEMASK) | *totallen | JENTRY_HAS_OFF;
	memcpy(buf->data + at + sizeof(JEntry) * i, &meta, sizeof(JEntry));
}

/* Reserve n JEntries; their offset in buf */
static int
jsonb_reserve(StringInfo buf, int n)
{
	int			at = buf->len;

	enlargeStringInfo(buf, sizeof(JEntry) * n);
	buf->len += sizeof(JEntry) * n;
	return at;
}

static int
jsonb_member_cmp(const void *a, const void *b)
{
	const JsonbMember *x = a;
	const JsonbMember *y = b;

	if (x->len != y->len)
		return x->len > y->len ? 1 : -1;
	return memcmp(x->key, y->key, x->len);
}

/* A key in the server encoding, checked as a string value is */
static const char *
jsonb_key(RfConvErrorContext *ec, const char *key, int *len)
{
	*len = strlen(key);
	verify_utf8(ec, key, *len);
	if (GetDatabaseEncoding() != PG_UTF8)
	{
		key = pg_any_to_server(key, *len, PG_UTF8);
		*len = strlen(key);
	}
	return key;
}

static void
jsonb_put_container(RfConvErrorContext *ec, StringInfo buf, JEntry *pheader,
					json_object *v, bool raw_scalar)
{
	int			base = buf->len;
	int			totallen = 0;
	uint32		header;
	int			at;

	check_stack_depth();
	jsonb_pad(buf);
	if (raw_scalar || json_object_is_type(v, json_type_array))
	{
		int			n = raw_scalar ? 1 : (int) json_object_array_length(v);

		header = n | JB_FARRAY | (raw_scalar ? JB_FSCALAR : 0);
		appendBinaryStringInfo(buf, (char *) &header, sizeof(uint32));
		at = jsonb_reserve(buf, n);
		for (int i = 0; i < n; i++)
		{
			JEntry		meta;

			jsonb_put(ec, buf, &meta, raw_scalar ? v : json_object_array_get_idx(v, i));
			jsonb_entry(buf, at, i, meta, &totallen);
		}
	}
	else
	{
		int			n = json_object_object_length(v);
		JsonbMember *m = palloc(sizeof(JsonbMember) * Max(n, 1));
		int			k = 0;

		/* json-c keeps one value per key, the last, as jsonb does */
		json_object_object_foreach(v, key, val)
		{
			m[k].key = jsonb_key(ec, key, &m[k].len);
			m[k].val = val;
			k++;
		}
		qsort(m, n, sizeof(JsonbMember), jsonb_member_cmp);
		header = n | JB_FOBJECT;
		appendBinaryStringInfo(buf, (char *) &header, sizeof(uint32));
		at = jsonb_reserve(buf, n * 2);
		for (int i = 0; i < n; i++)
		{
			if (m[i].len > JENTRY_OFFLENMASK)
				jsonb_too_large();
			appendBinaryStringInfo(buf, m[i].key, m[i].len);
			jsonb_entry(buf, at, i, (JEntry) m[i].len, &totallen);
		}
		for (int i = 0; i < n; i++)
		{
			JEntry		meta;

			jsonb_put(ec, buf, &meta, m[i].val);
			jsonb_entry(buf, at, i + n, meta, &totallen);
		}
		pfree(m);
	}
	if (buf->len - base > JENTRY_OFFLENMASK)
		jsonb_too_large();
	*pheader = JENTRY_ISCONTAINER | (buf->len - base);
}

/* One value: its data appended to buf, its JEntry (type, length) set */
static void
jsonb_put(RfConvErrorContext *ec, StringInfo buf, JEntry *header, json_object *v)
{
	switch (json_object_get_type(v))
	{
		case json_type_null:
			*header = JENTRY_ISNULL;
			break;
		case json_type_boolean:
			*header = json_object_get_boolean(v) ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE;
			break;
		case json_type_string:
			{
				int			len;
				char	   *s = server_string(ec, v, &len);

				if (len > JENTRY_OFFLENMASK)
					jsonb_too_large();
				appendBinaryStringInfo(buf, s, len);
				*header = len;
				break;
			}
		case json_type_int:
		case json_type_double:
			{
				char	   *text = number_text(ec, v);
				Numeric		num;
				int			pad;

				/* the vendor's digits, as jsonb_in would read them */
				num = text ? DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
																 ObjectIdGetDatum(InvalidOid),
																 Int32GetDatum(-1))) :
					int64_to_numeric(json_object_get_int64(v));
				pad = jsonb_pad(buf);
				appendBinaryStringInfo(buf, (char *) num, VARSIZE_ANY(num));
				*header = JENTRY_ISNUMERIC | (pad + VARSIZE_ANY(num));
				pfree(num);
				if (text)
					pfree(text);
				break;
			}
		case json_type_object:
		case json_type_array:
			jsonb_put_container(ec, buf, header, v, false);
			break;
	}
}

static Datum
json_to_jsonb(RfConvErrorContext *ec, json_object *v)
{
	StringInfoData buf;
	JEntry		header;
	json_type	jt = json_object_get_type(v);

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, "\0\0\0\0", VARHDRSZ);
	/* a scalar is an array of one element marked as a scalar */
	jsonb_put_container(ec, &buf, &header, v,
						jt != json_type_object && jt != json_type_array);
	SET_VARSIZE(buf.data, buf.len);
	return PointerGetDatum(buf.data);
}

/* ----------------------------------------------------------------
 *		Fast date and time input
 *
 * Vendors write times as ISO 8601: "2025-08-13T10:04:05.123Z",
 * "2025-08-13T10:04:05+02:00", "2025-08-13".  Those common shapes are
 * read here directly; anything else (other separators, years before 1000,
 * 'infinity', time zone names, out-of-range fields, a session time zone to
 * apply) returns false and goes to the type's input function, which also
 * raises every error.  What is read here must give exactly the Datum the
 * input function gives: the arithmetic is PostgreSQL's (fractional
 * seconds as ParseFractionalSecond rounds them, offsets as DecodeTimezone
 * limits them), and sql/fastpath.sql compares both on many strings.
 * ----------------------------------------------------------------
 */

/* n digits at s as a number, or -1 */
static inline int
fast_digits(const char *s, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * "YYYY-MM-DD" and optionally "THH:MM:SS[.f]" (or a space for the T, 1-9
 * fraction digits) and "Z" or "+hh:mm" / "-hh:mm".  *date is the Julian
 * day, *usecs the time of day; *tz_east the offset in seconds, when one
 * was given.
 */
static bool
fast_iso8601(const char *s, int *date, int64 *usecs, bool *has_time,
			 bool *has_tz, int *tz_east)
{
	int			y = fast_digits(s, 4);
	int			m,
				d,
				hh,
				mi,
				ss;
	fsec_t		fsec = 0;
	const char *p;

	*has_time = false;
	*has_tz = false;
	*usecs = 0;
	/* years before 1000 have other spellings; leave them to datetime.c */
	if (y < 1000 || s[4] != '-' || s[7] != '-')
		return false;
	m = fast_digits(s + 5, 2);
	d = fast_digits(s + 8, 2);
	if (m < 1 || m > 12 || d < 1 ||
		d > day_tab[((y % 4 == 0) && ((y % 100 != 0) || (y % 400 == 0)))][m - 1])
		return false;
	*date = date2j(y, m, d);
	if (s[10] == '\0')
		return true;
	if (s[10] != 'T' && s[10] != ' ')
		return false;
	hh = fast_digits(s + 11, 2);
	mi = fast_digits(s + 14, 2);
	ss = fast_digits(s + 17, 2);
	if (s[13] != ':' || s[16] != ':' || hh < 0 || hh > 23 || mi < 0 || mi > 59 ||
		ss < 0 || ss > 59)
		return false;
	p = s + 19;
	if (*p == '.')
	{
		int			n = 0;
		char		frac[12];
		double		f;

		while (p[1 + n] >= '0' && p[1 + n] <= '9')
			n++;
		if (n < 1 || n > 9)
			return false;
		/* as ParseFractionalSecond: strtod, then rint of the microseconds */
		memcpy(frac, p, n + 1);
		frac[n + 1] = '\0';
		f = strtod(frac, NULL);
		fsec = (fsec_t) rint(f * 1000000);
		p += n + 1;
	}
	*has_time = true;
	*usecs = (((int64) hh * MINS_PER_HOUR + mi) * SECS_PER_MINUTE + ss) * USECS_PER_SEC + fsec;
	if (*p == 'Z' && p[1] == '\0')
	{
		*has_tz = true;
		*tz_east = 0;
		return true;
	}
	if ((*p == '+' || *p == '-') && p[3] == ':' && p[6] == '\0')
	{
		int			th = fast_digits(p + 1, 2);
		int			tm = fast_digits(p + 4, 2);

		if (th < 0 || th > 15 || tm < 0 || tm > 59)
			return false;		/* DecodeTimezone's limits */
		*has_tz = true;
		*tz_east = (th * MINS_PER_HOUR + tm) * SECS_PER_MINUTE * (*p == '-' ? -1 : 1);
		return true;
	}
	return *p == '\0';
}

/*
 * A timestamptz, timestamp or date (without typmod) from an ISO 8601
 * string of a common shape: true and *result, or false when the input
 * function must decide.  Exported for test/hooks, which compares it with
 * the input functions.
 */
bool
rf_fast_datetime(const char *s, Oid typid, Datum *result)
{
	int			date;
	int64		usecs;
	bool		has_time;
	bool		has_tz;
	int			tz_east = 0;
	int64		ts;

	if (!fast_iso8601(s, &date, &usecs, &has_time, &has_tz, &tz_east))
		return false;
	ts = (int64) (date - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY + usecs;
	switch (typid)
	{
		case TIMESTAMPTZOID:
			/* without an offset the session's time zone applies */
			if (!has_tz)
				return false;
			*result = TimestampTzGetDatum(ts - (int64) tz_east * USECS_PER_SEC);
			return true;
		case TIMESTAMPOID:
			/* timestamp ignores a given offset, as timestamp_in does */
			*result = TimestampGetDatum(ts);
			return true;
		case DATEOID:
			*result = DateADTGetDatum(date - POSTGRES_EPOCH_JDATE);
			return true;
	}
	return false;
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
			s = json_as_cstring(ec, v, &len);
			return PointerGetDatum(cstring_to_text_with_len(s, len));
		case CONV_INT2:
			return Int16GetDatum((int16) json_to_int64(ec, v, PG_INT16_MIN, PG_INT16_MAX));
		case CONV_INT4:
			return Int32GetDatum((int32) json_to_int64(ec, v, PG_INT32_MIN, PG_INT32_MAX));
		case CONV_INT8:
			return Int64GetDatum(json_to_int64(ec, v, PG_INT64_MIN, PG_INT64_MAX));
		case CONV_FLOAT8:
			if (jt == json_type_int)
				return Float8GetDatum(json_object_get_double(v));
			if (jt == json_type_double)
			{
				char	   *text = number_text(ec, v);

				if (!isfinite(json_object_get_double(v)))
					out_of_range(ec, text);
				return Float8GetDatum(json_object_get_double(v));
			}
			break;
		case CONV_NUMERIC:
			if (jt == json_type_int)
				return NumericGetDatum(int64_to_numeric(json_object_get_int64(v)));
			break;
		case CONV_BOOL:
			if (jt == json_type_boolean)
				return BoolGetDatum(json_object_get_boolean(v));
			/* some APIs write flags as 0 and 1; no other number is a flag */
			if (jt == json_type_int &&
				(json_object_get_int64(v) == 0 || json_object_get_int64(v) == 1))
				return BoolGetDatum(json_object_get_int64(v) == 1);
			if (jt != json_type_string)
				wrong_type(ec, v);
			break;
		case CONV_JSONB:
			return json_to_jsonb(ec, v);
		case CONV_JSON:
			if (jt == json_type_double)
				(void) number_text(ec, v);	/* refuses NaN, Infinity */
			s = unmarked_json(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
															 JSON_C_TO_STRING_NOSLASHESCAPE));
			verify_utf8(ec, s, strlen(s));
			if (GetDatabaseEncoding() != PG_UTF8)
				s = pg_any_to_server(s, strlen(s), PG_UTF8);
			return call_input(ec, s);
		case CONV_TEXTARRAY:
			if (jt == json_type_array)
				return json_to_textarray(ec, v);
			break;
		case CONV_TIMESTAMPTZ:
		case CONV_TIMESTAMP:
		case CONV_DATE:
			if (jt == json_type_string)
			{
				Datum		d;

				s = json_as_cstring(ec, v, &len);
				if (rf_fast_datetime(s, cm->typid, &d))
					return d;
				return call_input(ec, s);
			}
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
	if (jt != json_type_string && !CONV_IS_INPUT(cm->conv) &&
		!(cm->conv == CONV_NUMERIC && jt == json_type_double))
		wrong_type(ec, v);
	s = json_as_cstring(ec, v, &len);
	return call_input(ec, s);
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

/* A string the row names (a key, a constant, a part) through the input function */
static Datum
string_datum(RfConvErrorContext *ec, RfColMap *cm, const char *str)
{
	ec->cm = cm;
	ec->value = NULL;
	verify_utf8(ec, str, strlen(str));
	ec->value = str;
	return call_input(ec, pstrdup(str));
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
	for (int i = 0; i < rc->ncols; i++)
	{
		RfColMap   *cm = &rc->cols[i];

		rf_json_ref_keys(cm->ref, keys, &nkeys, &all);
		for (int k = 0; k < cm->nsub; k++)
			rf_json_ref_keys(&cm->sub[k], keys, &nkeys, &all);
	}
	/* the page keeps its list as long as it lives (rows come per tuple) */
	old = MemoryContextSwitchTo(GetMemoryChunkContext(page));
	rf_json_page_want(&page->jp, keys, all ? -1 : nkeys);
	MemoryContextSwitchTo(old);
	pfree(keys);
	page->want_rc = rc;
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
	row = rf_json_page_row(&page->jp, rowno, &ref);

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
			char	   *text;

			ec.cm = cm;
			ec.value = NULL;
			for (int p = 0; p < 3; p++)
			{
				const char *part = (p == 0 ? date : p == 1 ? time : zone);

				if (part)
					verify_utf8(&ec, part, strlen(part));
			}
			text = date ? local_time_text(date, time, zone, cm->local_end) : NULL;

			nulls[att] = (date == NULL);
			if (date)
			{
				ec.cm = cm;
				ec.value = text ? text : date;
				values[att] = call_input(&ec, text ? text : pstrdup(date));
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
				verify_utf8(&ec, time, strlen(time));
				if (loc)
					verify_utf8(&ec, loc, strlen(loc));
				ec.value = zclock_text(rc, time, loc);
				values[att] = call_input(&ec, pstrdup(ec.value));
			}
			continue;
		}
		if (cm->oneof)
		{
			const char *found = oneof_text(page, ref, row, cm, rc);

			nulls[att] = (found == NULL);
			if (found)
				values[att] = string_datum(&ec, cm, found);
			continue;
		}
		if (rf_json_ref_is_plain(cm->ref))
			v = rf_json_ref_field(row, cm->ref);
		else
		{
			const char *str;

			v = resolve_ref(page, ref, row, cm->ref, rc, &str);
			if (str || cm->ref->const_name || cm->ref->is_key)
			{
				nulls[att] = (str == NULL);
				if (str)
					values[att] = string_datum(&ec, cm, str);
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
