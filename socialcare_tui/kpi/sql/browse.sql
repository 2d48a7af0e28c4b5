-- Browsing queries over the shared temp layer of engine.prepare (ARCHITECTURE.md):
-- scope_events, msgs, conv, turns, resolutions. Window bounds are half-open
-- $lo <= t < $hi; $as_of bounds what has happened. Durations use the engine's
-- secs(a, b) macro, as the KPIs do.

-- name: conv_facts
-- One row per conversation of the prepared scope with everything the queue,
-- conversation header and export show. SLA targets are the engine's per
-- conversation targets (config defaults with channel and queue overrides).
CREATE OR REPLACE TEMP TABLE conv_facts AS
WITH targets AS (
    SELECT conv_key,
           target_first_response AS first_response_target,
           target_next_reply AS next_reply_target,
           target_resolution AS resolution_target
    FROM conv
),
last_msg AS (
    SELECT conv_key,
           arg_max(text, ord) AS last_text,
           arg_max(direction, ord) AS last_direction,
           arg_max(automated, ord) AS last_automated
    FROM msgs
    GROUP BY conv_key
),
next_turns AS (
    -- outcomes as in service_levels.sql: the measure is the seconds to the reply, or to as_of
    SELECT t.conv_key,
           count(*) FILTER (WHERE t.answered_at IS NOT NULL
                            AND secs(t.started_at, t.answered_at, t.cal) <= g.next_reply_target) AS met,
           count(*) FILTER (WHERE secs(t.started_at, coalesce(t.answered_at, $as_of::TIMESTAMP), t.cal)
                                  > g.next_reply_target) AS breached,
           count(*) FILTER (WHERE t.answered_at IS NULL
                            AND secs(t.started_at, $as_of::TIMESTAMP, t.cal) <= g.next_reply_target) AS running
    FROM turns t
    JOIN targets g USING (conv_key)
    WHERE NOT t.is_first_response
    GROUP BY t.conv_key
),
survey AS (
    SELECT conv_key,
           arg_max(TRY_CAST(value AS DOUBLE), ord) AS csat_score,
           arg_max(coalesce(scale_max, 5), ord) AS csat_scale,
           arg_max(ts, ord) AS csat_at
    FROM scope_events
    WHERE type = 'csat' AND conv_key IS NOT NULL AND TRY_CAST(value AS DOUBLE) IS NOT NULL
    GROUP BY conv_key
),
base AS (
    SELECT c.* EXCLUDE (target_first_response, target_next_reply, target_resolution),
           g.first_response_target, g.next_reply_target, g.resolution_target,
           CASE WHEN c.status <> 'resolved' THEN c.waiting_since END AS waiting_from,
           CASE WHEN c.brand_initiated OR c.first_inbound_at IS NULL THEN NULL
                ELSE due_at(c.first_inbound_at, g.first_response_target, c.cal)
           END AS first_response_due,
           due_at(c.opened_at, g.resolution_target, c.cal) AS resolution_due,
           m.last_text, m.last_direction, m.last_automated,
           coalesce(n.met, 0) AS next_reply_met,
           coalesce(n.breached, 0) AS next_reply_breached,
           coalesce(n.running, 0) AS next_reply_running,
           s.csat_score, s.csat_scale, s.csat_at
    FROM conv c
    JOIN targets g USING (conv_key)
    LEFT JOIN last_msg m USING (conv_key)
    LEFT JOIN next_turns n USING (conv_key)
    LEFT JOIN survey s USING (conv_key)
)
SELECT *,
       secs(first_inbound_at, first_reply_at, cal) AS frt_seconds,
       secs(opened_at, first_resolved_at, cal) AS resolution_seconds,
       CASE WHEN status = 'resolved' THEN secs(opened_at, last_resolved_at, cal) END
           AS full_resolution_seconds,
       secs(waiting_from, $as_of::TIMESTAMP, cal) AS waiting_seconds,
       CASE WHEN first_response_due IS NULL THEN NULL
            WHEN first_reply_at IS NOT NULL
                 AND secs(first_inbound_at, first_reply_at, cal) <= first_response_target THEN 'met'
            WHEN secs(first_inbound_at, coalesce(first_reply_at, $as_of::TIMESTAMP), cal) > first_response_target
                 THEN 'breached'
            ELSE 'running' END AS sla_first_response,
       CASE WHEN first_resolved_at IS NOT NULL
                 AND secs(opened_at, first_resolved_at, cal) <= resolution_target THEN 'met'
            WHEN secs(opened_at, coalesce(first_resolved_at, $as_of::TIMESTAMP), cal) > resolution_target
                 THEN 'breached'
            ELSE 'running' END AS sla_resolution,
       -- the target the current wait runs against: the first response until there is one
       CASE WHEN waiting_from IS NULL THEN NULL
            WHEN first_reply_at IS NULL AND first_response_due IS NOT NULL THEN 'first_response'
            ELSE 'next_reply' END AS sla_kind,
       CASE WHEN waiting_from IS NULL THEN NULL
            WHEN first_reply_at IS NULL AND first_response_due IS NOT NULL THEN first_response_due
            ELSE due_at(waiting_from, next_reply_target, cal) END AS sla_due_at,
       CASE WHEN csat_score IS NULL THEN NULL ELSE csat_score >= 0.8 * csat_scale END AS csat_satisfied
FROM base;

-- name: queue_rows
-- $tab: unassigned | open | pending | resolved | all. Resolved ones are those
-- whose last resolution is in the window; the others are the queue as it stands.
-- A ticket export's priority is kept in its opening event's `extra` (ingest/sql/
-- tickets.sql), its ticket id is the conversation id; other origins have neither.
-- age_seconds is wall-clock time since the conversation opened (not business hours).
WITH picked AS (
    SELECT * FROM conv_facts
    WHERE CASE $tab
            WHEN 'unassigned' THEN status = 'open' AND assignee IS NULL
            WHEN 'open' THEN status = 'open' AND assignee IS NOT NULL
            WHEN 'pending' THEN status = 'pending'
            WHEN 'resolved' THEN status = 'resolved' AND last_resolved_at >= $lo AND last_resolved_at < $hi
            ELSE status <> 'resolved' OR (last_resolved_at >= $lo AND last_resolved_at < $hi)
          END
),
ticket AS (
    SELECT conv_key, max(json_extract_string(extra, '$.priority')) AS priority
    FROM events
    WHERE origin = 'ticket' AND extra IS NOT NULL AND conv_key IN (SELECT conv_key FROM picked)
    GROUP BY conv_key
)
SELECT conv_key, customer, channel, queue, assignee, status,
       waiting_from AS waiting_since, waiting_seconds,
       sla_kind, sla_due_at,
       secs($as_of::TIMESTAMP, sla_due_at) AS sla_seconds_left,
       opened_at, last_msg_at, last_direction,
       left(regexp_replace(coalesce(last_text, ''), '\s+', ' ', 'g'), 120) AS last_message,
       t.priority,
       CASE WHEN origin = 'ticket' THEN conversation_id END AS ticket_id,
       date_diff('second', opened_at, $as_of::TIMESTAMP) AS age_seconds,
       CASE WHEN status = 'resolved' THEN last_resolved_at END AS resolved_at,
       full_resolution_seconds AS resolved_in_seconds,
       csat_score, csat_scale
FROM picked
LEFT JOIN ticket t USING (conv_key)
ORDER BY waiting_from ASC NULLS LAST, last_msg_at ASC NULLS LAST, conv_key;

-- name: csat_followup
-- The CSAT follow-up list: the dissatisfied answers the csat KPI counts (per
-- conversation its latest answer in the window, score at most 60% of the scale;
-- answers with no conversation each count), with the comment left with the answer
-- (the survey row's text), the conversation's customer, and the agent the KPI credits
-- (the assignee at the latest resolution before the answer, else the current one).
-- Latest answer first.
WITH unhappy AS (
    SELECT * FROM latest_answers('csat', $lo, $hi) WHERE 5 * score <= 3 * scale_max
), comments AS (
    SELECT source_id, line, ts, any_value(text) AS comment
    FROM events
    WHERE type = 'csat' AND nullif(trim(text), '') IS NOT NULL
      AND source_id IN (SELECT source_id FROM unhappy)
    GROUP BY ALL
)
SELECT u.ts AS answered_at, u.score, u.scale_max, m.comment, c.customer, u.conv_key,
       coalesce(c.channel, u.channel) AS channel, coalesce(c.queue, u.queue) AS queue,
       coalesce((SELECT arg_max(r.agent, r.resolved_at) FROM resolutions r
                 WHERE r.conv_key = u.conv_key AND r.resolved_at <= u.ts), c.assignee) AS agent
FROM unhappy u
LEFT JOIN conv c USING (conv_key)
LEFT JOIN comments m ON m.source_id = u.source_id AND m.line = u.line AND m.ts = u.ts
ORDER BY u.ts DESC, u.conv_key NULLS LAST, u.source_id, u.line;

-- name: conversation_facts
SELECT conv_key, namespace, conversation_id, channel, queue, customer, assignee, status, origin,
       opened_at, first_inbound_at, brand_initiated, first_reply_at, first_reply_agent, frt_seconds,
       human_replies, automated_msgs, last_msg_at,
       first_resolved_at, last_resolved_at, resolutions, reopens,
       resolution_seconds, full_resolution_seconds,
       waiting_from AS waiting_since, waiting_seconds, sla_kind, sla_due_at,
       secs($as_of::TIMESTAMP, sla_due_at) AS sla_seconds_left,
       first_response_target, next_reply_target, resolution_target,
       sla_first_response, sla_resolution, next_reply_met, next_reply_breached, next_reply_running,
       csat_score, csat_scale, csat_satisfied
FROM conv_facts
WHERE conv_key = $conv_key;

-- name: export_rows
-- One row per conversation with any event in the window, kept as export_out.
CREATE OR REPLACE TEMP TABLE export_out AS
SELECT conv_key, channel, queue, customer, assignee, status, origin,
       opened_at, first_inbound_at, brand_initiated, first_reply_at, first_reply_agent, frt_seconds,
       human_replies, automated_msgs, last_msg_at,
       first_resolved_at, last_resolved_at, resolutions, reopens,
       resolution_seconds, full_resolution_seconds,
       waiting_from AS waiting_since, waiting_seconds,
       sla_first_response, sla_resolution, next_reply_met, next_reply_breached, next_reply_running,
       csat_score, csat_scale, csat_satisfied
FROM conv_facts f
WHERE EXISTS (SELECT 1 FROM scope_events e
              WHERE e.conv_key = f.conv_key AND e.ts >= $lo AND e.ts < $hi);

-- name: export_customers
SELECT DISTINCT customer FROM export_out WHERE customer IS NOT NULL;

-- name: redact_export
-- --redact: customer ids become the same pseudonyms the app shows
-- ($customers[i] -> $pseudonyms[i], computed by socialcare_tui.redact).
UPDATE export_out SET customer = m.pseudonym
FROM (SELECT unnest($customers::VARCHAR[]) AS customer,
             unnest($pseudonyms::VARCHAR[]) AS pseudonym) m
WHERE export_out.customer = m.customer;

-- name: export_count
SELECT count(*) FROM export_out;

-- name: export_select
SELECT * FROM export_out ORDER BY opened_at, conv_key;

-- name: csv_clean_macro
-- Escape sequences (the same pattern as safetext._ESCAPES), control characters (C0
-- but tab and newline, DEL, C1), bidi overrides and marks and
-- U+2028/U+2029 are replaced by U+FFFD; zero-width and tag characters and VS15/VS16
-- are dropped: as safetext.clean does for the screen.
CREATE OR REPLACE TEMP MACRO csv_clean(x) AS regexp_replace(
    regexp_replace(regexp_replace(x,
        '\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]',
        '�', 'g'), '[\x00-\x08\x0b-\x1f\x7f-\x9f\x{202a}-\x{202e}\x{2066}-\x{2069}\x{200e}\x{200f}\x{061c}\x{2028}\x{2029}]', '�', 'g'),
    '[\x{200b}-\x{200d}\x{2060}-\x{2064}\x{feff}\x{180e}\x{fe0e}\x{fe0f}\x{e0000}-\x{e007f}]', '', 'g');

-- name: csv_safe_macro
-- Text a spreadsheet would run as a formula gets a leading quote.
CREATE OR REPLACE TEMP MACRO csv_safe(x) AS
    CASE WHEN regexp_matches(csv_clean(x), '^[=+@|\t\r\x{ff1d}\x{ff0b}\x{ff0d}\x{ff20}\x{ff5c}-]') THEN '''' || csv_clean(x) ELSE csv_clean(x) END;

-- name: copy_export_csv
COPY (SELECT * REPLACE (csv_safe(conv_key) AS conv_key, csv_safe(channel) AS channel,
                        csv_safe(queue) AS queue, csv_safe(customer) AS customer,
                        csv_safe(assignee) AS assignee, csv_safe(first_reply_agent) AS first_reply_agent)
      FROM export_out ORDER BY opened_at, conv_key)
TO $path (FORMAT csv, HEADER true);

-- name: copy_export_json
COPY (SELECT * FROM export_out ORDER BY opened_at, conv_key) TO $path (FORMAT json, ARRAY true);

-- name: copy_export_parquet
COPY (SELECT * FROM export_out ORDER BY opened_at, conv_key) TO $path (FORMAT parquet);

-- name: create_report_out
CREATE OR REPLACE TEMP TABLE report_out (
    "group" VARCHAR, kpi VARCHAR, part VARCHAR, value DOUBLE, text VARCHAR, unit VARCHAR, reason VARCHAR);

-- name: insert_report_out
INSERT INTO report_out VALUES ($group, $kpi, $part, $value, $text, $unit, $reason);

-- name: copy_report_parquet
COPY (SELECT * FROM report_out) TO $path (FORMAT parquet);

-- name: transcript
-- Every stored event of one conversation up to $as_of, in conversation order
-- (ts, inbound before outbound, then file order). Survey answers linked to it included.
-- A customer message's sentiment is the one the sentiment KPI counts: its own sentiment
-- column, else the lexicon score stored with it (all_msgs of the prepared layer), with
-- the KPI's thresholds; NULL when it says nothing (no text, no score).
WITH scored AS (
    SELECT event_id, coalesce(sentiment, text_score) AS score
    FROM all_msgs
    WHERE conv_key = $conv_key AND is_customer AND coalesce(sentiment, text_score) IS NOT NULL
)
SELECT e.ts, e.type, e.direction, e.author, e.automated, e.text, e.value, e.scale_max, e.channel, e.queue,
       e.quick_reply, e.origin, e.namespace, e.event_id,
       s.score AS sentiment_score,
       CASE WHEN s.score >= 0.05 THEN 'positive' WHEN s.score <= -0.05 THEN 'negative'
            WHEN s.score IS NOT NULL THEN 'neutral' END AS sentiment_label
FROM events e
LEFT JOIN scored s ON e.type = 'message' AND e.direction = 'in' AND s.event_id = e.event_id
WHERE e.conv_key = $conv_key AND e.ts <= $as_of
ORDER BY e.ts, CASE WHEN e.type = 'message' AND e.direction = 'in' THEN 0 ELSE 1 END, e.source_id, e.line,
         e.event_id;

-- name: channel_tree
-- Channels and their queues: conversations not resolved, and those waiting for a reply.
SELECT coalesce(channel, '') AS channel, coalesce(queue, '') AS queue,
       count(*) FILTER (WHERE status <> 'resolved') AS open,
       count(*) FILTER (WHERE status <> 'resolved' AND waiting_since IS NOT NULL) AS waiting,
       count(*) AS conversations
FROM conv
GROUP BY ALL
ORDER BY channel, queue;

-- name: agent_rows
-- Per agent (attribution): replies by author; FRT by the first human
-- reply's author; resolutions by the assignee at resolution; CSAT as the csat KPI
-- credits it (the agent of the latest resolution before the answer, else the
-- current assignee); open and waiting by the current assignee.
WITH replies AS (
    SELECT author AS agent, count(*) AS replies, count(DISTINCT conv_key) AS conversations
    FROM msgs
    WHERE is_human_reply AND author IS NOT NULL AND ts >= $lo AND ts < $hi
    GROUP BY 1
),
frt AS (
    SELECT first_reply_agent AS agent,
           quantile_cont(secs(first_inbound_at, first_reply_at, cal), 0.5) AS median_frt,
           count(*) AS frt_n
    FROM conv
    WHERE NOT brand_initiated AND first_inbound_at IS NOT NULL AND first_reply_agent IS NOT NULL
      AND first_reply_at >= $lo AND first_reply_at < $hi
    GROUP BY 1
),
res AS (
    SELECT agent, count(*) AS resolutions
    FROM resolutions
    WHERE agent IS NOT NULL AND resolved_at >= $lo AND resolved_at < $hi
    GROUP BY 1
),
answers AS (  -- the answers the csat KPI counts, credited as it credits them
    SELECT coalesce((SELECT arg_max(r.agent, r.resolved_at) FROM resolutions r
                     WHERE r.conv_key = a.conv_key AND r.resolved_at <= a.ts), c.assignee) AS agent,
           a.score, a.scale_max
    FROM latest_answers('csat', $lo, $hi) a
    JOIN conv c USING (conv_key)
),
csat AS (
    SELECT agent,
           count(*) AS csat_n,
           count(*) FILTER (WHERE 5 * score >= 4 * scale_max) AS csat_satisfied
    FROM answers
    WHERE agent IS NOT NULL
    GROUP BY 1
),
now_open AS (
    SELECT assignee AS agent,
           count(*) AS open_now,
           count(*) FILTER (WHERE waiting_since IS NOT NULL) AS waiting_now
    FROM conv
    WHERE status <> 'resolved' AND assignee IS NOT NULL
    GROUP BY 1
),
agents AS (
    SELECT agent FROM replies UNION SELECT agent FROM frt UNION SELECT agent FROM res
    UNION SELECT agent FROM csat UNION SELECT agent FROM now_open
)
SELECT a.agent,
       coalesce(replies.replies, 0) AS replies,
       coalesce(replies.conversations, 0) AS conversations,
       frt.median_frt, coalesce(frt.frt_n, 0) AS frt_n,
       coalesce(res.resolutions, 0) AS resolutions,
       CASE WHEN csat.csat_n > 0 THEN csat.csat_satisfied / csat.csat_n END AS csat,
       coalesce(csat.csat_n, 0) AS csat_n,
       coalesce(now_open.open_now, 0) AS open_now,
       coalesce(now_open.waiting_now, 0) AS waiting_now
FROM agents a
LEFT JOIN replies USING (agent)
LEFT JOIN frt USING (agent)
LEFT JOIN res USING (agent)
LEFT JOIN csat USING (agent)
LEFT JOIN now_open USING (agent)
ORDER BY replies DESC, a.agent;
