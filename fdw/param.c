/*-------------------------------------------------------------------------
 *
 * param.c
 *		  Pushed parameters (param.h): the names of their operators, and
 *		  which values lie in a parameter's domain.
 *
 * Plain C over the descriptor model, like vendor.c: no PostgreSQL header.
 * The planner drops values outside a domain (reqplan.c), key_columns shows
 * it (rf_domain_text), EXPLAIN and messages name the operators.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "param.h"

/* RF_LENGTHOF without the vendor tables' shorthands */
#define LENGTHOF(a)	((int) (sizeof(a) / sizeof((a)[0])))

static const struct
{
	const char *name;
	int			op;
}			op_names[] = {
	{"=", RF_OP_EQ},
	{"<", RF_OP_LT},
	{"<=", RF_OP_LE},
	{">", RF_OP_GT},
	{">=", RF_OP_GE},
};

/* An operator as SQL spells it, for EXPLAIN and messages */
const char *
rf_op_name(int op)
{
	if (op == RF_OP_IN)
		return "IN";
	if (op == RF_OP_DAY)
		return "::date =";
	if (op == RF_OP_SPAN)
		return "date_trunc =";
	for (int i = 0; i < (int) LENGTHOF(op_names); i++)
		if (op_names[i].op == op)
			return op_names[i].name;
	return "?";
}

/* The comparison operator (=, <, <=, >, >=) of that name; 0 for others */
int
rf_op_code(const char *name)
{
	for (int i = 0; i < (int) LENGTHOF(op_names); i++)
		if (strcmp(op_names[i].name, name) == 0)
			return op_names[i].op;
	return 0;
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
 * The minutes of a time of day written hh:mm in the len bytes at value,
 * or INT_MAX when they are not that form (or the minutes pass 59); the
 * hour is not checked here: each caller has its own last minute.
 */
static int
clock_minutes(const char *value, size_t len)
{
	if (len != 5 || value[2] != ':' ||
		!isdigit((unsigned char) value[0]) || !isdigit((unsigned char) value[1]) ||
		!isdigit((unsigned char) value[3]) || !isdigit((unsigned char) value[4]) ||
		value[3] > '5')
		return INT_MAX;
	return ((value[0] - '0') * 10 + (value[1] - '0')) * 60 +
		(value[3] - '0') * 10 + (value[4] - '0');
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
		case RF_DOM_CLOCK:
			return clock_minutes(value, strlen(value)) <=
				(domain->has_max ? domain->max : 1439);
		case RF_DOM_CLOCK_SPAN:
			{
				int			from;
				int			until;

				for (const char *const *e = domain->values; e && *e; e++)
					if (strcmp(*e, value) == 0)
						return true;
				if (strlen(value) != 11 || value[5] != '-')
					return false;
				from = clock_minutes(value, 5);
				until = clock_minutes(value + 6, 5);
				return from <= 1439 && until <= 1440 && from < until;
			}
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
		case RF_DOM_CLOCK:
			PUT("a time of day hh:mm, 00:00 to %s", domain->has_max ? "24:00" : "23:59");
			break;
		case RF_DOM_CLOCK_SPAN:
			for (const char *const *e = domain->values; e && *e; e++)
				PUT("%s, ", *e);
			PUT("or hh:mm-hh:mm (from 00:00, until up to 24:00, from before until)");
			break;
	}
#undef PUT
	return len;
}
