/*-------------------------------------------------------------------------
 *
 * rf_port.c
 *		  The extension's side of rf_port.h: what jsonpage.c needs from
 *		  PostgreSQL (palloc, ereport), and vendor text made fit for our
 *		  messages.
 *
 * jsonpage.c is built into the extension and, without PostgreSQL, into the
 * fuzz targets (test/fuzz/fuzz_common.c implements the same hooks there).
 * Here allocations come from the current memory context and errors are
 * ERRORs with the SQLSTATEs the scan's other response checks raise.
 *
 * Not here: parsing (jsonpage.c), conversion to Datums (json.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "lib/stringinfo.h"

#include <json-c/json.h>

#include "rf_port.h"

/* ----------------------------------------------------------------
 *		Hooks of jsonpage.c
 * ----------------------------------------------------------------
 */

void *
rf_port_alloc(size_t size)
{
	return palloc(size);
}

void *
rf_port_alloc0(size_t size)
{
	return palloc0(size);
}

void *
rf_port_realloc(void *ptr, size_t size)
{
	return repalloc(ptr, size);
}

void
rf_port_free(void *ptr)
{
	pfree(ptr);
}

char *
rf_port_strdup(const char *s)
{
	return pstrdup(s);
}

char *
rf_port_strndup(const char *s, size_t len)
{
	return pnstrdup(s, len);
}

char *
rf_port_printf(const char *fmt,...)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	return buf.data;
}

/* ----------------------------------------------------------------
 *		Vendor text in messages
 * ----------------------------------------------------------------
 */

/*
 * Vendor text fit for a message or a text column of ours: invalid UTF-8
 * bytes become "\xNN", control characters stay out, and the text is cut
 * at a character boundary within maxbytes (then "..." follows).
 */
char *
rf_clean_text(const char *s, int len, int maxbytes)
{
	StringInfoData buf;
	int			i = 0;

	initStringInfo(&buf);
	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		int			l = pg_utf_mblen((const unsigned char *) s + i);

		if (buf.len + 4 > maxbytes)
		{
			appendStringInfoString(&buf, "...");
			break;
		}
		if (c >= 0x80 && i + l <= len && pg_verify_mbstr(PG_UTF8, s + i, l, true))
		{
			appendBinaryStringInfo(&buf, s + i, l);
			i += l;
			continue;
		}
		if (c >= 0x80 || c < 0x20 || c == 0x7f)
		{
			if (c == '\n' || c == '\t')
				appendStringInfoChar(&buf, ' ');
			else
				appendStringInfo(&buf, "\\x%02x", c);
		}
		else
			appendStringInfoChar(&buf, (char) c);
		i++;
	}
	return buf.data;
}

/* A JSON value for a message: its text, cleaned and cut short */
char *
rf_json_excerpt(json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

	return rf_clean_text(s, strlen(s), RF_VALUE_SHOWN);
}

/* ----------------------------------------------------------------
 *		Errors of jsonpage.c
 * ----------------------------------------------------------------
 */

void
rf_port_shape_error(const char *vendor, const char *endpoint,
					const char *what, json_object *found)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_REPLY),
			 errmsg("unexpected response shape from %s: %s", vendor, what),
			 errdetail("Endpoint %s. Found: %s.", endpoint,
					   found ? rf_json_excerpt(found) : "nothing"),
			 errhint("The vendor's API may have changed; no partial result was returned.")));
	pg_unreachable();
}

void
rf_port_ok_error(const char *vendor, const char *endpoint,
				 const char *ok_field, const char *name, const char *reason)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("%s answered \"%s\": false%s%s: %s", vendor, ok_field,
					name ? " for " : "",
					name ? rf_clean_text(name, strlen(name), 200) : "",
					reason ? rf_clean_text(reason, strlen(reason), 500) : "no reason given"),
			 errdetail("Endpoint %s; no partial result was returned.", endpoint),
			 errhint("Check the values the query passes (ids, metrics, ranges) and the permissions of the API key.")));
	pg_unreachable();
}
