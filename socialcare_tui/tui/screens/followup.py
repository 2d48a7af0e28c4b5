"""CSAT follow-up (palette `List: CSAT follow-up`): the dissatisfied survey answers of
the window and filter, latest first, with the customer's comment, who they are and
the conversation; Enter opens it, `o`/`O` sort, `e` exports the list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static
from textual.widgets.data_table import ColumnKey

from socialcare_tui.output import Column
from socialcare_tui.tui import format as fmt
from socialcare_tui.tui import sorting
from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.sorting import EXPORT_BINDING, SORT_BINDINGS, SortActions, SortState
from socialcare_tui.tui.text import plain, shown
from socialcare_tui.tui.widgets.header import StatusHeader
from socialcare_tui.tui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from socialcare_tui.tui.app import SocialCareApp

COLUMNS = (("answered", "Answered"), ("score", "Score"), ("customer", "Customer"), ("comment", "Comment"),
           ("conversation", "Conversation"), ("queue", "Queue"), ("agent", "Agent"))
EXPORT_COLUMNS = (
    Column("answered_at", "Answered", "time"), Column("score", "Score", "number"),
    Column("scale_max", "Scale", "number"), Column("comment", "Comment", flex="wrap"),
    Column("customer", "Customer"), Column("conv_key", "Conversation"), Column("channel", "Channel"),
    Column("queue", "Queue"), Column("agent", "Agent"),
)


class FollowUpScreen(SortActions, BaseScreen):
    if TYPE_CHECKING:
        app: SocialCareApp  # the app these views run in (its own methods, typed)

    refreshable = True
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        *SORT_BINDINGS,
        EXPORT_BINDING,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.sorting = SortState([key for key, _ in COLUMNS])

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield Static(self._title(None), id="followup-title", markup=False)
        table: DataTable = DataTable(id="followup-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("", id="followup-detail", markup=False)
        yield Footer()
        yield TooSmall()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def scope_extra(self):
        return "csat-followup"

    def _title(self, count: int | None) -> Text:
        text = Text("CSAT follow-up · ", style="bold")
        if count is not None:
            text.append(f"{count:,} ", style="bold")
        text.append("dissatisfied answers (≤ 60% of the scale), latest first")
        return text

    def fetch(self, source, scope):
        return source.csat_followup(scope)

    def show_loading(self, label: str) -> None:
        self.rows = []
        self.query_one(DataTable).clear()
        self.query_one("#followup-title", Static).update(Text(label, style="italic"))

    def show(self, rows: list[dict]) -> None:
        self.rows = rows
        self.query_one("#followup-title", Static).update(self._title(len(rows)))
        self._fill()

    def _sorted_rows(self) -> list[dict]:
        return self.sorting.sort(self.rows, _value)

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        rows = self._sorted_rows()
        for index, row in enumerate(rows[:sorting.ROW_LIMIT]):
            table.add_row(*_cells(row), key=f"{index}:{row.get('conv_key') or ''}")
        if len(rows) > sorting.ROW_LIMIT:
            table.add_row(*sorting.more_cells(len(rows), len(COLUMNS)), key=sorting.MORE_KEY)
        if not self.rows:
            self.query_one("#followup-detail", Static).update("")

    def _sorted(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.columns[ColumnKey(key)].label = self.sorting.label(key, label)
        self._fill()

    def action_export_list(self) -> None:
        self.app.export_list("csat-followup", self._sorted_rows(), EXPORT_COLUMNS)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted answer's whole comment under the table."""
        event.stop()
        rows = self._sorted_rows()
        key = str(event.row_key.value or "")
        index = int(key.split(":", 1)[0]) if key != sorting.MORE_KEY else len(rows)
        row = rows[index] if index < len(rows) else None
        detail = self.query_one("#followup-detail", Static)
        if row is None:
            detail.update("")
            return
        text = plain(row.get("customer") or "no customer", style="bold", pii="customer")
        text.append(f" · {_score(row)} · ", style="bold")
        where = [row.get("conv_key") or "no conversation", row.get("queue") or row.get("channel"),
                 row.get("agent")]
        text.append_text(plain(" · ".join(str(part) for part in where if part) + " · ", style="bold"))
        text.append_text(plain(row.get("comment") or "no comment", limit=400, pii="text"))
        text.no_wrap = False
        detail.update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value or "")
        if key == sorting.MORE_KEY:
            return
        conv_key = key.split(":", 1)[1]
        if conv_key:
            self.app.open_conversation(conv_key)
        else:
            self.app.notify("this answer has no conversation (a survey answer on its own)")

    def copy_text(self) -> str:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return ""
        return "\t".join(str(c) for c in table.get_row_at(table.cursor_row))


def _score(row: dict) -> str:
    return f"{fmt.count(row.get('score'))}/{fmt.count(row.get('scale_max') or 5)}"


def _cells(row: dict) -> list[Text]:
    moment = row.get("answered_at")
    return [
        Text(moment.strftime("%m-%d %H:%M") if moment else fmt.DASH),
        Text(_score(row), justify="right"),
        plain(row.get("customer") or "—", limit=30, pii="customer"),
        plain(row.get("comment") or "—", limit=60, pii="text"),
        plain(row.get("conv_key") or "—", limit=40),
        plain(row.get("queue") or row.get("channel") or "—", limit=24),
        plain(row.get("agent") or "—", limit=24),
    ]


def _value(row: dict, column: str):
    if column == "answered":
        return row.get("answered_at")
    if column == "score":
        score = row.get("score")
        return None if score is None else score / (row.get("scale_max") or 5)
    if column == "customer":
        return shown(row.get("customer") or "", "customer") or None
    if column == "comment":
        return shown(row.get("comment") or "", "text") or None
    if column == "conversation":
        return row.get("conv_key")
    if column == "queue":
        return row.get("queue") or row.get("channel")
    return row.get(column)
