"""What the wallboard shows: its tiles and how often it moves to the next channel.

Config (`config.WallboardConfig`: the types are checked when the file is read, the
names here):

    [wallboard]
    kpis = ["waiting_now", "longest_wait", "first_response_time", "sla_first_response", "csat", "backlog"]
    cycle = 10   # seconds on each channel (All first)

A tile is a KPI id (its value), `kpi_id.part` (one part of it, e.g. `reply_wait.max`),
or one of the names in ALIASES.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialcare_tui.config import WallboardConfig
from socialcare_tui.errors import UserError
from socialcare_tui.kpi.results import KpiValue

DEFAULT_KPIS = ("waiting_now", "longest_wait", "first_response_time", "sla_first_response", "csat", "backlog")
DEFAULT_CYCLE = 10.0


@dataclass(frozen=True)
class Tile:
    name: str  # as written in config
    kpi_id: str
    part: str | None  # None: the KPI's value
    title: str
    unit: str
    better: str


# name: (kpi id, part, title, unit, better)
ALIASES = {
    "waiting_now": ("reply_wait", "n", "Waiting now", "count", "lower"),
    "longest_wait": ("reply_wait", "max", "Longest wait", "seconds", "lower"),
}


@dataclass(frozen=True)
class WallboardSettings:
    tiles: tuple[Tile, ...]
    cycle: float = DEFAULT_CYCLE

    @property
    def kpi_ids(self) -> list[str]:
        return list(dict.fromkeys(tile.kpi_id for tile in self.tiles))


def settings(wall: WallboardConfig) -> WallboardSettings:
    """The tiles and cycle of the `[wallboard]` section, else the defaults; an unknown
    tile name is a UserError."""
    names = wall.kpis or DEFAULT_KPIS
    cycle = DEFAULT_CYCLE if wall.cycle is None else wall.cycle
    return WallboardSettings(tuple(tile(name) for name in names), float(cycle))


def tile(name: str) -> Tile:
    from socialcare_tui.kpi import registry

    known = {kpi.id: kpi for kpi in registry.all_kpis()}
    key = name.strip().lower()
    if key in ALIASES:
        kpi_id, part, title, unit, better = ALIASES[key]
        return Tile(key, kpi_id, part, title, unit, better)
    kpi_id, _, part = key.partition(".")
    kpi = known.get(kpi_id)
    if kpi is None:
        choices = ", ".join([*ALIASES, *known])
        raise UserError(f"config wallboard.kpis: unknown KPI '{name}' (known: {choices})")
    if not part:
        return Tile(key, kpi_id, None, kpi.title, kpi.unit, kpi.better)
    unit = kpi.unit if part in ("max", "min", "value") else "count"
    return Tile(key, kpi_id, part, f"{kpi.title} {part}", unit, kpi.better if unit == kpi.unit else "none")


def tile_value(tile: Tile, entry: KpiValue | None) -> float | None:
    """The tile's number: the KPI's value, or its part."""
    if entry is None:
        return None
    value = entry.value if tile.part in (None, "value") else entry.part(tile.part)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
