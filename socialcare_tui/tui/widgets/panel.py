"""One dashboard panel: a KPI's value in human units, its change against the
previous window (arrow + word, so colour is never the only signal), a sparkline
over the window, its sample size and its target state."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Sparkline

from socialcare_tui.kpi.results import KpiValue
from socialcare_tui.tui import format as fmt


class KpiPanel(Widget, can_focus=True):
    BINDINGS = [Binding("enter", "drill", "Explain", id="drill")]

    class Drill(Message):
        def __init__(self, kpi_id: str) -> None:
            super().__init__()
            self.kpi_id = kpi_id

    def __init__(self, info, **kwargs) -> None:
        super().__init__(id=f"kpi-{info.id}", classes="kpi-panel", **kwargs)
        self.info = info
        self.entry: KpiValue | None = None
        self.value_text = fmt.DASH
        self.delta_line = Text("")
        self.border_title = info.title
        self._shown: tuple | None = None  # the arguments of the last show()

    def compose(self) -> ComposeResult:
        yield Label(fmt.DASH, classes="kpi-value", markup=False)
        yield Label("", classes="kpi-delta", markup=False)
        yield Sparkline([], classes="kpi-spark")

    def show(self, entry: KpiValue | None, previous: KpiValue | None, series: Sequence[float | None],
             target: float | None, no_previous: str | None = None) -> None:
        """`no_previous`: why there is no change to show (the previous window holds no data)."""
        shown = (entry, previous, series, target, no_previous)
        if shown == self._shown:  # same figures as on screen: skip the restyle and repaint
            return
        self._shown = shown
        self.set_class(False, "-loading")
        self.entry = entry
        info = self.info
        value = entry.value if entry else None
        unit = (entry.unit if entry else "") or info.unit
        state = fmt.target_state(value, target, info.better)
        for name in ("met", "at-risk", "missed"):
            self.set_class(state == name, f"-{name}")
        self.set_class(value is None, "-null")
        self.value_text = fmt.value(value, unit, info.id)
        value_line = Text(self.value_text, style="bold")
        if state:
            value_line.append(f" {fmt.TARGET_SYMBOL[state]} {state.replace('-', ' ')}")
        self.query_one(".kpi-value", Label).update(value_line, layout=False)  # fixed size: no relayout
        arrow, change, verdict = fmt.delta(value, previous.value if previous else None, unit, info.better)
        if previous is not None and previous.value is None and value is not None:
            no_previous = no_previous or "previous window: no value"
        self.delta_line = delta_text(arrow, change, verdict, no_previous)
        self._show_delta()
        n = _sample_size(entry)
        self.border_subtitle = f"n {fmt.count(n)}" if n is not None else ""
        spark = self.query_one(Sparkline)
        points = [0.0 if p is None else float(p) for p in series]
        spark.data = points
        spark.display = bool(points)

    def show_loading(self, label: str) -> None:
        """Figures for another scope are on their way: blank this one's, say what is coming."""
        self._shown = None
        self.entry = None
        self.value_text = ""
        self.delta_line = Text("")
        for name in ("met", "at-risk", "missed", "null"):
            self.set_class(False, f"-{name}")
        self.set_class(True, "-loading")
        self.query_one(".kpi-value", Label).update(Text(label, style="italic"), layout=False)
        self.query_one(".kpi-delta", Label).update("", layout=False)
        self.border_subtitle = ""
        self.query_one(Sparkline).display = False

    def _show_delta(self, focused: bool | None = None) -> None:
        line = self.delta_line
        reason = self.entry.reason if self.entry else None
        focused = self.has_focus if focused is None else focused
        if reason:
            line = Text(reason if focused else "no value (focus for why)", style="italic")
        self.query_one(".kpi-delta", Label).update(line, layout=False)

    def on_focus(self) -> None:
        self._show_delta(True)

    def on_blur(self) -> None:
        self._show_delta(False)

    def action_drill(self) -> None:
        self.post_message(self.Drill(getattr(self.info, "kpi_id", self.info.id)))

    def copy_text(self) -> str:
        return f"{self.info.title}: {self.value_text}" if self.value_text else ""


def _sample_size(entry: KpiValue | None) -> float | None:
    """What the value is computed from: its `n` part, else its denominator."""
    if entry is None:
        return None
    n = entry.parts["n"] if "n" in entry.parts else entry.part("denominator")
    return n if isinstance(n, (int, float)) else None


def delta_text(arrow: str, change: str, verdict: str | None, no_previous: str | None = None) -> Text:
    """`▲ +8m worse` against the previous window (green when better, red when worse)."""
    if not arrow:
        return Text(no_previous or "no previous window", style="dim")
    style = {"better": "delta-better", "worse": "delta-worse"}.get(verdict or "", "")
    text = Text(f"{arrow} {change}")
    if verdict in ("better", "worse"):
        text.append(f" {verdict}")
    text.stylize(_STYLE.get(style, ""))
    return text


# Rich styles for the arrow; the word carries the meaning without colour.
_STYLE = {"delta-better": "green", "delta-worse": "red"}
