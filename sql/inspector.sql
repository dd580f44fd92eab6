--
-- inspector: visits by id (several at once, 404 = no row), joins by id,
-- the listing path, children, the per-query answer cache, UTF-8, and
-- acknowledging only on request.
--
SET timezone = 'UTC';
\set VERBOSITY default
\getenv ic_url SIM_INSPECTOR_URL
\! $SIMCTL reset
-- the server ic and its tables in ic come from setup
SELECT foreign_table_name FROM information_schema.foreign_tables
 WHERE foreign_table_schema = 'ic' ORDER BY 1;
SET search_path = ic, public;

-- neither an id nor a lower bound on created_at: refused before any request
SELECT count(*) FROM ic_visits;
SELECT count(*) FROM ic_visit_prices WHERE created_at < '2025-08-10';
\! $SIMCTL count --vendor inspector

-- the documentation's example visit, field for field
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM ic_visits WHERE id = 324096;
\x on
SELECT * FROM ic_visits WHERE id = 324096;
\x off
SELECT visit_id, oos_id, scene_id, sku_id, sku_cid, reason, diagnosis, fixed, updated_at
  FROM ic_visit_oos_reasons WHERE visit_id = 324096 ORDER BY oos_id;
SELECT visit_id, price_id, scene_id, sku_id, sku_cid, price, target_price, is_promo
  FROM ic_visit_prices WHERE visit_id = 324096 ORDER BY price_id;
SELECT visit_id, dqi_id, uuid, name, related_to, severity, threshold FROM ic_visit_dqi
 WHERE visit_id = 324096;
SELECT scene_id, question_group_name, question_id, question_cid, question_text,
       question_type, answer_text, jsonb_array_length(options) AS options
  FROM ic_visit_answers WHERE visit_id = 324096 ORDER BY question_id;
SELECT scene_id, task_id, jsonb_array_length(images) AS images FROM ic_visit_scenes
 WHERE visit_id = 324096 ORDER BY scene_id;
SELECT scene_id, image_id, original_url FROM ic_visit_images WHERE visit_id = 324096;
-- Russian texts byte for byte, against the vendor's own JSON
CREATE TEMP TABLE raw (doc jsonb);
\set cmd 'curl -sf -H "Authorization: Token ic-secret-token" "' :ic_url '/api/data/v1.3/visits/324096/"'
COPY raw FROM PROGRAM :'cmd' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
SELECT (SELECT array_agg(convert_to(reason, 'UTF8') ORDER BY oos_id)
          FROM ic_visit_oos_reasons WHERE visit_id = 324096)
     = (SELECT array_agg(convert_to(r ->> 'reason', 'UTF8') ORDER BY (r ->> 'id')::bigint)
          FROM raw, jsonb_array_elements(doc -> 'oos_reasons') r) AS same_bytes;

-- several ids at once; a 404 (500002 does not exist) is no row
\! $SIMCTL reset
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM ic_visits WHERE id IN (500001, 500002, 500008, 500015);
SELECT id, cid, store_id, agent_id, current_agent_name, is_new, created_at
  FROM ic_visits WHERE id IN (500001, 500002, 500008, 500015) ORDER BY id;
\! $SIMCTL log --vendor inspector

-- ids fed by a join from a local table
CREATE TEMP TABLE wanted (visit bigint, note text);
INSERT INTO wanted VALUES (500022, 'recheck'), (500029, 'audit'), (999999, 'typo');
ANALYZE wanted;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
\! $SIMCTL reset
EXPLAIN (COSTS OFF)
SELECT w.note, v.store_id FROM wanted w JOIN ic_visits v ON v.id = w.visit;
SELECT w.note, v.id, v.store_id FROM wanted w JOIN ic_visits v ON v.id = w.visit ORDER BY v.id;
\! $SIMCTL log --vendor inspector
RESET enable_hashjoin;
RESET enable_mergejoin;

-- a visit with its children in one query: each visit is read once
\! $SIMCTL reset
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT v.id, count(p.*) AS prices, count(DISTINCT o.oos_id) AS oos
  FROM ic_visits v
  LEFT JOIN ic_visit_prices p ON p.visit_id = v.id
  LEFT JOIN ic_visit_oos_reasons o ON o.visit_id = v.id
 WHERE v.id IN (500008, 500015, 500022)
   AND p.visit_id IN (500008, 500015, 500022)
   AND o.visit_id IN (500008, 500015, 500022)
 GROUP BY v.id;
\! $SIMCTL log --vendor inspector

-- no ids: the visits created since a bound are listed (is_new=false, so
-- acknowledged ones too), then read several at once
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM ic_visits WHERE created_at >= '2025-08-19' AND current_agent_route = '164781';
\! $SIMCTL reset
SELECT id, current_agent_route, created_at FROM ic_visits
 WHERE created_at >= '2025-08-19' AND current_agent_route = '164781' ORDER BY id;
\! $SIMCTL log --vendor inspector
SELECT count(*) AS visits, min(created_at) >= '2025-08-15' AS bounded
  FROM ic_visits WHERE created_at >= '2025-08-15';
SELECT count(*) AS prices, count(DISTINCT visit_id) AS visits
  FROM ic_visit_prices WHERE created_at >= '2025-08-02';
SELECT count(*) FROM ic_visits WHERE created_at >= '2030-01-01';

-- reading never acknowledges; ic_ack_visit does, explicitly
CREATE TEMP TABLE newlist (doc jsonb);
\set cmd 'curl -sf -H "Authorization: Token ic-secret-token" "' :ic_url '/api/data/v1.3/visits/?limit=1000"'
COPY newlist FROM PROGRAM :'cmd' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
SELECT (doc ->> 'count')::int AS new_before_ack FROM newlist;
SELECT retail_fdw.ic_ack_visit('ic', 500001) AS acknowledged,
       retail_fdw.ic_ack_visit('ic', 500002) AS unknown;
TRUNCATE newlist;
COPY newlist FROM PROGRAM :'cmd' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
SELECT (doc ->> 'count')::int AS new_after_ack FROM newlist;
SELECT is_new FROM ic_visits WHERE id = 500001;
SELECT retail_fdw.ic_ack_visit('rn', 500001);

-- WHERE is_new lists only the visits not yet acknowledged: is_new=true in
-- place of the constant is_new=false (the acknowledged 500001 is not
-- listed, not even read); NOT is_new lists them all and PostgreSQL filters
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM ic_visits WHERE created_at >= '2020-01-01' AND is_new;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM ic_visits WHERE created_at >= '2020-01-01' AND NOT is_new;
SELECT count(*) AS new_visits, bool_and(is_new) AS all_new,
       count(*) FILTER (WHERE id = 500001) AS acknowledged_listed
  FROM ic_visits WHERE created_at >= '2020-01-01' AND is_new;
SELECT (SELECT count(*) FROM ic_visits WHERE created_at >= '2020-01-01' AND is_new) AS pushed,
       (SELECT count(*) FROM (SELECT * FROM ic_visits WHERE created_at >= '2020-01-01'
                               OFFSET 0) v WHERE is_new) AS fenced,
       (SELECT count(*) FROM ic_visits WHERE created_at >= '2020-01-01' AND NOT is_new) AS not_new,
       (SELECT count(*) FROM ic_visits WHERE created_at >= '2020-01-01') AS every_visit;

-- stores and SKUs: offset lists, UTF-8 names
SELECT id, name, city FROM ic_stores ORDER BY id;
SELECT count(*), count(DISTINCT id) FROM ic_skus;
SELECT name, octet_length(name) FROM ic_skus WHERE id = 155282;
-- children carry their own times: a DQI entry's and a question's
-- created_at are theirs (visit_created_at is the visit's, for the listing)
SELECT d.dqi_id, d.created_at, d.updated_at,
       d.created_at = (r.doc #>> '{dqi,0,created_at}')::timestamptz AS as_vendor,
       d.visit_created_at = (r.doc ->> 'created_at')::timestamptz AS visit_time
  FROM ic_visit_dqi d, raw r WHERE d.visit_id = 324096;
SELECT question_id, created_at, visit_created_at FROM ic_visit_answers
 WHERE visit_id = 324096 ORDER BY question_id;
-- scenes and images too: created_at is the element's own (the document's
-- scenes[].created_at, images[].created_at), the visit's is visit_created_at
SELECT s.scene_id, s.created_at, s.visit_created_at,
       s.created_at = (SELECT (e ->> 'created_at')::timestamptz
                         FROM jsonb_array_elements(r.doc -> 'scenes') e
                        WHERE (e ->> 'id')::bigint = s.scene_id) AS as_vendor,
       s.visit_created_at = (r.doc ->> 'created_at')::timestamptz AS visit_time
  FROM ic_visit_scenes s, raw r WHERE s.visit_id = 324096 ORDER BY s.scene_id;
SELECT i.image_id, i.created_at, i.visit_created_at,
       i.created_at = (SELECT (m ->> 'created_at')::timestamptz
                         FROM jsonb_array_elements(r.doc -> 'scenes') e,
                              jsonb_array_elements(e -> 'images') m
                        WHERE (m ->> 'id')::bigint = i.image_id) AS as_vendor
  FROM ic_visit_images i, raw r WHERE i.visit_id = 324096 ORDER BY i.image_id;
-- the listing filters by the visit's time only: visit_created_at pushes,
-- a bound on the element's created_at stays local (and alone is not enough)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT scene_id FROM ic_visit_scenes
 WHERE visit_created_at >= '2025-08-02' AND created_at >= '2025-08-03';
SELECT count(*) FROM ic_visit_scenes WHERE created_at >= '2025-08-03';
SELECT count(*) FROM ic_visit_images WHERE created_at >= '2025-08-03';
-- a filter on created_at selects by the element's time: a scene created
-- after the bound in a visit created before it is in, and the answer is
-- the same as PostgreSQL's own filter over the visits' scenes
-- (the bound: a second after the tenth listed visit was created)
SELECT visit_created_at + interval '1 second' AS bound FROM ic_visit_scenes
 WHERE visit_created_at >= '2025-08-01' ORDER BY visit_created_at, scene_id OFFSET 10 LIMIT 1 \gset
SELECT (SELECT array_agg(scene_id ORDER BY scene_id) FROM ic_visit_scenes
         WHERE visit_created_at >= '2025-08-01' AND created_at >= :'bound')
     = (SELECT array_agg(scene_id ORDER BY scene_id)
          FROM (SELECT * FROM ic_visit_scenes WHERE visit_created_at >= '2025-08-01' OFFSET 0) s
         WHERE created_at >= :'bound') AS same_rows,
       (SELECT count(*) > 0 FROM ic_visit_scenes
         WHERE visit_created_at >= '2025-08-01' AND created_at >= :'bound'
           AND visit_created_at < :'bound') AS earlier_visits_in;
SELECT (SELECT array_agg(image_id ORDER BY image_id) FROM ic_visit_images
         WHERE visit_created_at >= '2025-08-01'
           AND created_at > '2025-08-02 09:00' AND created_at <= '2025-08-04 12:00')
     = (SELECT array_agg(image_id ORDER BY image_id)
          FROM (SELECT * FROM ic_visit_images WHERE visit_created_at >= '2025-08-01' OFFSET 0) s
         WHERE created_at > '2025-08-02 09:00' AND created_at <= '2025-08-04 12:00') AS same_rows,
       (SELECT bool_and(created_at > visit_created_at) FROM ic_visit_images
         WHERE visit_created_at >= '2025-08-01') AS own_time;
SELECT count(*) FROM ic_visit_dqi WHERE created_at >= '2025-08-01';
SELECT count(*) AS dqi, count(DISTINCT visit_id) AS visits,
       bool_and(created_at > visit_created_at) AS own_time
  FROM ic_visit_dqi WHERE visit_created_at >= '2025-08-02';

-- an answer is a string for a text question (the document types answer as
-- a string), an object {option id: text} for a choice
SELECT question_id, question_type, jsonb_typeof(answer) AS json_type, answer_text
  FROM ic_visit_answers WHERE visit_id = 500001 ORDER BY question_id;

-- a question's group has a created_at of its own
SELECT DISTINCT question_group_id, question_group_name, question_group_created_at
  FROM ic_visit_answers WHERE visit_id = 324096;

-- a question's options, one row each (id and value); the chosen one is
-- the key of a choice's answer
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM ic_visit_answer_options WHERE visit_id = 324096;
SELECT scene_id, question_group_id, question_id, option_id, value
  FROM ic_visit_answer_options WHERE visit_id = 324096 ORDER BY option_id;
SELECT a.question_id, o.option_id, o.value
  FROM ic_visit_answers a
  JOIN ic_visit_answer_options o
    ON o.visit_id = a.visit_id AND o.question_id = a.question_id
   AND a.answer ? o.option_id::text
 WHERE a.visit_id = 324096 AND o.visit_id = 324096;
SELECT count(*) AS options, count(DISTINCT visit_id) AS visits
  FROM ic_visit_answer_options WHERE created_at >= '2025-08-19';

-- a scene's image_quality, assortment and facing_counts: one row per
-- element (the document's example has none), with the scene's id; created_at
-- is the visit's, as for prices: an id or a lower bound on it is required
SELECT count(*) FROM ic_visit_assortment WHERE created_at < '2025-08-10';
SELECT (SELECT count(*) FROM ic_visit_image_quality WHERE visit_id = 324096) AS quality,
       (SELECT count(*) FROM ic_visit_assortment WHERE visit_id = 324096) AS assortment,
       (SELECT count(*) FROM ic_visit_facing_counts WHERE visit_id = 324096) AS facings;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM ic_visit_image_quality WHERE visit_id IN (500001, 500015);
\! $SIMCTL reset
SELECT * FROM ic_visit_image_quality WHERE visit_id IN (500001, 500015)
 ORDER BY visit_id, scene_id;
\! $SIMCTL log --vendor inspector
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM ic_visit_assortment WHERE visit_id = 500015;
SELECT * FROM ic_visit_assortment WHERE visit_id = 500015 ORDER BY sku_id;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM ic_visit_facing_counts
 WHERE created_at >= '2025-08-19' AND created_at < '2025-08-20';
\! $SIMCTL reset
SELECT * FROM ic_visit_facing_counts
 WHERE created_at >= '2025-08-19' AND created_at < '2025-08-20' ORDER BY visit_id, sku_id;
\! $SIMCTL log --vendor inspector
-- the same rows as the vendor's JSON (shelfs_count is shelves_count, FG fg)
TRUNCATE raw;
\set cmd 'curl -sf -H "Authorization: Token ic-secret-token" "' :ic_url '/api/data/v1.3/visits/500015/"'
COPY raw FROM PROGRAM :'cmd' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');
SELECT (SELECT array_agg(row(scene_id, image_quality_id, sharpness, perspective_angles,
                              shelves_count, facing_count)::text ORDER BY image_quality_id)
          FROM ic_visit_image_quality WHERE visit_id = 500015)
     = (SELECT array_agg(row((e ->> 'id')::bigint, (q ->> 'id')::bigint,
                              (q ->> 'sharpness')::bigint, (q ->> 'perspective_angles')::bigint,
                              (q ->> 'shelfs_count')::bigint,
                              (q ->> 'facing_count')::bigint)::text ORDER BY (q ->> 'id')::bigint)
          FROM raw, jsonb_array_elements(doc -> 'scenes') e,
               jsonb_array_elements(e -> 'image_quality') q) AS quality_as_vendor,
       (SELECT array_agg(row(scene_id, sku_id, sku_cid, quantity, status)::text ORDER BY sku_id)
          FROM ic_visit_assortment WHERE visit_id = 500015)
     = (SELECT array_agg(row((e ->> 'id')::bigint, a ->> 'sku_id', a ->> 'sku_cid',
                              (a ->> 'quantity')::bigint, a ->> 'status')::text
                         ORDER BY a ->> 'sku_id')
          FROM raw, jsonb_array_elements(doc -> 'scenes') e,
               jsonb_array_elements(e -> 'assortment') a) AS assortment_as_vendor,
       (SELECT array_agg(row(scene_id, sku_id, sku_cid, fg)::text ORDER BY sku_id)
          FROM ic_visit_facing_counts WHERE visit_id = 500015)
     = (SELECT array_agg(row((e ->> 'id')::bigint, (f ->> 'sku_id')::bigint, f ->> 'sku_cid',
                              (f ->> 'FG')::bigint)::text ORDER BY (f ->> 'sku_id')::bigint)
          FROM raw, jsonb_array_elements(doc -> 'scenes') e,
               jsonb_array_elements(e -> 'facing_counts') f) AS facings_as_vendor;

-- an upper bound on created_at drops listed visits before their details
-- are read: one listing and three visits, not every visit since the bound
\! $SIMCTL reset
SELECT id, created_at FROM ic_visits
 WHERE created_at >= '2025-08-03' AND created_at < '2025-08-04' ORDER BY id;
\! $SIMCTL log --vendor inspector
SELECT (SELECT array_agg(visit_id ORDER BY price_id) FROM ic_visit_prices
         WHERE created_at > '2025-08-02 09:00' AND created_at <= '2025-08-04 12:00')
     = (SELECT array_agg(visit_id ORDER BY price_id)
          FROM (SELECT * FROM ic_visit_prices WHERE created_at >= '2025-08-01' OFFSET 0) s
         WHERE created_at > '2025-08-02 09:00' AND created_at <= '2025-08-04 12:00') AS same_rows;

-- the server caps limit (here at 100) instead of refusing limit=1000: the
-- listing follows next until it holds count visits, never stopping at a
-- short page
\! $SIMCTL reset
\! $SIMCTL config '{"inspector": {"max_limit": 100, "visits": 250}}'
SELECT count(*) AS visits, count(DISTINCT id) AS distinct_ids
  FROM ic_visits WHERE created_at >= '2025-01-01';
\! $SIMCTL log --vendor inspector --contains visits/?
-- the same with the offset lists read by the scan itself
\! $SIMCTL config '{"inspector": {"max_limit": 7}}'
CREATE FOREIGN TABLE skus_big_pages (id bigint)
  SERVER ic OPTIONS (resource 'ic_skus', page_size '1000');
SELECT count(*), count(DISTINCT id) FROM skus_big_pages;
DROP FOREIGN TABLE skus_big_pages;
-- a listing that ends before its count is an error, not a short answer
\! $SIMCTL fault '{"vendor": "inspector", "query_contains": "datetime_gte", "status": 200, "body": {"count": 5, "next": null, "previous": null, "results": [{"id": 500001, "cid": "V-500001", "name": "x", "created_at": "2025-08-01T08:32:09Z", "updated_at": "2025-08-01T09:00:00Z"}]}, "times": 1}'
SELECT count(*) FROM ic_visits WHERE created_at >= '2025-01-01';
\! $SIMCTL reset

-- agent_id, the children's scene_id and sku_id and the kpi values'
-- clone_id are strings in the document: text columns, non-numeric values
-- fine, agent_id still a listing filter
SELECT table_name, column_name, data_type FROM information_schema.columns
 WHERE table_schema = 'ic'
   AND column_name IN ('agent_id', 'scene_id', 'sku_id', 'clone_id')
 ORDER BY 1, 2;
\! $SIMCTL config '{"inspector": {"string_ids": true}}'
SELECT id, agent_id, current_agent_name FROM ic_visits WHERE id = 500001;
SELECT price_id, scene_id, sku_id FROM ic_visit_prices WHERE visit_id = 500001
 ORDER BY price_id;
SELECT oos_id, scene_id, sku_id FROM ic_visit_oos_reasons WHERE visit_id = 500008;
SELECT kpi_value_id, clone_id FROM ic_visit_kpis WHERE visit_id = 500001;
SELECT scene_id, sku_id FROM ic_visit_assortment WHERE visit_id = 500001;
SELECT id, agent_id FROM ic_visits
 WHERE created_at >= '2025-08-19' AND agent_id = 'AG-5634' ORDER BY id;
\! $SIMCTL log --vendor inspector --contains agent=
\! $SIMCTL reset

-- wrong token: 28000
ALTER USER MAPPING FOR CURRENT_USER SERVER ic OPTIONS (SET token 'wrong');
SELECT id FROM ic_visits WHERE id = 324096;
\echo :LAST_ERROR_SQLSTATE
ALTER USER MAPPING FOR CURRENT_USER SERVER ic OPTIONS (SET token 'ic-secret-token');
\! $SIMCTL reset
