"""One agent's conversations (Enter on the Agents screen): those assigned to them now or
that they replied to, in the current window and filter, longest wait first; Enter opens
one, `o`/`O` sort."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static
from textual.widgets.data_table import ColumnKey

from socialcare_tui.tui import format as fmt
from socialcare_tui.tui import sorting
from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.sorting import EXPORT_BINDING, SORT_BINDINGS, SortActions, SortState
from socialcare_tui.tui.text import plain, shown
from socialcare_tui.tui.widgets.header import StatusHeader
from socialcare_tui.tui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from socialcare_tui.tui.app import SocialCareApp

COLUMNS = (("conv_key", "Conversation"), ("customer", "Customer"), ("status", "Status"),
           ("wait", "Waiting"), ("last", "Last message"))


class AgentScreen(SortActions, BaseScreen):
    if TYPE_CHECKING:
        app: SocialCareApp  # the app these views run in (its own methods, typed)

    refreshable = True
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        *SORT_BINDINGS,
        EXPORT_BINDING,
    ]

    def __init__(self, agent: str) -> None:
        super().__init__()
        self.agent = agent
        self.rows: list[dict] = []
        self.sorting = SortState([key for key, _ in COLUMNS])

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield Static(self._title(None), id="agent-title", markup=False)
        table: DataTable = DataTable(id="agent-conversations", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Footer()
        yield TooSmall()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def scope_extra(self):
        return self.agent

    def _title(self, count: int | None) -> Text:
        text = plain(self.agent, limit=40, style="bold")
        text.append(" · conversations assigned to them now or that they replied to")
        if count is not None:
            text.append(f" · {count:,}", style="bold")
        return text

    def fetch(self, source, scope):
        return source.queue(replace(scope, agents=(self.agent,)), "all")

    def show_loading(self, label: str) -> None:
        self.rows = []
        self.query_one(DataTable).clear()
        self.query_one("#agent-title", Static).update(Text(label, style="italic"))

    def show(self, data) -> None:
        self.rows, _as_of = data
        self.query_one("#agent-title", Static).update(self._title(len(self.rows)))
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        rows = self.sorting.sort(self.rows, _value)
        for row in rows[:sorting.ROW_LIMIT]:
            waiting = fmt.duration(row.get("waiting_seconds")) if row.get("waiting_since") else fmt.DASH
            table.add_row(plain(row["conv_key"]), plain(row.get("customer") or "—", limit=30, pii="customer"),
                          plain(row.get("status") or "—"), Text(waiting),
                          plain(row.get("last_message") or "", limit=120, pii="text"), key=row["conv_key"])
        if len(rows) > sorting.ROW_LIMIT:
            table.add_row(*sorting.more_cells(len(rows), len(COLUMNS)), key=sorting.MORE_KEY)

    def action_export_list(self) -> None:
        from socialcare_tui.output import QUEUE_COLUMNS as ALL_COLUMNS
        from socialcare_tui.output import QUEUE_TABLE_COLUMNS as TABLE_COLUMNS

        name = file_safe(self.agent)
        self.app.export_list(f"agent-{name}", self.sorting.sort(self.rows, _value), ALL_COLUMNS, TABLE_COLUMNS)

    def _sorted(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.columns[ColumnKey(key)].label = self.sorting.label(key, label)
        self._fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value and event.row_key.value != sorting.MORE_KEY:
            self.app.open_conversation(event.row_key.value)

    def copy_text(self) -> str:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return ""
        return "\t".join(str(c) for c in table.get_row_at(table.cursor_row))


def file_safe(name: str) -> str:
    from socialcare_tui.tui.text import file_label

    return file_label((name,)).lstrip("-") or "agent"


def _value(row: dict, column: str):
    if column == "wait":
        return row.get("waiting_seconds") if row.get("waiting_since") else None
    if column == "last":
        return shown(row.get("last_message") or "", "text") or None
    if column == "customer":
        return shown(row.get("customer") or "", "customer") or None
    return row.get(column)
