/*-------------------------------------------------------------------------
 *
 * reqplan.c
 *		  The request planner: which quals the API can take, whether the
 *		  required ones are there, and the request series they turn into.
 *
 * Planning side: rf_match_qual recognises "column op value" shapes that an
 * endpoint's descriptor allows, where the value is a Const, a Param, or any
 * expression free of this relation's columns and of volatile functions
 * (it is evaluated once per scan, or per rescan for join parameters).
 * Everything else stays with the executor, and the executor rechecks all
 * quals anyway: an API filter may be looser than SQL's.
 *
 * Execution side: rf_plan_series turns the evaluated values into request
 * series, the cartesian product of split values (IN on a one-value-per-
 * request parameter) and windows of a long range.  Each series is then
 * paged by the scan.
 *
 * Not here: HTTP (http.c), JSON (json.c), FDW callbacks (retail_fdw.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "parser/parse_coerce.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "retail_fdw.h"

/* ----------------------------------------------------------------
 *		Quals
 * ----------------------------------------------------------------
 */

static const struct
{
	const char *name;
	int			op;
}			rf_operators[] = {
	{"=", RF_OP_EQ},
	{"<", RF_OP_LT},
	{"<=", RF_OP_LE},
	{">", RF_OP_GT},
	{">=", RF_OP_GE},
};

const char *
rf_op_name(int op)
{
	if (op == RF_OP_IN)
		return "IN";
	for (int i = 0; i < (int) lengthof(rf_operators); i++)
		if (rf_operators[i].op == op)
			return rf_operators[i].name;
	return "?";
}

/* A built-in operator named like one we push; 0 otherwise */
static int
operator_code(Oid opno)
{
	char	   *name;

	if (!OidIsValid(opno) || opno >= FirstNormalObjectId)
		return 0;
	name = get_opname(opno);
	if (name == NULL)
		return 0;
	for (int i = 0; i < (int) lengthof(rf_operators); i++)
		if (strcmp(rf_operators[i].name, name) == 0)
			return rf_operators[i].op;
	return 0;
}

static Expr *
strip_relabel(Expr *e)
{
	while (e && IsA(e, RelabelType))
		e = ((RelabelType *) e)->arg;
	return e;
}

static bool
is_column_of(Expr *e, Index relid)
{
	return e && IsA(e, Var) && (Index) ((Var *) e)->varno == relid &&
		((Var *) e)->varlevelsup == 0 && ((Var *) e)->varattno > 0;
}

/*
 * The value side must be computable before the scan starts: no column of
 * this relation, nothing volatile, no sub-selects.
 */
static bool
is_value_expr(PlannerInfo *root, Expr *e, Index relid)
{
	return !bms_is_member(relid, pull_varnos(root, (Node *) e)) &&
		!contain_volatile_functions((Node *) e) &&
		!contain_subplans((Node *) e);
}

/* Whether every value of type from converts exactly to type to */
static bool
widens_to(Oid from, Oid to)
{
	switch (to)
	{
		case TIMESTAMPTZOID:
			return from == DATEOID || from == TIMESTAMPOID;
		case TIMESTAMPOID:
			return from == DATEOID;
		case INT8OID:
			return from == INT2OID || from == INT4OID;
		case INT4OID:
			return from == INT2OID;
		case NUMERICOID:
			return from == INT2OID || from == INT4OID || from == INT8OID;
		case FLOAT8OID:
			return from == INT2OID || from == INT4OID || from == FLOAT4OID;
		default:
			return false;
	}
}

/*
 * Whether a column declared with SQL type typid compares like the API's
 * field of type t.  Equality is safe on any type whose text form the API
 * reads; ordering is only pushed when SQL orders values as the API does
 * (a timestamp declared as text sorts differently from a timestamp).
 */
static bool
compares_like(RfType t, Oid typid, int op)
{
	switch (t)
	{
		case RF_DATE:
		case RF_TIMESTAMP:
		case RF_TIMESTAMPTZ:
			return typid == DATEOID || typid == TIMESTAMPOID ||
				typid == TIMESTAMPTZOID;
		case RF_INT2:
		case RF_INT4:
		case RF_INT8:
		case RF_NUMERIC:
		case RF_FLOAT8:
			return typid == INT2OID || typid == INT4OID || typid == INT8OID ||
				typid == NUMERICOID || typid == FLOAT8OID || typid == FLOAT4OID;
		case RF_UUID:
			return typid == UUIDOID || ((op & (RF_OP_EQ | RF_OP_IN)) != 0 &&
										typid == TEXTOID);
		default:
			return (op & (RF_OP_EQ | RF_OP_IN)) != 0 &&
				(typid == TEXTOID || typid == VARCHAROID || typid == BPCHAROID ||
				 typid == INT4OID || typid == INT8OID || typid == UUIDOID ||
				 typid == BOOLOID);
	}
}

/*
 * Whether PostgreSQL orders a column of SQL type typid as the API orders
 * its field of type t, so that the API may sort for an ORDER BY.  Only
 * numbers and times qualify: text sorts by collation, which no API knows,
 * and an id the API holds as a number sorts differently as text.
 */
bool
rf_orders_like(RfType t, Oid typid)
{
	if (t == RF_UUID || type_is_collatable(typid))
		return false;
	return compares_like(t, typid, RF_OP_LT);
}

/*
 * Whether a clause is "column op value" on a pushable column with an
 * operator the endpoint accepts; if so, describe it in *out.
 */
bool
rf_match_qual(PlannerInfo *root, Expr *clause, Index relid, Oid reloid,
			  const RfEndpoint *ep, RfPushedQual *out)
{
	Var		   *var;
	Expr	   *value;
	Oid			valtype;
	int			op;
	char	   *attname;
	const RfPushdown *pd;
	const RfColumn *col;
	ListCell   *lc;

	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *opexpr = (OpExpr *) clause;
		Expr	   *l = strip_relabel(linitial(opexpr->args));
		Expr	   *r = strip_relabel(lsecond(opexpr->args));

		if (is_column_of(l, relid))
		{
			var = (Var *) l;
			value = lsecond(opexpr->args);
			op = operator_code(opexpr->opno);
		}
		else if (is_column_of(r, relid))
		{
			var = (Var *) r;
			value = linitial(opexpr->args);
			op = operator_code(get_commutator(opexpr->opno));
		}
		else
			return false;
		valtype = exprType((Node *) strip_relabel(value));
	}
	else if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;
		Expr	   *l = strip_relabel(linitial(saop->args));

		if (!saop->useOr || !is_column_of(l, relid) ||
			operator_code(saop->opno) != RF_OP_EQ)
			return false;
		var = (Var *) l;
		value = lsecond(saop->args);
		op = RF_OP_IN;
		valtype = get_element_type(exprType((Node *) value));
	}
	else
		return false;

	if (op == 0 || !is_value_expr(root, value, relid))
		return false;
	if (valtype != var->vartype)
	{
		/*
		 * A cross-type comparison whose value widens to the column's type
		 * without loss compares the same after a cast (timestamptz >= date,
		 * bigint = integer): push the cast value.
		 */
		Oid			target = (op == RF_OP_IN) ? get_array_type(var->vartype) : var->vartype;

		if (!widens_to(valtype, var->vartype) || !OidIsValid(target))
			return false;
		value = (Expr *) coerce_to_target_type(NULL, (Node *) value,
											   exprType((Node *) value),
											   target, -1, COERCION_IMPLICIT,
											   COERCE_IMPLICIT_CAST, -1);
		if (value == NULL)
			return false;
	}

	attname = get_attname(reloid, var->varattno, false);
	pd = rf_pushdown_lookup(ep, attname);
	if (pd == NULL || (pd->ops & op) == 0)
		return false;
	col = rf_column_lookup(ep, attname);
	if (col != NULL && !compares_like(col->type, var->vartype, op))
		return false;
	/* a column that reads another field (json_path) is not this filter */
	foreach(lc, GetForeignColumnOptions(reloid, var->varattno))
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "json_path") == 0 &&
			strcmp(defGetString(def), col && col->json_path ? col->json_path : attname) != 0)
			return false;
	}

	out->pd_index = pd - ep->pushdown;
	out->op = op;
	out->expr = value;
	return true;
}

/* Does the list of pushed quals cover one requirement? */
static bool
requirement_met(const RfEndpoint *ep, const RfRequired *req, List *pushed)
{
	bool		eq = false,
				lower = false,
				upper = false;
	ListCell   *lc;

	foreach(lc, pushed)
	{
		RfPushedQual *q = lfirst(lc);

		if (strcmp(ep->pushdown[q->pd_index].column, req->column) != 0)
			continue;
		eq |= (q->op & (RF_OP_EQ | RF_OP_IN)) != 0 && (req->kind == RF_REQ_VALUE || q->op == RF_OP_EQ);
		lower |= (q->op & (RF_OP_GT | RF_OP_GE)) != 0;
		upper |= (q->op & (RF_OP_LT | RF_OP_LE)) != 0;
	}
	switch (req->kind)
	{
		case RF_REQ_VALUE:
			return eq;
		case RF_REQ_RANGE:
			return eq || (lower && upper);
		case RF_REQ_LOWER:
			return eq || lower;
	}
	return false;
}

/* How a requirement reads in an error message, and an example */
static void
describe_requirement(const RfEndpoint *ep, const RfRequired *req,
					 StringInfo what, StringInfo example)
{
	const RfPushdown *pd = rf_pushdown_lookup(ep, req->column);
	const RfColumn *col = rf_column_lookup(ep, req->column);
	bool		temporal = col && (col->type == RF_TIMESTAMPTZ ||
								   col->type == RF_TIMESTAMP ||
								   col->type == RF_DATE);
	StringInfoData ops;

	initStringInfo(&ops);
	for (int bit = RF_OP_EQ; bit <= RF_OP_GE; bit <<= 1)
		if (pd && (pd->ops & bit) &&
			(req->kind != RF_REQ_LOWER || (bit & (RF_OP_LT | RF_OP_LE)) == 0))
			appendStringInfo(&ops, "%s%s", ops.len ? ", " : "", rf_op_name(bit));

	switch (req->kind)
	{
		case RF_REQ_VALUE:
			appendStringInfo(what, "a value for \"%s\" (%s)", req->column, ops.data);
			appendStringInfo(example, "%s = '...'", req->column);
			break;
		case RF_REQ_RANGE:
			appendStringInfo(what, "a bounded range on \"%s\" (%s%s)", req->column,
							 ops.data, temporal ? ", BETWEEN" : "");
			if (temporal)
				appendStringInfo(example, "%s >= '2025-08-12' AND %s < '2025-08-13'",
								 req->column, req->column);
			else
				appendStringInfo(example, "%s BETWEEN ... AND ...", req->column);
			break;
		case RF_REQ_LOWER:
			appendStringInfo(what, "a lower bound on \"%s\" (%s)", req->column, ops.data);
			appendStringInfo(example, "%s >= '2025-08-12'", req->column);
			break;
	}
}

/*
 * Fail before any request when the endpoint's required quals are missing.
 * The message names the table and columns and the hint shows a WHERE
 * clause that works.
 */
bool
rf_requirements_met(const RfEndpoint *ep, List *pushed)
{
	int			maxalt = -1;

	if (ep->nrequired == 0)
		return true;
	for (int i = 0; i < ep->nrequired; i++)
		maxalt = Max(maxalt, ep->required[i].alternative);

	for (int alt = 0; alt <= maxalt; alt++)
	{
		bool		met = true;
		bool		any = false;

		for (int i = 0; i < ep->nrequired; i++)
		{
			if (ep->required[i].alternative != alt)
				continue;
			any = true;
			met &= requirement_met(ep, &ep->required[i], pushed);
		}
		if (any && met)
			return true;
	}
	return false;
}

void
rf_check_required(const RfEndpoint *ep, List *pushed, const char *relname)
{
	StringInfoData what;
	StringInfoData example;
	StringInfoData scratch;
	int			maxalt = -1;

	if (rf_requirements_met(ep, pushed))
		return;
	for (int i = 0; i < ep->nrequired; i++)
		maxalt = Max(maxalt, ep->required[i].alternative);

	/* name every alternative; the example shows the first one */
	initStringInfo(&what);
	initStringInfo(&example);
	initStringInfo(&scratch);
	for (int alt = 0; alt <= maxalt; alt++)
	{
		bool		first = true;

		for (int i = 0; i < ep->nrequired; i++)
		{
			StringInfo	ex = (alt == ep->required[0].alternative) ? &example : &scratch;

			if (ep->required[i].alternative != alt)
				continue;
			if (what.len > 0)
				appendStringInfoString(&what, first ? " or " : " and ");
			if (ex->len > 0)
				appendStringInfoString(ex, " AND ");
			describe_requirement(ep, &ep->required[i], &what, ex);
			first = false;
		}
	}

	ereport(ERROR,
			(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
			 errmsg("foreign table \"%s\" needs %s in WHERE", relname, what.data),
			 errdetail("Resource %s cannot be read without it; the vendor's API requires it.",
					   ep->resource),
			 errhint("Add a condition such as: WHERE %s", example.data)));
}

/* ----------------------------------------------------------------
 *		Values
 * ----------------------------------------------------------------
 */

static char *
format_timestamp(Timestamp ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(ts) ||
		timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0 || tm.tm_year < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for a vendor API filter"),
				 errhint("Use finite timestamps in years 1 to 9999.")));
	if (fsec != 0)
		return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
						tm.tm_year, tm.tm_mon, tm.tm_mday,
						tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ",
					tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * A value as the APIs spell it: timestamps in ISO 8601 UTC, dates as
 * YYYY-MM-DD, the rest in PostgreSQL's text form.
 */
char *
rf_format_value(Datum value, Oid typid)
{
	Oid			outfunc;
	bool		isvarlena;

	switch (typid)
	{
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			return format_timestamp(DatumGetTimestamp(value));
		case DATEOID:
			{
				int			y,
							m,
							d;

				if (DATE_NOT_FINITE(DatumGetDateADT(value)))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("date out of range for a vendor API filter")));
				j2date(DatumGetDateADT(value) + POSTGRES_EPOCH_JDATE, &y, &m, &d);
				return psprintf("%04d-%02d-%02d", y, m, d);
			}
		default:
			getTypeOutputInfo(typid, &outfunc, &isvarlena);
			return OidOutputFunctionCall(outfunc, value);
	}
}

/* Ordered types whose values map onto int64, so bounds can be compared */
static bool
ordinal_key(Datum value, Oid typid, int64 *key)
{
	switch (typid)
	{
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			*key = DatumGetTimestamp(value);
			return !TIMESTAMP_NOT_FINITE(*key);
		case DATEOID:
			*key = DatumGetDateADT(value);
			return !DATE_NOT_FINITE((DateADT) *key);
		case INT2OID:
			*key = DatumGetInt16(value);
			return true;
		case INT4OID:
			*key = DatumGetInt32(value);
			return true;
		case INT8OID:
			*key = DatumGetInt64(value);
			return true;
		default:
			return false;
	}
}

static Datum
ordinal_datum(int64 key, Oid typid)
{
	switch (typid)
	{
		case DATEOID:
			return DateADTGetDatum((DateADT) key);
		case INT2OID:
			return Int16GetDatum((int16) key);
		case INT4OID:
			return Int32GetDatum((int32) key);
		default:
			return Int64GetDatum(key);
	}
}

/* ----------------------------------------------------------------
 *		Series
 * ----------------------------------------------------------------
 */

/* What the quals say about one pushdown column */


static List *
intersect_values(List *a, List *b)
{
	List	   *result = NIL;
	ListCell   *la,
			   *lb;

	foreach(la, a)
		foreach(lb, b)
			if (strcmp(lfirst(la), lfirst(lb)) == 0)
			{
				result = lappend(result, lfirst(la));
				break;
			}
	return result;
}

static List *
distinct_values(List *values)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, values)
	{
		ListCell   *lr;
		bool		seen = false;

		foreach(lr, result)
			seen |= strcmp(lfirst(lr), lfirst(lc)) == 0;
		if (!seen)
			result = lappend(result, lfirst(lc));
	}
	return result;
}

/*
 * Fold the evaluated quals into one filter per pushdown column.  Returns
 * false when they cannot match anything (a NULL, an empty IN list, or an
 * empty range): then no request is needed at all.
 */
bool
rf_fold_filters(const RfEndpoint *ep, List *qualvals, RfFilter *f)
{
	ListCell   *lc;

	foreach(lc, qualvals)
	{
		RfQualValue *qv = lfirst(lc);
		RfFilter *cf = &f[qv->pd_index];
		int64		key;
		bool		ordinal;

		if (qv->isnull)
			return false;
		cf->typid = qv->typid;

		if (qv->op == RF_OP_IN ||
			(qv->op == RF_OP_EQ && ep->pushdown[qv->pd_index].param != NULL))
		{
			List	   *vals = distinct_values(qv->values);

			cf->values = cf->has_values ? intersect_values(cf->values, vals) : vals;
			cf->has_values = true;
			if (cf->values == NIL)
				return false;
			if (qv->op == RF_OP_IN)
				continue;
		}

		/* single-valued: a bound (= is both bounds) */
		ordinal = ordinal_key(qv->value, qv->typid, &key);
		if (!ordinal)
		{
			char	   *text = rf_format_value(qv->value, qv->typid);

			if (qv->op & (RF_OP_EQ | RF_OP_GT | RF_OP_GE))
				cf->lower_text = cf->lower_text ? cf->lower_text : text;
			if (qv->op & (RF_OP_EQ | RF_OP_LT | RF_OP_LE))
				cf->upper_text = cf->upper_text ? cf->upper_text : text;
			cf->has_lower |= (qv->op & (RF_OP_EQ | RF_OP_GT | RF_OP_GE)) != 0;
			cf->has_upper |= (qv->op & (RF_OP_EQ | RF_OP_LT | RF_OP_LE)) != 0;
			continue;
		}
		/* strict bounds become inclusive: exact for integral keys */
		if (qv->op & (RF_OP_EQ | RF_OP_GT | RF_OP_GE))
		{
			int64		lo = (qv->op == RF_OP_GT) ? key + 1 : key;

			cf->lower = cf->has_lower ? Max(cf->lower, lo) : lo;
			cf->has_lower = true;
		}
		if (qv->op & (RF_OP_EQ | RF_OP_LT | RF_OP_LE))
		{
			int64		hi = (qv->op == RF_OP_LT) ? key - 1 : key;

			cf->upper = cf->has_upper ? Min(cf->upper, hi) : hi;
			cf->has_upper = true;
		}
		if (cf->has_lower && cf->has_upper && cf->lower > cf->upper)
			return false;
	}
	return true;
}

char *
rf_filter_bound_text(RfFilter *cf, bool upper)
{
	if (upper ? cf->upper_text : cf->lower_text)
		return upper ? cf->upper_text : cf->lower_text;
	return rf_format_value(ordinal_datum(upper ? cf->upper : cf->lower,
										 cf->typid), cf->typid);
}

/*
 * Widen the bounds of a date or timestamp filter by some days on each
 * side.  Used where a document leaves open whether the API reads a bound
 * as inclusive, or in UTC or local days: the rows a wider request adds
 * are removed by the executor's recheck, the rows a narrower one loses
 * would be gone for good.
 */
static void
pad_filter(RfFilter *cf, int days)
{
	int64		unit;

	if (cf->lower_text || cf->upper_text)
		return;
	if (cf->typid == DATEOID)
		unit = 1;
	else if (cf->typid == TIMESTAMPTZOID || cf->typid == TIMESTAMPOID)
		unit = USECS_PER_DAY;
	else
		return;
	/* stay far from the ends of the types' ranges */
	if (cf->has_lower && cf->lower > PG_INT64_MIN / 2)
		cf->lower -= days * unit;
	if (cf->has_upper && cf->upper < PG_INT64_MAX / 2)
		cf->upper += days * unit;
}

/* The window size in microseconds, or 0 for no splitting */
static int64
window_usecs(const RfOptions *opts)
{
	const char *w = opts->window ? opts->window : opts->endpoint->default_window;
	Interval   *iv;

	if (w == NULL || pg_strcasecmp(w, "none") == 0)
		return 0;
	iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(w),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
	return (int64) iv->day * USECS_PER_DAY + iv->time;
}

/*
 * One dimension of the series product: a parameter with alternative
 * values (split IN values), or a pair of parameters (windows).
 */
typedef struct Dimension
{
	const RfPushdown *pd;
	List	   *first;			/* values for pd->param or lower_param */
	List	   *second;			/* values for upper_param, or NIL */
} Dimension;

/* Windows over [lo, hi], aligned to multiples of the window size */
static void
make_windows(RfFilter *cf, int64 width, Dimension *dim)
{
	int64		start = cf->lower - ((cf->lower % width) + width) % width;

	for (int64 ws = start; ws <= cf->upper; ws += width)
	{
		int64		lo = Max(cf->lower, ws);
		int64		hi = Min(cf->upper, ws + width - 1);

		dim->first = lappend(dim->first,
							 rf_format_value(ordinal_datum(lo, cf->typid), cf->typid));
		dim->second = lappend(dim->second,
							  rf_format_value(ordinal_datum(hi, cf->typid), cf->typid));
		CHECK_FOR_INTERRUPTS();
	}
}

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
static char *
path_value(const char *v)
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

typedef struct SeriesParam
{
	const RfPushdown *pd;
	const char *name;
	List	   *values;			/* several for REPEAT / CSV */
} SeriesParam;

static void
add_param(List **params, const RfPushdown *pd, const char *name, List *values)
{
	SeriesParam *p = palloc(sizeof(SeriesParam));

	p->pd = pd;
	p->name = name;
	p->values = values;
	*params = lappend(*params, p);
}

/* Build one series from its parameters */
static RfSeries *
make_series(const RfEndpoint *ep, List *params)
{
	RfSeries   *s = palloc0(sizeof(RfSeries));
	StringInfoData path;
	StringInfoData body;
	ListCell   *lc;
	bool		has_body = false;

	initStringInfo(&path);
	appendStringInfoString(&path, ep->path);
	initStringInfo(&body);
	if (ep->body_template)
	{
		appendStringInfoString(&body, ep->body_template);
		/* reopen the template object to add our keys */
		while (body.len > 0 && body.data[body.len - 1] != '}')
			body.len--;
		if (body.len > 0)
			body.data[--body.len] = '\0';
		has_body = true;
	}
	else
		appendStringInfoChar(&body, '{');

	if (ep->static_query)
		s->query = lappend(s->query, pstrdup(ep->static_query));

	foreach(lc, params)
	{
		SeriesParam *p = lfirst(lc);
		ListCell   *lv;

		switch (p->pd->loc)
		{
			case RF_LOC_QUERY:
				if (p->pd->multi == RF_MULTI_CSV)
				{
					StringInfoData csv;

					initStringInfo(&csv);
					foreach(lv, p->values)
						appendStringInfo(&csv, "%s%s", csv.len ? "," : "",
										 (char *) lfirst(lv));
					s->query = lappend(s->query, psprintf("%s=%s", p->name,
														  query_value(csv.data)));
				}
				else
					foreach(lv, p->values)
						s->query = lappend(s->query,
										   psprintf("%s=%s", p->name,
													query_value(lfirst(lv))));
				break;
			case RF_LOC_BODY:
				if (body.len > 1)
					appendStringInfoChar(&body, ',');
				escape_json(&body, p->name);
				appendStringInfoChar(&body, ':');
				if (p->pd->multi == RF_MULTI_REPEAT)
				{
					appendStringInfoChar(&body, '[');
					foreach(lv, p->values)
					{
						if (lv != list_head(p->values))
							appendStringInfoChar(&body, ',');
						escape_json(&body, lfirst(lv));
					}
					appendStringInfoChar(&body, ']');
				}
				else
					escape_json(&body, linitial(p->values));
				has_body = true;
				break;
			case RF_LOC_PATH:
				{
					char	   *token = psprintf("{%s}", p->name);
					char	   *at = strstr(path.data, token);

					if (at != NULL)
					{
						char	   *rest = pstrdup(at + strlen(token));

						path.len = at - path.data;
						path.data[path.len] = '\0';
						appendStringInfoString(&path, path_value(linitial(p->values)));
						appendStringInfoString(&path, rest);
					}
					break;
				}
		}
	}

	s->path = path.data;
	if (has_body)
	{
		appendStringInfoChar(&body, '}');
		s->body = body.data;
	}
	return s;
}

/*
 * The request series a scan makes, from the evaluated pushed quals.
 * *empty is set when the quals cannot match any row: no request at all.
 * Endpoints with a planner of their own use it.
 */
List *
rf_plan_series(const RfOptions *opts, List *qualvals, bool *empty)
{
	if (opts->endpoint->plan_series)
		return opts->endpoint->plan_series(opts, qualvals, empty);
	return rf_plan_series_generic(opts, qualvals, empty);
}

/*
 * Whether the API accepts a folded bound in its parameter: a bound below
 * the parameter's documented minimum would be refused, so it stays with
 * the executor.  Only integral bounds are compared.
 */
static bool
bound_accepted(const RfPushdown *pd, const RfFilter *cf, bool upper)
{
	if (!pd->bounded || (upper ? cf->upper_text : cf->lower_text) != NULL)
		return true;
	if (cf->typid != INT2OID && cf->typid != INT4OID && cf->typid != INT8OID)
		return false;
	return upper ? cf->upper >= pd->upper_min : cf->lower >= pd->lower_min;
}

/*
 * Whether the API accepts every = / IN value of an integer parameter with
 * a documented minimum; if one is below it, the parameter is not sent and
 * the executor filters alone.
 */
static bool
values_accepted(const RfPushdown *pd, const RfFilter *cf)
{
	ListCell   *lc;

	if (!pd->bounded)
		return true;
	foreach(lc, cf->values)
	{
		char	   *end;
		long long	v;

		errno = 0;
		v = strtoll(lfirst(lc), &end, 10);
		if (errno != 0 || *end != '\0' || v < pd->lower_min)
			return false;
	}
	return true;
}

/* The generic planner: parameters, IN splits and windows */
List *
rf_plan_series_generic(const RfOptions *opts, List *qualvals, bool *empty)
{
	const RfEndpoint *ep = opts->endpoint;
	RfFilter *filters = palloc0(sizeof(RfFilter) * Max(ep->npushdown, 1));
	List	   *fixed = NIL;	/* parameters common to every series */
	Dimension  *dims = palloc0(sizeof(Dimension) * Max(ep->npushdown, 1));
	int			ndims = 0;
	List	   *result = NIL;
	int		   *pos;
	int64		width = window_usecs(opts);

	*empty = !rf_fold_filters(ep, qualvals, filters);
	if (*empty)
		return NIL;

	for (int i = 0; i < ep->npushdown; i++)
	{
		const RfPushdown *pd = &ep->pushdown[i];
		RfFilter *cf = &filters[i];

		if (pd->pad_days > 0)
			pad_filter(cf, pd->pad_days);
		if (cf->has_values && pd->param && values_accepted(pd, cf))
		{
			if (pd->multi == RF_MULTI_SPLIT && list_length(cf->values) > 1)
			{
				dims[ndims].pd = pd;
				dims[ndims++].first = cf->values;
			}
			else
				add_param(&fixed, pd, pd->param, cf->values);
		}
		if (pd->window && width > 0 && cf->has_lower && cf->has_upper &&
			cf->lower_text == NULL && cf->upper_text == NULL &&
			(cf->typid == TIMESTAMPTZOID || cf->typid == TIMESTAMPOID))
		{
			dims[ndims].pd = pd;
			make_windows(cf, width, &dims[ndims++]);
			continue;
		}
		if (cf->has_lower && pd->lower_param && bound_accepted(pd, cf, false))
			add_param(&fixed, pd, pd->lower_param, list_make1(rf_filter_bound_text(cf, false)));
		if (cf->has_upper && pd->upper_param && bound_accepted(pd, cf, true))
			add_param(&fixed, pd, pd->upper_param, list_make1(rf_filter_bound_text(cf, true)));
	}

	/*
	 * Walk the cartesian product of the dimensions like an odometer, the
	 * last dimension fastest, so that the windows of one value are
	 * consecutive.  Parameters keep the descriptor's order.
	 */
	pos = palloc0(sizeof(int) * Max(ndims, 1));
	for (;;)
	{
		List	   *params = NIL;
		int			d;

		for (int i = 0; i < ep->npushdown; i++)
		{
			const RfPushdown *pd = &ep->pushdown[i];
			ListCell   *lc;

			foreach(lc, fixed)
			{
				SeriesParam *p = lfirst(lc);

				if (p->pd == pd)
					params = lappend(params, p);
			}
			for (d = 0; d < ndims; d++)
			{
				if (dims[d].pd != pd)
					continue;
				if (dims[d].second)
				{
					add_param(&params, pd, pd->lower_param,
							  list_make1(list_nth(dims[d].first, pos[d])));
					add_param(&params, pd, pd->upper_param,
							  list_make1(list_nth(dims[d].second, pos[d])));
				}
				else
					add_param(&params, pd, pd->param,
							  list_make1(list_nth(dims[d].first, pos[d])));
			}
		}
		result = lappend(result, make_series(ep, params));

		for (d = ndims - 1; d >= 0; d--)
		{
			if (++pos[d] < list_length(dims[d].first))
				break;
			pos[d] = 0;
		}
		if (d < 0)
			break;
	}
	return result;
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

/*
 * The page size to ask for: the option, else the endpoint's default, and
 * no more than a pushed-down LIMIT needs.
 */
int
rf_effective_page_size(const RfOptions *opts, double limit)
{
	const RfPagingSpec *pg = &opts->endpoint->paging;
	int			size = opts->page_size > 0 ? opts->page_size : pg->default_size;

	if (limit > 0 && limit < size)
		size = (int) Max(limit, 1);
	if (pg->max_size > 0 && size > pg->max_size)
		size = pg->max_size;
	return size;
}
