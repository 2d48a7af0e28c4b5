"""The one entry point for KPI numbers (used by the CLI and the app).

API (every function opens its own `con.cursor()`, so callers on threads are safe):

    Scope(as_of=None, start=None, end=None, window=None,
          channels=(), queues=(), agents=(), tags=(), live=False)
        Defined in kpi/scope.py (with `parse`, which makes one from typed options)
        and re-exported here. Times are naive UTC. as_of None = newest event time
        (wall clock when live). start/end = --from (inclusive) / --to (exclusive);
        window = --window D (as_of - D < t <= as_of). Filters match a conversation
        when it matches any value of each given filter; agent = the assignee at
        as_of or the author of any of its human replies; tag = a tag event's value
        or its topic part.

    prepare(cur, scope, config) -> Resolved
        Makes the shared layer on `cur`: TEMP views scope_events, msgs, conv,
        turns, resolutions, customer_convs over the stored facts as of the
        scope's instant (kpi/views.py), sla_targets and, through kpi/lexicon.py,
        vader_lexicon, kpi_topic_rules, kpi_costs. Resolved(as_of, lo, hi, has_window, scope): the window is
        always half-open lo <= t < hi; as_of is None on an empty database.

    report(con, scope, config, *, kpis=None, by=None) -> Report
        Every (or the chosen) KPI as a KpiValue (value, unit, parts, reason when
        the value is null), and groups when `by` is one of BY_KEYS (every group
        lists every KPI, value null with a reason where the group has no rows
        for it; a missing key value is "(none)"). The types are in
        kpi/results.py; output.to_data gives the `report --format json` object.

    explain(con, scope, config, kpi_id, part=None) -> Explanation
        The KPI's definition and value, and its rows (conv_key, channel, queue,
        agent, moment, measure, flag columns ...) with naive-UTC datetimes,
        sorted by moment; `part` keeps the rows whose flag column of that name
        is true.

    previous_scope(con, scope, config) -> Scope | None
        The window of the same length just before, with as_of moved back by the
        same length; None when the scope has no window.

    dashboard(con, scope, config, *, kpis=None, buckets=12) -> Dashboard
        report, previous (None without a window) and series: the three
        above, the report and series from one rows statement per KPI (what the
        app's dashboard needs).

    layer(con, scope, config) -> context manager of (cursor, Resolved)
        The prepared layer for the caller's own statements (kpi/browse.py).

    series(con, scope, config, kpi_ids, buckets=12) -> Series
        Each KPI's value per equal time bucket of the window (the whole data when
        there is no window), bucketed by each row's moment with the report's
        as_of; a KPI that is not windowed gives its current value as the last
        bucket and None before.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any, Protocol

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.config import KpiConfig
from socialcare_tui.errors import UserError
from socialcare_tui.kpi import calendar, lexicon, registry, views
from socialcare_tui.kpi.registry import Kpi
from socialcare_tui.kpi.results import Dashboard, Explanation, Filters, Group, KpiValue, Report, Series, Window
from socialcare_tui.kpi.scope import EARLIEST, US, Resolved, Scope  # Scope: re-exported
from socialcare_tui.kpi.scope import resolve as _resolve

PACKAGE = "socialcare_tui.kpi.sql"
BY_KEYS = ("channel", "queue", "agent", "hour", "day", "week")
NONE_KEY = "(none)"

_LOCAL = "timezone($tz, timezone('UTC', moment))"
# grp expressions: fixed identifiers only, the timezone is a bound parameter.
_GROUP_EXPR = {
    None: "NULL::VARCHAR",
    "channel": f"coalesce(CAST(channel AS VARCHAR), '{NONE_KEY}')",
    "queue": f"coalesce(CAST(queue AS VARCHAR), '{NONE_KEY}')",
    "agent": f"coalesce(CAST(agent AS VARCHAR), '{NONE_KEY}')",
    "hour": f"coalesce(lpad(CAST(hour({_LOCAL}) AS VARCHAR), 2, '0'), '{NONE_KEY}')",
    "day": f"coalesce(strftime({_LOCAL}, '%Y-%m-%d'), '{NONE_KEY}')",
    "week": f"coalesce(strftime(date_trunc('week', {_LOCAL}), '%Y-%m-%d'), '{NONE_KEY}')",
    "bucket": "CAST(CAST(floor((epoch_us(moment) - epoch_us($lo)) / $bucket_us) AS BIGINT) AS VARCHAR)",
}
_GROUP_BY_GRP = re.compile(r"GROUP\s+BY\s+grp\b(?!\s*,)", re.IGNORECASE)
_GRP_COLUMN = "kpi_group_key_"  # also named in sql/engine.sql


STALE_FACTS_NOTE = (
    "the stored facts were built with another auto_resolve_after (or rows were removed): "
    "every conversation was computed from its events; run `socialcare-tui rebuild` "
    "with this config to make reports fast again")


class StaleFacts(UserWarning):
    """The stored facts did not fit the config: the numbers are exact, but slow to get."""


def _engine_sql(name: str) -> str:
    return sqlfiles.statement(PACKAGE, "engine.sql", name)


_run = sqlfiles.run


def _load_sla(cur: duckdb.DuckDBPyConnection, config: KpiConfig) -> None:
    cur.execute("CREATE OR REPLACE TEMP TABLE sla_targets "
                "(level VARCHAR, name VARCHAR, kind VARCHAR, seconds DOUBLE)")
    rows = [("default", "", kind, float(sec)) for kind, sec in config.sla.items()]
    rows += [(level, name, kind, float(sec)) for level, name, kind, sec in config.sla_overrides]
    cur.executemany("INSERT INTO sla_targets VALUES (?, ?, ?, ?)", rows)


def prepare(cur: duckdb.DuckDBPyConnection, scope: Scope, config: KpiConfig) -> Resolved:
    """Materialise the shared layer for `scope` on `cur` (see module docstring)."""
    resolved = _resolve(cur, scope, config)
    build(cur, resolved, config)
    return resolved


def build(cur: duckdb.DuckDBPyConnection, resolved: Resolved, config: KpiConfig) -> None:
    """The whole layer of `resolved` on `cur`: base tables and what KPIs need beside."""
    build_base(cur, resolved, config)
    install_extras(cur, resolved, config)


def facts_note(con: Connection, config: KpiConfig) -> str | None:
    """STALE_FACTS_NOTE when the stored facts do not fit `config` (reads are then slow)."""
    cur = con.cursor()
    try:
        return None if views.facts_fit(cur, float(config.auto_resolve_after)) else STALE_FACTS_NOTE
    finally:
        cur.close()


def build_base(cur: duckdb.DuckDBPyConnection, resolved: Resolved, config: KpiConfig) -> None:
    """The shared layer's views (kpi/views.py) and sla_targets on `cur`, filters applied."""
    _load_sla(cur, config)
    if views.install(cur, resolved.params, resolved.scope.has_filters):
        warnings.warn(StaleFacts(STALE_FACTS_NOTE), stacklevel=2)


def install_extras(cur: duckdb.DuckDBPyConnection, resolved: Resolved, config: KpiConfig) -> None:
    """What KPI statements need beside the base tables: the business-hours calendar up
    to as_of (secs(a, b, cal) and due_at(a, s, cal) then count open hours only) and,
    through kpi/lexicon.py, vader_lexicon, kpi_topic_rules and kpi_costs."""
    hours = getattr(config, "business_hours", None)
    if hours is not None:
        calendar.install(cur, hours, resolved.as_of)
    lexicon.prepare(cur, config)


@contextmanager
def layer(con: Connection, scope: Scope,
          config: KpiConfig) -> Iterator[tuple[duckdb.DuckDBPyConnection, Resolved]]:
    """(cursor, Resolved) with the shared layer of `scope`, for the caller's statements,
    on a new cursor closed on leaving."""
    cur = con.cursor()
    try:
        yield cur, prepare(cur, scope, config)
    finally:
        cur.close()


# ---------------------------------------------------------------- one KPI


class Connection(Protocol):
    """What the API functions need of `con`: cursors (a connection, a cursor, or
    store.access.Borrowed)."""

    def cursor(self) -> duckdb.DuckDBPyConnection: ...


Row = dict[str, Any]  # one row of a KPI's aggregate statement, by column name


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and ±Infinity are not JSON
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _result(kpi: Kpi, row: Row) -> KpiValue:
    value = _plain(row.get("value"))
    parts = {name: _plain(part) for name, part in row.items() if name not in ("grp", "value", "reason")}
    reason = None
    raw = row.get("value")
    if value is None and isinstance(raw, float) and not math.isnan(raw):
        reason = row.get("reason") or "not a finite number (a division by zero?)"
    elif value is None:
        reason = row.get("reason") or f"no data in the window ({kpi.counts_by})"
    return KpiValue(kpi.id, kpi.title, kpi.unit, value, parts, reason)


def _rows(cur: duckdb.DuckDBPyConnection, kpi: Kpi, params: dict[str, Any], by: str | None) -> int:
    """kpi_rows = the KPI's rows with grp NULL (the total), plus, with `by`, the
    same rows again with their group key. Returns the number of rows.

    The group key is computed once into kpi_base (it may need $tz, $lo), so
    kpi_rows stays a view: no second copy of the rows."""
    rows_sql = kpi.rows_sql.strip().rstrip(";")
    if by:
        rows_sql = f"SELECT *, {_GROUP_EXPR[by]} AS {_GRP_COLUMN} FROM ({rows_sql}\n)"
    _run(cur, f"CREATE OR REPLACE TEMP TABLE kpi_base AS {rows_sql}", params)
    cur.execute(_engine_sql("kpi_rows_grouped" if by else "kpi_rows_total"))
    return _one(cur.execute(_engine_sql("kpi_rows_count")))


def _one(cursor: duckdb.DuckDBPyConnection) -> Any:
    """The first column of the statement's one row."""
    row = cursor.fetchone()
    return row[0] if row else None


def _aggregate(cur: duckdb.DuckDBPyConnection, kpi: Kpi, params: dict[str, Any],
               empty: bool) -> tuple[KpiValue, dict[str, KpiValue]]:
    """(total result, {group key: result}) from the current kpi_rows.

    With no rows, every `GROUP BY grp` becomes grouping sets with a grand
    total, so the total row (zero counts, NULL durations) still exists."""
    sql = kpi.agg_sql.strip()
    if empty:
        sql = _GROUP_BY_GRP.sub("GROUP BY GROUPING SETS ((grp), ())", sql)
    cursor = _run(cur, sql, params)
    names = [d[0] for d in cursor.description]
    total, groups = None, {}
    for values in cursor.fetchall():
        row = dict(zip(names, values))
        if row.get("grp") is None:
            total = _result(kpi, row)
        else:
            groups[str(row["grp"])] = _result(kpi, row)
    if total is None:
        total = _result(kpi, {"value": None})
    return total, groups


def _compute(cur: duckdb.DuckDBPyConnection, kpi: Kpi, resolved: Resolved, by: str | None = None,
             extra: dict[str, Any] | None = None) -> tuple[KpiValue, dict[str, KpiValue]]:
    params = dict(resolved.params, **(extra or {}))
    count = _rows(cur, kpi, params, by)
    return _aggregate(cur, kpi, params, count == 0)


# ---------------------------------------------------------------- API


def _check_by(by: str | None) -> None:
    if by is not None and by not in BY_KEYS:
        raise UserError(f"--by {by}: not a grouping (use one of {', '.join(BY_KEYS)})")


def _window(resolved: Resolved) -> Window:
    scope = resolved.scope
    if scope.window is not None and resolved.as_of is not None:
        return Window(resolved.as_of - scope.window, resolved.as_of)
    return Window(scope.start, scope.end)


def _filters(scope: Scope) -> Filters:
    return Filters(tuple(scope.channels), tuple(scope.queues), tuple(scope.agents), tuple(scope.tags))


def _report_of(resolved: Resolved, kpis: dict[str, KpiValue], by: str | None = None,
               groups: tuple[Group, ...] = ()) -> Report:
    return Report(resolved.as_of, _window(resolved), _filters(resolved.scope), kpis, by, groups)


def _report_on(cur: duckdb.DuckDBPyConnection, resolved: Resolved, chosen: list[Kpi],
               by: str | None) -> Report:
    totals: dict[str, KpiValue] = {}
    grouped: dict[str, dict[str, KpiValue]] = {}
    for kpi in chosen:
        total, groups = _compute(cur, kpi, resolved, by)
        totals[kpi.id] = total
        for key, result in groups.items():
            grouped.setdefault(key, {})[kpi.id] = result
    # one shape: every group lists every KPI of the report, null with a reason where
    # the group has no rows for it
    listed = tuple(Group(key, {kpi.id: grouped[key].get(kpi.id) or _absent(kpi) for kpi in chosen})
                   for key in sorted(grouped)) if by else ()
    return _report_of(resolved, totals, by, listed)


def _absent(kpi: Kpi) -> KpiValue:
    return KpiValue(kpi.id, kpi.title, kpi.unit, None, {}, f"no data in this group ({kpi.counts_by})")


def report(con: Connection, scope: Scope, config: KpiConfig, *, kpis: Sequence[str] | None = None,
           by: str | None = None) -> Report:
    """Every (or the chosen) KPI for the scope (`report`; output.to_data gives its JSON)."""
    _check_by(by)
    chosen = registry.select(kpis)
    with layer(con, scope, config) as (cur, resolved):
        return _report_on(cur, resolved, chosen, by)


# KPIs whose rows measure a duration although the KPI is a share (time to the first
# reply, to the SLA's end): their `measure` column is in seconds.
SECONDS_MEASURE = frozenset({"frt_distribution", "reply_rate", "sla_first_response", "sla_next_reply",
                             "sla_resolution"})


def explain(con: Connection, scope: Scope, config: KpiConfig, kpi_id: str,
            part: str | None = None) -> Explanation:
    """The KPI's definition, its value and the rows behind it."""
    kpi = registry.get(kpi_id)
    if part is not None and part not in kpi.parts:
        listed = ", ".join(kpi.parts) or "none"
        raise UserError(f"--part {part}: {kpi_id} has no such part (parts: {listed})")
    with layer(con, scope, config) as (cur, resolved):
        total, _ = _compute(cur, kpi, resolved)
        cursor = cur.execute(_engine_sql("explain_rows"))
        names = tuple(d[0] for d in cursor.description)
        rows = [{n: _plain(v) for n, v in zip(names, values)} for values in cursor.fetchall()]
    if part:  # a part is a boolean column of the rows, named in the KPI's header
        rows = [row for row in rows if row[part]]
    measure = "seconds" if kpi.id in SECONDS_MEASURE else kpi.unit
    return Explanation(total, kpi.help, kpi.counts_by, tuple(kpi.parts), part, names, tuple(rows), measure)


def previous_scope(con: Connection, scope: Scope, config: KpiConfig) -> Scope | None:
    """The same-length window just before; None without a window."""
    cur = con.cursor()
    try:
        resolved = _resolve(cur, scope, config)
    finally:
        cur.close()
    if not resolved.has_window or resolved.as_of is None or resolved.lo <= EARLIEST:
        return None  # no window, or one that starts at the beginning of time (--to alone)
    if scope.window is not None:
        return replace(scope, as_of=resolved.as_of - scope.window, live=False)
    hi = min(resolved.hi, resolved.as_of + US)
    length = hi - resolved.lo
    # shifted by the window's length, as_of included, so both are seen from the same distance
    return replace(scope, start=resolved.lo - length, end=resolved.lo,
                   as_of=resolved.as_of - length, window=None, live=False)


def _bucket_params(cur: duckdb.DuckDBPyConnection, resolved: Resolved, buckets: int) -> dict[str, Any]:
    assert resolved.as_of is not None  # callers return early on an empty database
    lo = resolved.lo
    if lo == EARLIEST:
        lo = _one(cur.execute("SELECT min(ts) FROM scope_events")) or resolved.as_of
    hi = min(resolved.hi, resolved.as_of + US)
    width_us = max(1, math.ceil((hi - lo) / US / buckets))
    return {"bucket_us": float(width_us), "lo": lo, "hi": hi}


def _spark(kpi: Kpi, total: KpiValue, groups: dict[str, KpiValue], buckets: int) -> tuple[float | None, ...]:
    if not kpi.windowed:
        return (None,) * (buckets - 1) + (total.value,)
    empty = 0 if kpi.unit == "count" else None  # a bucket with no rows
    return tuple(groups[str(i)].value if str(i) in groups else empty for i in range(buckets))


def _series_on(cur: duckdb.DuckDBPyConnection, resolved: Resolved, chosen: list[Kpi], buckets: int) -> Series:
    if resolved.as_of is None:
        return Series(buckets, {kpi.id: (None,) * buckets for kpi in chosen})
    extra = _bucket_params(cur, resolved, buckets)
    out = {}
    for kpi in chosen:
        total, groups = _compute(cur, kpi, resolved, "bucket", extra)
        out[kpi.id] = _spark(kpi, total, groups, buckets)
    return Series(buckets, out)


def series(con: Connection, scope: Scope, config: KpiConfig, kpi_ids: Sequence[str] | None,
           buckets: int = 12) -> Series:
    """Each KPI's value per equal time bucket of the window (for sparklines)."""
    chosen = registry.select(kpi_ids)
    with layer(con, scope, config) as (cur, resolved):
        return _series_on(cur, resolved, chosen, buckets)


def _report_and_series(cur: duckdb.DuckDBPyConnection, resolved: Resolved, chosen: list[Kpi],
                       buckets: int) -> tuple[Report, Series] | None:
    """(report, series) from one rows statement per KPI: kpi_rows holds the total
    (grp NULL) and the buckets, so one `.agg` gives both. Only when the series'
    lo/hi are the report's own (a window ending at as_of); else None."""
    if resolved.as_of is None:
        return None
    extra = _bucket_params(cur, resolved, buckets)
    if (extra["lo"], extra["hi"]) != (resolved.lo, resolved.hi):
        return None
    totals: dict[str, KpiValue] = {}
    sparks = {}
    for kpi in chosen:
        total, groups = _compute(cur, kpi, resolved, "bucket", extra)
        totals[kpi.id] = total
        sparks[kpi.id] = _spark(kpi, total, groups, buckets)
    return _report_of(resolved, totals), Series(buckets, sparks)


def dashboard(con: Connection, scope: Scope, config: KpiConfig, *, kpis: Sequence[str] | None = None,
              buckets: int = 12) -> Dashboard:
    """The report, the previous window's report (None without a window) and the series."""
    chosen = registry.select(kpis)
    before = previous_scope(con, scope, config)
    with layer(con, scope, config) as (cur, resolved):
        current, sparks = _report_and_series(cur, resolved, chosen, buckets) or (
            _report_on(cur, resolved, chosen, None), _series_on(cur, resolved, chosen, buckets))
    previous = report(con, before, config, kpis=kpis) if before is not None else None
    return Dashboard(current, previous, sparks)
