-- The Twitter customer support dataset → TEMP `staged`.
-- Parameters: $path (file), $ns (namespace), $queue (--queue or NULL).
-- ingest/twcs.py runs these in file order and repeats `tree_step` until
-- `tree_left` is 0. Tweet ids are BIGINT inside (fast joins), VARCHAR when staged.

-- name: rows
-- /*source*/ is the pipeline's scan with the columns renamed by twcs.py; it
-- brings each row's line (a damaged CSV record never gets here: the pipeline
-- reads such a file record by record, ingest/records.py). Float-looking ids (119237.0) lose the '.0'.
-- `raw` is kept only for rows rejected here.
CREATE OR REPLACE TEMP TABLE twcs_rows AS
WITH raw AS (
    SELECT i, coalesce(src_line, i + 1) AS line,
        CASE WHEN contains(tweet_id, '.') THEN rtrim(rtrim(trim(tweet_id), '0'), '.')
             ELSE trim(tweet_id) END AS id_txt,
        nullif(CASE WHEN contains(in_response_to_tweet_id, '.')
             THEN rtrim(rtrim(trim(in_response_to_tweet_id), '0'), '.')
             ELSE trim(in_response_to_tweet_id) END, '') AS parent_txt,
        coalesce(try_strptime(created_at, '%a %b %d %H:%M:%S +0000 %Y'),
                 try_strptime(trim(created_at), '%a %b %d %H:%M:%S %z %Y') AT TIME ZONE 'UTC',
                 try_cast(trim(created_at) AS TIMESTAMP)) AS ts,
        trim(author_id) AS author_id, inbound, created_at, "text", tweet_id, in_response_to_tweet_id
    FROM (/*source*/)
),
typed AS (
    SELECT *,
        CASE WHEN regexp_full_match(id_txt, '[0-9]{1,18}') THEN id_txt::BIGINT END AS id,
        CASE WHEN regexp_full_match(parent_txt, '[0-9]{1,18}') THEN parent_txt::BIGINT END AS parent
    FROM raw
),
checked AS (
    SELECT *,
        CASE
            WHEN id_txt IS NULL OR id_txt = '' THEN 'tweet_id is empty'
            WHEN id IS NULL THEN 'tweet_id ''' || id_txt || ''' is not a number'
            WHEN author_id IS NULL OR author_id = '' THEN 'author_id is empty'
            WHEN ts IS NULL THEN 'created_at ''' || coalesce(created_at, '') || ''' is not a time like ''Tue Oct 31 22:10:47 +0000 2017'''
            WHEN parent_txt IS NOT NULL AND parent IS NULL
                THEN 'in_response_to_tweet_id ''' || parent_txt || ''' is not a number'
        END AS reason
    FROM typed
)
SELECT i, line, id, parent, ts, author_id,
    lower(trim(inbound)) IN ('true', 't', '1', 'yes') AS is_in, "text", reason,
    CASE WHEN reason IS NOT NULL THEN concat_ws(',', tweet_id, author_id, inbound, created_at, "text",
        in_response_to_tweet_id) END AS raw
FROM checked;

-- name: nodes
-- One node per tweet id (first copy wins), with its parent's time: from this
-- file, else from a tweet stored by an earlier import (whose conversation a
-- root then joins). Tweets later rejected as "reply before parent" stay nodes
-- so that their replies keep their place in the tree.
CREATE OR REPLACE TEMP TABLE twcs_nodes AS
WITH node AS (
    SELECT id, arg_min(parent, i) AS parent, arg_min(ts, i) AS ts
    FROM twcs_rows WHERE reason IS NULL GROUP BY id
),
linked AS (
    SELECT n.id, n.parent, n.ts, p.id IS NOT NULL AND n.parent <> n.id AS parent_here, p.ts AS parent_ts
    FROM node n LEFT JOIN node p ON n.parent = p.id
),
wanted AS (SELECT DISTINCT parent::VARCHAR AS event_id FROM linked WHERE parent IS NOT NULL AND NOT parent_here),
stored AS (
    SELECT TRY_CAST(e.event_id AS BIGINT) AS id, min(e.ts) AS ts, min(e.conversation_id) AS conversation_id
    FROM events e SEMI JOIN wanted w ON e.event_id = w.event_id
    WHERE e.namespace = $ns GROUP BY e.event_id
)
SELECT l.id, l.parent, l.ts, l.parent_here,
    coalesce(l.parent_ts, s.ts) AS parent_ts,
    s.conversation_id AS stored_conv
FROM linked l LEFT JOIN stored s ON l.parent = s.id AND NOT l.parent_here;

-- name: late_rejects
UPDATE twcs_rows SET reason = 'reply timed before the tweet it answers (tweet ' || twcs_rows.id || ' at '
        || strftime(twcs_rows.ts, '%Y-%m-%d %H:%M:%S') || ' answers tweet ' || n.parent || ' at '
        || strftime(n.parent_ts, '%Y-%m-%d %H:%M:%S') || ')'
FROM twcs_nodes n
WHERE twcs_rows.id = n.id AND twcs_rows.reason IS NULL AND twcs_rows.ts < n.parent_ts;

-- name: tree_init
-- `anc` starts at the parent when it is in this file, else at the node itself
-- (a root). `done`: anc is a root.
CREATE OR REPLACE TEMP TABLE twcs_anc AS
WITH a AS (SELECT id, CASE WHEN parent_here THEN parent ELSE id END AS anc FROM twcs_nodes)
SELECT a.id, a.anc, b.anc = a.anc AS done FROM a JOIN a b ON a.anc = b.id;

-- name: tree_step
-- Pointer jumping: a node's ancestor becomes its ancestor's ancestor, so a
-- chain of depth d reaches its root in log2(d) steps. (A new table per step:
-- inside the import transaction, repeated UPDATEs of one table are far slower.)
CREATE OR REPLACE TEMP TABLE twcs_anc_next AS
SELECT a.id, b.anc, b.done FROM twcs_anc a JOIN twcs_anc b ON a.anc = b.id;

-- name: tree_swap
DROP TABLE twcs_anc;
ALTER TABLE twcs_anc_next RENAME TO twcs_anc;

-- name: tree_left
SELECT count(*) FROM twcs_anc WHERE NOT done;

-- name: tree_loops
-- Only equal timestamps can form a reply loop (later replies are rejected);
-- a node still not done when steps stop finishing nodes sits on or under one.
UPDATE twcs_rows SET reason = 'reply chain loops back on itself (tweet ' || twcs_rows.id || ')'
FROM twcs_anc a WHERE twcs_rows.id = a.id AND NOT a.done AND twcs_rows.reason IS NULL;

-- name: continued
-- Roots whose parent was stored by an earlier import: their tree continues
-- that stored conversation.
CREATE OR REPLACE TEMP TABLE twcs_continued AS
SELECT id, stored_conv FROM twcs_nodes WHERE stored_conv IS NOT NULL AND NOT parent_here;

-- name: brands
-- Brand per tree root = author of the first outbound tweet of the conversation
-- (for a tree continuing a stored conversation, stored tweets count: their
-- queue holds the brand); else the first @handle of the root's text that is a
-- known brand (any author of an outbound tweet, in this file or stored).
CREATE OR REPLACE TEMP TABLE twcs_brand AS
WITH outbound_here AS (
    SELECT r.ts, r.author_id, a.anc AS root_id
    FROM twcs_rows r JOIN twcs_anc a ON r.id = a.id
    WHERE r.reason IS NULL AND NOT r.is_in
),
stored AS (
    SELECT c.id AS root_id, e.ts, e.queue, e.direction, e.event_id, e.conversation_id, e."text"
    FROM events e JOIN twcs_continued c ON e.conversation_id = c.stored_conv
    WHERE e.namespace = $ns AND e.type = 'message'
),
outbound AS (
    SELECT root_id, ts, 1 AS src, author_id AS brand FROM outbound_here
    UNION ALL
    SELECT root_id, ts, 0, queue FROM stored WHERE direction = 'out'
),
first_out AS (
    -- arg_min on one number is ~3x faster than first(... ORDER BY); a stored tweet wins a tie.
    SELECT root_id, arg_min(brand, epoch_us(ts) * 2 + src) AS brand FROM outbound GROUP BY root_id
),
known AS (
    SELECT list(DISTINCT lower(brand)) AS lows, list(DISTINCT brand) AS names FROM (
        SELECT DISTINCT author_id AS brand FROM outbound_here
        UNION
        SELECT DISTINCT queue FROM events WHERE namespace = $ns AND direction = 'out' AND queue IS NOT NULL)
),
-- Roots (anc = self) without an outbound tweet: only their text is read.
brandless AS (
    SELECT id AS root_id FROM twcs_anc WHERE done AND anc = id
    AND id NOT IN (SELECT root_id FROM first_out)
),
roots AS (
    SELECT r.id AS root_id, r."text" FROM twcs_rows r SEMI JOIN brandless b ON r.id = b.root_id
    WHERE r.reason IS NULL AND r.id NOT IN (SELECT id FROM twcs_continued)
    UNION ALL
    SELECT s.root_id, s."text" FROM stored s SEMI JOIN brandless b ON s.root_id = b.root_id
    WHERE s.event_id = s.conversation_id
),
by_handle AS (
    SELECT t.root_id,
        list_filter(regexp_extract_all(lower(t."text"), '@(\w+)', 1), lambda h: list_contains(k.lows, h))[1] AS handle,
        k.names
    FROM roots t CROSS JOIN known k
)
SELECT root_id, brand FROM first_out
UNION ALL
SELECT root_id, any_value(list_filter(names, lambda n: lower(n) = handle)[1])
FROM by_handle WHERE handle IS NOT NULL GROUP BY root_id;

-- name: stage
-- An outbound tweet's author is the agent's sign-off (`^JK`, `-Becky`, `*DD`)
-- when its text ends with one, else the brand account.
INSERT INTO staged BY NAME
WITH ok AS (
    SELECT r.*, a.anc AS root_id, coalesce(c.stored_conv, a.anc::VARCHAR) AS conv_id
    FROM twcs_rows r JOIN twcs_anc a ON r.id = a.id LEFT JOIN twcs_continued c ON a.anc = c.id
    WHERE r.reason IS NULL
)
SELECT
    $ns AS namespace,
    r.id::VARCHAR AS event_id,
    $ns || ':' || r.conv_id AS conv_key,
    r.conv_id AS conversation_id,
    r.ts,
    'message' AS type,
    'twitter' AS channel,
    coalesce(b.brand, $queue, 'twitter') AS queue,
    CASE WHEN r.is_in THEN 'in' ELSE 'out' END AS direction,
    CASE WHEN r.is_in THEN r.author_id
         ELSE coalesce(nullif(regexp_extract(r."text", '(?:^|\s)[\^*-] ?([A-Z][A-Za-z]{1,14})\s*$', 1), ''),
                       r.author_id) END AS author,
    false AS automated,
    r."text",
    'log' AS origin,
    CASE WHEN r.parent IS NOT NULL THEN json_object('in_reply_to', r.parent::VARCHAR) END AS extra,
    r.line
FROM ok r
LEFT JOIN twcs_brand b ON b.root_id = r.root_id;

-- name: field_rejects
-- Rows rejected after parsing have no `raw` kept: rebuild it from their fields.
INSERT INTO staged_rejects (line, reason, raw)
SELECT line, reason, coalesce(raw, concat_ws(',', id, author_id, CASE WHEN is_in THEN 'True' ELSE 'False' END,
    strftime(ts, '%a %b %d %H:%M:%S +0000 %Y'), "text", parent))
FROM twcs_rows WHERE reason IS NOT NULL;

-- name: cleanup
DROP TABLE IF EXISTS twcs_rows;
DROP TABLE IF EXISTS twcs_nodes;
DROP TABLE IF EXISTS twcs_anc;
DROP TABLE IF EXISTS twcs_anc_next;
DROP TABLE IF EXISTS twcs_continued;
DROP TABLE IF EXISTS twcs_brand;
