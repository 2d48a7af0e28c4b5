"""Queues: conversations of the chosen channel or queue by status tab, longest wait
first, with SLA time left counting down; `/` filters by text; Enter opens one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.widgets import DataTable, Input, Static, Tab, Tabs
from textual.widgets.data_table import ColumnKey

from socialcare_tui.tui import format as fmt
from socialcare_tui.tui import sorting
from socialcare_tui.tui.sorting import EXPORT_BINDING, SORT_BINDINGS, SortActions, SortState
from socialcare_tui.tui.text import plain, shown

if TYPE_CHECKING:
    from socialcare_tui.tui.app import SocialCareApp

TABS = ("unassigned", "open", "pending", "resolved")
SLA_STYLE = {"breached": "bold red", "near": "yellow", "ok": ""}
SLA_MARK = {"breached": "✗ ", "near": "⚠ ", "ok": "", None: ""}


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    width: int  # from 100 columns on
    narrow: int | None  # under 100 columns (None: left out there)
    data: str | None = None  # row field that must hold a value somewhere for the column to show


COLUMNS = {col.key: col for col in (
    Col("customer", "Customer", 16, 10),
    Col("channel", "Channel", 9, None),
    Col("queue", "Queue", 16, 10),
    Col("assignee", "Assignee", 14, 9),
    Col("priority", "Priority", 8, 8, data="priority"),
    Col("ticket", "Ticket", 8, None, data="ticket_id"),
    Col("age", "Age", 7, None),
    Col("wait", "Waiting", 8, 7),
    Col("sla", "SLA left", 13, 10),
    Col("resolved", "Resolved", 11, None),
    Col("took", "Took", 7, 7),
    Col("csat", "CSAT", 5, 5, data="csat_score"),
    Col("last", "Last message", 60, 60),
)}
# what each tab lists: nobody is assigned on Unassigned; Resolved shows when, how long it
# took and the survey answer instead of waits and SLA time left
TAB_COLUMNS = {
    "unassigned": ("customer", "channel", "queue", "priority", "ticket", "age", "wait", "sla", "last"),
    "open": ("customer", "channel", "queue", "assignee", "priority", "ticket", "age", "wait", "sla", "last"),
    "pending": ("customer", "channel", "queue", "assignee", "priority", "ticket", "age", "wait", "sla", "last"),
    "resolved": ("customer", "channel", "queue", "assignee", "priority", "ticket", "resolved", "took", "csat",
                 "last"),
}
# left out in this order while the message preview would get fewer than LAST_MIN cells
DROP_ORDER = ("ticket", "channel", "age", "resolved", "priority", "csat", "assignee")
LAST_MIN = 20
PRIORITY_RANK = {"urgent": 0, "critical": 0, "high": 1, "normal": 2, "medium": 2, "low": 3}


def tab_columns(status: str, rows: list[dict], width: int) -> list[Col]:
    """The columns of a tab at a width: those whose data the rows hold (a tweet-only
    database has no priority or ticket id), narrow ones under 100 cells, fewer while
    the message preview would be too short (the detail line below still says all)."""
    narrow = width < 100
    chosen = [COLUMNS[key] for key in TAB_COLUMNS.get(status, TAB_COLUMNS["open"])
              if (COLUMNS[key].data is None or any(r.get(COLUMNS[key].data) is not None for r in rows))
              and not (narrow and COLUMNS[key].narrow is None)]
    for key in DROP_ORDER:
        if _last_width(chosen, width, narrow) >= LAST_MIN:
            break
        chosen = [col for col in chosen if col.key != key]
    return chosen


def _last_width(columns: list[Col], width: int, narrow: bool) -> int:
    used = sum((col.narrow if narrow else col.width) or 0 for col in columns if col.key != "last")
    return width - used - 2 * len(columns) - 2  # two padding cells a column, two for the scrollbar


class QueuesView(SortActions, Container):
    if TYPE_CHECKING:
        app: SocialCareApp  # the app these views run in (its own methods, typed)

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
        self.sorting = SortState(list(TAB_COLUMNS["unassigned"]))
        self.shown_columns: list[Col] = []

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(name.capitalize(), id=f"tab-{name}") for name in TABS), id="queue-tabs")
        yield Input(placeholder="filter: customer, queue, assignee or text (Esc clears)", id="queue-filter")
        yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="queue-detail", markup=False)

    def on_mount(self) -> None:
        self.query_one("#queue-filter").display = False
        self._set_columns()

    def on_resize(self) -> None:
        """Columns for the new width (narrow ones under 100 cells); the message preview
        takes what is left. The rows are put back only when the set of columns changed
        (that rebuilds the table empty); otherwise only the widths move."""
        if (self.rows or not self.awaiting) and self._set_columns():
            self._fill()

    def _set_columns(self) -> bool:
        """The tab's columns for these rows and this width; True when the set changed
        (the table is then rebuilt empty)."""
        table = self.query_one("#queue-table", DataTable)
        width = self.size.width or 100
        columns = tab_columns(self.status, self.rows, width)
        narrow = width < 100
        changed = [c.key for c in columns] != [c.key for c in self.shown_columns]
        if changed:
            table.clear(columns=True)
            for col in columns:
                table.add_column(self.sorting.label(col.key, col.label), key=col.key)
            self.shown_columns = columns
            self.sorting.keys = [c.key for c in columns]
        for col in columns:
            column = table.columns[ColumnKey(col.key)]
            column.width = (max(_last_width(columns, width, narrow), LAST_MIN) if col.key == "last"
                            else (col.narrow if narrow else col.width) or col.width)
            column.auto_width = False
        table.refresh()
        return changed

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
        return self.sorting.sort(self._visible_rows(), queue_sort_value)

    def action_export_list(self) -> None:
        from socialcare_tui.output import QUEUE_COLUMNS as ALL_COLUMNS
        from socialcare_tui.output import QUEUE_TABLE_COLUMNS as TABLE_COLUMNS

        self.app.export_list(f"queue-{self.status}", self._sorted_rows(), ALL_COLUMNS, TABLE_COLUMNS)

    def _sorted(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        for col in self.shown_columns:
            table.columns[ColumnKey(col.key)].label = self.sorting.label(col.key, col.label)
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        selected = _row_key(table) or getattr(self, "_selected", None)
        self._selected = None
        table.clear()
        if self.rows or not self.awaiting:  # while loading, the columns wait for their rows
            self._set_columns()
        now = self.app.now_for_sla(self.as_of)
        rows = self._sorted_rows()
        limit = sorting.ROW_LIMIT
        for row in rows[:limit]:
            table.add_row(*self._cells(row, now), key=row["conv_key"])
        if len(rows) > limit:  # `/` filters all of them too
            table.add_row(*sorting.more_cells(len(rows), len(self.shown_columns), limit), key=sorting.MORE_KEY)
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
        return [queue_cell(col.key, row, now) for col in self.shown_columns]

    def tick(self) -> None:
        """Count SLA time left down (live data only): update that one column."""
        table = self.query_one("#queue-table", DataTable)
        now = self.app.now_for_sla(self.as_of)
        by_key = {r["conv_key"]: r for r in self.rows}
        if "sla" not in table.columns:
            return
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
        text.append_text(plain(f" · {row.get('channel') or ''}/{row.get('queue') or ''}", style="bold"))
        for part in _detail_facts(row):
            text.append_text(plain(f" · {part}", style="bold"))
        text.append(f" · last from {who}: ", style="bold")
        text.append_text(plain(row.get("last_message") or "", limit=400, pii="text"))
        text.no_wrap = False
        detail.update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value and event.row_key.value != sorting.MORE_KEY:
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


def queue_sort_value(row: dict, column: str):
    """What the column shows, as a value to sort on (durations as seconds, times as times,
    priorities most urgent first, ticket ids as numbers when they are)."""
    if column == "wait":
        return row.get("waiting_seconds") if row.get("waiting_since") else None
    if column == "sla":
        return None if row.get("status") == "resolved" else row.get("sla_due_at")
    if column == "queue":
        return _queue_label(row)
    if column == "last":
        return shown(row.get("last_message") or "", "text") or None
    if column == "priority":
        value = shown(row.get("priority") or "")
        return (PRIORITY_RANK.get(value.casefold(), len(PRIORITY_RANK)), value.casefold()) if value else None
    if column == "ticket":
        value = shown(row.get("ticket_id") or "")
        return (0, int(value), "") if value.isdigit() else (1, 0, value.casefold()) if value else None
    if column == "age":
        return row.get("age_seconds")
    if column == "resolved":
        return row.get("resolved_at")
    if column == "took":
        return row.get("resolved_in_seconds")
    if column == "csat":
        return _csat_share(row)
    return shown(row.get(column) or "", "customer" if column == "customer" else None) or None


def _csat_share(row: dict) -> float | None:
    score = row.get("csat_score")
    return None if score is None else score / (row.get("csat_scale") or 5)


def queue_cell(key: str, row: dict, now: datetime | None) -> Text:
    if key == "customer":
        return plain(row.get("customer") or "—", limit=40, pii="customer")
    if key == "queue":
        return plain(_queue_label(row), limit=40)
    if key in ("channel", "assignee", "priority"):
        return plain(row.get(key) or "—", limit=30)
    if key == "ticket":
        return plain(row.get("ticket_id") or "—", limit=30)
    if key == "age":
        return Text(fmt.duration(row.get("age_seconds")))
    if key == "wait":
        return Text(fmt.duration(row.get("waiting_seconds")) if row.get("waiting_since") else fmt.DASH)
    if key == "sla":
        return _sla_cell(row, now)
    if key == "resolved":
        moment = row.get("resolved_at")
        return Text(moment.strftime("%m-%d %H:%M") if moment else fmt.DASH)
    if key == "took":
        return Text(fmt.duration(row.get("resolved_in_seconds")))
    if key == "csat":
        return Text(_csat_text(row), justify="right")
    return plain(row.get("last_message") or "", limit=120, pii="text")


def _csat_text(row: dict) -> str:
    score = row.get("csat_score")
    if score is None:
        return fmt.DASH
    return f"{fmt.count(score)}/{fmt.count(row.get('csat_scale') or 5)}"


def _detail_facts(row: dict) -> list[str]:
    """What narrow columns may leave out, for the line under the table."""
    parts = []
    if row.get("ticket_id"):
        parts.append(f"ticket {shown(row['ticket_id'], single_line=True)[:30]}")
    if row.get("priority"):
        parts.append(f"priority {shown(row['priority'], single_line=True)[:20]}")
    if row.get("status") == "resolved" and row.get("resolved_at"):
        took = fmt.duration(row.get("resolved_in_seconds"))
        parts.append(f"resolved {fmt.timestamp(row['resolved_at'])} after {took}")
    elif row.get("age_seconds") is not None:
        parts.append(f"opened {fmt.duration(row['age_seconds'])} ago")
    if row.get("csat_score") is not None:
        parts.append(f"CSAT {_csat_text(row)}")
    return parts


def _queue_label(row: dict) -> str:
    return row.get("queue") or row.get("channel") or "—"


def _sla_cell(row: dict, now: datetime | None) -> Text:
    due = row.get("sla_due_at")
    if due is None or now is None or row.get("status") == "resolved":
        return Text(fmt.DASH)
    left = (due - now).total_seconds()
    state = fmt.sla_state(left)
    return Text(f"{SLA_MARK[state]}{fmt.duration(left)}", style=SLA_STYLE.get(state or "", ""))
