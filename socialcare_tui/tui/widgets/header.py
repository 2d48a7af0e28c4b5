"""The one-line header, in the order a lead reads it and keeps it when narrow: the
channel/queue filter, loading or live state, window, as-of, database, last refresh.
The window's start time is the first thing dropped, the filter and state the last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from socialcare_tui.tui.text import plain

LIVE_LABEL = {"watching": "● watching", "paused": "‖ paused", "offline": "○ offline data"}


@dataclass
class HeaderInfo:
    db_name: str = ""
    window: str = "all"
    window_from: datetime | None = None
    as_of: datetime | None = None
    live: str = "offline"  # watching | paused | offline
    refreshed: str = ""
    filter_label: str = "All"
    redacted: bool = False
    problem: str = ""  # e.g. "database gone": shown instead of "refreshed", until it is solved
    loading: str = ""  # "loading 24h…" while the figures for the labels are on their way


class StatusHeader(Widget):
    DEFAULT_CSS = "StatusHeader { height: 1; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.info = HeaderInfo()

    def show(self, info: HeaderInfo) -> None:
        if info == self.info:
            return
        self.info = info
        self.refresh()

    def render(self) -> Text:
        info = self.info
        as_of = info.as_of.strftime("%Y-%m-%d %H:%M") if info.as_of else "—"
        short_window = "all data" if info.window == "all" else info.window
        window = short_window
        if info.window_from and info.window != "all":
            window += f" from {info.window_from:%Y-%m-%d %H:%M}"
        filter_label = "all channels" if info.filter_label == "All" else info.filter_label
        state = (Text(info.loading, style="bold reverse") if info.loading
                 else Text(LIVE_LABEL.get(info.live, info.live), style="bold"))
        parts = [
            (plain(filter_label, limit=32, style="bold"), "filter"),
            (state, "state"),
            (Text(f"window {window}"), "window"),
            (Text(f"as of {as_of} UTC"), "asof"),
            (plain(info.db_name, limit=28), "db"),
            (Text(f"refreshed {info.refreshed}" if info.refreshed else ""), "refreshed"),
        ]
        if info.problem:  # the numbers shown are not current: say so where it cannot be missed
            parts[-1] = (Text(f"⚠ {info.problem}", style="bold reverse"), "problem")
        if info.redacted:
            parts.insert(2, (Text("⊘ redacted", style="bold"), "redacted"))
        parts = [p for p in parts if p[0].cell_len]
        width = self.size.width or 80
        # Narrow: drop the least needed first; the filter and the state stay.
        for name in ("refreshed", "db", "window-from", "utc", "asof", "window"):
            if _width(parts) <= width:
                break
            if name == "window-from":
                parts = [(Text(f"window {short_window}"), n) if n == "window" else (t, n) for t, n in parts]
            elif name == "utc":
                parts = [(Text(f"as of {as_of}"), n) if n == "asof" else (t, n) for t, n in parts]
            else:
                parts = [p for p in parts if p[1] != name]
        return Text(" │ ").join(text for text, _ in parts)


def _width(parts) -> int:
    return sum(text.cell_len for text, _ in parts) + 3 * (len(parts) - 1)
