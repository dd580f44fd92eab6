/*-------------------------------------------------------------------------
 *
 * param.h
 *		  A pushed parameter of the descriptor model: the operators a column
 *		  takes, where its values travel and which values the API takes.
 *
 * An RfPushdown entry says how quals on one column become request
 * parameters (reqplan.c interprets it); its RfDomain says which values the
 * API's field can hold, so that a value outside is never sent.  param.c
 * decides what lies in a domain and names the operators.
 *
 * Plain C, like every descriptor header: the fuzz targets build without
 * PostgreSQL.  Not here: endpoints (rf_descriptor.h), vendors (vendor.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_PARAM_H
#define RF_PARAM_H

#include <stdbool.h>
#include <stdint.h>

/* Operators a pushable column accepts: a bit mask */
#define RF_OP_EQ	0x01
#define RF_OP_IN	0x02
#define RF_OP_LT	0x04
#define RF_OP_LE	0x08
#define RF_OP_GT	0x10
#define RF_OP_GE	0x20
#define RF_OP_RANGE (RF_OP_LT | RF_OP_LE | RF_OP_GT | RF_OP_GE)
/* not a descriptor word: "col::date = d" on a time column with a range */
#define RF_OP_DAY	0x40
/*
 * Nor this: "date_trunc(unit, col) = v" on a time column with a range,
 * pushed as the span [v, v + 1 unit): its value is that two-element array
 */
#define RF_OP_SPAN	0x80

/* Where a pushed value travels */
typedef enum RfParamLoc
{
	RF_LOC_QUERY,				/* ?name=value */
	RF_LOC_BODY,				/* the JSON body, at a body path (below) */
	RF_LOC_PATH					/* {name} in the path (GET by id) */
} RfParamLoc;

/* How several values (IN, = ANY) are sent */
typedef enum RfMulti
{
	RF_MULTI_SPLIT,				/* one request series per value */
	RF_MULTI_REPEAT				/* name=a&name=b, or a JSON array */
} RfMulti;

/*
 * The values a pushed parameter can take, as the vendor's document gives
 * them: its domain.  The API's field holds only such values, so a value
 * outside it matches no row and is never sent (the API would refuse it):
 * "=" answers no rows without a request, an IN list loses the value, and
 * a bound outside an integer range is not sent (the executor rechecks).
 * RF_DOM_ANY takes the column's type's own domain: a UUID column's values
 * are UUIDs, an integer column's integers.
 */
typedef enum RfDomainKind
{
	RF_DOM_ANY = 0,				/* from the column's type (above) */
	RF_DOM_TEXT,				/* any string, even empty */
	RF_DOM_NONEMPTY,			/* a string that is not empty */
	RF_DOM_INTEGER,				/* a decimal integer, within min..max */
	RF_DOM_ENUM,				/* one of values, exactly */
	RF_DOM_ENUM_NOCASE,			/* one of values, in any case */
	RF_DOM_UUID,				/* a UUID in its hyphenated text form */
	RF_DOM_CLOCK,				/* a time of day hh:mm, 00:00 up to 23:59, or
								 * up to 24:00 with has_max */
	RF_DOM_CLOCK_SPAN			/* one of values (a named span such as
								 * "store_hours"), or "hh:mm-hh:mm": a start
								 * 00:00 to 23:59 before an end up to 24:00 */
} RfDomainKind;

typedef struct RfDomain
{
	RfDomainKind kind;
	const char *const *values;	/* enums: NULL-terminated */
	bool		has_min;		/* integers: a documented minimum */
	int64_t		min;
	bool		has_max;		/* ...and maximum */
	int64_t		max;
} RfDomain;

#define RF_DOMAIN_TEXT			{.kind = RF_DOM_TEXT}
#define RF_DOMAIN_NONEMPTY		{.kind = RF_DOM_NONEMPTY}
#define RF_DOMAIN_INT			{.kind = RF_DOM_INTEGER}
#define RF_DOMAIN_INT_MIN(m)	{.kind = RF_DOM_INTEGER, .has_min = true, .min = (m)}
#define RF_DOMAIN_ENUM(v)		{.kind = RF_DOM_ENUM, .values = (v)}
#define RF_DOMAIN_ENUM_NOCASE(v) {.kind = RF_DOM_ENUM_NOCASE, .values = (v)}
#define RF_DOMAIN_UUID			{.kind = RF_DOM_UUID}
#define RF_DOMAIN_CLOCK			{.kind = RF_DOM_CLOCK}
#define RF_DOMAIN_CLOCK_END		{.kind = RF_DOM_CLOCK, .has_max = true, .max = 1440}
#define RF_DOMAIN_CLOCK_SPAN(v) {.kind = RF_DOM_CLOCK_SPAN, .values = (v)}

/*
 * A column that can be pushed to the API.  Equality and IN go to "param";
 * lower bounds (>, >=) to "lower_param", upper bounds (<, <=) to
 * "upper_param".  Both bounds are sent as inclusive: a strict bound is sent
 * loosely and the executor's recheck removes the boundary rows.  A "window"
 * range is split into consecutive windows (the table option "window", a
 * day without it: RF_DEFAULT_WINDOW).  How a vendor's API reads a bound
 * where its document is its own (a bound it refuses, one sent wider, or
 * spelt otherwise) is the endpoint's hook send_range (rf_descriptor.h).
 *
 * A body parameter's name is a body path: "a" is a key of the body,
 * "a.b" a key of its object "a", "a[].b" a key of a new element of array
 * "a" (one element per parameter), "a[0].b" a key of its first element
 * (shared by the parameters that name it).
 */
typedef struct RfPushdown
{
	const char *column;			/* the column quals name */
	uint32_t	ops;			/* RF_OP_* accepted */
	const char *param;			/* where = and IN values go */
	const char *lower_param;	/* where a lower bound goes */
	const char *upper_param;	/* where an upper bound goes */
	RfParamLoc	loc;			/* query, body or path */
	RfMulti		multi;			/* several values: split or repeated */
	bool		window;			/* a range is split into windows of the
								 * "window" option (one vendor) */
	bool		shapes;			/* a parameter, not a filter: any qual on
								 * the column must be pushed (one vendor) */

	/*
	 * RF_LOC_PATH: the path used when this parameter has a value; each
	 * value sent is also a constant "column=value" of its series; at most
	 * batch values a request (RF_MULTI_REPEAT, 0 = all); the only values
	 * the API filters by (with any other, none is sent).  One vendor,
	 * for these four (reqplan.c).
	 */
	const char *path;
	bool		as_const;
	int			batch;
	const char *const *accepted;

	/*
	 * A range sent as UTC dates (YYYY-MM-DD), at most chunk_days days a
	 * request.  The API serves the days from today + horizon_first to
	 * today + horizon_last (a forecast's horizon): a lower bound before
	 * that is an error, the days sent are clipped to it.  One vendor, for
	 * these three (reqplan.c).
	 */
	int			chunk_days;
	int			horizon_first;
	int			horizon_last;

	/* the values the parameter takes (RfDomain); every entry declares it */
	RfDomain	domain;
} RfPushdown;

/* param.c: operators by name, and what lies in a domain */
extern const char *rf_op_name(int op);
extern int	rf_op_code(const char *name);
extern bool rf_domain_admits(const RfDomain *domain, const char *value);
extern int	rf_domain_text(const RfDomain *domain, char *buf, int size);

#endif							/* RF_PARAM_H */
