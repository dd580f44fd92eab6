/*-------------------------------------------------------------------------
 *
 * jsondatum.c
 *		  One JSON value as a Datum of its column's type: the conversion
 *		  each column gets, numbers read from their digits, jsonb written
 *		  from json-c's tree, a fast path for ISO 8601 times.
 *
 * A JSON null or a missing field never gets here (json.c makes it SQL
 * NULL).  Strings and other scalars go to the type's input function unless
 * a faster exact path exists; every error names the table, the column and
 * the value (RfConvErrorContext).
 *
 * Not here: finding a column's value in a row (json.c), parsing
 * (jsonpage.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
/* PostgreSQL declares an SQL function json_object(); json-c a type */
#define json_object pg_json_object_function
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/date.h"
#undef json_object
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "jsondatum.h"
#include "jsonpage.h"
#include "rf_port.h"

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

/* ----------------------------------------------------------------
 *		Column maps and conversion errors
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

void
rf_conv_error_callback(void *arg)
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
void
rf_conv_verify_utf8(RfConvErrorContext *ec, const char *s, int len)
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
	rf_conv_verify_utf8(ec, s, len);
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
	rf_conv_verify_utf8(ec, s, strlen(s));
	if (GetDatabaseEncoding() != PG_UTF8)
		s = pg_any_to_server(s, strlen(s), PG_UTF8);
	*lenp = strlen(s);
	return s;
}

Datum
rf_conv_input(RfConvErrorContext *ec, char *s)
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
	rf_conv_verify_utf8(ec, key, *len);
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
Datum
rf_conv_json(RfConvErrorContext *ec, json_object *v)
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
			rf_conv_verify_utf8(ec, s, strlen(s));
			if (GetDatabaseEncoding() != PG_UTF8)
				s = pg_any_to_server(s, strlen(s), PG_UTF8);
			return rf_conv_input(ec, s);
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
				return rf_conv_input(ec, s);
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
	return rf_conv_input(ec, s);
}

/*
 * Convert a value straight from its bytes in a raw page (a member's span,
 * jsonpage.h), as rf_conv_json would convert json-c's value of the same
 * bytes: a string without escapes, an integer of at most 18 digits or
 * null.  No json-c object is made.  False, with nothing converted, for
 * every other value and conversion (strings for integer, json, jsonb and
 * text[] columns, integers out of the column's range, numbers with a
 * fraction or an exponent, true and false, objects, arrays): the caller
 * then goes through rf_conv_json, whose checks and messages apply.
 */
bool
rf_conv_span(RfConvErrorContext *ec, const char *b, size_t len, Datum *value,
			 bool *isnull)
{
	RfColMap   *cm = ec->cm;

	*isnull = false;
	if (b[0] == '"')
	{
		const char *s = b + 1;
		int			slen = (int) len - 2;
		char	   *str;

		if (len < 2 || len > (size_t) PG_INT32_MAX || b[len - 1] != '"' ||
			memchr(s, '\\', slen) != NULL || memchr(s, '\0', slen) != NULL)
			return false;
		switch (cm->conv)
		{
			case CONV_INT2:
			case CONV_INT4:
			case CONV_INT8:
			case CONV_JSON:
			case CONV_JSONB:
			case CONV_TEXTARRAY:
				return false;
			default:
				break;
		}
		/* as server_string: verified, then in the server's encoding */
		rf_conv_verify_utf8(ec, s, slen);
		if (GetDatabaseEncoding() != PG_UTF8)
		{
			str = pg_any_to_server(s, slen, PG_UTF8);
			if (str == s)
				str = pnstrdup(s, slen);
			slen = strlen(str);
		}
		else if (cm->conv == CONV_TEXT)
		{
			*value = PointerGetDatum(cstring_to_text_with_len(s, slen));
			return true;
		}
		else
			str = pnstrdup(s, slen);
		if (cm->conv == CONV_TEXT)
			*value = PointerGetDatum(cstring_to_text_with_len(str, slen));
		else if (!((cm->conv == CONV_TIMESTAMPTZ || cm->conv == CONV_TIMESTAMP ||
					cm->conv == CONV_DATE) && rf_fast_datetime(str, cm->typid, value)))
			*value = rf_conv_input(ec, str);
		return true;
	}
	if (len == 4 && memcmp(b, "null", 4) == 0)
	{
		*isnull = true;
		return true;
	}
	else
	{
		int64_t		n;

		if (!rf_json_plain_int(b, len, &n))
			return false;
		switch (cm->conv)
		{
			case CONV_INT2:
				if (n < PG_INT16_MIN || n > PG_INT16_MAX)
					return false;
				*value = Int16GetDatum((int16) n);
				return true;
			case CONV_INT4:
				if (n < PG_INT32_MIN || n > PG_INT32_MAX)
					return false;
				*value = Int32GetDatum((int32) n);
				return true;
			case CONV_INT8:
				*value = Int64GetDatum(n);
				return true;
			case CONV_FLOAT8:
				*value = Float8GetDatum((double) n);
				return true;
			case CONV_NUMERIC:
				*value = NumericGetDatum(int64_to_numeric(n));
				return true;
			default:
				return false;
		}
	}
}

/* A string the row names (a key, a constant, a part), through the input function */
Datum
rf_conv_string(RfConvErrorContext *ec, RfColMap *cm, const char *str)
{
	ec->cm = cm;
	ec->value = NULL;
	rf_conv_verify_utf8(ec, str, strlen(str));
	ec->value = str;
	return rf_conv_input(ec, pstrdup(str));
}
