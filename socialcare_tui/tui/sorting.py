"""Sorting a list view from the keyboard: `o` moves the sort to the next column, `O`
reverses it; the column header carries ▲ or ▼ (so the order is told without colour).
Rows are plain dicts; an empty value sorts last either way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding

SORT_BINDINGS = [
    Binding("o", "sort_next", "Sort", id="sort_next"),
    Binding("O", "sort_reverse", "Reverse", show=False, id="sort_reverse"),
]
# `e` on a list: its rows, as shown, to a .json/.csv/.md/.txt file (app.export_list)
EXPORT_BINDING = Binding("e", "export_list", "Export list", id="export_list")
# A table of tens of thousands of rows takes seconds to fill (a Resolved tab over 30 days
# of a large team): a list shows its first ROW_LIMIT rows in the chosen order, then a row
# (key MORE_KEY) saying how many more; filter, sort and export work on every row.
ROW_LIMIT = 1000
MORE_KEY = "…more"


def more_cells(total: int, columns: int, limit: int | None = None) -> list[Text]:
    """The last row of a cut list: how many more, and how to reach them."""
    limit = ROW_LIMIT if limit is None else limit
    cells = [Text("") for _ in range(columns)]
    cells[0] = Text(f"… {total - limit:,} more", style="italic")
    cells[-1] = Text(f"the first {limit:,} of {total:,} shown: o sorts all of them, e exports all",
                     style="italic")
    return cells


@dataclass
class SortState:
    keys: list[str]  # the table's column keys, in order
    column: str = ""  # the column sorted by; "" keeps the fetched order
    descending: bool = False

    def next(self) -> None:
        index = (self.keys.index(self.column) + 1) % len(self.keys) if self.column in self.keys else 0
        self.column = self.keys[index]
        self.descending = False

    def reverse(self) -> None:
        if not self.column:  # nothing sorted yet: the first column, descending
            self.next()
        self.descending = not self.descending

    def sort(self, rows: list[dict], value: Callable[[dict, str], object]) -> list[dict]:
        if self.column not in self.keys:
            return list(rows)  # as fetched (the view's own order, e.g. longest wait first)
        keyed = [(value(r, self.column), r) for r in rows]  # each row's value worked out once
        present = [(v, r) for v, r in keyed if v is not None]
        present.sort(key=lambda pair: _key(pair[0]), reverse=self.descending)
        return [r for _, r in present] + [r for v, r in keyed if v is None]

    def label(self, key: str, label: str) -> Text:
        if key != self.column:
            return Text(label)
        return Text(f"{label} {'▼' if self.descending else '▲'}", style="bold")


class SortActions:
    """`o` and `O` for a list view that has `self.sorting` and a `_sorted()` that puts
    the header marks and rows in the new order."""

    sorting: SortState

    def _sorted(self) -> None:
        raise NotImplementedError  # each list view puts its marks and rows in the new order

    def action_sort_next(self) -> None:
        self.sorting.next()
        self._sorted()

    def action_sort_reverse(self) -> None:
        self.sorting.reverse()
        self._sorted()


def _key(value):
    if isinstance(value, str):
        return (1, value.casefold())
    if isinstance(value, bool):
        return (0, int(value))
    return (0, value)
