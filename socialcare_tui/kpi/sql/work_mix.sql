-- Work mix KPIs (README, KPIs: Work mix). Rows statements read the shared temp
-- tables of base.sql and `kpi_topic_rules` / `kpi_costs` (kpi/lexicon.py);
-- `.agg` statements read `kpi_rows` (the rows plus `grp`).

-- name: backlog
-- title: Backlog
-- unit: count
-- better: lower
-- counts_by: the conversation's status at as_of (not windowed)
-- parts: sample, unassigned, open, pending, resolved
-- window: none
-- help: Conversations not resolved at as_of: unassigned (open, nobody assigned), open (assigned), pending; resolved counts those resolved now whose last resolution is in the window.
SELECT conv_key, channel, queue, assignee AS agent,
       CASE WHEN status = 'resolved' THEN last_resolved_at ELSE opened_at END AS moment,
       1 AS measure, status,
       status <> 'resolved' AS sample,
       status = 'open' AND assignee IS NULL AS unassigned,
       status = 'open' AND assignee IS NOT NULL AS open,
       status = 'pending' AS pending,
       status = 'resolved' AS resolved
FROM conv
WHERE status <> 'resolved' OR (last_resolved_at >= $lo AND last_resolved_at < $hi)

-- name: backlog.agg
SELECT grp,
       count(*) FILTER (WHERE sample) AS value,
       count(*) FILTER (WHERE unassigned) AS unassigned,
       count(*) FILTER (WHERE open) AS open,
       count(*) FILTER (WHERE pending) AS pending,
       count(*) FILTER (WHERE resolved) AS resolved,
       NULL AS reason
FROM kpi_rows GROUP BY grp

-- name: topics
-- title: Topics
-- unit: count
-- better: none
-- counts_by: the conversation's first event (opened_at), with its topic at as_of
-- parts: sample
-- help: Conversations opened in the window that have a topic: their latest tag (topic/subtopic), else the first config topic rule matching their customer text.
WITH opened AS (
    SELECT conv_key FROM conv WHERE opened_at >= $lo AND opened_at < $hi
),
tagged AS (
    -- A conversation opened in the window has its tags at or after $lo: the test on ts
    -- skips most rows before the join, and blank tags are dropped after it (both cost
    -- more the other way round).
    SELECT * FROM (
        SELECT e.conv_key, arg_max(trim(e.value), (e.ts, e.ord)) FILTER (WHERE trim(e.value) <> '') AS tag
        FROM scope_events e SEMI JOIN opened o ON o.conv_key = e.conv_key
        WHERE e.type = 'tag' AND e.ts >= $lo AND e.value IS NOT NULL
        GROUP BY e.conv_key)
    WHERE tag IS NOT NULL
),
ruled AS (
    -- the first rule (config order) matching any of the conversation's customer
    -- messages; topic_rule_no (kpi/lexicon.py) compiles each pattern once
    SELECT f.conv_key, r.topic, r.subtopic
    FROM (
        SELECT m.conv_key, min(topic_rule_no(m.text)) AS rule_no
        FROM msgs m
        SEMI JOIN opened o ON o.conv_key = m.conv_key
        -- a conversation opened in the window has its messages at or after $lo
        WHERE m.is_customer AND m.text IS NOT NULL AND m.ts >= $lo
          AND m.conv_key NOT IN (SELECT conv_key FROM tagged)
        GROUP BY m.conv_key
    ) f
    JOIN kpi_topic_rules r USING (rule_no)
),
topics AS (
    SELECT conv_key, 'tag' AS source,
           trim(split_part(tag, '/', 1)) AS topic,
           nullif(trim(substr(tag, length(split_part(tag, '/', 1)) + 2)), '') AS subtopic
    FROM tagged
    UNION ALL
    SELECT conv_key, 'rule' AS source, topic, subtopic FROM ruled
)
SELECT t.conv_key, c.channel, c.queue, c.assignee AS agent, c.opened_at AS moment, 1 AS measure,
       true AS sample, t.source, t.topic, t.subtopic
FROM topics t JOIN conv c USING (conv_key)

-- name: topics.agg
-- top: counts per (topic, subtopic) sorted by count desc, then topic, then subtopic
-- (none first); the sort key k = -count is dropped afterwards.
SELECT grp,
       CASE WHEN EXISTS (SELECT 1 FROM scope_events WHERE type = 'tag')
              OR EXISTS (SELECT 1 FROM kpi_topic_rules) THEN count(*) END AS value,
       coalesce(list_transform(list_sort(list_transform(
           map_entries(histogram({'topic': topic, 'subtopic': subtopic})),
           lambda e: {'k': -(e.value::BIGINT), 'topic': e.key.topic, 's': coalesce(e.key.subtopic, ''),
                      'subtopic': e.key.subtopic}))[1:10],
           lambda t: {'topic': t.topic, 'subtopic': t.subtopic, 'conversations': -t.k}), []) AS top,
       CASE WHEN NOT (EXISTS (SELECT 1 FROM scope_events WHERE type = 'tag')
                      OR EXISTS (SELECT 1 FROM kpi_topic_rules))
            THEN 'no tags in the data and no topic_rules in config' END AS reason
FROM kpi_rows GROUP BY grp

-- name: quick_replies
-- title: Quick replies
-- unit: ratio
-- better: none
-- counts_by: the reply
-- parts: numerator, denominator
-- help: Share of human replies that used a quick reply: the quick_reply column, else a normalised text sent at least 3 times in the window.
-- A reply's normalised text (reply_norm) is stored with it (store/sql/facts.sql).
WITH replies AS (
    SELECT conv_key, channel, queue, author, ts, nullif(trim(quick_reply), '') AS quick_reply,
           reply_norm, text IS NOT NULL AS has_text
    FROM msgs
    WHERE is_human_reply AND ts >= $lo AND ts < $hi
),
repeated AS (
    SELECT reply_norm AS normalised FROM replies
    WHERE quick_reply IS NULL AND reply_norm IS NOT NULL
    GROUP BY reply_norm HAVING count(*) >= 3
)
SELECT r.conv_key, r.channel, r.queue, r.author AS agent, r.ts AS moment, 1 AS measure,
       true AS denominator,
       coalesce(r.quick_reply, left(p.normalised, 40)) IS NOT NULL AS numerator,
       coalesce(r.quick_reply, left(p.normalised, 40)) AS name,
       -- a reply without text nor quick_reply value (ticket exports) cannot tell
       r.quick_reply IS NOT NULL OR r.has_text AS known
FROM replies r
LEFT JOIN repeated p ON r.quick_reply IS NULL AND p.normalised = r.reply_norm

-- name: quick_replies.agg
SELECT grp,
       -- every human reply counts as the share's denominator; null when none can tell (no text, no quick_reply)
       CASE WHEN count(*) FILTER (WHERE known) > 0
            THEN count(*) FILTER (WHERE numerator) / count(*) END AS value,
       count(*) FILTER (WHERE numerator) AS numerator,
       count(*) AS denominator,
       coalesce(list_transform(list_sort(list_transform(
           map_entries(histogram(name) FILTER (WHERE numerator)),
           lambda e: {'k': -(e.value::BIGINT), 'name': e.key}))[1:10],
           lambda t: {'name': t.name, 'uses': -t.k}), []) AS top,
       CASE WHEN count(*) = 0 THEN 'no human replies in the window'
            WHEN count(*) FILTER (WHERE known) = 0
            THEN 'the data has no reply text nor quick_reply values to tell quick replies by' END AS reason
FROM kpi_rows GROUP BY grp

-- name: cost
-- title: Cost
-- unit: money
-- better: lower
-- counts_by: the conversation's first event (opened_at)
-- parts: sample, deflected, uncosted
-- help: Estimated cost of the conversations opened in the window (config cost_per_conversation); deflected ones are on channels cheaper than phone, saving the difference.
WITH phone AS (
    SELECT max(cost) FILTER (WHERE channel = 'phone') AS cost FROM kpi_costs
)
SELECT c.conv_key, c.channel, c.queue, c.assignee AS agent, c.opened_at AS moment,
       k.cost AS measure, true AS sample,
       k.cost IS NULL AS uncosted,
       coalesce(k.cost < p.cost, false) AS deflected,
       CASE WHEN k.cost < p.cost THEN p.cost - k.cost END AS saving
FROM conv c
LEFT JOIN kpi_costs k ON k.channel = lower(c.channel)
CROSS JOIN phone p
WHERE c.opened_at >= $lo AND c.opened_at < $hi

-- name: cost.agg
SELECT grp,
       CASE WHEN EXISTS (SELECT 1 FROM kpi_costs) THEN coalesce(sum(measure), 0) END AS value,
       coalesce(list_sort(list_transform(
           map_entries(histogram({'channel': channel, 'cost': measure})),
           lambda e: {'channel': e.key.channel, 'conversations': e.value::BIGINT,
                      'cost': e.key.cost * e.value::BIGINT})), []) AS by_channel,
       count(*) FILTER (WHERE deflected) AS deflected,
       CASE WHEN EXISTS (SELECT 1 FROM kpi_costs WHERE channel = 'phone')
            THEN coalesce(sum(saving), 0) END AS savings,
       count(*) FILTER (WHERE uncosted) AS uncosted,
       CASE WHEN NOT EXISTS (SELECT 1 FROM kpi_costs)
            THEN 'no cost_per_conversation in config' END AS reason
FROM kpi_rows GROUP BY grp
