"""Queues: conversations of the chosen channel or queue by status tab, longest wait
first, with SLA time left counting down; `/` filters by text; Enter opens one."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.widgets import DataTable, Input, Static, Tab, Tabs

from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.sorting import EXPORT_BINDING, SORT_BINDINGS, SortActions, SortState
from socialcare_tui.tui.text import plain, shown

TABS = ("unassigned", "open", "pending", "resolved")
SLA_STYLE = {"breached": "bold red", "near": "yellow", "ok": ""}
SLA_MARK = {"breached": "✗ ", "near": "⚠ ", "ok": "", None: ""}
COLUMNS = (("customer", "Customer", 16), ("queue", "Queue", 16), ("assignee", "Assignee", 14),
           ("wait", "Waiting", 8), ("sla", "SLA left", 13), ("last", "Last message", 60))
NARROW = {"customer": 10, "queue": 10, "assignee": 9, "wait": 7, "sla": 10}


class QueuesView(SortActions, Container):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear_filter"),
        Binding("t", "next_tab", "Next tab", id="next_tab"),
        *SORT_BINDINGS,
        EXPORT_BINDING,
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status = "unassigned"
        self.rows: list[dict] = []
        self.as_of: datetime | None = None
        self.text_filter = ""
        self.awaiting = False  # figures of another scope are on their way (no count is known)
        self.counts: dict = {}
        self.sorting = SortState([key for key, _, _ in COLUMNS])

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(name.capitalize(), id=f"tab-{name}") for name in TABS), id="queue-tabs")
        yield Input(placeholder="filter: customer, queue, assignee or text (Esc clears)", id="queue-filter")
        table = DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        yield table
        yield Static("", id="queue-detail", markup=False)

    def on_mount(self) -> None:
        self.query_one("#queue-filter").display = False

    def on_resize(self) -> None:
        """Narrow columns on a narrow terminal; the message preview takes what is left."""
        table = self.query_one("#queue-table", DataTable)
        narrow = self.size.width < 100
        used = 0
        for key, _, width in COLUMNS[:-1]:
            column = table.columns[key]
            column.width = NARROW[key] if narrow else width
            column.auto_width = False
            used += column.width + 2 * table.cell_padding
        last = table.columns["last"]
        last.width = max(24, self.size.width - used - 2 * table.cell_padding - 2)
        last.auto_width = False
        table.refresh()

    def fetch(self, source, scope):
        """(rows, as_of, counts): the tab's conversations, the instant their waits are
        measured at, and every tab's count (the backlog KPI's parts are the same lists)."""
        rows, as_of = source.queue(scope, self.status)
        backlog = source.wallboard(scope, ["backlog"]).kpis.get("backlog")
        return rows, as_of, {name: backlog.part(name) if backlog else None for name in TABS}

    def scope_extra(self) -> str:
        return self.status

    def show_loading(self, label: str) -> None:
        """Rows of another scope are on their way: none of the old ones stay under the new labels."""
        table = self.query_one("#queue-table", DataTable)
        self._selected = _row_key(table) or getattr(self, "_selected", None)
        self.rows = []
        self.counts = {}
        self.awaiting = True
        table.clear()
        self._label_tabs()
        self.query_one("#queue-detail", Static).update(Text(label, style="italic"))

    def show(self, data) -> None:
        rows, as_of, counts = data
        self.rows = rows
        self.as_of = as_of
        self.counts = counts
        self.awaiting = False
        self._fill()

    def _visible_rows(self) -> list[dict]:
        needle = self.text_filter.casefold()
        if not needle:
            return self.rows
        # matched against what is shown, so a redacted name cannot be found by typing it
        keys = (("customer", "customer"), ("queue", None), ("channel", None), ("assignee", None),
                ("last_message", "text"))
        return [r for r in self.rows
                if any(needle in shown(r.get(k) or "", pii).casefold() for k, pii in keys)]

    def _sorted_rows(self) -> list[dict]:
        return self.sorting.sort(self._visible_rows(), _sort_value)

    def action_export_list(self) -> None:
        from socialcare_tui.output import QUEUE_COLUMNS as ALL_COLUMNS
        from socialcare_tui.output import QUEUE_TABLE_COLUMNS as TABLE_COLUMNS

        self.app.export_list(f"queue-{self.status}", self._sorted_rows(), ALL_COLUMNS, TABLE_COLUMNS)

    def _sorted(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        for key, label, _ in COLUMNS:
            table.columns[key].label = self.sorting.label(key, label)
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        selected = _row_key(table) or getattr(self, "_selected", None)
        self._selected = None
        table.clear()
        now = self.app.now_for_sla(self.as_of)
        for row in self._sorted_rows():
            table.add_row(*self._cells(row, now), key=row["conv_key"])
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        if table.row_count == 0:
            self._show_detail(None)
        self._label_tabs()

    def _label_tabs(self) -> None:
        """Every tab with its count (`Unassigned 70`); the shown one counts its own rows."""
        counts = dict(getattr(self, "counts", {}) or {})
        if not self.awaiting and (self.rows or self.status not in counts):
            counts[self.status] = len(self.rows)
        for tab in self.query(Tab):
            name = (tab.id or "").removeprefix("tab-")
            count = counts.get(name)
            tab.label = name.capitalize() + (f" {count:,}" if count is not None else "")

    def _cells(self, row: dict, now: datetime | None) -> list:
        return [
            plain(row.get("customer") or "—", limit=40, pii="customer"),
            plain(_queue_label(row), limit=40),
            plain(row.get("assignee") or "—", limit=30),
            Text(fmt.duration(row.get("waiting_seconds")) if row.get("waiting_since") else fmt.DASH),
            _sla_cell(row, now),
            plain(row.get("last_message") or "", limit=120, pii="text"),
        ]

    def tick(self) -> None:
        """Count SLA time left down (live data only): update that one column."""
        table = self.query_one("#queue-table", DataTable)
        now = self.app.now_for_sla(self.as_of)
        by_key = {r["conv_key"]: r for r in self.rows}
        for key in list(table.rows):
            row = by_key.get(key.value)
            if row is not None:
                table.update_cell(key, "sla", _sla_cell(row, now))

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        status = (event.tab.id or "tab-unassigned").removeprefix("tab-")
        if status != self.status:
            self.status = status
            self.rows = []
            self._fill()
            self.app.refresh_now()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted conversation's last message in full width below the table."""
        event.stop()
        row = next((r for r in self.rows if r["conv_key"] == event.row_key.value), None)
        self._show_detail(row)

    def _show_detail(self, row: dict | None) -> None:
        detail = self.query_one("#queue-detail", Static)
        if row is None:
            detail.update("")
            return
        who = "customer" if row.get("last_direction") == "in" else "brand"
        text = plain(row.get("customer") or "—", style="bold", pii="customer")
        text.append_text(plain(f" · {row.get('channel') or ''}/{row.get('queue') or ''} · last from {who}: ",
                               style="bold"))
        text.append_text(plain(row.get("last_message") or "", limit=400, pii="text"))
        text.no_wrap = False
        detail.update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.app.open_conversation(event.row_key.value)

    def action_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        box.value = ""
        box.display = False
        self.query_one("#queue-table").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.text_filter = event.value
        self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#queue-table").focus()

    def action_next_tab(self) -> None:
        self.query_one(Tabs).action_next_tab()

    def action_previous_tab(self) -> None:
        self.query_one(Tabs).action_previous_tab()

    def focus_first(self) -> None:
        self.query_one("#queue-table").focus()

    def copy_text(self) -> str:
        table = self.query_one("#queue-table", DataTable)
        if table.row_count == 0:
            return ""
        cells = table.get_row_at(table.cursor_row)
        return "\t".join(str(c) for c in cells)


def _row_key(table: DataTable):
    if table.row_count == 0:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except Exception:  # the cursor is outside a table that was just cleared
        return None


def _sort_value(row: dict, column: str):
    """What the column shows, as a value to sort on (durations as seconds, times as times)."""
    if column == "wait":
        return row.get("waiting_seconds") if row.get("waiting_since") else None
    if column == "sla":
        return None if row.get("status") == "resolved" else row.get("sla_due_at")
    if column == "queue":
        return _queue_label(row)
    if column == "last":
        return shown(row.get("last_message") or "", "text") or None
    return shown(row.get(column) or "", "customer" if column == "customer" else None) or None


def _queue_label(row: dict) -> str:
    return row.get("queue") or row.get("channel") or "—"


def _sla_cell(row: dict, now: datetime | None) -> Text:
    due = row.get("sla_due_at")
    if due is None or now is None or row.get("status") == "resolved":
        return Text(fmt.DASH)
    left = (due - now).total_seconds()
    state = fmt.sla_state(left)
    return Text(f"{SLA_MARK[state]}{fmt.duration(left)}", style=SLA_STYLE.get(state or "", ""))
