"""The KPI registry, read from the header comments of `kpi/sql/<family>.sql`.

Each KPI is two named statements in its family file:

    -- name: reply_rate
    -- title: Reply rate
    -- unit: ratio                 seconds | ratio | count | number | hour | money
    -- better: higher              higher | lower | none
    -- counts_by: the turn's first customer message
    -- parts: numerator, denominator   flag columns `explain --part` can list
    -- window: none                optional; `none` = not windowed (queue as it stands)
    -- help: Share of customer turns started in the window that got a human reply.
    --   (an indented comment line continues the previous key)
    SELECT ...                     the rows: conv_key, channel, queue, agent, moment, measure, flags
    -- name: reply_rate.agg
    SELECT grp, ... FROM kpi_rows GROUP BY grp

`all_kpis()` lists them in family order, then file order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from socialcare_tui import sqlfiles
from socialcare_tui.errors import UserError

PACKAGE = "socialcare_tui.kpi.sql"
FAMILIES = ("volume", "responsiveness", "resolution", "service_levels", "customer_voice", "work_mix")
UNITS = ("seconds", "ratio", "count", "number", "hour", "money")
BETTER = ("higher", "lower", "none")

_HEADER = re.compile(r"^--\s*(\w+):\s*(.*?)\s*$")
_CONTINUATION = re.compile(r"^--\s{2,}(.*?)\s*$")


@dataclass(frozen=True)
class Kpi:
    id: str
    family: str
    title: str
    unit: str
    better: str
    counts_by: str
    parts: tuple[str, ...]
    help: str
    windowed: bool
    rows_sql: str
    agg_sql: str


def _header(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    last = None
    for line in body.splitlines():
        if not line.startswith("--"):
            break
        cont = _CONTINUATION.match(line)
        match = _HEADER.match(line)
        if match and not cont:
            last = match.group(1)
            fields[last] = match.group(2)
        elif cont and last:
            fields[last] = f"{fields[last]} {cont.group(1)}".strip()
    return fields


def _family_kpis(family: str) -> list[Kpi]:
    statements = sqlfiles.named(PACKAGE, f"{family}.sql")
    kpis = []
    for name, body in statements.items():
        if name.endswith(".agg"):
            continue
        agg = statements.get(f"{name}.agg")
        if agg is None:
            raise RuntimeError(f"kpi/sql/{family}.sql: '{name}' has no '{name}.agg' statement")
        head = _header(body)
        unit = head.get("unit", "number")
        better = head.get("better", "none")
        if unit not in UNITS or better not in BETTER:
            raise RuntimeError(f"kpi/sql/{family}.sql: '{name}' has a bad unit or better")
        parts = tuple(p.strip() for p in head.get("parts", "").split(",") if p.strip())
        kpis.append(Kpi(
            id=name, family=family, title=head.get("title", name), unit=unit, better=better,
            counts_by=head.get("counts_by", ""), parts=parts, help=head.get("help", ""),
            windowed=head.get("window", "").lower() != "none", rows_sql=body, agg_sql=agg,
        ))
    return kpis


@cache
def all_kpis() -> tuple[Kpi, ...]:
    """Every KPI whose family file exists, in family order then file order."""
    root = resources.files(PACKAGE)
    found: list[Kpi] = []
    for family in FAMILIES:
        if root.joinpath(f"{family}.sql").is_file():
            found.extend(_family_kpis(family))
    return tuple(found)


def ids() -> list[str]:
    return [k.id for k in all_kpis()]


def get(kpi_id: str) -> Kpi:
    for kpi in all_kpis():
        if kpi.id == kpi_id:
            return kpi
    raise UserError(f"unknown KPI '{kpi_id}' (known: {', '.join(ids())})")


def select(kpi_ids: Iterable[str] | None) -> list[Kpi]:
    """KPIs by id (None = all), in registry order for None, else in the order given."""
    if kpi_ids is None:
        return list(all_kpis())
    return [get(k) for k in kpi_ids]
