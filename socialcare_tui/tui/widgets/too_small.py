"""Shown instead of the screen's content when the terminal is below 60x16."""

from __future__ import annotations

from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 60, 16


class TooSmall(Static):
    def __init__(self) -> None:
        super().__init__(message(None, None), markup=False)

    def show_size(self, width: int, height: int) -> None:
        self.update(message(width, height))


def message(width: int | None, height: int | None) -> str:
    """`terminal too small: 58x20, needs at least 60x16` (the size now, so a lead knows how
    far to stretch the window)."""
    now = f" {width}x{height}," if width is not None and height is not None else ""
    return f"terminal too small:{now} needs at least {MIN_WIDTH}x{MIN_HEIGHT}"


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT
