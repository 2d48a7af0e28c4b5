-- DuckDB's readers as table macros (ingest/readers.py installs them on the
-- import's connection before it looks at a file). Every scan names one with
-- the file's path, compression and encoding bound as parameters. CSV-read
-- scans record malformed records in sc_reject_errors / sc_reject_scans
-- (readers.REJECTS_TABLE / REJECTS_SCAN); CSV/TSV records may be up to 8 MiB
-- (records.MAX_RECORD_BYTES: a longer one is a rejected record), JSON lines 64 MiB.

-- name: macros
-- sc_csv / sc_tsv: every column as VARCHAR under the file's header. The dialect is
-- given, not sniffed: one damaged record in the sniffing sample once made the
-- sniffer pick another quote or escape and misread the whole file.
-- sc_lines: one VARCHAR column j per physical line (a control character that
-- valid JSON never holds raw is the delimiter); sc_json_lines numbers them
-- from 1 (numbering reads the whole file: a first look uses sc_lines).
-- sc_json_array: the elements of a JSON array, numbered from 1.
CREATE OR REPLACE TEMP MACRO sc_csv(src, comp, enc) AS TABLE
SELECT * FROM read_csv(src, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
                       store_rejects = true, rejects_table = 'sc_reject_errors',
                       rejects_scan = 'sc_reject_scans',
                       compression = comp, encoding = enc, max_line_size = 8388608);
CREATE OR REPLACE TEMP MACRO sc_tsv(src, comp, enc) AS TABLE
SELECT * FROM read_csv(src, header = true, all_varchar = true, delim = '\t', quote = '"', escape = '"',
                       store_rejects = true, rejects_table = 'sc_reject_errors',
                       rejects_scan = 'sc_reject_scans',
                       compression = comp, encoding = enc, max_line_size = 8388608);
CREATE OR REPLACE TEMP MACRO sc_lines(src, comp, enc) AS TABLE
SELECT j
FROM read_csv(src, header = false, columns = {'j': 'VARCHAR'}, delim = e'\x01', quote = '', escape = '',
              store_rejects = true, rejects_table = 'sc_reject_errors',
              rejects_scan = 'sc_reject_scans',
              compression = comp, encoding = enc, max_line_size = 67108864,
              buffer_size = 134217728);  -- twice the longest line (DuckDB's default: 16 times, 1 GiB)
CREATE OR REPLACE TEMP MACRO sc_json_lines(src, comp, enc) AS TABLE
SELECT j, row_number() OVER () AS line FROM sc_lines(src, comp, enc);
CREATE OR REPLACE TEMP MACRO sc_json_array(src, comp) AS TABLE
SELECT json::VARCHAR AS j, row_number() OVER () AS line
FROM read_json_objects(src, format = 'array', compression = comp);
-- sc_clean: the clean CSV the record-level path writes (ingest/records.py):
-- c0..cN then line, every value quoted, LF line ends, UTF-8; no sniffing needed.
CREATE OR REPLACE TEMP MACRO sc_clean(src) AS TABLE
SELECT * FROM read_csv(src, header = true, all_varchar = true, delim = ',', quote = '"',
                       escape = '"', new_line = '\n', compression = 'none', encoding = 'utf-8',
                       max_line_size = 67108864);
-- json_type() fails on invalid JSON, and AND does not promise to test left first.
CREATE OR REPLACE TEMP MACRO sc_is_object(j) AS
    CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END;

-- name: has_content
SELECT EXISTS (SELECT 1 FROM sc_lines($path, $compression, $encoding) WHERE trim(j) <> '');

-- name: first_json_value
SELECT j FROM sc_lines($path, $compression, $encoding) WHERE trim(j) <> '' LIMIT 1;

-- name: csv_columns
SELECT * FROM sc_csv($path, $compression, $encoding) LIMIT 0;

-- name: tsv_columns
SELECT * FROM sc_tsv($path, $compression, $encoding) LIMIT 0;

-- name: parquet_columns
SELECT * FROM read_parquet($path) LIMIT 0;

-- name: jsonl_columns
-- JSON keys in order of first appearance.
SELECT k FROM (
    SELECT unnest(json_keys(j)) AS k, line, generate_subscripts(json_keys(j), 1) AS pos
    FROM sc_json_lines($path, $compression, $encoding) WHERE sc_is_object(j))
GROUP BY k ORDER BY min(line), min(pos);

-- name: json_columns
SELECT k FROM (
    SELECT unnest(json_keys(j)) AS k, line, generate_subscripts(json_keys(j), 1) AS pos
    FROM sc_json_array($path, $compression) WHERE sc_is_object(j))
GROUP BY k ORDER BY min(line), min(pos);

-- name: jsonl_invalid
-- The JSON values that are not objects, as rejected rows.
INSERT INTO staged_rejects
SELECT line, CASE WHEN json_valid(j) THEN 'not a JSON object' ELSE 'not valid JSON' END, j
FROM sc_json_lines($path, $compression, $encoding)
WHERE j IS NOT NULL AND trim(j) <> '' AND NOT sc_is_object(j);

-- name: json_invalid
INSERT INTO staged_rejects
SELECT line, CASE WHEN json_valid(j) THEN 'not a JSON object' ELSE 'not valid JSON' END, j
FROM sc_json_array($path, $compression)
WHERE j IS NOT NULL AND trim(j) <> '' AND NOT sc_is_object(j);
