-- The shared layer every KPI and browse statement reads (ARCHITECTURE.md):
-- TEMP views scope_events, msgs, turns, resolutions, conv, customer_convs over
-- the stored facts (store/schema/002_facts.sql) as of one instant. A stored row
-- holds once its conversation has settled (settled_at <= as_of); the
-- conversations that span as_of, and those with events the facts do not include
-- yet (`unsettled`), come from TEMP calc_* tables that kpi/views.py computes
-- from their events with the writer's own SQL (store/sql/facts.sql). When the
-- facts were built with another auto_resolve_after, or rows were removed from
-- events (`raw`), every conversation comes from calc_*.
-- The instant and the config that shape the views are connection variables
-- (set_* statements: views take no parameters). Filters then keep the matching conversations
-- (filter_* statements), after the facts are computed, so a conversation's
-- facts never depend on the filters.

-- name: macros
-- secs(a, b): seconds from a to b. secs(a, b, cal): the same in business
-- seconds of calendar `cal` (conv.cal, turns.cal) when config sets
-- business_hours: kpi/sql/calendar.sql then replaces this macro.
CREATE OR REPLACE TEMP MACRO secs(a, b) AS (epoch_us(b) - epoch_us(a)) / 1e6,
    (a, b, cal) AS (epoch_us(b) - epoch_us(a)) / 1e6;

-- name: due_macro
-- due_at(a, seconds, cal): a + seconds (in business seconds: calendar.sql).
CREATE OR REPLACE TEMP MACRO due_at(due_from, due_secs, due_cal) AS
    due_from + to_microseconds(CAST(due_secs * 1e6 AS BIGINT));

-- name: cal_macro
-- bh_cal(channel, queue, channels, queues): the business-hours calendar of a
-- conversation: its queue's, else its channel's, else the default one.
CREATE OR REPLACE TEMP MACRO bh_cal(bh_ch, bh_q, bh_chans, bh_queues) AS
    CASE WHEN list_contains(bh_queues, bh_q) THEN 'queue:' || bh_q
         WHEN list_contains(bh_chans, bh_ch) THEN 'channel:' || bh_ch
         ELSE 'default' END;

-- name: set_as_of
-- The instant and the config that shape the views, as this connection's
-- variables (views take no parameters; getvariable() is a constant to the
-- planner, so a time condition on it skips row groups like a literal would).
SET VARIABLE sc_as_of = $as_of::TIMESTAMP;

-- name: set_watermark
SET VARIABLE sc_watermark = $watermark::BIGINT;

-- name: set_bh_channels
SET VARIABLE sc_bh_channels = $bh_channels::VARCHAR[];

-- name: set_bh_queues
SET VARIABLE sc_bh_queues = $bh_queues::VARCHAR[];

-- name: unsettled
-- Conversations whose stored facts do not hold at as_of: they span it (an
-- event before and one after), or have events the facts do not include yet.
CREATE OR REPLACE TEMP TABLE unsettled AS
SELECT conv_key FROM fact_spans
WHERE NOT $raw::BOOLEAN AND first_ts <= $as_of::TIMESTAMP AND $as_of::TIMESTAMP < last_ts
UNION
SELECT conv_key FROM events
WHERE NOT $raw::BOOLEAN AND seq > $watermark AND conv_key IS NOT NULL;

-- name: unsettled_rows
-- (conversations to compute, survey answers without one the facts lack)
SELECT (SELECT count(*) FROM unsettled),
       (SELECT count(*) FROM events WHERE seq > $watermark AND conv_key IS NULL);

-- name: last_settled
-- The last instant at which a stored row settles (its conversation's last event).
SELECT max(settled_at) FROM fact_events;

-- name: src_unsettled
CREATE OR REPLACE TEMP VIEW fact_src AS
SELECT rowid AS rid, * FROM events
WHERE conv_key IN (SELECT conv_key FROM unsettled)
   OR (conv_key IS NULL AND seq > getvariable('sc_watermark'));

-- name: src_none
CREATE OR REPLACE TEMP VIEW fact_src AS SELECT rowid AS rid, * FROM events WHERE false;

-- name: src_all
CREATE OR REPLACE TEMP VIEW fact_src AS SELECT rowid AS rid, * FROM events;

-- name: stored
-- TEMP VIEW stored_TABLE: the rows of fact_TABLE that hold at as_of, without the
-- columns that say when (KEEP_OUT). kpi/views.py puts in the table name (from a
-- fixed list) and joins with AND the conditions below that the instant needs:
-- none when every stored row holds (nothing unsettled, as_of after every event).
CREATE OR REPLACE TEMP VIEW stored_TABLE AS
SELECT f.* EXCLUDE (KEEP_OUT) FROM fact_TABLE f WHERE CONDITIONS;

-- name: if_settled
f.settled_at <= getvariable('sc_as_of')

-- name: if_effective
f.effective_at <= getvariable('sc_as_of')

-- name: if_valid
f.valid_from <= getvariable('sc_as_of')
AND (f.valid_to IS NULL OR getvariable('sc_as_of') < f.valid_to)

-- name: unless_unsettled
NOT EXISTS (SELECT 1 FROM unsettled u WHERE u.conv_key = f.conv_key)

-- name: if_not_raw
false

-- name: all_events
CREATE OR REPLACE TEMP VIEW all_events AS
SELECT * FROM stored_events UNION ALL BY NAME SELECT * FROM calc_events;

-- name: all_msgs
CREATE OR REPLACE TEMP VIEW all_msgs AS
SELECT * FROM stored_msgs UNION ALL BY NAME SELECT * FROM calc_msgs;

-- name: all_turns
CREATE OR REPLACE TEMP VIEW all_turns AS
WITH t AS (SELECT * FROM stored_turns UNION ALL BY NAME SELECT * FROM calc_turns)
SELECT t.conv_key, t.turn_no, t.started_at, t.start_ord, t.answered_at, t.reply_agent,
       t.reply_ord, t.channel, t.queue,
       bh_cal(t.channel, t.queue, getvariable('sc_bh_channels'), getvariable('sc_bh_queues')) AS cal,
       t.is_first_response
FROM t;

-- name: all_resolutions
-- A silence's resolution counts once the silence has lasted (effective_at).
CREATE OR REPLACE TEMP VIEW all_resolutions AS
SELECT * FROM stored_resolutions
UNION ALL BY NAME SELECT * EXCLUDE (effective_at) FROM calc_resolutions;

-- name: all_conv
-- cal and the SLA targets (after channel and queue overrides) depend on config:
-- added here, when reading.
CREATE OR REPLACE TEMP VIEW all_conv AS
WITH c AS (
    SELECT * FROM stored_conv UNION ALL BY NAME SELECT * FROM calc_conv
), sla AS (
    SELECT max(seconds) FILTER (WHERE kind = 'first_response' AND level = 'default') AS first_response,
           max(seconds) FILTER (WHERE kind = 'next_reply' AND level = 'default') AS next_reply,
           max(seconds) FILTER (WHERE kind = 'resolution' AND level = 'default') AS resolution
    FROM sla_targets
), per AS (
    SELECT level, name,
           max(seconds) FILTER (WHERE kind = 'first_response') AS first_response,
           max(seconds) FILTER (WHERE kind = 'next_reply') AS next_reply,
           max(seconds) FILTER (WHERE kind = 'resolution') AS resolution
    FROM sla_targets WHERE level <> 'default' GROUP BY level, name
)
SELECT c.conv_key, c.namespace, c.conversation_id, c.channel, c.queue,
       bh_cal(c.channel, c.queue, getvariable('sc_bh_channels'), getvariable('sc_bh_queues')) AS cal,
       c.customer, c.opened_at, c.first_inbound_at, c.brand_initiated, c.first_reply_at,
       c.first_reply_agent, c.human_replies, c.automated_msgs, c.last_msg_at, c.status,
       c.assignee, c.first_resolved_at, c.last_resolved_at, c.first_resolution_agent,
       c.last_resolution_agent, c.resolutions, c.reopens, c.waiting_since, c.origin,
       c.reply_count, c.talk_seconds, c.hold_seconds, c.wrap_seconds, c.handle_seconds,
       c.handled_at,
       coalesce(q.first_response, ch.first_response, sla.first_response) AS target_first_response,
       coalesce(q.next_reply, ch.next_reply, sla.next_reply) AS target_next_reply,
       coalesce(q.resolution, ch.resolution, sla.resolution) AS target_resolution
FROM c
CROSS JOIN sla
LEFT JOIN per q ON q.level = 'queue' AND q.name = c.queue
LEFT JOIN per ch ON ch.level = 'channel' AND lower(ch.name) = c.channel;

-- name: customer_convs
-- Every conversation's customer and channel before filters apply: the FCR
-- repeat check looks across queues.
CREATE OR REPLACE TEMP VIEW customer_convs AS
SELECT conv_key, customer, channel, opened_at FROM all_conv WHERE customer IS NOT NULL;

-- name: whole_scope
-- No filters: the views are the whole layer.
CREATE OR REPLACE TEMP VIEW scope_events AS SELECT * FROM all_events;
CREATE OR REPLACE TEMP VIEW msgs AS SELECT * FROM all_msgs;
CREATE OR REPLACE TEMP VIEW turns AS SELECT * FROM all_turns;
CREATE OR REPLACE TEMP VIEW resolutions AS SELECT * FROM all_resolutions;
CREATE OR REPLACE TEMP VIEW conv AS SELECT * FROM all_conv;

-- name: filter_keep
-- The conversations that match every given filter: channel, queue (at as_of),
-- agent (the assignee at as_of or the author of any human reply), tag (a tag's
-- value or its topic part).
CREATE OR REPLACE TEMP TABLE scope_keep AS
SELECT c.conv_key
FROM all_conv c
WHERE (len($channels::VARCHAR[]) = 0 OR list_contains($channels::VARCHAR[], c.channel))
  AND (len($queues::VARCHAR[]) = 0 OR list_contains($queues::VARCHAR[], c.queue))
  AND (len($agents::VARCHAR[]) = 0
       OR list_contains($agents::VARCHAR[], c.assignee)
       OR c.conv_key IN (SELECT conv_key FROM all_msgs
                         WHERE is_human_reply AND list_contains($agents::VARCHAR[], author)))
  AND (len($tags::VARCHAR[]) = 0
       OR c.conv_key IN (SELECT conv_key FROM all_events
                         WHERE type = 'tag'
                           AND (list_contains($tags::VARCHAR[], value)
                                OR list_contains($tags::VARCHAR[], split_part(value, '/', 1)))));

-- name: filter_keep_answers
-- Survey answers with no conversation stay when only --channel filters.
CREATE OR REPLACE TEMP TABLE scope_keep_answers AS
SELECT $keep_answers::BOOLEAN AS keep, $channels::VARCHAR[] AS channels;

-- name: filtered_scope
CREATE OR REPLACE TEMP VIEW scope_events AS
SELECT e.* FROM all_events e
WHERE e.conv_key IN (SELECT conv_key FROM scope_keep)
   OR (e.conv_key IS NULL AND (SELECT keep FROM scope_keep_answers)
       AND (len((SELECT channels FROM scope_keep_answers)) = 0
            OR list_contains((SELECT channels FROM scope_keep_answers), e.channel)));
CREATE OR REPLACE TEMP VIEW msgs AS
SELECT * FROM all_msgs SEMI JOIN scope_keep USING (conv_key);
CREATE OR REPLACE TEMP VIEW turns AS
SELECT * FROM all_turns SEMI JOIN scope_keep USING (conv_key);
CREATE OR REPLACE TEMP VIEW resolutions AS
SELECT * FROM all_resolutions SEMI JOIN scope_keep USING (conv_key);
CREATE OR REPLACE TEMP VIEW conv AS
SELECT * FROM all_conv SEMI JOIN scope_keep USING (conv_key);

-- name: answers_macro
-- latest_answers(kind, lo, hi): the survey answers of type `kind` ('csat', 'nps') in
-- [lo, hi) that count: per conversation its latest one (by time, then file and line);
-- an answer without a conversation counts on its own. It reads scope_events, so the
-- filters apply: made after the scope views (DuckDB binds a table macro when made).
CREATE OR REPLACE TEMP MACRO latest_answers(kind, lo, hi) AS TABLE
SELECT conv_key, channel, queue, ts, source_id, line,
       TRY_CAST(value AS DOUBLE) AS score, coalesce(scale_max, 5) AS scale_max
FROM scope_events
WHERE type = kind AND ts >= lo AND ts < hi AND TRY_CAST(value AS DOUBLE) IS NOT NULL
QUALIFY conv_key IS NULL
     OR row_number() OVER (PARTITION BY conv_key ORDER BY ts DESC, source_id DESC, line DESC) = 1;
