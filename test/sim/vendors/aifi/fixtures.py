"""The simulated AiFi's names, knobs and fixed tables: stores, people, products and
the documentation's examples (see the package docstring)."""

import json
from decimal import Decimal

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
    "error_type": "body",
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
    """The documented examples: entered verbatim; left shares its schema.  The document
    defines no body for tracking and has no page for checkout: their samples are empty
    objects (no invented field; a receiver must not depend on any)."""
    entered = json.loads(DOC_ENTERED)
    left = json.loads(DOC_ENTERED)
    return {"entered": entered, "left": left, "tracking": {}, "checkout": {}}
