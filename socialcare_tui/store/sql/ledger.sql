-- The import ledger and the rejected rows (store/ledger.py, for `sources` and `rejects`).
-- $source_id / $path narrow to one import; NULL means every import.

-- name: sources
SELECT source_id, path, format, namespace, rows_read, imported, duplicates, rejected, size,
       byte_offset, content_hash, mtime, started_at, finished_at
FROM sources ORDER BY source_id;

-- name: rejects_count
SELECT count(*) FROM rejects r
WHERE ($source_id IS NULL OR r.source_id = $source_id)
  AND ($path IS NULL OR r.path = $path OR r.path LIKE '%/' || $path);

-- name: rejects_page
SELECT r.source_id, r.path, r.line, r.reason, r.raw FROM rejects r
WHERE ($source_id IS NULL OR r.source_id = $source_id)
  AND ($path IS NULL OR r.path = $path OR r.path LIKE '%/' || $path)
ORDER BY r.source_id, r.line
LIMIT $limit;

-- name: source_known
SELECT count(*) > 0 FROM sources
WHERE ($source_id IS NULL OR source_id = $source_id)
  AND ($path IS NULL OR path = $path OR path LIKE '%/' || $path);
