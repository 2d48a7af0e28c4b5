"""Choose DuckDB's reader for a file and give a uniform scan over it.

Every scan yields the file's columns as VARCHAR named by position (`c0`,
`c1`, ... — never the file's own names, which are untrusted) plus `line`.
Values are parsed by the format modules in SQL (TRY_CAST, sc_instant), so a
bad value becomes a rejected row with a reason instead of a failed file.

`line` is the record number in the file: for CSV/TSV the header is line 1;
for JSON Lines the physical line; for JSON arrays and Parquet the 1-based
element/row number. For CSV-read files the scan first numbers good rows by
rank; the pipeline then shifts them past the malformed records DuckDB
skipped (`store_rejects`), see `pipeline.fix_lines`.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.errors import UserError
from socialcare_tui.ingest import integrity

KINDS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
         ".json": "json", ".parquet": "parquet"}
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd"}
ENCODINGS = ("utf-8", "utf-16", "latin-1")
_SQL = ("socialcare_tui.ingest.sql", "readers.sql")


def layout(path: Path) -> tuple[str, str] | None:
    """(kind, compression) from the file name, or None when not a supported file."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = "none"
    if suffixes and suffixes[-1] in COMPRESSIONS:
        compression = COMPRESSIONS[suffixes.pop()]
    if not suffixes or suffixes[-1] not in KINDS:
        return None
    kind = KINDS[suffixes[-1]]
    if kind == "parquet" and compression != "none":
        return None  # Parquet compresses inside the file
    return kind, compression


def compressed_parquet(path: Path) -> bool:
    """`.parquet.gz` / `.parquet.zst`: not read (Parquet compresses inside the file)."""
    suffixes = [s.lower() for s in path.suffixes]
    return len(suffixes) >= 2 and suffixes[-1] in COMPRESSIONS and suffixes[-2] == ".parquet"


def has_content(con: duckdb.DuckDBPyConnection, path: Path, kind: str, compression: str, encoding: str,
                head: bytes | None = None, limit: int = 1 << 20) -> bool:
    """False when the (decompressed) text holds nothing but blank lines. `head` is the
    file's first `limit` bytes (head_bytes), or None when they could not be read."""
    if kind == "parquet":
        return True
    if head is not None:
        return len(head) >= limit or bool(head.decode(encoding, errors="replace").strip("\x00 \t\r\n\ufeff"))
    try:
        found = _run(con, "has_content", _params(path, compression, encoding, "jsonl")).fetchone()
    except duckdb.Error:
        return True  # the reader proper says what is wrong
    return bool(found and found[0])


def head_bytes(path: Path, compression: str, limit: int = 1 << 20) -> bytes | None:
    """The first `limit` bytes of the (decompressed) file; None when not known. A
    compressed stream that ends before `limit` bytes and before its end marker is
    refused as truncated."""
    from socialcare_tui.ingest.records import open_binary

    try:
        with open_binary(path, compression) as fh:
            return fh.read(limit)
    except EOFError as err:
        raise integrity.truncated(path, str(err)) from None
    except UserError:
        return None  # no zstd reader here: DuckDB's reader looks at the file
    except Exception:  # noqa: BLE001 - a decoder's own error class: DuckDB's reader says what is wrong
        return None  # DuckDB's reader gives the one-line error


def bom_encoding(head: bytes | None) -> str | None:
    """`utf-16` when the text starts with a UTF-16 byte order mark."""
    return "utf-16" if head and head[:2] in (b"\xff\xfe", b"\xfe\xff") else None


def bad_text_line(head: bytes | None, encoding: str) -> int | None:
    """The line of the first bytes that are not text in `encoding` (a character cut off
    at the end of `head` does not count), or None."""
    if not head:
        return None
    try:
        head.decode(encoding)
    except UnicodeDecodeError as err:
        if err.start >= len(head) - 4 and err.reason == "unexpected end of data":
            return None
        return head.count(b"\n", 0, err.start) + 1
    return None


def header_width(head: bytes | None, kind: str, encoding: str) -> int:
    """Fields in the first record of a CSV/TSV (0 when not known): a cheap look before
    DuckDB's sniffer, which takes many seconds over a header of 100,000 columns."""
    if kind not in ("csv", "tsv") or not head:
        return 0
    first = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    try:
        return len(next(csv.reader([first], delimiter="\t" if kind == "tsv" else ","), []))
    except csv.Error:
        return 0


# Where read_csv(store_rejects) records malformed records of our scans.
REJECTS_TABLE = "sc_reject_errors"  # also named in sql/pipeline.sql and sql/readers.sql
REJECTS_SCAN = "sc_reject_scans"  # also named in sql/pipeline.sql and sql/readers.sql


def install(con: duckdb.DuckDBPyConnection) -> None:
    """The reader macros of sql/readers.sql, on the connection that will read the file."""
    con.execute(sqlfiles.statement(*_SQL, "macros"))


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    return con.execute(sqlfiles.statement(*_SQL, name), params)


def reads_as_csv(kind: str) -> bool:
    """True when DuckDB's CSV reader scans it (and REJECTS_TABLE gets its malformed records)."""
    return kind in ("csv", "tsv", "jsonl")


def header_lines(kind: str) -> int:
    return 1 if kind in ("csv", "tsv") else 0


# The reader macro (sql/readers.sql) each kind is scanned with; JSON ones give (j, line).
_CALLS = {
    "csv": "sc_csv($path, $compression, $encoding)",
    "tsv": "sc_tsv($path, $compression, $encoding)",
    "jsonl": "sc_json_lines($path, $compression, $encoding)",
    "json": "sc_json_array($path, $compression)",
}


def _params(path: Path, compression: str, encoding: str, kind: str) -> dict:
    params = {"path": str(path)}
    if kind != "parquet":
        params["compression"] = compression
    if reads_as_csv(kind):
        params["encoding"] = encoding
    return params


def json_kind(con: duckdb.DuckDBPyConnection, path: Path, compression: str, encoding: str,
              head: bytes | None = None) -> str:
    """`.json` files hold either one array or one object per line: look at the first character
    (of `head` when known: an array on one line may be longer than any line DuckDB reads)."""
    if head and encoding != "utf-16":
        first_byte = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first_byte:
            return "json" if first_byte == b"[" else "jsonl"
    first = _run(con, "first_json_value", _params(path, compression, encoding, "jsonl")).fetchone()
    return "json" if first and first[0].lstrip().startswith("[") else "jsonl"


def columns(con: duckdb.DuckDBPyConnection, path: Path, kind: str, compression: str, encoding: str) -> list[str]:
    """The file's column names, in file order (JSON: keys in order of first appearance)."""
    cursor = _run(con, f"{kind}_columns", _params(path, compression, encoding, kind))
    if kind in ("csv", "tsv", "parquet"):
        return [d[0] for d in cursor.description]
    return [row[0] for row in cursor.fetchall()]


def scan(kind: str, path: Path, compression: str, encoding: str, names: list[str]) -> tuple[str, dict]:
    """SQL for `SELECT c0.., line` over the file, and its parameters. `names` = file columns."""
    params = _params(path, compression, encoding, kind)
    idents = [f"c{i}" for i in range(len(names))]
    alias = ", ".join(idents)
    if kind in ("csv", "tsv"):
        sql = f"SELECT {alias}, row_number() OVER () + 1 AS line FROM {_CALLS[kind]} AS t({alias})"
    elif kind == "parquet":
        casts = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in idents)
        sql = (f"SELECT {casts}, file_row_number + 1 AS line "
               f"FROM read_parquet($path, file_row_number = true) AS t({alias}, file_row_number)")
    else:
        params["json_paths"] = ["/" + n.replace("~", "~0").replace("/", "~1") for n in names]
        values = ", ".join(f"v[{i + 1}] AS c{i}" for i in range(len(names)))
        sql = (f"SELECT {values}, line FROM (SELECT json_extract_string(j, $json_paths) AS v, line "
               f"FROM {_CALLS[kind]} WHERE sc_is_object(j))")
    return sql, params


def clean_scan(path: Path, width: int) -> tuple[str, dict]:
    """`scan` over the clean CSV of the record-level path (records.py): its last column
    is the record's line in the original file."""
    alias = ", ".join(f"c{i}" for i in range(width))
    return (f"SELECT {alias}, CAST(line AS BIGINT) AS line FROM sc_clean($path) AS t({alias}, line)",
            {"path": str(path)})


def reject_invalid_json(con: duckdb.DuckDBPyConnection, kind: str, path: Path, compression: str,
                        encoding: str) -> None:
    """Add the JSON values that are not objects to staged_rejects (line, reason, raw)."""
    _run(con, f"{kind}_invalid", _params(path, compression, encoding, kind))


def invalid_text(err: duckdb.Error) -> bool:
    """DuckDB refused bytes that are not valid in the declared encoding."""
    text = str(err).lower()
    return "invalid unicode" in text or "invalid utf" in text


def describe_error(where: str, kind: str, err: duckdb.Error) -> UserError:
    """A DuckDB read failure as one line."""
    text = str(err)
    label = {"csv": "CSV", "tsv": "TSV", "jsonl": "JSON Lines", "json": "JSON", "parquet": "Parquet"}[kind]
    lowered = text.lower()
    if "unexpected end of" in lowered and ("gzip" in lowered or "zstd" in lowered or "stream" in lowered):
        return integrity.truncated(where, text.splitlines()[0][:120])
    if invalid_text(err):
        return UserError(f"{where}: bytes that are not valid in the declared encoding (try --encoding)")
    if "Error when sniffing file" in text:
        return UserError(
            f"{where}: cannot be read as {label}: no consistent layout (rows of different widths, "
            "or a bare carriage return inside a field?)"
        )
    first = text.splitlines()[0] if text else type(err).__name__
    return UserError(f"{where}: cannot be read as {label} ({first[:200]})")
