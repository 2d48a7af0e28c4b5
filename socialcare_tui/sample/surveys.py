"""Survey answers (`surveys.csv`), most of them linked to conversations of `events.csv`."""

from __future__ import annotations

from pathlib import Path

from socialcare_tui.sample import events, runner

NAME = "surveys"
FILENAME = "surveys.csv"
DEFAULT_ROWS = 400
LINKED_SHARE = 0.6


def write(con, path: Path, rows: int, seed: int, events_rows: int = events.DEFAULT_ROWS) -> Path:
    """`events_rows`: the size of the events file generated with the same seed, whose
    conversation ids the linked answers use."""
    n_conv = events.conversations(events_rows)
    linked = round(rows * LINKED_SHARE)
    params = {
        "seed": seed,
        "n_conv": n_conv,
        "p_linked": min(1.0, linked / n_conv),
        "n_loose": rows - linked,
    }
    return runner.write_csv(con, "surveys.sql", "surveys", params, path)
