"""The private DuckDB connection the generators run on, and the CSV writer.

Every generator is one SQL query over `range()`: DuckDB streams it into the
CSV file in file order, so a file of ten million rows never sits in memory.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb

from socialcare_tui import sqlfiles

SQL = "socialcare_tui.sample.sql"
# the sample data covers the 30 days ending 2024-03-31 (UTC), whatever today is
START = datetime(2024, 3, 2)
SPAN_SECONDS = 30 * 86400
_PARAM = re.compile(r"\$(\w+)")


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
    used = set(_PARAM.findall(query))
    relation = con.sql(query, params={k: v for k, v in params.items() if k in used})
    tmp = path.with_name(path.name + ".part")
    try:
        relation.write_csv(str(tmp), header=True)
        tmp.replace(path)  # a complete file or none: never a half-written sample
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
