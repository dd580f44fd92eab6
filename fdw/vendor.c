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

#include "rf_descriptor.h"

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
	if (ep->ok_field || vendor == NULL)
		return ep->ok_field;
	return vendor->ok_field;
}

const char *
rf_endpoint_error_field(const RfVendor *vendor, const RfEndpoint *ep)
{
	if (ep->error_field || vendor == NULL)
		return ep->error_field;
	return vendor->error_field;
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

/* ASCII case-insensitive equality (locale-free, like the APIs compare) */
static bool
equal_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
	{
		char		x = (*a >= 'A' && *a <= 'Z') ? *a + 32 : *a;
		char		y = (*b >= 'A' && *b <= 'Z') ? *b + 32 : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Is value a decimal integer within int64 ("-" allowed, nothing else)? */
static bool
parse_integer(const char *value, int64_t *out)
{
	const char *p = value;
	bool		neg = (*p == '-');
	uint64_t	v = 0;

	if (neg)
		p++;
	if (*p == '\0')
		return false;
	for (; *p; p++)
	{
		if (*p < '0' || *p > '9')
			return false;
		if (v > (UINT64_C(9223372036854775808) - (uint64_t) (*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t) (*p - '0');
	}
	if (!neg && v > (uint64_t) INT64_MAX)
		return false;
	*out = neg ? (int64_t) (0 - v) : (int64_t) v;
	return true;
}

/* Is value a UUID in the 8-4-4-4-12 hexadecimal form? */
static bool
is_uuid_text(const char *value)
{
	int			i;

	for (i = 0; value[i]; i++)
	{
		char		c = value[i];

		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (c != '-')
				return false;
		}
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				   (c >= 'A' && c <= 'F')))
			return false;
	}
	return i == 36;
}

/*
 * Whether a value, in the text form it would be sent in, lies in a
 * domain.  The one place that decides it: the planner drops what is
 * outside (reqplan.c), key_columns shows the domain (rf_domain_text).
 */
bool
rf_domain_admits(const RfDomain *domain, const char *value)
{
	int64_t		v;

	switch (domain->kind)
	{
		case RF_DOM_ANY:
		case RF_DOM_TEXT:
			return true;
		case RF_DOM_NONEMPTY:
			return value[0] != '\0';
		case RF_DOM_INTEGER:
			return parse_integer(value, &v) &&
				(!domain->has_min || v >= domain->min) &&
				(!domain->has_max || v <= domain->max);
		case RF_DOM_ENUM:
		case RF_DOM_ENUM_NOCASE:
			for (const char *const *e = domain->values; e && *e; e++)
				if (domain->kind == RF_DOM_ENUM ? strcmp(*e, value) == 0 :
					equal_nocase(*e, value))
					return true;
			return false;
		case RF_DOM_UUID:
			return is_uuid_text(value);
	}
	return true;
}

/*
 * A domain in words, for key_columns and EXPLAIN: "integer >= 1", "one of
 * local, sso (any case)", "non-empty text", "uuid", "text".  Writes at
 * most size bytes (NUL included) and returns the length it wanted, like
 * snprintf.
 */
int
rf_domain_text(const RfDomain *domain, char *buf, int size)
{
	int			len = 0;

#define PUT(...) \
	(len += snprintf(buf + (len < size ? len : size), \
					 len < size ? (size_t) (size - len) : 0, __VA_ARGS__))
	switch (domain->kind)
	{
		case RF_DOM_ANY:
		case RF_DOM_TEXT:
			PUT("text");
			break;
		case RF_DOM_NONEMPTY:
			PUT("non-empty text");
			break;
		case RF_DOM_INTEGER:
			PUT("integer");
			if (domain->has_min && domain->has_max)
				PUT(" %lld..%lld", (long long) domain->min, (long long) domain->max);
			else if (domain->has_min)
				PUT(" >= %lld", (long long) domain->min);
			else if (domain->has_max)
				PUT(" <= %lld", (long long) domain->max);
			break;
		case RF_DOM_ENUM:
		case RF_DOM_ENUM_NOCASE:
			PUT("one of ");
			for (const char *const *e = domain->values; e && *e; e++)
				PUT("%s%s", e == domain->values ? "" : ", ", *e);
			if (domain->kind == RF_DOM_ENUM_NOCASE)
				PUT(" (any case)");
			break;
		case RF_DOM_UUID:
			PUT("uuid");
			break;
	}
#undef PUT
	return len;
}
