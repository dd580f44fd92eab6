/*-------------------------------------------------------------------------
 *
 * stats.c
 *		  Request statistics per server and endpoint, across sessions.
 *
 * Every HTTP transfer, when it is released (after success, failure or a
 * cancel), adds its figures to one entry keyed by database, server and
 * endpoint: requests (retries included), answers served by the response
 * cache instead (cache.c), successful pages, rows, bytes, retries,
 * throttled answers (429 and 503), failed exchanges and the time the
 * backend spent waiting on the network.  A failed exchange also
 * records its error message and when it happened.
 *
 * With retail_fdw in shared_preload_libraries the entries live in shared
 * memory under one LWLock (writers take it exclusive, readers copy under
 * it shared, so no entry is ever read half-written) and are seen by every
 * session; otherwise each backend keeps its own (the view's "scope"
 * column says which).
 *
 * Who sees what: server OIDs mean something only in their own database
 * (the same OID names another server, or none, elsewhere), so a session
 * sees the entries of its own database only.  Of those, a role sees the
 * entries of servers it has USAGE on; superusers and members of
 * pg_read_all_stats see all of them, those of dropped servers included.
 * A reset removes, for a superuser, the current database's entries, those
 * of dropped databases and the spill row; for a role it was granted to,
 * the entries of the current database's servers it has USAGE on.
 *
 * The table has a fixed size, chosen at start-up (retail_fdw.
 * stats_max_entries): an array of entries and a bucket array, both
 * allocated once.  Nothing is ever allocated afterwards, so no query can
 * make the table take more shared memory than it was given.  Once the
 * entries are used up but for a reserve (an eighth), the figures of a
 * server's further endpoints are added to an overflow entry of that
 * server, "(other endpoints)", taken from the reserve -- still of one
 * database and one server, so seen by whom sees that server.  When the
 * reserve is used up too, they go to one spill row of all databases,
 * which only superusers and pg_read_all_stats see.  A reset compacts the
 * array and gives the entries back.
 *
 * Endpoints are recorded by name, never by the path a request happened to
 * use: the vendor's path template that the path matches ("GET
 * /api/data/v1.3/visits/{id}/", "PUT /v2/location/{uuid}"), or
 * "METHOD (other)" for a path that matches none.  The number of names per
 * server is therefore bounded by the vendor's descriptors, whatever paths
 * vendor_call is given.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "stats.h"
#include "vendor.h"

#define RF_STATS_ENDPOINT_LEN	96
#define RF_STATS_ERROR_LEN		256
#define RF_STATS_OVERFLOW_NAME	"(other endpoints)"

typedef struct RfStatKey
{
	Oid			dbid;
	Oid			serverid;
	char		endpoint[RF_STATS_ENDPOINT_LEN];
} RfStatKey;

typedef struct RfStatEntry
{
	RfStatKey	key;
	int32		next;			/* next entry of the bucket, or -1 */
	RfStatCounts c;
	int64		errors;
	TimestampTz first_at;
	TimestampTz last_at;
	TimestampTz last_error_at;
	char		last_error[RF_STATS_ERROR_LEN];
} RfStatEntry;

/*
 * The whole table, in one allocation: the header, max_entries entries, then
 * nbuckets bucket heads (indexes into entries, -1 = empty).
 */
typedef struct RfStatTable
{
	LWLock	   *lock;			/* NULL for a backend's own table */
	int			max_entries;
	int			nbuckets;		/* a power of two */
	int			nused;			/* entries[0 .. nused-1] are in use */
	int			reserve;		/* entries kept for overflow entries */
	RfStatEntry spill;			/* what did not fit even there */
	RfStatEntry entries[FLEXIBLE_ARRAY_MEMBER];
} RfStatTable;

/* retail_fdw.stats_max_entries */
static int	rf_stats_max_entries = 1024;

static RfStatTable *SharedTable = NULL;

/* Used when not preloaded: this backend's own figures, no lock */
static RfStatTable *LocalTable = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* Entries only overflow entries may take: an eighth, at least two */
static int
stats_reserve(int max_entries)
{
	return Max(max_entries / 8, 2);
}

static int
stats_nbuckets(int max_entries)
{
	int			n = 16;

	while (n < max_entries)
		n <<= 1;
	return n;
}

/* Bytes of a table of max_entries entries */
static Size
stats_table_size(int max_entries)
{
	Size		size = offsetof(RfStatTable, entries);

	size = add_size(size, mul_size(max_entries, sizeof(RfStatEntry)));
	size = add_size(size, mul_size(stats_nbuckets(max_entries), sizeof(int32)));
	return size;
}

static int32 *
stats_buckets(RfStatTable *t)
{
	return (int32 *) &t->entries[t->max_entries];
}

static void
stats_entry_clear(RfStatEntry *e)
{
	memset((char *) e + offsetof(RfStatEntry, next), 0,
		   sizeof(RfStatEntry) - offsetof(RfStatEntry, next));
	e->next = -1;
}

/* An empty table in the given memory */
static void
stats_table_init(RfStatTable *t, int max_entries, LWLock *lock)
{
	int32	   *buckets;

	t->lock = lock;
	t->max_entries = max_entries;
	t->nbuckets = stats_nbuckets(max_entries);
	t->nused = 0;
	t->reserve = stats_reserve(max_entries);
	memset(&t->spill.key, 0, sizeof(RfStatKey));
	strlcpy(t->spill.key.endpoint, RF_STATS_OVERFLOW_NAME,
			sizeof(t->spill.key.endpoint));
	stats_entry_clear(&t->spill);
	buckets = stats_buckets(t);
	for (int i = 0; i < t->nbuckets; i++)
		buckets[i] = -1;
}

static void
stats_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(stats_table_size(rf_stats_max_entries));
	RequestNamedLWLockTranche("retail_fdw", 1);
}

static void
stats_shmem_startup(void)
{
	bool		found;
	RfStatTable *t;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	t = ShmemInitStruct("retail_fdw request stats",
						stats_table_size(rf_stats_max_entries), &found);
	if (!found)
		stats_table_init(t, rf_stats_max_entries,
						 &(GetNamedLWLockTranche("retail_fdw"))->lock);
	SharedTable = t;
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called from _PG_init: the size setting, and shared memory when loaded at
 * server start.
 */
void
rf_stats_init(void)
{
	/*
	 * A setting fixed at server start exists only when the library is
	 * preloaded: PostgreSQL refuses (FATAL) to create one later, and without
	 * preloading the statistics are per session anyway.
	 */
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("retail_fdw.stats_max_entries",
							"Endpoints whose request statistics are kept apart.",
							"Fixed at server start: the shared table takes about "
							"half a kilobyte per entry; figures of further "
							"endpoints are added to one \"" RF_STATS_OVERFLOW_NAME "\" row "
							"per server.",
							&rf_stats_max_entries,
							1024, 16, 65536,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = stats_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = stats_shmem_startup;
}

/* The table in use, locked in the given mode when it is the shared one */
static RfStatTable *
stats_lock(LWLockMode mode)
{
	if (SharedTable != NULL)
	{
		LWLockAcquire(SharedTable->lock, mode);
		return SharedTable;
	}
	if (LocalTable == NULL)
	{
		RfStatTable *t = MemoryContextAllocExtended(TopMemoryContext,
													stats_table_size(rf_stats_max_entries),
													MCXT_ALLOC_NO_OOM);

		if (t == NULL)
			return NULL;
		stats_table_init(t, rf_stats_max_entries, NULL);
		LocalTable = t;
	}
	return LocalTable;
}

static void
stats_unlock(RfStatTable *t)
{
	if (t != NULL && t->lock != NULL)
		LWLockRelease(t->lock);
}

/* The entry of a key, or NULL */
static RfStatEntry *
stats_find(RfStatTable *t, const RfStatKey *key, uint32 hash)
{
	int32		i = stats_buckets(t)[hash & (t->nbuckets - 1)];

	while (i >= 0)
	{
		RfStatEntry *e = &t->entries[i];

		if (memcmp(&e->key, key, sizeof(RfStatKey)) == 0)
			return e;
		i = e->next;
	}
	return NULL;
}

static void stats_link(RfStatTable *t, int32 i);

static uint32
stats_hash(const RfStatKey *key)
{
	return hash_bytes((const unsigned char *) key, sizeof(RfStatKey));
}

/*
 * The entry of a key, made from a free entry when there is one beyond
 * keep_free; NULL when not found and none is left.
 */
static RfStatEntry *
stats_find_or_add(RfStatTable *t, const RfStatKey *key, int keep_free,
				  TimestampTz now)
{
	RfStatEntry *e = stats_find(t, key, stats_hash(key));
	int32		i;

	if (e != NULL || t->nused >= t->max_entries - keep_free)
		return e;
	i = t->nused++;
	e = &t->entries[i];
	e->key = *key;
	stats_entry_clear(e);
	stats_link(t, i);
	e->first_at = now;
	return e;
}

/* Link entries[i] into its bucket */
static void
stats_link(RfStatTable *t, int32 i)
{
	int32	   *head = &stats_buckets(t)[stats_hash(&t->entries[i].key) & (t->nbuckets - 1)];

	t->entries[i].next = *head;
	*head = i;
}

/* ----------------------------------------------------------------
 *		Endpoint names
 * ----------------------------------------------------------------
 */

/*
 * Does a path (no query) fit a template?  Segments match one for one; a
 * template segment holding "{" matches any non-empty segment.
 */
static bool
path_fits(const char *tmpl, const char *path, int pathlen)
{
	const char *t = tmpl;
	const char *p = path;
	const char *pend = path + pathlen;

	if (tmpl == NULL)
		return false;
	for (;;)
	{
		const char *tseg_end = t + strcspn(t, "/?");
		const char *pseg_end = p;

		while (pseg_end < pend && *pseg_end != '/')
			pseg_end++;
		if (memchr(t, '{', tseg_end - t) != NULL)
		{
			if (pseg_end == p)
				return false;
		}
		else if (tseg_end - t != pseg_end - p || strncmp(t, p, tseg_end - t) != 0)
			return false;
		t = tseg_end;
		p = pseg_end;
		if ((*t == '\0' || *t == '?') && p == pend)
			return true;
		if (*t != '/' || p == pend)
			return false;
		t++;
		p++;
	}
}

/* The template of a vendor that a path fits, or NULL */
static const char *
vendor_template(const RfVendor *v, const char *path, int pathlen)
{
	for (int i = 0; i < v->nendpoints; i++)
	{
		const RfEndpoint *ep = &v->endpoints[i];

		if (path_fits(ep->path, path, pathlen))
			return ep->path;
		if (ep->lister && path_fits(ep->lister->path, path, pathlen))
			return ep->lister->path;
		if (ep->write && path_fits(ep->write->insert_path, path, pathlen))
			return ep->write->insert_path;
		if (ep->write && path_fits(ep->write->update_path, path, pathlen))
			return ep->write->update_path;
	}
	if (path_fits(v->check_path, path, pathlen))
		return v->check_path;
	if (path_fits(v->token_path, path, pathlen))
		return v->token_path;
	/* the SQL-level actions built on vendor_call */
	for (int i = 0; i < v->nactions; i++)
	{
		if (path_fits(v->actions[i].path, path, pathlen))
			return v->actions[i].path;
	}
	return NULL;
}

/*
 * The name request_stats records a request under, from its label "METHOD
 * /path?query": the method (or OTHER) and the vendor's path template it
 * fits, without the template's own query, or "(other)".
 */
char *
rf_stats_endpoint_name(const char *vendor, const char *label)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	const RfVendor *v = vendor ? rf_vendor_lookup(vendor) : NULL;
	const char *method = "OTHER";
	const char *path = strchr(label, ' ');
	const char *tmpl = NULL;
	int			mlen = path ? (int) (path - label) : (int) strlen(label);

	for (int i = 0; i < (int) lengthof(methods); i++)
	{
		if ((int) strlen(methods[i]) == mlen && strncmp(label, methods[i], mlen) == 0)
			method = methods[i];
	}
	if (path != NULL && v != NULL)
	{
		path++;
		tmpl = vendor_template(v, path, strcspn(path, "?#"));
	}
	if (tmpl == NULL)
		return psprintf("%s (other)", method);
	return psprintf("%s %.*s", method, (int) strcspn(tmpl, "?"), tmpl);
}

/*
 * Add one transfer's figures under an endpoint name (from
 * rf_stats_endpoint_name).  Never raises an error: it runs from memory
 * context reset callbacks during abort too.
 */
void
rf_stats_add(Oid serverid, const char *endpoint, const RfStatCounts *d,
			 const char *error)
{
	RfStatTable *t;
	RfStatKey	key;
	RfStatKey	overflow;
	RfStatEntry *e;
	TimestampTz now;

	if (endpoint == NULL)
		return;
	memset(&key, 0, sizeof(key));
	key.dbid = MyDatabaseId;
	key.serverid = serverid;
	overflow = key;
	strlcpy(key.endpoint, endpoint, sizeof(key.endpoint));
	strlcpy(overflow.endpoint, RF_STATS_OVERFLOW_NAME, sizeof(overflow.endpoint));
	now = GetCurrentTimestamp();

	t = stats_lock(LW_EXCLUSIVE);
	if (t == NULL)
		return;
	/* the endpoint's own entry, else its server's overflow, else the spill */
	e = stats_find_or_add(t, &key, t->reserve, now);
	if (e == NULL)
		e = stats_find_or_add(t, &overflow, 0, now);
	if (e == NULL)
	{
		e = &t->spill;
		if (e->first_at == 0)
			e->first_at = now;
	}
	e->c.requests += d->requests;
	e->c.pages += d->pages;
	e->c.rows += d->rows;
	e->c.bytes += d->bytes;
	e->c.retries += d->retries;
	e->c.throttled += d->throttled;
	e->c.net_us += d->net_us;
	e->c.cache_hits += d->cache_hits;
	e->last_at = now;
	if (error != NULL)
	{
		e->errors++;
		e->last_error_at = now;
		strlcpy(e->last_error, error, sizeof(e->last_error));
	}
	stats_unlock(t);
}

/* ----------------------------------------------------------------
 *		SQL functions
 * ----------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(rf_sql_request_stats_read);
PG_FUNCTION_INFO_V1(rf_sql_request_stats_reset);

#define RF_STATS_COLS	16

static void
put_entry(ReturnSetInfo *rsinfo, const RfStatEntry *e, const char *scope)
{
	Datum		values[RF_STATS_COLS];
	bool		nulls[RF_STATS_COLS];
	int			i = 0;

	memset(nulls, false, sizeof(nulls));
	values[i++] = ObjectIdGetDatum(e->key.serverid);
	values[i++] = CStringGetTextDatum(e->key.endpoint);
	values[i++] = Int64GetDatum(e->c.requests);
	values[i++] = Int64GetDatum(e->c.cache_hits);
	values[i++] = Int64GetDatum(e->c.pages);
	values[i++] = Int64GetDatum(e->c.rows);
	values[i++] = Int64GetDatum(e->c.bytes);
	values[i++] = Int64GetDatum(e->c.retries);
	values[i++] = Int64GetDatum(e->c.throttled);
	values[i++] = Int64GetDatum(e->errors);
	values[i++] = Float8GetDatum(e->c.net_us / 1000.0);
	values[i++] = TimestampTzGetDatum(e->first_at);
	values[i++] = TimestampTzGetDatum(e->last_at);
	if (e->last_error_at != 0)
	{
		values[i++] = CStringGetTextDatum(e->last_error);
		values[i++] = TimestampTzGetDatum(e->last_error_at);
	}
	else
	{
		nulls[i++] = true;
		nulls[i++] = true;
	}
	values[i++] = CStringGetTextDatum(scope);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* Does the current role see every entry of its database (and the spill)? */
static bool
stats_sees_all(void)
{
	return has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
}

/*
 * The servers of the current database, among those of n entries, whose
 * entries the current role may see or reset: the servers it has USAGE on
 * (a dropped server has no one left with USAGE).  Looked up outside the
 * lock: a catalog lookup can raise an error.
 */
static List *
stats_usable_servers(const RfStatEntry *entries, int n)
{
	List	   *usable = NIL;
	List	   *refused = NIL;

	for (int i = 0; i < n; i++)
	{
		Oid			serverid = entries[i].key.serverid;

		if (list_member_oid(usable, serverid) || list_member_oid(refused, serverid))
			continue;
		if (SearchSysCacheExists1(FOREIGNSERVEROID, ObjectIdGetDatum(serverid)) &&
			pg_foreign_server_aclcheck(serverid, GetUserId(), ACL_USAGE) == ACLCHECK_OK)
			usable = lappend_oid(usable, serverid);
		else
			refused = lappend_oid(refused, serverid);
	}
	list_free(refused);
	return usable;
}

/*
 * retail_fdw.request_stats_read() -- the entries of the current database
 * that the current role may see (see the file header), and for those who
 * see all the spill row once something was added to it.  The table is
 * copied under the lock and turned into rows after.
 */
Datum
rf_sql_request_stats_read(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RfStatTable *t;
	RfStatEntry *copy;
	RfStatEntry spill;
	int			n = 0;
	const char *scope;
	bool		all = stats_sees_all();
	List	   *usable = NIL;

	InitMaterializedSRF(fcinfo, 0);
	copy = palloc(sizeof(RfStatEntry) * rf_stats_max_entries);
	t = stats_lock(LW_SHARED);
	if (t == NULL)
		PG_RETURN_VOID();
	scope = (t == SharedTable) ? "cluster" : "session";
	for (int i = 0; i < t->nused && n < rf_stats_max_entries; i++)
	{
		if (t->entries[i].key.dbid == MyDatabaseId)
			copy[n++] = t->entries[i];
	}
	spill = t->spill;
	stats_unlock(t);

	if (!all)
		usable = stats_usable_servers(copy, n);
	for (int i = 0; i < n; i++)
	{
		if (all || list_member_oid(usable, copy[i].key.serverid))
			put_entry(rsinfo, &copy[i], scope);
	}
	if (all && (spill.c.requests > 0 || spill.c.cache_hits > 0))
		put_entry(rsinfo, &spill, scope);
	return (Datum) 0;
}

/*
 * retail_fdw.request_stats_reset() -- not granted to PUBLIC.  For a
 * superuser: forget every entry of the current database, of databases that
 * no longer exist, and the spill row.  For a role it was granted to: the
 * entries of the current database's servers it has USAGE on, what it sees
 * in request_stats (less the dropped servers' and the spill, for those of
 * pg_read_all_stats: reading all is not resetting all).  Returns how many
 * were removed.  The entries left are moved down and the buckets rebuilt,
 * so the freed entries serve new endpoints.
 */
Datum
rf_sql_request_stats_reset(PG_FUNCTION_ARGS)
{
	RfStatTable *t;
	int64		removed = 0;
	int			kept = 0;
	int			n = 0;
	int32	   *buckets;
	bool		su = superuser();
	RfStatEntry *mine;
	List	   *dbids = NIL;
	List	   *gone = NIL;
	List	   *usable = NIL;
	ListCell   *lc;

	/*
	 * Which other databases have entries, and which servers of this one:
	 * looked up without the lock
	 */
	mine = palloc(sizeof(RfStatEntry) * rf_stats_max_entries);
	t = stats_lock(LW_SHARED);
	if (t == NULL)
		PG_RETURN_INT64(0);
	for (int i = 0; i < t->nused; i++)
	{
		Oid			dbid = t->entries[i].key.dbid;

		if (dbid == MyDatabaseId)
			mine[n++].key = t->entries[i].key;
		else if (!list_member_oid(dbids, dbid))
			dbids = lappend_oid(dbids, dbid);
	}
	stats_unlock(t);
	if (su)
	{
		foreach(lc, dbids)
		{
			if (!SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(lfirst_oid(lc))))
				gone = lappend_oid(gone, lfirst_oid(lc));
		}
	}
	else
		usable = stats_usable_servers(mine, n);

	t = stats_lock(LW_EXCLUSIVE);
	for (int i = 0; i < t->nused; i++)
	{
		Oid			dbid = t->entries[i].key.dbid;
		bool		forget;

		if (su)
			forget = dbid == MyDatabaseId || list_member_oid(gone, dbid);
		else
			forget = dbid == MyDatabaseId &&
				list_member_oid(usable, t->entries[i].key.serverid);
		if (forget)
		{
			removed++;
			continue;
		}
		if (kept != i)
			t->entries[kept] = t->entries[i];
		kept++;
	}
	t->nused = kept;
	buckets = stats_buckets(t);
	for (int i = 0; i < t->nbuckets; i++)
		buckets[i] = -1;
	for (int i = 0; i < t->nused; i++)
		stats_link(t, i);
	if (su)
	{
		if (t->spill.c.requests > 0 || t->spill.c.cache_hits > 0)
			removed++;
		stats_entry_clear(&t->spill);
	}
	stats_unlock(t);
	PG_RETURN_INT64(removed);
}
