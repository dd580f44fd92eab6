/*-------------------------------------------------------------------------
 *
 * rf_hooks.h
 *		  The endpoint hooks: what a vendor's module does for its endpoints
 *		  where the descriptor model (rf_descriptor.h) has no word.
 *
 * The core calls a hook without knowing whose it is; a NULL hook means the
 * generic code is right.  A vendor fills an RfEndpointHooks in a file of
 * its module and points its endpoints at it (RF_HOOK, vendor.h, leaves it
 * out of a standalone build); the data a hook reads stays in the vendor's
 * files.  Plain C, as rf_descriptor.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_HOOKS_H
#define RF_HOOKS_H

#include <stdbool.h>

struct RfEndpoint;
struct RfPushdown;
struct RfOptions;
struct RfSeriesPlan;
struct RfFilter;
struct List;

/*
 * A planning hook: a scan's request series (an RfSeriesPlan) from its
 * evaluated quals (a List of RfQualValue); *empty when nothing can match
 */
typedef struct RfSeriesPlan *(*RfPlanHook) (const struct RfOptions *opts,
											struct List *qualvals,
											bool *empty);

/*
 * What a vendor does for its endpoint where the model has no word: hooks
 * the core calls without knowing whose they are, NULL where the generic
 * code is right; filled in a file of the vendor's module.
 */
typedef struct RfEndpointHooks
{
	RfPlanHook	plan_series;	/* the scan's series, not reqplan.c's */
	/* ORDER BY the API's key (RfSort): the query parameters ("k=v" List) */
	struct List *(*sort_query) (const char *key, bool descending);
	/* a page of nrows rows came: ERROR if the answer may have been cut */
	void		(*check_page) (const struct RfOptions *opts, int nrows,
							   const char *label, const char *relname);

	/*
	 * A range on pd as the API reads it, before it is sent or cut into
	 * windows or day chunks (reqplan.h's RfFilter, bounds inclusive): widen
	 * a bound whose reading the document leaves open, clear one the API
	 * would refuse (the executor filters alone), set the text one is sent
	 * as; and range_note, what it does for the reference ("; ..."), or NULL
	 */
	void		(*send_range) (const struct RfEndpoint *ep,
							   const struct RfPushdown *pd, struct RfFilter *cf);
	const char *(*range_note) (const struct RfEndpoint *ep,
							   const struct RfPushdown *pd, bool lower, bool upper);
} RfEndpointHooks;

/* An endpoint's hook h, or NULL */
#define RF_EP_HOOK(ep, h)	((ep)->hooks ? (ep)->hooks->h : NULL)

#endif							/* RF_HOOKS_H */
