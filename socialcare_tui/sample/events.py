"""The canonical event log (`events.csv`): conversations on seven channels."""

from __future__ import annotations

from pathlib import Path

from socialcare_tui.sample import runner

NAME = "events"
FILENAME = "events.csv"
DEFAULT_ROWS = 7000
# measured mean rows per conversation, used to turn --rows into conversations
ROWS_PER_CONVERSATION = 7.55


def conversations(rows: int) -> int:
    return max(1, round(rows / ROWS_PER_CONVERSATION))


def write(con, path: Path, rows: int, seed: int) -> Path:
    return runner.write_csv(con, "events.sql", "events", {"seed": seed, "n": conversations(rows)}, path)
