--
-- aifi: OAuth client credentials, the admin lists with their three paging
-- styles, filter / ORDER BY / LIMIT pushdown, 503 throttling, webhooks.
-- The simulator's AiFi data is seeded (seed 42): the reference figures
-- below come from its fixture endpoint, not from retail_fdw.
--
SET timezone = 'UTC';
\set VERBOSITY default
\getenv aifi_url SIM_AIFI_URL
\! $SIMCTL reset
-- the server aifi and its tables in a come from setup (client credentials:
-- the token comes from POST /oauth/token)
SELECT foreign_table_name FROM information_schema.foreign_tables
 WHERE foreign_table_schema = 'a' ORDER BY 1;
SET search_path = a, public;

-- the fixture's own figures, fetched outside retail_fdw
CREATE TEMP TABLE fixture (doc jsonb);
\set cmd 'curl -sf "' :aifi_url '/_aifi/fixtures"'
COPY fixture FROM PROGRAM :'cmd' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');

-- every session, over cursor pages, once
SELECT count(*) AS sessions, count(DISTINCT id) AS distinct_ids,
       count(*) = (SELECT (doc #>> '{sessions,count}')::int FROM fixture) AS as_fixture
  FROM aifi_sessions;
\! $SIMCTL log --contains /api/admin/v2/sessions
-- one token for all of them, fetched once and kept
\! $SIMCTL log --contains /oauth/token

-- pushdown: ranges into min/max parameters, status as an array, equality
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM aifi_sessions
 WHERE created_at >= '2025-08-10' AND created_at < '2025-08-11'
   AND status IN ('finished', 'expired') AND store_id = 2
   AND visitors > 1;
\! $SIMCTL reset
SELECT count(*) FROM aifi_sessions
 WHERE created_at >= '2025-08-10' AND created_at < '2025-08-11'
   AND status IN ('finished', 'expired') AND store_id = 2;
\! $SIMCTL log --contains /api/admin/v2/sessions
-- the same rows as filtering everything locally (expressions stop pushdown)
SELECT (SELECT count(*) FROM aifi_sessions
         WHERE created_at >= '2025-08-10' AND created_at < '2025-08-11'
           AND status IN ('finished', 'expired') AND store_id = 2) AS pushed,
       (SELECT count(*) FROM aifi_sessions
         WHERE created_at + interval '0 s' >= '2025-08-10'
           AND created_at + interval '0 s' < '2025-08-11'
           AND status || '' IN ('finished', 'expired') AND store_id::int = 2) AS local;
-- status counts agree with the fixture
SELECT s.status, s.n = (f.doc #>> ARRAY['sessions', 'byStatus', s.status])::int AS as_fixture
  FROM (SELECT status, count(*) AS n FROM aifi_sessions GROUP BY status) s, fixture f
 ORDER BY 1;

-- session_id is the document's sessionId (listed beside sessionToken),
-- value for value as the API answers it; it has no filter of its own, so
-- PostgreSQL filters it
CREATE TEMP TABLE raw_sessions (doc jsonb);
\set cmd 'curl -sf -H "Authorization: Bearer aifi-secret-token" "' :aifi_url '/api/admin/v2/sessions?count=5"'
COPY raw_sessions FROM PROGRAM :'cmd' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
SELECT count(*) AS sessions,
       bool_and(s.session_id = r.e ->> 'sessionId') AS as_vendor,
       bool_and(s.session_id IS NOT NULL) AS present
  FROM (SELECT jsonb_array_elements(doc -> 'data') AS e FROM raw_sessions) r
  JOIN aifi_sessions s ON s.id = r.e ->> 'id';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM aifi_sessions WHERE session_id = 'x' AND store_id = 2;
SELECT count(*) = 1 AS one_row FROM aifi_sessions
 WHERE session_id = (SELECT doc #>> '{data,0,sessionId}' FROM raw_sessions)
   AND created_at >= '2025-01-01';

-- ORDER BY a documented key becomes orderBy + direction: no local Sort,
-- and the LIMIT becomes count and stops paging
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id, created_at FROM aifi_sessions ORDER BY created_at DESC LIMIT 5;
\! $SIMCTL reset
SELECT id, created_at FROM aifi_sessions ORDER BY created_at DESC LIMIT 5;
\! $SIMCTL log --contains /api/admin/v2/sessions
-- the API's order is the one PostgreSQL would produce
SELECT array_agg(id ORDER BY ord) = array_agg(id ORDER BY visitors, id) AS same_order
  FROM (SELECT id, visitors, row_number() OVER () AS ord
          FROM (SELECT id, visitors FROM aifi_sessions ORDER BY visitors) o) x;
-- NULLS FIRST ascending is not what the API does: sorted locally
EXPLAIN (COSTS OFF)
SELECT id FROM aifi_sessions ORDER BY customer_last_entered_at NULLS FIRST;
-- text columns sort by collation in PostgreSQL, while the API orders ids
-- as numbers: such an ORDER BY is never pushed, and the rows come out in
-- PostgreSQL's order
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id, customer_id FROM aifi_sessions ORDER BY customer_id;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM aifi_sessions ORDER BY id DESC LIMIT 3;
EXPLAIN (COSTS OFF)
SELECT id FROM aifi_stores ORDER BY name;
SELECT (SELECT array_agg(customer_id)
          FROM (SELECT customer_id FROM aifi_sessions ORDER BY customer_id) p)
     = (SELECT array_agg(customer_id ORDER BY customer_id)
          FROM (SELECT customer_id FROM aifi_sessions OFFSET 0) f) AS same_order;
-- a column declared with another type than the API's is not sorted remotely
CREATE FOREIGN TABLE sessions_text_store (id text, store_id text)
  SERVER aifi OPTIONS (resource 'aifi_sessions');
EXPLAIN (COSTS OFF)
SELECT id FROM sessions_text_store ORDER BY store_id;
DROP FOREIGN TABLE sessions_text_store;

-- minVisitors and minGroupSize take values >= 0, maxVisitors and
-- maxGroupSize values >= 1: a bound outside that is not sent, the executor
-- filters alone, and the answer is the same as over an unfiltered fetch
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM aifi_sessions WHERE visitors = 0 AND group_size < 1;
\! $SIMCTL reset
SELECT count(*) FROM aifi_sessions WHERE visitors = 0;
\! $SIMCTL log --contains Visitors
SELECT (SELECT count(*) FROM aifi_sessions WHERE visitors = 0) AS pushed,
       (SELECT count(*) FROM (SELECT * FROM aifi_sessions OFFSET 0) s
         WHERE visitors = 0) AS fenced;
SELECT (SELECT count(*) FROM aifi_sessions
         WHERE visitors >= -3 AND visitors <= 0 AND group_size <= 1) AS pushed,
       (SELECT count(*) FROM (SELECT * FROM aifi_sessions OFFSET 0) s
         WHERE visitors >= -3 AND visitors <= 0 AND group_size <= 1) AS fenced;
SELECT count(*) FROM aifi_sessions WHERE group_size < 0;
-- a value outside an equality parameter's domain (orders' storeId takes
-- integers >= 1) names no row: no request at all, and an IN list loses
-- it; a pushed LIMIT whose rows the recheck drops still pages on until the
-- executor has its rows
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM aifi_orders WHERE store_id = 0;
SELECT (SELECT count(*) FROM aifi_orders WHERE store_id IN (0, 1)) AS pushed,
       (SELECT count(*) FROM (SELECT * FROM aifi_orders OFFSET 0) s
         WHERE store_id IN (0, 1)) AS fenced;
SELECT count(*) FROM (SELECT id FROM aifi_sessions WHERE visitors = 0 LIMIT 3) s;

-- the documentation's example response, field for field
\! $SIMCTL config '{"aifi": {"doc_example": true}}'
\x on
SELECT * FROM aifi_sessions LIMIT 1;
\x off
-- ...whose "next" cursor ("string") leads to the same page again: an
-- error, not an endless scan
SELECT count(*) FROM aifi_sessions;
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset

-- small pages: the same rows
CREATE FOREIGN TABLE sessions_small (id text, status text)
  SERVER aifi OPTIONS (resource 'aifi_sessions', page_size '50');
\! $SIMCTL reset
SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids FROM sessions_small;
\! $SIMCTL count --contains count=50
DROP FOREIGN TABLE sessions_small;

-- the other lists: page numbers from 0, offsets, a bare array, cursors
\! $SIMCTL reset
SELECT count(*) = (SELECT (doc #>> '{orders,count}')::int FROM fixture) AS orders_ok
  FROM aifi_orders;
SELECT count(*) = (SELECT (doc #>> '{products,count}')::int FROM fixture) AS products_ok
  FROM aifi_products;
SELECT count(*) = (SELECT (doc #>> '{customers,count}')::int FROM fixture) AS customers_ok
  FROM aifi_customers;
SELECT id, name, status, deployment_status, external_id FROM aifi_stores ORDER BY id;
\! $SIMCTL log --contains /api/admin/v2/o
\! $SIMCTL log --contains /api/admin/v2/p
\! $SIMCTL log --contains /api/admin/v2/c
-- filters on the other lists
SELECT count(*) FROM aifi_orders WHERE status = 'paid' AND store_id = 1;
SELECT count(*) FROM aifi_orders WHERE status::varchar = 'paid' AND store_id::int = 1;
SELECT email, first_name FROM aifi_customers WHERE email = 'ethan.chen36@example.com';
\! $SIMCTL log --contains email=

-- the token expires: the 401 is answered by fetching a new one, once
\! $SIMCTL reset
\! $SIMCTL config '{"aifi": {"expire_tokens": true}}'
SELECT count(*) FROM aifi_stores;
\! $SIMCTL log --raw --vendor aifi
-- a bearer token instead of client credentials
ALTER USER MAPPING FOR CURRENT_USER SERVER aifi
  OPTIONS (DROP client_id, DROP client_secret, ADD token 'aifi-secret-token');
SELECT count(*) FROM aifi_stores;
-- wrong client credentials: 28000, no secret in the message
ALTER USER MAPPING FOR CURRENT_USER SERVER aifi
  OPTIONS (DROP token, ADD client_id 'aifi-client', ADD client_secret 'not-the-secret');
SELECT count(*) FROM aifi_stores;
\echo :LAST_ERROR_SQLSTATE
ALTER USER MAPPING FOR CURRENT_USER SERVER aifi
  OPTIONS (SET client_secret 'aifi-client-secret');

-- 503 is AiFi's throttling: retried, then fine
\! $SIMCTL reset
\! $SIMCTL fault '{"vendor": "aifi", "path_contains": "/stores", "status": 503, "body": {"message": "Service Unavailable", "type": "E_RATE_LIMIT", "errors": []}, "times": 2}'
SELECT count(*) FROM aifi_stores;
\! $SIMCTL log --contains /stores
-- throttled for good: 53400
\! $SIMCTL fault '{"vendor": "aifi", "path_contains": "/stores", "status": 503, "times": -1}'
SELECT count(*) FROM aifi_stores;
\echo :LAST_ERROR_SQLSTATE
\! $SIMCTL reset
-- pacing keeps a many-page scan under the vendor's 20 requests a second:
-- 25 pages and not one 503
CREATE FOREIGN TABLE sessions_tiny (id text)
  SERVER aifi OPTIONS (resource 'aifi_sessions', page_size '20');
SELECT count(*) FROM sessions_tiny;
\! $SIMCTL count --contains count=20
\! $SIMCTL log --vendor aifi | grep -c -- '-> 503'
DROP FOREIGN TABLE sessions_tiny;
-- a bad option value
ALTER SERVER aifi OPTIONS (ADD max_requests_per_second 'fast');

-- webhooks: the samples AiFi documents
CREATE TEMP TABLE samples (doc jsonb);
\set cmd 'curl -sf "' :aifi_url '/_aifi/webhook-samples"'
COPY samples FROM PROGRAM :'cmd' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
-- "entered" arrives once per person of a group of two: one row, two deliveries
SELECT kind, session_id, session_token, store_id, deliveries
  FROM samples, retail_fdw.aifi_ingest('entered', doc -> 'entered');
SELECT kind, deliveries
  FROM samples, retail_fdw.aifi_ingest('entered', doc -> 'entered');
SELECT kind, store_id, shopper_id, time_of_origin
  FROM samples, retail_fdw.aifi_ingest('tracking', doc -> 'tracking');
SELECT kind, session_id, deliveries
  FROM samples, retail_fdw.aifi_ingest('checkout', doc -> 'checkout');
SELECT kind, count(*), sum(deliveries) FROM retail_fdw.aifi_events GROUP BY kind ORDER BY kind;
-- The document marks no field required (tracking has no body defined,
-- checkout no page): no field refuses a delivery.  What is missing or
-- ill-typed leaves its column NULL; the payload keeps what came.
-- tracking without shopperId, with an unknown field:
SELECT kind, store_id, shopper_id, time_of_origin, payload
  FROM retail_fdw.aifi_ingest('tracking', '{"storeId": 7, "frameAnnotation": {"x": 1}}');
-- tracking with no body at all
SELECT kind, store_id, payload FROM retail_fdw.aifi_ingest('tracking', NULL);
-- entered with nothing but the deprecated sessionId
SELECT kind, session_id, store_id, time_of_origin
  FROM retail_fdw.aifi_ingest('entered', '{"sessionId": "x"}');
-- a storeId that is no number, a time that is not ISO 8601: kept in the payload
SELECT kind, store_id, time_of_origin, payload -> 'storeId' AS raw_store,
       payload -> 'timeOfOrigin' AS raw_origin
  FROM samples, retail_fdw.aifi_ingest('entered',
         jsonb_set(jsonb_set(doc -> 'entered', '{storeId}', '"S-1"'),
                   '{timeOfOrigin}', '"yesterday"'));
-- neither session.sessionId nor the deprecated one: stored without a session id
SELECT kind, session_id, session_token IS NULL AS no_token, store_id
  FROM samples, retail_fdw.aifi_ingest('left',
         ((doc -> 'entered') #- '{session,sessionId}' #- '{session,sessionToken}') - 'sessionId');
-- refused: the body of entered and left is a JSON object; an unknown kind
SELECT retail_fdw.aifi_ingest('left', '[1, 2]');
SELECT retail_fdw.aifi_ingest('entered', NULL);
SELECT retail_fdw.aifi_ingest('exited', '{}');
SELECT kind, count(*) FROM retail_fdw.aifi_events GROUP BY kind ORDER BY kind;
-- sessionId at the top level is deprecated in favour of session.sessionId:
-- session_id is the session's UUID (not session.id), and a payload without
-- the deprecated field is taken
SELECT kind, session_id, session_token
  FROM samples, retail_fdw.aifi_ingest('left', (doc -> 'entered') - 'sessionId');
SELECT kind, session_id, session_token
  FROM samples, retail_fdw.aifi_ingest('checkout',
         jsonb_build_object('session', jsonb_build_object('sessionId', 'c0ffee00-0000-4000-8000-000000000001')));
SELECT kind, count(*) FROM retail_fdw.aifi_events GROUP BY kind ORDER BY kind;
-- group_size, visitors (session.groupSize, session.visitors) and
-- oasis_store_id (store.oasisApiStoreId): 0, 0 and 0 in the document's example
SELECT kind, group_size, visitors, oasis_store_id, store_id
  FROM samples, retail_fdw.aifi_ingest('left', doc -> 'entered');
-- a group of three of whom two went in, the largest values the columns hold
SELECT group_size, visitors, oasis_store_id
  FROM samples, retail_fdw.aifi_ingest('left',
         jsonb_set(jsonb_set(jsonb_set(doc -> 'entered',
           '{session,groupSize}', '3'), '{session,visitors}', '2'),
           '{store,oasisApiStoreId}', '9007199254740993'));
SELECT group_size, visitors, oasis_store_id
  FROM retail_fdw.aifi_ingest('checkout', '{"session": {"groupSize": 2147483647,
         "visitors": -2147483648}, "store": {"oasisApiStoreId": 9223372036854775807}}');
-- missing: NULL, and the delivery is stored
SELECT kind, group_size, visitors, oasis_store_id, deliveries
  FROM retail_fdw.aifi_ingest('left', '{"sessionId": "no-counts"}');
SELECT kind, group_size, visitors, oasis_store_id, deliveries
  FROM samples, retail_fdw.aifi_ingest('left',
         (doc -> 'entered') #- '{session,groupSize}' #- '{session,visitors}'
                            #- '{store,oasisApiStoreId}');
-- ill-typed (a string, a fraction, out of range, a boolean, an object, null,
-- session or store not an object): NULL, the payload keeps what came
SELECT group_size, visitors, oasis_store_id, payload
  FROM retail_fdw.aifi_ingest('left', '{"session": {"groupSize": "2", "visitors": 1.5},
         "store": {"oasisApiStoreId": 9223372036854775808}}');
SELECT group_size, visitors, oasis_store_id, payload
  FROM retail_fdw.aifi_ingest('left', '{"session": {"groupSize": 2147483648, "visitors": true},
         "store": {"oasisApiStoreId": {"id": 1}}}');
SELECT group_size, visitors, oasis_store_id, payload
  FROM retail_fdw.aifi_ingest('left', '{"session": {"groupSize": null, "visitors": [2]},
         "store": "7"}');
SELECT group_size, visitors, oasis_store_id, payload
  FROM retail_fdw.aifi_ingest('tracking', '{"session": [3], "store": null}');
SELECT kind, count(*) FROM retail_fdw.aifi_events GROUP BY kind ORDER BY kind;
-- the customer's externalId, role and metadata, the payment's provider and
-- the payment object: the document's example ("string", "customer", an
-- object, "NONE")
SELECT customer_id, customer_external_id, customer_role, customer_metadata,
       payment_provider, payment
  FROM samples, retail_fdw.aifi_ingest('left',
         jsonb_set(doc -> 'entered', '{customer,externalId}', '"ext-77"'));
-- missing, or not of the document's type (a number for a string, an array
-- for an object, customer or payment not an object): NULL, stored all the same
SELECT customer_external_id, customer_role, customer_metadata, payment_provider,
       payment, deliveries
  FROM retail_fdw.aifi_ingest('left', '{"sessionId": "no-customer"}');
SELECT customer_external_id, customer_role, customer_metadata, payment_provider,
       payment, payload
  FROM retail_fdw.aifi_ingest('left', '{"customer": {"externalId": 7, "role": ["customer"],
         "metadata": [1]}, "payment": {"paymentProvider": {"name": "x"}}}');
SELECT customer_external_id, customer_role, customer_metadata, payment_provider,
       payment, payload
  FROM retail_fdw.aifi_ingest('left', '{"customer": "c-1", "payment": ["NONE"]}');
-- the events are this file's: gone with it
DELETE FROM retail_fdw.aifi_events;

-- the API's refusal of a request (HTTP 400), as the document's example
-- shows it: E_INVALID_BODY, Joi's message naming the field (vendor_call
-- hands any answer below 500 back as is)
SELECT status, body_head::jsonb->>'message' AS message, body_head::jsonb->>'type' AS type,
       body_head::jsonb->'errors'->0->>'field' AS field,
       body_head::jsonb->'errors'->0->>'rule' AS rule
  FROM retail_fdw.vendor_call('aifi', 'GET', '/api/admin/v2/sessions?count=500');
