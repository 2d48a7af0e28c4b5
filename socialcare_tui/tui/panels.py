"""The dashboard's panels: which, in what order (config `[dashboard] panels`), and what
each shows. A panel is a KPI id (its value) or one of wallboard.ALIASES
(`waiting_now`, `longest_wait`: parts of reply_wait). By default what a lead checks
first leads, then every other KPI in registry order.

    [dashboard]
    panels = ["waiting_now", "longest_wait", "sla_first_response", "csat"]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from socialcare_tui.errors import UserError
from socialcare_tui.kpi.results import KpiValue

FIRST = ("waiting_now", "longest_wait", "sla_first_response", "first_response_time", "csat", "backlog")
ALIAS_HELP = {
    "waiting_now": "Conversations waiting for a human reply now (the turns behind Reply wait).",
    "longest_wait": "The longest a customer has been waiting for a human reply now.",
}


@dataclass(frozen=True)
class PanelInfo:
    id: str  # the panel's name: a KPI id or an alias
    kpi_id: str  # the KPI it reads (Enter explains this one)
    part: str | None  # None: the KPI's value, else one part of it
    title: str
    unit: str
    better: str
    help: str


def panel_infos(names: Sequence[str] | None = None) -> list[PanelInfo]:
    """The panels named (`config.DashboardConfig.panels`, in its order), or the default set;
    an unknown name is a UserError."""
    from socialcare_tui.kpi import registry
    from socialcare_tui.tui.tiles import ALIASES

    kpis = {kpi.id: kpi for kpi in registry.all_kpis()}
    if names is None:
        names = [*FIRST, *(kpi_id for kpi_id in kpis if kpi_id not in FIRST)]
    panels = []
    for name in names:
        key = name.strip().lower()
        if key in ALIASES:
            kpi_id, part, title, unit, better = ALIASES[key]
            panels.append(PanelInfo(key, kpi_id, part, title, unit, better, ALIAS_HELP.get(key, "")))
        elif key in kpis:
            kpi = kpis[key]
            panels.append(PanelInfo(key, key, None, kpi.title, kpi.unit, kpi.better, kpi.help))
        else:
            known = ", ".join([*ALIASES, *kpis])
            raise UserError(f"config dashboard.panels: unknown panel '{name}' (known: {known})")
        if [p.id for p in panels].count(key) > 1:
            raise UserError(f"config dashboard.panels: '{name}' is listed twice")
    return panels


def panel_entry(panel: PanelInfo, entry: KpiValue | None) -> KpiValue | None:
    """The report entry as the panel shows it: a part panel's value is that part."""
    if entry is None or panel.part is None:
        return entry
    value = entry.part(panel.part)
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    reason = entry.reason if number is None else None
    return KpiValue(panel.id, panel.title, panel.unit, number, {}, reason)
