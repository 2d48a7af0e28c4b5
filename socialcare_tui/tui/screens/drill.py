"""A KPI explained: its definition, the moment it counts by, its value, and the
conversations behind it by part (numerator, denominator, breached…); Enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, Tab, Tabs

from socialcare_tui.kpi.results import Explanation, KpiValue
from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.sorting import EXPORT_BINDING
from socialcare_tui.tui.text import plain
from socialcare_tui.tui.widgets.header import StatusHeader
from socialcare_tui.tui.widgets.too_small import TooSmall

ROW_LIMIT = 500  # a window of last quarter can hold thousands; the CLI lists them all
COLUMNS = (("conversation", "Conversation", 16), ("channel", "Channel", 8), ("queue", "Queue", 11),
           ("agent", "Agent", 10), ("moment", "Moment (UTC)", 12), ("measure", "Measure", 8))


class DrillScreen(BaseScreen):
    refreshable = True
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("backspace", "app.pop_screen", "Back", show=False),
        Binding("t", "next_part", "Next part", id="next_part"),
        EXPORT_BINDING,
    ]

    def __init__(self, info, part: str | None = None) -> None:
        """`part`: the list to open on (`dissatisfied` for CSAT follow-up, `breached`…)."""
        super().__init__()
        self.info = info
        # the first part (sample, numerator…) is what the value is computed from
        self.part: str | None = part if part in info.parts else (info.parts[0] if info.parts else None)
        self.result: Explanation | None = None

    def scope_extra(self):
        return (self.info.id, self.part)

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield Static(self._definition(None), id="drill-head", markup=False)
        parts = [Tab(p, id=f"part-{p}") for p in self.info.parts] + [Tab("all rows", id="part--all")]
        yield Tabs(*parts, id="drill-parts", active=f"part-{self.part}" if self.part else "part--all")
        table: DataTable[Text | str] = DataTable(id="drill-table", cursor_type="row", zebra_stripes=True)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        yield table
        yield Footer()
        yield TooSmall()

    def on_mount(self) -> None:
        self.query_one("#drill-table").focus()

    def _definition(self, result: KpiValue | None) -> Text:
        info = self.info
        text = Text(info.title, style="bold")
        if result is not None:
            text.append(f"  {fmt.value(result.value, info.unit, info.id)}", style="bold")
            if result.value is None and result.reason:
                text.append(f" ({result.reason})")
        text.append(f"\n{info.help}\ncounts by: {info.counts_by or '—'}")
        return text

    def fetch(self, source, scope):
        return source.explain(scope, self.info.id, self.part)

    def show(self, result: Explanation) -> None:
        self.result = result
        rows = result.rows
        self.query_one("#drill-head", Static).update(self._definition(result.result))
        table = self.query_one("#drill-table", DataTable)
        table.clear()
        for index, row in enumerate(rows[:ROW_LIMIT]):
            key = f"{index}:{row.get('conv_key') or ''}"
            table.add_row(
                plain(row.get("conv_key") or "—", limit=40),
                plain(row.get("channel") or "—", limit=20),
                plain(row.get("queue") or "—", limit=20),
                plain(row.get("agent") or "—", limit=30),
                Text(_moment(row.get("moment"))),
                Text(self._measure(row.get("measure"))),
                key=key,
            )
        shown = min(len(rows), ROW_LIMIT)
        table.border_title = f"{len(rows)} rows" + (f", first {shown} shown" if shown < len(rows) else "")

    def _measure(self, value) -> str:
        if value is None:
            return fmt.DASH
        if isinstance(value, bool):
            return "yes" if value else "no"
        unit = self.result.measure_unit if self.result is not None else self.info.unit
        if isinstance(value, (int, float)) and unit == "seconds":
            return fmt.duration(value)
        if isinstance(value, float):
            return f"{value:.2f}"
        return plain(value, limit=30).plain

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        tab = (event.tab.id or "part--all").removeprefix("part-")
        part = None if tab == "-all" else tab
        if part != self.part:
            self.part = part
            self.app.refresh_now()

    def action_export_list(self) -> None:
        """Every row behind the part (not only the first ROW_LIMIT shown), as `explain` gives them."""
        from socialcare_tui import output

        rows = [dict(row) for row in self.result.rows] if self.result is not None else []
        unit = self.result.measure_unit if self.result is not None else self.info.unit
        columns = output.columns_for(rows, unit=unit)
        self.app.export_list(f"{self.info.id}-{self.part or 'all'}", rows, columns)

    def action_next_part(self) -> None:
        self.query_one(Tabs).action_next_tab()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        conv_key = (event.row_key.value or "").split(":", 1)[1]
        if conv_key:
            self.app.open_conversation(conv_key)
        else:
            self.app.notify("this row has no conversation (a survey answer on its own)")

    def copy_text(self) -> str:
        table = self.query_one("#drill-table", DataTable)
        if table.row_count == 0:
            return ""
        return "\t".join(str(c) for c in table.get_row_at(table.cursor_row))


def _moment(value) -> str:
    """Month, day and time: the year is in the header's window."""
    if hasattr(value, "strftime"):
        return value.strftime("%m-%d %H:%M")
    return str(value or fmt.DASH)[:16]
