-- Ledger bookkeeping of the live follower (ingest/follow.py). A followed file
-- has one `sources` row per generation (a rotation or truncation starts a new
-- one); its byte_offset is how far the file has been read and content_hash the
-- sha256 of those bytes, so a restart can tell the same file from a new one.

-- name: latest_ledger
SELECT source_id, byte_offset, content_hash, size, mtime
FROM sources
WHERE path = $path
ORDER BY source_id DESC
LIMIT 1;

-- name: adopt_chunk_row
-- The chunk's own row becomes the ledger row of the followed file.
UPDATE sources
SET path = $path, size = $size, mtime = $mtime, content_hash = $hash, byte_offset = $offset
WHERE source_id = $chunk;

-- name: merge_chunk_counts
UPDATE sources AS s
SET rows_read = s.rows_read + c.rows_read,
    imported = s.imported + c.imported,
    duplicates = s.duplicates + c.duplicates,
    rejected = s.rejected + c.rejected,
    finished_at = c.finished_at,
    format = c.format,
    namespace = c.namespace,
    size = $size, mtime = $mtime, content_hash = $hash, byte_offset = $offset
FROM sources AS c
WHERE s.source_id = $ledger AND c.source_id = $chunk;

-- name: move_chunk_events
UPDATE events SET source_id = $ledger, line = line + $shift WHERE source_id = $chunk;

-- name: move_chunk_rejects
UPDATE rejects SET source_id = $ledger, path = $path, line = line + $shift WHERE source_id = $chunk;

-- name: drop_chunk_row
DELETE FROM sources WHERE source_id = $chunk AND source_id <> $ledger;

-- name: new_ledger_row
-- A ledger row for a followed file whose first batch was entirely rejected.
INSERT INTO sources (source_id, path, size, mtime, content_hash, format, namespace,
                     started_at, finished_at, rows_read, imported, duplicates, rejected, byte_offset)
SELECT coalesce(max(source_id), 0) + 1, $path, $size, $mtime, $hash, $format, $namespace,
       now()::TIMESTAMP, now()::TIMESTAMP, 0, 0, 0, 0, $offset
FROM sources
RETURNING source_id;

-- name: insert_rejects
INSERT INTO rejects (source_id, path, line, reason, raw)
SELECT $ledger, $path, unnest($lines::BIGINT[]), $reason, unnest($raws::VARCHAR[]);

-- name: count_rejects
UPDATE sources
SET rows_read = rows_read + $n, rejected = rejected + $n, finished_at = now()::TIMESTAMP,
    size = $size, mtime = $mtime, content_hash = $hash, byte_offset = $offset
WHERE source_id = $ledger;
