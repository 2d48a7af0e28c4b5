"""Trends: volume by hour of day and day of week, first responses in buckets per
channel, top topics and quick replies, and sentiment over the window, as plots."""

from __future__ import annotations

import math
from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual_plotext import PlotextPlot

from socialcare_tui.kpi.results import KpiValue, Report
from socialcare_tui.safetext import clean
from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.data import TrendsData

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FRT_BUCKETS = ("<1h", "1-4h", "4-8h", "8-24h", ">24h")
LABEL_LIMIT = 18
PLOT_HEIGHT = 14


def label(value: object) -> str:
    text = clean(value, single_line=True)
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


class TrendsView(Grid, can_focus=True):
    """Scrolls with the keyboard, so every chart can be reached at 80x24."""

    PLOTS = ("by-hour", "by-weekday", "frt-buckets", "topics", "quick-replies", "sentiment")
    BINDINGS = [
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    def compose(self) -> ComposeResult:
        for name in self.PLOTS:
            yield PlotextPlot(id=f"plot-{name}", classes="trend-plot")

    def on_resize(self) -> None:
        """1, 2 or 3 plots a row; taller plots when the rows fit the screen."""
        columns = 3 if self.size.width >= 150 else 2 if self.size.width >= 90 else 1
        rows = -(-len(self.PLOTS) // columns)
        height = max(PLOT_HEIGHT, self.size.height // rows)
        self.styles.grid_size_columns = columns
        self.styles.grid_rows = str(height)
        for plot in self.query(PlotextPlot):
            plot.styles.height = height

    def fetch(self, source, scope):
        return source.trends(scope)

    def focus_first(self) -> None:
        self.focus()

    def show(self, data: TrendsData) -> None:
        kpis = data.report.kpis
        self._bars("by-hour", "Customer messages by hour (UTC)",
                   [f"{h:02d}" for h in range(24)], _part(kpis, "inbound_volume", "by_hour") or [0] * 24, every=3)
        self._bars("by-weekday", "Customer messages by weekday", list(WEEKDAYS),
                   _part(kpis, "inbound_volume", "by_weekday") or [0] * 7)
        self._frt_buckets(data.by_channel)
        topics = _part(kpis, "topics", "top") or []
        self._hbars("topics", "Top topics (conversations)",
                    [label("/".join(p for p in (t.get("topic"), t.get("subtopic")) if p)) for t in topics],
                    [t.get("conversations") or 0 for t in topics])
        quick = _part(kpis, "quick_replies", "top") or []
        self._hbars("quick-replies", "Top quick replies (uses)",
                    [label(q.get("name")) for q in quick], [q.get("uses") or 0 for q in quick])
        self._sentiment(list(data.series.of("sentiment")), data.span)

    def show_loading(self, label: str) -> None:
        """Charts of another scope are on their way: empty plots that say so."""
        for name in self.PLOTS:
            widget, plt = self._plot(name)
            plt.title(label)
            widget.refresh()

    def _plot(self, name: str):
        widget = self.query_one(f"#plot-{name}", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        return widget, plt

    # Ticks are always given explicitly: plotext's own choice for text labels varies
    # from run to run, which would make the screen (and its snapshots) flicker.
    def _bars(self, name: str, title: str, labels: list[str], values: list, every: int = 1) -> None:
        widget, plt = self._plot(name)
        plt.title(title)
        positions = list(range(len(labels)))
        plt.bar(positions, [v or 0 for v in values], marker="hd")
        plt.xticks(positions[::every], labels[::every])
        plt.yticks(*count_ticks(max((v or 0 for v in values), default=0)))
        widget.refresh()

    def _hbars(self, name: str, title: str, labels: list[str], values: list) -> None:
        widget, plt = self._plot(name)
        plt.title(title)
        if labels:
            positions = list(range(len(labels)))
            plt.bar(positions, list(reversed(values)), orientation="horizontal", width=0.3)
            plt.yticks(positions, list(reversed(labels)))
            plt.xticks(*count_ticks(max(values, default=0)))
        else:
            plt.title(f"{title}: none in the window")
        widget.refresh()

    def _frt_buckets(self, grouped: Report) -> None:
        widget, plt = self._plot("frt-buckets")
        plt.title("First responses by time to reply, per channel")
        names, series = [], []
        for group in grouped.groups:
            counts = _bucket_counts(group.kpis.get("frt_distribution"))
            if counts is not None and any(counts):
                names.append(label(group.key or "—"))
                series.append(counts)
        if series:
            positions = list(range(len(FRT_BUCKETS)))
            plt.multiple_bar(positions, series, labels=names)
            plt.xticks(positions, list(FRT_BUCKETS))
            plt.yticks(*count_ticks(max(max(counts) for counts in series)))
        else:
            plt.title("First responses: none in the window")
        widget.refresh()

    def _sentiment(self, values: list, span) -> None:
        widget, plt = self._plot("sentiment")
        plt.title("Sentiment over the window (positive − negative share)")
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if points:
            plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille")
            plt.ylim(-1, 1)
            plt.xticks(*_time_ticks(len(values), span))
        else:
            plt.title("Sentiment: no data (choose a window with w)")
        widget.refresh()


def count_ticks(highest: float, most: int = 5) -> tuple[list[int], list[str]]:
    """Whole-number ticks from 0 for a count axis (plotext's own would say 2.5 messages)."""
    top = max(1, math.ceil(highest))
    step = max(1, math.ceil(top / (most - 1)))
    ticks = list(range(0, top + step, step))
    return ticks, [f"{t:,}" for t in ticks]


def _part(kpis: Mapping[str, KpiValue], kpi_id: str, name: str) -> list:
    """A list part of a report's KPI (by_hour, top ...); empty when it is not there."""
    entry = kpis.get(kpi_id)
    value = entry.part(name) if entry is not None else None
    return value if isinstance(value, list) else []


def _bucket_counts(entry: KpiValue | None) -> list[float] | None:
    """The five bucket counts of a frt_distribution entry (as a dict part or flat parts)."""
    if entry is None:
        return None
    buckets = entry.part("buckets")
    if isinstance(buckets, dict):
        return [float(buckets.get(b) or 0) for b in FRT_BUCKETS]  # type: ignore[arg-type]
    if isinstance(buckets, list) and len(buckets) == len(FRT_BUCKETS):
        return [float(v.get("n", 0) if isinstance(v, dict) else v or 0) for v in buckets]  # type: ignore[arg-type]
    if all(b in entry.parts for b in FRT_BUCKETS):
        return [float(entry.parts[b] or 0) for b in FRT_BUCKETS]  # type: ignore[arg-type]
    return None


def _time_ticks(buckets: int, span) -> tuple[list[int], list[str]]:
    """Bucket positions labelled by how long before as-of they start (`−7d` … `−1d`)."""
    positions = list(range(0, buckets, max(1, buckets // 4)))
    if span is None:
        return [0, buckets - 1], ["start", "end"]
    width = span.total_seconds() / buckets
    return positions, [fmt.MINUS + fmt.duration(width * (buckets - p)) for p in positions]
