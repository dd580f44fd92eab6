"""aifi: AiFi OASIS admin API (/api/admin/v2/...), OAuth2 token endpoint, rate limit.

Sources: /work/shared/api-docs/aifi-admin-v2-sessions.txt (sessions, error
shape), aifi-push-transition-webhooks.txt (webhook payload) and NOTES.md; the
orders/stores/products/customers parameters and fields follow AiFi's public
admin API reference (same family of pages).  Everything below is generated
deterministically from the simulator seed: same seed and knobs -> same bytes.

CREDENTIALS
  static bearer token     Authorization: Bearer aifi-secret-token
  OAuth2 client creds     POST /oauth/token, form-encoded or JSON body (or HTTP
                          basic client auth): client_id=aifi-client,
                          client_secret=aifi-client-secret,
                          grant_type=client_credentials
                          -> 200 {"access_token": "aifi-at-<40 hex>",
                                  "token_type": "Bearer", "expires_in": 3600}
                          bad client -> 401 {"error": "invalid_client", ...};
                          other grant -> 400 {"error": "unsupported_grant_type"};
                          missing grant -> 400 {"error": "invalid_request"}.
  Issued tokens are accepted until they expire (token_ttl_s).  401 bodies:
  {"message": ..., "type": "E_UNAUTHORIZED", "errors": []} with
  WWW-Authenticate: Bearer ...; message "Token expired" for an expired token.
  The scheme is matched case-insensitively.

RATE LIMIT
  20 requests per sliding 1 s window (knobs rate_limit, rate_window_s).  Every
  request to this port counts (admin lists, /oauth/token, 401s, 404s), except
  /_aifi/ and the core's /_sim/; requests answered 503 do not count.  Excess ->
  503 {"message": "Service Unavailable", "type": "E_RATE_LIMIT", "errors": []}
  (NOT 429; no Retry-After header unless rate_limit_retry_after is set).
  Checked before auth and routing.

ENDPOINTS (GET; unknown route or other method -> 404 NestJS style
{"statusCode": 404, "message": "Cannot POST /x", "error": "Not Found"};
a trailing slash is ignored)
  /api/admin/v2/sessions   count (default 20, 1..200), after/before (a plain id
      or the base64 cursor from pagination; not both), orderBy (id | code |
      storeId | visitors | groupSize | expiresAt | customerId |
      codeLastSuccesfullyScannedAt | customerLastEnteredAt | createdAt |
      updatedAt; default id), direction (asc | desc, lowercase only; default
      asc), filters id, code, sessionToken, storeId, customerId, status (array),
      minVisitors (>=0), maxVisitors (>=1), minGroupSize (>=0), maxGroupSize
      (>=1), min/max CreatedAt, UpdatedAt, ExpiresAt,
      CodeLastSuccesfullyScannedAt, CustomerLastEnteredAt (inclusive; a null
      field never matches a range).
      -> {"data": [session...], "pagination": {"previous": {"count", "before",
         "direction"}, "next": {"count", "after", "direction"}}}; "previous" only
         when rows precede the page, "next" only when rows follow it (last page:
         no "next"; nothing at all -> "pagination": {}).  Cursor = standard
         base64 of two version bytes (0xFB 0xFF) and the JSON {"id": "<id>",
         "sortKey": "<orderBy>", "value": <sort value>}: every cursor starts
         with "+/" and most end in "=", so a client must percent-encode it (an
         unencoded "+" arrives as a space: 400).  A cursor made for another
         orderBy is a 400.  Nulls sort last in asc, first in
         desc (desc is the exact reverse of asc; ties broken by id).
      Session fields, in order: createdAt, updatedAt, code,
      codeFirstSuccesfullyScannedAt, codeLastSuccesfullyScannedAt,
      customerFirstEnteredAt, customerLastEnteredAt, customerFirstExitedAt,
      customerLastExitedAt, customerPaymentInstrumentId, customerSatisfaction,
      customerSatisfactionSubmitted, groupSize, visitors, locationId, priority,
      sessionToken, sessionId (= sessionToken), referencedSessionId, status,
      storeId (int), storeIdScannableAt (int), suspectedFraud, metadata,
      expiresAt, id (digit string, e.g. "1001"), customerId (digit string or
      null), customer ({externalId, role, metadata, priority, email, firstName,
      lastName, phone, id (digit string)} or null), store ({aifiUniqueStoreId,
      status, deploymentStatus, addressLine1, addressCity, addressRegion,
      addressCountry, addressPostalCode, thirdPartyId, storeUrl, maxPeople,
      storeConfigId, name, id (digit string), employeeInside}).  Misspellings
      ("Succesfully") are the API's own and kept.
  /api/admin/v2/stores     count/after/before/direction as sessions; orderBy id |
      name | createdAt | updatedAt; filters id, status (OPEN | CLOSED |
      CLOSED_FOR_MAINTENANCE), externalId (= thirdPartyId), deploymentStatus
      (LIVE | TESTING | DEPLOYMENT | DECOMMISSIONED), aifiUniqueStoreId.
      -> {"data": [store...], "pagination": {...}} (key "data" per NOTES.md; the
      public reference shows "stores": knob stores_key).  Store fields:
      aifiUniqueStoreId, status, deploymentStatus, addressLine1, addressCity,
      addressRegion, addressCountry, addressPostalCode, id (digit string),
      store {oasisApiStoreId (int), aifiUniqueStoreId}, name, displayableName,
      thirdPartyId, storeUrl, maxPeople, storeConfigId, employeeInside,
      createdAt, updatedAt.
  /api/admin/v2/orders     page (default 0, >=0), pageSize (default 50, 1..200),
      orderBy id | storeId | totalPrice | draftCreatedAt (default id), direction;
      filters id, status[], externalStatus[], customerRole[], sessionId[]
      (session UUIDs), externalId[], storeId (>=1), customerId, startTime /
      endTime (inclusive range on draftCreatedAt), min/max CreatedAt, UpdatedAt,
      DraftCreatedAt, min/maxTotalPrice (number), min/maxTotalProductQuantity,
      includeProducts (boolean, default false: adds "products"), includeContest
      (accepted, no effect).  paymentTransactionId and the
      customerPaymentInstrument* filters are documented but not simulated: 400.
      -> {"data": [order...]} only (a page past the end is {"data": []}).
      Order fields: createdAt, updatedAt, id (int), version, isLatest,
      customerId (digit string or null), storeId (int), status (paid | unpaid |
      paymentProcessing | draft | contested | reviewed | completed_so_far),
      transactionId, customerShoppingSessionId (the session's numeric id, int),
      externalId, externalStatus (ok | failedObtainingPrice |
      failedSendingWebhook), subtotalPrice, totalPrice, totalTax (decimal
      strings, total = subtotal + tax), paidAt, notificationSentAt, extraText,
      completedAt, draftCreatedAt, sessionId (the session's UUID) [, products:
      [{id (int), name, price, barcode, category, thumbnail, weight, sku,
      externalId, taxCode, createdAt, updatedAt, quantity}]].
  /api/admin/v2/products   offset (default 0, >=0), count (default 50, 1..200),
      sort createdAt | name | price | quantity | id (default id, numeric),
      direction (default asc); filters id[], name[] (exact), barcode[],
      externalId[], category[], sku[], invalidThumbnail (boolean),
      priceMin/priceMax (base price), quantityMin/quantityMax, min/max
      CreatedAt, UpdatedAt; location[] is not simulated (400).
      -> {"products": [product...]}.  Product fields: id (digit string), name,
      price (decimal string), barcode (EAN-13), category, thumbnail (null when
      invalidThumbnail), invalidThumbnail, productId (int), quantity, weight,
      sku, inventoryItemId, externalId, restricted, taxCode, storePrices
      [{storeId (digit string), productId (digit string), price, createdAt}],
      variants ([]), createdAt, updatedAt.
  /api/admin/v2/customers  no paging: every match, by id, as a bare JSON array;
      filters min/max CreatedAt, UpdatedAt, externalId[], email[]
      (case-insensitive), paymentInstrumentProviderId[] (pm_card_<id 4 digits>,
      not a field).  Customer fields: id (int), externalId, role, metadata,
      priority, email, firstName, lastName, phone, createdAt, updatedAt.
  Array parameters: repeated (status=a&status=b), status[]=a or status[0]=a
  (Express "qs" style).  A comma is NOT a separator (status=a,b is the one
  value "a,b") unless knob array_comma.  Unknown parameters are rejected
  ('"foo" is not allowed', rule object.unknown) unless strict_params is off.
  400 body: {"message": "Invalid request body", "type": "E_INVALID_BODY",
  "errors": [{"error": "\\"count\\" must be less than or equal to 200",
  "rule": "number.max", "field": "\\"count\\""}, ...]} (Joi messages and rules;
  the field name is quoted, as the documentation shows; message and type are
  the document's one example's, knob error_type=query gives "Invalid request
  query", E_INVALID_QUERY).

FIXTURE DATA (seed 1, default knobs)
  stores      1 Seattle (OPEN/LIVE, NM-SEA-001), 2 Portland (OPEN/LIVE,
              NM-PDX-002), 3 San Francisco (OPEN/LIVE, NM-SFO-003), 4 Austin lab
              (CLOSED_FOR_MAINTENANCE/TESTING, thirdPartyId null, no sessions).
  customers   120, ids 11..130 (seed 1: role customer 104, employee 8, tester
              8; 10 without email/names); non-ASCII and apostrophe names (e.g.
              13 Chloé O'Brien, 22 Zoë Taylor, 24 Søren Davis).
  sessions    500, ids "1001".."1500" in createdAt order, 2025-08-01..2025-08-31
              (06:00-22:00 UTC), stores 1-3 (seed 1: 210 / 183 / 107); statuses
              (seed 1) finished 355, expired 53, active 46, cancelled 46; 64
              anonymous (customerId and customer null); 48 with a
              referencedSessionId; scan/enter/exit times null where the session
              never got that far; expiresAt = createdAt + 2 h.
  orders      one per finished session that bought something (seed 1: 317, ids
              1..317 in draftCreatedAt order; paid 235, reviewed 20, draft 13,
              paymentProcessing 15, contested 12, unpaid 12, completed_so_far 10).
  products    60, ids "1".."60" (30 items in two sizes; category Alcohol: 4,
              restricted; seed 1: 3 with invalidThumbnail).
  webhook fixture session (seed 1): "1010", store 2, customer 14, groupSize 2.
  All customerId / storeId / sessionId values match across the lists.
  GET /_aifi/fixtures returns these counts and ids for the running seed.

WEBHOOK FIXTURES (AiFi pushes these to the retailer; served here as samples)
  GET /_aifi/webhook-samples[/<kind>][?sessionId=<id or uuid>]
      kinds entered, left, tracking, checkout.  Without sessionId: the
      documented example (entered verbatim from the doc; left uses the same
      schema, so the same payload; tracking and checkout are {}: the document
      defines no body for tracking and has no page for checkout, so nothing
      is invented).  With sessionId=fixture (or any session id/UUID):
      payloads built from that session (entered/left null if nobody entered,
      tracking {} when someone entered, checkout {} when there is an order,
      null otherwise).  The "fixture" session is the first finished group
      (groupSize >= 2) with a customer and an order (seed 1: see
      /_aifi/fixtures).
  GET /_aifi/webhook-deliveries[?sessionId=...]
      what AiFi would POST for that session, in order: [{"webhook": "entered",
      "payload": ...}] x visitors (identical payloads, one per person),
      tracking, left x visitors, checkout.
  The /_aifi/ endpoints need no auth, are not rate limited, but do appear in
  the request record (the core records every non-/_sim/ request).

KNOBS (--option aifi.KEY=VALUE or POST /_sim/config {"aifi": {...}};
/_sim/reset restores the defaults but keeps issued tokens valid)
  token (aifi-secret-token), allow_static_token (true), client_id
  (aifi-client), client_secret (aifi-client-secret), token_path
  (/oauth/token), token_ttl_s (3600, may be fractional), rate_limit (20; 0 =
  off), rate_window_s (1.0), rate_limit_retry_after (none: no header),
  strict_params (true), error_type (body | query), array_comma (false), stores_key ("data"), sessions
  (500), customers (120), start (2025-08-01), end (2025-08-31).
  Action: {"aifi": {"expire_tokens": true}} expires every token issued so far
  (the next use is a 401 "Token expired"; new tokens work).
"""

from vendors.aifi.fixtures import API, DEFAULTS, DOC_ENTERED, VENDOR, doc_webhook_samples  # noqa: F401
from vendors.aifi.api import Aifi, webhook_samples  # noqa: F401


def make(sim):
    return Aifi(sim)
