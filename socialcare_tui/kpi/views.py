"""The shared layer as TEMP views over the stored facts (kpi/sql/views.sql).

`install(cur, params)` makes scope_events, msgs, turns, resolutions, conv and
customer_convs on `cur` for the instant and filters in `params` (the engine's
Resolved.params). Nothing is copied: the views read the fact tables the writer
keeps (store/facts.py). Only the conversations whose stored facts do not hold at
as_of are computed here, from their events, with the writer's own SQL: those
that span as_of (an event before it and one after), those with events the facts
do not include yet, or all of them when the facts were built with another
auto_resolve_after or rows were removed from `events` (then `raw` is true and a
`rebuild` makes reading fast again).
"""

from __future__ import annotations

from typing import Any

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.store import facts

_SQL = ("socialcare_tui.kpi.sql", "views.sql")
_VIEWS = ("all_events", "all_msgs", "all_turns", "all_resolutions", "all_conv", "customer_convs")
# fact table -> (columns that say when a row holds, conditions on them at as_of)
_STORED = {
    "events": ("settled_at", ("if_settled",)),
    "msgs": ("settled_at", ("if_settled",)),
    "turns": ("settled_at", ("if_settled",)),
    "resolutions": ("settled_at, effective_at", ("if_settled", "if_effective")),
    "conv": ("valid_from, valid_to", ("if_valid",)),
}


def _run(cur: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    return sqlfiles.run(cur, sqlfiles.statement(*_SQL, name), params)


def _one(cur: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """The one row of an aggregate statement."""
    return sqlfiles.one_row(_run(cur, name, params))


def _conditions(conditions: tuple[str, ...], raw: bool, unsettled: int, settled: bool) -> list[str]:
    """The named conditions a stored row must meet at as_of: none of them when every
    stored row holds (nothing unsettled, as_of after every event), the cheap case."""
    if raw:
        return ["if_not_raw"]
    wanted = [c for c in conditions if not (settled and c == "if_settled")]
    if unsettled:  # their stored rows (if any) are older than their events
        wanted.append("unless_unsettled")
    return wanted


def _stored_view(cur: duckdb.DuckDBPyConnection, table: str, keep_out: str, conditions: list[str]) -> None:
    """stored_<table> over fact_<table>: fixed names from _STORED and views.sql only."""
    where = " AND ".join(f"({sqlfiles.statement(*_SQL, c)})" for c in conditions) or "true"
    sql = (sqlfiles.statement(*_SQL, "stored").replace("TABLE", table)
           .replace("KEEP_OUT", keep_out).replace("CONDITIONS", where))
    sqlfiles.run(cur, sql)


def facts_fit(con: duckdb.DuckDBPyConnection, auto_resolve: float) -> bool:
    """The stored facts can serve readers with this auto_resolve_after."""
    return facts.usable(con, auto_resolve)[1]


def install(cur: duckdb.DuckDBPyConnection, params: dict[str, Any], has_filters: bool) -> bool:
    """Make the views on `cur`; returns True when every conversation had to be
    computed from its events (the stored facts did not fit this config)."""
    state, fits = facts.usable(cur, params["auto_resolve"])
    raw = not fits
    params = dict(params, raw=raw, watermark=-1 if raw else state.watermark)
    for name in ("macros", "due_macro", "cal_macro", "set_as_of", "set_watermark", "set_bh_channels",
                 "set_bh_queues", "unsettled"):
        _run(cur, name, params)
    unsettled = 0
    if raw:
        _run(cur, "src_all")
    else:
        conversations, answers = _one(cur, "unsettled_rows", params)
        unsettled = conversations + answers
        _run(cur, "src_unsettled" if unsettled else "src_none")
    facts.compute(cur, params["as_of"], params["auto_resolve"])
    facts.drop_scratch(cur)
    last = None if raw else _one(cur, "last_settled")[0]
    settled = last is None or (params["as_of"] is not None and last <= params["as_of"])
    for table, (keep_out, conditions) in _STORED.items():
        _stored_view(cur, table, keep_out, _conditions(conditions, raw, unsettled, settled))
    for name in _VIEWS:
        _run(cur, name)
    if has_filters:
        keep_answers = not (params["queues"] or params["agents"] or params["tags"])
        _run(cur, "filter_keep", params)
        _run(cur, "filter_keep_answers", dict(params, keep_answers=keep_answers))
        _run(cur, "filtered_scope")
    else:
        _run(cur, "whole_scope")
    _run(cur, "answers_macro")
    return raw
