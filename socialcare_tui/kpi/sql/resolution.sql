-- Resolution KPIs (README, KPIs: Resolution). Rows read the shared temp tables of
-- base.sql; `.agg` statements read `kpi_rows` (rows plus `grp`).
-- Conversation-level figures belong to the assignee at resolution; rows with
-- no resolution belong to the conversation's assignee now.

-- name: resolutions
-- title: Resolutions
-- unit: count
-- better: none
-- counts_by: the resolution (each change into resolved)
-- parts: sample, reopened, last_in_window
-- help: Changes into resolved in the window; conversations counts distinct conversations resolved in
--   the window (each in the group of its last resolution there), reopens counts those resolutions
--   that were reopened by as_of.
SELECT conv_key, channel, queue, agent, resolved_at AS moment, NULL::DOUBLE AS measure,
       n AS resolution_no, reopened_at, true AS sample, reopened_at IS NOT NULL AS reopened,
       n = max(n) OVER (PARTITION BY conv_key) AS last_in_window
FROM resolutions
WHERE resolved_at >= $lo AND resolved_at < $hi

-- name: resolutions.agg
SELECT grp,
       count(*) AS value,
       count(*) FILTER (WHERE last_in_window) AS conversations,
       count(*) FILTER (WHERE reopened) AS reopens,
       NULL AS reason
FROM kpi_rows GROUP BY grp

-- name: resolution_rate
-- title: Resolution rate
-- unit: ratio
-- better: higher
-- counts_by: the conversation's first event (opened_at)
-- parts: numerator, denominator
-- help: Share of conversations opened in the window that are resolved at as_of.
SELECT conv_key, channel, queue, coalesce(last_resolution_agent, assignee) AS agent,
       opened_at AS moment, NULL::DOUBLE AS measure, status,
       status = 'resolved' AS numerator, true AS denominator
FROM conv
WHERE opened_at >= $lo AND opened_at < $hi

-- name: resolution_rate.agg
SELECT grp,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE numerator) / count(*) END AS value,
       count(*) FILTER (WHERE numerator) AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) = 0 THEN 'no conversations opened in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: resolution_time
-- title: Resolution time
-- unit: seconds
-- better: lower
-- counts_by: the first resolution
-- parts: sample
-- help: Median seconds from a conversation's first event to its first resolution, for first
--   resolutions in the window; full_median uses the last resolution instead, for those still resolved.
SELECT conv_key, channel, queue, first_resolution_agent AS agent, first_resolved_at AS moment,
       secs(opened_at, first_resolved_at, cal) AS measure,
       secs(opened_at, last_resolved_at, cal) AS full_measure,
       true AS sample
FROM conv
WHERE first_resolved_at >= $lo AND first_resolved_at < $hi

-- name: resolution_time.agg
SELECT grp,
       quantile_cont(measure, 0.5) AS value,
       avg(measure) AS mean,
       quantile_cont(measure, 0.9) AS p90,
       count(*) AS n,
       quantile_cont(full_measure, 0.5) AS full_median,
       CASE WHEN count(*) = 0 THEN 'no first resolutions in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: fcr
-- title: First contact resolution
-- unit: ratio
-- better: higher
-- counts_by: the first resolution
-- parts: numerator, denominator, no_reply_count
-- help: Of conversations resolved now whose first resolution is in the window, the share resolved
--   with exactly one human reply (tickets: the export's reply count), no reopen, and no new
--   conversation from the same customer on the same channel within fcr_repeat_window after it.
WITH base AS (
    SELECT * FROM conv
    WHERE status = 'resolved' AND first_resolved_at >= $lo AND first_resolved_at < $hi
), repeats AS (
    SELECT DISTINCT b.conv_key
    FROM base b
    JOIN customer_convs r
      ON r.customer = b.customer AND r.channel = b.channel AND r.conv_key <> b.conv_key
     AND r.opened_at > b.first_resolved_at
     AND secs(b.first_resolved_at, r.opened_at) <= $fcr_window
)
SELECT b.conv_key, b.channel, b.queue, b.first_resolution_agent AS agent,
       b.first_resolved_at AS moment, NULL::DOUBLE AS measure,
       CASE WHEN b.origin = 'ticket' THEN b.reply_count ELSE b.human_replies END AS replies,
       b.reopens, r.conv_key IS NOT NULL AS repeat_contact,
       b.origin = 'ticket' AND b.reply_count IS NULL AS no_reply_count,
       CASE WHEN b.origin = 'ticket' THEN b.reply_count ELSE b.human_replies END = 1
           AND b.reopens = 0 AND r.conv_key IS NULL AS numerator,
       true AS denominator
FROM base b LEFT JOIN repeats r USING (conv_key)

-- name: fcr.agg
SELECT grp,
       CASE WHEN count(*) > 0 AND count(*) FILTER (WHERE no_reply_count) = 0
            THEN count(*) FILTER (WHERE numerator) / count(*) END AS value,
       count(*) FILTER (WHERE numerator) AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) FILTER (WHERE no_reply_count) > 0 THEN 'the export has no reply counts'
            WHEN count(*) = 0 THEN 'no conversations first resolved in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: aht
-- title: Average handle time
-- unit: seconds
-- better: lower
-- counts_by: the conversation's last handle-time record
-- parts: sample
-- help: Mean talk + hold + wrap seconds (handle_seconds when only the whole is given) over
--   conversations in the window that record any of them; missing parts count 0.
SELECT conv_key, channel, queue, coalesce(last_resolution_agent, assignee) AS agent,
       handled_at AS moment,
       CASE WHEN talk_seconds IS NULL AND hold_seconds IS NULL AND wrap_seconds IS NULL
            THEN handle_seconds
            ELSE coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0) + coalesce(wrap_seconds, 0)
       END AS measure,
       coalesce(talk_seconds, 0) AS talk, coalesce(hold_seconds, 0) AS hold,
       coalesce(wrap_seconds, 0) AS wrap, true AS sample
FROM conv
WHERE handled_at >= $lo AND handled_at < $hi

-- name: aht.agg
SELECT grp,
       avg(measure) AS value,
       avg(talk) AS talk,
       avg(hold) AS hold,
       avg(wrap) AS wrap,
       count(*) AS n,
       CASE WHEN count(*) = 0 THEN 'no handle-time columns in the data for the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: bot_containment
-- title: Bot containment
-- unit: ratio
-- better: higher
-- counts_by: the conversation's latest resolution in the window
-- parts: numerator, denominator
-- help: Share of conversations resolved in the window that had no human reply but at least one
--   automated message.
WITH res AS (
    SELECT conv_key, max(resolved_at) AS moment, arg_max_null(agent, n) AS agent
    FROM resolutions
    WHERE resolved_at >= $lo AND resolved_at < $hi
    GROUP BY conv_key
)
SELECT c.conv_key, c.channel, c.queue, r.agent, r.moment, NULL::DOUBLE AS measure,
       c.human_replies, c.automated_msgs,
       c.human_replies = 0 AND c.automated_msgs > 0 AS numerator, true AS denominator,
       (SELECT count(*) FROM msgs WHERE automated) > 0 AS data_has_automated
FROM res r JOIN conv c USING (conv_key)

-- name: bot_containment.agg
SELECT grp,
       CASE WHEN count(*) > 0 AND bool_or(data_has_automated)
            THEN count(*) FILTER (WHERE numerator) / count(*) END AS value,
       count(*) FILTER (WHERE numerator) AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) = 0 THEN 'no conversations resolved in the window'
            WHEN NOT bool_or(data_has_automated) THEN 'the data has no automated messages' END AS reason
FROM kpi_rows GROUP BY grp
