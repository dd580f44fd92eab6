/*-------------------------------------------------------------------------
 *
 * connection.h
 *		  The connection cache (connection.c): a connection per user mapping
 *		  and network policy, with its credentials.
 *
 * Every request path gets its connection here and gives it back; ALTER
 * SERVER and ALTER USER MAPPING invalidate the cached entry.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_CONNECTION_H
#define RF_CONNECTION_H

#include "http.h"
#include "option.h"

/* Connections */
extern RfConn *rf_http_connect(const RfOptions *opts, Oid userid);
extern void rf_http_disconnect(RfConn *conn);
extern void rf_http_forget_shared(RfSharedLimit *shared);
extern int64 rf_http_min_interval_us(const RfOptions *opts);

/* What EXPLAIN shows of the authentication, secrets redacted */
extern char *rf_http_describe_auth(const RfVendor *vendor,
								   const RfCredentials *cred);

#endif							/* RF_CONNECTION_H */
