/*-------------------------------------------------------------------------
 *
 * cache.h
 *		  The response cache (cache.c): vendor answers kept for cache_ttl.
 *
 * Raw answers (status, the headers the pager reads, the body) in a ring,
 * in shared memory when the library is preloaded.  The transport looks
 * requests up and stores answers (http.c, through RfCacheUse); the pager
 * marks a fill complete.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_CACHE_H
#define RF_CACHE_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/timestamp.h"

/* An answer as kept: status, the headers the pager reads, the body */
typedef struct RfCachedAnswer
{
	long		status;
	char	   *page_next;		/* X-Page-Next, or NULL */
	char	   *location;		/* Location, or NULL */
	char	   *body;
	Size		len;
	void	   *verdict;		/* what checking body established, or NULL */
	Size		vlen;
	uint64		stamp;			/* the fill it belongs to (lookups) */
	TimestampTz expires;		/* (lookups) */
} RfCachedAnswer;

extern void rf_respcache_init(void);
extern char *rf_respcache_key(Oid umid, bool restricted, const char *method,
							  const char *url, const char *body,
							  List *headers, Size *keylen);
extern Size rf_respcache_max_body(void);
extern bool rf_respcache_shared(void);
extern bool rf_respcache_lookup(const char *key, Size keylen, bool first,
								uint64 stamp, TimestampTz as_of,
								RfCachedAnswer *answer);
extern uint64 rf_respcache_store(const char *key, Size keylen, Oid umid,
								 uint64 stamp, TimestampTz expires,
								 const RfCachedAnswer *answer);
extern void rf_respcache_complete(const char *key, Size keylen, uint64 stamp);

#endif							/* RF_CACHE_H */
