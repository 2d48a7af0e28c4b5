"""The one-line header: database, window, as-of, live indicator, last refresh."""

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
        window = "all data" if info.window == "all" else info.window
        if info.window_from and info.window != "all":
            window += f" from {info.window_from:%Y-%m-%d %H:%M}"
        parts = [
            (plain(info.db_name, limit=28), "db"),
            (Text(f"window {window}"), "window"),
            (Text(f"as of {as_of} UTC"), "asof"),
            (plain(info.filter_label, limit=24), "filter"),
            (Text(LIVE_LABEL.get(info.live, info.live), style="bold"), "live"),
            (Text(f"refreshed {info.refreshed}" if info.refreshed else "loading…"), "refreshed"),
        ]
        if info.problem:  # the numbers shown are not current: say so where it cannot be missed
            parts[-1] = (Text(f"⚠ {info.problem}", style="bold reverse"), "problem")
        if info.redacted:
            parts.insert(4, (Text("⊘ redacted", style="bold"), "redacted"))
        # Drop the least useful parts first when the terminal is narrow.
        drop_order = ["db", "refreshed", "filter"]
        width = self.size.width or 80
        while _width(parts) > width and drop_order:
            name = drop_order.pop(0)
            parts = [p for p in parts if p[1] != name]
        if _width(parts) > width:
            parts = [(Text(f"as of {as_of}"), "asof") if n == "asof" else (t, n) for t, n in parts]
        if _width(parts) > width:  # the window's start is the least needed of what is left
            short = "all data" if info.window == "all" else info.window
            parts = [(Text(f"window {short}"), "window") if n == "window" else (t, n) for t, n in parts]
        return Text(" │ ").join(text for text, _ in parts)


def _width(parts) -> int:
    return sum(text.cell_len for text, _ in parts) + 3 * (len(parts) - 1)
