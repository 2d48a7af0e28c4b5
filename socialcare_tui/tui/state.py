"""The app's view of the data: as-of, window and filters, turned into an engine Scope.

`open` makes the first view with `kpi.scope.parse` (the parser `report` uses), so
the values held here are already what the engine matches (channel aliases applied);
the sidebar and the keys change them to values the database holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from socialcare_tui.kpi.scope import Scope, window_span
from socialcare_tui.tui.periods import Period

WINDOWS = ("24h", "7d", "30d", "all")
__all__ = ["WINDOWS", "ViewState"]


@dataclass
class ViewState:
    window: str = "all"
    as_of: datetime | None = None  # None: the newest event (or the wall clock when live)
    newest: datetime | None = None  # the newest event, learnt at each refresh
    channels: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    live: bool = False
    period: Period | None = None  # a calendar window instead of `window`

    def __post_init__(self) -> None:
        self.home = self.as_of  # --as-of, or None for the newest data: where `]` stops

    def scope(self) -> Scope:
        if self.period is not None:
            period = self.period
            latest = self.as_of or self.newest
            # a period that is over is seen as of its end; the current one as of now
            as_of = period.end - timedelta(microseconds=1) if latest and period.end <= latest else self.as_of
            return Scope(as_of=as_of, start=period.start, end=period.end, window=None,
                         channels=self.channels, queues=self.queues, agents=(), tags=(),
                         live=self.live and as_of is None)
        return Scope(
            as_of=self.as_of,
            start=None,
            end=None,
            window=window_span(self.window),
            channels=self.channels,
            queues=self.queues,
            agents=(),
            tags=(),
            live=self.live,
        )

    def window_label(self) -> str:
        """`24h`, `all data`, or the calendar period's name."""
        if self.period is not None:
            return self.period.label
        return "all data" if self.window == "all" else self.window

    def cycle_window(self) -> str:
        if self.period is not None:  # from a calendar window, `w` goes back to the rolling ones
            self.period = None
            self.window = WINDOWS[0]
            return self.window
        index = WINDOWS.index(self.window) + 1 if self.window in WINDOWS else 0
        self.window = WINDOWS[index % len(WINDOWS)]
        return self.window

    def step(self, direction: int) -> bool:
        """Move as-of one window back (-1) or forward (+1); False when it cannot move."""
        span = window_span(self.window)
        current = self.as_of or self.newest
        if span is None or current is None or self.live or self.period is not None:
            return False
        moved: datetime | None = current + span * direction
        end = self.home or self.newest
        if direction > 0 and end is not None and moved is not None and moved >= end:
            if self.as_of == self.home:
                return False
            moved = self.home  # back where we started (None: follow the newest data again)
        self.as_of = moved
        return True

    def filter_label(self) -> str:
        if self.queues:
            return "queue " + ", ".join(self.queues)
        if self.channels:
            return "channel " + ", ".join(self.channels)
        return "All"
