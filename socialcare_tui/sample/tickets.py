"""A Zendesk-like ticket export (`tickets.csv`)."""

from __future__ import annotations

from pathlib import Path

from socialcare_tui.sample import runner

NAME = "tickets"
FILENAME = "tickets.csv"
DEFAULT_ROWS = 800


def write(con, path: Path, rows: int, seed: int) -> Path:
    return runner.write_csv(con, "tickets.sql", "tickets", {"seed": seed, "n": rows}, path)
