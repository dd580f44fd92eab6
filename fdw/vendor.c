/*-------------------------------------------------------------------------
 *
 * vendor.c
 *		  The registry of vendors and lookups over their descriptor tables.
 *
 * Vendors whose endpoints are not described yet are still registered, so
 * that servers can be created for them; they simply offer no tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "retail_fdw.h"

extern const RfVendor rf_vendor_journey;
extern const RfVendor rf_vendor_retailnext;
extern const RfVendor rf_vendor_aifi;
extern const RfVendor rf_vendor_inspector;

static const RfVendor *const rf_vendors[] = {
	&rf_vendor_journey,
	&rf_vendor_aifi,
	&rf_vendor_retailnext,
	&rf_vendor_inspector,
};

const RfVendor *
rf_vendor_lookup(const char *name)
{
	for (int i = 0; i < (int) lengthof(rf_vendors); i++)
	{
		if (strcmp(rf_vendors[i]->name, name) == 0)
			return rf_vendors[i];
	}
	return NULL;
}

const RfEndpoint *
rf_endpoint_lookup(const RfVendor *vendor, const char *resource)
{
	for (int i = 0; i < vendor->nendpoints; i++)
	{
		if (strcmp(vendor->endpoints[i].resource, resource) == 0)
			return &vendor->endpoints[i];
	}
	return NULL;
}

const RfColumn *
rf_column_lookup(const RfEndpoint *ep, const char *name)
{
	for (int i = 0; i < ep->ncolumns; i++)
	{
		if (strcmp(ep->columns[i].name, name) == 0)
			return &ep->columns[i];
	}
	return NULL;
}

const RfPushdown *
rf_pushdown_lookup(const RfEndpoint *ep, const char *column)
{
	for (int i = 0; i < ep->npushdown; i++)
	{
		if (strcmp(ep->pushdown[i].column, column) == 0)
			return &ep->pushdown[i];
	}
	return NULL;
}

/* Comma-separated lists, for hints */
char *
rf_vendor_names(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < (int) lengthof(rf_vendors); i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", rf_vendors[i]->name);
	return buf.data;
}

char *
rf_resource_names(const RfVendor *vendor)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < vendor->nendpoints; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "",
						 vendor->endpoints[i].resource);
	if (vendor->nendpoints == 0)
		appendStringInfoString(&buf, "(none yet)");
	return buf.data;
}

const char *
rf_type_sql(RfType type)
{
	switch (type)
	{
		case RF_TEXT:
			return "text";
		case RF_INT2:
			return "smallint";
		case RF_INT4:
			return "integer";
		case RF_INT8:
			return "bigint";
		case RF_NUMERIC:
			return "numeric";
		case RF_FLOAT8:
			return "double precision";
		case RF_BOOL:
			return "boolean";
		case RF_DATE:
			return "date";
		case RF_TIMESTAMP:
			return "timestamp without time zone";
		case RF_TIMESTAMPTZ:
			return "timestamp with time zone";
		case RF_UUID:
			return "uuid";
		case RF_JSON:
			return "json";
		case RF_JSONB:
			return "jsonb";
		case RF_TEXTARRAY:
			return "text[]";
	}
	return "text";
}
