-- Volume KPIs (README, KPIs: Volume). Rows statements read the shared temp tables
-- of base.sql; `.agg` statements read `kpi_rows` (the rows plus `grp`).
-- Hours and weekdays are in the display timezone `$tz` (config `timezone`).

-- name: inbound_volume
-- title: Inbound volume
-- unit: count
-- better: none
-- counts_by: the customer message
-- parts: sample
-- help: Customer messages in the window, with their spread over hours of the day and days of the week.
WITH inbound AS (
    SELECT conv_key, channel, queue, ts FROM msgs WHERE is_customer AND ts >= $lo AND ts < $hi
)
SELECT m.conv_key, m.channel, m.queue, c.assignee AS agent, m.ts AS moment, 1 AS measure,
       true AS sample,
       hour(timezone($tz, timezone('UTC', m.ts))) AS local_hour,
       isodow(timezone($tz, timezone('UTC', m.ts))) - 1 AS local_weekday
FROM inbound m
-- conv narrowed to these conversations first: a join on all of them costs more
LEFT JOIN (SELECT conv_key, assignee FROM conv WHERE conv_key IN (SELECT conv_key FROM inbound)) c
    USING (conv_key)

-- name: inbound_volume.agg
SELECT grp, count(*) AS value,
       list_transform(range(24), lambda h: coalesce(histogram(local_hour)[h], 0)) AS by_hour,
       list_transform(range(7), lambda d: coalesce(histogram(local_weekday)[d], 0)) AS by_weekday,
       NULL AS reason
FROM kpi_rows GROUP BY grp

-- name: new_conversations
-- title: New conversations
-- unit: count
-- better: none
-- counts_by: the conversation's first event (opened_at)
-- parts: sample, brand_initiated
-- help: Conversations opened in the window; brand_initiated counts those the brand started.
SELECT conv_key, channel, queue, assignee AS agent, opened_at AS moment, 1 AS measure,
       true AS sample, brand_initiated
FROM conv
WHERE opened_at >= $lo AND opened_at < $hi

-- name: new_conversations.agg
SELECT grp, count(*) AS value, count(*) FILTER (WHERE brand_initiated) AS brand_initiated,
       NULL AS reason
FROM kpi_rows GROUP BY grp

-- name: unique_customers
-- title: Unique customers
-- unit: count
-- better: none
-- counts_by: the customer's first message in the window
-- parts: sample
-- help: Distinct authors of customer messages in the window (each counted once, in the group of their first message).
WITH firsts AS (
    SELECT m.author, arg_min(m.conv_key, (m.ts, m.ord)) AS conv_key,
           arg_min(m.channel, (m.ts, m.ord)) AS channel, arg_min(m.queue, (m.ts, m.ord)) AS queue,
           min(m.ts) AS moment
    FROM msgs m
    WHERE m.is_customer AND m.author IS NOT NULL AND m.ts >= $lo AND m.ts < $hi
    GROUP BY m.author
)
SELECT f.conv_key, f.channel, f.queue, c.assignee AS agent, f.moment, 1 AS measure,
       true AS sample, f.author AS customer
FROM firsts f LEFT JOIN conv c USING (conv_key)

-- name: unique_customers.agg
SELECT grp,
       CASE WHEN (SELECT count(*) FROM msgs WHERE is_customer AND author IS NOT NULL) > 0
            THEN count(*) END AS value,
       CASE WHEN (SELECT count(*) FROM msgs WHERE is_customer AND author IS NOT NULL) = 0
            THEN 'the data has no customer authors' END AS reason
FROM kpi_rows GROUP BY grp

-- name: replies
-- title: Replies
-- unit: count
-- better: none
-- counts_by: the reply
-- parts: sample, automated
-- help: Human replies sent in the window; automated counts the machine messages (bots, auto-acknowledgements) sent in the window.
SELECT conv_key, channel, queue, author AS agent, ts AS moment, 1 AS measure,
       is_human_reply AS sample, automated
FROM msgs
WHERE (is_human_reply OR automated) AND ts >= $lo AND ts < $hi

-- name: replies.agg
SELECT grp, count(*) FILTER (WHERE sample) AS value,
       count(*) FILTER (WHERE automated) AS automated, NULL AS reason
FROM kpi_rows GROUP BY grp

-- name: peak_hour
-- title: Peak hour
-- unit: hour
-- better: none
-- counts_by: the customer message
-- parts: sample
-- help: Hour of the day (0-23, display timezone) with the most customer messages in the window; ties go to the earliest hour.
WITH inbound AS (
    SELECT conv_key, channel, queue, ts FROM msgs WHERE is_customer AND ts >= $lo AND ts < $hi
)
SELECT m.conv_key, m.channel, m.queue, c.assignee AS agent, m.ts AS moment, 1 AS measure,
       true AS sample,
       hour(timezone($tz, timezone('UTC', m.ts))) AS local_hour,
       isodow(timezone($tz, timezone('UTC', m.ts))) - 1 AS local_weekday
FROM inbound m
-- conv narrowed to these conversations first: a join on all of them costs more
LEFT JOIN (SELECT conv_key, assignee FROM conv WHERE conv_key IN (SELECT conv_key FROM inbound)) c
    USING (conv_key)

-- name: peak_hour.agg
-- The smallest {n: -count, key} is the most frequent key, the earliest on ties
-- (NULL when there are no rows).
SELECT grp,
       list_min(list_transform(map_entries(histogram(local_hour)),
                               lambda e: {'n': -(e.value::BIGINT), 'key': e.key})).key AS value,
       coalesce(-list_min(list_transform(map_entries(histogram(local_hour)),
                                         lambda e: {'n': -(e.value::BIGINT), 'key': e.key})).n, 0) AS count,
       list_min(list_transform(map_entries(histogram(local_weekday)),
                               lambda e: {'n': -(e.value::BIGINT), 'key': e.key})).key AS peak_weekday,
       CASE WHEN count(*) = 0 THEN 'no customer messages in the window' END AS reason
FROM kpi_rows GROUP BY grp
