-- Survey answers: about 60 % answer a conversation of
-- the events file (the first $n_conv conversations of seed $seed), the rest
-- stand alone. Sorted by time like a survey tool's export.

-- name: surveys
WITH linked AS (
    SELECT 'C' || lpad(i::VARCHAR, 7, '0') AS conversation_id,
           start + sc_lognormal(21600, 1.0, sc_bits($seed, i, 'sv:l'), 0, 1, 1800, 604800) AS ts,
           sc_event_channel(u_channel) AS channel,
           sc_bits($seed, i, 'sv:m') AS h
    FROM sc_convs($seed, $n_conv, 'ev')
    WHERE sc_u(sc_bits($seed, i, 'sv:l'), 2) < $p_linked
), loose AS (
    SELECT NULL::VARCHAR AS conversation_id, start AS ts,
           ['email', 'webchat', 'phone', 'whatsapp'][1 + sc_bucket([0, 0.4, 0.7, 0.9], u_channel)] AS channel,
           sc_bits($seed, i, 'sv:n') AS h
    FROM sc_convs($seed, $n_loose, 'sv')
), answers AS (
    SELECT *,
           CASE WHEN sc_u(h, 0) < 0.75 THEN 'csat' ELSE 'nps' END AS kind,
           CASE WHEN sc_u(h, 0) < 0.75 AND channel = 'email' AND sc_u(h, 1) < 0.3 THEN 10
                WHEN sc_u(h, 0) < 0.75 THEN 5 ELSE 10 END AS scale_max,
           sc_normal(h, 2, 3) AS z,
           sc_u(h, 4) < 0.4 AS commented
    FROM (SELECT * FROM linked UNION ALL SELECT * FROM loose)
    WHERE ts < $span
), scored AS (
    SELECT *,
           CASE WHEN kind = 'nps' THEN least(greatest(round(8.3 + 1.8 * z), 0), 10)
                WHEN scale_max = 10 THEN least(greatest(round(8.2 + 2.2 * z), 1), 10)
                ELSE least(greatest(round(4.2 + 1.1 * z), 1), 5) END::INT AS score
    FROM answers
)
SELECT conversation_id,
       strftime($start + to_seconds(ts), '%Y-%m-%dT%H:%M:%SZ') AS at,
       channel, kind, score, scale_max,
       CASE WHEN commented THEN
           CASE WHEN score >= 0.8 * scale_max
                THEN sc_pick(['Quick and friendly, thanks!', 'Agent was "great", fast, polite',
                              'Problem solved first time 👏', '[b]Best[/b] support ever',
                              'Très bien, merci'], sc_u(h, 5))
                WHEN score <= 0.6 * scale_max
                THEN sc_pick(['Took days to get an answer', 'Nobody read my message properly',
                              'Still not fixed. Terrible service', 'Had to repeat myself three times'],
                             sc_u(h, 5))
                ELSE sc_pick(['OK', 'Fine, but slow', 'Solved in the end'], sc_u(h, 5)) END
       END AS comment
FROM scored
ORDER BY ts, conversation_id NULLS LAST, kind, score, h
