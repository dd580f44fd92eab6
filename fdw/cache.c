/*-------------------------------------------------------------------------
 *
 * cache.c
 *		  The response cache: raw 2xx answers of scans, kept for cache_ttl.
 *
 * An answer is stored as the bytes the vendor sent (after content
 * decoding) with the status and the headers the pager reads, and with the
 * parser's verdict on those bytes when it has one (for JSON: that they are
 * plain RFC 8259 JSON within the limits, and where the rows lie): a hit
 * hands bytes and verdict to the body sink, which takes them without a
 * second byte scan when the verdict fits them, and parses them again like
 * a network answer otherwise (http.c, json.c).  Entries are
 * keyed by the whole request -- database, user mapping (and the version of
 * its catalog row, so ALTER USER MAPPING starts afresh), network policy,
 * method, URL, body and extra headers -- hashed, and compared in full on a
 * hit: one role never sees another mapping's answers, and a hash
 * collision is only ever a miss.
 *
 * Storage is a ring: records are written at the head and evicted from the
 * tail, so the oldest go first, whatever their TTL; an expired record is
 * simply never returned again.  A bucket array of record offsets finds a
 * key.  With retail_fdw in shared_preload_libraries the ring lives in
 * shared memory (retail_fdw.cache_size, under one LWLock) and serves every
 * session; otherwise each backend has its own (retail_fdw.
 * local_cache_size), allocated on the first store.  Nothing is allocated
 * in the ring after start-up, and a record larger than a quarter of it is
 * not kept.
 *
 * A request series is stored as a unit: its first page is marked complete
 * only when the series' last page was stored (rf_respcache_complete), and
 * later pages carry the first page's stamp and expiry.  The pager looks a
 * series' later pages up only when its first page was a hit, with that
 * stamp, so a repeated scan reads one whole fill or goes to the network --
 * never pages of different ages (scan.c).
 *
 * Not here: when a request may use the cache (scan.c), how answers are
 * replayed (http.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_user_mapping.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "cache.h"

/* What a record is */
#define RC_LIVE		1			/* findable */
#define RC_DEAD		2			/* replaced or cleared: waits for eviction */
#define RC_FILLER	3			/* the unused end of the area before a wrap */

/*
 * One record in the ring, followed by its key, next-page header, location
 * header, body and the body's verdict (what the parser's first check of
 * those bytes established, so that a replay need not check them again:
 * kept in the same record, written once under the lock and copied out
 * under it, it always describes these very bytes).  size is MAXALIGNed,
 * the header included.
 */
typedef struct RcRecord
{
	Size		size;
	int64		next;			/* next record of the bucket, or -1 */
	uint32		hash;
	uint8		kind;
	bool		complete;		/* a first page whose series was stored whole */
	Oid			dbid;			/* also in the key: for cache_clear */
	Oid			umid;
	uint64		stamp;			/* the fill (series) it belongs to */
	TimestampTz expires;
	int32		status;
	uint32		keylen;
	uint32		nextlen;		/* 0 = no header */
	uint32		loclen;
	uint32		bodylen;
	uint32		vlen;			/* the body's verdict (0 = none) */
	char		data[FLEXIBLE_ARRAY_MEMBER];
} RcRecord;

#define RC_HDR		MAXALIGN(offsetof(RcRecord, data))

/*
 * The ring: this header, nbuckets bucket heads (record offsets, -1 =
 * empty), then capacity bytes of records.
 */
typedef struct RcRing
{
	LWLock	   *lock;			/* NULL: a backend's own ring */
	Size		capacity;
	Size		head;			/* where the next record goes */
	Size		tail;			/* the oldest record */
	int64		nrecords;		/* records in the area, dead and filler too */
	int			nbuckets;		/* a power of two */
	uint64		next_stamp;
} RcRing;

/* retail_fdw.cache_size (kB; preloaded only) and local_cache_size (kB) */
static int	rf_cache_size_kb = 65536;
static int	rf_local_cache_size_kb = 16384;
static bool cache_preloaded = false;

static RcRing *SharedRing = NULL;
static RcRing *LocalRing = NULL;
static Size LocalRingBytes = 0;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* ----------------------------------------------------------------
 *		The ring
 * ----------------------------------------------------------------
 */

static int
ring_nbuckets(Size capacity)
{
	int			n = 64;

	while ((Size) n < capacity / 8192 && n < (1 << 24))
		n <<= 1;
	return n;
}

/*
 * The area a ring of total bytes leaves for records (0: too small for
 * any), and its number of buckets.
 */
static Size
ring_capacity(Size total, int *nbuckets)
{
	Size		fixed = MAXALIGN(sizeof(RcRing));
	Size		rest;
	Size		heads;
	int			n;

	if (total <= fixed)
		return 0;
	rest = total - fixed;
	n = ring_nbuckets(rest);
	heads = MAXALIGN(n * sizeof(int64));
	if (nbuckets)
		*nbuckets = n;
	if (rest <= heads + RC_HDR)
		return 0;
	return (rest - heads) & ~((Size) MAXIMUM_ALIGNOF - 1);
}

static int64 *
ring_buckets(RcRing *r)
{
	return (int64 *) ((char *) r + MAXALIGN(sizeof(RcRing)));
}

static char *
ring_area(RcRing *r)
{
	return (char *) ring_buckets(r) + MAXALIGN(r->nbuckets * sizeof(int64));
}

static RcRecord *
ring_record(RcRing *r, Size off)
{
	return (RcRecord *) (ring_area(r) + off);
}

static void
ring_init(RcRing *r, Size total, LWLock *lock)
{
	memset(r, 0, sizeof(RcRing));
	r->lock = lock;
	r->capacity = ring_capacity(total, &r->nbuckets);
	if (r->capacity == 0)
		r->nbuckets = 0;		/* never used: the buckets may not fit */
	r->next_stamp = 1;
	for (int i = 0; i < r->nbuckets; i++)
		ring_buckets(r)[i] = -1;
}

/* The largest record kept: a quarter of the area */
static Size
ring_max_record(RcRing *r)
{
	return r->capacity / 4;
}

/* Take a live record out of its bucket chain */
static void
ring_unlink(RcRing *r, Size off)
{
	RcRecord   *rec = ring_record(r, off);
	int64	   *p = &ring_buckets(r)[rec->hash & (r->nbuckets - 1)];

	while (*p >= 0)
	{
		if ((Size) *p == off)
		{
			*p = rec->next;
			break;
		}
		p = &ring_record(r, (Size) *p)->next;
	}
	rec->kind = RC_DEAD;
	rec->next = -1;
}

/* An offset where fewer bytes than a record header remain wraps to 0 */
static Size
ring_normalize(RcRing *r, Size off)
{
	return (r->capacity - off < RC_HDR) ? 0 : off;
}

/* Evict the oldest record */
static void
ring_evict(RcRing *r)
{
	RcRecord   *rec = ring_record(r, r->tail);

	if (rec->kind == RC_LIVE)
		ring_unlink(r, r->tail);
	r->tail = ring_normalize(r, r->tail + rec->size);
	if (--r->nrecords == 0)
		r->head = r->tail = 0;
}

/*
 * Room for a record of size bytes at the head, evicting the oldest records
 * as needed: the offset to write at.  size is at most the capacity.
 */
static Size
ring_reserve(RcRing *r, Size size)
{
	for (;;)
	{
		if (r->nrecords == 0)
		{
			r->head = r->tail = 0;
			return 0;
		}
		if (r->head > r->tail)
		{
			RcRecord   *filler;

			if (r->capacity - r->head >= size)
				return r->head;
			/* the end of the area is too short: fill it, wrap */
			filler = ring_record(r, r->head);
			filler->size = r->capacity - r->head;
			filler->kind = RC_FILLER;
			filler->next = -1;
			r->nrecords++;
			r->head = 0;
			continue;
		}
		/* head <= tail: the free bytes are [head, tail) */
		if (r->tail - r->head >= size)
			return r->head;
		ring_evict(r);
	}
}

/* The live record of a key, or NULL */
static RcRecord *
ring_find(RcRing *r, const char *key, Size keylen, uint32 hash)
{
	int64		off = ring_buckets(r)[hash & (r->nbuckets - 1)];

	while (off >= 0)
	{
		RcRecord   *rec = ring_record(r, (Size) off);

		if (rec->hash == hash && rec->keylen == keylen &&
			memcmp(rec->data, key, keylen) == 0)
			return rec;
		off = rec->next;
	}
	return NULL;
}

/* ----------------------------------------------------------------
 *		Set-up
 * ----------------------------------------------------------------
 */

static Size
shared_ring_bytes(void)
{
	return (Size) rf_cache_size_kb * 1024;
}

static void
cache_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	if (shared_ring_bytes() > 0)
	{
		RequestAddinShmemSpace(shared_ring_bytes());
		RequestNamedLWLockTranche("retail_fdw_cache", 1);
	}
}

static void
cache_shmem_startup(void)
{
	bool		found;
	RcRing	   *r;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	if (shared_ring_bytes() == 0)
		return;
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	r = ShmemInitStruct("retail_fdw response cache", shared_ring_bytes(), &found);
	if (!found)
		ring_init(r, shared_ring_bytes(),
				  &(GetNamedLWLockTranche("retail_fdw_cache"))->lock);
	SharedRing = r;
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called from _PG_init: the settings, and shared memory when loaded at
 * server start.  The shared size exists only then (PostgreSQL refuses a
 * setting fixed at server start later); the session size always does.
 */
void
rf_respcache_init(void)
{
	DefineCustomIntVariable("retail_fdw.local_cache_size",
							"Size of a session's response cache when retail_fdw is not preloaded.",
							"Answers of tables with cache_ttl are kept up to this size, "
							"the oldest evicted first; 0 turns the session cache off.",
							&rf_local_cache_size_kb,
							16384, 0, 1024 * 1024,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;
	cache_preloaded = true;
	DefineCustomIntVariable("retail_fdw.cache_size",
							"Size of the shared response cache.",
							"Fixed at server start; answers of tables with cache_ttl are "
							"shared by every session up to this size, the oldest evicted "
							"first; 0 turns the cache off.",
							&rf_cache_size_kb,
							65536, 0, 1024 * 1024,
							PGC_POSTMASTER, GUC_UNIT_KB,
							NULL, NULL, NULL);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = cache_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = cache_shmem_startup;
}

/*
 * The ring in use, locked in the given mode when shared; NULL when the
 * cache is off.  A session ring is made (create) or remade when its size
 * setting changed.
 */
static RcRing *
ring_lock(LWLockMode mode, bool create)
{
	Size		want;

	if (cache_preloaded)
	{
		if (SharedRing == NULL || SharedRing->capacity == 0)
			return NULL;
		LWLockAcquire(SharedRing->lock, mode);
		return SharedRing;
	}
	want = (Size) rf_local_cache_size_kb * 1024;
	if (LocalRing != NULL && LocalRingBytes != want)
	{
		pfree(LocalRing);
		LocalRing = NULL;
		LocalRingBytes = 0;
	}
	if (LocalRing == NULL && create && ring_capacity(want, NULL) > 0)
	{
		LocalRing = MemoryContextAllocExtended(TopMemoryContext, want,
											   MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
		if (LocalRing == NULL)
			return NULL;
		ring_init(LocalRing, want, NULL);
		LocalRingBytes = want;
	}
	return LocalRing;
}

static void
ring_unlock(RcRing *r)
{
	if (r != NULL && r->lock != NULL)
		LWLockRelease(r->lock);
}

/* ----------------------------------------------------------------
 *		Keys, lookups, stores
 * ----------------------------------------------------------------
 */

typedef struct RcKeyHead
{
	Oid			dbid;
	Oid			umid;
	TransactionId umxmin;		/* the mapping row's version */
	bool		restricted;		/* the network policy applies */
} RcKeyHead;

/*
 * The key of a request: who asks (database, user mapping and its version,
 * network policy) and everything sent (method, URL, body, extra headers).
 */
char *
rf_respcache_key(Oid umid, bool restricted, const char *method,
				 const char *url, const char *body, List *headers,
				 Size *keylen)
{
	StringInfoData buf;
	RcKeyHead	head;
	HeapTuple	tup;
	ListCell   *lc;

	memset(&head, 0, sizeof(head));
	head.dbid = MyDatabaseId;
	head.umid = umid;
	head.restricted = restricted;
	tup = SearchSysCache1(USERMAPPINGOID, ObjectIdGetDatum(umid));
	if (HeapTupleIsValid(tup))
	{
		head.umxmin = HeapTupleHeaderGetXmin(tup->t_data);
		ReleaseSysCache(tup);
	}
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, (const char *) &head, sizeof(head));
	appendStringInfo(&buf, "%s%c%s%c", method, '\0', url, '\0');
	if (body)
		appendStringInfo(&buf, "B%s%c", body, '\0');
	else
		appendStringInfoChar(&buf, '\0');
	foreach(lc, headers)
		appendStringInfo(&buf, "%s\n", (char *) lfirst(lc));
	*keylen = buf.len;
	return buf.data;
}

/*
 * Whether answers stored by one backend are seen by the others (the
 * cache lives in shared memory).  A parallel worker's per-session cache
 * dies with it, so a scan with a TTL is not parallel without it.
 */
bool
rf_respcache_shared(void)
{
	return cache_preloaded && SharedRing != NULL && SharedRing->capacity > 0;
}

/* The largest body an answer may have to be kept (0: the cache is off) */
Size
rf_respcache_max_body(void)
{
	Size		max = 0;

	if (cache_preloaded)
		max = SharedRing ? ring_max_record(SharedRing) : 0;
	else if (rf_local_cache_size_kb > 0)
		max = ring_capacity((Size) rf_local_cache_size_kb * 1024, NULL) / 4;
	return max > RC_HDR ? max - RC_HDR : 0;
}

/*
 * Look a key up.  A first page (first) is a hit only when its series was
 * stored whole and it has not expired; a later page only when it belongs
 * to the given fill (stamp) and had not expired at as_of.  On a hit the
 * answer is copied into the caller's memory.
 */
bool
rf_respcache_lookup(const char *key, Size keylen, bool first, uint64 stamp,
					TimestampTz as_of, RfCachedAnswer *answer)
{
	uint32		hash = hash_bytes((const unsigned char *) key, (int) keylen);
	RcRing	   *r = ring_lock(LW_SHARED, false);
	RcRecord   *rec;
	bool		hit = false;

	if (r == NULL)
		return false;
	rec = ring_find(r, key, keylen, hash);
	if (rec != NULL && rec->expires > as_of &&
		(first ? rec->complete : rec->stamp == stamp))
	{
		const char *p = rec->data + rec->keylen;

		answer->status = rec->status;
		answer->stamp = rec->stamp;
		answer->expires = rec->expires;
		answer->page_next = rec->nextlen ? pnstrdup(p, rec->nextlen) : NULL;
		p += rec->nextlen;
		answer->location = rec->loclen ? pnstrdup(p, rec->loclen) : NULL;
		p += rec->loclen;
		answer->len = rec->bodylen;
		answer->body = palloc(rec->bodylen + 1);
		memcpy(answer->body, p, rec->bodylen);
		answer->body[rec->bodylen] = '\0';
		p += rec->bodylen;
		answer->vlen = rec->vlen;
		answer->verdict = NULL;
		if (rec->vlen > 0)
		{
			answer->verdict = palloc(rec->vlen);
			memcpy(answer->verdict, p, rec->vlen);
		}
		hit = true;
	}
	ring_unlock(r);
	return hit;
}

/*
 * Keep an answer.  stamp 0 starts a new fill (a series' first page, not
 * complete yet): its stamp is returned; a later page passes its first
 * page's stamp and expiry.  Returns 0 when the answer was not kept (too
 * large, or the cache is off).
 */
uint64
rf_respcache_store(const char *key, Size keylen, Oid umid, uint64 stamp,
				   TimestampTz expires, const RfCachedAnswer *answer)
{
	uint32		hash = hash_bytes((const unsigned char *) key, (int) keylen);
	Size		nextlen = answer->page_next ? strlen(answer->page_next) : 0;
	Size		loclen = answer->location ? strlen(answer->location) : 0;
	Size		vlen = answer->verdict ? answer->vlen : 0;
	Size		size = MAXALIGN(RC_HDR + keylen + nextlen + loclen + answer->len +
								vlen);
	RcRing	   *r;
	RcRecord   *rec;
	Size		off;
	int64	   *bucket;
	char	   *p;

	r = ring_lock(LW_EXCLUSIVE, true);
	if (r == NULL)
		return 0;
	if (vlen > 0 && (size > ring_max_record(r) || vlen > PG_UINT32_MAX))
	{
		/* a body that fits but not with its verdict is kept without it */
		vlen = 0;
		size = MAXALIGN(RC_HDR + keylen + nextlen + loclen + answer->len);
	}
	if (size > ring_max_record(r) || answer->len > PG_UINT32_MAX)
	{
		ring_unlock(r);
		return 0;
	}
	/* an older answer to the same request goes */
	while ((rec = ring_find(r, key, keylen, hash)) != NULL)
		ring_unlink(r, (char *) rec - ring_area(r));
	if (stamp == 0)
		stamp = r->next_stamp++;

	off = ring_reserve(r, size);
	rec = ring_record(r, off);
	memset(rec, 0, RC_HDR);
	rec->size = size;
	rec->hash = hash;
	rec->kind = RC_LIVE;
	rec->complete = false;
	rec->dbid = MyDatabaseId;
	rec->umid = umid;
	rec->stamp = stamp;
	rec->expires = expires;
	rec->status = (int32) answer->status;
	rec->keylen = keylen;
	rec->nextlen = nextlen;
	rec->loclen = loclen;
	rec->bodylen = answer->len;
	rec->vlen = vlen;
	p = rec->data;
	memcpy(p, key, keylen);
	p += keylen;
	memcpy(p, answer->page_next, nextlen);
	p += nextlen;
	memcpy(p, answer->location, loclen);
	p += loclen;
	memcpy(p, answer->body, answer->len);
	p += answer->len;
	if (vlen > 0)
		memcpy(p, answer->verdict, vlen);
	bucket = &ring_buckets(r)[hash & (r->nbuckets - 1)];
	rec->next = *bucket;
	*bucket = off;
	r->nrecords++;
	r->head = ring_normalize(r, off + size);
	ring_unlock(r);
	return stamp;
}

/*
 * The series of a first page was stored whole: the first page becomes a
 * hit.  Nothing happens when it was evicted or replaced meanwhile.
 */
void
rf_respcache_complete(const char *key, Size keylen, uint64 stamp)
{
	uint32		hash = hash_bytes((const unsigned char *) key, (int) keylen);
	RcRing	   *r = ring_lock(LW_EXCLUSIVE, false);
	RcRecord   *rec;

	if (r == NULL)
		return;
	rec = ring_find(r, key, keylen, hash);
	if (rec != NULL && rec->stamp == stamp)
		rec->complete = true;
	ring_unlock(r);
}

/* ----------------------------------------------------------------
 *		retail_fdw.cache_clear()
 * ----------------------------------------------------------------
 */

/*
 * Whether the current role may clear a mapping's answers: its own
 * mapping, or the PUBLIC mapping of a server where it has none -- the
 * answers it could be served itself.
 */
static bool
mapping_is_mine(Oid umid)
{
	HeapTuple	tup = SearchSysCache1(USERMAPPINGOID, ObjectIdGetDatum(umid));
	Form_pg_user_mapping um;
	bool		mine;

	if (!HeapTupleIsValid(tup))
		return false;
	um = (Form_pg_user_mapping) GETSTRUCT(tup);
	if (um->umuser == GetUserId())
		mine = true;
	else if (um->umuser == InvalidOid)
		mine = !SearchSysCacheExists2(USERMAPPINGUSERSERVER,
									  ObjectIdGetDatum(GetUserId()),
									  ObjectIdGetDatum(um->umserver));
	else
		mine = false;
	ReleaseSysCache(tup);
	return mine;
}

PG_FUNCTION_INFO_V1(rf_sql_cache_clear);

/*
 * retail_fdw.cache_clear() -- forget cached answers; returns how many.  A
 * superuser clears the whole cache (every database, when it is shared);
 * another role the answers of the mappings it uses in this database.
 */
Datum
rf_sql_cache_clear(PG_FUNCTION_ARGS)
{
	RcRing	   *r;
	bool		all = superuser();
	List	   *umids = NIL;
	List	   *mine = NIL;
	ListCell   *lc;
	int64		removed = 0;
	Size		off;
	int64		n;

	/* whose mappings: looked up without the lock */
	if (!all)
	{
		r = ring_lock(LW_SHARED, false);
		if (r == NULL)
			PG_RETURN_INT64(0);
		for (off = r->tail, n = 0; n < r->nrecords; n++)
		{
			RcRecord   *rec = ring_record(r, off);

			if (rec->kind == RC_LIVE && rec->dbid == MyDatabaseId &&
				!list_member_oid(umids, rec->umid))
				umids = lappend_oid(umids, rec->umid);
			off = ring_normalize(r, off + rec->size);
		}
		ring_unlock(r);
		foreach(lc, umids)
		{
			if (mapping_is_mine(lfirst_oid(lc)))
				mine = lappend_oid(mine, lfirst_oid(lc));
		}
		if (mine == NIL)
			PG_RETURN_INT64(0);
	}

	r = ring_lock(LW_EXCLUSIVE, false);
	if (r == NULL)
		PG_RETURN_INT64(0);
	for (off = r->tail, n = 0; n < r->nrecords; n++)
	{
		RcRecord   *rec = ring_record(r, off);

		if (rec->kind == RC_LIVE &&
			(all || (rec->dbid == MyDatabaseId && list_member_oid(mine, rec->umid))))
		{
			ring_unlink(r, off);
			removed++;
		}
		off = ring_normalize(r, off + rec->size);
	}
	if (all)
	{
		r->nrecords = 0;
		r->head = r->tail = 0;
	}
	ring_unlock(r);
	PG_RETURN_INT64(removed);
}
