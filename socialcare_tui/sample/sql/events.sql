-- The canonical event log: $n conversations over the
-- 30 days from $start; events at or after the end ($span seconds) are cut
-- off, so the last conversations are still running.

-- name: events
WITH c AS (
    SELECT *,
           sc_event_channel(u_channel) AS channel,
           sc_bits($seed, i, 'ev:a') AS ha, sc_bits($seed, i, 'ev:b') AS hb,
           sc_bits($seed, i, 'ev:c') AS hc, sc_bits($seed, i, 'ev:d') AS hd,
           sc_bits($seed, i, 'ev:e') AS he, sc_bits($seed, i, 'ev:f') AS hf
    FROM sc_convs($seed, $n, 'ev')
), q AS (  -- queues, people and the conversation's flags
    SELECT *,
           CASE channel
               WHEN 'twitter' THEN ['@AcmeHelp', 'Billing']
               WHEN 'facebook' THEN ['Acme Care', 'Returns']
               WHEN 'instagram' THEN ['@acme.style']
               WHEN 'whatsapp' THEN ['WhatsApp Care', 'Billing']
               WHEN 'email' THEN ['Support Inbox', 'Billing', 'Returns']
               WHEN 'webchat' THEN ['Web Chat']
               ELSE ['Call Centre', 'Billing', 'Returns'] END AS queues,
           sc_subtopics(topic)[1 + floor(u_subtopic * len(sc_subtopics(topic)))::BIGINT] AS subtopic,
           CASE channel
               WHEN 'twitter' THEN '@user' || customer_no
               WHEN 'instagram' THEN '@ig_' || customer_no
               WHEN 'facebook' THEN 'fb-' || (100000000 + customer_no)
               WHEN 'whatsapp' THEN '+4477009' || lpad(customer_no::VARCHAR, 5, '0')
               WHEN 'email' THEN 'customer' || customer_no || '@example.com'
               WHEN 'webchat' THEN 'visitor-' || customer_no
               ELSE '+4420794' || lpad(customer_no::VARCHAR, 5, '0') END AS customer,
           sc_pick(sc_agents(), u_agent) AS agent,
           sc_pick(sc_agents(), sc_u(hf, 7)) AS agent2,
           channel NOT IN ('phone', 'webchat') AND sc_u(ha, 0) < 0.03 AS bi,
           CASE WHEN channel = 'phone' THEN 1
                ELSE 1 + (sc_u(ha, 1) < 0.35)::INT + (sc_u(ha, 1) < 0.12)::INT END AS k0,
           CASE WHEN channel = 'phone' THEN 1
                ELSE 1 + (sc_u(ha, 2) < 0.45)::INT + (sc_u(ha, 2) < 0.15)::INT END AS nt_plain,
           sc_u(ha, 3) < 0.015 AS never_answered,
           -- the bot answers from the help centre and nobody else has to
           channel IN ('whatsapp', 'webchat', 'facebook') AND sc_u(ha, 3) >= 0.9 AS contained,
           sc_u(hb, 7) AS u_name,
           channel NOT IN ('twitter', 'instagram') OR sc_u(ha, 4) < 0.5 AS has_status,
           sc_u(ha, 5) < 0.9 AS resolves,
           sc_u(ha, 6) < CASE WHEN channel = 'phone' THEN 0.05 ELSE 0.12 END AS reopen,
           sc_u(ha, 7) < 0.1 AS transfer,
           CASE channel WHEN 'twitter' THEN 1500 WHEN 'facebook' THEN 2400 WHEN 'instagram' THEN 3600
               WHEN 'whatsapp' THEN 900 WHEN 'email' THEN 14400 WHEN 'webchat' THEN 90 ELSE 60 END AS frt_median,
           CASE WHEN channel IN ('phone', 'webchat') THEN 0.8 ELSE 1.0 END AS frt_sigma
    FROM c
), f AS (
    SELECT *, never_answered OR contained AS unanswered,
           CASE WHEN bi THEN 1 + (sc_u(ha, 2) < 0.7)::INT + (sc_u(ha, 2) < 0.2)::INT ELSE nt_plain END AS nt,
           queues[1 + coalesce(list_position(queues, CASE topic WHEN 'billing' THEN 'Billing'
                                                           WHEN 'refunds' THEN 'Returns' END) - 1, 0)] AS queue,
           sc_lognormal(frt_median, frt_sigma, hb, 0, 1, 20, 172800)
               -- nights: social and email replies wait for the morning shift
               + CASE WHEN hour < 7 AND channel NOT IN ('phone', 'webchat')
                      THEN (7 - hour) * 3000 ELSE 0 END
               -- Easter Sunday (the last day): a skeleton crew, so the evening's
               -- messages are still waiting when the data ends
               + CASE WHEN day = 29 AND channel NOT IN ('phone', 'webchat') THEN 28800 ELSE 0 END AS frt,
           sc_lognormal(1800, 1.2, hb, 2, 3, 30, 259200) AS gap1,
           sc_lognormal(frt_median * 0.7, 0.9, hb, 4, 5, 15, 86400) AS d1,
           sc_lognormal(1800, 1.2, hb, 6, 7, 30, 259200) AS gap2,
           sc_lognormal(frt_median * 0.7, 0.9, hc, 0, 1, 15, 86400) AS d2,
           sc_lognormal(7200, 1.0, hc, 2, 3, 60, 172800) AS resdelay,
           sc_lognormal(72000, 0.8, hc, 4, 5, 1800, 604800) AS reopen_gap,
           sc_lognormal(frt_median, 0.8, hc, 6, 7, 20, 86400) AS d3,
           sc_lognormal(7200, 1.0, hd, 0, 1, 60, 172800) AS resdelay2,
           sc_u(hd, 2) < 0.35 AS csat_flag,
           sc_u(hd, 3) < 0.15 AS nps_flag,
           sc_normal(hd, 4, 5) AS z_score,
           sc_u(hd, 6) < 0.3 AS pending_flag,
           sc_u(hd, 7) < 0.8 AS tag_flag,
           sc_lognormal(300, 0.6, hf, 4, 5, 30, 3600) AS talk,
           CASE WHEN sc_u(hf, 6) < 0.5 THEN 0 ELSE 10 + floor(sc_u(hf, 6) * 240)::BIGINT END AS hold,
           20 + floor(sc_u(hf, 7) * 160)::BIGINT AS wrap
    FROM q
), t AS (  -- times, in seconds from the conversation's start
    SELECT *,
           CASE WHEN bi THEN 0 ELSE frt END AS r0,
           CASE WHEN bi THEN 0 ELSE frt END + gap1 AS t1
    FROM f
), t2 AS (
    SELECT *, t1 + d1 AS r1, t1 + d1 + gap2 AS t2, t1 + d1 + gap2 + d2 AS r2 FROM t
), t3 AS (
    SELECT *,
           CASE nt WHEN 1 THEN r0 WHEN 2 THEN r1 ELSE r2 END AS r_last,
           CASE nt WHEN 1 THEN r0 WHEN 2 THEN r1 ELSE r2 END
               + CASE WHEN channel = 'phone' THEN talk + hold + wrap ELSE resdelay END AS res,
           r0 + 60 + floor(sc_u(he, 7) * 540)::BIGINT AS transfer_at,
           NOT unanswered AS answered
    FROM t2
), t4 AS (
    SELECT *, res + reopen_gap AS t3, res + reopen_gap + d3 AS r3,
           res + reopen_gap + d3 + resdelay2 AS res2
    FROM t3
), t5 AS (
    SELECT *,
           CASE WHEN reopen THEN res2 ELSE res END AS res_final,
           answered AND resolves AND has_status AS resolved_flag,
           answered AND resolves AND reopen AS reopened,
           CASE WHEN sc_u(hf, 0) < 0.1 THEN 'solved' WHEN sc_u(hf, 0) < 0.15 THEN 'closed'
                ELSE 'resolved' END AS resolved_word,
           -- slow first replies make unhappier customers
           least(frt / greatest(frt_median * 2.0, 1), 2.0) AS slowness
    FROM t4
), plan AS (
    SELECT i, channel, queue, customer, agent, topic, subtopic, order_no, start, talk, hold, wrap,
           CASE WHEN transfer AND answered THEN transfer_at ELSE 9e18::BIGINT END AS moved_at,
           CASE WHEN len(queues) > 1 THEN queues[1 + (list_position(queues, queue) % len(queues))]
                ELSE 'Escalations' END AS queue2,
           CASE WHEN transfer THEN agent2 ELSE agent END AS agent_late,
           list_filter([
               sc_ev(1, NOT bi, 0, 'message', 'in', 'customer',
                     CASE WHEN channel = 'phone' THEN 'Inbound call'
                          ELSE sc_pick(sc_texts_first(topic), sc_u(he, 0)) END),
               sc_ev(2, NOT bi AND (channel IN ('whatsapp', 'webchat', 'email')
                                    OR channel = 'facebook' AND sc_u(hf, 1) < 0.5),
                     2 + floor(sc_u(hf, 2) * 28)::BIGINT, 'message', 'out', 'AcmeBot', sc_bot_text(channel)),
               sc_ev(3, NOT bi AND k0 >= 2, floor(CASE WHEN answered THEN r0 ELSE 3600 END * 0.35)::BIGINT,
                     'message', 'in', 'customer', sc_pick(sc_texts_nudge(), sc_u(he, 1))),
               sc_ev(4, NOT bi AND k0 >= 3, floor(CASE WHEN answered THEN r0 ELSE 7200 END * 0.7)::BIGINT,
                     'message', 'in', 'customer', sc_pick(sc_texts_nudge(), sc_u(he, 2))),
               sc_ev(5, answered, floor(r0 * 0.9)::BIGINT, 'assign', NULL, 'agent', 'agent'),
               sc_ev(6, answered, r0, 'message', 'out', 'agent',
                     CASE WHEN bi THEN sc_pick(sc_texts_brand(), sc_u(he, 3))
                          WHEN channel = 'phone' THEN NULL  -- a call has no text
                          WHEN sc_u(he, 4) < 0.4 THEN sc_quick_text(sc_quick_id(topic, sc_u(he, 3)))
                          ELSE sc_vary(sc_pick(sc_texts_fix(topic), sc_u(he, 3)), u_name, sc_u(hf, 0)) END),
               sc_ev(7, answered AND tag_flag AND NOT bi, r0 + 1, 'tag', NULL, 'agent', topic || '/' || subtopic),
               sc_ev(8, answered AND transfer, transfer_at, 'assign', NULL, 'agent', 'agent2'),
               sc_ev(9, answered AND nt >= 2, t1, 'message', 'in', 'customer',
                     sc_pick(sc_texts_next(), sc_u(he, 5))),
               sc_ev(10, answered AND nt >= 2 AND sc_u(hf, 3) < 0.25, t1 + (r1 - t1) // 2,
                     'message', 'in', 'customer', sc_pick(sc_texts_nudge(), sc_u(hf, 3) * 4)),
               sc_ev(11, answered AND nt >= 2, r1, 'message', 'out', 'agent_late',
                     CASE WHEN sc_u(he, 6) < 0.3 THEN sc_quick_text('qr-thanks')
                          ELSE sc_vary(sc_pick(sc_texts_close(), sc_u(he, 6)), u_name, sc_u(hd, 3)) END),
               sc_ev(12, answered AND nt >= 3, t2, 'message', 'in', 'customer',
                     sc_pick(sc_texts_next(), sc_u(he, 5) * 7 % 1)),
               sc_ev(13, answered AND nt >= 3, r2, 'message', 'out', 'agent_late',
                     sc_vary(sc_pick(sc_texts_close(), sc_u(hf, 5)), u_name, sc_u(hc, 2))),
               sc_ev(14, answered AND has_status AND (pending_flag OR NOT resolves), r_last + 1,
                     'status', NULL, 'agent_late', 'pending'),
               sc_ev(15, resolved_flag, res, 'status', NULL, 'agent_late', resolved_word),
               sc_ev(16, reopened, t3, 'message', 'in', 'customer',
                     CASE WHEN channel = 'phone' THEN 'Inbound call'
                          ELSE sc_pick(sc_texts_reopen(), sc_u(hf, 1)) END),
               sc_ev(17, reopened AND has_status AND sc_u(hf, 2) < 0.5, t3 + 1, 'status', NULL, 'system', 'open'),
               sc_ev(18, reopened, r3, 'message', 'out', 'agent_late',
                     CASE WHEN channel = 'phone' THEN NULL  -- a call has no text
                          ELSE sc_vary(sc_pick(sc_texts_fix(topic), sc_u(hf, 4)), u_name, sc_u(hb, 3)) END),
               sc_ev(19, reopened AND has_status, res2, 'status', NULL, 'agent_late', 'resolved'),
               sc_ev(22, contained AND NOT bi, 40 + floor(sc_u(hf, 2) * 60)::BIGINT, 'message', 'out', 'AcmeBot',
                     sc_bot_answer(topic)),
               sc_ev(23, contained AND NOT bi AND sc_u(hf, 3) < 0.6, 300 + floor(sc_u(hf, 3) * 600)::BIGINT,
                     'message', 'in', 'customer', 'Thanks, that helped!'),
               sc_ev(24, contained AND NOT bi AND has_status, 1800, 'status', NULL, 'AcmeBot', 'resolved'),
               sc_ev(20, answered AND resolves AND csat_flag,
                     res_final + sc_lognormal(1800, 1.5, hd, 5, 4, 60, 172800), 'csat', NULL, 'customer',
                     least(greatest(round(4.6 - 0.8 * slowness + 0.9 * z_score), 1), 5)::INT::VARCHAR),
               sc_ev(21, answered AND resolves AND nps_flag,
                     res_final + sc_lognormal(10800, 1.0, hd, 1, 0, 60, 172800), 'nps', NULL, 'customer',
                     least(greatest(round(9.0 - 1.2 * slowness + 1.8 * z_score), 0), 10)::INT::VARCHAR)
           ], lambda e: e.keep AND start + e.ts < $span) AS evs
    FROM t5
), e AS (
    SELECT *, unnest(evs) AS ev FROM plan
)
SELECT
    'C' || lpad(i::VARCHAR, 7, '0') || '-' || lpad(ev.s::VARCHAR, 2, '0') AS event_id,
    'C' || lpad(i::VARCHAR, 7, '0') AS conversation_id,
    strftime($start + to_seconds(start + ev.ts), '%Y-%m-%dT%H:%M:%SZ') AS at,
    ev.type AS type,
    channel,
    CASE WHEN ev.ts >= moved_at THEN queue2 ELSE queue END AS queue,
    ev.dir AS direction,
    CASE ev.who WHEN 'customer' THEN customer WHEN 'agent' THEN agent WHEN 'agent_late' THEN
        CASE WHEN ev.ts >= moved_at THEN agent_late ELSE agent END ELSE ev.who END AS author,
    CASE WHEN ev.who = 'AcmeBot' THEN 'true' ELSE 'false' END AS automated,
    replace(replace(ev.text, '{o}', order_no), '{c}', 'C' || lpad(i::VARCHAR, 7, '0')) AS text,
    CASE ev.value WHEN 'agent' THEN agent WHEN 'agent2' THEN agent_late ELSE ev.value END AS value,
    CASE WHEN ev.type = 'csat' THEN '5' END AS scale_max,
    CASE WHEN ev.type = 'message' AND ev.dir = 'out' THEN sc_quick_id_of(ev.text) END AS quick_reply,
    CASE WHEN channel = 'phone' AND ev.s IN (6, 18) THEN talk::VARCHAR END AS talk_seconds,
    CASE WHEN channel = 'phone' AND ev.s IN (6, 18) THEN hold::VARCHAR END AS hold_seconds,
    CASE WHEN channel = 'phone' AND ev.s IN (6, 18) THEN wrap::VARCHAR END AS wrap_seconds
FROM e
