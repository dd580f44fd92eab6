/*-------------------------------------------------------------------------
 *
 * stats.c
 *		  Request statistics per server and endpoint, across sessions.
 *
 * Every HTTP transfer, when it is released (after success, failure or a
 * cancel), adds its figures to one entry keyed by database, server and
 * endpoint: requests (retries included), successful pages, rows, bytes,
 * retries, throttled answers (429 and 503), failed exchanges and the time
 * the backend spent waiting on the network.  A failed exchange also
 * records its error message and when it happened.
 *
 * With retail_fdw in shared_preload_libraries the entries live in shared
 * memory under one LWLock and are seen by every session; otherwise each
 * backend keeps its own (the view's "scope" column says which).  The table
 * is bounded: once RF_STATS_MAX entries exist, figures of new endpoints are
 * not recorded.
 *
 * Endpoints are normalised so that ids in a path do not make one entry
 * each: "GET /v1/videoexport/3ba9..." is recorded as
 * "GET /v1/videoexport/{id}", and query strings are never part of it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "retail_fdw.h"

#define RF_STATS_MAX			1024
#define RF_STATS_ENDPOINT_LEN	96
#define RF_STATS_ERROR_LEN		256

typedef struct RfStatKey
{
	Oid			dbid;
	Oid			serverid;
	char		endpoint[RF_STATS_ENDPOINT_LEN];
} RfStatKey;

typedef struct RfStatEntry
{
	RfStatKey	key;
	RfStatCounts c;
	int64		errors;
	TimestampTz first_at;
	TimestampTz last_at;
	TimestampTz last_error_at;
	char		last_error[RF_STATS_ERROR_LEN];
} RfStatEntry;

/* In shared memory: the lock of the shared table */
typedef struct RfStatShared
{
	LWLock	   *lock;
} RfStatShared;

static RfStatShared *SharedState = NULL;
static HTAB *SharedHash = NULL;

/* Used when not preloaded: this backend's own figures, no lock */
static HTAB *LocalHash = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
stats_shmem_size(void)
{
	return add_size(MAXALIGN(sizeof(RfStatShared)),
					hash_estimate_size(RF_STATS_MAX, sizeof(RfStatEntry)));
}

static void
stats_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(stats_shmem_size());
	RequestNamedLWLockTranche("retail_fdw", 1);
}

static void
stats_shmem_startup(void)
{
	bool		found;
	HASHCTL		info;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	SharedState = ShmemInitStruct("retail_fdw request stats",
								  sizeof(RfStatShared), &found);
	if (!found)
		SharedState->lock = &(GetNamedLWLockTranche("retail_fdw"))->lock;
	info.keysize = sizeof(RfStatKey);
	info.entrysize = sizeof(RfStatEntry);
	SharedHash = ShmemInitHash("retail_fdw request stats hash",
							   RF_STATS_MAX, RF_STATS_MAX, &info,
							   HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called from _PG_init: claim shared memory when loaded at server start.
 */
void
rf_stats_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = stats_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = stats_shmem_startup;
}

/* The table in use, locked in the given mode when it is the shared one */
static HTAB *
stats_lock(LWLockMode mode)
{
	if (SharedHash != NULL)
	{
		LWLockAcquire(SharedState->lock, mode);
		return SharedHash;
	}
	if (LocalHash == NULL)
	{
		HASHCTL		info;

		info.keysize = sizeof(RfStatKey);
		info.entrysize = sizeof(RfStatEntry);
		info.hcxt = TopMemoryContext;
		LocalHash = hash_create("retail_fdw request stats", 64, &info,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	return LocalHash;
}

static void
stats_unlock(HTAB *hash)
{
	if (hash == SharedHash)
		LWLockRelease(SharedState->lock);
}

/* A path segment that names one object rather than a collection */
static bool
segment_is_id(const char *s, int len)
{
	int			digits = 0;

	for (int i = 0; i < len; i++)
		if (isdigit((unsigned char) s[i]))
			digits++;
	return digits == len || (len >= 8 && digits > 0);
}

/* "METHOD /path?query" with ids replaced by {id} and no query */
static void
normalise_endpoint(const char *endpoint, char *out)
{
	const char *p = endpoint;
	int			n = 0;

	while (*p && *p != '?' && n < RF_STATS_ENDPOINT_LEN - 5)
	{
		if (*p == '/')
		{
			const char *end = p + 1;

			out[n++] = *p++;
			while (*end && *end != '/' && *end != '?')
				end++;
			if (end > p && segment_is_id(p, end - p))
			{
				memcpy(out + n, "{id}", 4);
				n += 4;
				p = end;
			}
			continue;
		}
		out[n++] = *p++;
	}
	out[n] = '\0';
}

/*
 * Add one transfer's figures.  Never raises an error: it runs from memory
 * context reset callbacks during abort too.
 */
void
rf_stats_add(Oid serverid, const char *endpoint, const RfStatCounts *d,
			 const char *error)
{
	HTAB	   *hash;
	RfStatKey	key;
	RfStatEntry *e;
	bool		found;

	if (endpoint == NULL)
		return;
	memset(&key, 0, sizeof(key));
	key.dbid = MyDatabaseId;
	key.serverid = serverid;
	normalise_endpoint(endpoint, key.endpoint);

	hash = stats_lock(LW_EXCLUSIVE);
	e = hash_search(hash, &key, HASH_ENTER_NULL, &found);
	if (e != NULL)
	{
		TimestampTz now = GetCurrentTimestamp();

		if (!found)
		{
			memset((char *) e + sizeof(RfStatKey), 0,
				   sizeof(RfStatEntry) - sizeof(RfStatKey));
			e->first_at = now;
		}
		e->c.requests += d->requests;
		e->c.pages += d->pages;
		e->c.rows += d->rows;
		e->c.bytes += d->bytes;
		e->c.retries += d->retries;
		e->c.throttled += d->throttled;
		e->c.net_us += d->net_us;
		e->last_at = now;
		if (error != NULL)
		{
			e->errors++;
			e->last_error_at = now;
			strlcpy(e->last_error, error, sizeof(e->last_error));
		}
	}
	stats_unlock(hash);
}

/* ----------------------------------------------------------------
 *		SQL functions
 * ----------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(request_stats_read);
PG_FUNCTION_INFO_V1(request_stats_reset);

#define RF_STATS_COLS	15

/*
 * retail_fdw.request_stats_read() -- the entries of the current database.
 */
Datum
request_stats_read(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HTAB	   *hash;
	HASH_SEQ_STATUS seq;
	RfStatEntry *e;
	const char *scope;

	InitMaterializedSRF(fcinfo, 0);
	hash = stats_lock(LW_SHARED);
	scope = (hash == SharedHash) ? "cluster" : "session";
	hash_seq_init(&seq, hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		Datum		values[RF_STATS_COLS];
		bool		nulls[RF_STATS_COLS];
		int			i = 0;

		if (e->key.dbid != MyDatabaseId)
			continue;
		memset(nulls, false, sizeof(nulls));
		values[i++] = ObjectIdGetDatum(e->key.serverid);
		values[i++] = CStringGetTextDatum(e->key.endpoint);
		values[i++] = Int64GetDatum(e->c.requests);
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
	stats_unlock(hash);
	return (Datum) 0;
}

/*
 * retail_fdw.request_stats_reset() -- forget every entry of the current
 * database; returns how many were removed.
 */
Datum
request_stats_reset(PG_FUNCTION_ARGS)
{
	HTAB	   *hash;
	HASH_SEQ_STATUS seq;
	RfStatEntry *e;
	int64		removed = 0;

	hash = stats_lock(LW_EXCLUSIVE);
	hash_seq_init(&seq, hash);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		if (e->key.dbid != MyDatabaseId)
			continue;
		hash_search(hash, &e->key, HASH_REMOVE, NULL);
		removed++;
	}
	stats_unlock(hash);
	PG_RETURN_INT64(removed);
}
