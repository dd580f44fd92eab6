/*-------------------------------------------------------------------------
 *
 * reqencode.h
 *		  How a series' parameters become its request: query strings, path
 *		  segments and JSON bodies (reqencode.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_REQENCODE_H
#define RF_REQENCODE_H

#include "reqplan.h"

/*
 * A parameter of one series: its values under a name (a query parameter,
 * a body path, a path token).  pd is NULL for a table option sent in the
 * body.
 */
typedef struct SeriesParam
{
	const RfPushdown *pd;
	const char *name;
	List	   *values;			/* several for REPEAT */
	bool		array;			/* a JSON array in a body */
	RfParamLoc	loc;			/* where it goes when pd is NULL (a constant) */
} SeriesParam;

extern void rf_add_param(List **params, const RfPushdown *pd, const char *name,
						 List *values);
extern RfSeries *rf_make_series(const RfEndpoint *ep, List *params);

#endif							/* RF_REQENCODE_H */
