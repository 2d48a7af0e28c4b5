"""The VADER sentiment lexicon shipped by the `vaderSentiment` package, as TEMP
`vader_lexicon(token, valence)`: the writer scores each customer message's text
with it when it stores the facts (store/sql/facts.sql, `text_score`)."""

from __future__ import annotations

from importlib import resources

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.errors import UserError

_SQL = ("socialcare_tui.store.sql", "lexicon.sql")


def lexicon_path() -> str:
    """Path of `vader_lexicon.txt` inside the installed vaderSentiment package."""
    try:
        path = resources.files("vaderSentiment").joinpath("vader_lexicon.txt")
    except ModuleNotFoundError:
        raise UserError("the vaderSentiment package is not installed (pip install vaderSentiment)") from None
    if not path.is_file():
        raise UserError(f"{path}: VADER lexicon file missing; reinstall vaderSentiment")
    return str(path)


def load_lexicon(cur: duckdb.DuckDBPyConnection) -> None:
    """Load the lexicon into TEMP `vader_lexicon` unless this connection has it already."""
    loaded = cur.execute(sqlfiles.statement(*_SQL, "lexicon_loaded")).fetchone()
    if loaded is not None and loaded[0]:
        return
    cur.execute(sqlfiles.statement(*_SQL, "load_lexicon"), {"path": lexicon_path()})
