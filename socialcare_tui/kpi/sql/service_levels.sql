-- Service-level KPIs (README, KPIs: Service levels). Targets are per conversation
-- in `conv` (config sla, overridden per queue, then per channel). A target is
-- met when the event happens at or before start + target; breached when it
-- happens later, or has not happened and as_of is past start + target;
-- running otherwise (left out of the value). Rows without the event belong to
-- the conversation's assignee now.

-- name: sla_first_response
-- title: SLA first response
-- unit: ratio
-- better: higher
-- counts_by: the first customer message
-- parts: met, breached, running
-- help: Share of customer-started conversations opened in the window whose first human reply came
--   within the first-response target (running ones, not yet due, left out).
WITH s AS (
    SELECT conv_key, channel, queue, coalesce(first_reply_agent, assignee) AS agent,
           first_inbound_at AS moment, first_reply_at AS done_at,
           secs(first_inbound_at, coalesce(first_reply_at, $as_of::TIMESTAMP), cal) AS measure,
           target_first_response AS target
    FROM conv
    WHERE NOT brand_initiated AND first_inbound_at >= $lo AND first_inbound_at < $hi
)
SELECT *, done_at IS NOT NULL AND measure <= target AS met,
       measure > target AS breached,
       done_at IS NULL AND measure <= target AS running
FROM s

-- name: sla_first_response.agg
SELECT grp,
       CASE WHEN count(*) FILTER (WHERE met OR breached) > 0
            THEN count(*) FILTER (WHERE met) / count(*) FILTER (WHERE met OR breached) END AS value,
       count(*) FILTER (WHERE met) AS met,
       count(*) FILTER (WHERE breached) AS breached,
       count(*) FILTER (WHERE running) AS running,
       CASE WHEN count(DISTINCT target) <= 1
            THEN coalesce(min(target), (SELECT seconds FROM sla_targets
                                        WHERE level = 'default' AND kind = 'first_response')) END
           AS target_seconds,
       CASE WHEN count(*) FILTER (WHERE met OR breached) = 0
            THEN 'no first responses due in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: sla_next_reply
-- title: SLA next reply
-- unit: ratio
-- better: higher
-- counts_by: the turn's first customer message
-- parts: met, breached, running
-- help: Share of customer turns started in the window, other than first responses, answered within
--   the next-reply target (running ones, not yet due, left out).
WITH s AS (
    SELECT t.conv_key, t.channel, t.queue, coalesce(t.reply_agent, c.assignee) AS agent,
           t.started_at AS moment, t.answered_at AS done_at, t.turn_no,
           secs(t.started_at, coalesce(t.answered_at, $as_of::TIMESTAMP), t.cal) AS measure,
           c.target_next_reply AS target
    FROM turns t JOIN conv c USING (conv_key)
    WHERE NOT t.is_first_response AND t.started_at >= $lo AND t.started_at < $hi
)
SELECT *, done_at IS NOT NULL AND measure <= target AS met,
       measure > target AS breached,
       done_at IS NULL AND measure <= target AS running
FROM s

-- name: sla_next_reply.agg
SELECT grp,
       CASE WHEN count(*) FILTER (WHERE met OR breached) > 0
            THEN count(*) FILTER (WHERE met) / count(*) FILTER (WHERE met OR breached) END AS value,
       count(*) FILTER (WHERE met) AS met,
       count(*) FILTER (WHERE breached) AS breached,
       count(*) FILTER (WHERE running) AS running,
       CASE WHEN count(DISTINCT target) <= 1
            THEN coalesce(min(target), (SELECT seconds FROM sla_targets
                                        WHERE level = 'default' AND kind = 'next_reply')) END
           AS target_seconds,
       CASE WHEN count(*) FILTER (WHERE met OR breached) = 0
            THEN 'no next replies due in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: sla_resolution
-- title: SLA resolution
-- unit: ratio
-- better: higher
-- counts_by: the conversation's first event (opened_at)
-- parts: met, breached, running
-- help: Share of conversations opened in the window first resolved within the resolution target
--   (running ones, not yet due, left out).
WITH s AS (
    SELECT conv_key, channel, queue, coalesce(first_resolution_agent, assignee) AS agent,
           opened_at AS moment, first_resolved_at AS done_at,
           secs(opened_at, coalesce(first_resolved_at, $as_of::TIMESTAMP), cal) AS measure,
           target_resolution AS target
    FROM conv
    WHERE opened_at >= $lo AND opened_at < $hi
)
SELECT *, done_at IS NOT NULL AND measure <= target AS met,
       measure > target AS breached,
       done_at IS NULL AND measure <= target AS running
FROM s

-- name: sla_resolution.agg
SELECT grp,
       CASE WHEN count(*) FILTER (WHERE met OR breached) > 0
            THEN count(*) FILTER (WHERE met) / count(*) FILTER (WHERE met OR breached) END AS value,
       count(*) FILTER (WHERE met) AS met,
       count(*) FILTER (WHERE breached) AS breached,
       count(*) FILTER (WHERE running) AS running,
       CASE WHEN count(DISTINCT target) <= 1
            THEN coalesce(min(target), (SELECT seconds FROM sla_targets
                                        WHERE level = 'default' AND kind = 'resolution')) END
           AS target_seconds,
       CASE WHEN count(*) FILTER (WHERE met OR breached) = 0
            THEN 'no resolutions due in the window' END AS reason
FROM kpi_rows GROUP BY grp
