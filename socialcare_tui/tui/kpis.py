"""The KPI list the app shows, from `kpi/registry.py` (titles, units, help)."""

from __future__ import annotations

from socialcare_tui.kpi.registry import Kpi as KpiInfo


def kpi_infos() -> list[KpiInfo]:
    from socialcare_tui.kpi import registry

    return list(registry.all_kpis())


__all__ = ["KpiInfo", "kpi_infos"]
