"""Wallboard (`open --wallboard`, `serve --wallboard`): a few KPIs in large Digits for a
screen across the room, moving through the channels every `wallboard.cycle` seconds
(All first). Good and bad are told by a symbol and a word as well as by colour."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Digits, Footer, Label, Static

from socialcare_tui.kpi.results import KpiValue
from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.data import nothing_before
from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.text import plain
from socialcare_tui.tui.tiles import Tile, WallboardSettings, tile_value
from socialcare_tui.tui.widgets.bigdigits import BigDigits
from socialcare_tui.tui.widgets.header import StatusHeader
from socialcare_tui.tui.widgets.panel import delta_text
from socialcare_tui.tui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from socialcare_tui.tui.app import SocialCareApp

TILE_WIDTH = 34  # the widest value ("23h 59m", "100.0%") in Digits plus the border


def digits_text(text: str) -> str:
    """A formatted value in characters Digits draws large (its minus is the ASCII one)."""
    return text.replace(fmt.MINUS, "-").replace(fmt.DASH, "-").replace(",", "")


class WallTile(Vertical):
    def __init__(self, tile: Tile, target: float | None) -> None:
        super().__init__(id=f"wall-{tile.name.replace('.', '-')}", classes="wall-tile")
        self.tile = tile
        self.target = target
        self.value_text = fmt.DASH
        self.border_title = tile.title

    def compose(self) -> ComposeResult:
        yield BigDigits(digits_text(fmt.DASH), classes="wall-value")
        yield Label("", classes="wall-state", markup=False)
        yield Label("", classes="wall-trend", markup=False)

    def on_resize(self) -> None:
        """The digits take the room the two lines under them leave."""
        room = self.content_size
        self.query_one(BigDigits).fit(room.width, room.height - 2)
        self.post_message(self.Fitted())

    class Fitted(Message):
        """The tile's digits may now draw at another scale."""

    def show_loading(self, label: str) -> None:
        """Another channel's figures are on their way: no digits, say which."""
        self.value_text = ""
        for name in ("met", "at-risk", "missed"):
            self.set_class(False, f"-{name}")
        self.set_class(True, "-loading")
        self.query_one(Digits).update("")
        self.query_one(".wall-state", Label).update(Text(label, style="italic"))
        self.query_one(".wall-trend", Label).update("")

    def show(self, entry: KpiValue | None, previous: KpiValue | None = None) -> None:
        """`previous`: the tile's KPI over the window of the same length just before
        (None when there is none, or it holds no data: then no arrow)."""
        self.set_class(False, "-loading")
        tile = self.tile
        value = tile_value(tile, entry)
        self.value_text = fmt.value(value, tile.unit, tile.kpi_id if tile.part is None else None)
        self.query_one(Digits).update(digits_text(self.value_text))
        state = fmt.target_state(value, self.target, tile.better)
        for name in ("met", "at-risk", "missed"):
            self.set_class(state == name, f"-{name}")
        line = Text()
        if state:
            line.append(f"{fmt.TARGET_SYMBOL[state]} {state.replace('-', ' ')} (target "
                        f"{fmt.value(self.target, tile.unit, tile.kpi_id)})")
        elif value is None and entry is not None and entry.reason:
            line.append(entry.reason, style="italic")
        n = entry.part("n") if entry is not None else None
        if isinstance(n, (int, float)) and tile.part is None:
            line.append(f"{'  ' if line else ''}n {fmt.count(n)}", style="dim")
        self.query_one(".wall-state", Label).update(line)
        self.query_one(".wall-trend", Label).update(self._trend(value, previous))
        self.post_message(self.Fitted())

    def _trend(self, value: float | None, previous: KpiValue | None) -> Text:
        """`▲ +8m worse`: the change against the previous window, as the dashboard's panels."""
        if previous is None:
            return Text("")
        tile = self.tile
        arrow, change, verdict = fmt.delta(value, tile_value(tile, previous), tile.unit, tile.better)
        return delta_text(arrow, change, verdict) if arrow else Text("")


class WallboardScreen(BaseScreen):
    if TYPE_CHECKING:
        app: SocialCareApp  # the app these views run in (its own methods, typed)

    refreshable = True
    BINDINGS = [
        Binding("n", "next_channel(1)", "Next channel", id="next_channel"),
        Binding("b", "next_channel(-1)", "Previous channel", id="previous_channel"),
    ]

    def __init__(self, wall: WallboardSettings, targets: dict[str, float]) -> None:
        super().__init__()
        self.wall = wall
        self.targets = targets
        self.channels: list[str | None] = [None]  # None: All
        self.index = 0

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield Static("", id="wall-channel", markup=False)
        with Grid(id="wall-grid"):
            for tile in self.wall.tiles:
                yield WallTile(tile, self.targets.get(tile.kpi_id) if tile.part is None else None)
        yield Footer()
        yield TooSmall()

    def on_mount(self) -> None:
        self.set_interval(self.wall.cycle, self._cycle)
        self._show_channel()

    def on_resize(self, event) -> None:
        """Balanced rows (6 tiles: 3x2 on a wide screen, 2x3 at 80 columns), filling the height."""
        super().on_resize(event)
        grid = self.query_one("#wall-grid", Grid)
        count = len(self.wall.tiles)
        fit = max(1, min(count, event.size.width // TILE_WIDTH))
        rows = -(-count // fit)
        columns = -(-count // rows)
        grid.styles.grid_size_columns = columns
        grid.styles.grid_rows = str(max(6, (event.size.height - 3) // rows))

    def on_wall_tile_fitted(self, event: WallTile.Fitted) -> None:
        """Every tile's digits at one scale: the largest at which all of them fit."""
        event.stop()
        digits = list(self.query(BigDigits))
        shown = [d for d in digits if d.value.strip()]
        limit = min((d.best for d in shown), default=1)
        for d in digits:
            d.cap(limit)

    def scope_extra(self):
        return self.channel

    def scope_name(self) -> str:
        return self.channel or "all channels"

    def show_loading(self, label: str) -> None:
        for tile in self.query(WallTile):
            tile.show_loading(label)

    def filter_label(self) -> str:
        return f"channel {self.channel}" if self.channel else "All"

    @property
    def channel(self) -> str | None:
        return self.channels[self.index % len(self.channels)]

    def _cycle(self) -> None:
        if not self.app.paused:
            self.action_next_channel(1)

    def action_next_channel(self, step: int) -> None:
        self.index = (self.index + step) % len(self.channels)
        self._show_channel()
        self.app.refresh_now()

    def fetch(self, source, scope):
        """Worker thread: (newest event, channel names, the channel shown, its report,
        the report of the window of the same length before it, the oldest event)."""
        newest = source.newest()
        if newest is None:
            return None, [], None, None, None, None
        names = [node.get("channel") for node in source.channels(scope) if node.get("channel")]
        channel = self.channel if self.channel in names else None
        chosen = replace(scope, channels=(channel,) if channel else (), queues=())
        report = source.wallboard(chosen, self.wall.kpi_ids)
        previous = source.wallboard_previous(chosen, self.wall.kpi_ids)
        return newest, names, channel, report, previous, source.oldest() if previous is not None else None

    def show(self, data) -> None:
        _newest, names, channel, report, previous, oldest = data
        self.channels = [None, *names]
        self.index = self.channels.index(channel) if channel in self.channels else 0
        kpis = report.kpis if report is not None else {}
        before = {} if previous is None or nothing_before(report, oldest) else previous.kpis
        for tile in self.query(WallTile):
            tile.show(kpis.get(tile.tile.kpi_id), before.get(tile.tile.kpi_id))
        self._show_channel()

    def _show_channel(self) -> None:
        name = self.channel or "All channels"
        text = plain(name, limit=40, style="bold")
        position = f"  {self.index % len(self.channels) + 1}/{len(self.channels)}"
        text.append(position, style="dim")
        if len(self.channels) > 1:
            upcoming = self.channels[(self.index + 1) % len(self.channels)] or "All"
            text.append("  next: ", style="dim")
            text.append_text(plain(upcoming, limit=30, style="dim"))
            text.append(f" every {self.wall.cycle:g}s", style="dim")
        self.query_one("#wall-channel", Static).update(text)

    def copy_text(self) -> str:
        return "\n".join(f"{t.tile.title}: {t.value_text}" for t in self.query(WallTile) if t.value_text)
