/*-------------------------------------------------------------------------
 *
 * netpolicy.h
 *		  Where requests may go (netpolicy.c): URL checks and the network
 *		  policy.
 *
 * Non-superusers reach only https hosts with public addresses (checked
 * when the socket opens); a superuser lists other hosts in
 * retail_fdw.allowed_hosts.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_NETPOLICY_H
#define RF_NETPOLICY_H

#include "postgres.h"

struct sockaddr;

/* retail_fdw.allowed_hosts: hosts a superuser lets everyone reach */
extern char *rf_allowed_hosts;

/* Whether, and why, the network policy applies to a connection */
typedef enum RfPolicy
{
	RF_POLICY_OPEN,				/* a superuser's mapping, a superuser's server */
	RF_POLICY_USER,				/* the mapping's role is not a superuser */
	RF_POLICY_OWNER				/* the server's owner is not a superuser */
} RfPolicy;

extern RfPolicy rf_policy_for(Oid userid, Oid server_owner);
extern char *rf_policy_reason(RfPolicy policy, const char *servername,
							  Oid server_owner);
extern char *rf_policy_hint(RfPolicy policy, const char *servername);
extern void rf_policy_check_url(RfPolicy policy, const char *servername,
								Oid server_owner, const char *url,
								bool *restricted);
extern bool rf_policy_address_is_public(const struct sockaddr *sa);

/* URLs: checked, compared, resolved; a value escaped for a query */
extern void rf_http_check_url(const char *url, const char *what);
extern bool rf_http_same_origin(const char *base, const char *url);
extern char *rf_http_resolve_url(const char *page_url, const char *link);
extern char *rf_http_escape(const char *s);

#endif							/* RF_NETPOLICY_H */
