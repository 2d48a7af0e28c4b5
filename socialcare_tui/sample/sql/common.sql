-- Macros shared by the sample generators (run once on a private in-memory
-- connection before a format's query).
--
-- Randomness: the md5 hex digest of "seed:index:salt" gives 128 bits, split
-- into eight 16-bit uniforms. md5 is a fixed algorithm, so the files do not depend on
-- the DuckDB version's internal hash function.
-- Time: every instant is a whole number of seconds from $start (30 days).

-- name: macros
CREATE OR REPLACE MACRO sc_bits(seed, i, salt) AS md5(concat(seed, ':', i, ':', salt));
CREATE OR REPLACE MACRO sc_word(h, k) AS ('0x' || substr(h, 1 + 4 * k, 4))::INTEGER;
CREATE OR REPLACE MACRO sc_u(h, k) AS sc_word(h, k) / 65536.0;
CREATE OR REPLACE MACRO sc_u0(h, k) AS (sc_word(h, k) + 0.5) / 65536.0;
CREATE OR REPLACE MACRO sc_normal(h, k1, k2) AS sqrt(-2 * ln(sc_u0(h, k1))) * cos(2 * pi() * sc_u(h, k2));
-- a log-normal duration in whole seconds, clamped to [lo, hi]
CREATE OR REPLACE MACRO sc_lognormal(median, sigma, h, k1, k2, lo, hi) AS
    least(greatest(floor(median * exp(sigma * sc_normal(h, k1, k2))), lo), hi)::BIGINT;
CREATE OR REPLACE MACRO sc_pick(items, u) AS items[1 + floor(u * len(items))::BIGINT];
-- 0-based index of the bucket of u in a list of cumulative lower bounds (first = 0)
CREATE OR REPLACE MACRO sc_bucket(lows, u) AS len(list_filter(lows, lambda c: c <= u)) - 1;
CREATE OR REPLACE MACRO sc_lows(weights) AS
    [coalesce(list_sum(weights[1:k]), 0) / list_sum(weights) for k in range(0, len(weights))];
CREATE OR REPLACE MACRO sc_share(weights, k) AS weights[k + 1] / list_sum(weights);

-- 30 days from Saturday 2024-03-02: Mondays busiest, weekends quiet, and an
-- app outage on Tuesday 2024-03-19 (day 17) that brings extra contacts.
CREATE OR REPLACE MACRO sc_day_weights() AS
    [[1.45, 1.15, 1.1, 1.05, 1.0, 0.7, 0.6][(d + 5) % 7 + 1] * CASE WHEN d = 17 THEN 1.5 ELSE 1.0 END
     for d in range(30)];
-- hour of day (UTC): quiet nights, busy 9-18
CREATE OR REPLACE MACRO sc_hour_weights() AS
    [1.0, 0.7, 0.5, 0.4, 0.4, 0.6, 1.2, 2.5, 4.5, 7.0, 8.0, 8.5,
     8.0, 8.0, 8.5, 8.0, 7.5, 7.0, 5.0, 4.0, 3.5, 3.0, 2.2, 1.5];
CREATE OR REPLACE MACRO sc_event_channel(u) AS
    ['twitter', 'facebook', 'instagram', 'whatsapp', 'email', 'webchat', 'phone']
        [1 + sc_bucket(sc_lows([22.0, 15, 10, 15, 15, 13, 10]), u)];
CREATE OR REPLACE MACRO sc_outage(day, hour) AS day = 17 AND hour BETWEEN 12 AND 21;

CREATE OR REPLACE MACRO sc_agents() AS
    ['Alice Moreau', 'Ben Okafor', 'Chloé Martin', 'Dev Patel',
     'Elena Rossi', 'Farid Haddad', 'Grace Kim', 'Hugo Silva'];
CREATE OR REPLACE MACRO sc_topics() AS ['delivery', 'refunds', 'billing', 'login', 'outages'];
CREATE OR REPLACE MACRO sc_topic_weights() AS [30.0, 18.0, 20.0, 17.0, 15.0];
CREATE OR REPLACE MACRO sc_subtopics(topic) AS CASE topic
    WHEN 'delivery' THEN ['late', 'missing', 'damaged']
    WHEN 'refunds' THEN ['status', 'request']
    WHEN 'billing' THEN ['double charge', 'invoice', 'plan change']
    WHEN 'login' THEN ['password reset', '2fa']
    ELSE ['app down', 'website'] END;

-- Conversations: index i of n, spread over the 30 days by a stratified,
-- monotone inverse CDF, so conversation ids follow their start times.
CREATE OR REPLACE MACRO sc_convs(seed, n, salt) AS TABLE
WITH base AS (
    SELECT i,
           sc_bits(seed, i, salt || ':conv') AS h,
           sc_lows(sc_day_weights()) AS day_lows,
           sc_lows(sc_hour_weights()) AS hour_lows
    FROM range(n) AS r(i)
), dayed AS (
    SELECT *, (i + sc_u(h, 0)) / n AS u FROM base
), d AS (
    SELECT *, sc_bucket(day_lows, u) AS day FROM dayed
), hr AS (
    SELECT *, (u - day_lows[day + 1]) / sc_share(sc_day_weights(), day) AS v FROM d
), hh AS (
    SELECT *, least(sc_bucket(hour_lows, v), 23) AS hour FROM hr
), t AS (
    SELECT *,
           least((v - hour_lows[hour + 1]) / sc_share(sc_hour_weights(), hour), 0.9999) AS w
    FROM hh
)
SELECT i, h, day, hour,
       day * 86400 + hour * 3600 + floor(w * 3600)::BIGINT AS start,
       CASE WHEN sc_outage(day, hour) AND sc_u(h, 1) < 0.7 THEN 'outages'
            ELSE sc_topics()[1 + sc_bucket(sc_lows(sc_topic_weights()), sc_u(h, 2))] END AS topic,
       sc_u(h, 3) AS u_subtopic,
       floor(sc_u(h, 4) * greatest(20, n * 0.7))::BIGINT AS customer_no,
       'A' || (100000 + floor(sc_u(h, 5) * 900000)::BIGINT) AS order_no,
       sc_u(h, 6) AS u_agent,
       sc_u(h, 7) AS u_channel
FROM t;
