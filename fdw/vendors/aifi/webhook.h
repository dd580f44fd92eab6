/*-------------------------------------------------------------------------
 *
 * webhook.h
 *		  The AiFi webhook receiver (webhook.c): the AiFi module's start-up
 *		  (its RfVendor.init, which _PG_init calls) and the background
 *		  worker's entry point.  Nothing else of the extension depends on
 *		  the receiver.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RF_WEBHOOK_H
#define RF_WEBHOOK_H

#include "fmgr.h"

extern void rf_webhook_init(void);
extern PGDLLEXPORT void rf_webhook_main(Datum main_arg);

#endif							/* RF_WEBHOOK_H */
