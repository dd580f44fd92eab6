/*-------------------------------------------------------------------------
 *
 * retail_fdw.c
 *		  The entry points of retail_fdw: the FDW handler, which hands
 *		  PostgreSQL the callbacks, and _PG_init.
 *
 * The modules of retail_fdw stand in layers: each uses only the layers
 * below it, through the one header of each module (fdw/<module>.h).
 *
 *	retail_fdw.c	the entry points (this file): the handler and _PG_init,
 *					which starts every module and vendor module
 *	vendors/		the vendor modules, a folder each (registry.c lists
 *					them): descriptor tables, hooks, their own features
 *	SQL functions	functions.c (vendor_call, vendor_action, describe),
 *					stats.c and progress.c (the views of what transfers and
 *					scans record)
 *	planner glue	fdwplan.c (planning callbacks), fdwexec.c (scanning,
 *					parallel workers, EXPLAIN), import.c (IMPORT FOREIGN
 *					SCHEMA), pushdown.c (which quals push down), analyze.c,
 *					modify.c (INSERT, UPDATE)
 *	pager			lister.c (a scan's plan: domains, ids from a listing
 *					endpoint, the series; above the pager, whose pages it
 *					reads), scan.c (request series -> pages in flight ->
 *					rows), pagecheck.c (what pages say about each other),
 *					reqplan.c (quals -> series), reqencode.c (a series
 *					spelt as a request), prefetch.c (ids a join feeds, in
 *					batches), columns.c (the columns a scan reads)
 *	parsing			json.c (JSON -> Datum), jsonpage.c (documents, rows and
 *					references, free of PostgreSQL)
 *	transport		connection.c (connections, credentials, OAuth tokens),
 *					httperror.c (a failed transfer's error; rf_http_send),
 *					http.c (transfers, event loop; libcurl), netpolicy.c
 *					(where requests may go)
 *	support			cache.c (the raw answers the transport keeps for
 *					cache_ttl), rf_port.c (jsonpage.c's hooks, vendor text
 *					for messages), option.c (validation, parsed options)
 *	model			rf_descriptor.h, param.c, vendor.c: the descriptors,
 *					plain C data without PostgreSQL
 *
 * The uses that still run up a layer: the pager and the scan callbacks
 * report to progress.c, the transport to stats.c (both record what the SQL
 * views show); connection.c parses OAuth tokens with json.c; json.c reads
 * a series' keep filter (reqplan.h); option.c checks URLs (netpolicy.c).
 *
 * An endpoint is described by data (RfEndpoint, rf_descriptor.h): its path
 * and method, its columns with JSON paths, which columns and operators
 * push down to which parameter, which quals are required, how it pages and
 * which options it takes.  The generic code interprets those descriptors;
 * adding an endpoint means adding a descriptor, not code.  No header of
 * the layers above the transport mentions libcurl or json-c types
 * (http_int.h and jsonpage.h hold those, for their own files).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "analyze.h"
#include "cache.h"
#include "fdwexec.h"
#include "fdwplan.h"
#include "http.h"
#include "import.h"
#include "modify.h"
#include "option.h"
#include "progress.h"
#include "stats.h"
#include "vendor.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(retail_fdw_handler);

void		_PG_init(void);

/* ----------------------------------------------------------------
 *		Entry points
 * ----------------------------------------------------------------
 */

/*
 * The FDW handler: PostgreSQL asks it once for the callbacks of retail_fdw.
 */
Datum
retail_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = rf_GetForeignRelSize;
	routine->GetForeignPaths = rf_GetForeignPaths;
	routine->GetForeignPlan = rf_GetForeignPlan;
	routine->BeginForeignScan = rf_BeginForeignScan;
	routine->IterateForeignScan = rf_IterateForeignScan;
	routine->ReScanForeignScan = rf_ReScanForeignScan;
	routine->EndForeignScan = rf_EndForeignScan;
	routine->ExplainForeignScan = rf_ExplainForeignScan;
	routine->ImportForeignSchema = rf_ImportForeignSchema;
	routine->IsForeignScanParallelSafe = rf_IsForeignScanParallelSafe;
	routine->EstimateDSMForeignScan = rf_EstimateDSMForeignScan;
	routine->InitializeDSMForeignScan = rf_InitializeDSMForeignScan;
	routine->ReInitializeDSMForeignScan = rf_ReInitializeDSMForeignScan;
	routine->InitializeWorkerForeignScan = rf_InitializeWorkerForeignScan;
	routine->ShutdownForeignScan = rf_ShutdownForeignScan;
	routine->AnalyzeForeignTable = rf_analyze_foreign_table;
	routine->IsForeignRelUpdatable = rf_IsForeignRelUpdatable;
	routine->AddForeignUpdateTargets = rf_AddForeignUpdateTargets;
	routine->PlanForeignModify = rf_PlanForeignModify;
	routine->BeginForeignModify = rf_BeginForeignModify;
	routine->ExecForeignInsert = rf_ExecForeignInsert;
	routine->ExecForeignUpdate = rf_ExecForeignUpdate;
	routine->EndForeignModify = rf_EndForeignModify;
	routine->BeginForeignInsert = rf_BeginForeignInsert;
	routine->EndForeignInsert = rf_EndForeignInsert;
	routine->ExplainForeignModify = rf_ExplainForeignModify;
	PG_RETURN_POINTER(routine);
}

void
_PG_init(void)
{
	DefineCustomIntVariable("retail_fdw.preview_days",
							"Days a query without a range reads backwards, today included.",
							"A lone SELECT with no range on a table that needs one (a LIMIT, a "
							"cursor, a client's row limit) reads the most recent days, one at a "
							"time, as far as rows are fetched; past this many days a LIMIT ends "
							"with fewer rows and a query without one fails.",
							&rf_preview_days, 31, 1, 3660, PGC_USERSET, 0,
							NULL, NULL, NULL);
	rf_option_init();
	rf_stats_init();
	rf_respcache_init();
	rf_progress_init();
	rf_analyze_init();
	rf_http_init();
	/* the vendor modules' own settings and workers */
	for (int i = 0; i < rf_nvendors; i++)
	{
		if (rf_vendors[i]->init)
			rf_vendors[i]->init();
	}

	/*
	 * Every retail_fdw.* setting is defined above: a misspelt one in
	 * postgresql.conf or SET is an error, not a silent placeholder.
	 */
	MarkGUCPrefixReserved("retail_fdw");
}
