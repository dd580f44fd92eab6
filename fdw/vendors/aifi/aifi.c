/*-------------------------------------------------------------------------
 *
 * aifi.c
 *		  Descriptor tables for the AiFi OASIS admin API (v2).
 *
 * Only data, free of PostgreSQL headers.  The API spells some fields wrongly ("Succesfully"); the
 * columns are spelled correctly and mapped with json paths.  Three paging
 * styles live side by side: cursors (sessions, stores), page numbers from
 * 0 (orders) and offsets (products); customers come as one bare array.
 * Excess load is answered with 503, which the transport treats as
 * throttling; requests are paced to 20 a second unless the server says
 * otherwise (max_requests_per_second).
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "vendor.h"

/* the module's start-up: the webhook receiver's settings and worker (webhook_settings.c) */
extern void rf_webhook_init(void);

/* how a pushed ORDER BY is spelled (sorting.c) */
extern const RfEndpointHooks rf_aifi_hooks;

/*
 * Domains (RfDomain) as the document types the query parameters: id,
 * storeId and customerId are integers (though the answers spell ids as
 * strings), strings may not be empty (Joi's string.empty), enums are
 * matched exactly.  A value outside is never sent: the API answers 400.
 */
static const char *const aifi_store_statuses[] = {
	"OPEN", "CLOSED", "CLOSED_FOR_MAINTENANCE", NULL
};
static const char *const aifi_deployment_statuses[] = {
	"LIVE", "TESTING", "DEPLOYMENT", "DECOMMISSIONED", NULL
};

/* a filter on equality, one request per value */
#define EQ(col, name, dom) \
	{.column = col, .ops = RF_OP_EQ | RF_OP_IN, .param = name, \
	 .loc = RF_LOC_QUERY, .multi = RF_MULTI_SPLIT, .domain = dom}
/* a filter on a list of non-empty strings: repeated parameters */
#define LIST(col, name) \
	{.column = col, .ops = RF_OP_EQ | RF_OP_IN, .param = name, \
	 .loc = RF_LOC_QUERY, .multi = RF_MULTI_REPEAT, .domain = RF_DOMAIN_NONEMPTY}
/* an inclusive range of times or numbers (their type's domain) */
#define RANGE(col, lo, hi) {col, RF_OP_EQ | RF_OP_RANGE, NULL, lo, hi, RF_LOC_QUERY, RF_MULTI_SPLIT, false}
/*
 * an inclusive integer range of values of at least lomin, whose parameters
 * have documented minimums (hooks.c sends no bound below them)
 */
#define RANGE_MIN(col, lo, hi, lomin) \
	{.column = col, .ops = RF_OP_EQ | RF_OP_RANGE, .lower_param = lo, \
	 .upper_param = hi, .loc = RF_LOC_QUERY, .multi = RF_MULTI_SPLIT, \
	 .domain = RF_DOMAIN_INT_MIN(lomin)}

static const RfColumn aifi_session_columns[] = {
	{"id", RF_TEXT, NULL, "the session's id (a number, as a string)"},
	{"code", RF_TEXT, NULL, "the entry code the shopper scans at the gate"},
	{"session_token", RF_TEXT, "sessionToken", "the session's token"},
	/* listed beside sessionToken ("the same concept"); no filter of its own */
	{"session_id", RF_TEXT, "sessionId",
	"the session's id as the document lists it beside sessionToken"},
	{"status", RF_TEXT, NULL, "the session's status, e.g. active"},
	{"store_id", RF_INT8, "storeId", "the store of the session"},
	{"customer_id", RF_TEXT, "customerId", "the customer of the session"},
	{"visitors", RF_INT4, NULL, "how many people entered on the session"},
	{"group_size", RF_INT4, "groupSize", "the size of the shopper's group"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt", "when AiFi created the record"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt", "when AiFi last changed the record"},
	{"expires_at", RF_TIMESTAMPTZ, "expiresAt", "when the session's entry code expires"},
	{"code_first_scanned_at", RF_TIMESTAMPTZ, "codeFirstSuccesfullyScannedAt",
	"when the entry code was first scanned successfully"},
	{"code_last_scanned_at", RF_TIMESTAMPTZ, "codeLastSuccesfullyScannedAt",
	"when the entry code was last scanned successfully"},
	{"customer_first_entered_at", RF_TIMESTAMPTZ, "customerFirstEnteredAt",
	"when the customer first entered the store"},
	{"customer_last_entered_at", RF_TIMESTAMPTZ, "customerLastEnteredAt",
	"when the customer last entered the store"},
	{"customer_first_exited_at", RF_TIMESTAMPTZ, "customerFirstExitedAt",
	"when the customer first left the store"},
	{"customer_last_exited_at", RF_TIMESTAMPTZ, "customerLastExitedAt",
	"when the customer last left the store"},
	{"customer_satisfaction", RF_INT4, "customerSatisfaction",
	"the satisfaction score the customer gave"},
	{"customer_satisfaction_submitted", RF_BOOL, "customerSatisfactionSubmitted",
	"whether the customer gave a satisfaction score"},
	{"suspected_fraud", RF_BOOL, "suspectedFraud",
	"whether AiFi suspects the session of fraud"},
	{"location_id", RF_TEXT, "locationId", "the location within the store"},
	{"priority", RF_INT4, NULL, "the session's priority"},
	{"referenced_session_id", RF_TEXT, "referencedSessionId",
	"the session this one refers to, if any"},
	{"customer_payment_instrument_id", RF_INT8, "customerPaymentInstrumentId",
	"the customer's payment instrument"},
	{"store_id_scannable_at", RF_INT8, "storeIdScannableAt",
	"the store whose gate accepts the code"},
	{"customer", RF_JSONB, NULL, "the customer, as the API nests it"},
	{"store", RF_JSONB, NULL, "the store, as the API nests it"},
	{"metadata", RF_JSONB, NULL, "free-form metadata, with the session's events"},
};

static const RfPushdown aifi_session_pushdown[] = {
	EQ("id", "id", RF_DOMAIN_INT),
	EQ("code", "code", RF_DOMAIN_NONEMPTY),
	EQ("session_token", "sessionToken", RF_DOMAIN_NONEMPTY),
	EQ("store_id", "storeId", RF_DOMAIN_INT),
	EQ("customer_id", "customerId", RF_DOMAIN_INT),
	LIST("status", "status"),
	RANGE("created_at", "minCreatedAt", "maxCreatedAt"),
	RANGE("updated_at", "minUpdatedAt", "maxUpdatedAt"),
	RANGE("expires_at", "minExpiresAt", "maxExpiresAt"),
	RANGE("code_last_scanned_at", "minCodeLastSuccesfullyScannedAt",
		  "maxCodeLastSuccesfullyScannedAt"),
	RANGE("customer_last_entered_at", "minCustomerLastEnteredAt",
		  "maxCustomerLastEnteredAt"),
	/* the document: minVisitors, minGroupSize >= 0; maxVisitors, maxGroupSize >= 1 */
	RANGE_MIN("visitors", "minVisitors", "maxVisitors", 0),
	RANGE_MIN("group_size", "minGroupSize", "maxGroupSize", 0),
};

/*
 * ORDER BY keys the API sorts by (nulls last ascending, first descending).
 * Only numbers and times: id and customerId are strings in the answer but
 * sorted as numbers, and code sorts by no collation PostgreSQL knows, so
 * an ORDER BY on those text columns is sorted locally.
 */
static const RfSort aifi_session_sorts[] = {
	{"store_id", "storeId"},
	{"visitors", "visitors"}, {"group_size", "groupSize"},
	{"expires_at", "expiresAt"},
	{"code_last_scanned_at", "codeLastSuccesfullyScannedAt"},
	{"customer_last_entered_at", "customerLastEnteredAt"},
	{"created_at", "createdAt"}, {"updated_at", "updatedAt"},
};

static const RfColumn aifi_store_columns[] = {
	{"id", RF_TEXT, NULL, "the store's id (a number, as a string)"},
	{"name", RF_TEXT, NULL, "the store's name"},
	{"displayable_name", RF_TEXT, "displayableName", "the name shown to shoppers"},
	{"status", RF_TEXT, NULL, "OPEN, CLOSED or CLOSED_FOR_MAINTENANCE"},
	{"deployment_status", RF_TEXT, "deploymentStatus",
	"LIVE, TESTING, DEPLOYMENT or DECOMMISSIONED"},
	{"aifi_unique_store_id", RF_TEXT, "aifiUniqueStoreId", "AiFi's unique store id"},
	{"external_id", RF_TEXT, "thirdPartyId",
	"the retailer's own id of the store (the API's thirdPartyId)"},
	{"address_line1", RF_TEXT, "addressLine1", "street address"},
	{"address_city", RF_TEXT, "addressCity", "city"},
	{"address_region", RF_TEXT, "addressRegion", "region or state"},
	{"address_country", RF_TEXT, "addressCountry", "country code"},
	{"address_postal_code", RF_TEXT, "addressPostalCode", "postal code"},
	{"store_url", RF_TEXT, "storeUrl", "the store's web address"},
	{"max_people", RF_INT4, "maxPeople", "how many people may be inside at once"},
	{"store_config_id", RF_INT8, "storeConfigId", "the store's configuration"},
	{"employee_inside", RF_BOOL, "employeeInside", "whether an employee is inside"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt", "when AiFi created the record"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt", "when AiFi last changed the record"},
};

static const RfPushdown aifi_store_pushdown[] = {
	EQ("id", "id", RF_DOMAIN_INT),
	EQ("status", "status", RF_DOMAIN_ENUM(aifi_store_statuses)),
	EQ("external_id", "externalId", RF_DOMAIN_NONEMPTY),
	EQ("deployment_status", "deploymentStatus",
	   RF_DOMAIN_ENUM(aifi_deployment_statuses)),
	EQ("aifi_unique_store_id", "aifiUniqueStoreId", RF_DOMAIN_NONEMPTY),
};

/* id (a numeric string) and name are text columns: sorted locally */
static const RfSort aifi_store_sorts[] = {
	{"created_at", "createdAt"}, {"updated_at", "updatedAt"},
};

static const RfColumn aifi_order_columns[] = {
	{"id", RF_INT8, NULL, "the order's id"},
	{"version", RF_INT4, NULL, "the order's version (a reviewed order is a new version)"},
	{"is_latest", RF_BOOL, "isLatest", "whether this is the order's latest version"},
	{"status", RF_TEXT, NULL, "the order's status"},
	{"external_status", RF_TEXT, "externalStatus", "the status in the retailer's system"},
	{"store_id", RF_INT8, "storeId", "the store of the order"},
	{"customer_id", RF_TEXT, "customerId", "the customer who ordered"},
	{"session_id", RF_TEXT, "sessionId", "the shopping session of the order"},
	{"shopping_session_id", RF_INT8, "customerShoppingSessionId",
	"the customer's shopping session (the API's customerShoppingSessionId)"},
	{"transaction_id", RF_TEXT, "transactionId", "the payment transaction"},
	{"external_id", RF_TEXT, "externalId", "the retailer's own id of the order"},
	{"subtotal_price", RF_NUMERIC, "subtotalPrice", "the price before tax"},
	{"total_price", RF_NUMERIC, "totalPrice", "the price with tax"},
	{"total_tax", RF_NUMERIC, "totalTax", "the tax"},
	{"paid_at", RF_TIMESTAMPTZ, "paidAt", "when the order was paid"},
	{"completed_at", RF_TIMESTAMPTZ, "completedAt", "when the order was completed"},
	{"draft_created_at", RF_TIMESTAMPTZ, "draftCreatedAt",
	"when the order's draft was created"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt", "when AiFi created the record"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt", "when AiFi last changed the record"},
	{"extra_text", RF_TEXT, "extraText", "free text attached to the order"},
};

static const RfPushdown aifi_order_pushdown[] = {
	EQ("id", "id", RF_DOMAIN_INT),
	LIST("status", "status"),
	LIST("external_status", "externalStatus"),
	LIST("session_id", "sessionId"),
	LIST("external_id", "externalId"),
	EQ("store_id", "storeId", RF_DOMAIN_INT_MIN(1)),
	EQ("customer_id", "customerId", RF_DOMAIN_INT),
	RANGE("draft_created_at", "minDraftCreatedAt", "maxDraftCreatedAt"),
	RANGE("created_at", "minCreatedAt", "maxCreatedAt"),
	RANGE("updated_at", "minUpdatedAt", "maxUpdatedAt"),
	RANGE("total_price", "minTotalPrice", "maxTotalPrice"),
};

static const RfSort aifi_order_sorts[] = {
	{"id", "id"}, {"store_id", "storeId"}, {"total_price", "totalPrice"},
	{"draft_created_at", "draftCreatedAt"},
};

static const RfColumn aifi_product_columns[] = {
	{"id", RF_TEXT, NULL, "the product's id"},
	{"name", RF_TEXT, NULL, "the product's name"},
	{"price", RF_NUMERIC, NULL, "the product's price"},
	{"barcode", RF_TEXT, NULL, "the product's barcode"},
	{"category", RF_TEXT, NULL, "the product's category"},
	{"sku", RF_TEXT, NULL, "the product's SKU"},
	{"external_id", RF_TEXT, "externalId", "the retailer's own id of the product"},
	{"quantity", RF_INT4, NULL, "the quantity in stock"},
	{"weight", RF_NUMERIC, NULL, "the product's weight"},
	{"thumbnail", RF_TEXT, NULL, "the address of the product's picture"},
	{"invalid_thumbnail", RF_BOOL, "invalidThumbnail", "whether the picture is unusable"},
	{"restricted", RF_BOOL, NULL, "whether the sale of the product is restricted (alcohol, say)"},
	{"tax_code", RF_TEXT, "taxCode", "the product's tax code"},
	{"store_prices", RF_JSONB, "storePrices", "the prices per store"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt", "when AiFi created the record"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt", "when AiFi last changed the record"},
};

static const RfPushdown aifi_product_pushdown[] = {
	LIST("id", "id"),
	LIST("name", "name"),
	LIST("barcode", "barcode"),
	LIST("external_id", "externalId"),
	LIST("category", "category"),
	LIST("sku", "sku"),
	RANGE("price", "priceMin", "priceMax"),
	RANGE_MIN("quantity", "quantityMin", "quantityMax", 0),
	RANGE("created_at", "minCreatedAt", "maxCreatedAt"),
	RANGE("updated_at", "minUpdatedAt", "maxUpdatedAt"),
};

static const RfColumn aifi_customer_columns[] = {
	{"id", RF_INT8, NULL, "the customer's id"},
	{"external_id", RF_TEXT, "externalId", "the retailer's own id of the customer"},
	{"role", RF_TEXT, NULL, "the customer's role, e.g. customer"},
	{"email", RF_TEXT, NULL, "the customer's e-mail address"},
	{"first_name", RF_TEXT, "firstName", "first name"},
	{"last_name", RF_TEXT, "lastName", "last name"},
	{"phone", RF_TEXT, NULL, "phone number"},
	{"priority", RF_INT4, NULL, "the customer's priority"},
	{"metadata", RF_JSONB, NULL, "free-form metadata"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt", "when AiFi created the record"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt", "when AiFi last changed the record"},
};

static const RfPushdown aifi_customer_pushdown[] = {
	LIST("external_id", "externalId"),
	LIST("email", "email"),
	RANGE("created_at", "minCreatedAt", "maxCreatedAt"),
	RANGE("updated_at", "minUpdatedAt", "maxUpdatedAt"),
};

/* count (max 200) + the cursor in pagination.next.after */
#define AIFI_CURSOR_PAGING { \
	.style = RF_PAGE_CURSOR, \
	.page_param = "after", \
	.size_param = "count", \
	.default_size = 200, \
	.max_size = 200, \
	.next_path = "pagination.next.after", \
}

static const RfEndpoint aifi_endpoints[] = {
	{
		.resource = "aifi_sessions",
		.doc = "One row per shopping session in an AiFi store: entry code, entries and exits, visitors",
		.method = "GET",
		.path = "/api/admin/v2/sessions",
		.rows_path = "data",
		.idempotent = true,
		.paging = AIFI_CURSOR_PAGING,
		COLS(aifi_session_columns),
		PUSH(aifi_session_pushdown),
		SORTS(aifi_session_sorts),
		.hooks = RF_HOOK(&rf_aifi_hooks),
		.rows_per_request = 200,
	},
	{
		.resource = "aifi_stores",
		.doc = "One row per AiFi store: status, deployment, address",
		.method = "GET",
		.path = "/api/admin/v2/stores",
		.rows_path = "data",
		.idempotent = true,
		.paging = AIFI_CURSOR_PAGING,
		COLS(aifi_store_columns),
		PUSH(aifi_store_pushdown),
		SORTS(aifi_store_sorts),
		.hooks = RF_HOOK(&rf_aifi_hooks),
		.rows_per_request = 200,
	},
	{
		.resource = "aifi_orders",
		.doc = "One row per order version: prices, payment, status",
		.method = "GET",
		.path = "/api/admin/v2/orders",
		.rows_path = "data",
		.idempotent = true,
		.paging = {
			.style = RF_PAGE_NUMBER,
			.page_param = "page",
			.size_param = "pageSize",
			.first_page = 0,
			.default_size = 200,
			.max_size = 200,
		},
		COLS(aifi_order_columns),
		PUSH(aifi_order_pushdown),
		SORTS(aifi_order_sorts),
		.hooks = RF_HOOK(&rf_aifi_hooks),
		.rows_per_request = 200,
	},
	{
		.resource = "aifi_products",
		.doc = "One row per product of the catalog: price, barcode, stock",
		.method = "GET",
		.path = "/api/admin/v2/products",
		.rows_path = "products",
		.idempotent = true,
		.paging = {
			.style = RF_PAGE_OFFSET,
			.page_param = "offset",
			.size_param = "count",
			.default_size = 200,
			.max_size = 200,
		},
		COLS(aifi_product_columns),
		PUSH(aifi_product_pushdown),
		.rows_per_request = 200,
		.hooks = RF_HOOK(&rf_aifi_hooks),
	},
	{
		.resource = "aifi_customers",
		.doc = "One row per registered customer",
		.method = "GET",
		.path = "/api/admin/v2/customers",
		.rows_path = NULL,
		.idempotent = true,
		.paging = {.style = RF_PAGE_NONE},
		COLS(aifi_customer_columns),
		PUSH(aifi_customer_pushdown),
		.rows_per_request = 500,
	},
};

/* A token, or OAuth client credentials that get one */
static const RfOptionDef aifi_options[] = {
	RF_MAPPING_TOKEN_OPTIONS,
	RF_MAPPING_OAUTH_OPTIONS,
};

const RfVendor rf_vendor_aifi = {
	.name = "aifi",
	.auth = RF_AUTH_OAUTH,
	.auth_header = "Authorization",
	.auth_scheme = "Bearer",
	.endpoints = aifi_endpoints,
	.nendpoints = RF_LENGTHOF(aifi_endpoints),
	.max_requests_per_second = 20,
	.token_path = "/oauth/token",
	.check_path = "/api/admin/v2/stores?count=1",
	OPTS(aifi_options),
	.init = RF_HOOK(rf_webhook_init),
};
