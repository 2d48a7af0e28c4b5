-- Business hours (config `business_hours`: durations count only open time): a calendar of
-- open intervals in naive UTC, and business seconds measured against it.
-- kpi/calendar.py fills the inputs with bound rows:
--   bh_hours(cal, tz, isodow, open_min, close_min)  weekly open ranges, local minutes
--   bh_closed(cal, day)                               local dates closed all day
-- $first_day/$last_day: the UTC dates the calendar covers.
--
-- bh_open(cal_key, utc_day, open_from, len_us, cum_us) has one row per open
-- interval, cut at UTC midnights so that each lies inside one UTC day, plus a
-- zero-length row at every UTC midnight; cum_us = open microseconds of the
-- calendar before the row starts. The open microseconds up to t are then the
-- max, over the rows of t's UTC day that start at or before t, of
-- cum_us + min(t - open_from, len_us): one equality
-- lookup per timestamp, no range join. Local times become UTC with ICU, so a
-- window across a DST change counts the real elapsed time.

-- name: inputs
CREATE OR REPLACE TEMP TABLE bh_hours
    (cal VARCHAR, tz VARCHAR, isodow INTEGER, open_min INTEGER, close_min INTEGER);

-- name: closed
CREATE OR REPLACE TEMP TABLE bh_closed (cal VARCHAR, day DATE);

-- name: add_closed
-- $cals[i] is closed all day on local date $days[i]
INSERT INTO bh_closed SELECT unnest($cals::VARCHAR[]), unnest($days::DATE[]);

-- name: open
CREATE OR REPLACE TEMP TABLE bh_open AS
WITH utc_days AS (
    SELECT CAST(d AS DATE) AS day
    FROM range($first_day::DATE, $last_day::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
), local_days AS (
    -- local dates reach one day either side of the UTC dates (offsets under 24h)
    SELECT CAST(d AS DATE) AS day
    FROM range($first_day::DATE - INTERVAL 1 DAY, $last_day::DATE + INTERVAL 2 DAY,
               INTERVAL 1 DAY) t(d)
), local_open AS (
    SELECT h.cal,
           timezone('UTC', timezone(h.tz, d.day + to_minutes(h.open_min))) AS start_at,
           timezone('UTC', timezone(h.tz, d.day + to_minutes(h.close_min))) AS end_at
    FROM local_days d
    JOIN bh_hours h ON isodow(d.day) = h.isodow
    WHERE NOT EXISTS (SELECT 1 FROM bh_closed c WHERE c.cal = h.cal AND c.day = d.day)
), pieces AS (
    -- each interval cut at UTC midnights (one piece per UTC date it touches)
    SELECT o.cal, CAST(u.d AS DATE) AS day,
           greatest(o.start_at, u.d) AS start_at,
           least(o.end_at, u.d + INTERVAL 1 DAY) AS end_at
    FROM local_open o, unnest(range(date_trunc('day', o.start_at), o.end_at, INTERVAL 1 DAY)) u(d)
    WHERE u.d >= $first_day::DATE AND u.d < $last_day::DATE + INTERVAL 1 DAY
    UNION ALL
    SELECT c.cal, u.day, CAST(u.day AS TIMESTAMP), CAST(u.day AS TIMESTAMP)
    FROM (SELECT DISTINCT cal FROM bh_hours) c CROSS JOIN utc_days u
), sized AS (
    SELECT cal, day, start_at, epoch_us(end_at) - epoch_us(start_at) AS len_us FROM pieces
)
SELECT cal AS cal_key, day AS utc_day, start_at AS open_from, len_us,
       CAST(coalesce(sum(len_us) OVER (PARTITION BY cal ORDER BY start_at, len_us
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
            AS BIGINT) AS cum_us
FROM sized;

-- name: open_at
-- bh_at(cal, t): open microseconds of calendar `cal` from its start up to t
-- (NULL when t is outside the calendar).
CREATE OR REPLACE TEMP MACRO bh_at(bh_cal, bh_t) AS (
    SELECT max(o.cum_us + least(epoch_us(bh_t) - epoch_us(o.open_from), o.len_us))
    FROM bh_open o
    WHERE o.cal_key = bh_cal AND o.utc_day = CAST(bh_t AS DATE) AND o.open_from <= bh_t
);

-- name: secs
-- secs(a, b): calendar seconds (as in base.sql); secs(a, b, cal): the open
-- seconds of calendar `cal` between a and b.
CREATE OR REPLACE TEMP MACRO secs(a, b) AS (epoch_us(b) - epoch_us(a)) / 1e6,
    (a, b, cal) AS (bh_at(cal, b) - bh_at(cal, a)) / 1e6;

-- name: due_at
-- due_at(a, seconds, cal): the first moment at which calendar `cal` has been
-- open `seconds` since a (base.sql: a + seconds). The earliest open interval
-- whose end reaches the target holds it; a later one only gives a later time.
CREATE OR REPLACE TEMP MACRO due_at(due_from, due_secs, due_cal) AS (
    SELECT min(o.open_from
               + to_microseconds(bh_at(due_cal, due_from) + CAST(due_secs * 1e6 AS BIGINT) - o.cum_us))
    FROM bh_open o
    WHERE o.cal_key = due_cal AND o.len_us > 0
      AND o.cum_us + o.len_us >= bh_at(due_cal, due_from) + CAST(due_secs * 1e6 AS BIGINT)
);
