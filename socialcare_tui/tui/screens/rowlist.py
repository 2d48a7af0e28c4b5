"""A screen of one list to work from: a title over a sortable table of rows the screen
fetches; Enter opens the row's conversation, `o`/`O` sort, `e` exports, `c` copies a row.
Subclasses say which rows (`fetch`), how they look (`COLUMNS`, `cells`, `sort_value`)
and how they export (`action_export_list`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static
from textual.widgets.data_table import ColumnKey

from socialcare_tui.tui import sorting
from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.sorting import EXPORT_BINDING, SORT_BINDINGS, SortActions, SortState
from socialcare_tui.tui.widgets.header import StatusHeader
from socialcare_tui.tui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from socialcare_tui.tui.app import SocialCareApp


class RowListScreen(SortActions, BaseScreen):
    if TYPE_CHECKING:
        app: SocialCareApp  # the app these screens run in (its own methods, typed)

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()  # (sort key, label) per table column
    LIST_ID: ClassVar[str] = "list"  # ids: #<LIST_ID>-title, #<LIST_ID>-table

    refreshable = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        *SORT_BINDINGS,
        EXPORT_BINDING,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.listed: list[dict] = []  # the rows in the order the table shows them
        self.sorting = SortState([key for key, _ in self.COLUMNS])

    # --- what a list says -----------------------------------------------------------

    def list_title(self, count: int | None) -> Text:
        raise NotImplementedError

    def cells(self, row: dict) -> list[Text]:
        raise NotImplementedError

    def sort_value(self, row: dict, column: str) -> Any:
        return row.get(column)

    def compose_below(self) -> ComposeResult:
        """Widgets between the table and the footer (none by default)."""
        yield from ()

    def no_conversation(self) -> None:
        """Enter on a row that belongs to no conversation."""

    # --- the list -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield Static(self.list_title(None), id=f"{self.LIST_ID}-title", markup=False)
        table: DataTable[Text | str] = DataTable(id=f"{self.LIST_ID}-table", cursor_type="row", zebra_stripes=True)
        for key, label in self.COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield from self.compose_below()
        yield Footer()
        yield TooSmall()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def show_loading(self, label: str) -> None:
        self.rows = self.listed = []
        self.query_one(DataTable).clear()
        self.query_one(f"#{self.LIST_ID}-title", Static).update(Text(label, style="italic"))

    def show_rows(self, rows: list[dict]) -> None:
        self.rows = rows
        self.query_one(f"#{self.LIST_ID}-title", Static).update(self.list_title(len(rows)))
        self._fill()

    def sorted_rows(self) -> list[dict]:
        return self.sorting.sort(self.rows, self.sort_value)

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        rows = self.listed = self.sorted_rows()
        for index, row in enumerate(rows[:sorting.ROW_LIMIT]):
            table.add_row(*self.cells(row), key=f"{index}:{row.get('conv_key') or ''}")
        if len(rows) > sorting.ROW_LIMIT:
            table.add_row(*sorting.more_cells(len(rows), len(self.COLUMNS)), key=sorting.MORE_KEY)

    def _sorted(self) -> None:
        table = self.query_one(DataTable)
        for key, label in self.COLUMNS:
            table.columns[ColumnKey(key)].label = self.sorting.label(key, label)
        self._fill()

    def row_at(self, key: str) -> dict | None:
        """The row a table key stands for (None for the "more rows" line)."""
        if key == sorting.MORE_KEY:
            return None
        index = int(key.split(":", 1)[0])
        return self.listed[index] if index < len(self.listed) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value or "")
        if key == sorting.MORE_KEY:
            return
        conv_key = key.split(":", 1)[1]
        if conv_key:
            self.app.open_conversation(conv_key)
        else:
            self.no_conversation()

    def copy_text(self) -> str:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return ""
        return "\t".join(str(c) for c in table.get_row_at(table.cursor_row))
