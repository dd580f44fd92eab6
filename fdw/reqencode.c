/*-------------------------------------------------------------------------
 *
 * reqencode.c
 *		  How a series' parameters become its request: values percent-encoded
 *		  into query strings, path segments that cannot climb out of the
 *		  documented path, JSON bodies built from the descriptors' body paths
 *		  ("where.and[].uuids") and the endpoint's constants, and the target
 *		  of each page.
 *
 * The planner (reqplan.c) decides which series a scan makes and with which
 * values; this file only spells them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "reqencode.h"
#include "netpolicy.h"
#include "option.h"
#include "param.h"
#include "vendor.h"

/*
 * A value as it goes into a query string: always percent-encoded, so that
 * no value can add a parameter.  (EXPLAIN shows values it cannot know yet,
 * parameters from the outer side of a join, as "$1", "$2": ordinary text
 * that the encoding leaves as it is.)
 */
static char *
query_value(const char *v)
{
	return rf_http_escape(v);
}

/*
 * A value as it goes into a path: one segment, whatever it holds.  Only
 * the characters RFC 3986 allows in a segment stay; '/', '?', '#' and '%'
 * are encoded, and a value of "." or ".." has its dots encoded, so that it
 * cannot climb out of the documented path.
 */
char *
rf_escape_segment(const char *v)
{
	static const char keep[] = "-._~!$&'()*+,;=:@";
	bool		dots = (strcmp(v, ".") == 0 || strcmp(v, "..") == 0);
	StringInfoData buf;

	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) v; *p; p++)
	{
		if (((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			 (*p >= '0' && *p <= '9') || strchr(keep, *p) != NULL) &&
			!(dots && *p == '.'))
			appendStringInfoChar(&buf, (char) *p);
		else
			appendStringInfo(&buf, "%%%02X", *p);
	}
	return buf.data;
}

void
rf_add_param(List **params, const RfPushdown *pd, const char *name, List *values)
{
	SeriesParam *p = palloc(sizeof(SeriesParam));

	p->pd = pd;
	p->name = name;
	p->values = values;
	p->array = (pd->multi == RF_MULTI_REPEAT);
	p->loc = pd->loc;
	*params = lappend(*params, p);
}

/* ----------------------------------------------------------------
 *		JSON bodies
 * ----------------------------------------------------------------
 */

/*
 * A JSON body under construction: objects and arrays whose members keep
 * the order in which parameters named them, and JSON text at the leaves.
 */
typedef struct BodyNode
{
	char	   *key;			/* member name; NULL in an array */
	char		kind;			/* 'o' object, 'a' array, 'v' JSON text */
	List	   *members;		/* BodyNode * */
	char	   *text;			/* kind 'v' */
} BodyNode;

static BodyNode *
body_node(const char *key, char kind)
{
	BodyNode   *n = palloc0(sizeof(BodyNode));

	n->key = key ? pstrdup(key) : NULL;
	n->kind = kind;
	return n;
}

static BodyNode *
body_member(BodyNode *obj, const char *key, char kind)
{
	ListCell   *lc;
	BodyNode   *n;

	foreach(lc, obj->members)
	{
		n = lfirst(lc);
		if (n->key && strcmp(n->key, key) == 0)
			return n;
	}
	n = body_node(key, kind);
	obj->members = lappend(obj->members, n);
	return n;
}

/*
 * Put a value at a body path (see RfPushdown): "a.b" walks into object
 * members, "a[]" into a new element of array a, "a[0]" into its first.
 */
static void
body_put(BodyNode *root, const char *path, char *text)
{
	char	   *copy = pstrdup(path);
	char	   *seg = copy;
	BodyNode   *node = root;

	for (;;)
	{
		char	   *dot = strchr(seg, '.');
		char	   *bracket;

		if (dot == NULL)
			break;
		*dot = '\0';
		bracket = strchr(seg, '[');
		if (bracket == NULL)
			node = body_member(node, seg, 'o');
		else
		{
			BodyNode   *array;
			bool		append = (bracket[1] == ']');

			*bracket = '\0';
			array = body_member(node, seg, 'a');
			if (append || array->members == NIL)
				array->members = lappend(array->members, body_node(NULL, 'o'));
			node = append ? llast(array->members) : linitial(array->members);
		}
		seg = dot + 1;
	}
	body_member(node, seg, 'v')->text = text;
}

static void
body_write(StringInfo buf, BodyNode *n)
{
	ListCell   *lc;

	if (n->kind == 'v')
	{
		appendStringInfoString(buf, n->text);
		return;
	}
	appendStringInfoChar(buf, n->kind == 'o' ? '{' : '[');
	foreach(lc, n->members)
	{
		BodyNode   *m = lfirst(lc);

		if (lc != list_head(n->members))
			appendStringInfoChar(buf, ',');
		if (n->kind == 'o')
		{
			escape_json(buf, m->key);
			appendStringInfoChar(buf, ':');
		}
		body_write(buf, m);
	}
	appendStringInfoChar(buf, n->kind == 'o' ? '}' : ']');
}

/* A parameter's values as JSON: a string, or an array of strings */
static char *
body_value(SeriesParam *p)
{
	StringInfoData buf;
	ListCell   *lv;

	initStringInfo(&buf);
	if (!p->array)
	{
		escape_json(&buf, linitial(p->values));
		return buf.data;
	}
	appendStringInfoChar(&buf, '[');
	foreach(lv, p->values)
	{
		if (lv != list_head(p->values))
			appendStringInfoChar(&buf, ',');
		escape_json(&buf, lfirst(lv));
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* ----------------------------------------------------------------
 *		Series
 * ----------------------------------------------------------------
 */

/* Replace {name} in a path by a value, as one segment */
static char *
fill_path(const char *path, const char *name, const char *value)
{
	char	   *token = psprintf("{%s}", name);
	const char *at = strstr(path, token);

	if (at == NULL)
		return pstrdup(path);
	return psprintf("%.*s%s%s", (int) (at - path), path, rf_escape_segment(value),
					at + strlen(token));
}

/* Whether a parameter of params goes to loc under name */
static bool
pushed_named(List *params, RfParamLoc loc, const char *name)
{
	ListCell   *lc;

	foreach(lc, params)
	{
		SeriesParam *p = lfirst(lc);

		if (p->pd && p->loc == loc && strcmp(p->name, name) == 0)
			return true;
	}
	return false;
}

/* Build one series from its parameters */
RfSeries *
rf_make_series(const RfEndpoint *ep, List *params)
{
	RfSeries   *s = palloc0(sizeof(RfSeries));
	BodyNode   *body = body_node(NULL, 'o');
	char	   *path = pstrdup(ep->path);
	ListCell   *lc;
	bool		has_body = false;

	/* the endpoint's constants first, in their order */
	for (int i = 0; i < ep->nconstants; i++)
	{
		const RfConstant *c = &ep->constants[i];

		if (c->option != NULL)
			continue;			/* the planner's, when the option is set */
		if (pushed_named(params, c->loc, c->name))
			continue;			/* a pushed value takes the constant's place */
		if (c->loc == RF_LOC_QUERY)
			s->query = lappend(s->query, psprintf("%s=%s", c->name, c->value));
		else
		{
			body_put(body, c->name, pstrdup(c->value));
			has_body = true;
		}
	}

	/* a path parameter with a path of its own chooses it first */
	foreach(lc, params)
	{
		SeriesParam *p = lfirst(lc);

		if (p->pd && p->pd->loc == RF_LOC_PATH && p->pd->path)
			path = pstrdup(p->pd->path);
	}

	foreach(lc, params)
	{
		SeriesParam *p = lfirst(lc);
		ListCell   *lv;
		RfParamLoc	loc = p->pd ? p->pd->loc : p->loc;

		if (p->pd && p->pd->as_const)
			foreach(lv, p->values)
				s->consts = lappend(s->consts, psprintf("%s=%s", p->pd->column,
														(char *) lfirst(lv)));
		switch (loc)
		{
			case RF_LOC_QUERY:
				foreach(lv, p->values)
					s->query = lappend(s->query,
									   psprintf("%s=%s", p->name,
												query_value(lfirst(lv))));
				break;
			case RF_LOC_BODY:
				body_put(body, p->name, body_value(p));
				has_body = true;
				break;
			case RF_LOC_PATH:
				path = fill_path(path, p->name, linitial(p->values));
				break;
		}
	}

	s->path = path;
	if (has_body)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		body_write(&buf, body);
		s->body = buf.data;
	}
	return s;
}

/*
 * The path and query of a series' request: its parameters, then the page
 * size, then (after the first page) the page parameter.  Header-paged
 * endpoints carry page size and start in headers instead.
 */
char *
rf_series_target(const RfSeries *series, const RfPagingSpec *pg,
				 int page_size, const char *page_value)
{
	StringInfoData buf;
	ListCell   *lc;
	char		sep = '?';

	initStringInfo(&buf);
	appendStringInfoString(&buf, series->path);
	foreach(lc, series->query)
	{
		appendStringInfo(&buf, "%c%s", sep, (char *) lfirst(lc));
		sep = '&';
	}
	if (pg->style == RF_PAGE_NONE || pg->style == RF_PAGE_HEADER || pg->in_headers)
		return buf.data;
	if (pg->size_param && page_size > 0)
	{
		appendStringInfo(&buf, "%c%s=%d", sep, pg->size_param, page_size);
		sep = '&';
	}
	if (pg->page_param && page_value)
		appendStringInfo(&buf, "%c%s=%s", sep, pg->page_param,
						 rf_http_escape(page_value));
	return buf.data;
}
