-- Ledger bookkeeping of the live follower (ingest/follow.py); the batches it
-- imports are booked by the pipeline (pipeline.Ledger). A followed file
-- has one `sources` row per generation (a rotation or truncation starts a new
-- one); its byte_offset is how far the file has been read and content_hash the
-- sha256 of those bytes, so a restart can tell the same file from a new one.

-- name: latest_ledger
SELECT source_id, byte_offset, content_hash, size, mtime
FROM sources
WHERE path = $path
ORDER BY source_id DESC
LIMIT 1;

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
