/*-------------------------------------------------------------------------
 *
 * jsonpage.h
 *		  Response documents without PostgreSQL: parsing, rows, references.
 *
 * The part of the JSON mapping that needs only json-c: feeding a response
 * body chunk by chunk to a tokener (depth limit, UTF-8 validation),
 * finding the rows of a page along a rows_path (flat, nested "a[].b[]",
 * "x.*.*", or one object), vendors' "ok": false flags, page-level fields
 * such as count and next, and resolving a column reference ("a.b", "^a",
 * "#0:a", "@type:a", "$key", "/a") to a JSON value of a row.
 *
 * Conversion to Datums stays in json.c.  The fuzz targets in test/fuzz
 * build this file standalone; see rf_port.h for the hooks it needs.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSONPAGE_H
#define JSONPAGE_H

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
} RfJsonStream;

/* How an endpoint's answer holds its rows (from its RfEndpoint) */
typedef struct RfRowsSpec
{
	const char *rows_path;		/* NULL: the body (or the object body) */
	const char *ok_field;		/* "ok": false at any level is an error */
	const char *error_field;	/* ...whose reason is here */
	bool		object_body;	/* the body is one object */
} RfRowsSpec;

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

/* A parsed answer and its rows */
typedef struct RfJsonPage
{
	json_object *doc;			/* owned: one reference */
	json_object *rows;			/* borrowed from doc (flat rows_path) */
	int			nrows;
	/*
	 * Rows kept as bytes (a flat rows_path over a plain JSON body): doc is
	 * the body without the rows array's elements, and row k is parsed from
	 * buf[ends[k - 1] + 1 .. ends[k]] (ends[-1]: the array's '[') when the
	 * scan reaches it; the previous row's tree is freed then.
	 */
	char	   *buf;			/* NULL: the rows are in doc */
	bool		own_buf;		/* free buf with the page */
	uint32_t	open;			/* offset of the rows array's '[' */
	uint32_t   *ends;			/* offset of the ',' or ']' after each row */
	json_tokener *tok;			/* owned: parses the rows */
	json_object *cur;			/* owned: the tree of row cur_rowno */
	int			cur_rowno;
	/*
	 * The members of a raw row that are read (rf_json_page_want): a row
	 * is then an object of those members only, the others skipped as
	 * bytes.  -1: all of them.
	 */
	int			nwant;
	const char **want;
	size_t	   *want_len;
	int			depth;			/* levels of iteration; 1 = flat */
	RfRowRef   *refs;			/* nrows of them when depth > 1 */
	const char *vendor;			/* for messages */
	const char *endpoint;
} RfJsonPage;

/*
 * A reference to a value of a (nested) row:
 *   "a.b"          a field of the row
 *   "^a.b"         a field one level up (one '^' per level)
 *   "#0:a"         a field of the outermost level (#1: the next, ...)
 *   "@date:a"      a field of the nearest level whose group.type is "date"
 *   "$key"         the member key of an object level (with ^, #, @)
 *   "=name"        the request constant "name" (resolved by the caller)
 *   "/a.b"         a field of the whole document (a visit's id, say)
 * A path part "*" is the first member of an object or element of an array;
 * a part "list[k=f]" is the element of array "list" whose field k equals
 * the row's own field f (a zone listed beside the transitions, say); a
 * scalar (string, number, boolean) stands for itself.
 */
typedef struct RfJsonRef
{
	char	  **path_parts;		/* the path split at dots */
	int			npath;
	int			up;				/* outer levels of a nested row ('^') */
	int			abs_level;		/* "#N:": that level from the outermost */
	char	   *group_type;		/* "@type:": nearest level of that group */
	bool		is_key;			/* "$key": the member key of that level */
	char	   *const_name;		/* "=name": a constant of the request */
	bool		from_root;		/* "/a.b": from the document's root */
	int			match_part;		/* "list[k=f]" part, or -1 */
	char	   *match_key;		/* k */
	char	   *match_row_field;	/* f */
} RfJsonRef;

/* Streaming parser */
extern bool rf_json_stream_init(RfJsonStream *js);
extern bool rf_json_stream_feed(RfJsonStream *js, const char *data, size_t len);
extern void rf_json_stream_reset(RfJsonStream *js);
extern bool rf_json_stream_complete(RfJsonStream *js);
extern json_object *rf_json_stream_take(RfJsonStream *js);
extern const char *rf_json_failure_text(RfJsonFailure why);
extern const char *rf_json_number_text(json_object *v, size_t *len);
extern void rf_json_stream_release(RfJsonStream *js);

/* Pages: doc is taken over (NULL: an empty page, as for an allowed 404) */
extern void rf_json_page_init(RfJsonPage *page, json_object *doc,
							  const char *vendor, const char *endpoint);
extern void rf_json_page_rows(RfJsonPage *page, const RfRowsSpec *spec);
extern bool rf_json_page_lazy(RfJsonPage *page, RfJsonStream *js,
							  const RfRowsSpec *spec, bool borrow);
extern void rf_json_page_object(RfJsonPage *page, const char *path);
extern bool rf_json_page_int(RfJsonPage *page, const char *path,
							 int64_t *value);
extern char *rf_json_page_string(RfJsonPage *page, const char *path);
extern void rf_json_page_release(RfJsonPage *page);

/* Rows and references */
extern json_object *rf_json_path_get(json_object *obj, const char *path);
extern json_object *rf_json_page_row(RfJsonPage *page, int rowno,
									 RfRowRef **ref);
extern void rf_json_page_want(RfJsonPage *page, const char *const *keys,
							  int nkeys);
extern void rf_json_ref_keys(const RfJsonRef *r, const char **keys, int *nkeys,
							 bool *all);
extern void rf_json_ref_parse(RfJsonRef *r, const char *path);
extern bool rf_json_ref_is_plain(const RfJsonRef *r);
extern json_object *rf_json_ref_field(json_object *obj, const RfJsonRef *r);
extern json_object *rf_json_ref_resolve(RfJsonPage *page, RfRowRef *ref,
										json_object *row, const RfJsonRef *r,
										const char **str);

#endif							/* JSONPAGE_H */
