-- The writer's upkeep of the stored facts (store/facts.py), inside the
-- transaction that wrote `events`. Parameters: $watermark (the row id the facts
-- include up to), $top (the newest row id now), $rows_below, $auto_resolve.

-- name: state
SELECT watermark, rows_below, auto_resolve FROM fact_state WHERE id = 1;

-- name: marks
-- (newest row id, rows at or below the stored watermark, rows at or below the newest)
SELECT max(seq), count(*) FILTER (WHERE seq <= $watermark), count(*) FROM events;

-- name: touched
-- The conversations with rows above the watermark: new rows, late rows that
-- reorder a conversation, survey answers linked to it. In chunks of $per
-- conversations by their first new row: the upkeep computes one chunk at a time,
-- so a large import needs the memory of one chunk, and the rows it stores still
-- come roughly in time order.
CREATE OR REPLACE TEMP TABLE fact_touched AS
SELECT conv_key, (row_number() OVER (ORDER BY min(ts), conv_key) - 1) // $per AS chunk
FROM events WHERE seq > $watermark AND conv_key IS NOT NULL GROUP BY conv_key;

-- name: chunks
-- (conversations, chunks): at least one chunk, for survey answers without a conversation
SELECT count(*), coalesce(max(chunk) + 1, 1) FROM fact_touched;

-- name: set_watermark
SET VARIABLE fact_watermark = $watermark::BIGINT;

-- name: set_chunk
SET VARIABLE fact_chunk = $chunk::BIGINT;

-- name: src_chunk
-- The events to compute from: every event of the chunk's conversations, and (in
-- the first chunk) the survey answers without a conversation above the watermark.
CREATE OR REPLACE TEMP VIEW fact_src AS
SELECT rowid AS rid, * FROM events
WHERE conv_key IN (SELECT conv_key FROM fact_touched WHERE chunk = getvariable('fact_chunk'))
   OR (conv_key IS NULL AND getvariable('fact_chunk') = 0 AND seq > getvariable('fact_watermark'));

-- name: forget_touched
DELETE FROM fact_spans WHERE conv_key IN (SELECT conv_key FROM fact_touched);
DELETE FROM fact_events WHERE conv_key IN (SELECT conv_key FROM fact_touched);
DELETE FROM fact_msgs WHERE conv_key IN (SELECT conv_key FROM fact_touched);
DELETE FROM fact_turns WHERE conv_key IN (SELECT conv_key FROM fact_touched);
DELETE FROM fact_resolutions WHERE conv_key IN (SELECT conv_key FROM fact_touched);
DELETE FROM fact_conv WHERE conv_key IN (SELECT conv_key FROM fact_touched);

-- name: forget_all
DELETE FROM fact_spans;
DELETE FROM fact_events;
DELETE FROM fact_msgs;
DELETE FROM fact_turns;
DELETE FROM fact_resolutions;
DELETE FROM fact_conv;

-- name: store_rows
-- settled_at: the conversation's last event (a survey answer without one: its own
-- time). Rows go in in time order: readers filter by time, and DuckDB skips the
-- row groups whose min/max cannot match (appends arrive in time order anyway).
INSERT INTO fact_spans SELECT conv_key, first_ts, last_ts FROM calc_spans ORDER BY last_ts;
INSERT INTO fact_events BY NAME
SELECT e.*, coalesce(s.last_ts, e.ts) AS settled_at
FROM calc_events e LEFT JOIN calc_spans s USING (conv_key) ORDER BY e.ts;
INSERT INTO fact_msgs BY NAME
SELECT m.*, s.last_ts AS settled_at FROM calc_msgs m JOIN calc_spans s USING (conv_key) ORDER BY m.ts;
INSERT INTO fact_turns BY NAME
SELECT t.*, s.last_ts AS settled_at FROM calc_turns t JOIN calc_spans s USING (conv_key)
ORDER BY t.started_at;
INSERT INTO fact_resolutions BY NAME
SELECT r.*, s.last_ts AS settled_at FROM calc_resolutions r JOIN calc_spans s USING (conv_key)
ORDER BY r.resolved_at;

-- name: final_silences
-- Conversations whose last silence will resolve them (no status events, a human
-- reply in the last segment): they read as resolved from `deadline` on.
CREATE OR REPLACE TEMP TABLE fact_final AS
SELECT conv_key, max(seg) AS seg,
       arg_max(last_ts, seg) + to_microseconds(CAST($auto_resolve * 1e6 AS BIGINT)) AS deadline
FROM silence_segments
GROUP BY conv_key
HAVING arg_max(ends_silent AND reply_ord IS NOT NULL, seg);

-- name: store_conv_after
-- The conversation as it reads once its last silence (if any) has resolved it.
INSERT INTO fact_conv BY NAME
SELECT c.*, greatest(s.last_ts, coalesce(f.deadline, s.last_ts)) AS valid_from,
       NULL::TIMESTAMP AS valid_to
FROM calc_conv c JOIN calc_spans s USING (conv_key) LEFT JOIN fact_final f USING (conv_key)
ORDER BY c.opened_at;

-- name: unresolve_final
-- The same conversations before the deadline: the last segment is not silent yet.
UPDATE silence_segments s SET ends_silent = false
FROM fact_final f WHERE s.conv_key = f.conv_key AND s.seg = f.seg;

-- name: store_conv_before
INSERT INTO fact_conv BY NAME
SELECT c.*, s.last_ts AS valid_from, f.deadline AS valid_to
FROM calc_conv c JOIN calc_spans s USING (conv_key) JOIN fact_final f USING (conv_key)
WHERE f.deadline > s.last_ts;

-- name: save_state
INSERT OR REPLACE INTO fact_state VALUES (1, $top, $rows_below, $auto_resolve, now()::TIMESTAMP);

-- name: cleanup
DROP VIEW IF EXISTS fact_src;
DROP TABLE IF EXISTS calc_events_full;
