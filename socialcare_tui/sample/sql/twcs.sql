-- The "Customer Support on Twitter" layout: $n reply
-- trees. Tweet ids are i * 10 + slot + 1, so an id ending in 0 never exists:
-- a few roots answer such an id (a parent outside the data), and some trees
-- never get a brand reply (their brand is only an @handle in the root).

-- name: twcs
WITH c AS (
    SELECT *,
           ['AcmeHelp', 'AcmeMobile', 'AcmeRail'][1 + sc_bucket([0, 0.5, 0.8], u_channel)] AS brand,
           (115000 + customer_no)::VARCHAR AS customer,
           sc_bits($seed, i, 'tw:a') AS ha, sc_bits($seed, i, 'tw:b') AS hb,
           sc_bits($seed, i, 'tw:c') AS hc
    FROM sc_convs($seed, $n, 'tw')
), f AS (
    SELECT *,
           CASE brand WHEN 'AcmeHelp' THEN sc_pick(['^JK', '^AB', '^MR', '^TS'], u_agent)
                      WHEN 'AcmeMobile' THEN sc_pick(['-Becky', '-Sam', '-Priya'], u_agent)
                      ELSE sc_pick(['*DD', '*LW'], u_agent) END AS signoff,
           sc_u(ha, 0) < 0.75 AS signs,
           sc_u(ha, 1) < 0.35 AS k2,
           sc_u(ha, 2) >= 0.06 AS answered,
           1 + (sc_u(ha, 3) < 0.55)::INT + (sc_u(ha, 3) < 0.2)::INT AS nt,
           sc_u(ha, 4) < 0.12 AS branch,
           sc_u(ha, 5) < 0.9 AS answered1,
           sc_u(ha, 6) < 0.25 AS thanks,
           sc_u(ha, 7) < 0.02 AS orphan,
           sc_lognormal(CASE brand WHEN 'AcmeHelp' THEN 900 WHEN 'AcmeMobile' THEN 2400 ELSE 5400 END,
                        1.1, hb, 0, 1, 30, 172800)
               + CASE WHEN hour < 7 THEN (7 - hour) * 3000 ELSE 0 END AS frt,
           30 + floor(sc_u(hc, 0) * 570)::BIGINT AS d_second,
           sc_lognormal(1500, 1.2, hb, 2, 3, 30, 172800) AS gap1,
           sc_lognormal(1200, 1.0, hb, 4, 5, 30, 86400) AS d1,
           sc_lognormal(1500, 1.2, hb, 6, 7, 30, 172800) AS gap2,
           sc_lognormal(1200, 1.0, hc, 1, 2, 30, 86400) AS d2,
           60 + floor(sc_u(hc, 3) * 600)::BIGINT AS d_thanks
    FROM c
), r AS (  -- the brand answers the customer's second tweet, so after it
    SELECT *, CASE WHEN k2 THEN greatest(frt, d_second + 30) ELSE frt END AS r0 FROM f
), t AS (
    SELECT *, r0 + gap1 AS t1, r0 + gap1 + d1 AS r1,
           r0 + gap1 + d1 + gap2 AS t2, r0 + gap1 + d1 + gap2 + d2 AS r2
    FROM r
), plan AS (
    SELECT i, start, brand, customer, signoff, signs, order_no,
           -- {s: slot, keep, ts: seconds from start, p: parent slot (-1 none, -2 outside the data)}
           [
             {s: 0, keep: true, ts: 0, p: CASE WHEN orphan THEN -2 ELSE -1 END, inbound: true,
              text: '@' || brand || ' ' || sc_pick(sc_texts_first(topic), sc_u(hc, 4))},
             {s: 1, keep: k2, ts: d_second, p: 0, inbound: true,
              text: '@' || brand || ' ' || sc_pick(sc_texts_nudge(), sc_u(hc, 5))},
             {s: 2, keep: answered, ts: r0, p: CASE WHEN k2 THEN 1 ELSE 0 END, inbound: false,
              text: CASE WHEN sc_u(hc, 6) < 0.4 THEN sc_quick_text(sc_quick_id(topic, sc_u(hc, 7)))
                         ELSE sc_vary(sc_pick(sc_texts_fix(topic), sc_u(hc, 7)), u_subtopic, sc_u(hb, 3)) END},
             {s: 3, keep: answered AND nt >= 2, ts: t1, p: 2, inbound: true,
              text: '@' || brand || ' ' || sc_pick(sc_texts_next(), sc_u(hc, 1))},
             {s: 4, keep: answered AND nt >= 2 AND branch, ts: t1 + d_thanks, p: 2, inbound: true,
              text: '@' || brand || ' ' || sc_pick(sc_texts_nudge(), sc_u(hc, 2))},
             {s: 5, keep: answered AND nt >= 2 AND answered1, ts: r1, p: 3, inbound: false,
              text: sc_vary(sc_pick(sc_texts_close(), sc_u(hc, 0)), u_subtopic, sc_u(hb, 4))},
             {s: 6, keep: answered AND nt >= 3 AND answered1, ts: t2, p: 5, inbound: true,
              text: '@' || brand || ' ' || sc_pick(sc_texts_next(), sc_u(hb, 0))},
             {s: 7, keep: answered AND nt >= 3 AND answered1, ts: r2, p: 6, inbound: false,
              text: sc_vary(sc_pick(sc_texts_close(), sc_u(hb, 1)), u_subtopic, sc_u(hb, 5))},
             {s: 8, keep: answered AND thanks AND (nt = 1 OR answered1),
              ts: CASE WHEN nt = 1 THEN r0 WHEN nt = 2 THEN r1 ELSE r2 END + d_thanks,
              p: CASE WHEN nt = 1 THEN 2 WHEN nt = 2 THEN 5 ELSE 7 END, inbound: true,
              text: '@' || brand || ' ' || sc_pick(['Thanks!', 'ok 👍', 'Brilliant, thank you so much'], sc_u(hb, 2))}
           ] AS slots
    FROM t
), kept AS (
    SELECT *, list_filter(slots, lambda x: x.keep AND start + x.ts < $span) AS tweets FROM plan
), e AS (
    SELECT i, start, brand, customer, signoff, signs, order_no,
           unnest(list_transform(tweets, lambda x: {
               tw: x, children: list_transform(list_filter(tweets, lambda y: y.p = x.s), lambda y: y.s)})) AS r
    FROM kept
)
SELECT
    i * 10 + r.tw.s + 1 AS tweet_id,
    CASE WHEN r.tw.inbound THEN customer ELSE brand END AS author_id,
    CASE WHEN r.tw.inbound THEN 'True' ELSE 'False' END AS inbound,
    strftime($start + to_seconds(start + r.tw.ts), '%a %b %d %H:%M:%S +0000 %Y') AS created_at,
    replace(CASE WHEN r.tw.inbound THEN r.tw.text
                 ELSE '@' || customer || ' ' || r.tw.text || CASE WHEN signs THEN ' ' || signoff ELSE '' END
            END, '{o}', order_no) AS text,
    nullif(array_to_string(list_transform(r.children, lambda s: (i * 10 + s + 1)::VARCHAR), ','), '') AS response_tweet_id,
    CASE WHEN r.tw.p = -2 THEN (i * 10 + 10)::VARCHAR
         WHEN r.tw.p >= 0 THEN (i * 10 + r.tw.p + 1)::VARCHAR END AS in_response_to_tweet_id
FROM e
