/*-------------------------------------------------------------------------
 *
 * jsondatum.h
 *		  One JSON value as a Datum of its column's type (jsondatum.c).
 *
 * Conversion is driven by the foreign table's column types, not by the
 * descriptor: a user may declare any subset of columns with other types
 * (text for anything, jsonb for nested values).  How each column converts
 * is chosen once (rf_colmap_init); a value that cannot be of the column's
 * type is an error naming the table, the column and the value (through
 * rf_conv_error_callback, with an RfConvErrorContext).
 *
 * Not here: finding the value in a row (json.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_JSONDATUM_H
#define RF_JSONDATUM_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/pg_list.h"

struct json_object;
struct RfJsonRef;

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
	int			conv;			/* conversion chosen by rf_colmap_init */
	int			want_idx;		/* its member among a raw page's wanted keys
								 * (json.c), or -1: read from json-c's row */
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

/* What the error context callback reports: the column, and the value */
typedef struct RfConvErrorContext
{
	RfRowContext *rc;
	RfColMap   *cm;
	const char *value;
} RfConvErrorContext;

extern void rf_colmap_init(RfColMap *cm, const char *attname, Oid typid,
						   int32 typmod, const char *json_path);

extern void rf_conv_error_callback(void *arg);
extern void rf_conv_verify_utf8(RfConvErrorContext *ec, const char *s, int len);
extern Datum rf_conv_input(RfConvErrorContext *ec, char *s);
extern Datum rf_conv_string(RfConvErrorContext *ec, RfColMap *cm,
							const char *str);
extern Datum rf_conv_json(RfConvErrorContext *ec, struct json_object *v);
extern bool rf_conv_span(RfConvErrorContext *ec, const char *b, size_t len,
						 Datum *value, bool *isnull);

#endif							/* RF_JSONDATUM_H */
