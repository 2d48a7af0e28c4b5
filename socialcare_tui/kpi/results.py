"""What the engine returns (kpi/engine.py): frozen, typed results.

`output.py` is the one place that turns them into JSON, CSV, markdown or a table
(`output.to_data` gives the JSON object of `report --format json`); `tui/` turns
them into widgets. Nothing here formats a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeAlias

# A part of a KPI result as the KPI's SQL gives it: a number, a word, or a list or
# table of them (frt_distribution's buckets, topics' top list, inbound_volume's by_hour).
Json: TypeAlias = None | bool | int | float | str | list["Json"] | dict[str, "Json"]
# One cell of explain's rows: a Json value or a naive-UTC time.
Cell: TypeAlias = Json | datetime | date


@dataclass(frozen=True)
class KpiValue:
    """One KPI for one scope (or one group of it).

    `parts` are the KPI's other figures in the order its SQL gives them (n, mean,
    p90, numerator, ...); a part may be None. `reason` says why `value` is None
    (and is None whenever there is a value)."""

    id: str
    title: str
    unit: str
    value: float | None  # an int for counts (JSON keeps 4602, not 4602.0)
    parts: Mapping[str, Json] = field(default_factory=dict)
    reason: str | None = None

    def part(self, name: str) -> Json:
        """One part's value; None when the KPI has no such part."""
        return self.parts.get(name)


@dataclass(frozen=True)
class Window:
    """The window as the user gave it: `start` (--from, or as_of - --window) and `end`
    (--to, or as_of); both None over all the data."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Filters:
    channel: tuple[str, ...] = ()
    queue: tuple[str, ...] = ()
    agent: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """The KPIs of one value of `--by` (`key` is "(none)" for rows without one); every
    KPI of the report is listed, null with a reason where the group has no rows for it."""

    key: str
    kpis: Mapping[str, KpiValue]


@dataclass(frozen=True)
class Report:
    """Every (or the chosen) KPI for one scope. `as_of` is None on an empty database;
    `groups` is filled when `by` is one of engine.BY_KEYS (sorted by key)."""

    as_of: datetime | None
    window: Window
    filters: Filters
    kpis: Mapping[str, KpiValue]
    by: str | None = None
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True)
class Explanation:
    """A KPI's definition, its value and the rows behind it (sorted by moment).

    `columns` name the cells of each row (conv_key, channel, queue, agent, moment,
    measure, the part flags ...); `measure_unit` is the unit of the `measure` column
    (seconds for the shares whose rows measure a wait, else the KPI's unit)."""

    result: KpiValue
    help: str
    counts_by: str
    parts: tuple[str, ...]
    part: str | None
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, Cell], ...]
    measure_unit: str


@dataclass(frozen=True)
class Series:
    """Each KPI's value per equal time bucket of the window (sparklines)."""

    buckets: int
    values: Mapping[str, tuple[float | None, ...]] = field(default_factory=dict)

    def of(self, kpi_id: str) -> tuple[float | None, ...]:
        """The KPI's buckets; empty when the series does not have it."""
        return self.values.get(kpi_id, ())


@dataclass(frozen=True)
class Dashboard:
    """What the app's dashboard shows: the report, the previous window's report (None
    without a window) and the sparklines."""

    report: Report
    previous: Report | None
    series: Series
