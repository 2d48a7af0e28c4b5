"""One module per subcommand; `cli.py` discovers them (NAME, HELP, EXAMPLE, add_arguments, run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from socialcare_tui.config import Config


def load_config(path: str | Path | None) -> Config:
    """config.toml (--config, else the default file) with its [targets] keys checked
    against the KPIs: every command reads its config through here."""
    from socialcare_tui import config

    return config.load(path, kpi_ids=_kpi_ids)


def _kpi_ids() -> list[str]:
    from socialcare_tui.kpi import registry  # only when [targets] is set

    return registry.ids()
