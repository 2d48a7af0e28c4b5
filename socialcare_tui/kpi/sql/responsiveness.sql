-- Responsiveness KPIs (README, KPIs: Responsiveness). Rows read the shared temp
-- tables of base.sql; `.agg` statements read `kpi_rows` (rows plus `grp`).
-- A row's agent is the author of the reply it counts; rows without a reply
-- (unanswered, still waiting) belong to the conversation's assignee now.

-- name: first_response_time
-- title: First response time
-- unit: seconds
-- better: lower
-- counts_by: the first human reply (unanswered: the first customer message)
-- parts: sample, unanswered
-- help: Median seconds from a customer's first message to the first human reply, for first replies
--   in the window; unanswered counts conversations opened by a customer in the window with no human
--   reply yet. Brand-initiated conversations have no first response.
SELECT conv_key, channel, queue, first_reply_agent AS agent, first_reply_at AS moment,
       secs(first_inbound_at, first_reply_at, cal) AS measure,
       true AS sample, false AS unanswered
FROM conv
WHERE NOT brand_initiated AND first_inbound_at IS NOT NULL
  AND first_reply_at >= $lo AND first_reply_at < $hi
UNION ALL
SELECT conv_key, channel, queue, assignee AS agent, first_inbound_at AS moment,
       secs(first_inbound_at, $as_of::TIMESTAMP, cal) AS measure,
       false AS sample, true AS unanswered
FROM conv
WHERE NOT brand_initiated AND first_reply_at IS NULL
  AND first_inbound_at >= $lo AND first_inbound_at < $hi

-- name: first_response_time.agg
SELECT grp,
       quantile_cont(measure, 0.5) FILTER (WHERE sample) AS value,
       quantile_cont(measure, 0.5) FILTER (WHERE sample) AS median,
       avg(measure) FILTER (WHERE sample) AS mean,
       quantile_cont(measure, 0.9) FILTER (WHERE sample) AS p90,
       count(*) FILTER (WHERE sample) AS n,
       count(*) FILTER (WHERE unanswered) AS unanswered,
       CASE WHEN count(*) FILTER (WHERE sample) = 0
            THEN 'no first responses in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: reply_time
-- title: Reply time
-- unit: seconds
-- better: lower
-- counts_by: the human reply that answers a turn
-- parts: sample
-- help: Median seconds from the start of a customer turn to the human reply that answers it, for
--   replies in the window (every turn, not only the first).
SELECT conv_key, channel, queue, reply_agent AS agent, answered_at AS moment,
       secs(started_at, answered_at, cal) AS measure, turn_no, true AS sample
FROM turns
WHERE answered_at >= $lo AND answered_at < $hi

-- name: reply_time.agg
SELECT grp,
       quantile_cont(measure, 0.5) AS value,
       avg(measure) AS mean,
       quantile_cont(measure, 0.9) AS p90,
       count(*) AS n,
       CASE WHEN count(*) = 0 THEN 'no answered turns in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: reply_rate
-- title: Reply rate
-- unit: ratio
-- better: higher
-- counts_by: the turn's first customer message
-- parts: numerator, denominator
-- help: Share of customer turns started in the window that had a human reply by as_of.
SELECT t.conv_key, t.channel, t.queue, coalesce(t.reply_agent, c.assignee) AS agent,
       t.started_at AS moment, secs(t.started_at, t.answered_at, t.cal) AS measure, t.turn_no,
       t.answered_at IS NOT NULL AS numerator, true AS denominator
FROM turns t JOIN conv c USING (conv_key)
WHERE t.started_at >= $lo AND t.started_at < $hi

-- name: reply_rate.agg
SELECT grp,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE numerator) / count(*) END AS value,
       count(*) FILTER (WHERE numerator) AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) = 0 THEN 'no customer turns started in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: reply_wait
-- title: Reply wait
-- unit: seconds
-- better: lower
-- counts_by: the waiting turn's first customer message (not windowed: the queue now)
-- parts: sample
-- window: none
-- help: Median seconds customers have been waiting at as_of for a human reply, over turns still
--   unanswered in conversations that are not resolved; max is the longest wait now.
SELECT t.conv_key, t.channel, t.queue, c.assignee AS agent, t.started_at AS moment,
       secs(t.started_at, $as_of::TIMESTAMP, t.cal) AS measure, t.turn_no, c.status, true AS sample
FROM turns t JOIN conv c USING (conv_key)
WHERE t.answered_at IS NULL AND c.status <> 'resolved'

-- name: reply_wait.agg
SELECT grp,
       quantile_cont(measure, 0.5) AS value,
       max(measure) AS max,
       count(*) AS n,
       CASE WHEN count(*) = 0 THEN 'no customer is waiting for a reply' END AS reason
FROM kpi_rows GROUP BY grp

-- name: frt_distribution
-- title: First responses within 1 hour
-- unit: ratio
-- better: higher
-- counts_by: the first human reply
-- parts: sample, under_1h, from_1h_to_4h, from_4h_to_8h, from_8h_to_24h, over_24h
-- help: First responses in the window by how long they took (<1h, 1-4h, 4-8h, 8-24h, >24h, each
--   including its lower edge); the value is the share answered in under an hour.
SELECT conv_key, channel, queue, first_reply_agent AS agent, first_reply_at AS moment,
       secs(first_inbound_at, first_reply_at, cal) AS measure, true AS sample,
       secs(first_inbound_at, first_reply_at, cal) < 3600 AS under_1h,
       secs(first_inbound_at, first_reply_at, cal) >= 3600
           AND secs(first_inbound_at, first_reply_at, cal) < 14400 AS from_1h_to_4h,
       secs(first_inbound_at, first_reply_at, cal) >= 14400
           AND secs(first_inbound_at, first_reply_at, cal) < 28800 AS from_4h_to_8h,
       secs(first_inbound_at, first_reply_at, cal) >= 28800
           AND secs(first_inbound_at, first_reply_at, cal) < 86400 AS from_8h_to_24h,
       secs(first_inbound_at, first_reply_at, cal) >= 86400 AS over_24h
FROM conv
WHERE NOT brand_initiated AND first_inbound_at IS NOT NULL
  AND first_reply_at >= $lo AND first_reply_at < $hi

-- name: frt_distribution.agg
SELECT grp,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE under_1h) / count(*) END AS value,
       {'<1h': count(*) FILTER (WHERE under_1h),
        '1-4h': count(*) FILTER (WHERE from_1h_to_4h),
        '4-8h': count(*) FILTER (WHERE from_4h_to_8h),
        '8-24h': count(*) FILTER (WHERE from_8h_to_24h),
        '>24h': count(*) FILTER (WHERE over_24h)} AS buckets,
       count(*) AS n,
       CASE WHEN count(*) = 0 THEN 'no first responses in the window' END AS reason
FROM kpi_rows GROUP BY grp
