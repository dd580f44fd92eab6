/*-------------------------------------------------------------------------
 *
 * progress.c
 *		  Scan progress per backend, for the view retail_fdw.scan_progress.
 *
 * A long backfill can be watched from another session: each backend that
 * runs a retail_fdw scan publishes, in a slot of its own in shared memory,
 * which server and resource it reads, how many request series it has
 * started of how many, and the pages, rows and bytes so far.  Slots exist
 * when retail_fdw is preloaded; otherwise the view is empty.
 *
 * Only the owning backend writes its slot, without a lock, under a change
 * count as PostgreSQL's own backend status does (st_changecount): the
 * count is odd while a write is under way, and a reader copies the slot
 * again until it saw the same even count before and after the copy.  So a
 * row is never half one scan and half the next, nor a resource name cut
 * by a write.
 *
 * Who sees what: a role sees the scans of its own database, run by roles
 * whose privileges it has (as pg_stat_activity shows queries), on servers
 * it has USAGE on.  Superusers and members of pg_read_all_stats see every
 * scan of the database.
 *
 * Not here: the scan itself (scan.c calls rf_progress_*).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "progress.h"

typedef struct RfProgressSlot
{
	/* odd while the owner writes; see progress_begin_write() */
	uint32		changecount;
	int			pid;			/* 0 = no scan */
	int			leader_pid;		/* a parallel worker's leader, else 0 */
	Oid			dbid;
	Oid			roleid;			/* the role the scan runs as */
	Oid			serverid;
	char		resource[NAMEDATALEN];
	int64		series_started;
	int64		series_done;
	int64		series_total;
	int64		pages;
	int64		rows;
	int64		bytes;
	TimestampTz started_at;
} RfProgressSlot;

static RfProgressSlot *slots = NULL;
static int	nslots = 0;
static shmem_request_hook_type prev_request_hook = NULL;
static shmem_startup_hook_type prev_startup_hook = NULL;

static Size
progress_size(void)
{
	return mul_size(sizeof(RfProgressSlot), MaxBackends);
}

static void
progress_request(void)
{
	if (prev_request_hook)
		prev_request_hook();
	RequestAddinShmemSpace(progress_size());
}

static void
progress_startup(void)
{
	bool		found;

	if (prev_startup_hook)
		prev_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	slots = ShmemInitStruct("retail_fdw scan progress", progress_size(), &found);
	if (!found)
		memset(slots, 0, progress_size());
	nslots = MaxBackends;
	LWLockRelease(AddinShmemInitLock);
}

/* Called from _PG_init: shared slots only when preloaded */
void
rf_progress_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_request_hook = shmem_request_hook;
	shmem_request_hook = progress_request;
	prev_startup_hook = shmem_startup_hook;
	shmem_startup_hook = progress_startup;
}

/* This backend's slot, or NULL without shared memory */
static RfProgressSlot *
my_slot(void)
{
	if (slots == NULL || MyBackendId <= 0 || MyBackendId > nslots)
		return NULL;
	return &slots[MyBackendId - 1];
}

/*
 * The owner's writes to its slot are bracketed by these two: the count
 * is odd in between, and the barriers keep the stores of the figures
 * inside the bracket as other processors see them.  Nothing between the
 * two may raise an error, or the slot would stay odd (unreadable) for
 * good.
 */
static void
progress_begin_write(volatile RfProgressSlot *s)
{
	s->changecount++;
	pg_write_barrier();
}

static void
progress_end_write(volatile RfProgressSlot *s)
{
	pg_write_barrier();
	s->changecount++;
	Assert((s->changecount & 1) == 0);
}

/*
 * A consistent copy of a slot written by another backend: copied again
 * until the change count was even and the same before and after.  A
 * writer holds its count odd for a few stores only, so this loops rarely.
 */
static void
progress_read_slot(volatile RfProgressSlot *s, RfProgressSlot *copy)
{
	for (;;)
	{
		uint32		before = s->changecount;
		uint32		after;

		pg_read_barrier();
		memcpy(copy, (const void *) s, sizeof(RfProgressSlot));
		pg_read_barrier();
		after = s->changecount;
		if (before == after && (before & 1) == 0)
			break;
		CHECK_FOR_INTERRUPTS();
	}
}

/* The slot shows no scan */
static void
progress_clear(volatile RfProgressSlot *s)
{
	progress_begin_write(s);
	s->pid = 0;
	progress_end_write(s);
}

static void
clear_at_exit(int code, Datum arg)
{
	RfProgressSlot *s = my_slot();

	if (s)
		progress_clear(s);
}

/* A scan of this backend starts (or restarts) with total series */
void
rf_progress_start(Oid serverid, const char *resource, int64 total)
{
	static bool registered = false;
	volatile RfProgressSlot *s = my_slot();
	TimestampTz now = GetCurrentTimestamp();

	if (s == NULL)
		return;
	if (!registered)
	{
		before_shmem_exit(clear_at_exit, (Datum) 0);
		registered = true;
	}
	progress_begin_write(s);
	s->pid = MyProcPid;
	s->leader_pid = (IsParallelWorker() && MyProc->lockGroupLeader != NULL &&
					 MyProc->lockGroupLeader != MyProc) ?
		MyProc->lockGroupLeader->pid : 0;
	s->dbid = MyDatabaseId;
	s->roleid = GetUserId();
	s->serverid = serverid;
	strlcpy((char *) s->resource, resource, sizeof(s->resource));
	s->series_started = 0;
	s->series_done = 0;
	s->series_total = total;
	s->pages = s->rows = s->bytes = 0;
	s->started_at = now;
	progress_end_write(s);
}

/* The scan's figures so far */
void
rf_progress_update(int64 series_started, int64 series_done, const RfStats *stats)
{
	volatile RfProgressSlot *s = my_slot();

	if (s == NULL || s->pid != MyProcPid)
		return;
	progress_begin_write(s);
	s->series_started = series_started;
	s->series_done = series_done;
	s->pages = stats->pages;
	s->rows = stats->rows;
	s->bytes = stats->bytes;
	progress_end_write(s);
}

/* The scan ended */
void
rf_progress_end(void)
{
	RfProgressSlot *s = my_slot();

	if (s)
		progress_clear(s);
}

/*
 * May the current role see a scan of this database run by roleid on
 * serverid?  The rule of pg_stat_activity for whose scans (the role's
 * own, or of roles whose privileges it has), and USAGE on the server, as
 * for request_stats.  A server dropped since the scan started is shown
 * to no one but the privileged.
 */
static bool
progress_visible(Oid roleid, Oid serverid, bool all)
{
	if (all)
		return true;
	if (!has_privs_of_role(GetUserId(), roleid))
		return false;
	if (!SearchSysCacheExists1(FOREIGNSERVEROID, ObjectIdGetDatum(serverid)))
		return false;
	return pg_foreign_server_aclcheck(serverid, GetUserId(), ACL_USAGE) == ACLCHECK_OK;
}

/*
 * retail_fdw.scan_progress_read(): one row per backend running a scan in
 * this database that the current role may see (progress_visible).
 */
PG_FUNCTION_INFO_V1(rf_sql_scan_progress_read);

Datum
rf_sql_scan_progress_read(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < nslots && slots != NULL; i++)
	{
		RfProgressSlot copy;
		Datum		values[11];
		bool		nulls[11] = {0};

		progress_read_slot(&slots[i], &copy);
		if (copy.pid == 0 || copy.dbid != MyDatabaseId)
			continue;
		if (!progress_visible(copy.roleid, copy.serverid, all))
			continue;
		copy.resource[NAMEDATALEN - 1] = '\0';
		values[0] = Int32GetDatum(copy.pid);
		values[1] = ObjectIdGetDatum(copy.serverid);
		values[2] = CStringGetTextDatum(copy.resource);
		values[3] = Int64GetDatum(copy.series_started);
		values[4] = Int64GetDatum(copy.series_total);
		values[5] = Int64GetDatum(copy.pages);
		values[6] = Int64GetDatum(copy.rows);
		values[7] = Int64GetDatum(copy.bytes);
		values[8] = TimestampTzGetDatum(copy.started_at);
		values[9] = Int32GetDatum(copy.leader_pid);
		nulls[9] = (copy.leader_pid == 0);
		values[10] = Int64GetDatum(copy.series_done);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
