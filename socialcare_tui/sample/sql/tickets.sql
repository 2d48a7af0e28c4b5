-- A Zendesk-like ticket export: one row per ticket,
-- $n tickets over the 30 days. Recent tickets are more often still open; a
-- few open (reopened) tickets keep an old `Resolved` date, which the importer
-- must ignore.

-- name: tickets
WITH c AS (
    SELECT *,
           ['Email', 'Web Form', 'Chat', 'Voice', 'Twitter', 'Facebook']
               [1 + sc_bucket(sc_lows([35.0, 20, 20, 12, 8, 5]), u_channel)] AS channel,
           sc_bits($seed, i, 'tk:a') AS ha, sc_bits($seed, i, 'tk:b') AS hb
    FROM sc_convs($seed, $n, 'tk')
), f AS (
    SELECT *,
           sc_subtopics(topic)[1 + floor(u_subtopic * len(sc_subtopics(topic)))::BIGINT] AS subtopic,
           $span - start AS age,
           sc_lognormal(CASE channel WHEN 'Email' THEN 240 WHEN 'Web Form' THEN 300 WHEN 'Chat' THEN 2
                                     WHEN 'Voice' THEN 1 WHEN 'Twitter' THEN 45 ELSE 60 END,
                        1.0, ha, 0, 1, 1, 4320) AS frt_minutes,
           sc_lognormal(72000, 1.0, ha, 2, 3, 600, 1209600) AS to_resolve,
           sc_u(ha, 4) AS u_status,
           sc_u(ha, 5) < 0.3 AS rated,
           sc_normal(ha, 6, 7) AS z,
           CASE WHEN sc_u(hb, 0) < 0.08 THEN 'Tier 2'
                WHEN topic = 'billing' THEN 'Billing' WHEN topic = 'refunds' THEN 'Returns'
                ELSE 'Support' END AS grp,
           CASE WHEN topic = 'outages' THEN sc_pick(['High', 'Urgent'], sc_u(hb, 1))
                ELSE ['Low', 'Normal', 'High', 'Urgent'][1 + sc_bucket([0, 0.2, 0.75, 0.95], sc_u(hb, 1))]
           END AS priority,
           1 + (sc_u(hb, 2) < 0.5)::INT + (sc_u(hb, 2) < 0.2)::INT + (sc_u(hb, 2) < 0.06)::INT AS replies
    FROM c
), s AS (
    SELECT *,
           frt_minutes * 60 + to_resolve AS resolved_after,
           CASE
               WHEN age < 86400 AND u_status < 0.25 THEN 'New'
               WHEN frt_minutes * 60 + to_resolve >= age OR u_status < 0.06 THEN
                   ['Open', 'Pending', 'On-hold'][1 + sc_bucket([0, 0.5, 0.85], sc_u(hb, 3))]
               WHEN age - (frt_minutes * 60 + to_resolve) > 4 * 86400 THEN 'Closed'
               ELSE 'Solved' END AS status
    FROM f
)
SELECT
    40001 + i AS "Ticket ID",
    strftime($start + to_seconds(start), '%Y-%m-%d %H:%M:%S') AS "Created",
    channel AS "Channel",
    grp AS "Group",
    status AS "Status",
    CASE WHEN status <> 'New' THEN sc_pick(sc_agents(), u_agent) END AS "Assignee",
    priority AS "Priority",
    topic AS "Ticket Type",
    subtopic AS "Category",
    CASE WHEN status <> 'New' AND frt_minutes * 60 < age THEN frt_minutes END AS "First Response Time (minutes)",
    CASE WHEN status IN ('Solved', 'Closed')
              -- a reopened ticket keeps the date it was first solved
              OR status = 'Open' AND u_status < 0.03 AND resolved_after < age
         THEN strftime($start + to_seconds(start + resolved_after), '%Y-%m-%d %H:%M:%S') END AS "Resolved",
    CASE WHEN status = 'New' THEN 0 ELSE replies END AS "Replies",
    CASE WHEN status IN ('Solved', 'Closed') AND rated
         THEN least(greatest(round(4.2 + 1.2 * z), 1), 5)::INT END AS "Customer Satisfaction Rating"
FROM s
