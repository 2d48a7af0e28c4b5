"""Shown instead of the screen's content when the terminal is below 60x16."""

from __future__ import annotations

from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 60, 16


class TooSmall(Static):
    def __init__(self) -> None:
        super().__init__(
            f"terminal too small: needs at least {MIN_WIDTH}x{MIN_HEIGHT}", markup=False
        )


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT
