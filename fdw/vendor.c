/*-------------------------------------------------------------------------
 *
 * vendor.c
 *		  Lookups over the vendors' descriptor tables.
 *
 * Plain C over rf_descriptor.h: no PostgreSQL header, so that the fuzz
 * targets and other standalone tools find descriptors the way the
 * extension does.  Lists of names for hints, which need memory, are
 * option.c's.  The vendors themselves are listed in vendors/registry.c.
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "vendor.h"

const RfVendor *
rf_vendor_lookup(const char *name)
{
	for (int i = 0; i < rf_nvendors; i++)
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

/*
 * The endpoint of any vendor named resource, and its vendor.  Resource
 * names are unique across vendors (they are table names), which is what
 * lets a table's "resource" option alone say whose options apply.
 */
const RfEndpoint *
rf_endpoint_find(const char *resource, const RfVendor **vendor)
{
	for (int i = 0; i < rf_nvendors; i++)
	{
		const RfEndpoint *ep = rf_endpoint_lookup(rf_vendors[i], resource);

		if (ep != NULL)
		{
			if (vendor)
				*vendor = rf_vendors[i];
			return ep;
		}
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

const RfOptionDef *
rf_vendor_option(const RfVendor *vendor, const char *name)
{
	for (int i = 0; i < vendor->noptions; i++)
	{
		if (strcmp(vendor->options[i].name, name) == 0)
			return &vendor->options[i];
	}
	return NULL;
}

const RfOptionDef *
rf_endpoint_option(const RfEndpoint *ep, const char *name)
{
	for (int i = 0; i < ep->noptions; i++)
	{
		if (strcmp(ep->options[i].name, name) == 0)
			return &ep->options[i];
	}
	return NULL;
}

const RfAction *
rf_action_lookup(const RfVendor *vendor, const char *name)
{
	for (int i = 0; i < vendor->nactions; i++)
	{
		if (strcmp(vendor->actions[i].name, name) == 0)
			return &vendor->actions[i];
	}
	return NULL;
}

/* The endpoint's own "ok" flag field, else its vendor's (NULL: none) */
const char *
rf_endpoint_ok_field(const RfVendor *vendor, const RfEndpoint *ep)
{
	return vendor ? vendor->ok_field : NULL;
}

const char *
rf_endpoint_error_field(const RfVendor *vendor, const RfEndpoint *ep)
{
	return vendor ? vendor->error_field : NULL;
}

const char *
rf_type_sql(RfType type)
{
	switch (type)
	{
		case RF_TEXT:
			return "text";
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
		case RF_TIMESTAMPTZ:
			return "timestamp with time zone";
		case RF_UUID:
			return "uuid";
		case RF_JSONB:
			return "jsonb";
	}
	return "text";
}

/*
 * The domain of a pushed parameter: its own, or for RF_DOM_ANY the one its
 * column's type implies (a UUID column takes UUIDs, an integer column
 * integers, the rest any string).
 */
RfDomain
rf_pushdown_domain(const RfEndpoint *ep, const RfPushdown *pd)
{
	RfDomain	d = pd->domain;
	const RfColumn *col;

	if (d.kind != RF_DOM_ANY)
		return d;
	col = rf_column_lookup(ep, pd->column);
	switch (col ? col->type : RF_TEXT)
	{
		case RF_UUID:
			d.kind = RF_DOM_UUID;
			break;
		case RF_INT4:
		case RF_INT8:
			d.kind = RF_DOM_INTEGER;
			break;
		default:
			d.kind = RF_DOM_TEXT;
			break;
	}
	return d;
}
