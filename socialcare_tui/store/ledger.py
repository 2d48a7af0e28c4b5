"""Reading the import ledger (`sources`) and the rejected rows (`rejects`).

A file is named by its ledger id or by its path (whole, or its trailing part
after a `/`); `None` for both means every import. Values are as stored: the
caller cleans text before showing it.
"""

from __future__ import annotations

from typing import Any

import duckdb

from socialcare_tui import sqlfiles

_SQL = ("socialcare_tui.store.sql", "ledger.sql")
SOURCE_COLUMNS = ("source_id", "path", "format", "namespace", "rows_read", "imported", "duplicates",
                  "rejected", "size", "byte_offset", "content_hash", "mtime", "started_at", "finished_at")
REJECT_COLUMNS = ("source_id", "path", "line", "reason", "raw")


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    return sqlfiles.run(con, sqlfiles.statement(*_SQL, name), params)


def sources(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every ledger row, oldest import first, as {SOURCE_COLUMNS: value}."""
    return [dict(zip(SOURCE_COLUMNS, row)) for row in _run(con, "sources").fetchall()]


def rejects(con: duckdb.DuckDBPyConnection, *, source_id: int | None = None, path: str | None = None,
            limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    """(at most `limit` rejected rows as {REJECT_COLUMNS: value} in file and line order,
    how many there are in all) of one import or of every one."""
    params = {"source_id": source_id, "path": path}
    total = _run(con, "rejects_count", params).fetchone()
    rows = _run(con, "rejects_page", {**params, "limit": limit}).fetchall()
    return [dict(zip(REJECT_COLUMNS, row)) for row in rows], (total[0] if total else 0)


def source_known(con: duckdb.DuckDBPyConnection, *, source_id: int | None = None,
                 path: str | None = None) -> bool:
    """Whether the ledger holds an import with this id or path."""
    row = _run(con, "source_known", {"source_id": source_id, "path": path}).fetchone()
    return bool(row and row[0])
