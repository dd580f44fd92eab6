/*-------------------------------------------------------------------------
 *
 * json.h
 *		  JSON to Datum mapping (json.c): the parser sink, pages, rows
 *		  converted to a foreign table's columns, and the per-query answer
 *		  cache.
 *
 * Parsing and references are jsonpage.c's, free of PostgreSQL; one value
 * becomes a Datum of its column's type in jsondatum.c.  This is the side
 * that finds each column's value in a row.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_JSON_H
#define RF_JSON_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/pg_list.h"

#include "http.h"
#include "jsondatum.h"
#include "rf_descriptor.h"

struct RfSeries;

typedef struct RfJsonParser RfJsonParser;
typedef struct RfPage RfPage;

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

#endif							/* RF_JSON_H */
