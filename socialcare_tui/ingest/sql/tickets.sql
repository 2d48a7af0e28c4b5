-- Ticket exports → synthesised events in TEMP `staged`.
-- /*tickets*/ is built by tickets.py: one VARCHAR column per field (NULL when
-- the export lacks it), `extra` (unknown columns as JSON) and `line`.
-- Parameters: $tz, $channel, $queue, $ns, $has_status, and per duration field
-- `<field>_mult` (seconds per unit) and `<field>_stated` (unit given by name/map).

-- name: macros
-- A duration cell is a number (in the field's unit), `HH:MM[:SS]`, or parts like
-- `2h 30m`. A first-response/resolution cell is a duration when its unit was
-- stated, or when it is one of those shapes (numbers below 1e9: larger ones are
-- epoch times); otherwise it is a time, read like every other time (sc_instant).
CREATE OR REPLACE TEMP MACRO tk_duration(raw, mult) AS (
    CASE
        WHEN raw IS NULL THEN NULL
        WHEN TRY_CAST(raw AS DOUBLE) IS NOT NULL THEN TRY_CAST(raw AS DOUBLE) * mult
        WHEN regexp_full_match(raw, '-?\d{1,4}:\d{2}(:\d{2}(\.\d+)?)?') THEN
            (CASE WHEN starts_with(raw, '-') THEN -1 ELSE 1 END) * list_sum(list_transform(
                string_split(ltrim(raw, '-'), ':'),
                lambda part, i: TRY_CAST(part AS DOUBLE) * [3600, 60, 1][i]))
        WHEN regexp_full_match(lower(raw), '(\s*\d+(\.\d+)?\s*(d|h|m|s|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?)\s*)+') THEN
            list_sum(list_transform(
                regexp_extract_all(lower(raw), '\d+(?:\.\d+)?\s*[a-z]+'),
                lambda p: TRY_CAST(regexp_extract(p, '^[\d.]+') AS DOUBLE) *
                    CASE left(regexp_extract(p, '[a-z]+$'), 1)
                        WHEN 'd' THEN 86400 WHEN 'h' THEN 3600 WHEN 'm' THEN 60 ELSE 1 END))
    END
);
CREATE OR REPLACE TEMP MACRO tk_is_duration(raw, stated) AS (
    stated
    OR abs(TRY_CAST(raw AS DOUBLE)) < 1e9
    OR regexp_full_match(raw, '-?\d{1,4}:\d{2}(:\d{2}(\.\d+)?)?')
    OR regexp_full_match(lower(raw), '(\s*\d+(\.\d+)?\s*(d|h|m|s|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?)\s*)+')
);

-- name: parse
CREATE OR REPLACE TEMP TABLE tk_rows AS
WITH src AS (
    SELECT line,
        nullif(trim(conversation_id), '') AS ticket,
        nullif(trim(opened_at), '') AS opened_raw,
        coalesce(sc_channel(channel), sc_channel($channel)) AS channel,
        coalesce(nullif(trim(queue), ''), $queue) AS queue,
        nullif(trim(status), '') AS status_raw,
        nullif(trim(assignee), '') AS assignee,
        nullif(trim(customer), '') AS customer,
        nullif(trim(first_response), '') AS fr_raw,
        nullif(trim(resolution), '') AS res_raw,
        nullif(trim(csat), '') AS csat_raw,
        nullif(trim(priority), '') AS priority,
        nullif(trim(topic), '') AS topic,
        nullif(trim(subtopic), '') AS subtopic,
        nullif(trim(replies), '') AS replies_raw,
        nullif(trim(talk_seconds), '') AS talk_raw,
        nullif(trim(hold_seconds), '') AS hold_raw,
        nullif(trim(wrap_seconds), '') AS wrap_raw,
        nullif(trim(handle_seconds), '') AS handle_raw,
        extra
    FROM (/*tickets*/)
),
typed AS (
    SELECT *,
        sc_instant(opened_raw, $tz) AS opened,
        tk_is_duration(fr_raw, $first_response_stated) AS fr_is_duration,
        tk_is_duration(res_raw, $resolution_stated) AS res_is_duration,
        tk_duration(fr_raw, $first_response_mult) AS fr_seconds,
        tk_duration(res_raw, $resolution_mult) AS res_seconds,
        TRY_CAST(csat_raw AS DOUBLE) AS score,
        sc_channel_key(csat_raw) IN ('offered', 'notoffered', 'unoffered', 'na', 'none') AS csat_absent,
        TRY_CAST(TRY_CAST(replies_raw AS DOUBLE) AS INTEGER) AS replies,
        tk_duration(talk_raw, $talk_seconds_mult) AS talk_seconds,
        tk_duration(hold_raw, $hold_seconds_mult) AS hold_seconds,
        tk_duration(wrap_raw, $wrap_seconds_mult) AS wrap_seconds,
        tk_duration(handle_raw, $handle_seconds_mult) AS handle_seconds,
        sc_channel_key(status_raw) AS status_key
    FROM src
),
timed AS (
    SELECT *,
        CASE WHEN fr_is_duration THEN opened + to_microseconds(CAST(round(fr_seconds * 1e6) AS BIGINT))
             ELSE sc_instant(fr_raw, $tz) END AS first_response_at,
        CASE WHEN res_is_duration THEN opened + to_microseconds(CAST(round(res_seconds * 1e6) AS BIGINT))
             ELSE sc_instant(res_raw, $tz) END AS resolution_at,
        -- The status column decides; without one (or an empty cell) a resolution time does.
        CASE
            WHEN status_key IN ('resolved', 'closed', 'solved', 'done', 'completed', 'complete', 'fixed') THEN 'resolved'
            WHEN status_key IS NOT NULL AND (status_key LIKE 'pending%' OR status_key LIKE '%hold%'
                 OR status_key LIKE 'waiting%' OR status_key LIKE 'awaiting%' OR status_key = 'snoozed') THEN 'pending'
            WHEN status_key IS NOT NULL THEN 'open'
            WHEN res_raw IS NOT NULL THEN 'resolved'
            ELSE 'open'
        END AS status
    FROM typed
)
SELECT *,
    CASE
        WHEN ticket IS NULL THEN 'missing ticket id'
        WHEN opened_raw IS NULL AND ((fr_raw IS NOT NULL AND fr_is_duration) OR (res_raw IS NOT NULL AND res_is_duration))
            THEN 'ticket ' || ticket || ' gives a duration but no start time (created)'
        WHEN opened_raw IS NULL THEN 'ticket ' || ticket || ' has no start time (created)'
        WHEN opened IS NULL THEN 'created time ''' || opened_raw || ''' is not a time'
        WHEN channel IS NULL THEN 'no channel for ticket ' || ticket || ' (give --channel)'
        WHEN fr_raw IS NOT NULL AND first_response_at IS NULL
            THEN 'first response ''' || fr_raw || ''' is neither a time nor a duration'
        WHEN res_raw IS NOT NULL AND resolution_at IS NULL
            THEN 'resolution ''' || res_raw || ''' is neither a time nor a duration'
        WHEN first_response_at < opened THEN 'first response before the ticket was opened'
        WHEN resolution_at < opened THEN 'resolution before the ticket was opened'
        WHEN score IS NOT NULL AND (score < 0 OR score > 100) THEN 'csat score ' || csat_raw || ' is outside 0-100'
        WHEN replies_raw IS NOT NULL AND (replies IS NULL OR replies < 0)
            THEN 'reply count ''' || replies_raw || ''' is not a whole number'
        WHEN (talk_raw IS NOT NULL AND coalesce(talk_seconds, -1) < 0)
          OR (hold_raw IS NOT NULL AND coalesce(hold_seconds, -1) < 0)
          OR (wrap_raw IS NOT NULL AND coalesce(wrap_seconds, -1) < 0)
          OR (handle_raw IS NOT NULL AND coalesce(handle_seconds, -1) < 0)
            THEN 'talk/hold/wrap/handle times must be non-negative durations'
    END AS reason
FROM timed;

-- name: stage
-- Per ticket: the customer's message at opening (carrying priority, handle
-- times, reply count and unknown columns), the assignment, the first human
-- reply, the status (resolved at the resolution, else open/pending at the last
-- known time), the survey and one topic tag. CSAT scale: 5, unless a score
-- above 5 appears in the file (then 10), or above 10 (then 100). A rating that
-- is not a number (Zendesk "Good") stays in the opening event's extra.
INSERT INTO staged BY NAME
WITH ok AS (
    SELECT *,
        $ns AS namespace, $ns || ':' || ticket AS conv_key, ticket AS conversation_id,
        coalesce(queue, channel) AS queue_filled,
        greatest(opened, coalesce(first_response_at, opened)) AS last_known
    FROM tk_rows WHERE reason IS NULL
),
base AS (
    SELECT * EXCLUDE (extra, talk_seconds, hold_seconds, wrap_seconds, handle_seconds, replies),
        talk_seconds AS x_talk, hold_seconds AS x_hold, wrap_seconds AS x_wrap,
        handle_seconds AS x_handle, replies AS x_replies,
        CASE WHEN status = 'resolved' THEN coalesce(resolution_at, last_known) END AS resolved_at,
        nullif(json_merge_patch(coalesce(extra, '{}'::JSON), json_object(
            'priority', priority,
            'csat', CASE WHEN score IS NULL AND NOT coalesce(csat_absent, false) THEN csat_raw END))::VARCHAR,
            '{}') AS x_extra
    FROM ok
),
scale AS (
    SELECT CASE WHEN max(score) > 10 THEN 100 WHEN max(score) > 5 THEN 10 ELSE 5 END AS scale_max FROM base
),
events AS (
    SELECT ticket || ':opened' AS event_id, opened AS ts, 'message' AS type, 'in' AS direction,
        customer AS author, NULL AS value, NULL::DOUBLE AS scale_max,
        x_talk AS talk_seconds, x_hold AS hold_seconds, x_wrap AS wrap_seconds,
        x_handle AS handle_seconds, x_replies AS reply_count, x_extra::JSON AS extra, base.*
    FROM base
    UNION ALL BY NAME
    SELECT ticket || ':assign' AS event_id, opened AS ts, 'assign' AS type, assignee AS value, base.*
    FROM base WHERE assignee IS NOT NULL
    UNION ALL BY NAME
    SELECT ticket || ':first_response' AS event_id, first_response_at AS ts, 'message' AS type,
        'out' AS direction, assignee AS author, base.*
    FROM base WHERE first_response_at IS NOT NULL
    UNION ALL BY NAME
    SELECT ticket || ':status:' || status AS event_id, coalesce(resolved_at, last_known) AS ts,
        'status' AS type, status AS value, base.*
    FROM base
    UNION ALL BY NAME
    SELECT ticket || ':csat' AS event_id, coalesce(resolved_at, opened) AS ts, 'csat' AS type,
        csat_raw AS value, scale.scale_max AS scale_max, base.*
    FROM base CROSS JOIN scale WHERE score IS NOT NULL
    UNION ALL BY NAME
    SELECT ticket || ':tag' AS event_id, opened AS ts, 'tag' AS type,
        CASE WHEN topic IS NOT NULL AND subtopic IS NOT NULL THEN topic || '/' || subtopic
             ELSE coalesce(topic, subtopic) END AS value, base.*
    FROM base WHERE topic IS NOT NULL OR subtopic IS NOT NULL
)
SELECT namespace, event_id, conv_key, conversation_id, ts, type, channel, queue_filled AS queue,
    direction, author, false AS automated, value, scale_max,
    talk_seconds, hold_seconds, wrap_seconds, handle_seconds, reply_count,
    'ticket' AS origin, extra, line
FROM events;

-- name: rejected_lines
CREATE OR REPLACE TEMP TABLE rejected_lines AS SELECT line, reason FROM tk_rows WHERE reason IS NOT NULL;

-- name: cleanup
DROP TABLE IF EXISTS tk_rows;
DROP TABLE IF EXISTS rejected_lines;
