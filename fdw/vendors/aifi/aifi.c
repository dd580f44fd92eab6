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
/* an inclusive integer range whose parameters have documented minimums */
#define RANGE_MIN(col, lo, hi, lomin, himin) \
	{.column = col, .ops = RF_OP_EQ | RF_OP_RANGE, .lower_param = lo, \
	 .upper_param = hi, .loc = RF_LOC_QUERY, .multi = RF_MULTI_SPLIT, \
	 .bounded = true, .lower_min = lomin, .upper_min = himin, \
	 .domain = RF_DOMAIN_INT_MIN(lomin)}

static const RfColumn aifi_session_columns[] = {
	{"id", RF_TEXT, NULL},
	{"code", RF_TEXT, NULL},
	{"session_token", RF_TEXT, "sessionToken"},
	/* listed beside sessionToken ("the same concept"); no filter of its own */
	{"session_id", RF_TEXT, "sessionId"},
	{"status", RF_TEXT, NULL},
	{"store_id", RF_INT8, "storeId"},
	{"customer_id", RF_TEXT, "customerId"},
	{"visitors", RF_INT4, NULL},
	{"group_size", RF_INT4, "groupSize"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt"},
	{"expires_at", RF_TIMESTAMPTZ, "expiresAt"},
	{"code_first_scanned_at", RF_TIMESTAMPTZ, "codeFirstSuccesfullyScannedAt"},
	{"code_last_scanned_at", RF_TIMESTAMPTZ, "codeLastSuccesfullyScannedAt"},
	{"customer_first_entered_at", RF_TIMESTAMPTZ, "customerFirstEnteredAt"},
	{"customer_last_entered_at", RF_TIMESTAMPTZ, "customerLastEnteredAt"},
	{"customer_first_exited_at", RF_TIMESTAMPTZ, "customerFirstExitedAt"},
	{"customer_last_exited_at", RF_TIMESTAMPTZ, "customerLastExitedAt"},
	{"customer_satisfaction", RF_INT4, "customerSatisfaction"},
	{"customer_satisfaction_submitted", RF_BOOL, "customerSatisfactionSubmitted"},
	{"suspected_fraud", RF_BOOL, "suspectedFraud"},
	{"location_id", RF_TEXT, "locationId"},
	{"priority", RF_INT4, NULL},
	{"referenced_session_id", RF_TEXT, "referencedSessionId"},
	{"customer_payment_instrument_id", RF_INT8, "customerPaymentInstrumentId"},
	{"store_id_scannable_at", RF_INT8, "storeIdScannableAt"},
	{"customer", RF_JSONB, NULL},
	{"store", RF_JSONB, NULL},
	{"metadata", RF_JSONB, NULL},
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
	RANGE_MIN("visitors", "minVisitors", "maxVisitors", 0, 1),
	RANGE_MIN("group_size", "minGroupSize", "maxGroupSize", 0, 1),
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
	{"id", RF_TEXT, NULL},
	{"name", RF_TEXT, NULL},
	{"displayable_name", RF_TEXT, "displayableName"},
	{"status", RF_TEXT, NULL},
	{"deployment_status", RF_TEXT, "deploymentStatus"},
	{"aifi_unique_store_id", RF_TEXT, "aifiUniqueStoreId"},
	{"external_id", RF_TEXT, "thirdPartyId"},
	{"address_line1", RF_TEXT, "addressLine1"},
	{"address_city", RF_TEXT, "addressCity"},
	{"address_region", RF_TEXT, "addressRegion"},
	{"address_country", RF_TEXT, "addressCountry"},
	{"address_postal_code", RF_TEXT, "addressPostalCode"},
	{"store_url", RF_TEXT, "storeUrl"},
	{"max_people", RF_INT4, "maxPeople"},
	{"store_config_id", RF_INT8, "storeConfigId"},
	{"employee_inside", RF_BOOL, "employeeInside"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt"},
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
	{"id", RF_INT8, NULL},
	{"version", RF_INT4, NULL},
	{"is_latest", RF_BOOL, "isLatest"},
	{"status", RF_TEXT, NULL},
	{"external_status", RF_TEXT, "externalStatus"},
	{"store_id", RF_INT8, "storeId"},
	{"customer_id", RF_TEXT, "customerId"},
	{"session_id", RF_TEXT, "sessionId"},
	{"shopping_session_id", RF_INT8, "customerShoppingSessionId"},
	{"transaction_id", RF_TEXT, "transactionId"},
	{"external_id", RF_TEXT, "externalId"},
	{"subtotal_price", RF_NUMERIC, "subtotalPrice"},
	{"total_price", RF_NUMERIC, "totalPrice"},
	{"total_tax", RF_NUMERIC, "totalTax"},
	{"paid_at", RF_TIMESTAMPTZ, "paidAt"},
	{"completed_at", RF_TIMESTAMPTZ, "completedAt"},
	{"draft_created_at", RF_TIMESTAMPTZ, "draftCreatedAt"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt"},
	{"extra_text", RF_TEXT, "extraText"},
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
	{"id", RF_TEXT, NULL},
	{"name", RF_TEXT, NULL},
	{"price", RF_NUMERIC, NULL},
	{"barcode", RF_TEXT, NULL},
	{"category", RF_TEXT, NULL},
	{"sku", RF_TEXT, NULL},
	{"external_id", RF_TEXT, "externalId"},
	{"quantity", RF_INT4, NULL},
	{"weight", RF_NUMERIC, NULL},
	{"thumbnail", RF_TEXT, NULL},
	{"invalid_thumbnail", RF_BOOL, "invalidThumbnail"},
	{"restricted", RF_BOOL, NULL},
	{"tax_code", RF_TEXT, "taxCode"},
	{"store_prices", RF_JSONB, "storePrices"},
	{"created_at", RF_TIMESTAMPTZ, "createdAt"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt"},
};

static const RfPushdown aifi_product_pushdown[] = {
	LIST("id", "id"),
	LIST("name", "name"),
	LIST("barcode", "barcode"),
	LIST("external_id", "externalId"),
	LIST("category", "category"),
	LIST("sku", "sku"),
	RANGE("price", "priceMin", "priceMax"),
	RANGE_MIN("quantity", "quantityMin", "quantityMax", 0, 0),
	RANGE("created_at", "minCreatedAt", "maxCreatedAt"),
	RANGE("updated_at", "minUpdatedAt", "maxUpdatedAt"),
};

static const RfColumn aifi_customer_columns[] = {
	{"id", RF_INT8, NULL},
	{"external_id", RF_TEXT, "externalId"},
	{"role", RF_TEXT, NULL},
	{"email", RF_TEXT, NULL},
	{"first_name", RF_TEXT, "firstName"},
	{"last_name", RF_TEXT, "lastName"},
	{"phone", RF_TEXT, NULL},
	{"priority", RF_INT4, NULL},
	{"metadata", RF_JSONB, NULL},
	{"created_at", RF_TIMESTAMPTZ, "createdAt"},
	{"updated_at", RF_TIMESTAMPTZ, "updatedAt"},
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
	.sort_param = "orderBy", \
	.direction_param = "direction", \
}

static const RfEndpoint aifi_endpoints[] = {
	{
		.resource = "aifi_sessions",
		.method = "GET",
		.path = "/api/admin/v2/sessions",
		.rows_path = "data",
		.idempotent = true,
		.paging = AIFI_CURSOR_PAGING,
		COLS(aifi_session_columns),
		PUSH(aifi_session_pushdown),
		SORTS(aifi_session_sorts),
		.rows_per_request = 200,
	},
	{
		.resource = "aifi_stores",
		.method = "GET",
		.path = "/api/admin/v2/stores",
		.rows_path = "data",
		.idempotent = true,
		.paging = AIFI_CURSOR_PAGING,
		COLS(aifi_store_columns),
		PUSH(aifi_store_pushdown),
		SORTS(aifi_store_sorts),
		.rows_per_request = 200,
	},
	{
		.resource = "aifi_orders",
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
			.sort_param = "orderBy",
			.direction_param = "direction",
		},
		COLS(aifi_order_columns),
		PUSH(aifi_order_pushdown),
		SORTS(aifi_order_sorts),
		.rows_per_request = 200,
	},
	{
		.resource = "aifi_products",
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
	},
	{
		.resource = "aifi_customers",
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
