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

from socialcare_tui import sqlfiles
from socialcare_tui.store import facts

_SQL = ("socialcare_tui.kpi.sql", "views.sql")
_VIEWS = ("all_events", "all_msgs", "all_turns", "all_resolutions", "all_conv", "customer_convs")


def _run(cur, name: str, params: dict | None = None):
    return sqlfiles.run(cur, sqlfiles.statement(*_SQL, name), params)


def facts_fit(con, auto_resolve: float) -> bool:
    """The stored facts can serve readers with this auto_resolve_after."""
    return facts.usable(con, auto_resolve)[1]


def install(cur, params: dict, has_filters: bool) -> bool:
    """Make the views on `cur`; returns True when every conversation had to be
    computed from its events (the stored facts did not fit this config)."""
    state, fits = facts.usable(cur, params["auto_resolve"])
    raw = not fits
    params = dict(params, raw=raw, watermark=-1 if raw else state.watermark)
    for name in ("macros", "due_macro", "cal_macro", "scope_now", "unsettled"):
        _run(cur, name, params)
    if raw:
        _run(cur, "src_all")
    else:
        conversations, answers = _run(cur, "unsettled_rows", params).fetchone()
        _run(cur, "src_unsettled" if conversations or answers else "src_none")
    facts.compute(cur, params["as_of"], params["auto_resolve"])
    sqlfiles.run(cur, "DROP TABLE IF EXISTS calc_events_full")
    for name in _VIEWS:
        _run(cur, name)
    if has_filters:
        keep_answers = not (params["queues"] or params["agents"] or params["tags"])
        _run(cur, "filter_keep", params)
        _run(cur, "filter_keep_answers", dict(params, keep_answers=keep_answers))
        _run(cur, "filtered_scope")
    else:
        _run(cur, "whole_scope")
    return raw
