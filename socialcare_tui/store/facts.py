"""Stored conversation facts: the single writer keeps them, every reader aggregates them.

`compute(cur, as_of, auto_resolve)` runs `sql/facts.sql` on TEMP `fact_src` (events
with their row id as `rid`) and leaves TEMP `calc_*` tables: the conversations'
events in order, messages, customer turns, resolutions and one row per
conversation, as of `as_of`. Every statement is per conversation, so the same SQL
serves the writer (the conversations a batch touched, with no as_of cut) and a
reader (the few conversations that span its as_of).

`update(con)` runs inside the caller's transaction, after rows were added to
`events`: the conversations with rows above the stored watermark are deleted from
the fact tables and computed again from all their events. It rebuilds every
conversation when rows were removed from `events` or `auto_resolve` differs from
the value the facts were built with. `rebuild(con)` does that on demand, in its own
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.config import FactsConfig
from socialcare_tui.store.lexicon import load_lexicon

_PACKAGE = "socialcare_tui.store.sql"
LATEST = datetime(9999, 12, 31)
DEFAULT_AUTO_RESOLVE = FactsConfig.auto_resolve_after  # the config's default
# the upkeep computes this many conversations at a time (memory: that chunk's events)
CHUNK_CONVERSATIONS = 200_000
# statements of facts.sql, in order (drop_full_events: drop_scratch())
_COMPUTE = ("calc_events_full", "calc_spans", "conv_attr", "msgs_base", "calc_msgs", "conv_msgs",
            "calc_turns", "status_rows", "silence_segments", "calc_resolutions", "conv_status",
            "calc_conv", "calc_events")
# what changes when the last silence has not resolved a conversation yet
_BEFORE_DEADLINE = ("calc_resolutions", "conv_status", "calc_conv")

# called with (chunks done, chunks) before each chunk of conversations is computed
Step = Callable[[int, int], None]


@dataclass(frozen=True)
class State:
    """What the stored facts include: events rows up to `watermark` (`rows_below` of
    them), built with `auto_resolve` seconds of silence."""

    watermark: int
    rows_below: int
    auto_resolve: float


@dataclass(frozen=True)
class Upkeep:
    conversations: int  # conversations computed again
    full: bool


def _upkeep(name: str) -> str:
    return sqlfiles.statement(_PACKAGE, "upkeep.sql", name)


def _run(con: duckdb.DuckDBPyConnection, name: str,
         params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    return sqlfiles.run(con, _upkeep(name), params)


def _one(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """The row of an aggregate statement (one without GROUP BY always gives one)."""
    return sqlfiles.one_row(_run(con, name, params))


def state(con: duckdb.DuckDBPyConnection) -> State | None:
    """The stored facts' state; None before the first build."""
    row = _run(con, "state").fetchone()
    return State(*row) if row else None


def usable(con: duckdb.DuckDBPyConnection, auto_resolve: float) -> tuple[State, bool]:
    """(state, usable): the facts can serve a reader with this auto_resolve when
    they were built with it and no row at or below their watermark was removed."""
    found = state(con) or State(-1, 0, auto_resolve)
    _, kept, _ = _one(con, "marks", {"watermark": found.watermark})
    return found, kept == found.rows_below and found.auto_resolve == auto_resolve


def compute(cur: duckdb.DuckDBPyConnection, as_of: datetime | None, auto_resolve: float,
            names: Sequence[str] = _COMPUTE) -> None:
    """facts.sql's statements on TEMP fact_src, into TEMP calc_* tables."""
    load_lexicon(cur)
    params = {"as_of": as_of, "auto_resolve": auto_resolve}
    statements = sqlfiles.named(_PACKAGE, "facts.sql")
    for name in names:
        sqlfiles.run(cur, statements[name], params)


def drop_scratch(cur: duckdb.DuckDBPyConnection) -> None:
    """Drop what compute() kept only for its own statements (the wide ordered events)."""
    sqlfiles.run(cur, sqlfiles.statement(_PACKAGE, "facts.sql", "drop_full_events"))


def update(con: duckdb.DuckDBPyConnection, *, auto_resolve: float | None = None,
           full: bool = False, step: Step | None = None) -> Upkeep:
    """Bring the facts up to date with `events`, inside the caller's transaction.

    `auto_resolve` None keeps the value the facts were built with (the default on
    a new database); another value rebuilds every conversation with it."""
    say = step or (lambda _done, _total: None)
    before = state(con)
    if auto_resolve is None:
        auto_resolve = before.auto_resolve if before else DEFAULT_AUTO_RESOLVE
    watermark = before.watermark if before else -1
    top, kept, total = _one(con, "marks", {"watermark": watermark})
    full = (full or before is None or kept != before.rows_below
            or before.auto_resolve != auto_resolve)
    if full:
        _run(con, "forget_all")
        watermark = -1
    _run(con, "touched", {"watermark": watermark, "per": CHUNK_CONVERSATIONS})
    if not full:
        _run(con, "forget_touched")
    touched, chunks = _one(con, "chunks")
    _run(con, "set_watermark", {"watermark": watermark})
    try:
        for chunk in range(chunks):
            say(chunk, chunks)
            _run(con, "set_chunk", {"chunk": chunk})
            _run(con, "src_chunk")
            _store_chunk(con, auto_resolve)
    finally:
        _run(con, "cleanup")
    _run(con, "save_state", {"top": -1 if top is None else top, "rows_below": total,
                             "auto_resolve": auto_resolve})
    return Upkeep(touched, full)


def _store_chunk(con: duckdb.DuckDBPyConnection, auto_resolve: float) -> None:
    """Compute the facts of fact_src's conversations and store them: each conversation
    as it reads after its last silence's deadline, and (if a silence will resolve it)
    as it reads before."""
    compute(con, LATEST, auto_resolve)
    _run(con, "store_rows")
    _run(con, "final_silences", {"auto_resolve": auto_resolve})
    _run(con, "store_conv_after")
    _run(con, "unresolve_final")
    compute(con, LATEST, auto_resolve, _BEFORE_DEADLINE)
    _run(con, "store_conv_before")
    drop_scratch(con)


def rebuild(con: duckdb.DuckDBPyConnection, auto_resolve: float | None = None,
            step: Step | None = None) -> Upkeep:
    """Every fact computed again from `events`, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        done = update(con, auto_resolve=auto_resolve, full=True, step=step)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return done
