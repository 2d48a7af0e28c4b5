"""Agents: replies, conversations handled, median FRT, resolutions and CSAT in the
window, and each agent's open and waiting conversations now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from socialcare_tui.output import Column
from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.sorting import EXPORT_BINDING, SORT_BINDINGS, SortActions, SortState
from socialcare_tui.tui.text import plain

if TYPE_CHECKING:
    from socialcare_tui.tui.app import SocialCareApp

COLUMNS = (("agent", "Agent"), ("replies", "Replies"), ("conversations", "Handled"),
           ("median_frt", "Med FRT"), ("resolutions", "Resolved"), ("csat", "CSAT"),
           ("open_now", "Open now"), ("waiting_now", "Waiting now"))
# `e`: every field of the rows (json/csv), the columns on screen (.md/.txt)
EXPORT_COLUMNS = (
    Column("agent", "Agent"), Column("replies", "Replies", "count"),
    Column("conversations", "Handled", "count"), Column("median_frt", "Median FRT", "seconds"),
    Column("frt_n", "FRT n", "count"), Column("resolutions", "Resolved", "count"),
    Column("csat", "CSAT", "ratio"), Column("csat_n", "CSAT n", "count"),
    Column("open_now", "Open now", "count"), Column("waiting_now", "Waiting now", "count"),
)
TABLE_EXPORT_COLUMNS = tuple(c for c in EXPORT_COLUMNS if c.key not in ("frt_n", "csat_n"))


class AgentsView(SortActions, Container):
    if TYPE_CHECKING:
        app: SocialCareApp  # the app these views run in (its own methods, typed)

    BINDINGS = [*SORT_BINDINGS, EXPORT_BINDING]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sorting = SortState([key for key, _ in COLUMNS])
        self.rows: list[dict] = []
        self._cursor: int | None = None  # the row to come back to once the new rows come

    def _sorted(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.columns[ColumnKey(key)].label = self.sorting.label(key, label)
        self.show(self.rows)

    def action_export_list(self) -> None:
        """The agents as listed (sorted as on screen) to a file."""
        rows = self.sorting.sort(self.rows, lambda r, k: r.get(k))
        self.app.export_list("agents", rows, EXPORT_COLUMNS, TABLE_EXPORT_COLUMNS)

    def compose(self) -> ComposeResult:
        table: DataTable = DataTable(id="agent-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table

    def fetch(self, source, scope):
        return source.agents(scope)

    def show_loading(self, label: str) -> None:
        """Figures of another scope are on their way: the old ones go."""
        table = self.query_one(DataTable)
        self._cursor = table.cursor_row
        table.clear()
        table.border_title = label

    def show(self, rows: list[dict]) -> None:
        table = self.query_one(DataTable)
        cursor = self._cursor or table.cursor_row
        self._cursor = None
        self.rows = rows
        table.clear()
        for index, row in enumerate(self.sorting.sort(rows, lambda r, k: r.get(k))):
            # the key names the agent (Enter lists their conversations); the unnamed row has none
            table.add_row(*_cells(row), key=f"agent:{row['agent']}" if row.get("agent") else f"row:{index}")
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        table.border_title = f"{len(rows)} agents"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on an agent: the conversations they hold or answered, in this scope."""
        event.stop()
        key = str(event.row_key.value or "")
        if key.startswith("agent:"):
            from socialcare_tui.tui.screens.agent import AgentScreen

            self.app.push_screen(AgentScreen(key.removeprefix("agent:")))

    def focus_first(self) -> None:
        self.query_one(DataTable).focus()

    def copy_text(self) -> str:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return ""
        return "\t".join(str(c) for c in table.get_row_at(table.cursor_row))


def _cells(row: dict) -> list:
    csat = row.get("csat")
    csat_text = f"{fmt.ratio(csat)}" if csat is not None else fmt.DASH
    return [
        plain(row.get("agent") or "(none)", limit=24),
        Text(fmt.count(row.get("replies") or 0), justify="right"),
        Text(fmt.count(row.get("conversations") or 0), justify="right"),
        Text(fmt.duration(row.get("median_frt")), justify="right"),
        Text(fmt.count(row.get("resolutions") or 0), justify="right"),
        Text(csat_text, justify="right"),
        Text(fmt.count(row.get("open_now") or 0), justify="right"),
        Text(fmt.count(row.get("waiting_now") or 0), justify="right"),
    ]
