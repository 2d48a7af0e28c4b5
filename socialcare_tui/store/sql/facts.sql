-- Conversation facts: what each conversation is, computed from
-- its events by per-conversation SQL. The statements read TEMP `fact_src` (the
-- events to compute from, with their row id as `rid`) and write TEMP `calc_*`
-- tables. Every statement is per conversation (windows partition by conv_key,
-- aggregates group by it), so run on some conversations' events it gives exactly
-- their rows: the writer (store/facts.py) runs them on the conversations an
-- import touched, a reader (kpi/scope.py) on the conversations that span its
-- as_of. Parameters: $as_of (naive UTC; the writer passes the latest instant),
-- $auto_resolve (seconds of silence that resolve a conversation without status
-- events). Durations are (epoch_us(b) - epoch_us(a)) / 1e6 seconds.

-- name: calc_events_full
-- Every event at or before as_of, with its order in its conversation: ts,
-- inbound messages before everything else, then file order. hr_upto (human
-- replies up to and including the row) shares the sort. A survey answer with no
-- conversation is alone in its partition (ord 1). The sort carries only the key
-- columns and the row id (carrying every column through the sort cost more than
-- joining them back by row id).
CREATE OR REPLACE TEMP TABLE calc_events_full AS
WITH o AS (
    SELECT e.rid,
           row_number() OVER w AS ord,
           sum(CASE WHEN e.type = 'message' AND e.direction = 'out' AND NOT e.automated THEN 1 ELSE 0 END)
               OVER (w ROWS UNBOUNDED PRECEDING) AS hr_upto
    FROM fact_src e
    WHERE e.ts <= $as_of::TIMESTAMP
    WINDOW w AS (
        PARTITION BY e.conv_key, CASE WHEN e.conv_key IS NULL THEN e.rid END
        ORDER BY e.ts,
                 CASE WHEN e.type = 'message' AND e.direction = 'in' THEN 0 ELSE 1 END,
                 e.source_id, e.line, e.event_id
    )
)
SELECT e.*, o.ord, o.hr_upto
FROM fact_src e JOIN o ON e.rid = o.rid
WHERE e.ts <= $as_of::TIMESTAMP;

-- name: calc_spans
-- Each conversation's first and last event (survey answers included): its
-- stored facts hold for every as_of at or after the last one.
CREATE OR REPLACE TEMP TABLE calc_spans AS
SELECT conv_key, min(ts) AS first_ts, max(ts) AS last_ts
FROM calc_events_full WHERE conv_key IS NOT NULL GROUP BY conv_key;

-- name: conv_attr
-- Conversation facts that need no message logic. Survey answers (csat, nps)
-- never open or shape a conversation.
CREATE OR REPLACE TEMP TABLE conv_attr AS
SELECT conv_key,
       any_value(namespace) AS namespace,
       any_value(conversation_id) AS conversation_id,
       arg_min(channel, ord) FILTER (WHERE channel IS NOT NULL) AS channel,
       arg_max(queue, ord) FILTER (WHERE queue IS NOT NULL) AS last_queue,
       min(ts) AS opened_at,
       CASE WHEN bool_or(origin = 'ticket') THEN 'ticket' ELSE arg_min(origin, ord) END AS origin,
       -- tickets carry their status in the export: never resolved by silence
       count(*) FILTER (WHERE type = 'status') > 0 OR bool_or(origin = 'ticket') AS has_status,
       sum(talk_seconds) AS talk_seconds,
       sum(hold_seconds) AS hold_seconds,
       sum(wrap_seconds) AS wrap_seconds,
       sum(handle_seconds) AS handle_seconds,
       max(ts) FILTER (WHERE talk_seconds IS NOT NULL OR hold_seconds IS NOT NULL
                         OR wrap_seconds IS NOT NULL OR handle_seconds IS NOT NULL) AS handled_at
FROM calc_events_full
WHERE conv_key IS NOT NULL AND type NOT IN ('csat', 'nps')
GROUP BY conv_key;

-- name: msgs_base
-- One row per message; hr_upto = human replies up to and including this row.
CREATE OR REPLACE TEMP TABLE msgs_base AS
SELECT m.conv_key, m.event_id, m.ts, m.ord, m.direction, m.author, m.automated, m.text,
       m.quick_reply, m.sentiment, m.reply_count,
       a.channel, coalesce(a.last_queue, a.channel) AS queue,
       coalesce(m.direction = 'out' AND NOT m.automated, false) AS is_human_reply,
       coalesce(m.direction = 'in', false) AS is_customer,
       m.hr_upto
FROM calc_events_full m
JOIN conv_attr a USING (conv_key)
WHERE m.type = 'message';

-- name: calc_msgs
-- What the text of a message says, once, for the KPIs that read it:
-- text_score (customer messages with text): the VADER lexicon sum s of its
-- words normalised s/sqrt(s*s+15). As VADER: strip surrounding punctuation
-- unless that leaves two characters or fewer (an emoticon such as ":)"), then
-- look the word up in lower case. reply_norm (human replies with text): lower
-- case; @handles, URLs, a trailing sign-off (^AB, *DD, -Name) and digits
-- dropped; spaces collapsed (a quick reply is a normalised text sent often).
-- Each distinct text is scored once. vader_lexicon: store/lexicon.py.
CREATE OR REPLACE TEMP TABLE calc_msgs AS
WITH texts AS (
    SELECT DISTINCT text FROM msgs_base WHERE is_customer AND nullif(trim(text), '') IS NOT NULL
), words AS (
    SELECT text, unnest(string_split_regex(trim(text), '\s+')) AS word FROM texts
), tokens AS (
    SELECT text,
           lower(CASE WHEN length(stripped) <= 2 THEN word ELSE stripped END) AS token
    FROM (SELECT *, regexp_replace(word, '^[[:punct:]]+|[[:punct:]]+$', '', 'g') AS stripped FROM words)
), sums AS (
    SELECT t.text, sum(l.valence) AS s
    FROM tokens t JOIN vader_lexicon l USING (token)
    GROUP BY t.text
), scores AS (
    SELECT x.text, coalesce(s.s, 0) / sqrt(coalesce(s.s, 0) ^ 2 + 15) AS text_score
    FROM texts x LEFT JOIN sums s USING (text)
), norms AS (
    SELECT text,
           nullif(trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
               lower(text),
               '@\w+', '', 'g'),
               '(https?://|www\.)\S+', '', 'g'),
               '\s*([\^*~]\s*[a-z]{1,20}|(^|\s)[-–—]\s*[a-z]{1,20})\s*[.!]?\s*$', ''),
               '[0-9]+', '', 'g'),
               '\s+', ' ', 'g')), '') AS reply_norm
    FROM (SELECT DISTINCT text FROM msgs_base WHERE is_human_reply AND text IS NOT NULL)
)
SELECT m.*, sc.text_score, n.reply_norm
FROM msgs_base m
LEFT JOIN scores sc ON m.is_customer AND sc.text = m.text
LEFT JOIN norms n ON m.is_human_reply AND n.text = m.text;

-- name: conv_msgs
CREATE OR REPLACE TEMP TABLE conv_msgs AS
SELECT conv_key,
       min(ts) FILTER (WHERE is_customer) AS first_inbound_at,
       arg_min(direction, ord) = 'out' AS brand_initiated,
       arg_min_null(author, ord) FILTER (WHERE is_customer) AS customer,
       min(ts) FILTER (WHERE is_human_reply) AS first_reply_at,
       arg_min_null(author, ord) FILTER (WHERE is_human_reply) AS first_reply_agent,
       arg_max_null(author, ord) FILTER (WHERE is_human_reply) AS last_reply_agent,
       count(*) FILTER (WHERE is_human_reply) AS human_replies,
       count(*) FILTER (WHERE automated) AS automated_msgs,
       max(ts) AS last_msg_at,
       arg_max(is_human_reply, ord) FILTER (WHERE NOT automated) AS last_is_human_reply,
       arg_min_null(reply_count, ord) FILTER (WHERE is_customer) AS reply_count
FROM calc_msgs
GROUP BY conv_key;

-- name: calc_turns
-- A turn = the customer messages with the same count of earlier human replies
-- (k); the human reply number k+1 answers it.
CREATE OR REPLACE TEMP TABLE calc_turns AS
WITH t AS (
    SELECT conv_key, hr_upto AS k, min(ts) AS started_at, min(ord) AS start_ord,
           any_value(channel) AS channel, any_value(queue) AS queue
    FROM calc_msgs WHERE is_customer
    GROUP BY conv_key, hr_upto
), r AS (
    SELECT conv_key, hr_upto - 1 AS k, ts AS answered_at, author AS reply_agent, ord AS reply_ord
    FROM calc_msgs WHERE is_human_reply
)
SELECT t.conv_key,
       row_number() OVER (PARTITION BY t.conv_key ORDER BY t.k) AS turn_no,
       t.started_at, t.start_ord, r.answered_at, r.reply_agent, r.reply_ord,
       t.channel, t.queue,
       (row_number() OVER (PARTITION BY t.conv_key ORDER BY t.k) = 1
        AND NOT coalesce(cm.brand_initiated, false)) AS is_first_response
FROM t
LEFT JOIN r USING (conv_key, k)
LEFT JOIN conv_msgs cm USING (conv_key);

-- name: status_rows
-- Conversations with status events: the status events and customer messages
-- in order; a customer message after `resolved` reopens.
CREATE OR REPLACE TEMP TABLE status_rows AS
SELECT s.conv_key, s.ord, s.ts,
       CASE
           WHEN s.type = 'message' THEN 'msg'
           WHEN lower(trim(s.value)) IN ('resolved', 'closed', 'solved', 'done') THEN 'resolved'
           WHEN lower(trim(s.value)) IN ('pending', 'on-hold', 'on hold', 'onhold', 'hold',
                                         'waiting', 'waiting on customer') THEN 'pending'
           ELSE 'open'
       END AS st
FROM calc_events_full s
JOIN conv_attr a ON a.conv_key = s.conv_key AND a.has_status
WHERE s.type = 'status' OR (s.type = 'message' AND s.direction = 'in');

-- name: silence_segments
-- Conversations without status events: messages split by silences (a gap of
-- at least auto_resolve_after to the next message, or to as_of). last_ts is the
-- segment's last message: its silence resolves at last_ts + auto_resolve_after.
CREATE OR REPLACE TEMP TABLE silence_segments AS
WITH m AS (
    SELECT conv_key, ts, ord, is_human_reply, automated,
           (epoch_us(coalesce(lead(ts) OVER w, $as_of::TIMESTAMP)) - epoch_us(ts)) / 1e6
               >= $auto_resolve AS silence_after
    FROM calc_msgs
    WHERE conv_key IN (SELECT conv_key FROM conv_attr WHERE NOT has_status)
    WINDOW w AS (PARTITION BY conv_key ORDER BY ord)
), s AS (
    SELECT *, coalesce(sum(silence_after::INT) OVER (
               PARTITION BY conv_key ORDER BY ord
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS seg
    FROM m
)
SELECT conv_key, seg,
       bool_or(silence_after) AS ends_silent,
       min(ts) AS first_ts,
       max(ts) AS last_ts,
       max(ts) FILTER (WHERE is_human_reply) AS reply_ts,
       max(ord) FILTER (WHERE is_human_reply) AS reply_ord
FROM s
GROUP BY conv_key, seg;

-- name: calc_resolutions
-- Each change into resolved, with the assignee at that moment (latest assign
-- event up to it, else the author of the latest human reply up to it) and
-- when it was reopened (NULL while still resolved): with status events, the
-- first later customer message or non-resolved status; without, the first
-- message after the silence. effective_at: when it has happened (a silence
-- resolves once it has lasted auto_resolve_after; a status at once).
CREATE OR REPLACE TEMP TABLE calc_resolutions AS
WITH marked AS (
    SELECT *, (st = 'resolved' AND coalesce(lag(st) OVER w, '') <> 'resolved') AS is_res
    FROM status_rows WINDOW w AS (PARTITION BY conv_key ORDER BY ord)
), runs AS (
    SELECT *, sum(is_res::INT) OVER (PARTITION BY conv_key ORDER BY ord
                                     ROWS UNBOUNDED PRECEDING) AS run
    FROM marked
), st AS (
    SELECT conv_key,
           min(ts) FILTER (WHERE is_res) AS resolved_at,
           min(ord) FILTER (WHERE is_res) AS ord,
           min(ts) FILTER (WHERE st <> 'resolved') AS reopened_at,
           min(ts) FILTER (WHERE is_res) AS effective_at
    FROM runs WHERE run > 0
    GROUP BY conv_key, run
), si AS (
    SELECT conv_key, reply_ts AS resolved_at, reply_ord AS ord, next_first_ts AS reopened_at,
           last_ts + to_microseconds(CAST($auto_resolve * 1e6 AS BIGINT)) AS effective_at
    FROM (SELECT *, lead(first_ts) OVER (PARTITION BY conv_key ORDER BY seg) AS next_first_ts
          FROM silence_segments)
    WHERE ends_silent AND reply_ord IS NOT NULL
), r AS (
    SELECT * FROM st UNION ALL SELECT * FROM si
), asg AS (
    SELECT conv_key, ord, nullif(trim(value), '') AS agent FROM calc_events_full WHERE type = 'assign'
), hr AS (
    SELECT conv_key, ord, author FROM calc_msgs WHERE is_human_reply
)
SELECT r.conv_key,
       row_number() OVER (PARTITION BY r.conv_key ORDER BY r.ord) AS n,
       r.resolved_at, r.ord, r.reopened_at,
       CASE WHEN asg.ord IS NOT NULL THEN asg.agent ELSE hr.author END AS agent,
       a.channel, coalesce(a.last_queue, a.channel) AS queue,
       r.effective_at
FROM r
ASOF LEFT JOIN asg ON r.conv_key = asg.conv_key AND r.ord >= asg.ord
ASOF LEFT JOIN hr ON r.conv_key = hr.conv_key AND r.ord >= hr.ord
JOIN conv_attr a ON a.conv_key = r.conv_key;

-- name: conv_status
CREATE OR REPLACE TEMP TABLE conv_status AS
WITH st AS (
    SELECT conv_key,
           arg_max(st, ord) FILTER (WHERE st <> 'msg') AS last_status,
           arg_max(st, ord) AS last_row
    FROM status_rows GROUP BY conv_key
), si AS (
    SELECT conv_key, arg_max(ends_silent AND reply_ord IS NOT NULL, seg) AS resolved_now
    FROM silence_segments GROUP BY conv_key
)
SELECT a.conv_key,
       CASE
           WHEN a.has_status THEN
               CASE WHEN st.last_status = 'resolved' AND st.last_row = 'msg' THEN 'open'
                    ELSE coalesce(st.last_status, 'open') END
           WHEN coalesce(si.resolved_now, false) THEN 'resolved'
           WHEN coalesce(cm.last_is_human_reply, false) THEN 'pending'
           ELSE 'open'
       END AS status
FROM conv_attr a
LEFT JOIN st USING (conv_key)
LEFT JOIN si USING (conv_key)
LEFT JOIN conv_msgs cm USING (conv_key);

-- name: calc_conv
-- One row per conversation (survey answers alone make none). The columns that
-- depend on config beside auto_resolve_after (business-hours calendar, SLA
-- targets) are added when reading (kpi/sql/scope.sql).
CREATE OR REPLACE TEMP TABLE calc_conv AS
WITH asg AS (
    SELECT conv_key, arg_max_null(nullif(trim(value), ''), ord) AS agent
    FROM calc_events_full WHERE type = 'assign' GROUP BY conv_key
), res AS (
    SELECT conv_key, count(*) AS resolutions,
           min(resolved_at) AS first_resolved_at, max(resolved_at) AS last_resolved_at,
           arg_min_null(agent, n) AS first_resolution_agent,
           arg_max_null(agent, n) AS last_resolution_agent
    FROM calc_resolutions GROUP BY conv_key
), waiting AS (
    SELECT conv_key, arg_max(started_at, turn_no) AS started_at,
           arg_max(answered_at IS NULL, turn_no) AS unanswered
    FROM calc_turns GROUP BY conv_key
)
SELECT a.conv_key, a.namespace, a.conversation_id, a.channel,
       coalesce(a.last_queue, a.channel) AS queue,
       cm.customer, a.opened_at, cm.first_inbound_at,
       coalesce(cm.brand_initiated, false) AS brand_initiated,
       cm.first_reply_at, cm.first_reply_agent,
       coalesce(cm.human_replies, 0) AS human_replies,
       coalesce(cm.automated_msgs, 0) AS automated_msgs,
       cm.last_msg_at, cs.status,
       CASE WHEN asg.conv_key IS NOT NULL THEN asg.agent ELSE cm.last_reply_agent END AS assignee,
       res.first_resolved_at,
       CASE WHEN cs.status = 'resolved' THEN res.last_resolved_at END AS last_resolved_at,
       res.first_resolution_agent, res.last_resolution_agent,
       coalesce(res.resolutions, 0) AS resolutions,
       CASE WHEN coalesce(res.resolutions, 0) = 0 THEN 0
            ELSE res.resolutions - 1 + CASE WHEN cs.status <> 'resolved' THEN 1 ELSE 0 END
       END AS reopens,
       CASE WHEN waiting.unanswered THEN waiting.started_at END AS waiting_since,
       a.origin, cm.reply_count,
       a.talk_seconds, a.hold_seconds, a.wrap_seconds, a.handle_seconds, a.handled_at
FROM conv_attr a
LEFT JOIN conv_msgs cm USING (conv_key)
LEFT JOIN conv_status cs USING (conv_key)
LEFT JOIN asg USING (conv_key)
LEFT JOIN res USING (conv_key)
LEFT JOIN waiting USING (conv_key);

-- name: calc_events
-- Once the facts above are built, readers need only these columns of the
-- events (survey answers, tags, filters, browse).
CREATE OR REPLACE TEMP TABLE calc_events AS
SELECT conv_key, ts, ord, type, channel, queue, value, scale_max, source_id, line
FROM calc_events_full;

-- name: drop_full_events
DROP TABLE IF EXISTS calc_events_full;
