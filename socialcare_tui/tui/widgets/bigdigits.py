"""Digits that grow with the space they are given (the wallboard's tiles).

Textual's `Digits` draws every value 3 rows high. `BigDigits` is a `Digits` that, once
told its room (`fit`), draws the value in a 3x5 pixel font at the largest whole scale
that fits: two pixel rows a cell (`▀`, `▄`, `█`), so a pixel is about square. Scale 1
is Textual's own drawing; a value with a character the font lacks stays at scale 1.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.widgets import Digits

# Each glyph: 5 rows of pixels ('#' on), all rows of one glyph the same width.
FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    "-": ("...", "...", "###", "...", "..."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    ".": (".", ".", ".", ".", "#"),
    ":": (".", "#", ".", "#", "."),
    "%": ("#.#", "..#", ".#.", "#..", "#.#"),
    "d": ("..#", "..#", ".##", "#.#", ".##"),
    "h": ("#..", "#..", "##.", "#.#", "#.#"),
    "m": (".....", ".....", "##.#.", "#.#.#", "#.#.#"),
    "s": ("...", ".##", "#..", "..#", "##."),
    " ": ("..", "..", "..", "..", ".."),
}
GLYPH_ROWS = 5
MAX_SCALE = 8
_HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def pixel_width(text: str) -> int:
    """Pixels across `text` in the font, one blank pixel between glyphs."""
    return sum(len(FONT[c][0]) for c in text) + max(len(text) - 1, 0)


def rows_for(scale: int) -> int:
    """Cells high at `scale` (scale 1: Digits' 3 rows)."""
    return 3 if scale == 1 else -(-GLYPH_ROWS * scale // 2)


def best_scale(text: str, width: int, height: int) -> int:
    """The largest scale at which `text` fits `width` x `height` cells (1 at least)."""
    if not text or any(c not in FONT for c in text):
        return 1
    across = pixel_width(text)
    scale = 1
    for candidate in range(2, MAX_SCALE + 1):
        if across * candidate > width or rows_for(candidate) > height:
            break
        scale = candidate
    return scale


def render_big(text: str, scale: int) -> list[str]:
    """`text` as lines of half-block characters at `scale`."""
    pixels: list[list[bool]] = [[] for _ in range(GLYPH_ROWS)]
    for index, char in enumerate(text):
        for row in range(GLYPH_ROWS):
            if index:
                pixels[row].append(False)
            pixels[row].extend(p == "#" for p in FONT[char][row])
    grown = [[p for p in row for _ in range(scale)] for row in pixels for _ in range(scale)]
    if len(grown) % 2:
        grown.append([False] * len(grown[0]))
    return ["".join(_HALVES[top, bottom] for top, bottom in zip(grown[i], grown[i + 1]))
            for i in range(0, len(grown), 2)]


class BigDigits(Digits):
    """`Digits` drawn at the largest scale its room allows (see `fit`), or at most
    `limit` (several side by side look alike at the smallest of their best scales)."""

    def __init__(self, value: str = "", **kwargs) -> None:
        super().__init__(value, **kwargs)
        self.room = Size(0, 0)
        self.scale = 1
        self.limit = MAX_SCALE

    @property
    def best(self) -> int:
        """The largest scale the value fits its room at."""
        return best_scale(self.value, self.room.width, self.room.height)

    def fit(self, width: int, height: int) -> None:
        """The cells the value may take; the scale follows (now and on each update)."""
        self.room = Size(width, height)
        self._rescale()

    def cap(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._rescale()

    def update(self, value: str) -> None:
        super().update(value)
        self._rescale()

    def _rescale(self) -> None:
        scale = min(self.best, self.limit)
        if scale != self.scale:
            self.scale = scale
            self.refresh(layout=True)

    def render(self) -> RenderResult:
        if self.scale == 1:
            return super().render()
        text = Text("\n".join(render_big(self.value, self.scale)), style=self.rich_style, no_wrap=True)
        return Align(text, "center", style=self.rich_style)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if self.scale == 1:
            return super().get_content_width(container, viewport)
        return pixel_width(self.value) * self.scale

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return rows_for(self.scale)
