-- The import pipeline (ARCHITECTURE.md, "Ingest contract"): temp tables the
-- format modules fill, shared time parsing, and the move into the store.

-- name: create_staged
CREATE OR REPLACE TEMP TABLE staged AS
SELECT * EXCLUDE (source_id, seq) FROM events LIMIT 0;

-- name: create_staged_rejects
CREATE OR REPLACE TEMP TABLE staged_rejects (line BIGINT, reason VARCHAR, raw VARCHAR);

-- name: instant_macro
-- sc_instant(text, tz): an input time as naive UTC, or NULL when unparseable.
-- ISO 8601 with an offset is exact; without one it is read in the session
-- TimeZone (the pipeline sets it to --timezone). Epoch seconds, or
-- milliseconds when the number is too large to be seconds, are accepted, as
-- are a few common export layouts (read in `tz` when they carry no offset).
-- make_timestamp(epoch_us(x)) is the UTC wall time of an instant, and cheap.
CREATE OR REPLACE TEMP MACRO sc_instant(t, tz) AS coalesce(
    make_timestamp(epoch_us(TRY_CAST(t AS TIMESTAMPTZ))),
    -- (beyond 1e14 ms, year 5138, a number is no instant: NULL, never an overflow error)
    CASE WHEN abs(TRY_CAST(t AS DOUBLE)) >= 1e14 THEN NULL
         WHEN abs(TRY_CAST(t AS DOUBLE)) >= 1e11
         THEN make_timestamp(TRY_CAST(TRY_CAST(t AS DOUBLE) * 1000 AS BIGINT))
         ELSE make_timestamp(TRY_CAST(TRY_CAST(t AS DOUBLE) * 1000000 AS BIGINT)) END,
    make_timestamp(epoch_us(try_strptime(trim(t), ['%a %b %d %H:%M:%S %z %Y', '%Y-%m-%dT%H:%M:%S%z',
                                                   '%Y%m%dT%H%M%S%z', '%d %b %Y %H:%M:%S %z']))),
    make_timestamp(epoch_us(timezone(tz, try_strptime(trim(t), [
        '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M',
        '%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%Y%m%dT%H%M%S']))))
);

-- name: identity_macro
-- sc_identity(...): the event_id of a row that has none, from its canonical
-- values: the parsed instant (so 'Z', '+00:00' and epoch notations agree), the
-- namespace, conversation, direction, author, type, text and value. Column
-- order, time notation and extra columns (empty or not) play no part.
CREATE OR REPLACE TEMP MACRO sc_identity(ts, ns, conv, dir, author, typ, txt, val) AS
    md5(to_json([epoch_us(ts)::VARCHAR, ns, conv, dir, author, typ, txt, val]));

-- name: next_source_id
SELECT coalesce(max(source_id), 0) + 1 FROM sources;

-- name: insert_source
INSERT INTO sources (source_id, path, size, mtime, format, namespace, started_at)
VALUES ($source_id, $path, $size, $mtime, $format, $namespace, $started_at);

-- name: bad_records
-- Malformed records DuckDB's CSV reader skipped (read_csv store_rejects):
-- g = how many good rows come before the shift-th of them.
CREATE OR REPLACE TEMP TABLE bad_records AS
SELECT g, max(shift) AS shift FROM (
    SELECT line - row_number() OVER (ORDER BY line) - $header AS g,
           row_number() OVER (ORDER BY line) AS shift
    FROM (SELECT DISTINCT line FROM sc_reject_errors)
) GROUP BY g;

-- name: fix_staged_lines
-- Rows are first numbered by rank among good rows; each malformed record
-- before a row shifts its line by one.
UPDATE staged SET line = staged.line + m.shift
FROM (SELECT s.line AS p, b.shift FROM (SELECT DISTINCT line FROM staged) s
      ASOF JOIN bad_records b ON s.line - $header > b.g) m
WHERE staged.line = m.p;

-- name: fix_reject_lines
UPDATE staged_rejects SET line = staged_rejects.line + m.shift
FROM (SELECT s.line AS p, b.shift FROM (SELECT DISTINCT line FROM staged_rejects) s
      ASOF JOIN bad_records b ON s.line - $header > b.g) m
WHERE staged_rejects.line = m.p;

-- name: malformed_records
-- One reject per malformed record; the first error DuckDB gave for it.
INSERT INTO staged_rejects
SELECT line, 'malformed record: ' || arg_min(error_message, column_idx), arg_min(csv_line, column_idx)
FROM sc_reject_errors GROUP BY line;

-- name: invalid_unicode
SELECT min(line) FROM sc_reject_errors WHERE error_type IN ('INVALID ENCODING', 'INVALID UNICODE');

-- name: staged_lines
-- Input rows, not events: a ticket row stages several events under one line,
-- so a line with any staged event counts as read once.
SELECT count(DISTINCT line) FROM staged;

-- name: staged_repeats
-- (event_id alone: a conservative screen, any repeat takes the full dedupe path)
SELECT count(*) - count(DISTINCT event_id) FROM staged;

-- name: rejects_present
SELECT EXISTS (SELECT 1 FROM staged_rejects);

-- name: rejected_count
-- A line only in staged_rejects counts as rejected.
SELECT count(DISTINCT line) FROM staged_rejects WHERE line NOT IN (SELECT line FROM staged);

-- name: imported_rows
-- (a caller's ledger row may hold earlier batches: their lines are below $first_line)
SELECT count(DISTINCT line) FROM events WHERE source_id = $source_id AND line >= $first_line;

-- name: shift_staged_lines
-- The lines as the caller's ledger numbers them (records staged from memory start
-- at the first data line of their own).
UPDATE staged SET line = line + $shift;

-- name: shift_reject_lines
UPDATE staged_rejects SET line = line + $shift;

-- name: namespace_stored
SELECT EXISTS (SELECT 1 FROM events WHERE namespace = $ns);

-- In the three move statements /*columns*/ is the list of `events` columns
-- that `staged` has (pipeline.EVENT_COLUMNS; a format may leave out columns
-- it never fills, which then take their default). Columns are listed because
-- a format module may keep working columns in `staged`.

-- name: move_events
-- New rows: (namespace, event_id) not yet stored; inside the file the first
-- occurrence wins. Everything else staged is a duplicate.
INSERT INTO events (source_id, /*columns*/)
SELECT $source_id, /*columns*/
FROM staged s
WHERE NOT EXISTS (
    SELECT 1 FROM events e WHERE e.namespace = s.namespace AND e.event_id = s.event_id
)
QUALIFY row_number() OVER (PARTITION BY s.namespace, s.event_id ORDER BY s.line) = 1;

-- name: move_events_unique
-- move_events when no (namespace, event_id) repeats inside the file.
INSERT INTO events (source_id, /*columns*/)
SELECT $source_id, /*columns*/
FROM staged s
WHERE NOT EXISTS (
    SELECT 1 FROM events e WHERE e.namespace = s.namespace AND e.event_id = s.event_id
);

-- name: move_events_new
-- move_events when nothing is stored under the namespace and no id repeats.
INSERT INTO events (source_id, /*columns*/)
SELECT $source_id, /*columns*/
FROM staged s;

-- name: staged_columns
SELECT column_name FROM duckdb_columns() WHERE table_name = 'staged' AND database_name = 'temp';

-- name: move_rejects
INSERT INTO rejects (source_id, path, line, reason, raw)
SELECT $source_id, $path, line, reason, raw FROM staged_rejects ORDER BY line;

-- name: finish_source
UPDATE sources SET
    finished_at = $finished_at,
    rows_read = $rows_read,
    imported = $imported,
    duplicates = $duplicates,
    rejected = $rejected,
    byte_offset = $byte_offset,
    content_hash = $content_hash
WHERE source_id = $source_id;

-- name: add_to_source
-- A caller's own ledger row (pipeline.Ledger) takes a batch's counts.
UPDATE sources SET
    finished_at = $finished_at,
    rows_read = rows_read + $rows_read,
    imported = imported + $imported,
    duplicates = duplicates + $duplicates,
    rejected = rejected + $rejected,
    format = $format,
    namespace = $namespace,
    size = $size, mtime = $mtime, content_hash = $content_hash, byte_offset = $byte_offset
WHERE source_id = $source_id;

-- name: drop_reader_rejects
-- The tables read_csv(store_rejects) fills (readers.REJECTS_TABLE / REJECTS_SCAN).
DROP TABLE IF EXISTS sc_reject_errors;

-- name: drop_reader_scans
DROP TABLE IF EXISTS sc_reject_scans;

-- name: rejected_lines_count
-- The rows a format module rejected: each fills TEMP rejected_lines(line, reason).
SELECT count(*) FROM rejected_lines;

-- name: record_level_rejects
-- The damaged records the record-level path (ingest/records.py) found: line, reason, raw.
INSERT INTO staged_rejects
SELECT CAST(line AS BIGINT), reason, raw
FROM read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
              new_line = '\n', compression = 'none', encoding = 'utf-8', max_line_size = 67108864);

-- name: last_line
SELECT greatest((SELECT max(line) FROM staged), (SELECT max(line) FROM staged_rejects));

-- name: reader_reject_count
SELECT count(*) FROM sc_reject_errors;

-- name: out_of_range
-- Rows (lines) with a time before 1970 or after $latest (import-time now + a margin):
-- into rejected_lines, to be rejected whole.
CREATE OR REPLACE TEMP TABLE rejected_lines AS
SELECT line, 'time ' || strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ') || ' is outside the accepted range '
    || '(1970-01-01 to ' || strftime($latest::TIMESTAMP, '%Y-%m-%d') || ')' AS reason
FROM staged
WHERE ts < TIMESTAMP '1970-01-01' OR ts > $latest::TIMESTAMP
GROUP BY line;

-- name: out_of_range_count
SELECT count(*) FROM rejected_lines;

-- name: drop_out_of_range
DELETE FROM staged WHERE line IN (SELECT line FROM rejected_lines);

-- name: drop_rejected_lines
DROP TABLE IF EXISTS rejected_lines;
