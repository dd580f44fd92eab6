/*-------------------------------------------------------------------------
 *
 * registry.c
 *		  The vendor modules linked into retail_fdw: the one place in C
 *		  that names them all.
 *
 * Each vendor is a module in its own folder, fdw/vendors/<vendor>/: its
 * descriptor tables and RfVendor (<vendor>.c, plain C data that the fuzz
 * targets build without PostgreSQL), the hooks that data cannot say, and
 * its own features (SQL fragments, background workers, SQL functions).
 * The core knows vendors only through this list (rf_descriptor.h's
 * lookups walk it).  A new vendor is a new folder and a line here.
 *
 * Not here: the lookups over descriptors (vendor.c).
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "vendor.h"

extern const RfVendor rf_vendor_journey;
extern const RfVendor rf_vendor_aifi;
extern const RfVendor rf_vendor_retailnext;
extern const RfVendor rf_vendor_inspector;

const RfVendor *const rf_vendors[] = {
	&rf_vendor_journey,
	&rf_vendor_aifi,
	&rf_vendor_retailnext,
	&rf_vendor_inspector,
};

const int	rf_nvendors = RF_LENGTHOF(rf_vendors);
