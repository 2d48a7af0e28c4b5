"""The private DuckDB connection the generators run on, and the CSV writer.

Every generator is one SQL query over `range()`: DuckDB streams it into the
CSV file in file order, so a file of ten million rows never sits in memory.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from socialcare_tui import sqlfiles

SQL = "socialcare_tui.sample.sql"
# the sample data covers the 30 days ending 2024-03-31 (UTC), whatever today is
START = datetime(2024, 3, 2)
SPAN_SECONDS = 30 * 86400


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for filename in ("common.sql", "texts.sql"):
        con.execute(sqlfiles.statement(SQL, filename, "macros"))
    return con


def write_csv(con: duckdb.DuckDBPyConnection, filename: str, name: str, params: dict, path: Path) -> Path:
    """Run the named query of `filename` with `params` and write its rows to `path`."""
    query = sqlfiles.statement(SQL, filename, name)
    params = {"start": START, "span": SPAN_SECONDS, **params}
    relation = con.sql(query, params={k: v for k, v in params.items() if f"${k}" in query})
    tmp = path.with_name(path.name + ".part")
    relation.write_csv(str(tmp), header=True)
    tmp.replace(path)
    return path
