/*-------------------------------------------------------------------------
 *
 * webhook.h
 *		  The AiFi webhook receiver (webhook.c): the background worker's
 *		  entry point, which webhook_settings.c registers.  Nothing else of
 *		  the extension depends on the receiver.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_WEBHOOK_H
#define RF_WEBHOOK_H

#include "fmgr.h"

extern PGDLLEXPORT void rf_webhook_main(Datum main_arg);

#endif							/* RF_WEBHOOK_H */
