"""Load SQL that lives in `.sql` files inside the package.

A file may hold several named statements, each introduced by a line
`-- name: some_name`; text before the first marker is a header comment.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

_MARKER = re.compile(r"^--\s*name:\s*(\S+)\s*$", re.MULTILINE)


@cache
def read(package: str, filename: str) -> str:
    """The whole text of `filename` in `package` (e.g. 'socialcare_tui.kpi.sql')."""
    return resources.files(package).joinpath(filename).read_text(encoding="utf-8")


@cache
def named(package: str, filename: str) -> dict[str, str]:
    """The named statements of a file, in file order."""
    text = read(package, filename)
    parts = _MARKER.split(text)
    # parts = [header, name1, body1, name2, body2, ...]
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def statement(package: str, filename: str, name: str) -> str:
    try:
        return named(package, filename)[name]
    except KeyError:
        raise KeyError(f"no statement '-- name: {name}' in {package}/{filename}") from None


_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


def run(cur, sql: str, params: dict | None = None):
    """Execute `sql` binding only the `$name` parameters it uses (DuckDB refuses unused ones)."""
    sql = sql.strip().rstrip(";")
    wanted = {name: params[name] for name in set(_PARAM.findall(sql)) if params and name in params}
    return cur.execute(sql, wanted) if wanted else cur.execute(sql)


def one_row(cursor: Any) -> tuple[Any, ...]:
    """The one row a statement gives after `execute` (an aggregate without GROUP BY
    always gives one)."""
    row = cursor.fetchone()
    assert row is not None
    return row
