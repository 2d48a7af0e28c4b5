"""The Textual app: header, channels sidebar, Dashboard / Queues / Agents / Trends,
conversation and KPI drill-down screens, help, command palette, live refresh.

Queries run in one exclusive thread worker at a time, on their own cursor (see
DataSource); the next refresh is armed when one finishes, so a slow query delays the
next one instead of piling up. Only the screen on top is refreshed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerState, get_current_worker

from socialcare_tui.kpi.registry import Kpi
from socialcare_tui.kpi.scope import window_span
from socialcare_tui.tui.data import DataSource, file_signature
from socialcare_tui.tui.palette import ChannelCommands
from socialcare_tui.tui.panels import PanelInfo, panel_infos
from socialcare_tui.tui.periods import PRESETS, custom, preset
from socialcare_tui.tui.screens.agents import AgentsView
from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.screens.conversation import ConversationScreen
from socialcare_tui.tui.screens.dashboard import DashboardView, PanelGrid
from socialcare_tui.tui.screens.drill import DrillScreen
from socialcare_tui.tui.screens.first_run import FirstRunScreen
from socialcare_tui.tui.screens.help import HelpScreen, help_text
from socialcare_tui.tui.screens.prompt import PromptScreen
from socialcare_tui.tui.screens.queues import QueuesView
from socialcare_tui.tui.screens.trends import TrendsView
from socialcare_tui.tui.screens.wallboard import WallboardScreen
from socialcare_tui.tui.state import WINDOWS, ViewState
from socialcare_tui.tui.text import REDACTION, file_label
from socialcare_tui.tui.widgets.footer import KeyFooter
from socialcare_tui.tui.widgets.header import HeaderInfo, StatusHeader
from socialcare_tui.tui.widgets.panel import KpiPanel
from socialcare_tui.tui.widgets.sidebar import ChannelEntry, ChannelSidebar, Choice
from socialcare_tui.tui.widgets.too_small import TooSmall

VIEWS = ("dashboard", "queues", "agents", "trends")
SIDEBAR_MIN_WIDTH = 100  # narrower terminals start with the channels list hidden
LIVE_MAX_SKIP = 30.0  # seconds: live figures (waits, SLA) are read again at least this often


def wall_clock() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class MainScreen(BaseScreen):
    """Header, channels sidebar and the four views in a content switcher."""

    refreshable = True
    # Screen repaints itself whole on every focus change; the widgets whose focus
    # changed restyle and repaint themselves anyway, so only their regions are redrawn.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, infos: list[PanelInfo], targets: dict[str, float]) -> None:
        super().__init__()
        self.infos = infos
        self.targets = targets

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        with Horizontal(id="body"):
            yield ChannelSidebar(id="sidebar")
            with ContentSwitcher(initial="dashboard", id="views"):
                yield DashboardView(self.infos, self.targets, id="dashboard")
                yield QueuesView(id="queues")
                yield AgentsView(id="agents")
                yield TrendsView(id="trends")
        yield KeyFooter()
        yield TooSmall()

    def on_mount(self) -> None:
        self.shown = self.query_one(DashboardView)
        self.shown.focus_first()

    def switch_to(self, name: str) -> None:
        self.query_one(ContentSwitcher).current = name
        self.shown = self.view()
        if hasattr(self.shown, "focus_first"):
            self.shown.focus_first()

    sidebar_chosen: bool | None = None  # shown or hidden with `s`; None: by the width

    def on_resize(self, event) -> None:
        super().on_resize(event)
        sidebar = self.query_one(ChannelSidebar)
        narrow = event.size.width < SIDEBAR_MIN_WIDTH
        sidebar.set_width(22 if narrow else 28)
        # under 100 columns the views need the room; `s` shows it, and the choice stays
        sidebar.display = (not narrow) if self.sidebar_chosen is None else self.sidebar_chosen

    def view(self):
        switcher = self.query_one(ContentSwitcher)
        return switcher.get_child_by_id(switcher.current or "dashboard")

    def fetch(self, source, scope):
        """Worker thread: (newest event, channel tree, view, view data).

        The view was chosen on the UI thread (`shown`); the DOM is not read here."""
        newest = source.newest()
        if newest is None:
            return None, [], None, None
        view = self.shown
        return newest, source.channels(scope), view, view.fetch(source, scope)

    def show(self, data) -> None:
        newest, channels, view, result = data
        self.query_one(ChannelSidebar).show(channel_entries(channels))
        if view is not None:
            view.show(result)


def shown_view(target):
    """The widget whose figures a refresh of `target` replaces: the main screen's current
    view, or the screen itself (wallboard, drill-down, conversation)."""
    return target.view() if isinstance(target, MainScreen) else target


def channel_entries(tree: list[dict]) -> list[ChannelEntry]:
    return [
        ChannelEntry(
            name=node.get("channel") or "",
            waiting=int(node.get("waiting") or 0),
            queues=[(q.get("queue"), int(q.get("waiting") or 0)) for q in node.get("queues") or [] if q.get("queue")],
        )
        for node in tree
    ]


class SocialCareApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "socialcare-tui"
    COMMANDS = App.COMMANDS | {ChannelCommands}
    BINDINGS = [
        Binding("1", "view('dashboard')", "Dashboard", id="dashboard", tooltip="Dashboard: one panel per KPI"),
        Binding("2", "view('queues')", "Queues", id="queues", tooltip="Queues: conversations by status"),
        Binding("3", "view('agents')", "Agents", id="agents", tooltip="Agents: per-agent figures"),
        Binding("4", "view('trends')", "Trends", id="trends", tooltip="Trends: volume, FRT buckets, topics"),
        Binding("w", "cycle_window", "Window", id="window", tooltip="Cycle the window: 24h, 7d, 30d, all"),
        Binding("left_square_bracket", "step(-1)", "Earlier", id="earlier",
                tooltip="Step the window one length back in time"),
        Binding("right_square_bracket", "step(1)", "Later", id="later",
                tooltip="Step the window one length forward (up to the newest data)"),
        Binding("p", "pause", "Pause", id="pause", tooltip="Pause or resume the live refresh"),
        Binding("c", "copy", "Copy", id="copy",
                tooltip="Copy the focused value, row or transcript to the clipboard (OSC 52)"),
        Binding("s", "toggle_sidebar", "Channels", id="sidebar", tooltip="Show or hide the channels list"),
        Binding("r", "refresh_data", "Refresh", id="refresh", show=False, tooltip="Refresh now"),
        Binding("question_mark", "help", "Help", id="help", tooltip="This help"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit"),
    ]

    def __init__(
        self,
        source: DataSource,
        *,
        db_path: str,
        state: ViewState | None = None,
        refresh_seconds: float | None = None,
        clock: Callable[[], datetime] = wall_clock,
        config_path: Path | None = None,
        read_only: bool = False,
        follower=None,
        wallboard=None,
        redact: bool = False,
        served: bool = False,
    ) -> None:
        super().__init__()
        self.wallboard = wallboard  # tui.wallboard.WallboardSettings of --wallboard, or None
        self.redact = redact
        self.served = served  # in a browser via `serve`: writes no files on the server
        self.source = source
        self.config = source.config
        self.db_path = db_path
        self.state = state or ViewState(window=self.config.scope.window or "all")
        self.refresh_seconds = refresh_seconds or self.config.tui.refresh_seconds
        self.clock = clock
        self.config_path = config_path
        self.read_only = read_only
        self.follower = follower  # ingest.follow.Follower of `open --watch`
        self._follow_stop = threading.Event()
        self.paused = False
        self.empty = False
        self.refreshed_at: datetime | None = None
        self.refresh_count = 0
        self._timer: Timer | None = None
        self._last_error: str | None = None
        self._infos: list[Kpi] | None = None
        self._signature: tuple[Any, ...] | None = None  # data.file_signature when the last refresh started
        self._read_at: datetime | None = None

    # --- start ------------------------------------------------------------------------

    @property
    def infos(self) -> list[Kpi]:
        if self._infos is None:
            from socialcare_tui.kpi import registry

            self._infos = list(registry.all_kpis())
        return self._infos

    def on_mount(self) -> None:
        if self.config.tui.theme in self.available_themes:
            self.theme = self.config.tui.theme
        self.set_keymap(self.config.tui.keys)
        self.source.on_wait = self._waiting_from_thread
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.state.live:
            self.set_interval(1.0, self._tick_sla)
        REDACTION.on = self.redact
        if self.wallboard is not None:
            self.push_screen(WallboardScreen(self.wallboard, self.config.tui.targets))
        else:
            self.push_screen(MainScreen(panel_infos(self.config.tui.dashboard.panels), self.config.tui.targets))
        if self.follower is not None:
            self.follower.on_batch = self._followed_from_thread
            self.follower.on_wait = self._waiting_from_thread
            self._follow()
        self._check_facts()

    @work(thread=True, group="task", name="facts check", exit_on_error=False)
    def _check_facts(self) -> None:
        note = self.source.facts_note()
        if note:
            self.call_from_thread(self.notify, note, severity="warning", markup=False, timeout=30)

    def on_unmount(self) -> None:
        self._follow_stop.set()

    @work(thread=True, group="task", name="watch", exit_on_error=False)
    def _follow(self) -> None:
        self.follower.run(self._follow_stop)

    def _followed_from_thread(self, batch) -> None:
        if batch.imported or batch.rejected or batch.restarted or batch.error:
            self.call_from_thread(self._followed, batch)

    def _followed(self, batch) -> None:
        if batch.error or batch.restarted:
            self.notify(batch.describe(), title="Watch", severity="warning", markup=False)
        self.refresh_now()

    def _waiting_from_thread(self, message: str) -> None:
        # Our own earlier query still running is routine; another process holding the file is news.
        if "this process" not in message:
            self.call_from_thread(self.notify, message, severity="warning", timeout=2, markup=False)

    def _remember_theme(self, theme) -> None:
        if self.config_path is None:
            return
        from socialcare_tui.tui.settings import ThemeNotRemembered, remember_theme

        try:
            remember_theme(self.config_path, theme.name)
        except (OSError, ThemeNotRemembered) as err:
            reason = err.strerror if isinstance(err, OSError) else str(err)
            self.notify(f"could not remember the theme in {self.config_path}: {reason}",
                        severity="warning", markup=False)

    # --- refresh ----------------------------------------------------------------------

    def refresh_now(self, *, timed: bool = False) -> None:
        """Start a refresh of the screen on top (cancelling one under way). A timed refresh
        of what is already shown is skipped while the database file has not changed."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        screen = self.screen
        if not getattr(screen, "refreshable", False) and not isinstance(screen, FirstRunScreen):
            self.update_header()
            self._arm_timer()
            return
        target = screen if getattr(screen, "refreshable", False) else self._base_screen()
        if target is None:
            self.update_header()
            return
        key = self.scope_key(target)
        view = shown_view(target)
        if timed and getattr(view, "shown_key", None) == key and self._unchanged():
            self.update_header()
            self._arm_timer()
            return
        self._signature = file_signature(self.db_path) if self.source.con is None else None
        self._read_at = self.clock()
        if getattr(view, "shown_key", None) != key:
            # what the labels now say has not arrived: no old figure may stand under them
            view.loading_label = self.loading_label(target)
            if hasattr(view, "show_loading"):
                view.show_loading(view.loading_label)
        self.update_header()
        self._refresh_worker(target, self.state.scope(), key)

    def _unchanged(self) -> bool:
        """The file is as it was when the last refresh started (size and mtime of it and its
        WAL). Live figures move with the clock: they are read again at least every
        LIVE_MAX_SKIP seconds."""
        if self._signature is None or self._signature != file_signature(self.db_path):
            return False
        if self.state.live and self._read_at is not None:
            return (self.clock() - self._read_at).total_seconds() < LIVE_MAX_SKIP
        return True

    def scope_key(self, target) -> tuple:
        """What the labels of `target`'s shown view say: its data must be of this scope."""
        state = self.state
        view = shown_view(target)
        extra = getattr(view, "scope_extra", lambda: None)()
        return (id(view), state.window, state.period, state.as_of, state.channels, state.queues, extra)

    def loading_label(self, target) -> str:
        """`loading 24h…`, `loading email 7d…`: what is on its way."""
        view = shown_view(target)
        name = getattr(view, "scope_name", None)
        name = name() if name else ", ".join(self.state.queues or self.state.channels)
        return f"loading {name + ' ' if name else ''}{self.state.window_label()}…"

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _refresh_worker(self, target, scope, key=None) -> None:
        worker = get_current_worker()
        data = target.fetch(self.source, scope)
        if not worker.is_cancelled:
            # after the screen's next refresh: a view switched to a moment ago is laid out
            # before its rows arrive (a DataTable filled earlier can keep header-wide columns)
            self.call_from_thread(self.call_after_refresh, self._apply, target, data, key)

    def _apply(self, target, data, key=None) -> None:
        if isinstance(target, (MainScreen, WallboardScreen)):
            newest = data[0]
            self.state.newest = newest
            if newest is None:
                self._show_first_run()
                return
            if self.empty:
                self._leave_first_run()
        if key is not None and key != self.scope_key(target):
            return  # fetched for labels no longer shown; the refresh for the new ones is under way
        with self.batch_update():
            if target.is_attached:
                target.show(data)
                view = shown_view(target)
                view.shown_key = self.scope_key(target)  # the wallboard may have fallen back to All
                view.loading_label = None
        self.refreshed_at = self.clock()
        self.refresh_count += 1
        self.update_header()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "refresh" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            error = f"refresh failed: {worker.error}" if event.state == WorkerState.ERROR else None
            if error and error != self._last_error:  # the same failure every 5 s is told once
                self.notify(error, severity="error", markup=False, timeout=10)
            if error:
                self._signature = None  # a failed read is tried again even on an unchanged file
            self._last_error = error
            self.update_header()
            self._arm_timer()
        elif worker.group == "task" and event.state == WorkerState.ERROR:
            self.notify(f"{worker.name} failed: {worker.error}", severity="error", markup=False, timeout=10)

    def _arm_timer(self) -> None:
        if self.paused or self._timer is not None:
            return
        self._timer = self.set_timer(self.refresh_seconds, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if not self.paused:
            self.refresh_now(timed=True)

    def _tick_sla(self) -> None:
        screen = self.screen
        if isinstance(screen, MainScreen) and isinstance(screen.view(), QueuesView):
            screen.view().tick()

    def now_for_sla(self, as_of: datetime | None) -> datetime | None:
        """SLA time left is measured at the wall clock when live, else at the data's as-of."""
        return self.clock() if self.state.live else as_of

    # --- header -----------------------------------------------------------------------

    def update_header(self) -> None:
        state = self.state
        as_of = state.scope().as_of or state.as_of or (self.clock() if state.live else state.newest)
        span = window_span(state.window) if state.period is None else None
        watching = state.live or self.follower is not None
        live = "paused" if self.paused else "watching" if watching else "offline"
        window_from = (as_of - span) if as_of and span else None
        if state.period is not None and state.period.label in PRESETS:
            window_from = state.period.start
        info = HeaderInfo(
            db_name=Path(self.db_path).name,
            window=state.window if state.period is None else state.period.label,
            window_from=window_from,
            as_of=as_of,
            live=live,
            refreshed=self.refreshed_at.strftime("%H:%M:%S") if self.refreshed_at else "",
            filter_label=getattr(self._base_screen(), "filter_label", state.filter_label)(),
            loading=self._loading_now(),
            redacted=self.redact,
            problem=self._header_problem(),
        )
        for header in self.screen.query(StatusHeader):
            header.show(info)

    def _header_problem(self) -> str:
        """Why the numbers on screen are not current, while the last refresh failed."""
        if not getattr(self, "_last_error", None):
            return ""
        path = getattr(self.source, "db_path", None)  # None: a connection given by a test or script
        if path is not None and not Path(path).exists():
            return "database gone"
        return "refresh failed"

    def _loading_now(self) -> str:
        screen = self.screen
        target = screen if getattr(screen, "refreshable", False) else self._base_screen()
        if target is None or not target.is_attached:
            return ""
        return getattr(shown_view(target), "loading_label", None) or ""

    # --- screens ----------------------------------------------------------------------

    def _main_screen(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def _base_screen(self) -> Screen | None:
        """The screen under the others: the main screen, or the wallboard."""
        for screen in self.screen_stack:
            if isinstance(screen, (MainScreen, WallboardScreen)):
                return screen
        return None

    def _show_first_run(self) -> None:
        if not self.empty:
            self.empty = True
            self.push_screen(FirstRunScreen(self.db_path))

    def _leave_first_run(self) -> None:
        self.empty = False
        if isinstance(self.screen, FirstRunScreen):
            self.pop_screen()

    def open_conversation(self, conv_key: str) -> None:
        self.push_screen(ConversationScreen(conv_key))

    def open_list(self, kpi_id: str, part: str) -> None:
        """A work list: the conversations behind one part of a KPI (explain), in this scope;
        CSAT follow-up has its own screen (comment and customer beside each answer)."""
        if (kpi_id, part) == ("csat", "dissatisfied"):
            from socialcare_tui.tui.screens.followup import FollowUpScreen

            self.push_screen(FollowUpScreen())
            return
        info = next(i for i in self.infos if i.id == kpi_id)
        self.push_screen(DrillScreen(info, part))

    def on_kpi_panel_drill(self, message: KpiPanel.Drill) -> None:
        info = next(i for i in self.infos if i.id == message.kpi_id)
        self.push_screen(DrillScreen(info))

    def on_channel_sidebar_chosen(self, message: ChannelSidebar.Chosen) -> None:
        self.choose(message.choice)

    def choose(self, choice: Choice) -> None:
        self.state.channels = (choice.channel,) if choice.channel else ()
        self.state.queues = (choice.queue,) if choice.queue else ()
        self.refresh_now()

    def channel_entries(self) -> list[ChannelEntry]:
        main = self._main_screen()
        return main.query_one(ChannelSidebar).entries if main is not None else []

    def key_for(self, binding: Binding) -> str:
        keys = self._keymap.get(binding.id, binding.key) if binding.id else binding.key
        first = keys.split(",")[0].strip()
        return self.get_key_display(Binding(first, binding.action, binding.description))

    # --- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """The views and the channels list are not on the wallboard: hide their keys there."""
        if action in ("view", "toggle_sidebar") and isinstance(self._base_screen(), WallboardScreen):
            return False
        return True


    def action_view(self, name: str) -> None:
        while not isinstance(self.screen, MainScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        main = self._main_screen()
        if main is None or self.screen is not main:
            return
        main.switch_to(name)
        self.refresh_now()

    def action_cycle_window(self) -> None:
        self.state.cycle_window()
        self.refresh_now()

    def set_window(self, window: str) -> None:
        self.state.window = window
        self.state.period = None
        self.refresh_now()

    def set_period(self, name: str) -> None:
        """A calendar window around the data's as-of (the wall clock when live)."""
        now = self.clock() if self.state.live else (self.state.as_of or self.state.newest or self.clock())
        self.state.period = preset(name, now, self.config.scope.timezone)
        self.refresh_now()

    def ask_period(self) -> None:
        self.push_screen(PromptScreen("Window from (e.g. 2024-03-01 or 2024-03-01T08:00):", ""),
                         self._period_from)

    def _period_from(self, text: str | None) -> None:
        if text:
            self.push_screen(PromptScreen("Window to (not included):", ""), partial(self._period_to, text))

    def _period_to(self, start_text: str, end_text: str | None) -> None:
        if not end_text:
            return
        from socialcare_tui.errors import UserError
        from socialcare_tui.timeparse import parse_instant

        tz = self.config.scope.timezone
        try:
            period = custom(parse_instant(start_text, tz, "from"), parse_instant(end_text, tz, "to"))
        except UserError as err:
            self.notify(str(err), title="Window", severity="error", markup=False)
            return
        self.state.period = period
        self.refresh_now()

    def action_step(self, direction: int) -> None:
        if not self.state.step(direction):
            if self.state.period is not None:
                why = "a calendar window does not step; choose another from the palette or press w"
            elif self.state.window == "all":
                why = "the whole data has no earlier or later window; press w"
            else:
                why = "already at the newest data" if direction > 0 else "cannot step"
            self.notify(why, severity="warning", markup=False)
            return
        self.refresh_now()

    def action_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            self.update_header()
        else:
            self.refresh_now()

    def action_toggle_redact(self) -> None:
        self.redact = REDACTION.on = not self.redact
        self.notify("customer identifiers " + ("redacted" if self.redact else "shown"), markup=False)
        self.refresh_now()

    def action_refresh_data(self) -> None:
        self.refresh_now()

    def action_toggle_sidebar(self) -> None:
        main = self._main_screen()
        if main is not None:
            sidebar = main.query_one(ChannelSidebar)
            sidebar.display = main.sidebar_chosen = not sidebar.display

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = [
            ("Everywhere", self.BINDINGS),
            ("Dashboard", PanelGrid.BINDINGS + KpiPanel.BINDINGS),
            ("Queues", QueuesView.BINDINGS),
            ("Agents", AgentsView.BINDINGS),
            ("Conversation and explain screens", DrillScreen.BINDINGS),
        ]
        if isinstance(self._base_screen(), WallboardScreen):
            sections.append(("Wallboard", WallboardScreen.BINDINGS))
        self.push_screen(HelpScreen(help_text(self, sections, self.infos)))

    def action_copy(self) -> None:
        text = self._copy_source()
        if not text:
            self.notify("nothing to copy here", severity="warning")
            return
        self.copy_to_clipboard(text)
        self.notify(f"copied {len(text)} characters to the clipboard")

    def _copy_source(self) -> str:
        node: DOMNode | None = self.focused
        while node is not None:
            if hasattr(node, "copy_text"):
                text = node.copy_text()
                return f"{text} ({self.copy_context()})" if text and isinstance(node, KpiPanel) else text
            node = node.parent
        screen = self.screen
        if isinstance(screen, MainScreen):
            return getattr(screen.view(), "copy_text", lambda: "")()
        text = getattr(screen, "copy_text", lambda: "")()
        if text and isinstance(screen, WallboardScreen):
            text = f"{text}\n({self.copy_context()})"
        return text

    def copy_context(self) -> str:
        """What a copied figure is of: `email, window 7d to 2024-03-08 12:00 UTC`."""
        base = self._base_screen()
        names = self._filter_names()
        where = ", ".join(names) if names else "all channels"
        as_of = self.state.as_of or self.state.newest
        window = "all data" if self.state.window_label() == "all data" else f"window {self.state.window_label()}"
        until = f" to {as_of:%Y-%m-%d %H:%M} UTC" if as_of and base is not None else ""
        return f"{where}, {window}{until}"

    # --- palette: import and export -----------------------------------------------------

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for window in WINDOWS:
            label = "all data" if window == "all" else f"last {window}"
            yield SystemCommand(f"Window: {label}", f"show the {label}", partial(self.set_window, window))
        for name in PRESETS:
            yield SystemCommand(f"Window: {name}", f"the calendar {name.split()[-1]} (config timezone)",
                                partial(self.set_period, name))
        yield SystemCommand("Window: from … to …", "a window between two dates or times you type",
                            self.ask_period)
        for title, help_text_, kpi_id, part in LISTS:
            yield SystemCommand(f"List: {title}", help_text_, partial(self.open_list, kpi_id, part))
        yield SystemCommand("Import a file", "import a log, ticket or survey export", self.ask_import)
        yield SystemCommand("Export the current report", "write every KPI of this window to a file",
                            self.ask_export)
        yield SystemCommand("Pause or resume", "stop or restart the live refresh", self.action_pause)
        yield SystemCommand("Redact customer identifiers: " + ("turn off" if self.redact else "turn on"),
                            "show handles, e-mails and phone numbers as stable pseudonyms (cust-…)",
                            self.action_toggle_redact)
        yield SystemCommand("Help", "every key and KPI", self.action_help)

    def ask_import(self) -> None:
        if self.read_only:
            self.notify("opened with --read-only: imports are off", severity="warning")
            return
        self.push_screen(PromptScreen("File or folder to import:", placeholder="path/to/export.csv"),
                         self._import_answered)

    def _import_answered(self, path: str | None) -> None:
        if path:
            self.import_file(path)

    @work(thread=True, group="task", name="import", exit_on_error=False)
    def import_file(self, path: str) -> None:
        summary = self.source.import_file(path)
        self.call_from_thread(self._imported, path, summary)

    def _imported(self, path: str, summary) -> None:
        self.notify(f"imported {path}: {summary_line(summary)}", title="Import", markup=False, timeout=10)
        self.refresh_now()

    def _default_name(self, what: str, suffix: str) -> str:
        """`socialcare-report-20240308-1200-7d-email.json`: what, when, window and filter."""
        as_of = self.state.as_of or self.state.newest
        stamp = as_of.strftime("%Y%m%d-%H%M") if as_of else "now"
        window = file_label((self.state.window_label(),)).lstrip("-") or self.state.window
        return f"socialcare-{what}-{stamp}-{window}{file_label(self._filter_names())}{suffix}"

    def export_list(self, what: str, rows: list[dict], columns, table_columns=None) -> None:
        """`e` on a list: the rows shown (filtered and sorted as on screen) to a file in the
        same formats as `export`/`report` (json and csv with every column)."""
        if self.served:
            self.notify("served to a browser: export with `socialcare-tui queue` or `explain` on the server",
                        severity="warning", markup=False)
            return
        if not rows:
            self.notify("nothing to export: the list is empty", severity="warning", markup=False)
            return
        self.push_screen(PromptScreen("Export this list to (.json, .csv, .md or .txt):",
                                      self._default_name(what, ".csv")),
                         partial(self._list_answered, list(rows), columns, table_columns or columns))

    def _list_answered(self, rows, columns, table_columns, path: str | None) -> None:
        if not path:
            return
        from socialcare_tui import output
        from socialcare_tui.errors import UserError

        target = Path(path).expanduser()
        fmt = self._export_format(target)
        if fmt is None:
            return
        chosen = table_columns if fmt in ("table", "markdown") else columns
        try:
            output.emit(output.render_rows(rows, chosen, fmt, width=1000), str(target.resolve()))
        except (UserError, OSError) as err:
            self.notify(f"not exported: {err}", title="Export", severity="error", markup=False)
            return
        self.notify(f"exported {len(rows)} rows ({fmt}) to {target.resolve()}", title="Export", markup=False)

    def _export_format(self, target: Path) -> str | None:
        """The format an export file's extension names; None, said on screen, for another."""
        from socialcare_tui.output import SUFFIX_FORMATS

        fmt = SUFFIX_FORMATS.get(target.suffix.lower())
        if fmt is None:
            self.notify(f"not exported: {target.name} needs one of the extensions "
                        f"{', '.join(SUFFIX_FORMATS)}", title="Export", severity="error", markup=False)
        return fmt

    def ask_export(self) -> None:
        default = self._default_name("report", ".json")
        if self.served:
            self.notify("served to a browser: export with `socialcare-tui export` on the server",
                        severity="warning", markup=False)
            return
        self.push_screen(PromptScreen("Export the report to (.json, .csv, .md or .txt):", default),
                         self._export_answered)

    def _export_answered(self, path: str | None) -> None:
        if not path:
            return
        target = Path(path).expanduser()
        if self._export_format(target) is None:
            return
        self.export_report(str(target.resolve()), self.state.scope())

    @work(thread=True, group="task", name="export", exit_on_error=False)
    def export_report(self, path: str, scope) -> None:
        from socialcare_tui import output

        report = self.source.report(scope)
        fmt = output.SUFFIX_FORMATS[Path(path).suffix.lower()]
        text = output.render_report(report, fmt, width=120)
        output.emit(text, path)
        self.call_from_thread(self.notify, f"exported the report ({fmt}) to {path}", title="Export",
                              markup=False)

    def _filter_names(self) -> tuple[str, ...]:
        base = self._base_screen()
        if isinstance(base, WallboardScreen):
            return (base.channel,) if base.channel else ()
        return self.state.queues or self.state.channels


# the palette's work lists: (title, help, KPI, part of its explain rows)
LISTS = (
    ("CSAT follow-up", "dissatisfied survey answers in the window, to call back", "csat", "dissatisfied"),
    ("SLA breaches, first response", "conversations whose first reply missed its target",
     "sla_first_response", "breached"),
    ("SLA breaches, next reply", "customer turns answered after the next-reply target",
     "sla_next_reply", "breached"),
    ("SLA breaches, resolution", "conversations resolved after their resolution target",
     "sla_resolution", "breached"),
)



def summary_line(summary) -> str:
    """One line from what the importer returned (a summary object or a list of them)."""
    items = summary if isinstance(summary, (list, tuple)) else [summary]
    parts = []
    for item in items:
        get = item.get if isinstance(item, dict) else lambda k, d=None, i=item: getattr(i, k, d)
        numbers = [(k, get(k)) for k in ("rows_read", "imported", "duplicates", "rejected")]
        if all(v is None for _, v in numbers):
            parts.append(str(item))
        else:
            parts.append(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in numbers if v is not None))
    return "; ".join(parts) or "nothing imported"
