/*-------------------------------------------------------------------------
 *
 * progress.c
 *		  Scan progress per backend, for the view retail_fdw.scan_progress.
 *
 * A long backfill can be watched from another session: each backend that
 * runs a retail_fdw scan publishes, in a slot of its own in shared memory,
 * which server and resource it reads, how many request series it has
 * started of how many, and the pages, rows and bytes so far.  Only the
 * owning backend writes its slot; readers copy it as it is, so a row may
 * mix figures a page apart -- progress, not accounting (request_stats is
 * the accounting).  Slots exist when retail_fdw is preloaded; otherwise
 * the view is empty.
 *
 * Not here: the scan itself (scan.c calls rf_progress_*).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "retail_fdw.h"

typedef struct RfProgressSlot
{
	int			pid;			/* 0 = no scan */
	Oid			dbid;
	Oid			serverid;
	char		resource[NAMEDATALEN];
	int64		series_started;
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

static void
clear_at_exit(int code, Datum arg)
{
	RfProgressSlot *s = my_slot();

	if (s)
		s->pid = 0;
}

/* A scan of this backend starts (or restarts) with total series */
void
rf_progress_start(Oid serverid, const char *resource, int64 total)
{
	static bool registered = false;
	RfProgressSlot *s = my_slot();

	if (s == NULL)
		return;
	if (!registered)
	{
		before_shmem_exit(clear_at_exit, (Datum) 0);
		registered = true;
	}
	s->pid = 0;					/* readers skip it while it changes */
	s->dbid = MyDatabaseId;
	s->serverid = serverid;
	strlcpy(s->resource, resource, sizeof(s->resource));
	s->series_started = 0;
	s->series_total = total;
	s->pages = s->rows = s->bytes = 0;
	s->started_at = GetCurrentTimestamp();
	s->pid = MyProcPid;
}

/* The scan's figures so far */
void
rf_progress_update(int64 series_started, const RfStats *stats)
{
	RfProgressSlot *s = my_slot();

	if (s == NULL || s->pid != MyProcPid)
		return;
	s->series_started = series_started;
	s->pages = stats->pages;
	s->rows = stats->rows;
	s->bytes = stats->bytes;
}

/* The scan ended */
void
rf_progress_end(void)
{
	RfProgressSlot *s = my_slot();

	if (s)
		s->pid = 0;
}

/*
 * retail_fdw.scan_progress_read(): one row per backend running a scan in
 * this database.
 */
PG_FUNCTION_INFO_V1(rf_sql_scan_progress_read);

Datum
rf_sql_scan_progress_read(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < nslots && slots != NULL; i++)
	{
		RfProgressSlot copy = slots[i];
		Datum		values[9];
		bool		nulls[9] = {0};

		if (copy.pid == 0 || copy.dbid != MyDatabaseId)
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
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
