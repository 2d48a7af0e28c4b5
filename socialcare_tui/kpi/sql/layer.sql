-- Keeping a prepared shared layer current (kpi/layer.py). A layer prepared at
-- $old_as_of with the events up to rowid $watermark moves to $as_of by
-- rebuilding only the conversations this touched. base.sql partitions every
-- window by conv_key, so its statements run on the touched conversations'
-- events alone give exactly their rows. Staging tables live in the attached
-- in-memory catalog `layer`, which every cursor of the connection sees.

-- name: attach_staging
ATTACH IF NOT EXISTS ':memory:' AS layer;

-- name: watermark
-- The newest row id, the row count, and how many rows are at or below the
-- kept watermark: another count than the layer saw there means rows were
-- removed or rewritten, so the layer is built again.
SELECT coalesce(max(rowid), -1) AS top, count(*) AS total,
       count(*) FILTER (WHERE rowid <= $watermark) AS kept
FROM events;

-- name: touched
-- On the layer's cursor: conversations with a row appended since the
-- watermark or an event between the two as_of, and conversations whose last
-- message's silence reaches auto_resolve_after between the two as_of (without
-- status events they become resolved: base.sql's silence_segments; with them
-- nothing changes and rebuilding them is harmless). Filters never depend on a
-- conversation's status, so the filtered conv is enough for the latter.
CREATE OR REPLACE TABLE layer.main.touched AS
SELECT DISTINCT conv_key
FROM events
WHERE conv_key IS NOT NULL AND ts <= $as_of::TIMESTAMP
  AND (rowid > $watermark OR ts > $old_as_of::TIMESTAMP)
UNION
SELECT conv_key
FROM conv
WHERE (epoch_us($old_as_of::TIMESTAMP) - epoch_us(last_msg_at)) / 1e6 < $auto_resolve
  AND (epoch_us($as_of::TIMESTAMP) - epoch_us(last_msg_at)) / 1e6 >= $auto_resolve;

-- name: touched_count
SELECT count(*) FROM layer.main.touched;

-- name: conversations
SELECT count(*) FROM conv_attr;

-- name: delta_rows
-- The row ids of the touched conversations' events, plus survey answers with
-- no conversation that are new to the layer. Row ids first, rows second
-- (delta_source): reading every column of the whole table to pick a few rows
-- costs several times more.
CREATE OR REPLACE TABLE layer.main.delta_rows AS
SELECT rowid AS rid
FROM events
WHERE ts <= $as_of::TIMESTAMP
  AND (conv_key IN (SELECT conv_key FROM layer.main.touched)
       OR (conv_key IS NULL AND (rowid > $watermark OR ts > $old_as_of::TIMESTAMP)));

-- name: delta_source
-- On a throw-away cursor: those rows. The TEMP copy named `events` then
-- shadows the stored table for base.sql (delta_events).
CREATE OR REPLACE TEMP TABLE delta_source AS
SELECT * FROM events WHERE rowid IN (SELECT rid FROM layer.main.delta_rows);

-- name: delta_events
CREATE OR REPLACE TEMP TABLE events AS SELECT * FROM delta_source;

-- name: stage
-- On the throw-away cursor, after base.sql ran there: its kept tables, where
-- the layer's cursor can read them.
CREATE OR REPLACE TABLE layer.main.delta_scope_events AS SELECT * FROM scope_events;
CREATE OR REPLACE TABLE layer.main.delta_conv_attr AS SELECT * FROM conv_attr;
CREATE OR REPLACE TABLE layer.main.delta_msgs AS SELECT * FROM msgs;
CREATE OR REPLACE TABLE layer.main.delta_turns AS SELECT * FROM turns;
CREATE OR REPLACE TABLE layer.main.delta_resolutions AS SELECT * FROM resolutions;
CREATE OR REPLACE TABLE layer.main.delta_conv AS SELECT * FROM conv;
CREATE OR REPLACE TABLE layer.main.delta_customer_convs AS SELECT * FROM customer_convs;

-- name: merge
-- On the layer's cursor: each kept table loses the touched conversations'
-- rows and takes their new ones (survey answers with no conversation never
-- change, so they are only added).
DELETE FROM scope_events WHERE conv_key IN (SELECT conv_key FROM layer.main.touched);
INSERT INTO scope_events SELECT * FROM layer.main.delta_scope_events;
DELETE FROM conv_attr WHERE conv_key IN (SELECT conv_key FROM layer.main.touched);
INSERT INTO conv_attr SELECT * FROM layer.main.delta_conv_attr;
DELETE FROM msgs WHERE conv_key IN (SELECT conv_key FROM layer.main.touched);
INSERT INTO msgs SELECT * FROM layer.main.delta_msgs;
DELETE FROM turns WHERE conv_key IN (SELECT conv_key FROM layer.main.touched);
INSERT INTO turns SELECT * FROM layer.main.delta_turns;
DELETE FROM resolutions WHERE conv_key IN (SELECT conv_key FROM layer.main.touched);
INSERT INTO resolutions SELECT * FROM layer.main.delta_resolutions;
DELETE FROM conv WHERE conv_key IN (SELECT conv_key FROM layer.main.touched);
INSERT INTO conv SELECT * FROM layer.main.delta_conv;
DELETE FROM customer_convs WHERE conv_key IN (SELECT conv_key FROM layer.main.touched);
INSERT INTO customer_convs SELECT * FROM layer.main.delta_customer_convs;

-- name: compact
-- On the layer's cursor, after many rebuilds: each kept table copied afresh,
-- without the deleted rows every scan still steps over.
CREATE OR REPLACE TEMP TABLE scope_events AS SELECT * FROM scope_events;
CREATE OR REPLACE TEMP TABLE conv_attr AS SELECT * FROM conv_attr;
CREATE OR REPLACE TEMP TABLE msgs AS SELECT * FROM msgs;
CREATE OR REPLACE TEMP TABLE turns AS SELECT * FROM turns;
CREATE OR REPLACE TEMP TABLE resolutions AS SELECT * FROM resolutions;
CREATE OR REPLACE TEMP TABLE conv AS SELECT * FROM conv;
CREATE OR REPLACE TEMP TABLE customer_convs AS SELECT * FROM customer_convs;
