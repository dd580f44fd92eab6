/*-------------------------------------------------------------------------
 *
 * pushdown.c
 *		  Which quals an endpoint's API can take, and whether the required
 *		  ones are there.
 *
 * rf_match_qual recognises "column op value" shapes that an endpoint's
 * descriptor allows, under the column's own deterministic collation, where the value is a Const, a Param, or any
 * expression free of this relation's columns and of volatile functions
 * (it is evaluated once per scan, or per rescan for join parameters).
 * Everything else stays with the executor, and the executor rechecks all
 * quals anyway: an API filter may be looser than SQL's.  Required quals
 * (RfRequired) are checked at planning time, with a message that names
 * the table and columns and a hint that shows a WHERE clause that works.
 *
 * Not here: turning the evaluated values into requests (reqplan.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "commands/defrem.h"
#include "parser/parse_coerce.h"
#include "foreign/foreign.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"

#include "pushdown.h"
#include "vendor.h"

/* ----------------------------------------------------------------
 *		Quals
 * ----------------------------------------------------------------
 */

/* A set of operators as SQL spells them: "=, IN, <, <=, >, >=" */
char *
rf_ops_text(uint32 ops)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int bit = RF_OP_EQ; bit <= RF_OP_GE; bit <<= 1)
		if (ops & bit)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", rf_op_name(bit));
	return buf.data;
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
	return rf_op_code(name);
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

/* Is e "column::date" of a timestamptz column of this relation? */
static bool
is_local_day_of(Expr *e, Index relid)
{
	FuncExpr   *f = (FuncExpr *) e;

	return e && IsA(e, FuncExpr) && f->funcid == F_DATE_TIMESTAMPTZ &&
		list_length(f->args) == 1 && is_column_of(linitial(f->args), relid) &&
		((Var *) linitial(f->args))->vartype == TIMESTAMPTZOID;
}

/*
 * The units of date_trunc whose periods are "v to v + 1 unit" in the
 * calendar date_trunc uses, and that interval.
 */
static const struct
{
	const char *unit;
	const char *interval;
}			rf_trunc_units[] = {
	{"second", "1 second"},
	{"minute", "1 minute"},
	{"hour", "1 hour"},
	{"day", "1 day"},
	{"week", "7 days"},
	{"month", "1 month"},
	{"quarter", "3 months"},
	{"year", "1 year"},
};

/*
 * Is e "date_trunc('unit', column [, 'zone'])" of a timestamptz or
 * timestamp column of this relation, with a unit whose period we can
 * name?  Then *interval is that period and *zone the zone argument (a
 * Const text), or NULL for the session's.
 */
static bool
is_date_trunc_of(Expr *e, Index relid, const char **interval, Const **zone)
{
	FuncExpr   *f = (FuncExpr *) e;
	Const	   *unit;
	char	   *name;

	if (e == NULL || !IsA(e, FuncExpr))
		return false;
	if (!((f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ && list_length(f->args) == 2) ||
		  (f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMP && list_length(f->args) == 2) ||
		  (f->funcid == F_DATE_TRUNC_TEXT_TIMESTAMPTZ_TEXT && list_length(f->args) == 3)))
		return false;
	unit = (Const *) strip_relabel(linitial(f->args));
	if (!IsA(unit, Const) || unit->constisnull || unit->consttype != TEXTOID ||
		!is_column_of(strip_relabel(lsecond(f->args)), relid))
		return false;
	*zone = NULL;
	if (list_length(f->args) == 3)
	{
		*zone = (Const *) strip_relabel(lthird(f->args));
		if (!IsA(*zone, Const) || (*zone)->constisnull || (*zone)->consttype != TEXTOID)
			return false;
	}
	/* date_trunc reads its unit case-insensitively */
	name = TextDatumGetCString(unit->constvalue);
	for (int i = 0; i < (int) lengthof(rf_trunc_units); i++)
		if (pg_strcasecmp(rf_trunc_units[i].unit, name) == 0)
		{
			*interval = rf_trunc_units[i].interval;
			return true;
		}
	return false;
}

/*
 * The span "date_trunc(unit, col [, zone]) = v" stands for, as an array
 * expression [v, v + 1 unit, date_trunc(unit, v [, zone])] of the
 * column's type: the rows it matches lie in [v, v + 1 unit), where the
 * unit is added in the calendar date_trunc used (the session's zone, or
 * the given one), and there are none when v is not the start of a period
 * (the third element differs from the first).
 */
static Expr *
trunc_span(FuncExpr *trunc, Expr *value, Oid typid, const char *interval,
		   Const *zone)
{
	FuncExpr   *aligned = copyObject(trunc);
	Const	   *iv = makeConst(INTERVALOID, -1, InvalidOid, 16,
							   DirectFunctionCall3(interval_in,
												   CStringGetDatum(interval),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)),
							   false, false);
	Expr	   *upper;
	ArrayExpr  *arr = makeNode(ArrayExpr);

	if (typid == TIMESTAMPOID)
		upper = (Expr *) makeFuncExpr(F_TIMESTAMP_PL_INTERVAL, TIMESTAMPOID,
									  list_make2(value, iv), InvalidOid,
									  InvalidOid, COERCE_EXPLICIT_CALL);
	else if (zone == NULL)
		upper = (Expr *) makeFuncExpr(F_TIMESTAMPTZ_PL_INTERVAL, TIMESTAMPTZOID,
									  list_make2(value, iv), InvalidOid,
									  InvalidOid, COERCE_EXPLICIT_CALL);
	else
	{
		/* in the zone's wall clock: timezone(z, timezone(z, v) + iv) */
		Expr	   *wall = (Expr *) makeFuncExpr(F_TIMEZONE_TEXT_TIMESTAMPTZ, TIMESTAMPOID,
												 list_make2(copyObject(zone), value),
												 InvalidOid, InvalidOid,
												 COERCE_EXPLICIT_CALL);

		wall = (Expr *) makeFuncExpr(F_TIMESTAMP_PL_INTERVAL, TIMESTAMPOID,
									 list_make2(wall, iv), InvalidOid,
									 InvalidOid, COERCE_EXPLICIT_CALL);
		upper = (Expr *) makeFuncExpr(F_TIMEZONE_TEXT_TIMESTAMP, TIMESTAMPTZOID,
									  list_make2(copyObject(zone), wall),
									  InvalidOid, InvalidOid,
									  COERCE_EXPLICIT_CALL);
	}
	arr->array_typeid = get_array_type(typid);
	arr->array_collid = InvalidOid;
	arr->element_typeid = typid;
	aligned->args = list_copy(aligned->args);
	lsecond(aligned->args) = copyObject(value);
	arr->elements = list_make3(copyObject(value), upper, aligned);
	arr->multidims = false;
	arr->location = -1;
	return (Expr *) arr;
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
		case RF_TIMESTAMPTZ:
			return typid == DATEOID || typid == TIMESTAMPOID ||
				typid == TIMESTAMPTZOID;
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
 * Whether a comparison means at the API what it means in PostgreSQL as far
 * as collation goes.  The APIs compare strings byte for byte; so does
 * PostgreSQL under a deterministic collation, but a nondeterministic one
 * (case-insensitive ICU, say) makes 'sm-001' equal 'SM-001'.  As
 * postgres_fdw does, a comparison is pushed only under the column's own
 * collation, and only when that collation is deterministic; otherwise the
 * executor filters alone.
 */
static bool
collation_pushable(Var *var, Oid inputcollid)
{
	if (!OidIsValid(inputcollid))
		return true;			/* not a collatable comparison */
	return inputcollid == var->varcollid &&
		get_collation_isdeterministic(inputcollid);
}

static bool match_qual(PlannerInfo *root, Expr *clause, Index relid, Oid reloid,
					   const RfEndpoint *ep, RfPushedQual *out,
					   bool check_collation);

/*
 * Whether a clause is "column op value" on a pushable column with an
 * operator the endpoint accepts, under a collation that means the same at
 * the API; if so, describe it in *out.
 */
bool
rf_match_qual(PlannerInfo *root, Expr *clause, Index relid, Oid reloid,
			  const RfEndpoint *ep, RfPushedQual *out)
{
	return match_qual(root, clause, relid, reloid, ep, out, true);
}

/*
 * The column of a clause that would push down but for its collation, or
 * NULL: for the hint of a missing required value.
 */
const char *
rf_qual_collation_blocked(PlannerInfo *root, Expr *clause, Index relid,
						  Oid reloid, const RfEndpoint *ep)
{
	RfPushedQual q;

	if (match_qual(root, clause, relid, reloid, ep, &q, true) ||
		!match_qual(root, clause, relid, reloid, ep, &q, false))
		return NULL;
	return ep->pushdown[q.pd_index].column;
}

/*
 * Does the table's column read the descriptor's own field of that name
 * (no json_path option naming another)?  Only then do the API's filter
 * and the column mean the same.
 */
bool
rf_attr_reads_own_field(Oid reloid, AttrNumber attno, const RfColumn *col,
						const char *attname)
{
	ListCell   *lc;

	foreach(lc, GetForeignColumnOptions(reloid, attno))
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "json_path") == 0 &&
			strcmp(defGetString(def), col && col->json_path ? col->json_path : attname) != 0)
			return false;
	}
	return true;
}

/*
 * A boolean column alone ("WHERE b", to which PostgreSQL folds b = true)
 * or NOT of one (b = false): the column, and the value it is compared with
 */
static Var *
bool_column_of(Expr *clause, Index relid, bool *truth)
{
	*truth = !is_notclause(clause);
	if (!*truth)
		clause = get_notclausearg(clause);
	if (is_column_of(clause, relid) && ((Var *) clause)->vartype == BOOLOID)
		return (Var *) clause;
	return NULL;
}

static bool
match_qual(PlannerInfo *root, Expr *clause, Index relid, Oid reloid,
		   const RfEndpoint *ep, RfPushedQual *out, bool check_collation)
{
	Var		   *var;
	Expr	   *value;
	Oid			valtype;
	int			op;
	char	   *attname;
	const RfPushdown *pd;
	const RfColumn *col;
	const char *interval = NULL;
	Const	   *zone = NULL;
	FuncExpr   *trunc = NULL;
	Oid			inputcollid;
	bool		truth;

	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *opexpr = (OpExpr *) clause;
		Expr	   *l = strip_relabel(linitial(opexpr->args));
		Expr	   *r = strip_relabel(lsecond(opexpr->args));

		inputcollid = opexpr->inputcollid;
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
		else if (is_local_day_of(l, relid) && operator_code(opexpr->opno) == RF_OP_EQ)
		{
			var = (Var *) linitial(((FuncExpr *) l)->args);
			value = lsecond(opexpr->args);
			op = RF_OP_DAY;
		}
		else if (is_local_day_of(r, relid) && operator_code(opexpr->opno) == RF_OP_EQ)
		{
			var = (Var *) linitial(((FuncExpr *) r)->args);
			value = linitial(opexpr->args);
			op = RF_OP_DAY;
		}
		else if (operator_code(opexpr->opno) == RF_OP_EQ &&
				 (is_date_trunc_of(l, relid, &interval, &zone) ||
				  is_date_trunc_of(r, relid, &interval, &zone)))
		{
			bool		left = is_date_trunc_of(l, relid, &interval, &zone);

			trunc = (FuncExpr *) (left ? l : r);
			var = (Var *) strip_relabel(lsecond(trunc->args));
			value = left ? lsecond(opexpr->args) : linitial(opexpr->args);
			op = RF_OP_SPAN;
		}
		else
			return false;
		valtype = exprType((Node *) strip_relabel(value));
	}
	else if ((var = bool_column_of(clause, relid, &truth)) != NULL)
	{
		value = (Expr *) makeBoolConst(truth, false);
		op = RF_OP_EQ;
		valtype = BOOLOID;
		inputcollid = InvalidOid;
	}
	else if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;
		Expr	   *l = strip_relabel(linitial(saop->args));

		inputcollid = saop->inputcollid;
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
	if (check_collation && !collation_pushable(var, inputcollid))
		return false;
	if (op == RF_OP_DAY)
	{
		/*
		 * "ts::date = d" is exactly "ts >= d and ts < d + 1" in the
		 * session's time zone: folded into those bounds at execution.
		 */
		if (valtype != DATEOID)
			return false;
	}
	else if (op == RF_OP_SPAN)
	{
		/* date_trunc returns the column's type: v is of that type */
		if (valtype != var->vartype)
			return false;
	}
	else if (valtype != var->vartype)
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
	if (pd == NULL)
		return false;
	if ((op & (RF_OP_DAY | RF_OP_SPAN)) ?
		!((pd->ops & (RF_OP_GE | RF_OP_GT)) && (pd->ops & (RF_OP_LT | RF_OP_LE))) :
		(pd->ops & op) == 0)
		return false;
	col = rf_column_lookup(ep, attname);
	if (col != NULL && !compares_like(col->type, var->vartype, op))
		return false;
	/* a column that reads another field (json_path) is not this filter */
	if (!rf_attr_reads_own_field(reloid, var->varattno, col, attname))
		return false;

	out->pd_index = pd - ep->pushdown;
	out->op = op;
	out->expr = (op == RF_OP_SPAN) ?
		trunc_span(trunc, value, var->vartype, interval, zone) : value;
	return true;
}

/* Does the list of pushed quals cover one requirement? */
/* Is a column a date or time (whose open range can end now)? */
static bool
temporal_column(const RfEndpoint *ep, const char *column)
{
	const RfColumn *col = rf_column_lookup(ep, column);

	return col && (col->type == RF_TIMESTAMPTZ || col->type == RF_DATE);
}

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
		lower |= (q->op & (RF_OP_GT | RF_OP_GE | RF_OP_DAY | RF_OP_SPAN)) != 0;
		upper |= (q->op & (RF_OP_LT | RF_OP_LE | RF_OP_DAY | RF_OP_SPAN)) != 0;
	}
	switch (req->kind)
	{
		case RF_REQ_VALUE:
			return eq;
		case RF_REQ_RANGE:
			/* a time range without its upper bound reads up to now */
			return eq || (lower && (upper || temporal_column(ep, req->column)));
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
								   col->type == RF_DATE);
	StringInfoData ops;

	initStringInfo(&ops);
	if (pd)
		appendStringInfoString(&ops, rf_ops_text(req->kind == RF_REQ_LOWER ?
												 pd->ops & ~(RF_OP_LT | RF_OP_LE) :
												 pd->ops));

	switch (req->kind)
	{
		case RF_REQ_VALUE:
			appendStringInfo(what, "a value for \"%s\" (%s)", req->column, ops.data);
			appendStringInfo(example, "%s = '...'", req->column);
			break;
		case RF_REQ_RANGE:
			if (temporal)
				appendStringInfo(what, "a lower bound on \"%s\" (%s, BETWEEN; without an upper bound it reads up to now)",
								 req->column, ops.data);
			else
				appendStringInfo(what, "a bounded range on \"%s\" (%s)", req->column,
								 ops.data);
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

/*
 * A required time range that days can be read from: a date or time column
 * with no pushed qual, such that the quals with a day's bounds added would
 * meet the endpoint's requirements, and about the past (no horizon).  Its
 * pushdown index, or -1.  For LIMIT previews and ANALYZE's sample window.
 */
int
rf_day_range_column(const RfEndpoint *ep, List *pushed)
{
	for (int i = 0; i < ep->nrequired; i++)
	{
		const RfRequired *req = &ep->required[i];
		const RfPushdown *pd = rf_pushdown_lookup(ep, req->column);
		RfPushedQual lower = {0};
		RfPushedQual upper = {0};
		bool		bounded = false;
		ListCell   *lc;

		if (req->kind == RF_REQ_VALUE || pd == NULL ||
			!temporal_column(ep, req->column) || pd->horizon_last > 0 ||
			!(pd->ops & (RF_OP_GE | RF_OP_GT)) || !(pd->ops & (RF_OP_LT | RF_OP_LE)))
			continue;
		foreach(lc, pushed)
			bounded |= ((RfPushedQual *) lfirst(lc))->pd_index == pd - ep->pushdown;
		if (bounded)
			continue;
		lower.pd_index = upper.pd_index = pd - ep->pushdown;
		lower.op = RF_OP_GE;
		upper.op = RF_OP_LT;
		if (rf_requirements_met(ep, lappend(lappend(list_copy(pushed), &lower),
											&upper)))
			return pd - ep->pushdown;
	}
	return -1;
}

void
rf_check_required(const RfEndpoint *ep, List *pushed, const char *relname,
				  List *collation_blocked, const char *preview_off)
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

	if (collation_blocked != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
				 errmsg("foreign table \"%s\" needs %s in WHERE", relname, what.data),
				 errdetail("Resource %s cannot be read without it; the vendor's API requires it.",
						   ep->resource),
				 errhint("The condition on \"%s\" is not sent to the API because of its collation: only the column's own deterministic collation compares as the API does. Compare under the column's collation, e.g. WHERE %s",
						 (char *) linitial(collation_blocked), example.data)));
	if (preview_off != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
				 errmsg("foreign table \"%s\" needs %s in WHERE", relname, what.data),
				 errdetail("Resource %s cannot be read without it; the vendor's API requires it. Without a range only a preview reads recent days (a lone-table SELECT, no aggregate, DISTINCT or ORDER BY but the range DESC); here %s.",
						   ep->resource, preview_off),
				 errhint("Add a condition such as: WHERE %s", example.data)));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_DYNAMIC_PARAMETER_VALUE_NEEDED),
			 errmsg("foreign table \"%s\" needs %s in WHERE", relname, what.data),
			 errdetail("Resource %s cannot be read without it; the vendor's API requires it.",
					   ep->resource),
			 errhint("Add a condition such as: WHERE %s", example.data)));
}
