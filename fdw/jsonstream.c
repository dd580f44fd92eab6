/*-------------------------------------------------------------------------
 *
 * jsonstream.c
 *		  A response body while it downloads, without PostgreSQL: the byte
 *		  scan (RFC 8259 syntax, depth and density limits, big integers,
 *		  offsets of the rows), and json-c's tokener for what is not plain
 *		  JSON.
 *
 * Like jsonpage.c, this depends on json-c and rf_port.h only (the fuzz
 * targets of test/fuzz build it standalone).  A body is kept as bytes as
 * long as it is plain JSON, so that a page can parse its rows one at a
 * time (jsonpage.c, rf_json_page_lazy); the first byte that is not hands
 * the bytes so far and all that follow to json-c, which parses the body
 * whole.  See jsonstream.h and, for why, jsonpage.c.
 *
 * What the scan established about a whole raw body -- plain JSON within
 * the limits, and its marks -- can be kept with a copy of the bytes
 * (rf_json_stream_verdict) and handed back with them (rf_json_stream_adopt):
 * the response cache's replays then skip the scan, which was a third of a
 * cached scan's time.  Bytes never seen before are always scanned.
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstream.h"

/* ----------------------------------------------------------------
 *		Streaming parser
 * ----------------------------------------------------------------
 */

/*
 * The syntax check of a raw body: RFC 8259 JSON whose top level is an
 * object or an array.  Each state says what the next significant byte may
 * be; strings, numbers and literals have sub-states.
 */
enum
{
	V_START,					/* the top-level '{' or '[' */
	V_VALUE,					/* a value (after ':' or an array's ',') */
	V_VALUE_OR_CLOSE,			/* after '[' */
	V_KEY_OR_CLOSE,				/* after '{' */
	V_KEY,						/* after an object's ',' */
	V_COLON,					/* after a key */
	V_AFTER,					/* after a value in a container */
	V_DONE,						/* the document is complete */
	V_STRING,
	V_NUMBER,
	V_LITERAL
};

/* Number states: after '-', '0', digits, '.', fraction, 'e', its sign, exponent */
enum
{
	N_MINUS,
	N_ZERO,
	N_INT,
	N_DOT,
	N_FRAC,
	N_E,
	N_ESIGN,
	N_EXP
};

/* vesc: 0 outside an escape, 1 after '\\', ESC_HEX + n: n hex digits to go */
#define ESC_HEX 10

/*
 * At most one mark per RF_JSON_BYTES_PER_MARK bytes (after the first few
 * thousand): a body of tiny elements keeps its marks from costing more
 * than half its size, and is parsed whole instead.
 */
#define RF_JSON_BYTES_PER_MARK 8

/* Free bytes the stream owns: malloc'd, or adopted from the embedding */
static void
buf_free(RfJsonStream *js, char *buf)
{
	if (buf == NULL)
		return;
	if (js->buf_ported)
		rf_port_free(buf);
	else
		free(buf);
}

static void
raw_reset(RfJsonStream *js)
{
	buf_free(js, js->buf);
	js->buf_ported = false;
	free(js->marks);
	js->raw = true;
	js->buf = NULL;
	js->len = 0;
	js->cap = 0;
	js->marks = NULL;
	js->nmarks = 0;
	js->capmarks = 0;
	js->marks_lost = false;
	js->vstate = V_START;
	js->vdepth = 0;
	js->vesc = 0;
	js->vkey = false;
	js->vnum = N_INT;
	js->vlit = NULL;
}

static void
scan_reset(RfJsonStream *js)
{
	js->failed = false;
	js->why = RF_JSON_OK;
	js->in_string = false;
	js->escape = false;
	js->npend = 0;
	js->reprocess = false;
	js->depth = 0;
	js->in_number = false;
	js->num_digits = 0;
	js->num_integer = true;
	js->num_zero = false;
	js->str_key = false;
	js->last = '\0';
	js->objects = 0;
	js->containers = 0;
	js->bytes = 0;
	raw_reset(js);
}

/* False when json-c is out of memory */
bool
rf_json_stream_init(RfJsonStream *js)
{
	js->doc = NULL;
	js->buf = NULL;
	js->buf_ported = false;
	js->marks = NULL;
	scan_reset(js);
	js->tok = json_tokener_new_ex(RF_JSON_MAX_DEPTH);
	if (js->tok == NULL)
		return false;
	/*
	 * No JSON_TOKENER_VALIDATE_UTF8: json-c's check is looser than
	 * PostgreSQL's and fails a whole body without naming a column.  Every
	 * string is verified where it becomes a value (json.c).
	 */
	return true;
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

static bool
fail(RfJsonStream *js, RfJsonFailure why)
{
	js->failed = true;
	js->why = why;
	return false;
}

/* Hand one piece of the body to json-c */
static bool
feed_tokener(RfJsonStream *js, const char *data, size_t len)
{
	json_object *obj;
	enum json_tokener_error err;

	if (len == 0)
		return true;
	if (js->doc)
		return only_whitespace(data, len) || fail(js, RF_JSON_SYNTAX);
	obj = json_tokener_parse_ex(js->tok, data, (int) len);
	if (obj != NULL)
	{
		size_t		used = json_tokener_get_parse_end(js->tok);

		js->doc = obj;
		if (used < len && !only_whitespace(data + used, len - used))
			return fail(js, RF_JSON_SYNTAX);
		return true;
	}
	err = json_tokener_get_error(js->tok);
	if (err == json_tokener_continue)
		return true;
	if (err == json_tokener_error_depth)
		return fail(js, RF_JSON_DEPTH);
	if (err == json_tokener_error_size)
		return fail(js, RF_JSON_NOMEM);
	return fail(js, RF_JSON_SYNTAX);
}

/*
 * Stop keeping the body raw: json-c gets the bytes so far, and from now
 * on every byte as it comes, exactly the stream it would have had from
 * the start.  False when json-c fails on them.
 */
static bool
give_to_jsonc(RfJsonStream *js)
{
	char	   *buf = js->buf;
	size_t		len = js->len;
	bool		ported = js->buf_ported;
	bool		ok = true;

	js->buf = NULL;
	raw_reset(js);
	js->raw = false;
	for (size_t off = 0; ok && off < len; off += (size_t) INT_MAX / 4)
		ok = feed_tokener(js, buf + off, (len - off < (size_t) INT_MAX / 4 ? len - off : (size_t) INT_MAX / 4));
	js->buf_ported = ported;
	buf_free(js, buf);
	js->buf_ported = false;
	return ok;
}

/* The next bytes of the stream json-c would see: kept, or fed to it */
static bool
emit(RfJsonStream *js, const char *data, size_t len)
{
	if (!js->raw)
		return feed_tokener(js, data, len);
	if (len == 0)
		return true;
	if (js->len + len > js->cap)
	{
		size_t		cap = js->cap ? js->cap : 65536;
		char	   *buf;

		while (cap < js->len + len)
			cap *= 2;
		if (js->buf_ported)
		{
			/* adopted bytes are never fed more; if they were, copy them */
			buf = malloc(cap);
			if (buf == NULL)
				return fail(js, RF_JSON_NOMEM);
			memcpy(buf, js->buf, js->len);
			rf_port_free(js->buf);
			js->buf_ported = false;
		}
		else
			buf = realloc(js->buf, cap);
		if (buf == NULL)
			return fail(js, RF_JSON_NOMEM);
		js->buf = buf;
		js->cap = cap;
	}
	memcpy(js->buf + js->len, data, len);
	js->len += len;
	return true;
}

/* Remember the offset of a piece of shallow structure */
static void
add_mark(RfJsonStream *js, size_t off)
{
	if (js->marks_lost)
		return;
	if (off > UINT32_MAX ||
		(js->nmarks + 1) * RF_JSON_BYTES_PER_MARK > js->bytes + 4096)
	{
		js->marks_lost = true;
		return;
	}
	if (js->nmarks == js->capmarks)
	{
		int64_t		cap = js->capmarks ? js->capmarks * 2 : 1024;
		uint32_t   *marks = realloc(js->marks, sizeof(uint32_t) * cap);

		if (marks == NULL)
		{
			js->marks_lost = true;
			return;
		}
		js->marks = marks;
		js->capmarks = cap;
	}
	js->marks[js->nmarks++] = (uint32_t) off;
}

static inline void
value_done(RfJsonStream *js)
{
	js->vstate = (js->vdepth == 0) ? V_DONE : V_AFTER;
}

/*
 * Check one byte of a raw body (off: where it lands in js->buf); false
 * when the body is not, or not yet known to be, plain JSON.  Inlined: it
 * runs for every byte outside the bulk of strings.
 *
 * Marks: for a top-level array, its '[', the ',' between its elements and
 * its ']'; for a top-level object, its '{' and '}', the '"' opening each
 * of its keys, and for each member that is an object or array, its
 * opening and closing byte and the ',' between its elements.  That is all
 * rf_json_page_lazy needs to find the rows of a flat rows_path.
 */
#if defined(__GNUC__)
#define RF_HOT_INLINE inline __attribute__((always_inline))
#else
#define RF_HOT_INLINE inline
#endif

static RF_HOT_INLINE bool
check_byte(RfJsonStream *js, char c, size_t off)
{
	bool		in_object = (js->vdepth > 0 && js->vstack[js->vdepth] == '{');

	switch (js->vstate)
	{
		case V_STRING:
			if (js->vesc == 0)
			{
				if (c == '"')
				{
					if (js->vkey)
						js->vstate = V_COLON;
					else
						value_done(js);
				}
				else if (c == '\\')
					js->vesc = 1;
				else if ((unsigned char) c < 0x20)
					return false;
				return true;
			}
			if (js->vesc == 1)
			{
				if (c == 'u')
					js->vesc = ESC_HEX + 4;
				else if (strchr("\"\\/bfnrt", c) != NULL && c != '\0')
					js->vesc = 0;
				else
					return false;
				return true;
			}
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
				return false;
			js->vesc = (js->vesc == ESC_HEX + 1) ? 0 : js->vesc - 1;
			return true;
		case V_NUMBER:
			switch (js->vnum)
			{
				case N_MINUS:
					if (c == '0')
						js->vnum = N_ZERO;
					else if (c >= '1' && c <= '9')
						js->vnum = N_INT;
					else
						return false;
					return true;
				case N_ZERO:
				case N_INT:
					if (c >= '0' && c <= '9')
					{
						if (js->vnum == N_ZERO)
							return false;	/* no leading zeros */
						return true;
					}
					if (c == '.')
					{
						js->vnum = N_DOT;
						return true;
					}
					if (c == 'e' || c == 'E')
					{
						js->vnum = N_E;
						return true;
					}
					break;
				case N_DOT:
					if (c >= '0' && c <= '9')
					{
						js->vnum = N_FRAC;
						return true;
					}
					return false;
				case N_FRAC:
					if (c >= '0' && c <= '9')
						return true;
					if (c == 'e' || c == 'E')
					{
						js->vnum = N_E;
						return true;
					}
					break;
				case N_E:
					if (c == '+' || c == '-')
					{
						js->vnum = N_ESIGN;
						return true;
					}
					/* FALLTHROUGH */
				case N_ESIGN:
					if (c >= '0' && c <= '9')
					{
						js->vnum = N_EXP;
						return true;
					}
					return false;
				case N_EXP:
					if (c >= '0' && c <= '9')
						return true;
					break;
			}
			/* the number ended before c: c comes after a value */
			value_done(js);
			break;
		case V_LITERAL:
			if (c != *js->vlit)
				return false;
			if (*++js->vlit == '\0')
				value_done(js);
			return true;
		default:
			break;
	}

	if (rf_json_is_ws(c))
		return true;
	switch (js->vstate)
	{
		case V_START:
			if (c != '{' && c != '[')
				return false;	/* json-c takes scalars; they have no rows */
			/* FALLTHROUGH */
		case V_VALUE:
		case V_VALUE_OR_CLOSE:
			if (c == ']' && js->vstate == V_VALUE_OR_CLOSE)
				break;			/* an empty array: below */
			if (c == '{' || c == '[')
			{
				char		root = js->vdepth > 0 ? js->vstack[1] : c;

				if (js->vdepth > RF_JSON_MAX_DEPTH)
					return false;	/* json-c will say so */
				if (js->vdepth == 0 || (root == '{' && js->vdepth == 1))
					add_mark(js, off);
				js->vstack[++js->vdepth] = c;
				js->vstate = (c == '{') ? V_KEY_OR_CLOSE : V_VALUE_OR_CLOSE;
				return true;
			}
			if (c == '"')
			{
				js->vstate = V_STRING;
				js->vkey = false;
				js->vesc = 0;
				return true;
			}
			if (c == '-' || (c >= '0' && c <= '9'))
			{
				js->vstate = V_NUMBER;
				js->vnum = (c == '-') ? N_MINUS : (c == '0') ? N_ZERO : N_INT;
				return true;
			}
			js->vlit = (c == 't') ? "rue" : (c == 'f') ? "alse" : (c == 'n') ? "ull" : NULL;
			if (js->vlit == NULL)
				return false;
			js->vstate = V_LITERAL;
			return true;
		case V_KEY_OR_CLOSE:
			if (c == '}')
				break;
			/* FALLTHROUGH */
		case V_KEY:
			if (c != '"')
				return false;
			if (js->vdepth == 1)
				add_mark(js, off);
			js->vstate = V_STRING;
			js->vkey = true;
			js->vesc = 0;
			return true;
		case V_COLON:
			if (c != ':')
				return false;
			js->vstate = V_VALUE;
			return true;
		case V_AFTER:
			if (c == ',')
			{
				if ((js->vdepth == 1 && js->vstack[1] == '[') ||
					(js->vdepth == 2 && js->vstack[1] == '{'))
					add_mark(js, off);
				js->vstate = in_object ? V_KEY : V_VALUE;
				return true;
			}
			if ((c == '}' && in_object) || (c == ']' && !in_object && js->vdepth > 0))
				break;
			return false;
		default:
			return false;		/* V_DONE: only whitespace may follow */
	}

	/* c closes the innermost container */
	if (js->vdepth == 1 || (js->vdepth == 2 && js->vstack[1] == '{'))
		add_mark(js, off);
	js->vdepth--;
	value_done(js);
	return true;
}

/* The value of four hex digits, or -1 */
static int
hex4(const char *p)
{
	int			v = 0;

	for (int k = 0; k < 4; k++)
	{
		char		c = p[k];
		int			h = (c >= '0' && c <= '9') ? c - '0' :
			(c >= 'a' && c <= 'f') ? c - 'a' + 10 :
			(c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Half of a surrogate pair as the three bytes UTF-8 would give it: json-c
 * would turn the escape into U+FFFD, a valid character, and the text would
 * pass for data; as bytes it is caught where its column is converted, as
 * any other invalid UTF-8 is.
 */
static bool
feed_half_pair(RfJsonStream *js, int cp)
{
	char		b[3];

	b[0] = (char) (0xE0 | (cp >> 12));
	b[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
	b[2] = (char) (0x80 | (cp & 0x3F));
	return emit(js, b, 3);
}

/*
 * One more byte of a held-back escape ("\\n", "\\u00e9", or a high
 * surrogate escape waiting for its low half).  Whole escapes and pairs go
 * to json-c as they came; a half pair goes as its raw bytes.  Sets
 * js->reprocess when c itself is not part of the escape.
 */
static bool
hold_escape(RfJsonStream *js, char c)
{
	int			cp;

	js->pend[js->npend++] = c;
	if (js->npend == 2 && c != 'u')
		goto flush;				/* a one-character escape */
	if (js->npend < 6)
		return true;
	if (js->npend == 6)
	{
		cp = hex4(js->pend + 2);
		if (cp == 0 && js->str_key)
			return fail(js, RF_JSON_NUL_KEY);	/* json-c would cut the key */
		if (cp < 0xD800 || cp > 0xDFFF)
			goto flush;			/* not a surrogate, or bad hex for json-c */
		if (cp >= 0xDC00)
		{
			js->npend = 0;
			return feed_half_pair(js, cp);	/* a low half alone */
		}
		return true;			/* a high half: wait for its partner */
	}
	cp = hex4(js->pend + 2);
	if (js->npend == 7 && c != '\\')
	{
		/* a high half followed by an ordinary character */
		js->npend = 0;
		js->reprocess = true;
		return feed_half_pair(js, cp);
	}
	if (js->npend == 8 && c != 'u')
	{
		/* a high half followed by a one-character escape */
		js->npend = 0;
		return feed_half_pair(js, cp) && emit(js, js->pend + 6, 2);
	}
	if (js->npend < 12)
		return true;
	{
		int			low = hex4(js->pend + 8);

		if (low >= 0xDC00 && low <= 0xDFFF)
			goto flush;			/* a whole pair */
		/* the high half is alone; the second escape starts afresh */
		js->npend = 0;
		if (!feed_half_pair(js, cp))
			return false;
		memmove(js->pend, js->pend + 6, 6);
		js->npend = 5;
		return hold_escape(js, js->pend[5]);
	}

flush:
	{
		int			n = js->npend;

		js->npend = 0;
		return emit(js, js->pend, n);
	}
}

/*
 * The offset of the first byte from i on that is a '"', a '\\' or a
 * control character (len when there is none): eight bytes at a time, with
 * the usual bit tricks for "some byte is zero / less than n".
 */
static inline size_t
skip_string_bytes(const char *data, size_t i, size_t len)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t highs = UINT64_C(0x8080808080808080);

	while (i + 8 <= len)
	{
		uint64_t	v;
		uint64_t	q;
		uint64_t	bs;

		memcpy(&v, data + i, 8);
		q = v ^ (ones * '"');
		bs = v ^ (ones * '\\');
		if ((((q - ones) & ~q) | ((bs - ones) & ~bs) | ((v - ones * 0x20) & ~v)) & highs)
			break;
		i += 8;
	}
	while (i < len && data[i] != '"' && data[i] != '\\' &&
		   (unsigned char) data[i] >= 0x20)
		i++;
	return i;
}

/*
 * Feed one chunk of the body; false once the body cannot be one JSON
 * document (then the transfer is aborted).  Called from inside libcurl:
 * no hook may be used here.
 *
 * Before json-c sees the bytes, a light scan follows strings and numbers:
 * an integer long enough to overflow 64 bits gets RF_JSON_BIG_MARK
 * appended (json-c then keeps its text instead of clamping it), and
 * containers are counted against the bytes so far, so that a body of
 * empty objects cannot cost hundreds of times its size.
 */
bool
rf_json_stream_feed(RfJsonStream *js, const char *data, size_t len)
{
	size_t		from = 0;

	if (js->failed)
		return false;
	if (len > INT_MAX / 2)
	{
		/* json-c takes an int length; bodies this size are refused anyway */
		return fail(js, RF_JSON_SYNTAX);
	}
	for (size_t i = 0; i < len; i++)
	{
		char		c;

		/* the bulk of a body: ordinary string bytes, which change nothing */
		if (js->in_string && js->npend == 0 &&
			(!js->raw || (js->vstate == V_STRING && js->vesc == 0)))
		{
			size_t		j = skip_string_bytes(data, i, len);

			js->bytes += j - i;
			i = j;
			if (i == len)
				break;
		}
		c = data[i];
		js->bytes++;
		if (js->in_string)
		{
			/* json-c would take it as it is; RFC 8259 does not */
			if ((unsigned char) c < 0x20)
				return fail(js, RF_JSON_CONTROL);
			if (js->raw && !check_byte(js, c, 0) && !give_to_jsonc(js))
				return false;
			if (js->npend > 0)
			{
				/* an escape held back until it is known to be whole */
				from = i + 1;
				if (!hold_escape(js, c))
					return false;
				if (js->npend > 0 || !js->reprocess)
					continue;
				/* c ended a lone high surrogate: it is an ordinary char */
				js->reprocess = false;
				from = i;
			}
			if (c == '\\')
			{
				/* hold "\..." back: json-c must not see half a pair */
				if (!emit(js, data + from, i - from))
					return false;
				from = i + 1;
				js->pend[0] = c;
				js->npend = 1;
				continue;
			}
			if (c == '"')
			{
				js->in_string = false;
				js->last = c;
			}
			continue;
		}
		if (js->in_number)
		{
			if ((c >= '0' && c <= '9') ||
				c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
			{
				if (c >= '0' && c <= '9')
				{
					/* json-c reads 01 as 1 and 00.5 as 0.5; RFC 8259 does not */
					if (js->num_zero)
						return fail(js, RF_JSON_LEADING_ZERO);
					js->num_zero = (js->num_digits == 0 && c == '0');
				}
				else
					js->num_zero = false;
				if (js->raw && !check_byte(js, c, js->len + (i - from)) &&
					!give_to_jsonc(js))
					return false;
				if (c >= '0' && c <= '9')
					js->num_digits++;
				else
					js->num_integer = false;
				continue;
			}
			/* the number ends before c */
			js->in_number = false;
			if (js->num_integer && js->num_digits >= RF_JSON_BIG_DIGITS)
			{
				if (!emit(js, data + from, i - from) ||
					!emit(js, RF_JSON_BIG_MARK, strlen(RF_JSON_BIG_MARK)))
					return false;
				from = i;
			}
		}
		/* offsets are known here: the bytes before from went out */
		if (js->raw && !check_byte(js, c, js->len + (i - from)) &&
			!give_to_jsonc(js))
			return false;
		if (c == '"')
		{
			js->in_string = true;
			/* a key: after '{', or after ',' in an object */
			js->str_key = (js->last == '{' ||
						   (js->last == ',' && js->depth > 0 &&
							((js->objects >> (js->depth - 1)) & 1)));
		}
		else if (c == '-' || (c >= '0' && c <= '9'))
		{
			js->in_number = true;
			js->num_integer = true;
			js->num_digits = (c == '-') ? 0 : 1;
			js->num_zero = (c == '0');
		}
		else if (c == '}' || c == ']')
			js->depth--;
		else if (c == '\'' || c == '/')
		{
			/*
			 * json-c's single-quoted strings and comments: the scan would
			 * not see what is inside them (a key with \u0000, a control
			 * character), so they are refused as RFC 8259 does.
			 */
			return fail(js, RF_JSON_EXTENSION);
		}
		else if (c == '{' || c == '[')
		{
			/* json-c would stop here too, but only once it sees the chunk */
			if (++js->depth > RF_JSON_MAX_DEPTH)
				return fail(js, RF_JSON_DEPTH);
			if (js->depth < 1)
				;				/* more closers than openers: json-c fails */
			else if (c == '{')
				js->objects |= UINT64_C(1) << (js->depth - 1);
			else
				js->objects &= ~(UINT64_C(1) << (js->depth - 1));
			js->containers++;
			if (js->containers > RF_JSON_FREE_CONTAINERS &&
				js->containers * RF_JSON_BYTES_PER_CONTAINER > js->bytes)
				return fail(js, RF_JSON_DENSE);
		}
		if (!rf_json_is_ws(c))
			js->last = c;
	}
	return emit(js, data + from, len - from);
}

/* What went wrong, in words, for error details */
const char *
rf_json_failure_text(RfJsonFailure why)
{
	switch (why)
	{
		case RF_JSON_OK:
			return "no error";
		case RF_JSON_SYNTAX:
			return "the body is not one JSON document";
		case RF_JSON_DEPTH:
			return "the body nests deeper than the parser's limit";
		case RF_JSON_DENSE:
			return "the body opens more objects and arrays than its size allows";
		case RF_JSON_NOMEM:
			return "the parser ran out of memory or a value exceeds its size limit";
		case RF_JSON_CONTROL:
			return "a string holds a raw control character (U+0000 to U+001F must be escaped)";
		case RF_JSON_LEADING_ZERO:
			return "a number has a leading zero (such as 01, -01 or 00.5)";
		case RF_JSON_EXTENSION:
			return "the body uses single quotes or comments, which JSON does not have";
		case RF_JSON_NUL_KEY:
			return "an object has a key containing \\u0000";
	}
	return "unknown";
}

/*
 * The vendor's own text of a JSON number (json-c keeps it for non-integers
 * and for the big integers the stream marked), without the mark; NULL
 * for json-c's native integers.
 */
const char *
rf_json_number_text(json_object *v, size_t *len)
{
	const char *s;
	size_t		n;
	size_t		mark = strlen(RF_JSON_BIG_MARK);

	if (!json_object_is_type(v, json_type_double))
		return NULL;
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	n = strlen(s);
	if (n > mark && strcmp(s + n - mark, RF_JSON_BIG_MARK) == 0)
		n -= mark;
	*len = n;
	return s;
}

/* A retry starts over */
void
rf_json_stream_reset(RfJsonStream *js)
{
	json_tokener_reset(js->tok);
	if (js->doc)
		json_object_put(js->doc);
	js->doc = NULL;
	scan_reset(js);
}

/*
 * Was the body one whole document?  A raw body is when its syntax check
 * got to the end; otherwise json-c has the last word, as for any body.
 */
bool
rf_json_stream_complete(RfJsonStream *js)
{
	if (js->failed)
		return false;
	if (js->raw)
	{
		if (js->vstate == V_DONE)
			return true;
		if (!give_to_jsonc(js))
			return false;
	}
	return js->doc != NULL;
}

/*
 * The document (or NULL), which the caller now owns; the stream restarts.
 * A raw body is parsed whole now.
 */
json_object *
rf_json_stream_take(RfJsonStream *js)
{
	json_object *doc;

	if (js->raw && js->len > 0)
		(void) give_to_jsonc(js);
	doc = js->doc;
	js->doc = NULL;
	json_tokener_reset(js->tok);
	scan_reset(js);
	return doc;
}

void
rf_json_stream_release(RfJsonStream *js)
{
	if (js->doc)
		json_object_put(js->doc);
	js->doc = NULL;
	if (js->tok)
		json_tokener_free(js->tok);
	js->tok = NULL;
	buf_free(js, js->buf);
	js->buf_ported = false;
	free(js->marks);
	js->buf = NULL;
	js->marks = NULL;
	js->len = js->cap = 0;
	js->nmarks = js->capmarks = 0;
}

/*
 * Hand the raw bytes to a page that reads them row by row
 * (rf_json_page_lazy): the caller now owns js->buf (to be freed with
 * rf_port_free when *ported, else free), and the stream restarts empty.
 */
char *
rf_json_stream_give_bytes(RfJsonStream *js, bool *ported)
{
	char	   *buf = js->buf;

	*ported = js->buf_ported;
	js->buf = NULL;
	js->buf_ported = false;
	json_tokener_reset(js->tok);
	scan_reset(js);
	return buf;
}

/*
 * Is the body still raw bytes, one whole plain JSON document whose marks
 * (the offsets of its shallow structure) are all there?
 */
bool
rf_json_stream_raw_whole(const RfJsonStream *js)
{
	return js->raw && js->vstate == V_DONE && !js->marks_lost && !js->failed;
}

/* Only blanks (JSON's white space) in data[0 .. len) */
bool
rf_json_only_ws(const char *data, size_t len)
{
	return only_whitespace(data, len);
}

/*
 * What the scan of a whole raw body established, for a cached copy of the
 * body (body[0 .. len), the bytes as received): a malloc'd RfJsonVerdict
 * with the marks, *vlen its size; NULL when the stream kept no such body
 * (handed to json-c, marks lost) or its bytes are not exactly body's (a
 * big integer was marked for json-c, say): the copy is then scanned again
 * when replayed.
 */
RfJsonVerdict *
rf_json_stream_verdict(const RfJsonStream *js, const char *body, size_t len,
					   size_t *vlen)
{
	RfJsonVerdict *v;
	size_t		size;

	if (!rf_json_stream_raw_whole(js) || js->nmarks < 1 || js->len != len ||
		len == 0 || len > UINT32_MAX || memcmp(js->buf, body, len) != 0)
		return NULL;
	size = sizeof(RfJsonVerdict) + sizeof(uint32_t) * (size_t) js->nmarks;
	v = malloc(size);
	if (v == NULL)
		return NULL;
	v->magic = RF_JSON_VERDICT_MAGIC;
	v->check = 0;
	v->len = len;
	v->nmarks = js->nmarks;
	memcpy((char *) v + sizeof(RfJsonVerdict), js->marks,
		   sizeof(uint32_t) * (size_t) js->nmarks);
	*vlen = size;
	return v;
}

/*
 * Take body[0 .. len) (allocated with rf_port_alloc) as a whole raw body
 * that an earlier scan of the same bytes found plain JSON, with that scan's
 * verdict, instead of scanning it again: the stream is then as if the body
 * had been fed and completed, and owns body.  The verdict must come with
 * these very bytes (the response cache keeps both in one record and the
 * embedding checks its checksum); here it is checked only so far that no
 * read can leave the body: the marks are in order, inside it, on bytes of
 * structure, and nothing but blanks lies outside the first and last.
 * False, with nothing taken, when the stream was fed already or the
 * verdict does not fit the body.
 */
bool
rf_json_stream_adopt(RfJsonStream *js, char *body, size_t len,
					 const RfJsonVerdict *v, size_t vlen)
{
	RfJsonVerdict head;
	const char *mp = (const char *) v + sizeof(RfJsonVerdict);
	uint32_t   *marks;
	uint32_t	prev = 0;

	if (!js->raw || js->failed || js->len != 0 || js->vstate != V_START ||
		js->doc != NULL || js->npend != 0 || v == NULL ||
		vlen < sizeof(RfJsonVerdict))
		return false;
	memcpy(&head, v, sizeof(head));
	if (head.magic != RF_JSON_VERDICT_MAGIC || head.len != len || len == 0 ||
		len > UINT32_MAX || head.nmarks < 1 ||
		(uint64_t) head.nmarks > (vlen - sizeof(RfJsonVerdict)) / sizeof(uint32_t) ||
		vlen != sizeof(RfJsonVerdict) + sizeof(uint32_t) * (size_t) head.nmarks)
		return false;
	marks = malloc(sizeof(uint32_t) * (size_t) head.nmarks);
	if (marks == NULL)
		return false;
	memcpy(marks, mp, sizeof(uint32_t) * (size_t) head.nmarks);
	for (int64_t k = 0; k < head.nmarks; k++)
	{
		uint32_t	m = marks[k];

		if ((k > 0 && m <= prev) || m >= len ||
			strchr("{}[],\"", body[m]) == NULL || body[m] == '\0')
		{
			free(marks);
			return false;
		}
		prev = m;
	}
	if ((body[marks[0]] != '{' && body[marks[0]] != '[') ||
		(body[prev] != '}' && body[prev] != ']') ||
		!only_whitespace(body, marks[0]) ||
		!only_whitespace(body + prev + 1, len - prev - 1))
	{
		free(marks);
		return false;
	}
	js->buf = body;
	js->buf_ported = true;
	js->len = len;
	js->cap = len;
	js->marks = marks;
	js->nmarks = head.nmarks;
	js->capmarks = head.nmarks;
	js->marks_lost = false;
	js->vstate = V_DONE;
	js->bytes = (int64_t) len;
	return true;
}
