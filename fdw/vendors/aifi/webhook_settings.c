/*-------------------------------------------------------------------------
 *
 * webhook_settings.c
 *		  The AiFi webhook receiver's settings and start-up: the
 *		  retail_fdw.webhook_* GUCs, the background worker's registration,
 *		  the listen address, and the token file.
 *
 * rf_webhook_init is the AiFi module's start-up (RfVendor.init in aifi.c),
 * which _PG_init calls: the settings and the worker exist only when
 * retail_fdw is preloaded, the worker only when also told where to listen.
 * The token file is read here, with the rule PostgreSQL applies to
 * ssl_key_file, and put in place by the receiver (webhook.c) at start and
 * on reload.
 *
 * Not here: the receiver itself (webhook.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/fd.h"
#include "utils/guc.h"

#include "webhook_settings.h"

#define WH_TOKEN_MAX		4096

/* Settings */
char *rf_wh_listen = NULL;
char *rf_wh_database = NULL;
char *rf_wh_token_file = NULL;
char *rf_wh_tls_cert_file = NULL;
char *rf_wh_tls_key_file = NULL;
char *rf_wh_role = NULL;
int	rf_wh_max_body_size = 1024 * 1024;
int	rf_wh_timeout_ms = 10000;
int	rf_wh_conn_time_ms = 60000;
int	rf_wh_per_address = 64;

/* ----------------------------------------------------------------
 *		Settings
 * ----------------------------------------------------------------
 */

/*
 * Split "host:port" ("[v6]:port", "*:port" for every address).  Returns
 * false with a reason when the value cannot be a listen address.  Usable in
 * the postmaster (check hook) and the worker alike: no elog here.
 */
bool
rf_webhook_parse_listen(const char *spec, char *host, size_t hostlen, int *port,
				const char **why)
{
	const char *colon;
	const char *hstart = spec;
	size_t		hlen;
	char	   *end;
	long		p;

	if (spec[0] == '[')
	{
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
		{
			*why = "An IPv6 address must be written in brackets, followed by :port.";
			return false;
		}
		hstart = spec + 1;
		hlen = close - hstart;
		colon = close + 1;
	}
	else
	{
		colon = strrchr(spec, ':');
		if (colon == NULL)
		{
			*why = "The value must be host:port.";
			return false;
		}
		hlen = colon - spec;
		if (memchr(spec, ':', hlen) != NULL)
		{
			*why = "An IPv6 address must be written in brackets, followed by :port.";
			return false;
		}
	}
	if (hlen == 0 || hlen >= hostlen)
	{
		*why = "The host part is empty or too long (use * for every address).";
		return false;
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 || p > 65535)
	{
		*why = "The port must be a number between 1 and 65535.";
		return false;
	}
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';
	*port = (int) p;
	return true;
}

static bool
wh_check_listen(char **newval, void **extra, GucSource source)
{
	char		host[256];
	int			port;
	const char *why;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (!rf_webhook_parse_listen(*newval, host, sizeof(host), &port, &why))
	{
		GUC_check_errdetail("%s", why);
		return false;
	}
	return true;
}

/*
 * Define the settings and, in the postmaster, register the worker.  Both
 * exist only when the library is preloaded; the worker only when also told
 * where to listen.
 */
void
rf_webhook_init(void)
{
	BackgroundWorker worker;

	/*
	 * The receiver exists only in a preloaded library: its settings are
	 * fixed at server start, and PostgreSQL refuses (FATAL) to create such
	 * settings in a library loaded later, by CREATE EXTENSION or a query.
	 */
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomStringVariable("retail_fdw.webhook_listen",
							   "Address and port (host:port) of the AiFi webhook receiver.",
							   "Empty: no receiver.  \"*:port\" listens on every address; "
							   "an IPv6 address is written in brackets.  Needs retail_fdw "
							   "in shared_preload_libraries.",
							   &rf_wh_listen, "", PGC_POSTMASTER, 0,
							   wh_check_listen, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_database",
							   "Database whose retail_fdw.aifi_events the webhook receiver fills.",
							   NULL, &rf_wh_database, "postgres", PGC_POSTMASTER, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_role",
							   "Role the webhook receiver connects as; required with retail_fdw.webhook_listen.",
							   "Must not be a superuser: aifi_ingest() and the triggers on "
							   "retail_fdw.aifi_events run as this role.  A change restarts "
							   "the receiver.",
							   &rf_wh_role, "", PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_token_file",
							   "File holding the bearer token AiFi sends to the webhook receiver.",
							   "Read when the receiver starts and on reload.",
							   &rf_wh_token_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_tls_cert_file",
							   "PEM certificate (chain) file: the webhook receiver speaks HTTPS.",
							   "Empty: plain HTTP.  Set together with retail_fdw.webhook_tls_key_file.",
							   &rf_wh_tls_cert_file, "", PGC_POSTMASTER, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("retail_fdw.webhook_tls_key_file",
							   "PEM private key file of the webhook receiver's certificate.",
							   NULL, &rf_wh_tls_key_file, "", PGC_POSTMASTER, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("retail_fdw.webhook_max_body_size",
							"Largest request body the webhook receiver accepts (413 above).",
							NULL, &rf_wh_max_body_size, 1024 * 1024, 1024, 64 * 1024 * 1024,
							PGC_SIGHUP, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("retail_fdw.webhook_timeout",
							"How long a delivery may wait for the database before it is answered 503.",
							"Covers the wait in the receiver's queue and the statement that stores it.",
							&rf_wh_timeout_ms, 10000, 100, 600000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("retail_fdw.webhook_connection_time",
							"Longest time a connection to the webhook receiver stays open.",
							"Counted from the connection; a connection whose request is being "
							"stored or answered is closed once its answer is sent.",
							&rf_wh_conn_time_ms, 60000, 1000, 3600000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("retail_fdw.webhook_connections_per_address",
							"Most connections the webhook receiver keeps open from one client address.",
							"Further connections from that address are closed at once.  Behind a "
							"reverse proxy every connection comes from the proxy's address.",
							&rf_wh_per_address, 64, 1, WH_MAX_CONNECTIONS,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress ||
		rf_wh_listen == NULL || rf_wh_listen[0] == '\0')
		return;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = WH_RESTART_SECS;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "retail_fdw");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "rf_webhook_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, WH_WORKER_TYPE);
	snprintf(worker.bgw_type, BGW_MAXLEN, WH_WORKER_TYPE);
	RegisterBackgroundWorker(&worker);
}

/*
 * May the open token file be trusted with the token?  The rule of
 * PostgreSQL's ssl_key_file: a regular file, owned by the server's user
 * with no access for group or others (0600 or less), or owned by root and
 * readable by the group at most (0640 or less).  Anything else is refused
 * with a WARNING: whoever else can read the file can store deliveries.
 */
static bool
wh_token_file_safe(FILE *f)
{
	struct stat st;

	if (fstat(fileno(f), &st) != 0)
	{
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not stat webhook token file \"%s\": %m", rf_wh_token_file),
				 errdetail("The webhook receiver answers every delivery with 503.")));
		return false;
	}
	if (!S_ISREG(st.st_mode))
	{
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("webhook token file \"%s\" is not a regular file", rf_wh_token_file),
				 errdetail("The webhook receiver answers every delivery with 503.")));
		return false;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0)
	{
		ereport(WARNING,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("webhook token file \"%s\" must be owned by the database user or root",
						rf_wh_token_file),
				 errdetail("The webhook receiver answers every delivery with 503."),
				 errhint("chown the file to the user the server runs as, chmod 600, and reload.")));
		return false;
	}
	if ((st.st_uid == geteuid() && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) ||
		(st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)) != 0))
	{
		ereport(WARNING,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("webhook token file \"%s\" has group or world access", rf_wh_token_file),
				 errdetail("The token file must have permissions u=rw (0600) or less if owned by "
						   "the database user, or permissions u=rw,g=r (0640) or less if owned "
						   "by root; the webhook receiver answers every delivery with 503."),
				 errhint("chmod 600 the file and reload.")));
		return false;
	}
	return true;
}

/*
 * Read the token file: the token is its content without surrounding white
 * space, visible ASCII only (what an Authorization header can carry), in
 * memory of malloc (the HTTP threads compare it); NULL after a WARNING
 * when there is a problem, so that every delivery is answered 503 (AiFi
 * retries) until the file is fixed and reloaded.
 */
char *
rf_webhook_read_token(size_t *len)
{
	char		buf[WH_TOKEN_MAX + 2];
	size_t		n;
	size_t		start = 0;
	FILE	   *f;
	char	   *token;

	if (rf_wh_token_file == NULL || rf_wh_token_file[0] == '\0')
	{
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retail_fdw.webhook_token_file is not set"),
				 errdetail("The webhook receiver answers every delivery with 503."),
				 errhint("Put the bearer token in a file readable only by the server's user and name it in retail_fdw.webhook_token_file, then reload.")));
		return NULL;
	}
	f = AllocateFile(rf_wh_token_file, "r");
	if (f == NULL)
	{
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not open webhook token file \"%s\": %m", rf_wh_token_file),
				 errdetail("The webhook receiver answers every delivery with 503.")));
		return NULL;
	}
	if (!wh_token_file_safe(f))
	{
		FreeFile(f);
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	FreeFile(f);
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char) buf[n - 1]))
		buf[--n] = '\0';
	while (start < n && isspace((unsigned char) buf[start]))
		start++;

	if (n - start == 0 || n > WH_TOKEN_MAX)
	{
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("webhook token file \"%s\" is empty or longer than %d bytes",
						rf_wh_token_file, WH_TOKEN_MAX),
				 errdetail("The webhook receiver answers every delivery with 503.")));
		explicit_bzero(buf, sizeof(buf));
		return NULL;
	}
	for (size_t i = start; i < n; i++)
	{
		if (buf[i] <= ' ' || buf[i] > '~')
		{
			ereport(WARNING,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("webhook token file \"%s\" holds characters a bearer token cannot have",
							rf_wh_token_file),
					 errdetail("The token must be one line of visible ASCII characters; "
							   "the webhook receiver answers every delivery with 503.")));
			explicit_bzero(buf, sizeof(buf));
			return NULL;
		}
	}
	token = malloc(n - start + 1);
	if (token == NULL)
	{
		explicit_bzero(buf, sizeof(buf));
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	memcpy(token, buf + start, n - start);
	token[n - start] = '\0';
	explicit_bzero(buf, sizeof(buf));
	ereport(LOG,
			(errmsg("retail_fdw webhook receiver: token read from \"%s\"", rf_wh_token_file)));
	*len = n - start;
	return token;
}
