/*-------------------------------------------------------------------------
 *
 * jsonstream.h
 *		  A response body while it downloads (jsonstream.c), without
 *		  PostgreSQL: the byte scan and json-c's tokener.
 *
 * The stream is fed chunk by chunk from the transfer's body sink; it keeps
 * plain JSON as bytes, with the offsets of its shallow structure (marks),
 * for a page to read row by row (jsonpage.h), and hands anything else to
 * json-c.  Depth, density and RFC 8259's syntax are checked on the way.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSONSTREAM_H
#define JSONSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "rf_port.h"

/* Nesting deeper than this is refused as malformed */
#define RF_JSON_MAX_DEPTH	64

/*
 * Integers of this many digits or more may not fit json-c's 64-bit
 * integers, which it would clamp silently: the stream marks them with
 * RF_JSON_BIG_MARK (a zero exponent) so that json-c keeps them as numbers
 * with their original text, and conversions read the digits exactly.
 */
#define RF_JSON_BIG_DIGITS	19
#define RF_JSON_BIG_MARK	"E+000"

/*
 * json-c spends up to ~700 bytes on an empty object and ~950 on one such
 * as {"ab":1}: a body may open one container ({ or [) per
 * RF_JSON_BYTES_PER_CONTAINER bytes at most (after the first
 * RF_JSON_FREE_CONTAINERS), which keeps a parsed page, with the text or
 * jsonb made of it, under 64 times its size (26-hostile-json.sh measures
 * ~50x for a field of 20-byte objects; at 12 bytes it was 79x).  Answers
 * of the simulators use 46 bytes or more per container on average.
 */
#define RF_JSON_BYTES_PER_CONTAINER 20
#define RF_JSON_FREE_CONTAINERS 1024

/* Why a body could not be parsed */
typedef enum RfJsonFailure
{
	RF_JSON_OK,
	RF_JSON_SYNTAX,				/* not one JSON document */
	RF_JSON_DEPTH,				/* nested deeper than RF_JSON_MAX_DEPTH */
	RF_JSON_DENSE,				/* too many containers for its size */
	RF_JSON_NOMEM,				/* json-c ran out of memory */
	/* syntax json-c would take but RFC 8259 does not, named for messages */
	RF_JSON_CONTROL,			/* a raw control character in a string */
	RF_JSON_LEADING_ZERO,		/* a number such as 01, -01 or 00.5 */
	RF_JSON_NUL_KEY,			/* a key with \u0000 (json-c cuts it short) */
	RF_JSON_EXTENSION			/* single quotes or comments */
} RfJsonFailure;

/*
 * A body while it downloads.  It is kept as bytes (the page's rows are
 * parsed one at a time when the scan reaches them) as long as it is plain
 * JSON by RFC 8259: the scan below checks its syntax byte by byte, and
 * records where the elements of the top level and of the arrays just
 * below it start and end.  The first byte that is not plain JSON (a
 * syntax error, or one of json-c's extensions: NaN, trailing commas)
 * hands the bytes so far and all that follow to
 * json-c's tokener, which then builds the whole document as it always did
 * and decides what is an error.  What json-c would accept but must not
 * be read -- a raw control character in a string, a leading zero, a key
 * containing \u0000, which json-c cuts short -- is refused by the scan
 * in either mode (RF_JSON_CONTROL, RF_JSON_LEADING_ZERO, RF_JSON_NUL_KEY),
 * and so are single quotes and comments, inside which the scan could not
 * see them (RF_JSON_EXTENSION).
 */
typedef struct RfJsonStream
{
	json_tokener *tok;
	json_object *doc;			/* the document, once complete */
	bool		raw;			/* still bytes (not handed to json-c) */
	char	   *buf;			/* the bytes json-c would have seen */
	size_t		len;
	size_t		cap;
	uint32_t   *marks;			/* offsets of shallow structure (below) */
	int64_t		nmarks;
	int64_t		capmarks;
	bool		marks_lost;		/* too many, or past 4 GiB: no row offsets */
	/* the syntax check of the raw bytes */
	int			vstate;
	int			vdepth;
	char		vstack[RF_JSON_MAX_DEPTH + 2];
	int			vesc;			/* escape state inside a string */
	bool		vkey;			/* the string is an object key */
	int			vnum;			/* number state */
	const char *vlit;			/* rest of true/false/null */
	bool		failed;
	RfJsonFailure why;			/* when failed */
	/* the scan that marks big integers and counts containers */
	bool		in_string;
	bool		escape;
	char		pend[12];		/* an escape held back (see hold_escape) */
	int			npend;
	bool		reprocess;		/* the byte after a lone high half */
	int			num_digits;		/* digits of the number being read */
	bool		num_integer;	/* ...so far without '.', 'e' or 'E' */
	bool		in_number;
	bool		num_zero;		/* ...whose first digit is a lone 0 so far */
	bool		str_key;		/* the string being read is an object key */
	char		last;			/* last byte outside strings, not blank */
	uint64_t	objects;		/* bit d - 1: the container at depth d is {} */
	int			depth;			/* containers open */
	int64_t		containers;
	int64_t		bytes;
	bool		buf_ported;		/* buf came from rf_port_alloc (adopted) */
} RfJsonStream;

/*
 * What the byte scan established about a whole raw body, to be kept with
 * a copy of the body (the response cache) so that the same bytes need not
 * be scanned again: its length and the offsets of its shallow structure
 * (the marks, which give the rows of a page), followed by them.  check is
 * the embedding's checksum of the body and the marks (json.c), which
 * rf_json_stream_adopt leaves to it.
 */
typedef struct RfJsonVerdict
{
	uint32_t	magic;			/* RF_JSON_VERDICT_MAGIC: this layout */
	uint32_t	check;
	uint64_t	len;			/* of the body */
	int64_t		nmarks;
	/* uint32_t marks[nmarks] */
} RfJsonVerdict;

#define RF_JSON_VERDICT_MAGIC 0x52464a31	/* "RFJ1" */

/* JSON's white space (RFC 8259: space, tab, line feed, carriage return) */
static inline bool
rf_json_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

extern bool rf_json_stream_init(RfJsonStream *js);
extern bool rf_json_stream_feed(RfJsonStream *js, const char *data, size_t len);
extern void rf_json_stream_reset(RfJsonStream *js);
extern bool rf_json_stream_complete(RfJsonStream *js);
extern json_object *rf_json_stream_take(RfJsonStream *js);
extern const char *rf_json_failure_text(RfJsonFailure why);
extern const char *rf_json_number_text(json_object *v, size_t *len);
extern void rf_json_stream_release(RfJsonStream *js);
extern bool rf_json_stream_raw_whole(const RfJsonStream *js);
extern char *rf_json_stream_give_bytes(RfJsonStream *js, bool *ported);
extern RfJsonVerdict *rf_json_stream_verdict(const RfJsonStream *js,
											 const char *body, size_t len,
											 size_t *vlen);
extern bool rf_json_stream_adopt(RfJsonStream *js, char *body, size_t len,
								 const RfJsonVerdict *v, size_t vlen);
extern bool rf_json_only_ws(const char *data, size_t len);

#endif							/* JSONSTREAM_H */
