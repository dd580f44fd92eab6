/*-------------------------------------------------------------------------
 *
 * webhook_settings.h
 *		  The settings of the AiFi webhook receiver and its start-up
 *		  (webhook_settings.c): the retail_fdw.webhook_* GUCs, the worker's
 *		  registration, the listen address and the token file.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_WEBHOOK_SETTINGS_H
#define RF_WEBHOOK_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#define WH_WORKER_TYPE		"retail_fdw webhook receiver"
#define WH_RESTART_SECS		5
#define WH_MAX_CONNECTIONS	256

/* The settings (retail_fdw.webhook_*), fixed or reloaded as each says */
extern char *rf_wh_listen;
extern char *rf_wh_database;
extern char *rf_wh_token_file;
extern char *rf_wh_tls_cert_file;
extern char *rf_wh_tls_key_file;
extern char *rf_wh_role;
extern int	rf_wh_max_body_size;
extern int	rf_wh_timeout_ms;
extern int	rf_wh_conn_time_ms;
extern int	rf_wh_per_address;

/* The AiFi module's start-up (RfVendor.init): settings, worker */
extern void rf_webhook_init(void);

/* "host:port" split; false with a reason (no elog: usable anywhere) */
extern bool rf_webhook_parse_listen(const char *spec, char *host,
									size_t hostlen, int *port,
									const char **why);

/* The token file's token (malloc'd) and its length; NULL after a WARNING */
extern char *rf_webhook_read_token(size_t *len);

#endif							/* RF_WEBHOOK_SETTINGS_H */
