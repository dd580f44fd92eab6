/*-------------------------------------------------------------------------
 *
 * jsonpage.h
 *		  Response documents without PostgreSQL: pages, rows, references.
 *
 * The part of the JSON mapping that needs only json-c: a page made of a
 * parsed body or of a raw stream's bytes (jsonstream.h), finding the rows
 * of a page along a rows_path (flat, nested "a[].b[]",
 * "x.*.*", or one object), vendors' "ok": false flags, page-level fields
 * such as count and next, and resolving a column reference ("a.b", "^a",
 * "#0:a", "@type:a", "$key", "/a") to a JSON value of a row.
 *
 * Conversion to Datums stays in json.c and jsondatum.c.  The fuzz targets
 * in test/fuzz build this file standalone; see rf_port.h for the hooks it
 * needs.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSONPAGE_H
#define JSONPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "jsonstream.h"

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
	int		   *idx;			/* the position at each level that iterates */
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
	bool		buf_ported;		/* ...with rf_port_free, not free */
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
	json_object *spanval;		/* owned: the value rf_json_span_value made */
	int			depth;			/* levels of iteration; 1 = flat */
	RfRowRef   *refs;			/* nrows of them when depth > 1 */
	const char *vendor;			/* for messages */
	const char *endpoint;
} RfJsonPage;

/* A wanted member's value in a raw page's bytes: buf[off .. off + len) */
typedef struct RfJsonSpan
{
	uint32_t	off;
	uint32_t	len;			/* 0: the row has no such member */
} RfJsonSpan;

/*
 * A reference to a value of a (nested) row:
 *   "a.b"          a field of the row
 *   "^a.b"         a field one level up (one '^' per level)
 *   "#0:a"         a field of the outermost level (#1: the next, ...)
 *   "@date:a"      a field of the nearest level whose group.type is "date"
 *   "$key"         the member key of an object level (with ^, #, @)
 *   "$index"       the position of the element in its array or object, from 0
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
	bool		is_index;		/* "$index": its position there, from 0 */
	char	   *const_name;		/* "=name": a constant of the request */
	bool		from_root;		/* "/a.b": from the document's root */
	int			match_part;		/* "list[k=f]" part, or -1 */
	char	   *match_key;		/* k */
	char	   *match_row_field;	/* f */
} RfJsonRef;

/*
 * Pages: doc is taken over (NULL: an empty page, as for an allowed 404);
 * a lazy page takes a raw stream's bytes (or borrows them)
 */
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
extern bool rf_json_plain_int(const char *b, size_t len, int64_t *value);
extern bool rf_json_page_spans(RfJsonPage *page, int rowno, RfJsonSpan *spans);
extern json_object *rf_json_span_value(RfJsonPage *page, const RfJsonSpan *span);
extern void rf_json_ref_keys(const RfJsonRef *r, const char **keys, int *nkeys,
							 bool *all);
extern void rf_json_ref_parse(RfJsonRef *r, const char *path);
extern bool rf_json_ref_is_plain(const RfJsonRef *r);
extern json_object *rf_json_ref_field(json_object *obj, const RfJsonRef *r);
extern json_object *rf_json_ref_resolve(RfJsonPage *page, RfRowRef *ref,
										json_object *row, const RfJsonRef *r,
										const char **str);

#endif							/* JSONPAGE_H */
