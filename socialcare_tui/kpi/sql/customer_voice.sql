-- Customer voice KPIs (README, KPIs: Customer voice). Rows statements read the
-- shared temp tables of base.sql and `vader_lexicon` (kpi/lexicon.py);
-- `.agg` statements read `kpi_rows` (the rows plus `grp`).

-- name: csat
-- title: CSAT
-- unit: ratio
-- better: higher
-- counts_by: the survey answer (the latest per conversation in the window)
-- parts: sample, satisfied, dissatisfied
-- help: Share of satisfied survey answers (score at least 80% of the scale); dissatisfied ones (at most 60%) are the ones to follow up.
WITH given AS (
    SELECT * FROM latest_answers('csat', $lo, $hi)
), latest AS (  -- conv narrowed to the answered conversations first: a join on all costs more
    SELECT g.conv_key, coalesce(c.channel, g.channel) AS channel, coalesce(c.queue, g.queue) AS queue,
           c.assignee, g.ts, g.score, g.scale_max
    FROM given g
    LEFT JOIN (SELECT conv_key, channel, queue, assignee FROM conv
               WHERE conv_key IN (SELECT conv_key FROM given)) c USING (conv_key)
), answered_resolutions AS (  -- only the answered conversations' (a join on all of them costs more)
    SELECT conv_key, agent, resolved_at FROM resolutions
    WHERE conv_key IN (SELECT conv_key FROM latest)
)
-- Agent: the assignee at the latest resolution before the answer, else the current assignee.
-- Thresholds are multiplied out (5*score >= 4*scale) so 0.8*scale rounding never bites.
SELECT l.conv_key, l.channel, l.queue,
       coalesce((SELECT arg_max(r.agent, r.resolved_at) FROM answered_resolutions r
                 WHERE r.conv_key = l.conv_key AND r.resolved_at <= l.ts), l.assignee) AS agent,
       l.ts AS moment, l.score / l.scale_max AS measure, l.score, l.scale_max,
       true AS sample,
       5 * l.score >= 4 * l.scale_max AS satisfied,
       5 * l.score <= 3 * l.scale_max AS dissatisfied
FROM latest l

-- name: csat.agg
SELECT grp,
       count(*) FILTER (WHERE satisfied) / nullif(count(*), 0) AS value,
       count(*) AS n,
       count(*) FILTER (WHERE satisfied) AS satisfied,
       count(*) FILTER (WHERE dissatisfied) AS dissatisfied,
       avg(measure) AS mean_normalised,
       CASE WHEN count(*) = 0 THEN 'no CSAT responses in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: nps
-- title: NPS
-- unit: number
-- better: higher
-- counts_by: the survey answer (the latest per conversation in the window)
-- parts: sample, promoters, passives, detractors
-- help: Net promoter score: 100 x (share of 9-10 answers - share of 0-6 answers), from -100 to 100.
WITH given AS (
    SELECT * FROM latest_answers('nps', $lo, $hi)
), latest AS (  -- conv narrowed to the answered conversations first, as for csat
    SELECT g.conv_key, coalesce(c.channel, g.channel) AS channel, coalesce(c.queue, g.queue) AS queue,
           c.assignee, g.ts, g.score
    FROM given g
    LEFT JOIN (SELECT conv_key, channel, queue, assignee FROM conv
               WHERE conv_key IN (SELECT conv_key FROM given)) c USING (conv_key)
), answered_resolutions AS (  -- only the answered conversations' (a join on all of them costs more)
    SELECT conv_key, agent, resolved_at FROM resolutions
    WHERE conv_key IN (SELECT conv_key FROM latest)
)
SELECT l.conv_key, l.channel, l.queue,
       coalesce((SELECT arg_max(r.agent, r.resolved_at) FROM answered_resolutions r
                 WHERE r.conv_key = l.conv_key AND r.resolved_at <= l.ts), l.assignee) AS agent,
       l.ts AS moment, l.score AS measure, true AS sample,
       l.score >= 9 AS promoters,
       l.score > 6 AND l.score < 9 AS passives,
       l.score <= 6 AS detractors
FROM latest l

-- name: nps.agg
SELECT grp,
       100.0 * (count(*) FILTER (WHERE promoters) - count(*) FILTER (WHERE detractors))
             / nullif(count(*), 0) AS value,
       count(*) FILTER (WHERE promoters) AS promoters,
       count(*) FILTER (WHERE passives) AS passives,
       count(*) FILTER (WHERE detractors) AS detractors,
       count(*) AS n,
       CASE WHEN count(*) = 0 THEN 'no NPS answers in the window' END AS reason
FROM kpi_rows GROUP BY grp

-- name: sentiment
-- title: Sentiment
-- unit: number
-- better: higher
-- counts_by: the customer message
-- parts: sample, positive, neutral, negative
-- help: Share of positive minus share of negative customer messages; a message's score is its sentiment column, else the VADER lexicon sum normalised s/sqrt(s*s+15).
-- A message with neither text nor a sentiment score (a ticket's synthesised
-- opening message) says nothing about sentiment and is left out.
-- A message's lexicon score (text_score) is stored with it (store/sql/facts.sql),
-- for exactly the customer messages whose text is not blank.
WITH scored AS (
    SELECT conv_key, ord, ts, channel, queue, sentiment,
           coalesce(sentiment, text_score) AS score, sentiment IS NOT NULL AS from_column
    FROM msgs
    WHERE is_customer AND ts >= $lo AND ts < $hi
      AND (sentiment IS NOT NULL OR text_score IS NOT NULL)
)
SELECT s.conv_key, s.channel, s.queue, c.assignee AS agent, s.ts AS moment, s.score AS measure,
       s.from_column, true AS sample,
       s.score >= 0.05 AS positive,
       s.score > -0.05 AND s.score < 0.05 AS neutral,
       s.score <= -0.05 AS negative
FROM scored s LEFT JOIN conv c USING (conv_key)

-- name: sentiment.agg
SELECT grp,
       (count(*) FILTER (WHERE positive) - count(*) FILTER (WHERE negative)) / nullif(count(*), 0) AS value,
       count(*) FILTER (WHERE positive) AS positive,
       count(*) FILTER (WHERE neutral) AS neutral,
       count(*) FILTER (WHERE negative) AS negative,
       count(*) AS n,
       CASE WHEN count(*) = 0 THEN 'no customer messages with text or a sentiment score in the window'
            END AS reason
FROM kpi_rows GROUP BY grp

-- name: customer_retention
-- title: Customer retention
-- unit: ratio
-- better: higher
-- counts_by: the customer's first message in the previous window
-- parts: numerator, denominator
-- help: Customers who wrote in the previous window (same length, just before) and wrote again in this one, over those who wrote in the previous window.
WITH prev AS (
    SELECT author,
           arg_min(conv_key, (ts, ord)) AS conv_key, arg_min(channel, (ts, ord)) AS channel,
           arg_min(queue, (ts, ord)) AS queue, min(ts) AS moment
    FROM msgs
    WHERE is_customer AND author IS NOT NULL AND ts >= $prev_lo AND ts < $prev_hi
    GROUP BY author
),
came_back AS (
    SELECT DISTINCT author FROM msgs
    WHERE is_customer AND author IS NOT NULL AND ts >= $lo AND ts < $hi
)
SELECT p.conv_key, p.channel, p.queue, c.assignee AS agent, p.moment, 1 AS measure,
       p.author AS customer, true AS denominator, b.author IS NOT NULL AS numerator
FROM prev p LEFT JOIN came_back b USING (author) LEFT JOIN conv c USING (conv_key)

-- name: customer_retention.agg
SELECT grp,
       count(*) FILTER (WHERE numerator) / nullif(count(*), 0) AS value,
       count(*) FILTER (WHERE numerator) AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) > 0 THEN NULL
            WHEN $prev_lo >= $prev_hi
                THEN 'no previous window (the report has no window with a start)'
            WHEN (SELECT count(*) FROM msgs WHERE is_customer AND author IS NOT NULL) = 0
                THEN 'the data has no customer ids (message authors)'
            ELSE 'no customers wrote in the previous window' END AS reason
FROM kpi_rows GROUP BY grp
