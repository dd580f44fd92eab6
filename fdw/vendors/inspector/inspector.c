/*-------------------------------------------------------------------------
 *
 * inspector.c
 *		  Descriptor tables for the Inspector Cloud (Eyrene) data API v1.3.
 *
 * A visit is read by id (GET /visits/{id}/, one request per visit, several
 * at once); without ids the scan first lists visits created since a lower
 * bound (GET /visits/?datetime_gte=...&is_new=false) and then reads each.
 * The children tables are views into the same answer, one row per element,
 * so a query that joins a visit with its children reads it once (the
 * per-query answer cache).  A 404 is no row.  Only data, free of
 * PostgreSQL headers.  Acknowledging a visit is an action (ack_visit),
 * called by retail_fdw.ic_ack_visit() (and by version 0.1's C entry point
 * in ack_visit.c).
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "vendor.h"

#define IC_VISIT_PATH "/api/data/v1.3/visits/{id}/"

/*
 * What a visit scan takes.  Only id goes into the detail request (its path,
 * one request per id); ids are positive integers, so any other value names
 * no visit and gets no request.
 * the others are filters of the listing, which reads them by column name.
 * The listing sends a lower bound on created_at and applies an upper one to
 * the created_at of its rows, so that visits past it are never fetched.
 */
#define IC_CREATED(col) \
	{col, RF_OP_EQ | RF_OP_RANGE, NULL, NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, false}

#define IC_ID(col) \
	{col, RF_OP_EQ | RF_OP_IN, "id", NULL, NULL, RF_LOC_PATH, RF_MULTI_SPLIT, \
	 .domain = RF_DOMAIN_INT_MIN(1)}

static const RfPushdown ic_visit_pushdown[] = {
	IC_ID("id"),
	IC_CREATED("created_at"),
	{"cid", RF_OP_EQ, NULL, NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
	{"agent_id", RF_OP_EQ, NULL, NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
	{"current_agent_route", RF_OP_EQ, NULL, NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
};

/* Children use visit_id for the visit's id */
static const RfPushdown ic_child_pushdown[] = {
	IC_ID("visit_id"),
	IC_CREATED("created_at"),
};

/* Children with a created_at of their own call the visit's visit_created_at */
static const RfPushdown ic_timed_child_pushdown[] = {
	IC_ID("visit_id"),
	IC_CREATED("visit_created_at"),
};

/* An id, or a lower bound on created_at (then the visits are listed) */
static const RfRequired ic_visit_required[] = {
	{"id", RF_REQ_VALUE, 0},
	{"created_at", RF_REQ_LOWER, 1},
};

static const RfRequired ic_child_required[] = {
	{"visit_id", RF_REQ_VALUE, 0},
	{"created_at", RF_REQ_LOWER, 1},
};

static const RfRequired ic_timed_child_required[] = {
	{"visit_id", RF_REQ_VALUE, 0},
	{"visit_created_at", RF_REQ_LOWER, 1},
};

/*
 * The listing: limit/offset pages of {id, cid, name, created_at, ...}.
 * created_at takes a lower bound (datetime_gte); an upper bound has no
 * parameter, and the listed rows' created_at is checked against it.
 */
#define IC_LIST_CREATED(col) \
	{col, RF_OP_EQ | RF_OP_RANGE, NULL, "datetime_gte", NULL, \
	 RF_LOC_QUERY, RF_MULTI_SPLIT, false}

static const RfColumn ic_list_columns[] = {
	{"id", RF_INT8, NULL},
	{"created_at", RF_TIMESTAMPTZ, NULL},
};

static const RfPushdown ic_list_pushdown[] = {
	IC_LIST_CREATED("created_at"),
	{"cid", RF_OP_EQ, "cid", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
	{"agent_id", RF_OP_EQ, "agent", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
	{"current_agent_route", RF_OP_EQ, "route", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
};

#define IC_OFFSET_PAGING { \
	.style = RF_PAGE_OFFSET, \
	.page_param = "offset", \
	.size_param = "limit", \
	.default_size = 100, \
	.max_size = 1000, \
	.count_path = "count", \
	.next_path = "next", \
	.next_is_url = true, \
}

/* The visit listing with its columns and pushdown: the listers differ only there */
#define IC_VISIT_LISTER(cols, push) { \
	.resource = "ic_visit_list", \
	.method = "GET", \
	.path = "/api/data/v1.3/visits/", \
	.rows_path = "results", \
	.static_query = "is_new=false", \
	.idempotent = true, \
	.paging = IC_OFFSET_PAGING, \
	COLS(cols), \
	PUSH(push), \
	.rows_per_request = 100, \
}

/* is_new defaults to true on the vendor's side: a reader must ask for all */
static const RfEndpoint ic_visit_lister = IC_VISIT_LISTER(ic_list_columns, ic_list_pushdown);

/* A child pushdown for the listing: created_at only */
static const RfPushdown ic_child_list_pushdown[] = {
	IC_LIST_CREATED("created_at"),
};

static const RfEndpoint ic_child_lister = IC_VISIT_LISTER(ic_list_columns, ic_child_list_pushdown);

/* ...and for children whose visit's created_at is visit_created_at */
static const RfColumn ic_timed_list_columns[] = {
	{"id", RF_INT8, NULL},
	{"visit_created_at", RF_TIMESTAMPTZ, "created_at"},
};

static const RfPushdown ic_timed_list_pushdown[] = {
	IC_LIST_CREATED("visit_created_at"),
};

static const RfEndpoint ic_timed_child_lister = IC_VISIT_LISTER(ic_timed_list_columns,
																 ic_timed_list_pushdown);

static const RfColumn ic_visit_columns[] = {
	{"id", RF_INT8, NULL},
	{"cid", RF_TEXT, NULL},
	{"portal_url", RF_TEXT, NULL},
	{"agent_id", RF_TEXT, NULL},	/* a string in the document */
	{"current_agent_name", RF_TEXT, NULL},
	{"current_agent_route", RF_TEXT, NULL},
	{"current_agent_role", RF_TEXT, NULL},
	{"store_id", RF_INT8, NULL},
	{"customer_id", RF_TEXT, NULL},
	{"is_closed", RF_BOOL, NULL},
	{"is_deleted", RF_BOOL, NULL},
	{"is_new", RF_BOOL, NULL},
	{"latitude", RF_FLOAT8, NULL},
	{"longitude", RF_FLOAT8, NULL},
	{"closed_latitude", RF_FLOAT8, NULL},
	{"closed_longitude", RF_FLOAT8, NULL},
	{"closed_at", RF_TIMESTAMPTZ, NULL},
	{"created_at", RF_TIMESTAMPTZ, NULL},
	{"updated_at", RF_TIMESTAMPTZ, NULL},
	{"app_created_at", RF_TIMESTAMPTZ, NULL},
	{"app_closed_at", RF_TIMESTAMPTZ, NULL},
	{"scenes", RF_JSONB, NULL},
	{"kpi_values", RF_JSONB, NULL},
	{"prices", RF_JSONB, NULL},
	{"oos_reasons", RF_JSONB, NULL},
	{"dqi", RF_JSONB, NULL},
};

/*
 * Children: created_at is the visit's, for the listing and its recheck,
 * unless the element has a created_at of its own in the document (scenes,
 * images, questions, dqi): then that is created_at, and the visit's is
 * visit_created_at.  The listing filters by the visit's time only, so on
 * those tables only visit_created_at pushes (and is what a scan without
 * visit ids requires); a bound on the element's created_at is checked
 * locally.
 */
#define IC_CHILD_COMMON \
	{"visit_id", RF_INT8, "/id"}

static const RfColumn ic_scene_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "id"},
	{"created_at", RF_TIMESTAMPTZ, NULL},	/* the scene's own */
	{"visit_created_at", RF_TIMESTAMPTZ, "/created_at"},
	{"task_id", RF_INT8, NULL},
	{"portal_url", RF_TEXT, NULL},
	{"clone_id", RF_INT8, NULL},
	{"images", RF_JSONB, NULL},
	{"image_quality", RF_JSONB, NULL},
	{"question_groups", RF_JSONB, NULL},
	{"assortment", RF_JSONB, NULL},
	{"facing_counts", RF_JSONB, NULL},
};

static const RfColumn ic_image_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "^id"},
	{"image_id", RF_INT8, "id"},
	{"created_at", RF_TIMESTAMPTZ, NULL},	/* the image's own */
	{"visit_created_at", RF_TIMESTAMPTZ, "/created_at"},
	{"original_url", RF_TEXT, NULL},
	{"corrected_perspective_url", RF_TEXT, NULL},
	{"is_deleted", RF_BOOL, NULL},
	{"annotations", RF_JSONB, NULL},
	{"shelf_annotations", RF_JSONB, NULL},
	{"price_annotations", RF_JSONB, NULL},
};

/*
 * question groups x questions.  The document types answer as a string; its
 * example answers a choice with {option id: option text}: answer_text is
 * the string, or the first option's text ("*" of a scalar is the scalar).
 */
static const RfColumn ic_answer_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "^^id"},
	{"question_group_id", RF_INT8, "^id"},
	{"question_group_name", RF_TEXT, "^name"},
	{"question_group_cid", RF_TEXT, "^cid"},
	{"question_id", RF_INT8, "id"},
	{"question_cid", RF_TEXT, "cid"},
	{"question_text", RF_TEXT, "text"},
	{"question_type", RF_TEXT, "type"},
	{"required", RF_BOOL, NULL},
	{"answer", RF_JSONB, NULL},
	{"answer_text", RF_TEXT, "answer.*"},
	{"options", RF_JSONB, NULL},
	{"created_at", RF_TIMESTAMPTZ, NULL},
	{"visit_created_at", RF_TIMESTAMPTZ, "/created_at"},
};

static const RfColumn ic_price_columns[] = {
	IC_CHILD_COMMON,
	{"price_id", RF_INT8, "id"},
	{"scene_id", RF_TEXT, NULL},	/* strings in the document */
	{"sku_id", RF_TEXT, NULL},
	{"sku_cid", RF_TEXT, NULL},
	{"price", RF_NUMERIC, NULL},
	{"target_price", RF_NUMERIC, NULL},
	{"is_promo", RF_BOOL, NULL},
	{"id_competitor", RF_TEXT, NULL},
	{"updated_at", RF_TIMESTAMPTZ, NULL},
	{"created_at", RF_TIMESTAMPTZ, "/created_at"},
};

static const RfColumn ic_oos_columns[] = {
	IC_CHILD_COMMON,
	{"oos_id", RF_INT8, "id"},
	{"scene_id", RF_TEXT, NULL},	/* strings in the document */
	{"sku_id", RF_TEXT, NULL},
	{"sku_cid", RF_TEXT, NULL},
	{"reason", RF_TEXT, NULL},
	{"diagnosis", RF_TEXT, NULL},
	{"fixed", RF_BOOL, NULL},
	{"updated_at", RF_TIMESTAMPTZ, NULL},
	{"created_at", RF_TIMESTAMPTZ, "/created_at"},
};

static const RfColumn ic_kpi_columns[] = {
	IC_CHILD_COMMON,
	{"kpi_value_id", RF_INT8, "id"},
	{"kpi_id", RF_TEXT, NULL},
	{"kpi_cid", RF_TEXT, NULL},
	{"category", RF_TEXT, NULL},
	{"value", RF_NUMERIC, NULL},
	{"target_value", RF_TEXT, NULL},
	{"details", RF_JSONB, NULL},
	{"exclude_from_reports", RF_BOOL, NULL},
	{"exclude_from_reports_comment", RF_TEXT, NULL},
	{"clone_id", RF_TEXT, NULL},	/* a string in the document */
	{"updated_at", RF_TIMESTAMPTZ, NULL},
	{"created_at", RF_TIMESTAMPTZ, "/created_at"},
};

static const RfColumn ic_dqi_columns[] = {
	IC_CHILD_COMMON,
	{"dqi_id", RF_INT8, "id"},
	{"uuid", RF_UUID, NULL},
	{"type", RF_INT8, NULL},
	{"name", RF_TEXT, NULL},
	{"description", RF_TEXT, NULL},
	{"related_to", RF_TEXT, NULL},
	{"severity", RF_TEXT, NULL},
	{"threshold", RF_FLOAT8, NULL},
	{"value", RF_FLOAT8, NULL},
	{"scene_id", RF_INT8, NULL},
	{"image_id", RF_INT8, NULL},
	{"json", RF_JSONB, NULL},
	{"updated_at", RF_TIMESTAMPTZ, NULL},
	{"created_at", RF_TIMESTAMPTZ, NULL},
	{"visit_created_at", RF_TIMESTAMPTZ, "/created_at"},
};

/* ic_stores, ic_skus: plain limit/offset lists */
static const RfColumn ic_store_columns[] = {
	{"id", RF_INT8, NULL},
	{"cid", RF_TEXT, NULL},
	{"name", RF_TEXT, NULL},
	{"address", RF_TEXT, NULL},
	{"city", RF_TEXT, NULL},
	{"region", RF_TEXT, NULL},
	{"chain", RF_TEXT, NULL},
	{"latitude", RF_FLOAT8, NULL},
	{"longitude", RF_FLOAT8, NULL},
	{"is_active", RF_BOOL, NULL},
	{"created_at", RF_TIMESTAMPTZ, NULL},
	{"updated_at", RF_TIMESTAMPTZ, NULL},
};

static const RfColumn ic_sku_columns[] = {
	{"id", RF_INT8, NULL},
	{"cid", RF_TEXT, NULL},
	{"name", RF_TEXT, NULL},
	{"brand", RF_TEXT, NULL},
	{"category", RF_TEXT, NULL},
	{"manufacturer", RF_TEXT, NULL},
	{"barcode", RF_TEXT, NULL},
	{"is_active", RF_BOOL, NULL},
	{"created_at", RF_TIMESTAMPTZ, NULL},
	{"updated_at", RF_TIMESTAMPTZ, NULL},
};

/* A detail endpoint: the visit answer, rows at rows_path (NULL: the visit) */
#define IC_DETAIL(res, rows, cols, push, req, lst, idcol) \
	{ \
		.resource = res, \
		.method = "GET", \
		.path = IC_VISIT_PATH, \
		.rows_path = rows, \
		.object_body = true, \
		.missing_is_empty = true, \
		.cacheable = true, \
		.idempotent = true, \
		.paging = {.style = RF_PAGE_NONE}, \
		COLS(cols), \
		PUSH(push), \
		REQ(req), \
		.rows_per_request = 20, \
		.lister = &lst, \
		.id_column = idcol, \
		.list_id_field = "id", \
	}

static const RfEndpoint ic_endpoints[] = {
	IC_DETAIL("ic_visits", NULL, ic_visit_columns, ic_visit_pushdown,
			  ic_visit_required, ic_visit_lister, "id"),
	IC_DETAIL("ic_visit_scenes", "scenes[]", ic_scene_columns, ic_timed_child_pushdown,
			  ic_timed_child_required, ic_timed_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_images", "scenes[].images[]", ic_image_columns,
			  ic_timed_child_pushdown, ic_timed_child_required, ic_timed_child_lister,
			  "visit_id"),
	IC_DETAIL("ic_visit_answers", "scenes[].question_groups[].questions[]",
			  ic_answer_columns, ic_timed_child_pushdown, ic_timed_child_required,
			  ic_timed_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_prices", "prices[]", ic_price_columns, ic_child_pushdown,
			  ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_oos_reasons", "oos_reasons[]", ic_oos_columns,
			  ic_child_pushdown, ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_kpis", "kpi_values[]", ic_kpi_columns, ic_child_pushdown,
			  ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_dqi", "dqi[]", ic_dqi_columns, ic_timed_child_pushdown,
			  ic_timed_child_required, ic_timed_child_lister, "visit_id"),
	{
		.resource = "ic_stores",
		.method = "GET",
		.path = "/api/data/v1.3/stores/",
		.rows_path = "results",
		.idempotent = true,
		.paging = IC_OFFSET_PAGING,
		COLS(ic_store_columns),
		.rows_per_request = 100,
	},
	{
		.resource = "ic_skus",
		.method = "GET",
		.path = "/api/data/v1.3/sku/",
		.rows_path = "results",
		.idempotent = true,
		.paging = IC_OFFSET_PAGING,
		COLS(ic_sku_columns),
		.rows_per_request = 100,
	},
};

static const RfOptionDef ic_options[] = {
	RF_MAPPING_TOKEN_OPTIONS,
};

/* A visit leaves the vendor's "new" list for every consumer when acked */
static const RfAction ic_actions[] = {
	{"ack_visit", "POST", "/api/data/v1.3/visits/{id}/ack/"},
};

const RfVendor rf_vendor_inspector = {
	.name = "inspector",
	.auth = RF_AUTH_HEADER,
	.auth_header = "Authorization",
	.auth_scheme = "Token",
	.endpoints = ic_endpoints,
	.nendpoints = RF_LENGTHOF(ic_endpoints),
	.check_path = "/api/data/v1.3/stores/?limit=1&offset=0",
	OPTS(ic_options),
	.actions = ic_actions,
	.nactions = RF_LENGTHOF(ic_actions),
};
