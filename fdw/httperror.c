/*-------------------------------------------------------------------------
 *
 * httperror.c
 *		  The errors that end a failed transfer (http.c): each failure class
 *		  with its own SQLSTATE, a detail naming vendor, endpoint and HTTP
 *		  status (never a credential: they travel in headers, which are not
 *		  printed) and a hint saying what to do.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include "access/parallel.h"
#include "access/xact.h"
#include "common/pg_prng.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/hsearch.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
#include "lib/ilist.h"
#include "http_int.h"
#include "cache.h"
#include "netpolicy.h"
#include "option.h"
#include "rf_port.h"
#include "stats.h"

static void raise_failure(RfTransfer *x) pg_attribute_noreturn();

/* ----------------------------------------------------------------
 *		Errors
 * ----------------------------------------------------------------
 */

/*
 * The start of an error response, on one line, for errdetail: invalid
 * UTF-8 shown as \xNN, cut at a character boundary.
 */
static char *
body_excerpt(RfTransfer *x)
{
	return rf_clean_text(x->head, x->headlen, 200);
}

/*
 * Raise the error that ends a failed transfer: each failure class has its
 * own SQLSTATE; the detail names vendor, endpoint and HTTP status, never a
 * credential (they travel in headers, which are not printed).
 */
void
rf_http_raise(RfTransfer *x)
{
	/* keep the message for request_stats, then let the error go on */
	PG_TRY();
	{
		raise_failure(x);
	}
	PG_CATCH();
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
		ErrorData  *edata = CopyErrorData();

		MemoryContextSwitchTo(old);
		strlcpy(x->error, edata->message ? edata->message : "error",
				sizeof(x->error));
		FreeErrorData(edata);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pg_unreachable();
}

/* Raise the error that describes a failed transfer */
static void
raise_failure(RfTransfer *x)
{
	RfConn	   *conn = x->conn;
	char	   *where;
	char	   *tries;
	char	   *body;

	where = psprintf("vendor %s, %s, server \"%s\"", conn->vendor,
					 x->endpoint, conn->servername);
	tries = x->retries > 0 ? psprintf(" after %d retries", x->retries) : pstrdup("");
	body = body_excerpt(x);

	if (x->header_refused)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a response of %s has a %s header longer than %d bytes",
						conn->vendor, x->header_refused, RF_HEADER_MAX),
				 errdetail("%s, HTTP status %ld.", where, x->status),
				 errhint("A header is kept whole or not at all: a URL or page token cut short would be a wrong one. Report it to the vendor.")));
	if (x->header_nomem)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory keeping a header of a response of %s", conn->vendor),
				 errdetail("%s, HTTP status %ld.", where, x->status)));
	if (x->too_large)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("response of %s is larger than max_response_bytes (" INT64_FORMAT " bytes)",
						conn->vendor, conn->max_response_bytes),
				 errdetail("%s, HTTP status %ld.", where, x->status),
				 errhint("Narrow the query, lower page_size, or raise max_response_bytes on server \"%s\".",
						 conn->servername)));
	if (x->parse_failed)
	{
		const char *why;
		RfBodyFailure kind = rf_http_body_failure(x, &why);

		if (kind == RF_BODY_NOMEM)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory parsing a response of %s", conn->vendor),
					 errdetail("%s, HTTP status %ld, %lld bytes received: %s.",
							   where, x->status, (long long) x->bytes, why),
					 errhint("Lower page_size or max_response_bytes on server \"%s\".",
							 conn->servername)));
		if (kind == RF_BODY_LIMIT)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a response of %s was refused: %s", conn->vendor, why),
					 errdetail("%s, HTTP status %ld, %lld bytes received. Body starts: %s",
							   where, x->status, (long long) x->bytes, body),
					 errhint("Such a body would cost far more memory than its size, or is not valid JSON; it is not retried. Report it to the vendor.")));
	}
	if (x->parse_failed)
	{
		const char *why;

		(void) rf_http_body_failure(x, &why);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_JSON_TEXT),
				 errmsg("malformed JSON in a response of %s%s", conn->vendor, tries),
				 errdetail("%s, HTTP status %ld, %lld bytes received%s%s. Body starts: %s",
						   where, x->status, (long long) x->bytes,
						   why ? ": " : "", why ? why : "", body),
				 errhint("The vendor sent a body that is not valid JSON; retry later or contact the vendor.")));
	}

	if (x->blocked[0] != '\0' && x->curl_rc != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("retail_fdw refuses to connect to %s: not a public address",
						x->blocked),
				 errdetail("%s; the host's name resolved to %s. %s",
						   where, x->blocked,
						   rf_policy_reason(conn->policy, conn->servername,
											conn->server_owner)),
				 errhint("%s", rf_policy_hint(conn->policy, conn->servername, x->url))));

	switch (x->curl_rc)
	{
		case CURLE_OK:
			break;
		case CURLE_OPERATION_TIMEDOUT:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("request to %s timed out%s", conn->vendor, tries),
					 errdetail("%s: %s.", where, x->errbuf),
					 errhint("Raise timeout_ms (now %ld) or connect_timeout_ms (now %ld) on server \"%s\".",
							 conn->timeout_ms, conn->connect_timeout_ms,
							 conn->servername)));
			break;
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_ISSUER_ERROR:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("TLS handshake with %s failed", conn->vendor),
					 errdetail("%s: %s.", where, x->errbuf),
					 errhint("If the vendor uses a private CA, set ca_file on server \"%s\".",
							 conn->servername)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("could not talk to %s%s", conn->vendor, tries),
					 errdetail("%s: %s.", where,
							   x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->curl_rc)),
					 errhint("Check base_url of server \"%s\" and that the vendor is reachable.",
							 conn->servername)));
	}

	if (x->status == 401 || x->status == 403)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("%s refused the credentials (HTTP %ld)", conn->vendor, x->status),
				 errdetail("%s. Response: %s", where, body),
				 errhint("Check the user mapping for server \"%s\" (ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (SET ...)).",
						 conn->servername, conn->servername)));
	if (x->status == 404)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_TABLE_NOT_FOUND),
				 errmsg("%s answered 404 Not Found", conn->vendor),
				 errdetail("%s. Response: %s", where, body),
				 errhint("Check base_url of server \"%s\", including any path prefix.",
						 conn->servername)));
	if (x->status == 429 || x->status == 503)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("%s throttled the request (HTTP %ld)%s", conn->vendor,
						x->status, tries),
				 errdetail("%s. Response: %s", where, body),
				 errhint("Retry the query later, or ask for less at once (fewer stores or days per query). The owner of server \"%s\" (role \"%s\") can lower max_concurrency or raise max_retries and retry_max_wait_ms on it.",
						 conn->servername,
						 GetUserNameFromId(conn->server_owner, true) ?
						 GetUserNameFromId(conn->server_owner, true) : "?")));
	if (x->status >= 500)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("%s failed with HTTP %ld%s", conn->vendor, x->status, tries),
				 errdetail("%s. Response: %s", where, body),
				 errhint("The vendor's service is failing; retry later.")));
	if (x->status >= 400)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s rejected the request (HTTP %ld)", conn->vendor, x->status),
				 errdetail("%s. Response: %s", where, body),
				 errhint("Check the query's filters against what the vendor accepts.")));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("unexpected HTTP status %ld from %s", x->status, conn->vendor),
			 errdetail("%s. Location: %s", where, x->location.value ? "(redirect not followed)" : "none"),
			 errhint("retail_fdw does not follow redirects; check base_url of server \"%s\".",
					 conn->servername)));
}

/*
 * Send one request and wait for its answer; a failure (after the retries
 * it earns) is raised.  The caller reads the transfer and releases it.
 * Scans do not use this: they keep several transfers in flight.  (Here,
 * above the transport, so that the transport never calls up into its
 * errors.)
 */
RfTransfer *
rf_http_send(RfConn *conn, const RfHttpRequest *req, const RfBodySink *sink)
{
	RfTransfer *x = rf_http_submit(conn, req, sink);

	rf_http_wait(conn, x);
	if (!rf_http_succeeded(x))
		rf_http_raise(x);
	return x;
}
