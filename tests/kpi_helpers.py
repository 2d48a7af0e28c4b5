"""Insert events inline into a test database, for KPI tests.

    from kpi_helpers import add, msg, T   # tests/ is on sys.path under pytest
    add(con, conv="c1", ts="2024-01-01 10:00", type="message", direction="in", author="u1")
    msg(con, "c1", "10:05", "out", author="alice")          # day defaults to 2024-01-01
    kpi(con, "reply_rate", as_of="2024-01-01 12:00")        # one KPI result dict
    explain_rows(con, "reply_rate", "numerator")             # the rows behind a part
    report(con, Scope(), KpiConfig())                         # engine.report as its JSON object

`report`, `explain`, `series` and `dashboard` call the engine's functions of the same
name and give their typed results as `output.to_data` writes them (the JSON objects
of `report`/`explain --format json`), so tests read them by key.

Defaults: namespace `events`, channel `twitter`, queue = channel, type `message`,
origin `log`, `event_id` and `line` numbered in insertion order (so file order =
insertion order). Times are naive UTC strings `YYYY-MM-DD HH:MM[:SS]`, or `HH:MM`
on `DAY`.
"""

from __future__ import annotations

import itertools
import math
from datetime import datetime

DAY = "2024-01-01"
_counter = itertools.count(1)

_COLUMNS = (
    "namespace", "event_id", "conv_key", "conversation_id", "ts", "type", "channel", "queue",
    "direction", "author", "automated", "text", "value", "scale_max", "quick_reply", "sentiment",
    "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds", "reply_count", "origin",
    "source_id", "line",
)


def T(text: str) -> datetime:
    """'2024-01-01 10:00' or '10:00' (on DAY) as a naive UTC datetime."""
    text = text.strip()
    if len(text) <= 8:
        text = f"{DAY} {text}"
    return datetime.fromisoformat(text)


def add(con, conv: str | None = "c1", ts: str | datetime = "10:00", type: str = "message", *,
        direction: str | None = None, author: str | None = None, channel: str | None = "twitter",
        queue: str | None = None, automated: bool = False, text: str | None = None,
        value: str | None = None, namespace: str = "events", origin: str = "log",
        source_id: int = 1, **extra) -> None:
    """Insert one event. `conv` is the conversation id (conv_key = namespace:conv);
    any other `events` column may be given as a keyword (scale_max, reply_count, ...)."""
    n = next(_counter)
    row = {
        "namespace": namespace,
        "event_id": extra.pop("event_id", f"e{n}"),
        "conv_key": f"{namespace}:{conv}" if conv is not None else None,
        "conversation_id": conv,
        "ts": ts if isinstance(ts, datetime) else T(ts),
        "type": type,
        "channel": channel,
        "queue": queue if queue is not None else channel,
        "direction": direction,
        "author": author,
        "automated": automated,
        "text": text,
        "value": value,
        "origin": origin,
        "source_id": source_id,
        "line": extra.pop("line", n),
    }
    unknown = set(extra) - set(_COLUMNS)
    if unknown:
        raise TypeError(f"unknown event columns: {sorted(unknown)}")
    row.update(extra)
    cols = list(row)
    con.execute(
        f"INSERT INTO events ({', '.join(cols)}) VALUES ({', '.join('$' + c for c in cols)})",
        row,
    )


def msg(con, conv: str, ts: str, direction: str, author: str | None = None, **kw) -> None:
    """A message: `msg(con, 'c1', '10:00', 'in', 'u1')`."""
    add(con, conv, ts, "message", direction=direction, author=author, **kw)


def status(con, conv: str, ts: str, value: str, **kw) -> None:
    add(con, conv, ts, "status", value=value, **kw)


def assign(con, conv: str, ts: str, agent: str, **kw) -> None:
    add(con, conv, ts, "assign", value=agent, **kw)


def store_facts(con, config=None) -> None:
    """What the writer does after adding rows: bring the stored facts up to date
    (store/facts.py), so the KPIs read them rather than computing from events."""
    from socialcare_tui.config import KpiConfig
    from socialcare_tui.store import facts

    con.execute("BEGIN TRANSACTION")
    facts.update(con, auto_resolve=(config or KpiConfig()).auto_resolve_after)
    con.execute("COMMIT")


def kpi(con, kpi_id: str, config=None, by: str | None = None, **scope):
    """One KPI's report result (`by` given: the whole report with groups), after
    the stored facts are brought up to date. Scope keywords as in `Scope`;
    `as_of`/`start`/`end` may be strings for T()."""
    from socialcare_tui.config import KpiConfig
    from socialcare_tui.kpi.engine import Scope

    for key in ("as_of", "start", "end"):
        if isinstance(scope.get(key), str):
            scope[key] = T(scope[key])
    store_facts(con, config)
    result = report(con, Scope(**scope), config or KpiConfig(), kpis=[kpi_id], by=by)
    return result if by else result["kpis"][kpi_id]


def explain_rows(con, kpi_id: str, part: str | None = None, config=None, **scope) -> list[dict]:
    """The rows `explain` lists for a KPI (optionally one part)."""
    from socialcare_tui.config import KpiConfig
    from socialcare_tui.kpi.engine import Scope

    for key in ("as_of", "start", "end"):
        if isinstance(scope.get(key), str):
            scope[key] = T(scope[key])
    store_facts(con, config)
    return explain(con, Scope(**scope), config or KpiConfig(), kpi_id, part)["rows"]


def report(con, scope, config, **options) -> dict:
    """engine.report as its JSON object."""
    from socialcare_tui import output
    from socialcare_tui.kpi import engine

    return output.to_data(engine.report(con, scope, config, **options))


def explain(con, scope, config, kpi_id: str, part: str | None = None) -> dict:
    """engine.explain as its JSON object (rows keep their datetimes)."""
    from socialcare_tui import output
    from socialcare_tui.kpi import engine

    return output.to_data(engine.explain(con, scope, config, kpi_id, part))


def series(con, scope, config, kpi_ids, buckets: int = 12) -> dict:
    """engine.series as {kpi id: [value per bucket]}."""
    from socialcare_tui import output
    from socialcare_tui.kpi import engine

    return output.to_data(engine.series(con, scope, config, kpi_ids, buckets))


def dashboard(con, scope, config, **options) -> dict:
    """engine.dashboard as {"report", "previous", "series"}."""
    from socialcare_tui import output
    from socialcare_tui.kpi import engine

    return output.to_data(engine.dashboard(con, scope, config, **options))


def report_from_data(data: dict, by: str | None = None):
    """The typed Report of a `report --format json` object (titles from the registry,
    the id for an id it does not know): output.to_data read backwards. `by`: the
    grouping when "groups" is empty (the JSON names it only in each group's key)."""
    from datetime import datetime

    from socialcare_tui.kpi.results import Filters, Group, Report, Window

    def moment(text):
        return None if text is None else datetime.fromisoformat(text.removesuffix("Z"))

    groups = data.get("groups")
    if groups:
        by = next(iter(groups[0]["key"]))
    filters = data["filters"]
    return Report(
        as_of=moment(data["as_of"]),
        window=Window(moment(data["window"]["from"]), moment(data["window"]["to"])),
        filters=Filters(*(tuple(filters.get(name) or ()) for name in ("channel", "queue", "agent", "tag"))),
        kpis={kpi_id: kpi_value_from_data(kpi_id, entry) for kpi_id, entry in data["kpis"].items()},
        by=by,
        groups=tuple(Group(group["key"][by], {kpi_id: kpi_value_from_data(kpi_id, entry)
                                              for kpi_id, entry in group["kpis"].items()})
                     for group in groups or ()),
    )


def kpi_value_from_data(kpi_id: str, entry: dict):
    """The typed KpiValue of one KPI's JSON object."""
    from socialcare_tui.kpi import registry
    from socialcare_tui.kpi.results import KpiValue

    title = registry.get(kpi_id).title if kpi_id in registry.ids() else kpi_id
    parts = {name: value for name, value in entry.items() if name not in ("value", "unit", "reason")}
    return KpiValue(kpi_id, title, entry["unit"], entry["value"], parts, entry.get("reason"))


def same(a, b) -> bool:
    """Equal, numbers to 1e-9 relative: a sum of doubles depends on the order of its rows."""
    if isinstance(a, float) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b
