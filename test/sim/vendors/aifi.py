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
  400 body: {"message": "Invalid request query", "type": "E_INVALID_QUERY",
  "errors": [{"error": "\\"count\\" must be less than or equal to 200",
  "rule": "number.max", "field": "\\"count\\""}, ...]} (Joi messages and rules;
  the field name is quoted, as the documentation shows).

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
      schema, so the same payload; tracking and checkout are built from their
      documented field lists with the doc's placeholder values).  With
      sessionId=fixture (or any session id/UUID): payloads built from that
      session (entered/left null if nobody entered, checkout null without an
      order).  The "fixture" session is the first finished group (groupSize
      >= 2) with a customer and an order (seed 1: see /_aifi/fixtures).
      Checkout "cart" items are {productId, name, barcode, sku, externalId,
      quantity, price, totalPrice} (not documented: invented).
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
  strict_params (true), array_comma (false), stores_key ("data"), sessions
  (500), customers (120), start (2025-08-01), end (2025-08-31).
  Action: {"aifi": {"expire_tokens": true}} expires every token issued so far
  (the next use is a 401 "Token expired"; new tokens work).
"""

import base64
import binascii
import collections
import datetime as dt
import hashlib
import json
import math
import re
import threading
import time
import unicodedata
import urllib.parse
import uuid
from decimal import Decimal

from vendors.base import (Auth, HttpError, Response, Router, iso_z, keyset_page, parse_iso,
                          rng_for, split_path, UTC)

VENDOR = "aifi"
API = "/api/admin/v2"
JSON_CT = "application/json; charset=utf-8"

DEFAULTS = {
    "token": "aifi-secret-token",
    "allow_static_token": True,
    "client_id": "aifi-client",
    "client_secret": "aifi-client-secret",
    "token_path": "/oauth/token",
    "token_ttl_s": 3600,
    "rate_limit": 20,
    "rate_window_s": 1.0,
    "rate_limit_retry_after": None,
    "strict_params": True,
    "array_comma": False,
    "stores_key": "data",
    "doc_example": False,
    "sessions": 500,
    "customers": 120,
    "start": "2025-08-01",
    "end": "2025-08-31",
}
DATA_KNOBS = ("sessions", "customers", "start", "end")

# The "List sessions" response example of aifi-admin-v2-sessions.txt, byte
# for byte: served instead of generated data when the knob doc_example is on.
DOC_SESSIONS_EXAMPLE = '{\n  "data": [\n    {\n      "createdAt": "2019-08-24T14:15:22Z",\n      "updatedAt": "2019-08-24T14:15:22Z",\n      "code": "c69bb289-1190-4156-b9f6-bfb7f61e85db",\n      "codeFirstSuccesfullyScannedAt": "2019-08-24T14:15:22Z",\n      "codeLastSuccesfullyScannedAt": "2019-08-24T14:15:22Z",\n      "customerFirstEnteredAt": "2019-08-24T14:15:22Z",\n      "customerLastEnteredAt": "2019-08-24T14:15:22Z",\n      "customerFirstExitedAt": "2019-08-24T14:15:22Z",\n      "customerLastExitedAt": "2019-08-24T14:15:22Z",\n      "customerPaymentInstrumentId": 0,\n      "customerSatisfaction": 95,\n      "customerSatisfactionSubmitted": false,\n      "groupSize": 0,\n      "visitors": 0,\n      "locationId": "string",\n      "priority": 0,\n      "sessionToken": "d3a00526-1864-4f6e-bb2d-46e3ab7fa780",\n      "sessionId": "d3a00526-1864-4f6e-bb2d-46e3ab7fa780",\n      "referencedSessionId": null,\n      "status": "active",\n      "storeId": 0,\n      "storeIdScannableAt": 0,\n      "suspectedFraud": false,\n      "metadata": {\n        "events": [\n          {\n            "eventId": "6bdbfb2d-65b2-491c-bc97-c0ac73338476",\n            "metadata": {\n              "key": "value"\n            }\n          }\n        ],\n        "exampleKey": "exampleValue"\n      },\n      "expiresAt": "2019-08-24T14:15:22Z",\n      "id": "string",\n      "customerId": "string",\n      "customer": {\n        "externalId": "string",\n        "role": "customer",\n        "metadata": {\n          "arbitraryKey": "arbitraryValue"\n        },\n        "priority": 0,\n        "email": "user@example.com",\n        "firstName": "string",\n        "lastName": "string",\n        "phone": "string",\n        "id": "string"\n      },\n      "store": {\n        "aifiUniqueStoreId": "string",\n        "status": "OPEN",\n        "deploymentStatus": "LIVE",\n        "addressLine1": "string",\n        "addressCity": "string",\n        "addressRegion": "string",\n        "addressCountry": "AC",\n        "addressPostalCode": "string",\n        "thirdPartyId": "string",\n        "storeUrl": "string",\n        "maxPeople": 0,\n        "storeConfigId": 0,\n        "name": "string",\n        "id": "string",\n        "employeeInside": true\n      }\n    }\n  ],\n  "pagination": {\n    "previous": {\n      "count": 0,\n      "before": "string",\n      "direction": "asc"\n    },\n    "next": {\n      "count": 0,\n      "after": "string",\n      "direction": "asc"\n    }\n  }\n}'

CENT = Decimal("0.01")

# -- static fixture tables ----------------------------------------------------

STORES = [
    dict(id=1, name="nanomarket-seattle-us", displayableName="Nano Market Seattle Downtown",
         aifiUniqueStoreId="aifi-us-sea-0001", status="OPEN", deploymentStatus="LIVE",
         addressLine1="1201 3rd Ave", addressCity="Seattle", addressRegion="WA",
         addressCountry="US", addressPostalCode="98101", thirdPartyId="NM-SEA-001",
         storeUrl="https://store-1.nanomarket.example:8443", maxPeople=30, storeConfigId=11,
         employeeInside=False, createdAt="2025-03-03T09:00:00Z",
         updatedAt="2025-07-28T16:20:00Z", tax="0.1025", weight=45),
    dict(id=2, name="nanomarket-portland-us", displayableName="Nano Market Portland Pearl",
         aifiUniqueStoreId="aifi-us-pdx-0002", status="OPEN", deploymentStatus="LIVE",
         addressLine1="1120 NW Couch St", addressCity="Portland", addressRegion="OR",
         addressCountry="US", addressPostalCode="97209", thirdPartyId="NM-PDX-002",
         storeUrl="https://store-2.nanomarket.example:8443", maxPeople=20, storeConfigId=12,
         employeeInside=True, createdAt="2025-04-14T10:30:00Z",
         updatedAt="2025-08-02T08:05:00Z", tax="0", weight=35),
    dict(id=3, name="nanomarket-sanfrancisco-us", displayableName="Nano Market SF Mission",
         aifiUniqueStoreId="aifi-us-sfo-0003", status="OPEN", deploymentStatus="LIVE",
         addressLine1="2301 Mission St", addressCity="San Francisco", addressRegion="CA",
         addressCountry="US", addressPostalCode="94110", thirdPartyId="NM-SFO-003",
         storeUrl="https://store-3.nanomarket.example:8443", maxPeople=15, storeConfigId=12,
         employeeInside=False, createdAt="2025-05-20T07:45:00Z",
         updatedAt="2025-07-30T12:00:00Z", tax="0.08625", weight=20),
    dict(id=4, name="nanomarket-austin-lab-us", displayableName="Nano Market Austin Lab",
         aifiUniqueStoreId="aifi-us-aus-0004", status="CLOSED_FOR_MAINTENANCE",
         deploymentStatus="TESTING", addressLine1="500 W 2nd St", addressCity="Austin",
         addressRegion="TX", addressCountry="US", addressPostalCode="78701",
         thirdPartyId=None, storeUrl=None, maxPeople=10, storeConfigId=13,
         employeeInside=True, createdAt="2025-07-01T15:00:00Z",
         updatedAt="2025-08-20T11:11:00Z", tax="0.0825", weight=0),
]

FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella",
         "Lucas", "Mia", "Zoë", "José", "Łukasz", "Chloé", "Mateo", "Aisha", "Hiroshi",
         "Priya", "Søren", "Amelia", "James", "Harper", "Benjamin", "Nora", "Elijah",
         "Camila", "Oliver", "Lena", "Diego"]
LAST = ["Smith", "Johnson", "Nguyen", "García", "Müller", "Kowalski", "O'Brien", "Brown",
        "Davis", "Martínez", "Lee", "Wilson", "Anderson", "Taylor", "Thomas", "Moore",
        "Jackson", "Martin", "Tanaka", "Patel", "Khan", "Rossi", "Dubois", "Johansson",
        "Novák", "Silva", "Kim", "Chen", "Walker", "Young"]

# (base name, category, sizes, base price, size-2 multiplier)
PRODUCTS = [
    ("Sparkling Water", "Beverages", ("500ml", "1L"), "1.29", 1.6),
    ("Cold Brew Coffee", "Beverages", ("250ml", "1L"), "3.49", 2.8),
    ("Orange Juice", "Beverages", ("330ml", "1L"), "2.99", 2.1),
    ("Green Tea", "Beverages", ("500ml", "1.5L"), "1.99", 1.9),
    ("Energy Drink", "Beverages", ("250ml", "500ml"), "2.49", 1.5),
    ("Kombucha Ginger", "Beverages", ("330ml", "750ml"), "3.99", 1.8),
    ("Potato Chips Sea Salt", "Snacks", ("40g", "150g"), "1.79", 2.2),
    ("Dark Chocolate 70%", "Snacks", ("50g", "100g"), "2.29", 1.7),
    ("Trail Mix", "Snacks", ("75g", "200g"), "2.99", 2.2),
    ("Protein Bar Peanut", "Snacks", ("45g", "4x45g"), "2.49", 3.6),
    ("Salted Pretzels", "Snacks", ("60g", "250g"), "1.59", 2.5),
    ("Greek Yogurt", "Dairy", ("150g", "500g"), "1.49", 2.6),
    ("Whole Milk", "Dairy", ("500ml", "1L"), "1.19", 1.7),
    ("Cheddar Slices", "Dairy", ("150g", "300g"), "3.29", 1.8),
    ("Butter Croissant", "Bakery", ("1pc", "4pc"), "1.99", 3.4),
    ("Sourdough Loaf", "Bakery", ("400g", "800g"), "3.99", 1.8),
    ("Blueberry Muffin", "Bakery", ("1pc", "2pc"), "2.19", 1.8),
    ("Banana", "Produce", ("1pc", "1kg"), "0.35", 5.0),
    ("Apple Honeycrisp", "Produce", ("1pc", "1kg"), "0.89", 4.2),
    ("Baby Carrots", "Produce", ("200g", "500g"), "1.49", 2.2),
    ("Turkey Club Sandwich", "Deli", ("Regular", "Large"), "6.49", 1.4),
    ("Caesar Salad", "Deli", ("Regular", "Large"), "7.99", 1.4),
    ("Sushi Roll California", "Deli", ("8pc", "12pc"), "8.49", 1.4),
    ("Paper Towels", "Household", ("2 rolls", "6 rolls"), "3.99", 2.5),
    ("Dish Soap", "Household", ("450ml", "900ml"), "2.79", 1.8),
    ("Toothpaste Mint", "Health & Beauty", ("75ml", "125ml"), "3.49", 1.5),
    ("Hand Sanitizer", "Health & Beauty", ("50ml", "250ml"), "2.99", 2.6),
    ("Pain Relief Tablets", "Health & Beauty", ("12ct", "24ct"), "5.99", 1.6),
    ("IPA Beer", "Alcohol", ("355ml", "6x355ml"), "2.99", 4.8),
    ("Pinot Noir", "Alcohol", ("187ml", "750ml"), "6.99", 3.1),
]
TAX_CODES = {"Beverages": "BEVERAGE", "Snacks": "FOOD", "Dairy": "FOOD", "Bakery": "FOOD",
             "Produce": "FOOD_EXEMPT", "Deli": "PREPARED_FOOD", "Household": "GENERAL",
             "Health & Beauty": "GENERAL", "Alcohol": "ALCOHOL"}

ORDER_STATUSES = ("paid", "unpaid", "paymentProcessing", "draft", "contested", "reviewed",
                  "completed_so_far")

# -- webhook documentation example (aifi-push-transition-webhooks.txt, verbatim) --

DOC_ENTERED = (
    '{ "sessionId": "d3a00526-1864-4f6e-bb2d-46e3ab7fa780", "session": { "createdAt": '
    '"2019-08-24T14:15:22Z", "updatedAt": "2019-08-24T14:15:22Z", "id": 0, "customerId": 0, '
    '"code": "c69bb289-1190-4156-b9f6-bfb7f61e85db", "codeFirstSuccesfullyScannedAt": '
    '"2019-08-24T14:15:22Z", "codeLastSuccesfullyScannedAt": "2019-08-24T14:15:22Z", '
    '"customerFirstEnteredAt": "2019-08-24T14:15:22Z", "customerLastEnteredAt": '
    '"2019-08-24T14:15:22Z", "customerFirstExitedAt": "2019-08-24T14:15:22Z", '
    '"customerLastExitedAt": "2019-08-24T14:15:22Z", "customerPaymentInstrumentId": 0, '
    '"customerSatisfaction": 95, "customerSatisfactionSubmitted": false, "groupSize": 0, '
    '"visitors": 0, "locationId": "string", "priority": 0, "sessionToken": '
    '"d3a00526-1864-4f6e-bb2d-46e3ab7fa780", "sessionId": "d3a00526-1864-4f6e-bb2d-46e3ab7fa780", '
    '"referencedSessionId": null, "status": "active", "storeId": 0, "storeIdScannableAt": 0, '
    '"suspectedFraud": false, "metadata": { "events": [ { "eventId": '
    '"6bdbfb2d-65b2-491c-bc97-c0ac73338476", "metadata": { "key": "value" } } ], "exampleKey": '
    '"exampleValue" }, "expiresAt": "2019-08-24T14:15:22Z" }, "customer": { "externalId": '
    '"string", "metadata": { "arbitraryKey": "arbitraryValue" }, "id": "string", "role": '
    '"customer" }, "storeId": 0, "store": { "oasisApiStoreId": 0, "aifiUniqueStoreId": "string" '
    '}, "storeExternalId": "string", "timeOfOrigin": "2019-08-24T14:15:22Z", "timeOfIssue": '
    '"2019-08-24T14:15:22Z", "payment": { "paymentProvider": "NONE" }, "shopperId": "string", '
    '"shopper": { "shopperId": "string" } }')


def doc_webhook_samples():
    """The documented examples: entered verbatim; left shares its schema; tracking and
    checkout rebuilt from their documented field lists with the doc's placeholders."""
    entered = json.loads(DOC_ENTERED)
    left = json.loads(DOC_ENTERED)
    tracking = {"storeId": 0, "store": {"oasisApiStoreId": 0, "aifiUniqueStoreId": "string"},
                "timeOfOrigin": "2019-08-24T14:15:22Z", "timeOfIssue": "2019-08-24T14:15:22Z",
                "shopperId": "string", "uniqueEventId": "string"}
    checkout = json.loads(DOC_ENTERED)
    for k in ("payment", "shopperId", "shopper"):
        del checkout[k]
    checkout.update(orderId=0, status="completed", cart=[], amount=0, totalPrice="0.00",
                    totalTax="0.00", subtotalPrice="0.00", payment={"paymentProvider": "NONE"})
    return {"entered": entered, "left": left, "tracking": tracking, "checkout": checkout}


# -- helpers --------------------------------------------------------------------

def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False)


def _ts(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _iso(t):
    return iso_z(t) if t is not None else None


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _money(d):
    return str(Decimal(d).quantize(CENT))


def _ean13(rng):
    digits = [0] + [rng.randrange(10) for _ in range(11)]
    s = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - s % 10) % 10)


def _ascii(s):
    s = s.replace("Ł", "L").replace("ł", "l").replace("ø", "o").replace("Ø", "O")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", s)


def _bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return bool(v)
    return str(v).strip().lower() in ("1", "true", "yes", "on")


def _coerce(key, value):
    default = DEFAULTS[key]
    if value is None:
        return None
    if isinstance(default, bool):
        return _bool(value)
    if isinstance(default, float) or key == "token_ttl_s":
        return float(value)
    if isinstance(default, int):
        return int(value)
    return str(value)


def _nest_404(req):
    return HttpError(404, {"statusCode": 404,
                           "message": "Cannot %s %s" % (req.method, req.path),
                           "error": "Not Found"})


def _auth_missing():
    return HttpError(401, {"message": "Authorization header is missing", "type": "E_UNAUTHORIZED",
                           "errors": []}, {"WWW-Authenticate": 'Bearer realm="oasis"'})


def _auth_denied(msg):
    return HttpError(401, {"message": msg, "type": "E_UNAUTHORIZED", "errors": []},
                     {"WWW-Authenticate": 'Bearer realm="oasis", error="invalid_token", '
                                         'error_description="%s"' % msg})


def _query_error(errors, message="Invalid request query", kind="E_INVALID_QUERY"):
    return HttpError(400, {"message": message, "type": kind, "errors": errors})


class Row:
    """One record: its API object, its JSON text and comparable values."""
    __slots__ = ("id", "api", "text", "v", "extra")

    def __init__(self, rid, api, v, extra=None):
        self.id = rid
        self.api = api
        self.text = _dumps(api)
        self.v = v
        self.extra = extra or {}


def _sort_key(row, field):
    val = row.v[field]
    return (1, 0, row.id) if val is None else (0, val, row.id)


# -- data ---------------------------------------------------------------------------

class Data:
    def __init__(self, seed, n_sessions, n_customers, start, end):
        self.seed = seed
        self.start = start
        self.end = end
        self._stores()
        self._customers(n_customers)
        self._products()
        self._sessions(n_sessions)
        self._orders()

    # stores ---------------------------------------------------------------
    def _stores(self):
        self.stores = []
        self.store_by_id = {}
        for s in STORES:
            api = collections.OrderedDict()
            for k in ("aifiUniqueStoreId", "status", "deploymentStatus", "addressLine1",
                      "addressCity", "addressRegion", "addressCountry", "addressPostalCode"):
                api[k] = s[k]
            api["id"] = str(s["id"])
            api["store"] = {"oasisApiStoreId": s["id"], "aifiUniqueStoreId": s["aifiUniqueStoreId"]}
            for k in ("name", "displayableName", "thirdPartyId", "storeUrl", "maxPeople",
                      "storeConfigId", "employeeInside", "createdAt", "updatedAt"):
                api[k] = s[k]
            v = dict(id=s["id"], name=s["name"], createdAt=_ts(s["createdAt"]),
                     updatedAt=_ts(s["updatedAt"]), status=s["status"],
                     deploymentStatus=s["deploymentStatus"], thirdPartyId=s["thirdPartyId"],
                     aifiUniqueStoreId=s["aifiUniqueStoreId"])
            # the object embedded in a session (the sessions documentation's shape)
            embed = collections.OrderedDict()
            for k in ("aifiUniqueStoreId", "status", "deploymentStatus", "addressLine1",
                      "addressCity", "addressRegion", "addressCountry", "addressPostalCode",
                      "thirdPartyId", "storeUrl", "maxPeople", "storeConfigId", "name"):
                embed[k] = s[k]
            embed["id"] = str(s["id"])
            embed["employeeInside"] = s["employeeInside"]
            row = Row(s["id"], api, v, {"embed": embed, "tax": Decimal(s["tax"]), "src": s})
            self.stores.append(row)
            self.store_by_id[s["id"]] = row

    # customers ----------------------------------------------------------
    def _customers(self, n):
        rng = rng_for(self.seed, VENDOR, "customers", n)
        base = dt.datetime(2025, 5, 1, tzinfo=UTC)
        self.customers = []
        self.customer_by_id = {}
        for i in range(n):
            cid = 11 + i
            first = rng.choice(FIRST)
            last = rng.choice(LAST)
            r = rng.random()
            role = "customer" if r < 0.90 else ("employee" if r < 0.95 else "tester")
            created = base + dt.timedelta(seconds=rng.randint(0, 111 * 86400))
            updated = created + dt.timedelta(seconds=rng.randint(0, 20 * 86400))
            cap = dt.datetime(2025, 8, 31, 23, 0, tzinfo=UTC)
            if updated > cap:
                updated = cap
            anonymous = rng.random() < 0.08   # card-only sign-up: no contact data
            email = None if anonymous else "%s.%s%d@example.com" % (
                _ascii(first).lower(), _ascii(last).lower(), cid)
            phone = None if anonymous or rng.random() < 0.3 else \
                "+1206555%04d" % rng.randint(0, 9999)
            ext = "CUST-%06d" % cid if rng.random() < 0.85 else None
            mr = rng.random()
            if mr < 0.5:
                meta = {}
            elif mr < 0.8:
                meta = {"loyaltyTier": rng.choice(["bronze", "silver", "gold"]),
                        "marketingOptIn": rng.random() < 0.5}
            else:
                meta = {"arbitraryKey": "arbitraryValue",
                        "signupChannel": rng.choice(["ios", "android", "web"])}
            has_card = rng.random() < 0.7
            api = collections.OrderedDict([
                ("id", cid), ("externalId", ext), ("role", role), ("metadata", meta),
                ("priority", 1 if role == "employee" else 0), ("email", email),
                ("firstName", None if anonymous else first),
                ("lastName", None if anonymous else last), ("phone", phone),
                ("createdAt", iso_z(created)), ("updatedAt", iso_z(updated))])
            pmid = "pm_card_%04d" % cid if has_card else None
            v = dict(id=cid, email=email.lower() if email else None, externalId=ext,
                     pmid=pmid, createdAt=created, updatedAt=updated, role=role)
            embed = collections.OrderedDict([
                ("externalId", ext), ("role", role), ("metadata", meta),
                ("priority", api["priority"]), ("email", email), ("firstName", api["firstName"]),
                ("lastName", api["lastName"]), ("phone", phone), ("id", str(cid))])
            row = Row(cid, api, v, {"embed": embed, "card": 7000 + cid if has_card else None})
            self.customers.append(row)
            self.customer_by_id[cid] = row

    # products ---------------------------------------------------------------
    def _products(self):
        rng = rng_for(self.seed, VENDOR, "products")
        base = dt.datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
        self.products = []
        self.product_by_id = {}
        pid = 0
        for bi, (name, cat, sizes, price, mult) in enumerate(PRODUCTS):
            for si, size in enumerate(sizes):
                pid += 1
                p = Decimal(price)
                if si == 1:
                    p = Decimal(math.floor(float(p) * mult * 10) / 10).quantize(Decimal("0.1"))
                    p += Decimal("0.09")
                p = p.quantize(CENT)
                created = base + dt.timedelta(hours=pid * 7, minutes=rng.randint(0, 59))
                updated = created + dt.timedelta(days=rng.randint(0, 80), minutes=rng.randint(0, 600))
                invalid = rng.random() < 0.06
                store_prices = []
                for st in (1, 2, 3):
                    if rng.random() < 0.3:
                        sp = (p * Decimal(rng.choice(["0.9", "1.05", "1.1", "1.15"]))).quantize(CENT)
                        store_prices.append(collections.OrderedDict([
                            ("storeId", str(st)), ("productId", str(pid)), ("price", str(sp)),
                            ("createdAt", iso_z(created + dt.timedelta(days=st)))]))
                qty = rng.randint(0, 240)
                weight = rng.randint(40, 1200)
                sku = "NM-%s-%04d" % (_ascii(cat)[:3].upper(), pid)
                ext = "ERP-%06d" % (100000 + pid)
                api = collections.OrderedDict([
                    ("id", str(pid)), ("name", "%s %s" % (name, size)), ("price", str(p)),
                    ("barcode", _ean13(rng)), ("category", cat),
                    ("thumbnail", None if invalid else "https://cdn.nanomarket.example/p/%d.jpg" % pid),
                    ("invalidThumbnail", invalid), ("productId", pid), ("quantity", qty),
                    ("weight", weight), ("sku", sku), ("inventoryItemId", 5000 + pid),
                    ("externalId", ext), ("restricted", cat == "Alcohol"),
                    ("taxCode", TAX_CODES[cat]), ("storePrices", store_prices),
                    ("variants", []), ("createdAt", iso_z(created)),
                    ("updatedAt", iso_z(updated))])
                v = dict(id=pid, ids=str(pid), name=api["name"], price=p, quantity=qty,
                         createdAt=created, updatedAt=updated, barcode=api["barcode"],
                         externalId=ext, invalidThumbnail=invalid, category=cat, sku=sku)
                prices = {int(sp["storeId"]): Decimal(sp["price"]) for sp in store_prices}
                row = Row(pid, api, v, {"store_prices": prices})
                self.products.append(row)
                self.product_by_id[pid] = row

    # sessions ---------------------------------------------------------------
    def _sessions(self, n):
        rng = rng_for(self.seed, VENDOR, "sessions", n, self.start.isoformat(), self.end.isoformat())
        days = (self.end - self.start).days + 1
        day0 = dt.datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        created_all = sorted(day0 + dt.timedelta(days=rng.randrange(days),
                                                 seconds=rng.randint(6 * 3600, 22 * 3600 - 1))
                             for _ in range(n))
        store_pool = []
        for s in self.stores:
            store_pool += [s.id] * s.extra["src"]["weight"]
        sec = lambda a, b: dt.timedelta(seconds=rng.randint(a, b))  # noqa: E731
        self.sessions = []
        self.session_by_id = {}
        self.session_by_token = {}
        last_by_cust_store = {}
        for i, created in enumerate(created_all):
            sid = 1001 + i
            store = self.store_by_id[rng.choice(store_pool)]
            cust = None if rng.random() < 0.12 else rng.choice(self.customers)
            r = rng.random()
            status = "finished" if r < 0.72 else "expired" if r < 0.84 else \
                "active" if r < 0.92 else "cancelled"
            code = _uuid(rng)
            token = _uuid(rng)
            expires = created + dt.timedelta(hours=2)
            scan1 = scan2 = ent1 = ent2 = ex1 = ex2 = None
            group = visitors = 0
            sat = None
            sat_sub = False
            if status in ("finished", "active") or (status == "cancelled" and rng.random() < 0.5):
                scan1 = created + sec(5, 600)
                scan2 = scan1 + sec(5, 60) if rng.random() < 0.2 else scan1
            if status == "finished":
                gr = rng.random()
                group = 1 if gr < 0.75 else 2 if gr < 0.92 else 3 if gr < 0.98 else 4
                visitors = group if group == 1 or rng.random() < 0.9 else group - 1
                ent1 = scan2 + sec(2, 15)
                if rng.random() < 0.1:          # left and came back
                    ex1 = ent1 + sec(60, 600)
                    ent2 = ex1 + sec(30, 900)
                    ex2 = ent2 + sec(60, 1200)
                else:
                    ent2 = ent1
                    ex1 = ent2 + sec(90, 2400)
                    ex2 = ex1 + (sec(0, 300) if visitors > 1 else dt.timedelta(0))
                updated = ex2 + sec(1, 90)
                if rng.random() < 0.35:
                    sat = rng.choice([20, 40, 60, 80, 95, 100])
                    sat_sub = True
                    updated = max(updated, ex2 + sec(60, 3600))
            elif status == "active":
                group = visitors = 1 if rng.random() < 0.85 else 2
                if rng.random() < 0.7:
                    ent1 = ent2 = scan2 + sec(2, 15)
                    updated = ent2
                else:
                    visitors = 0
                    updated = scan2
            elif status == "cancelled":
                updated = created + sec(60, 1800)
                if scan1 is not None:
                    group = 1
                    updated = max(updated, scan2 + sec(1, 60))
            else:   # expired: never scanned
                updated = expires
            if cust is not None:
                card = cust.extra["card"]
            else:
                card = 90000 + rng.randint(0, 9999) if rng.random() < 0.8 else None
            ref = None
            key = (cust.id if cust else None, store.id)
            if status == "finished" and cust is not None and key in last_by_cust_store \
                    and rng.random() < 0.3:
                ref = last_by_cust_store[key]
            if cust is not None:
                last_by_cust_store[key] = token
            mr = rng.random()
            if mr < 0.6:
                meta = {}
            elif mr < 0.85:
                meta = {"appVersion": rng.choice(["5.2.0", "5.3.1", "5.4.0"]),
                        "platform": rng.choice(["ios", "android"])}
            else:
                meta = {"events": [{"eventId": _uuid(rng),
                                    "metadata": {"type": "handoff", "source": rng.choice(["pos", "kiosk"])}}],
                        "exampleKey": "exampleValue"}
            fraud = status == "finished" and rng.random() < 0.03
            location = None if scan1 is None else "store-%d-gate-%s" % (store.id, rng.choice("ab"))
            api = collections.OrderedDict([
                ("createdAt", iso_z(created)), ("updatedAt", iso_z(updated)), ("code", code),
                ("codeFirstSuccesfullyScannedAt", _iso(scan1)),
                ("codeLastSuccesfullyScannedAt", _iso(scan2)),
                ("customerFirstEnteredAt", _iso(ent1)), ("customerLastEnteredAt", _iso(ent2)),
                ("customerFirstExitedAt", _iso(ex1)), ("customerLastExitedAt", _iso(ex2)),
                ("customerPaymentInstrumentId", card), ("customerSatisfaction", sat),
                ("customerSatisfactionSubmitted", sat_sub), ("groupSize", group),
                ("visitors", visitors), ("locationId", location),
                ("priority", cust.api["priority"] if cust else 0), ("sessionToken", token),
                ("sessionId", token), ("referencedSessionId", ref), ("status", status),
                ("storeId", store.id), ("storeIdScannableAt", store.id),
                ("suspectedFraud", fraud), ("metadata", meta), ("expiresAt", iso_z(expires)),
                ("id", str(sid)), ("customerId", str(cust.id) if cust else None),
                ("customer", cust.extra["embed"] if cust else None),
                ("store", store.extra["embed"])])
            v = dict(id=sid, code=code, sessionToken=token, storeId=store.id,
                     customerId=cust.id if cust else None, status=status, visitors=visitors,
                     groupSize=group, createdAt=created, updatedAt=updated, expiresAt=expires,
                     codeLastSuccesfullyScannedAt=scan2, customerLastEnteredAt=ent2)
            row = Row(sid, api, v, {"customer": cust, "store": store, "ex2": ex2, "ent1": ent1})
            self.sessions.append(row)
            self.session_by_id[sid] = row
            self.session_by_token[token] = row

    # orders ------------------------------------------------------------------
    def _orders(self):
        rng = rng_for(self.seed, VENDOR, "orders", len(self.sessions))
        drafts = []
        for s in self.sessions:
            if s.v["status"] != "finished":
                continue
            if rng.random() < 0.09:      # walked out without buying anything
                continue
            drafts.append((s.extra["ex2"] + dt.timedelta(seconds=rng.randint(5, 60)), s.id, s))
        drafts.sort(key=lambda t: t[:2])
        sec = lambda a, b: dt.timedelta(seconds=rng.randint(a, b))  # noqa: E731
        self.orders = []
        self.order_by_session = {}
        for i, (draft, _sid, s) in enumerate(drafts):
            oid = i + 1
            store = s.extra["store"]
            cust = s.extra["customer"]
            r = rng.random()
            cum = 0.0
            status = ORDER_STATUSES[-1]
            for st, w in zip(ORDER_STATUSES, (0.78, 0.04, 0.03, 0.03, 0.05, 0.05, 0.02)):
                cum += w
                if r < cum:
                    status = st
                    break
            lines = []
            for p in rng.sample(self.products, rng.randint(1, 6)):
                q = 1 if rng.random() < 0.75 else rng.randint(2, 3)
                price = p.extra["store_prices"].get(store.id, p.v["price"])
                lines.append((p, q, price))
            subtotal = sum((price * q for _p, q, price in lines), Decimal(0)).quantize(CENT)
            tax = (subtotal * store.extra["tax"]).quantize(CENT)
            total = subtotal + tax
            completed = None if status == "draft" else draft + sec(10, 300)
            paid = completed + sec(2, 30) if status in ("paid", "contested", "reviewed") else None
            notified = completed + sec(1, 5) if completed else None
            updated = max(t for t in (draft, completed, paid, notified) if t is not None)
            if status in ("contested", "reviewed"):
                updated += sec(3600, 3 * 86400)
            r2 = rng.random()
            ext_status = "ok" if r2 < 0.94 else \
                "failedSendingWebhook" if r2 < 0.98 else "failedObtainingPrice"
            ext_id = "NM-RCPT-%06d" % oid if rng.random() < 0.9 else None
            products = []
            for p, q, price in lines:
                pa = p.api
                products.append(collections.OrderedDict([
                    ("id", p.id), ("name", pa["name"]), ("price", str(price)),
                    ("barcode", pa["barcode"]), ("category", pa["category"]),
                    ("thumbnail", pa["thumbnail"]), ("weight", pa["weight"]), ("sku", pa["sku"]),
                    ("externalId", pa["externalId"]), ("taxCode", pa["taxCode"]),
                    ("createdAt", pa["createdAt"]), ("updatedAt", pa["updatedAt"]),
                    ("quantity", q)]))
            api = collections.OrderedDict([
                ("createdAt", iso_z(draft)), ("updatedAt", iso_z(updated)), ("id", oid),
                ("version", 2 if status == "reviewed" else 1), ("isLatest", 1),
                ("customerId", str(cust.id) if cust else None), ("storeId", store.id),
                ("status", status),
                ("transactionId", None if status == "draft" else 300000 + oid),
                ("customerShoppingSessionId", s.id), ("externalId", ext_id),
                ("externalStatus", ext_status), ("subtotalPrice", _money(subtotal)),
                ("totalPrice", _money(total)), ("totalTax", _money(tax)),
                ("paidAt", _iso(paid)), ("notificationSentAt", _iso(notified)),
                ("extraText", ""), ("completedAt", _iso(completed)),
                ("draftCreatedAt", iso_z(draft)), ("sessionId", s.v["sessionToken"])])
            v = dict(id=oid, storeId=store.id, customerId=cust.id if cust else None,
                     status=status, externalStatus=ext_status,
                     customerRole=cust.v["role"] if cust else None,
                     sessionId=s.v["sessionToken"], externalId=ext_id, totalPrice=total,
                     totalProductQuantity=sum(q for _p, q, _pr in lines), createdAt=draft,
                     updatedAt=updated, draftCreatedAt=draft)
            row = Row(oid, api, v, {"session": s, "lines": lines})
            full = collections.OrderedDict(api)
            full["products"] = products
            row.extra["text_products"] = _dumps(full)
            self.orders.append(row)
            self.order_by_session[s.id] = row
        self.fixture_session = None
        for s in self.sessions:
            if s.v["status"] == "finished" and s.v["groupSize"] >= 2 and s.v["visitors"] >= 2 \
                    and s.extra["customer"] is not None and s.id in self.order_by_session \
                    and s.api["referencedSessionId"] is None:
                self.fixture_session = s
                break

    # webhooks --------------------------------------------------------------
    def webhook_session(self, s, phase):
        a = s.api
        body = collections.OrderedDict()
        for k in ("createdAt", "updatedAt"):
            body[k] = a[k]
        body["id"] = s.id
        body["customerId"] = s.v["customerId"]
        for k in ("code", "codeFirstSuccesfullyScannedAt", "codeLastSuccesfullyScannedAt",
                  "customerFirstEnteredAt", "customerLastEnteredAt", "customerFirstExitedAt",
                  "customerLastExitedAt", "customerPaymentInstrumentId", "customerSatisfaction",
                  "customerSatisfactionSubmitted", "groupSize", "visitors", "locationId",
                  "priority", "sessionToken", "sessionId", "referencedSessionId", "status",
                  "storeId", "storeIdScannableAt", "suspectedFraud", "metadata", "expiresAt"):
            body[k] = a[k]
        if phase in ("entered", "left"):
            body["status"] = "active"
            body["customerSatisfaction"] = None
            body["customerSatisfactionSubmitted"] = False
            body["suspectedFraud"] = False
        if phase == "entered":
            body["updatedAt"] = a["customerFirstEnteredAt"]
            body["customerLastEnteredAt"] = a["customerFirstEnteredAt"]
            body["customerFirstExitedAt"] = None
            body["customerLastExitedAt"] = None
        elif phase == "left":
            body["updatedAt"] = a["customerLastExitedAt"]
        return body

    def webhook_samples(self, s):
        """entered/left/tracking/checkout payloads for session row s."""
        store = s.extra["store"]
        cust = s.extra["customer"]
        shopper = _uuid(rng_for(self.seed, VENDOR, "shopper", s.id))
        head = collections.OrderedDict()
        head["sessionId"] = s.v["sessionToken"]
        head["session"] = None
        head["customer"] = None if cust is None else collections.OrderedDict([
            ("externalId", cust.api["externalId"]), ("metadata", cust.api["metadata"]),
            ("id", str(cust.id)), ("role", cust.api["role"])])
        head["storeId"] = store.id
        head["store"] = {"oasisApiStoreId": store.id,
                         "aifiUniqueStoreId": store.api["aifiUniqueStoreId"]}
        head["storeExternalId"] = store.api["thirdPartyId"]

        def stamp(payload, origin):
            payload["timeOfOrigin"] = iso_z(origin)
            payload["timeOfIssue"] = iso_z(origin + dt.timedelta(seconds=1))

        out = {"entered": None, "left": None, "tracking": None, "checkout": None}
        ent1 = s.extra["ent1"]
        if ent1 is not None and s.v["visitors"] > 0:
            for phase, origin in (("entered", ent1), ("left", s.extra["ex2"])):
                if origin is None:
                    continue
                p = collections.OrderedDict(head)
                p["session"] = self.webhook_session(s, phase)
                stamp(p, origin)
                p["payment"] = {"paymentProvider": "NONE"}
                p["shopperId"] = shopper
                p["shopper"] = {"shopperId": shopper}
                out[phase] = p
            t = collections.OrderedDict([("storeId", store.id), ("store", head["store"])])
            stamp(t, ent1 + dt.timedelta(seconds=30))
            t["shopperId"] = shopper
            t["uniqueEventId"] = _uuid(rng_for(self.seed, VENDOR, "tracking", s.id))
            out["tracking"] = t
        order = self.order_by_session.get(s.id)
        if order is not None:
            p = collections.OrderedDict(head)
            p["session"] = self.webhook_session(s, "checkout")
            stamp(p, order.v["draftCreatedAt"])
            oa = order.api
            p["orderId"] = order.id
            p["status"] = {"draft": "draft", "reviewed": "reviewed"}.get(oa["status"], "completed")
            p["cart"] = [collections.OrderedDict([
                ("productId", pr.id), ("name", pr.api["name"]), ("barcode", pr.api["barcode"]),
                ("sku", pr.api["sku"]), ("externalId", pr.api["externalId"]), ("quantity", q),
                ("price", str(price)), ("totalPrice", _money(price * q))])
                for pr, q, price in order.extra["lines"]]
            p["amount"] = float(oa["totalPrice"])
            p["totalPrice"] = oa["totalPrice"]
            p["totalTax"] = oa["totalTax"]
            p["subtotalPrice"] = oa["subtotalPrice"]
            p["payment"] = {"paymentProvider": "NONE"}
            out["checkout"] = p
        return out

    def webhook_deliveries(self, s):
        smp = self.webhook_samples(s)
        out = []
        k = s.v["visitors"]
        if smp["entered"] is not None:
            out += [{"webhook": "entered", "payload": smp["entered"]}] * k
        if smp["tracking"] is not None:
            out.append({"webhook": "tracking", "payload": smp["tracking"]})
        if smp["left"] is not None:
            out += [{"webhook": "left", "payload": smp["left"]}] * k
        if smp["checkout"] is not None:
            out.append({"webhook": "checkout", "payload": smp["checkout"]})
        return out

    def summary(self):
        by_status = collections.Counter(s.v["status"] for s in self.sessions)
        by_store = collections.Counter(str(s.v["storeId"]) for s in self.sessions)
        return {
            "stores": [s.id for s in self.stores],
            "sessions": {"count": len(self.sessions),
                         "firstId": str(self.sessions[0].id) if self.sessions else None,
                         "lastId": str(self.sessions[-1].id) if self.sessions else None,
                         "byStatus": dict(sorted(by_status.items())),
                         "byStore": dict(sorted(by_store.items())),
                         "anonymous": sum(1 for s in self.sessions if s.v["customerId"] is None)},
            "customers": {"count": len(self.customers),
                          "firstId": self.customers[0].id if self.customers else None,
                          "lastId": self.customers[-1].id if self.customers else None},
            "orders": {"count": len(self.orders),
                       "byStatus": dict(sorted(collections.Counter(
                           o.v["status"] for o in self.orders).items()))},
            "products": {"count": len(self.products)},
            "webhookFixtureSessionId": str(self.fixture_session.id) if self.fixture_session else None,
        }


# -- query parsing (Joi-like validation) -------------------------------------------

class Query:
    def __init__(self, req, conf):
        self.conf = conf
        self.params = collections.OrderedDict()
        for k, val in urllib.parse.parse_qsl(req.raw_query, keep_blank_values=True):
            name = re.sub(r"\[\d*\]$", "", k)
            self.params.setdefault(name, []).append((k != name, val))
        self.used = set()
        self.errors = []

    def err(self, name, msg, rule):
        self.errors.append({"error": '"%s" %s' % (name, msg), "rule": rule,
                            "field": '"%s"' % name})

    def _one(self, name, typ):
        self.used.add(name)
        vals = self.params.get(name)
        if not vals:
            return None
        if len(vals) > 1 or vals[0][0]:
            self.err(name, "must be a %s" % typ, "%s.base" % typ)
            return None
        return vals[0][1]

    def int(self, name, default=None, minimum=None, maximum=None):
        raw = self._one(name, "number")
        if raw is None:
            return default
        raw = raw.strip()
        if not re.match(r"^[+-]?\d+$", raw):
            try:
                f = float(raw)
            except ValueError:
                f = None
            if f is not None and math.isfinite(f):
                self.err(name, "must be an integer", "number.integer")
            else:
                self.err(name, "must be a number", "number.base")
            return default
        val = int(raw)
        if minimum is not None and val < minimum:
            self.err(name, "must be greater than or equal to %d" % minimum, "number.min")
        elif maximum is not None and val > maximum:
            self.err(name, "must be less than or equal to %d" % maximum, "number.max")
        return val

    def num(self, name, minimum=None):
        raw = self._one(name, "number")
        if raw is None:
            return None
        try:
            val = Decimal(raw.strip())
            if not val.is_finite():
                raise ValueError
        except Exception:
            self.err(name, "must be a number", "number.base")
            return None
        if minimum is not None and val < minimum:
            self.err(name, "must be greater than or equal to %d" % minimum, "number.min")
        return val

    def str(self, name):
        raw = self._one(name, "string")
        if raw is not None and raw == "":
            self.err(name, "is not allowed to be empty", "string.empty")
            return None
        return raw

    def date(self, name):
        raw = self._one(name, "date")
        if raw is None:
            return None
        raw = raw.strip()
        if re.match(r"^\d+$", raw):
            return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=int(raw))
        try:
            return parse_iso(raw, name)
        except HttpError:
            self.err(name, "must be a valid date", "date.base")
            return None

    def bool(self, name, default=False):
        raw = self._one(name, "boolean")
        if raw is None:
            return default
        low = raw.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        self.err(name, "must be a boolean", "boolean.base")
        return default

    def enum(self, name, values, default):
        raw = self._one(name, "string")
        if raw is None:
            return default
        if raw not in values:
            uniq = list(collections.OrderedDict.fromkeys(values))
            self.err(name, "must be one of [%s]" % ", ".join(uniq), "any.only")
            return default
        return raw

    def array(self, name):
        self.used.add(name)
        out = []
        for _bracket, val in self.params.get(name, []):
            parts = val.split(",") if self.conf.get("array_comma") else [val]
            for p in parts:
                if p == "":
                    self.err(name, "must not be empty", "string.empty")
                else:
                    out.append(p)
        return out or None

    def unsupported(self, *names):
        for name in names:
            self.used.add(name)
            if name in self.params:
                self.err(name, "is documented but not supported by the simulator", "sim.unsupported")

    def finish(self):
        if self.conf.get("strict_params", True):
            for name in self.params:
                if name not in self.used:
                    self.err(name, "is not allowed", "object.unknown")
        if self.errors:
            raise _query_error(self.errors)


def _match(v, preds):
    for op, key, val in preds:
        x = v[key]
        if op == "eq":
            if x is None or x != val:
                return False
        elif op == "in":
            if x is None or x not in val:
                return False
        elif op == "ge":
            if x is None or x < val:
                return False
        elif op == "le":
            if x is None or x > val:
                return False
    return True


def _ranges(q, preds, pairs):
    """min<Name>/max<Name> (date-time) on the fields in pairs."""
    for pname, field in pairs:
        lo = q.date("min" + pname)
        hi = q.date("max" + pname)
        if lo is not None:
            preds.append(("ge", field, lo))
        if hi is not None:
            preds.append(("le", field, hi))


# -- cursor pagination (sessions, stores) --------------------------------------

DATE_KEYS = {"createdAt", "updatedAt", "expiresAt", "codeLastSuccesfullyScannedAt",
             "customerLastEnteredAt"}
INT_KEYS = {"id", "storeId", "visitors", "groupSize", "customerId"}


def _jsonable(val):
    if isinstance(val, dt.datetime):
        return iso_z(val)
    return val


CURSOR_MARK = b"\xfb\xff"   # version bytes: every cursor starts with "+/"


def encode_cursor(row, order):
    obj = {"id": str(row.id), "sortKey": order, "value": _jsonable(row.v[order])}
    return base64.b64encode(CURSOR_MARK + json.dumps(obj, separators=(",", ":"),
                                                     ensure_ascii=False).encode()).decode()


def decode_cursor(name, raw, order, lookup):
    """Sort key tuple for the cursor raw, or raise a 400."""
    def bad(msg="must be a valid cursor"):
        return _query_error([{"error": '"%s" %s' % (name, msg), "rule": "any.invalid",
                              "field": '"%s"' % name}])
    if " " in raw:
        raise bad('must be a valid cursor (a "+" arrived as a space: percent-encode it)')
    raw = raw.strip()
    if re.match(r"^\d+$", raw):
        rid = int(raw)
        if order == "id":
            return (0, rid, rid)
        row = lookup(rid)
        if row is None:
            raise bad("refers to an unknown id")
        return _sort_key(row, order)
    try:
        pad = raw + "=" * (-len(raw) % 4)
        text = base64.b64decode(pad.replace("-", "+").replace("_", "/"), validate=True)
        if text.startswith(CURSOR_MARK):
            text = text[len(CURSOR_MARK):]
        obj = json.loads(text.decode("utf-8"))
        rid = int(obj["id"])
        if obj.get("sortKey", "id") != order:
            raise bad("was made for orderBy %s" % obj.get("sortKey"))
        val = obj.get("value")
        if val is None:
            return (1, 0, rid)
        if order in DATE_KEYS:
            val = parse_iso(val, name)
        elif order in INT_KEYS:
            val = int(val)
        elif not isinstance(val, str):
            raise ValueError
        return (0, val, rid)
    except HttpError as e:
        if e.body.get("type") == "E_INVALID_QUERY":
            raise
        raise bad()
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise bad()


# -- the vendor ----------------------------------------------------------------

SESSION_ORDER = ("id", "code", "storeId", "visitors", "groupSize", "expiresAt", "customerId",
                 "storeId", "codeLastSuccesfullyScannedAt", "customerLastEnteredAt",
                 "createdAt", "updatedAt")
STORE_ORDER = ("id", "name", "createdAt", "updatedAt")
ORDER_ORDER = ("id", "storeId", "totalPrice", "draftCreatedAt")
PRODUCT_SORT = ("createdAt", "name", "price", "quantity", "id")
DIRECTIONS = ("asc", "desc")


class Aifi:
    def __init__(self, sim):
        self.sim = sim
        self.lock = threading.RLock()
        self.base_conf = dict(DEFAULTS)
        for k, v in sim.options.items():
            if k.startswith(VENDOR + "."):
                key = k.split(".", 1)[1]
                if key not in DEFAULTS:
                    raise ValueError("aifi: unknown option %r" % key)
                self.base_conf[key] = _coerce(key, v)
        self.conf = dict(self.base_conf)
        self.tokens = {}
        self.token_serial = 0
        self.window = collections.deque()
        self._data = None
        self._data_key = None
        self.auth = Auth(("Bearer",), self._verify, missing=_auth_missing, invalid=_auth_denied,
                         lenient=True, bad_header="Invalid authorization header")
        self.router = (Router().add(API + "/sessions", GET=self._sessions_route)
                       .add(API + "/stores", GET=self._admin(self.stores))
                       .add(API + "/orders", GET=self._admin(self.orders))
                       .add(API + "/products", GET=self._admin(self.products))
                       .add(API + "/customers", GET=self._admin(self.customers)))

    # -- control -------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.conf = dict(self.base_conf)
            self.window.clear()

    def configure(self, conf):
        c = conf.get(VENDOR) if isinstance(conf, dict) else None
        if not isinstance(c, dict):
            return
        with self.lock:
            for k in c:
                if k != "expire_tokens" and k not in DEFAULTS:
                    raise ValueError("aifi: unknown knob %r" % k)
            for k, v in c.items():
                if k == "expire_tokens":
                    if _bool(v):
                        for t in self.tokens:
                            self.tokens[t] = 0.0
                    continue
                self.conf[k] = _coerce(k, v)

    def data(self):
        with self.lock:
            key = (self.sim.seed,) + tuple(self.conf[k] for k in DATA_KNOBS)
            if key != self._data_key:
                start = dt.date.fromisoformat(str(self.conf["start"]))
                end = dt.date.fromisoformat(str(self.conf["end"]))
                if end < start:
                    raise ValueError("aifi: end before start")
                self._data = Data(self.sim.seed, int(self.conf["sessions"]),
                                  int(self.conf["customers"]), start, end)
                self._data_key = key
            return self._data

    # -- plumbing --------------------------------------------------------------
    def _json(self, body, status=200, headers=None):
        if not isinstance(body, str):
            body = _dumps(body)
        return Response(status, body, headers or {}, JSON_CT)

    def rate_check(self):
        limit = int(self.conf.get("rate_limit") or 0)
        if limit <= 0:
            return
        window = float(self.conf.get("rate_window_s") or 1.0)
        now = time.monotonic()
        with self.lock:
            while self.window and self.window[0] <= now - window:
                self.window.popleft()
            if len(self.window) >= limit:
                headers = {}
                if self.conf.get("rate_limit_retry_after") is not None:
                    headers["Retry-After"] = str(self.conf["rate_limit_retry_after"])
                raise HttpError(503, {"message": "Service Unavailable", "type": "E_RATE_LIMIT",
                                      "errors": []}, headers)
            self.window.append(now)

    def _verify(self, cred):
        """A static token (unless allow_static_token is off) or an issued, unexpired one."""
        with self.lock:
            if self.conf.get("allow_static_token", True) and self.conf.get("token") \
                    and cred == self.conf["token"]:
                return None
            exp = self.tokens.get(cred)
        if exp is None:
            return "Invalid token"
        if exp <= time.monotonic():
            return "Token expired"
        return None

    # -- HTTP ------------------------------------------------------------------
    def handle(self, req):
        path = req.path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        if path.startswith("/_aifi/") or path == "/_aifi":
            return self.control(req, path)
        self.rate_check()
        if path == self.conf.get("token_path", "/oauth/token"):
            return self.oauth(req)
        return self.router.dispatch(req, split_path(path), _nest_404, lambda req, allowed: _nest_404(req),
                                    self.auth.check, auth_first=False)

    def _admin(self, lister):
        """A route's handler: the query parsed for lister."""
        return lambda req, parts: lister(Query(req, self.conf))

    def _sessions_route(self, req, parts):
        if self.conf.get("doc_example"):
            return Response(200, DOC_SESSIONS_EXAMPLE, content_type=JSON_CT)
        return self.sessions(Query(req, self.conf))

    def oauth(self, req):
        if req.method != "POST":
            raise _nest_404(req)
        ctype = (req.header("Content-Type") or "").lower()
        body = req.body or b""

        def fail(status, error, desc, headers=None):
            return HttpError(status, {"error": error, "error_description": desc}, headers)

        if "json" in ctype or body.lstrip()[:1] == b"{":
            try:
                obj = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise fail(400, "invalid_request", "malformed JSON body")
            if not isinstance(obj, dict):
                raise fail(400, "invalid_request", "the body must be a JSON object")
            params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in obj.items()
                      if v is not None}
        else:
            try:
                params = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                raise fail(400, "invalid_request", "the body is not UTF-8")
        cid = params.get("client_id")
        secret = params.get("client_secret")
        basic = req.basic_auth()
        if basic is not None:
            cid = urllib.parse.unquote_plus(basic[0])
            secret = urllib.parse.unquote_plus(basic[1])
        with self.lock:
            ok = cid == self.conf["client_id"] and secret == self.conf["client_secret"]
            ttl = float(self.conf["token_ttl_s"])
        if not ok:
            hdrs = {"WWW-Authenticate": 'Basic realm="oasis"'} if basic is not None else None
            raise fail(401, "invalid_client", "client authentication failed", hdrs)
        grant = params.get("grant_type")
        if not grant:
            raise fail(400, "invalid_request", "grant_type is required")
        if grant != "client_credentials":
            raise fail(400, "unsupported_grant_type", "only client_credentials is supported")
        with self.lock:
            self.token_serial += 1
            token = "aifi-at-" + hashlib.sha256(
                ("%s|%s|token|%d" % (self.sim.seed, VENDOR, self.token_serial)).encode()
            ).hexdigest()[:40]
            self.tokens[token] = time.monotonic() + ttl
        body = collections.OrderedDict([("access_token", token), ("token_type", "Bearer"),
                                        ("expires_in", int(math.ceil(ttl)))])
        if params.get("scope"):
            body["scope"] = params["scope"]
        return self._json(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    # -- /sessions ---------------------------------------------------------------
    def _cursor_args(self, q, order_keys):
        count = q.int("count", 20, 1, 200)
        after = q.str("after")
        before = q.str("before")
        order = q.enum("orderBy", order_keys, "id")
        direction = q.enum("direction", DIRECTIONS, "asc")
        if after is not None and before is not None:
            q.err("after", 'conflict with forbidden peer "before"', "object.without")
        return count, after, before, order, direction

    def _cursor_reply(self, q, rows_all, preds, lookup, key, args):
        count, after, before, order, direction = args
        q.finish()
        ck = mode = None
        if after is not None:
            ck, mode = decode_cursor("after", after, order, lookup), "after"
        elif before is not None:
            ck, mode = decode_cursor("before", before, order, lookup), "before"
        rows = [r for r in rows_all if _match(r.v, preds)]
        page, has_prev, has_next = keyset_page(rows, lambda r: _sort_key(r, order), count,
                                               direction, ck, mode)
        pag = collections.OrderedDict()
        if page and has_prev:
            pag["previous"] = collections.OrderedDict([
                ("count", count), ("before", encode_cursor(page[0], order)),
                ("direction", direction)])
        if page and has_next:
            pag["next"] = collections.OrderedDict([
                ("count", count), ("after", encode_cursor(page[-1], order)),
                ("direction", direction)])
        body = '{"%s": [%s], "pagination": %s}' % (
            key, ", ".join(r.text for r in page), _dumps(pag))
        return self._json(body)

    def sessions(self, q):
        d = self.data()
        args = self._cursor_args(q, SESSION_ORDER)
        preds = []
        _ranges(q, preds, [("CreatedAt", "createdAt"), ("UpdatedAt", "updatedAt")])
        for name in ("id", "storeId", "customerId"):
            val = q.int(name)
            if val is not None:
                preds.append(("eq", name, val))
        for name in ("code", "sessionToken"):
            val = q.str(name)
            if val is not None:
                preds.append(("eq", name, val))
        statuses = q.array("status")
        if statuses:
            preds.append(("in", "status", set(statuses)))
        for name, field, lo_min in (("Visitors", "visitors", 0), ("GroupSize", "groupSize", 0)):
            lo = q.int("min" + name, minimum=lo_min)
            hi = q.int("max" + name, minimum=1)
            if lo is not None:
                preds.append(("ge", field, lo))
            if hi is not None:
                preds.append(("le", field, hi))
        _ranges(q, preds, [("ExpiresAt", "expiresAt"),
                           ("CodeLastSuccesfullyScannedAt", "codeLastSuccesfullyScannedAt"),
                           ("CustomerLastEnteredAt", "customerLastEnteredAt")])
        return self._cursor_reply(q, d.sessions, preds, d.session_by_id.get, "data", args)

    def stores(self, q):
        d = self.data()
        args = self._cursor_args(q, STORE_ORDER)
        preds = []
        val = q.int("id")
        if val is not None:
            preds.append(("eq", "id", val))
        val = q.enum("status", ("OPEN", "CLOSED", "CLOSED_FOR_MAINTENANCE"), None)
        if val is not None:
            preds.append(("eq", "status", val))
        val = q.str("externalId")
        if val is not None:
            preds.append(("eq", "thirdPartyId", val))
        val = q.enum("deploymentStatus", ("LIVE", "TESTING", "DEPLOYMENT", "DECOMMISSIONED"), None)
        if val is not None:
            preds.append(("eq", "deploymentStatus", val))
        val = q.str("aifiUniqueStoreId")
        if val is not None:
            preds.append(("eq", "aifiUniqueStoreId", val))
        key = str(self.conf.get("stores_key") or "data")
        return self._cursor_reply(q, d.stores, preds, d.store_by_id.get, key, args)

    # -- /orders ----------------------------------------------------------------
    def orders(self, q):
        d = self.data()
        page = q.int("page", 0, 0)
        size = q.int("pageSize", 50, 1, 200)
        order = q.enum("orderBy", ORDER_ORDER, "id")
        direction = q.enum("direction", DIRECTIONS, "asc")
        preds = []
        _ranges(q, preds, [("CreatedAt", "createdAt"), ("UpdatedAt", "updatedAt")])
        val = q.int("id")
        if val is not None:
            preds.append(("eq", "id", val))
        for name in ("status", "externalStatus", "customerRole", "sessionId", "externalId"):
            vals = q.array(name)
            if vals:
                preds.append(("in", name, set(vals)))
        lo = q.date("startTime")
        hi = q.date("endTime")
        if lo is not None:
            preds.append(("ge", "draftCreatedAt", lo))
        if hi is not None:
            preds.append(("le", "draftCreatedAt", hi))
        val = q.int("storeId", minimum=1)
        if val is not None:
            preds.append(("eq", "storeId", val))
        val = q.int("customerId")
        if val is not None:
            preds.append(("eq", "customerId", val))
        q.unsupported("paymentTransactionId")
        q.bool("includeContest")
        products = q.bool("includeProducts")
        q.unsupported("customerPaymentInstrumentBin", "customerPaymentInstrumentLast4",
                      "customerPaymentInstrumentExpDate")
        lo = q.num("minTotalPrice")
        hi = q.num("maxTotalPrice")
        if lo is not None:
            preds.append(("ge", "totalPrice", lo))
        if hi is not None:
            preds.append(("le", "totalPrice", hi))
        lo = q.int("minTotalProductQuantity")
        hi = q.int("maxTotalProductQuantity")
        if lo is not None:
            preds.append(("ge", "totalProductQuantity", lo))
        if hi is not None:
            preds.append(("le", "totalProductQuantity", hi))
        _ranges(q, preds, [("DraftCreatedAt", "draftCreatedAt")])
        q.finish()
        rows = sorted((r for r in d.orders if _match(r.v, preds)),
                      key=lambda r: _sort_key(r, order), reverse=direction == "desc")
        chunk = rows[page * size:(page + 1) * size]
        texts = [r.extra["text_products"] if products else r.text for r in chunk]
        return self._json('{"data": [%s]}' % ", ".join(texts))

    # -- /products --------------------------------------------------------------
    def products(self, q):
        d = self.data()
        offset = q.int("offset", 0, 0)
        count = q.int("count", 50, 1, 200)
        preds = []
        _ranges(q, preds, [("CreatedAt", "createdAt"), ("UpdatedAt", "updatedAt")])
        sort = q.enum("sort", PRODUCT_SORT, "id")
        direction = q.enum("direction", DIRECTIONS, "asc")
        for name, field in (("id", "ids"), ("name", "name"), ("barcode", "barcode"),
                            ("externalId", "externalId")):
            vals = q.array(name)
            if vals:
                preds.append(("in", field, set(vals)))
        val = q.bool("invalidThumbnail", None)
        if val is not None:
            preds.append(("eq", "invalidThumbnail", val))
        lo = q.num("priceMin", 0)
        hi = q.num("priceMax", 0)
        if lo is not None:
            preds.append(("ge", "price", lo))
        if hi is not None:
            preds.append(("le", "price", hi))
        lo = q.int("quantityMin", minimum=0)
        hi = q.int("quantityMax", minimum=0)
        if lo is not None:
            preds.append(("ge", "quantity", lo))
        if hi is not None:
            preds.append(("le", "quantity", hi))
        for name in ("category", "sku"):
            vals = q.array(name)
            if vals:
                preds.append(("in", name, set(vals)))
        q.unsupported("location")
        q.finish()
        rows = sorted((r for r in d.products if _match(r.v, preds)),
                      key=lambda r: _sort_key(r, sort), reverse=direction == "desc")
        chunk = rows[offset:offset + count]
        return self._json('{"products": [%s]}' % ", ".join(r.text for r in chunk))

    # -- /customers -------------------------------------------------------------
    def customers(self, q):
        d = self.data()
        preds = []
        _ranges(q, preds, [("CreatedAt", "createdAt"), ("UpdatedAt", "updatedAt")])
        vals = q.array("externalId")
        if vals:
            preds.append(("in", "externalId", set(vals)))
        vals = q.array("email")
        if vals:
            preds.append(("in", "email", {x.lower() for x in vals}))
        vals = q.array("paymentInstrumentProviderId")
        if vals:
            preds.append(("in", "pmid", set(vals)))
        q.finish()
        rows = [r for r in d.customers if _match(r.v, preds)]
        return self._json("[%s]" % ", ".join(r.text for r in rows))

    # -- /_aifi/ fixtures ---------------------------------------------------------
    def _session_arg(self, req, d, default_doc):
        raw = req.arg("sessionId")
        if raw is None or raw == "":
            return None if default_doc else d.fixture_session
        if raw == "fixture":
            return d.fixture_session
        s = d.session_by_id.get(int(raw)) if raw.isdigit() else d.session_by_token.get(raw)
        if s is None:
            raise HttpError(404, {"detail": "no session %r" % raw})
        return s

    def control(self, req, path):
        d = self.data()
        if req.method != "GET":
            raise HttpError(405, {"detail": "GET only"})
        if path == "/_aifi/fixtures":
            out = d.summary()
            out["credentials"] = {"token": self.conf["token"], "client_id": self.conf["client_id"],
                                  "client_secret": self.conf["client_secret"],
                                  "token_path": self.conf["token_path"]}
            out["knobs"] = {k: self.conf[k] for k in DEFAULTS}
            return self._json(out)
        if path == "/_aifi/webhook-samples" or path.startswith("/_aifi/webhook-samples/"):
            kind = path[len("/_aifi/webhook-samples/"):] or None
            s = self._session_arg(req, d, True)
            samples = doc_webhook_samples() if s is None else d.webhook_samples(s)
            if kind is None:
                return self._json(samples)
            if kind not in samples:
                raise HttpError(404, {"detail": "kinds: entered, left, tracking, checkout"})
            return self._json(samples[kind])
        if path == "/_aifi/webhook-deliveries":
            s = self._session_arg(req, d, False)
            if s is None:
                raise HttpError(404, {"detail": "no fixture session"})
            return self._json(d.webhook_deliveries(s))
        raise HttpError(404, {"detail": "no such /_aifi/ endpoint"})


def webhook_samples(sim=None, session=None):
    """Python access to the samples: documented examples (no session) or those built
    from a fixture session (session id, UUID or "fixture") of sim's AiFi data."""
    if session is None:
        return doc_webhook_samples()
    d = sim.vendors[VENDOR].data()
    if session == "fixture":
        s = d.fixture_session
    elif str(session).isdigit():
        s = d.session_by_id[int(session)]
    else:
        s = d.session_by_token[session]
    return d.webhook_samples(s)


def make(sim):
    return Aifi(sim)
