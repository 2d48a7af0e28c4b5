"""Schema migrations: `schema/NNN_name.sql` files run in order, once each."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.errors import DatabaseUnavailable
from socialcare_tui.store import facts

_SCHEMA_PACKAGE = "socialcare_tui.store.schema"
FACTS_VERSION = 2  # schema/002_facts.sql: the stored conversation facts


def available() -> list[tuple[int, str]]:
    """(version, sql) for every migration file, in order."""
    found = []
    for entry in resources.files(_SCHEMA_PACKAGE).iterdir():
        match = re.fullmatch(r"(\d+)_\w+\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return available()[-1][0]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = _scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' AND NOT temporary")
    if not exists:
        return 0
    return int(_scalar(con, "SELECT coalesce(max(version), 0) FROM schema_version"))


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The value of an aggregate query (one without GROUP BY always gives a row)."""
    return sqlfiles.one_row(con.execute(sql))[0]


def pending(con: duckdb.DuckDBPyConnection, where: str) -> list[tuple[int, str]]:
    """Migrations not yet applied; refuses a database written by a newer version."""
    version = current_version(con)
    newest = latest_version()
    if version > newest:
        raise DatabaseUnavailable(
            f"{where} was written by a newer socialcare-tui (schema {version}, this one knows "
            f"{newest}); upgrade socialcare-tui to open it"
        )
    return [(v, sql) for v, sql in available() if v > version]


def migrate(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """Apply pending migrations in one transaction."""
    todo = pending(con, where)
    if not todo:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)"
        )
        for version, sql in todo:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version VALUES ($v, now()::TIMESTAMP)", {"v": version}
            )
        if any(version == FACTS_VERSION for version, _ in todo):
            facts.update(con, full=True)  # a database with events gets its facts at once
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
