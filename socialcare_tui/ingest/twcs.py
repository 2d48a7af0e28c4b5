"""The "Customer Support on Twitter" dataset.

Every tweet becomes one message event; its conversation is the root of its
reply tree, found in SQL by pointer jumping (log2(depth) joins, so 3M tweets
take a handful of passes). The parent id is kept in `extra.in_reply_to`, and a
reply whose parent was stored by an earlier import joins that conversation.
Every kind is read with the pipeline's scan; a CSV with damaged records is read
record by record by the pipeline (ingest/records.py) before it gets here.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.errors import UserError
from socialcare_tui.ingest import pipeline

NAME = "twcs"
REQUIRED = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
_SQL = ("socialcare_tui.ingest.sql", "twcs.sql")
_PARAM = re.compile(r"\$([A-Za-z_]\w*)")
# 2^40 covers any reply chain.
_MAX_STEPS = 40


def matches(columns: list[str]) -> bool:
    return set(REQUIRED) <= {c.strip().lower() for c in columns}


def stage(con: duckdb.DuckDBPyConnection, file: pipeline.SourceFile, options: pipeline.ImportOptions) -> None:
    """Fill TEMP `staged` / `staged_rejects` from one twcs file."""
    params = {
        "path": str(file.path),
        "ns": file.namespace or options.namespace or NAME,
        "queue": options.queue,
        "compression": file.compression,
        "encoding": file.encoding,
    }
    ensure_staging(con)
    _check_columns(file)
    _read_rows(con, file, params)
    for name in ("nodes", "late_rejects", "tree_init"):
        _run(con, name, params)
    _jump_to_roots(con, params)
    for name in ("tree_loops", "continued", "brands", "stage", "field_rejects"):
        _run(con, name, params)
    _run(con, "cleanup", params)


def ensure_staging(con: duckdb.DuckDBPyConnection) -> None:
    """The contract's TEMP tables, when the pipeline has not made them yet (direct use)."""
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS staged AS "
        "SELECT * EXCLUDE (source_id, seq) FROM events WHERE false"
    )
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS staged_rejects (line BIGINT, reason VARCHAR, raw VARCHAR)"
    )


def _check_columns(file: pipeline.SourceFile) -> None:
    found = {c.strip().lower() for c in file.columns}
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise UserError(f"{file.label}: twcs file has no column {', '.join(missing)}")


def _read_rows(con: duckdb.DuckDBPyConnection, file: pipeline.SourceFile, params: dict[str, Any]) -> None:
    rows = sqlfiles.statement(*_SQL, "rows")
    scan, scan_params = file.scan()
    params = params | scan_params
    # Identifiers are the scan's own `cN` names, found from the fixed REQUIRED list.
    renamed = ", ".join(f"{file.column(name)} AS {name}" for name in REQUIRED)
    # (the line orders rows as well as a row number would: no second window over the file)
    source = f"SELECT line AS i, line AS src_line, {renamed} FROM ({scan})"
    sql = rows.replace("FROM (/*source*/)", f"FROM ({source})")
    con.execute(sql, _used(sql, params))


def _jump_to_roots(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    # Every step finishes at least one node of each unfinished chain, so a step
    # that finishes none means only reply loops are left (tree_loops rejects them).
    previous = None
    for _ in range(_MAX_STEPS):
        left = pipeline.scalar(_run(con, "tree_left", params))
        if left == 0 or left == previous:
            return
        previous = left
        _run(con, "tree_step", params)
        _run(con, "tree_swap", params)


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    sql = sqlfiles.statement(*_SQL, name)
    used = _used(sql, params)
    return con.execute(sql, used) if used else con.execute(sql)


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a statement names (DuckDB refuses unused ones)."""
    return {key: params[key] for key in set(_PARAM.findall(_strip_strings(sql))) if key in params}


def _strip_strings(sql: str) -> str:
    # '$' inside regex literals ('\.0+$') is not a parameter; comments may hold quotes.
    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"'(?:[^']|'')*'", "''", sql)
