"""Tweets in the layout of the public "Customer Support on Twitter" dataset (`twcs.csv`)."""

from __future__ import annotations

from pathlib import Path

from socialcare_tui.sample import runner

NAME = "twcs"
FILENAME = "twcs.csv"
DEFAULT_ROWS = 3000
ROWS_PER_CONVERSATION = 3.89  # measured mean tweets per reply tree


def write(con, path: Path, rows: int, seed: int) -> Path:
    trees = max(1, round(rows / ROWS_PER_CONVERSATION))
    return runner.write_csv(con, "twcs.sql", "twcs", {"seed": seed, "n": trees}, path)
