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
	{"is_new", RF_OP_EQ, NULL, NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT},
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

/*
 * is_new=true lists only the visits not yet acknowledged (in place of the
 * constant is_new=false); is_new=false lists them all, so a query for the
 * acknowledged ones is filtered by PostgreSQL
 */
static const char *const ic_new_only[] = {"true", NULL};

static const RfPushdown ic_list_pushdown[] = {
	IC_LIST_CREATED("created_at"),
	{"cid", RF_OP_EQ, "cid", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
	{"agent_id", RF_OP_EQ, "agent", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
	{"current_agent_route", RF_OP_EQ, "route", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
	{"is_new", RF_OP_EQ, "is_new", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT,
	.accepted = ic_new_only},
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

/* is_new defaults to true on the vendor's side: a reader must ask for all */
static const RfConstant ic_visit_list_constants[] = {
	{RF_LOC_QUERY, "is_new", "false"},
};

/* The visit listing with its columns and pushdown: the listers differ only there */
#define IC_VISIT_LISTER(cols, push) { \
	.resource = "ic_visit_list", \
	.method = "GET", \
	.path = "/api/data/v1.3/visits/", \
	.rows_path = "results", \
	CONSTS(ic_visit_list_constants), \
	.idempotent = true, \
	.paging = IC_OFFSET_PAGING, \
	COLS(cols), \
	PUSH(push), \
	.rows_per_request = 100, \
}

/* The listing of every visit (is_new=false, above) */
static const RfEndpoint ic_visit_lister = IC_VISIT_LISTER(ic_list_columns, ic_list_pushdown);

/*
 * The listing as a table of its own: what it says of each visit, its name
 * included (the full visit has none); filtered by its created_at bound and
 * cid.  (The agent and route filters select on fields its rows lack.)
 */
static const RfColumn ic_listing_columns[] = {
	{"id", RF_INT8, NULL, "the visit's id"},
	{"cid", RF_TEXT, NULL, "the visit's id in another system"},
	{"name", RF_TEXT, NULL, "the visit's name, as the listing gives it"},
	{"created_at", RF_TIMESTAMPTZ, NULL, "when the visit was created"},
	{"updated_at", RF_TIMESTAMPTZ, NULL, "when the visit was last changed"},
};

static const RfPushdown ic_listing_pushdown[] = {
	IC_LIST_CREATED("created_at"),
	{"cid", RF_OP_EQ, "cid", NULL, NULL, RF_LOC_QUERY, RF_MULTI_SPLIT, .domain = RF_DOMAIN_TEXT},
};

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
	{"id", RF_INT8, NULL, "the visit's id"},
	{"cid", RF_TEXT, NULL, "the visit's id in another system"},
	{"portal_url", RF_TEXT, NULL, "the visit's page on the Inspector portal"},
	{"agent_id", RF_TEXT, NULL,
	"the agent who made the visit"},	/* a string in the document */
	{"current_agent_name", RF_TEXT, NULL, "the current agent's name"},
	{"current_agent_route", RF_TEXT, NULL, "the current agent's route"},
	{"current_agent_role", RF_TEXT, NULL, "the current agent's role"},
	{"store_id", RF_INT8, NULL, "the store visited"},
	{"customer_id", RF_TEXT, NULL, "the customer"},
	{"is_closed", RF_BOOL, NULL, "whether the visit is closed"},
	{"is_deleted", RF_BOOL, NULL, "whether the visit is deleted"},
	{"is_new", RF_BOOL, NULL,
	"whether the visit is new: its results not yet acknowledged (retail_fdw.ic_ack_visit)"},
	{"latitude", RF_FLOAT8, NULL, "latitude where the visit started"},
	{"longitude", RF_FLOAT8, NULL, "longitude where the visit started"},
	{"closed_latitude", RF_FLOAT8, NULL, "latitude where the visit was closed"},
	{"closed_longitude", RF_FLOAT8, NULL, "longitude where the visit was closed"},
	{"closed_at", RF_TIMESTAMPTZ, NULL, "when the visit was closed"},
	{"created_at", RF_TIMESTAMPTZ, NULL, "when the visit was created"},
	{"updated_at", RF_TIMESTAMPTZ, NULL, "when the visit was last changed"},
	{"app_created_at", RF_TIMESTAMPTZ, NULL, "when the visit was created in the app"},
	{"app_closed_at", RF_TIMESTAMPTZ, NULL, "when the visit was closed in the app"},
	{"scenes", RF_JSONB, NULL, "the visit's scenes (ic_visit_scenes has one row each)"},
	{"kpi_values", RF_JSONB, NULL, "the visit's KPI values (ic_visit_kpis)"},
	{"prices", RF_JSONB, NULL, "the price tags seen (ic_visit_prices)"},
	{"oos_reasons", RF_JSONB, NULL, "the out-of-stock reasons (ic_visit_oos_reasons)"},
	{"dqi", RF_JSONB, NULL, "the data quality indicators (ic_visit_dqi)"},
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
	{"visit_id", RF_INT8, "/id", "the visit (ic_visits.id)"}

static const RfColumn ic_scene_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "id", "the scene's id"},
	{"created_at", RF_TIMESTAMPTZ, NULL,
	"when the scene was created"},	/* the scene's own */
	{"visit_created_at", RF_TIMESTAMPTZ, "/created_at",
	"when the visit was created (the visit's created_at)"},
	{"task_id", RF_INT8, NULL, "the task the scene belongs to"},
	{"portal_url", RF_TEXT, NULL, "the scene's page on the Inspector portal"},
	{"clone_id", RF_INT8, NULL, "the id of the image copy"},
	{"images", RF_JSONB, NULL, "the scene's images (ic_visit_images)"},
	{"image_quality", RF_JSONB, NULL,
	"image quality data: sharpness, perspective, shelves, facings (ic_visit_image_quality)"},
	{"question_groups", RF_JSONB, NULL,
	"the scene's questions and answers (ic_visit_answers)"},
	{"assortment", RF_JSONB, NULL,
	"the SKUs found, with quantity and status (ic_visit_assortment)"},
	{"facing_counts", RF_JSONB, NULL, "facings per SKU (ic_visit_facing_counts)"},
};

static const RfColumn ic_image_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "^id", "the scene of the image"},
	{"image_id", RF_INT8, "id", "the image's id"},
	{"created_at", RF_TIMESTAMPTZ, NULL,
	"when the image was created"},	/* the image's own */
	{"visit_created_at", RF_TIMESTAMPTZ, "/created_at",
	"when the visit was created (the visit's created_at)"},
	{"original_url", RF_TEXT, NULL, "the address of the photo as taken"},
	{"corrected_perspective_url", RF_TEXT, NULL,
	"the address of the photo with its perspective corrected"},
	{"is_deleted", RF_BOOL, NULL, "whether the image is deleted"},
	{"annotations", RF_JSONB, NULL, "recognised products on the image"},
	{"shelf_annotations", RF_JSONB, NULL, "recognised shelves"},
	{"price_annotations", RF_JSONB, NULL, "recognised price tags"},
};

/*
 * question groups x questions.  The document types answer as a string; its
 * example answers a choice with {option id: option text}: answer_text is
 * the string, or the first option's text ("*" of a scalar is the scalar).
 */
static const RfColumn ic_answer_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "^^id", "the scene of the question"},
	{"question_group_id", RF_INT8, "^id", "the question group"},
	{"question_group_name", RF_TEXT, "^name", "the question group's name"},
	{"question_group_cid", RF_TEXT, "^cid", "the question group's id in another system"},
	{"question_group_created_at", RF_TIMESTAMPTZ, "^created_at",
	"when the question group was created"},
	{"question_id", RF_INT8, "id", "the question's id"},
	{"question_cid", RF_TEXT, "cid", "the question's id in another system"},
	{"question_text", RF_TEXT, "text", "the question"},
	{"question_type", RF_TEXT, "type", "the kind of question: select_one, text, ..."},
	{"required", RF_BOOL, NULL, "whether an answer is required"},
	{"answer", RF_JSONB, NULL,
	"the answer as the API gives it: a string, or {option id: option text}"},
	{"answer_text", RF_TEXT, "answer.*",
	"the answer as text: the string, or the chosen option's text"},
	{"options", RF_JSONB, NULL,
	"the options of a choice question (ic_visit_answer_options)"},
	{"created_at", RF_TIMESTAMPTZ, NULL, "when the question was created"},
	{"visit_created_at", RF_TIMESTAMPTZ, "/created_at",
	"when the visit was created (the visit's created_at)"},
};

/*
 * The options of a question (id and value in the document); they have no
 * created_at of their own, so created_at is the visit's.
 */
static const RfColumn ic_option_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "^^^id", "the scene of the question"},
	{"question_group_id", RF_INT8, "^^id", "the question group"},
	{"question_id", RF_INT8, "^id", "the question the option belongs to"},
	{"option_id", RF_INT8, "id",
	"the option's id (the key of a choice's answer in ic_visit_answers.answer)"},
	{"value", RF_TEXT, NULL, "the option's text"},
	{"created_at", RF_TIMESTAMPTZ, "/created_at", "when the visit was created"},
};

/*
 * A scene's image_quality, assortment and facing_counts: the document
 * describes each as an object of the fields below, its example gives each
 * as an array ([]): one row per element.  They have no created_at of their
 * own, so created_at is the visit's, as for prices.
 */
static const RfColumn ic_image_quality_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "^id", "the scene of the image quality data"},
	{"image_quality_id", RF_INT8, "id", "the image quality entry's id"},
	{"sharpness", RF_INT8, NULL, "how sharp the scene's images are"},
	{"perspective_angles", RF_INT8, NULL, "the perspective angles of the images"},
	{"shelves_count", RF_INT8, "shelfs_count",
	"how many shelves the images show"},	/* misspelt in the API */
	{"facing_count", RF_INT8, NULL, "how many facings the images show"},
	{"created_at", RF_TIMESTAMPTZ, "/created_at", "when the visit was created"},
};

static const RfColumn ic_assortment_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "^id", "the scene the product was found in"},
	{"sku_id", RF_TEXT, NULL, "the product"},	/* a string in the document */
	{"sku_cid", RF_TEXT, NULL, "the product's code (barcode) in another system"},
	{"quantity", RF_INT8, NULL, "how many were found"},
	{"status", RF_TEXT, NULL, "the product's assortment status"},
	{"created_at", RF_TIMESTAMPTZ, "/created_at", "when the visit was created"},
};

static const RfColumn ic_facing_columns[] = {
	IC_CHILD_COMMON,
	{"scene_id", RF_INT8, "^id", "the scene the facings were counted in"},
	{"sku_id", RF_INT8, NULL, "the product"},	/* an integer here, unlike prices */
	{"sku_cid", RF_TEXT, NULL, "the product's code (barcode) in another system"},
	{"fg", RF_INT8, "FG", "the product's facings counted (the API's FG)"},
	{"created_at", RF_TIMESTAMPTZ, "/created_at", "when the visit was created"},
};

static const RfColumn ic_price_columns[] = {
	IC_CHILD_COMMON,
	{"price_id", RF_INT8, "id", "the price tag's id"},
	{"scene_id", RF_TEXT, NULL,
	"the scene the tag was seen in"},	/* strings in the document */
	{"sku_id", RF_TEXT, NULL, "the product"},
	{"sku_cid", RF_TEXT, NULL, "the product's code (barcode) in another system"},
	{"price", RF_NUMERIC, NULL, "the price on the tag"},
	{"target_price", RF_NUMERIC, NULL, "the price the tag should show"},
	{"is_promo", RF_BOOL, NULL, "whether it is a promotional price"},
	{"id_competitor", RF_TEXT, NULL, "the competitor, for a competitor's price"},
	{"updated_at", RF_TIMESTAMPTZ, NULL, "when the price was last changed"},
	{"created_at", RF_TIMESTAMPTZ, "/created_at", "when the visit was created"},
};

static const RfColumn ic_oos_columns[] = {
	IC_CHILD_COMMON,
	{"oos_id", RF_INT8, "id", "the out-of-stock record's id"},
	{"scene_id", RF_TEXT, NULL, "the scene"},	/* strings in the document */
	{"sku_id", RF_TEXT, NULL, "the product out of stock"},
	{"sku_cid", RF_TEXT, NULL, "the product's code in another system"},
	{"reason", RF_TEXT, NULL, "why the product is out of stock"},
	{"diagnosis", RF_TEXT, NULL, "the outcome of the project's rules for the out-of-stock"},
	{"fixed", RF_BOOL, NULL,
	"whether the product was counted as found after the photo check"},
	{"updated_at", RF_TIMESTAMPTZ, NULL, "when the record was last changed"},
	{"created_at", RF_TIMESTAMPTZ, "/created_at", "when the visit was created"},
};

static const RfColumn ic_kpi_columns[] = {
	IC_CHILD_COMMON,
	{"kpi_value_id", RF_INT8, "id", "the KPI value's id"},
	{"kpi_id", RF_TEXT, NULL, "the KPI"},
	{"kpi_cid", RF_TEXT, NULL, "the KPI's id in another system"},
	{"category", RF_TEXT, NULL, "the KPI's category"},
	{"value", RF_NUMERIC, NULL, "the KPI's value"},
	{"target_value", RF_TEXT, NULL, "the KPI's target value"},
	{"details", RF_JSONB, NULL, "details of the value"},
	{"exclude_from_reports", RF_BOOL, NULL, "whether the value is left out of reports"},
	{"exclude_from_reports_comment", RF_TEXT, NULL, "why it is left out"},
	{"clone_id", RF_TEXT, NULL, "the id of the copy"},	/* a string in the document */
	{"updated_at", RF_TIMESTAMPTZ, NULL, "when the value was last changed"},
	{"created_at", RF_TIMESTAMPTZ, "/created_at", "when the visit was created"},
};

static const RfColumn ic_dqi_columns[] = {
	IC_CHILD_COMMON,
	{"dqi_id", RF_INT8, "id", "the DQI entry's id"},
	{"uuid", RF_UUID, NULL, "the DQI entry's UUID"},
	{"type", RF_INT8, NULL, "the kind of DQI"},
	{"name", RF_TEXT, NULL, "the indicator's name"},
	{"description", RF_TEXT, NULL, "the indicator's description"},
	{"related_to", RF_TEXT, NULL, "what it measures: a scene, an image or the visit (IMAGE, ...)"},
	{"severity", RF_TEXT, NULL, "how serious: INFO, WARNING, ..."},
	{"threshold", RF_FLOAT8, NULL, "the limit the value should not cross"},
	{"value", RF_FLOAT8, NULL, "the indicator's value for the scene, photo or visit"},
	{"scene_id", RF_INT8, NULL, "the scene measured, if any"},
	{"image_id", RF_INT8, NULL, "the image measured, if any"},
	{"json", RF_JSONB, NULL, "further information, by the project's rules"},
	{"updated_at", RF_TIMESTAMPTZ, NULL, "when the entry was last changed"},
	{"created_at", RF_TIMESTAMPTZ, NULL, "when the entry was created"},
	{"visit_created_at", RF_TIMESTAMPTZ, "/created_at",
	"when the visit was created (the visit's created_at)"},
};

/* ic_stores, ic_skus: plain limit/offset lists */
static const RfColumn ic_store_columns[] = {
	{"id", RF_INT8, NULL, "the store's id"},
	{"cid", RF_TEXT, NULL, "the store's id in another system"},
	{"name", RF_TEXT, NULL, "the store's name"},
	{"address", RF_TEXT, NULL, "street address"},
	{"city", RF_TEXT, NULL, "city"},
	{"region", RF_TEXT, NULL, "region"},
	{"chain", RF_TEXT, NULL, "the retail chain"},
	{"latitude", RF_FLOAT8, NULL, "latitude"},
	{"longitude", RF_FLOAT8, NULL, "longitude"},
	{"is_active", RF_BOOL, NULL, "whether the store is active"},
	{"created_at", RF_TIMESTAMPTZ, NULL, "when the store was created"},
	{"updated_at", RF_TIMESTAMPTZ, NULL, "when the store was last changed"},
};

static const RfColumn ic_sku_columns[] = {
	{"id", RF_INT8, NULL, "the SKU's id"},
	{"cid", RF_TEXT, NULL, "the SKU's code in another system (a barcode)"},
	{"name", RF_TEXT, NULL, "the product's name"},
	{"brand", RF_TEXT, NULL, "brand"},
	{"category", RF_TEXT, NULL, "category"},
	{"manufacturer", RF_TEXT, NULL, "manufacturer"},
	{"barcode", RF_TEXT, NULL, "barcode"},
	{"is_active", RF_BOOL, NULL, "whether the SKU is active"},
	{"created_at", RF_TIMESTAMPTZ, NULL, "when the SKU was created"},
	{"updated_at", RF_TIMESTAMPTZ, NULL, "when the SKU was last changed"},
};

/* A detail endpoint: the visit answer, rows at rows_path (NULL: the visit) */
#define IC_DETAIL(res, what, rows, cols, push, req, lst, idcol) \
	{ \
		.resource = res, \
		.doc = what, \
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
	IC_DETAIL("ic_visits",
			  "One row per visit of an agent to a store, its results as jsonb",
			  NULL, ic_visit_columns, ic_visit_pushdown,
			  ic_visit_required, ic_visit_lister, "id"),
	{
		.resource = "ic_visit_list",
		.doc = "One row per visit as the visit listing gives it, with the visit's name",
		.method = "GET",
		.path = "/api/data/v1.3/visits/",
		.rows_path = "results",
		CONSTS(ic_visit_list_constants),
		.idempotent = true,
		.paging = IC_OFFSET_PAGING,
		COLS(ic_listing_columns),
		PUSH(ic_listing_pushdown),
		.rows_per_request = 100,
	},
	IC_DETAIL("ic_visit_scenes",
			  "One row per scene (a shelf or display photographed) of a visit",
			  "scenes[]", ic_scene_columns, ic_timed_child_pushdown,
			  ic_timed_child_required, ic_timed_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_images",
			  "One row per image of a scene",
			  "scenes[].images[]", ic_image_columns,
			  ic_timed_child_pushdown, ic_timed_child_required, ic_timed_child_lister,
			  "visit_id"),
	IC_DETAIL("ic_visit_answers",
			  "One row per question of a scene's question groups, with its answer",
			  "scenes[].question_groups[].questions[]",
			  ic_answer_columns, ic_timed_child_pushdown, ic_timed_child_required,
			  ic_timed_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_answer_options",
			  "One row per option of a scene's questions",
			  "scenes[].question_groups[].questions[].options[]", ic_option_columns,
			  ic_child_pushdown, ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_image_quality",
			  "One row per image quality entry of a scene",
			  "scenes[].image_quality[]", ic_image_quality_columns,
			  ic_child_pushdown, ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_assortment",
			  "One row per product of a scene's assortment, with quantity and status",
			  "scenes[].assortment[]", ic_assortment_columns,
			  ic_child_pushdown, ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_facing_counts",
			  "One row per product of a scene with its facings counted",
			  "scenes[].facing_counts[]", ic_facing_columns,
			  ic_child_pushdown, ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_prices",
			  "One row per price tag seen on a visit",
			  "prices[]", ic_price_columns, ic_child_pushdown,
			  ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_oos_reasons",
			  "One row per product found out of stock on a visit, with the reason",
			  "oos_reasons[]", ic_oos_columns,
			  ic_child_pushdown, ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_kpis",
			  "One row per KPI value of a visit",
			  "kpi_values[]", ic_kpi_columns, ic_child_pushdown,
			  ic_child_required, ic_child_lister, "visit_id"),
	IC_DETAIL("ic_visit_dqi",
			  "One row per data quality indicator (DQI) of a visit",
			  "dqi[]", ic_dqi_columns, ic_timed_child_pushdown,
			  ic_timed_child_required, ic_timed_child_lister, "visit_id"),
	{
		.resource = "ic_stores",
		.doc = "One row per store known to Inspector Cloud",
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
		.doc = "One row per product (SKU) known to Inspector Cloud",
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
