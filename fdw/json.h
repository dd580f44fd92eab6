/*-------------------------------------------------------------------------
 *
 * json.h
 *		  JSON to Datum mapping (json.c): the parser sink, pages, rows
 *		  converted to a foreign table's columns, and the per-query answer
 *		  cache.
 *
 * Parsing and references are jsonpage.c's, free of PostgreSQL; this is
 * the side that knows column types.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_JSON_H
#define RF_JSON_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/pg_list.h"

#include "http.h"
#include "rf_descriptor.h"

struct RfSeries;

typedef struct RfJsonParser RfJsonParser;
typedef struct RfPage RfPage;

/* ISO 8601 date/time strings of a common shape without the input function */
extern bool rf_fast_datetime(const char *s, Oid typid, Datum *result);

/* How one attribute of the foreign table is filled from a row */
typedef struct RfColMap RfColMap;
struct RfColMap
{
	AttrNumber	attnum;
	const char *attname;
	const char *json_path;
	struct RfJsonRef *ref;		/* json_path parsed (jsonpage.h) */
	bool		is_local;		/* "localtime:": date, time and zone parts */
	bool		local_end;		/* ...the end of the period they name */
	const char *oneof;			/* "oneof:": the constants' name */
	bool		zclock;			/* "zclock:": a Z time and its location */
	struct RfJsonRef *sub;		/* the parts */
	int			nsub;
	Oid			typid;
	int32		typmod;
	Oid			typioparam;
	FmgrInfo	infunc;
	Oid			elemtype;		/* for text[] */
	int			conv;			/* conversion chosen by json.c */
};

typedef struct RfRowContext
{
	const char *relname;
	const char *vendor;
	const char *endpoint;
	RfColMap   *cols;
	int			ncols;
	List	   *consts;			/* the series' "name=value" constants */
	bool		wall_clock;		/* "zclock:" times are wall clock... */
	List	   *zones;			/* ...in these "location=zone" zones */
} RfRowContext;

extern RfJsonParser *rf_json_parser_create(MemoryContext cxt);
extern RfBodySink rf_json_parser_sink(RfJsonParser *parser);
extern RfPage *rf_json_parser_finish(RfJsonParser *parser,
									 const RfEndpoint *ep,
									 const char *vendor);
extern RfPage *rf_json_parser_finish_object(RfJsonParser *parser,
											const char *path,
											const char *vendor,
											const char *endpoint);
extern int	rf_page_nrows(RfPage *page);
extern bool rf_page_get_int(RfPage *page, const char *path, int64 *value);
extern char *rf_page_get_string(RfPage *page, const char *path);
extern void rf_page_row(RfPage *page, int rowno, RfRowContext *rc,
						Datum *values, bool *nulls);
extern void rf_page_free(RfPage *page);
extern bool rf_page_row_kept(RfPage *page, int rowno,
							 const struct RfSeries *series);

/* A per-query cache of parsed answers, keyed by user mapping and URL */
extern RfPage *rf_cache_lookup(void *owner, Oid umid, const char *url,
							   const RfEndpoint *ep, const char *vendor);
extern void rf_cache_store(void *owner, MemoryContext cxt, Oid umid,
						   const char *url, RfPage *page);
extern void rf_colmap_init(RfColMap *cm, const char *attname, Oid typid,
						   int32 typmod, const char *json_path);

#endif							/* RF_JSON_H */
