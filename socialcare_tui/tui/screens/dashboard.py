"""Dashboard: one panel per configured panel (tui/panels.py: what a lead checks first, then
every KPI), in a grid that reflows with the width."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.widgets import Static

from socialcare_tui.tui.data import nothing_before
from socialcare_tui.tui.panels import PanelInfo, panel_entry
from socialcare_tui.tui.widgets.panel import KpiPanel

PANEL_WIDTH = 27
PANEL_HEIGHT, PANEL_MAX_HEIGHT = 5, 9


class PanelGrid(VerticalScroll, can_focus=False):
    """The scrolling grid of panels: arrows move the focus between panels (and so scroll)."""

    BINDINGS = [
        Binding("right", "move(1)", "Next panel", show=False),
        Binding("left", "move(-1)", "Previous panel", show=False),
        Binding("down", "move_row(1)", "Panel below", show=False),
        Binding("up", "move_row(-1)", "Panel above", show=False),
    ]
    columns = 2
    _panels: list[KpiPanel] | None = None

    @property
    def panels(self) -> list[KpiPanel]:
        """The panels, queried once: the grid's children never change after compose."""
        if not self._panels:
            self._panels = list(self.query(KpiPanel))
        return self._panels

    def action_move(self, step: int) -> None:
        self._focus_index(step)

    def action_move_row(self, rows: int) -> None:
        self._focus_index(rows * self.columns)

    def _focus_index(self, step: int) -> None:
        panels = self.panels
        if not panels:
            return
        focused = self.app.focused
        index = panels.index(focused) if isinstance(focused, KpiPanel) and focused in panels else -step
        target = min(max(index + step, 0), len(panels) - 1)
        panels[target].focus()
        panels[target].scroll_visible()


class DashboardView(Container):

    def __init__(self, infos: list[PanelInfo], targets: dict[str, float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.infos = infos
        self.targets = targets
        self.columns = 2

    def compose(self) -> ComposeResult:
        with PanelGrid(id="kpi-grid"):
            for info in self.infos:
                yield KpiPanel(info)
        yield Static("", id="kpi-detail", markup=False)

    def on_resize(self) -> None:
        """As many columns as fit; taller panels (bigger sparklines) when rows fit too."""
        grid = self.query_one(PanelGrid)
        self.columns = grid.columns = max(1, (self.size.width - 1) // PANEL_WIDTH)
        rows = -(-len(self.infos) // self.columns)
        height = min(PANEL_MAX_HEIGHT, max(PANEL_HEIGHT, (self.size.height - 1) // max(rows, 1)))
        grid.styles.grid_size_columns = self.columns
        grid.styles.grid_rows = str(height)
        for panel in self.query(KpiPanel):
            panel.styles.height = height

    def fetch(self, source, scope):
        """(the engine's Dashboard, the oldest event's time when there is a previous window)."""
        data = source.dashboard(scope, list(dict.fromkeys(info.kpi_id for info in self.infos)))
        return data, source.oldest() if data.previous is not None else None

    def show(self, fetched) -> None:
        data, oldest = fetched
        kpis = data.report.kpis
        before = data.previous.kpis if data.previous is not None else {}
        empty_before = nothing_before(data.report, oldest)
        for panel in self.panels():
            info = panel.info
            whole = info.part is None
            panel.show(panel_entry(info, kpis.get(info.kpi_id)),
                       None if empty_before else panel_entry(info, before.get(info.kpi_id)),
                       data.series.of(info.kpi_id) if whole else (),
                       self.targets.get(info.kpi_id) if whole else None,
                       no_previous="previous window: no data" if empty_before else None)
        self._show_detail()

    def show_loading(self, label: str) -> None:
        for panel in self.panels():
            panel.show_loading(label)
        self._show_detail()

    def panels(self) -> list[KpiPanel]:
        return self.query_one(PanelGrid).panels

    def on_descendant_focus(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        focused = self.app.focused
        detail = self.query_one("#kpi-detail", Static)
        if isinstance(focused, KpiPanel):
            entry = focused.entry
            text = f"{focused.info.title}: {focused.info.help}"
            if entry is not None and entry.reason:
                text = f"{focused.info.title}: no value, {entry.reason}"
            detail.update(text + "  (Enter: explain)", layout=False)  # one fixed line
        else:
            detail.update("", layout=False)

    def focus_first(self) -> None:
        panels = self.panels()
        if panels:
            panels[0].focus()
