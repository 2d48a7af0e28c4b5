"""App benchmark: launch to the first painted dashboard, and key latency during a refresh.

Drives `SocialCareApp` headless (`run_test(size=(200, 60))`) on a database of about
1M events (default: benchmarks/data/kpi-events-1000000.duckdb, built by
bench_report.py), opened read-only per refresh as `socialcare-tui open` does.
"Painted" is the first frame Textual composes (App._display, called in headless
mode too, only the terminal write is skipped):

  launch:   a fresh `python` process, from spawn to
            - loading: the first frame of the main screen (every panel shows —), and
            - painted: the first frame after the first refresh was applied (every
              panel shows its value, or — with the reason when the KPI has none);
            baselines in the same run: a trivial Textual app (one Static) from spawn
            to its first frame, the refresh's work without the app (newest event,
            channel tree and the engine call of tui/data.py: engine.report for
            --window all, engine.dashboard otherwise) and the engine call alone.
  keys:     after the first paint, a refresh is started and a thread sends keys
            (down / up: the focus moves between panels) through the driver, as the
            terminal input thread does, until the refresh is applied; latency = key
            sent -> its binding handled (PanelGrid.action_move_row, wrapped in this
            process), and -> the next frame. Two modes: "paced" sends the next key
            10 ms after the previous one was handled (the gap a user feels, with no
            backlog of our own making; the goal is judged on it), "flood" sends one
            every 10 ms regardless (a held-down key: when a key costs more than
            10 ms the queue grows and latency with it). Baseline for both: the
            same keys for 2 s with no refresh running.

Goals (issue 5, item 10): painted < 1 s at 1M events; longest key latency during a
refresh < 100 ms. The exit code is 1 when a goal is missed.

    python benchmarks/bench_app.py [--db PATH] [--repeat 3] [--window all|7d|...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_DB = DATA / "kpi-events-1000000.duckdb"
SIZE = (200, 60)
KEY_EVERY = 0.010
IDLE_SECONDS = 2.0
TIMEOUT = 900.0
INSTANTS = ("imported", "created", "loading", "painted")  # time.time() in the child


# --- frame recording -------------------------------------------------------------------

class FrameClock:
    """Mixin for an App: (time.time(), screen class name, refresh_count) of every frame."""

    def _display(self, screen, renderable) -> None:
        if renderable is not None and not self._batch_count:
            self.frames.append((time.time(), type(screen).__name__, getattr(self, "refresh_count", 0)))
        super()._display(screen, renderable)


def trivial_app():
    from textual.app import App
    from textual.widgets import Static

    class Trivial(FrameClock, App):
        def __init__(self) -> None:
            super().__init__()
            self.frames = []

        def compose(self):
            yield Static("hello")

    return Trivial()


def bench_app(db: str, window: str, refresh_seconds: float | None = None):
    """The app as `open --read-only --window W` builds it (open.run_app), with a frame clock."""
    from socialcare_tui.commands.open import check_database
    from socialcare_tui.config import Config
    from socialcare_tui.tui.app import SocialCareApp
    from socialcare_tui.tui.data import DataSource
    from socialcare_tui.tui.state import ViewState

    class Timed(FrameClock, SocialCareApp):
        # a relative CSS_PATH is read next to the module of the class: here, benchmarks/
        CSS_PATH = Path(sys.modules[SocialCareApp.__module__].__file__).parent / SocialCareApp.CSS_PATH

    check_database(db, True)
    config = Config()
    source = DataSource(None, config, db_path=db, read_only=True)
    app = Timed(source, db_path=db, state=ViewState(window=window), refresh_seconds=refresh_seconds,
                read_only=True)
    app.frames = []
    return app


async def wait_for(predicate, timeout: float = TIMEOUT, step: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(step)


def first(frames, test):
    return next((t for t, screen, count in frames if test(screen, count)), None)


def panel_values(app) -> tuple[int, int]:
    """(panels showing a value, panels) on the main screen."""
    from socialcare_tui.tui.widgets.panel import KpiPanel

    panels = list(app.screen.query(KpiPanel))
    return sum(p.value_text != "—" for p in panels), len(panels)


# --- child processes: one launch each ----------------------------------------------------

async def changed(app, change) -> float:
    """Seconds from `change()` to the first frame after the refresh it started was applied."""
    before = app.refresh_count
    started = time.time()
    await change()
    await wait_for(lambda: first(app.frames, lambda s, n: s == "MainScreen" and n > before))
    return first(app.frames, lambda s, n: s == "MainScreen" and n > before) - started


async def switches(app, pilot) -> dict:
    """After the first paint: a channel filter (the first channel of the sidebar, chosen
    as a click on it does), then a window change (the `w` key)."""
    from socialcare_tui.tui.widgets.sidebar import Choice

    await wait_for(lambda: not app.workers)
    await pilot.pause()
    channel = app.channel_entries()[0].name

    async def choose():
        app.choose(Choice(channel=channel))

    got = {"channel_to": channel, "channel_change": await changed(app, choose)}
    await wait_for(lambda: not app.workers)
    await pilot.pause()
    got["window_change"] = await changed(app, lambda: pilot.press("w"))
    got["window_to"] = app.state.window
    return got


async def child_launch(kind: str, db: str, window: str, switch: bool = False) -> dict:
    imported = time.time()
    app = trivial_app() if kind == "trivial" else bench_app(db, window)
    created = time.time()
    async with app.run_test(size=SIZE) as pilot:
        if kind == "trivial":
            await wait_for(lambda: app.frames)
            return {"imported": imported, "created": created, "painted": app.frames[0][0]}
        await wait_for(lambda: first(app.frames, lambda s, n: s == "MainScreen" and n >= 1))
        loading = first(app.frames, lambda s, n: s == "MainScreen")
        painted = first(app.frames, lambda s, n: s == "MainScreen" and n >= 1)
        shown, panels = panel_values(app)
        got = {"imported": imported, "created": created, "loading": loading, "painted": painted,
               "shown": shown, "panels": panels}
        if switch:
            got.update(await switches(app, pilot))
        return got


def launch(kind: str, db: str, window: str, switch: bool = False) -> dict:
    """Spawn this script as a child; instants relative to the spawn, in seconds.
    With `switch`, also the seconds a channel filter and a window change took."""
    spawned = time.time()
    cmd = [sys.executable, __file__, "--child", kind, "--db", db, "--window", window]
    out = subprocess.run(cmd + (["--switch"] if switch else []),
                         check=True, capture_output=True, text=True, timeout=TIMEOUT).stdout
    got = json.loads(out.strip().splitlines()[-1])
    return {k: (v - spawned if k in INSTANTS else v) for k, v in got.items()}


# --- baselines without the app ---------------------------------------------------------

def refresh_work(db: str, window: str) -> tuple[float, float]:
    """(newest + channels + engine call through DataSource, engine call alone) in seconds."""
    import duckdb

    from socialcare_tui.config import Config
    from socialcare_tui.kpi import engine, registry
    from socialcare_tui.tui.data import SPARK_BUCKETS, DataSource
    from socialcare_tui.tui.state import ViewState

    config = Config()
    ids = [info.id for info in registry.all_kpis()]
    scope = ViewState(window=window).scope()
    source = DataSource(None, config, db_path=db, read_only=True)
    started = time.perf_counter()
    source.newest()
    source.channels(scope)
    source.dashboard(scope, ids)
    work = time.perf_counter() - started
    con = duckdb.connect(db, read_only=True)
    try:
        started = time.perf_counter()
        if scope.window:
            engine.dashboard(con, scope, config.kpi, kpis=ids, buckets=SPARK_BUCKETS)
        else:
            engine.report(con, scope, config.kpi, kpis=ids)
        alone = time.perf_counter() - started
    finally:
        con.close()
    return work, alone


# --- key latency -----------------------------------------------------------------------

class KeyFeeder(threading.Thread):
    """Sends down/up every KEY_EVERY seconds through the driver until stopped."""

    def __init__(self, app, handled: list[float], paced: bool) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.handled = handled
        self.paced = paced  # wait for each key to be handled before the next one's 10 ms
        self.sent: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        from textual import events

        driver = self.app._driver
        next_at = time.time()
        while not self.stop.is_set():
            key = "down" if len(self.sent) % 2 == 0 else "up"
            event = events.Key(key, None)
            event.set_sender(self.app)
            self.sent.append(time.time())
            driver.send_message(event)
            if self.paced:
                while len(self.handled) < len(self.sent) and not self.stop.is_set():
                    time.sleep(0.0005)
                next_at = time.time()
            next_at += KEY_EVERY
            time.sleep(max(0.0, next_at - time.time()))


def latencies(sent, handled, frames) -> dict:
    """Per key: sent -> handled and sent -> the first frame after it was handled."""
    pairs = list(zip(sent, handled))
    frame_times = [t for t, _, _ in frames]
    to_handled = sorted(h - s for s, h in pairs)
    to_frame = sorted(next((f for f in frame_times if f >= h), h) - s for s, h in pairs)
    return {"keys": len(sent), "handled": len(handled), "max": to_handled[-1] if pairs else None,
            "p95": pct(to_handled, 95), "frame_max": to_frame[-1] if pairs else None,
            "frame_p95": pct(to_frame, 95)}


def pct(values, p):
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else None


async def feed_keys(app, handled, until, paced: bool) -> dict:
    handled.clear()
    start_frame = len(app.frames)
    feeder = KeyFeeder(app, handled, paced)
    feeder.start()
    await until()
    feeder.stop.set()
    feeder.join()
    try:  # keys sent faster than they are handled queue up: let the queue drain
        await wait_for(lambda: len(handled) >= len(feeder.sent), timeout=120)
    except TimeoutError:
        pass  # reported as handled < keys
    await asyncio.sleep(0.1)  # the frame after the last key
    return latencies(feeder.sent, handled, app.frames[start_frame:])


async def key_latency(db: str, window: str) -> dict:
    """On one app, for paced then flooding keys: latencies idle and during a refresh,
    and how long that refresh took."""
    from textual.app import ScreenStackError

    from socialcare_tui.tui.screens.dashboard import PanelGrid

    handled: list[float] = []
    original = PanelGrid.action_move_row

    def timed(self, rows: int) -> None:
        original(self, rows)
        handled.append(time.time())

    PanelGrid.action_move_row = timed  # in this process only: marks when a key's binding ran
    got: dict = {}
    try:
        app = bench_app(db, window, refresh_seconds=3600)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(lambda: app.refresh_count >= 1 and not app.workers)
            await pilot.pause()
            await asyncio.sleep(1.0)
            for mode in ("paced", "flood"):  # flood last: its queued work outlasts the phase
                paced = mode == "paced"
                await pilot.pause()
                await asyncio.sleep(1.0)
                got[f"idle {mode}"] = await feed_keys(
                    app, handled, lambda: asyncio.sleep(IDLE_SECONDS), paced)
                await pilot.pause()
                await asyncio.sleep(1.0)
                before = app.refresh_count
                started = time.time()
                app.refresh_now()

                async def refreshed(before: int = before, mode: str = mode, started: float = started) -> None:
                    await wait_for(lambda: app.refresh_count > before)
                    got[f"refresh {mode}"] = time.time() - started

                got[f"busy {mode}"] = await feed_keys(app, handled, refreshed, paced)
    except ScreenStackError:
        # Textual handles keys still queued after the app's screens were closed on exit
        if "busy flood" not in got:
            raise
    finally:
        PanelGrid.action_move_row = original
    return got


# --- main ------------------------------------------------------------------------------

def ms(seconds) -> str:
    return "   —   " if seconds is None else f"{seconds * 1000:7.1f}"


def one_run(db: str, window: str) -> dict:
    trivial = launch("trivial", db, window)
    ours = launch("app", db, window)
    work, alone = refresh_work(db, window)
    keys = asyncio.run(key_latency(db, window))
    print(f"launch   trivial app first frame {ms(trivial['painted'])} ms | ours: imports "
          f"{ms(ours['imported'])} ms, loading {ms(ours['loading'])} ms, painted {ms(ours['painted'])} ms "
          f"({ours['shown']}/{ours['panels']} panels with a value)", flush=True)
    print(f"         refresh work without the app {ms(work)} ms, engine call alone {ms(alone)} ms | "
          f"painted / trivial {ours['painted'] / trivial['painted']:5.1f}x, "
          f"painted / engine {ours['painted'] / alone:4.2f}x, loading / trivial "
          f"{ours['loading'] / trivial['painted']:4.1f}x", flush=True)
    for mode in ("paced", "flood"):
        for name in ("busy", "idle"):
            got = keys[f"{name} {mode}"]
            print(f"keys {mode} {'refresh' if name == 'busy' else 'idle':7s} {got['handled']}/{got['keys']} "
                  f"handled: max {ms(got['max'])} ms, p95 {ms(got['p95'])} ms; to next frame max "
                  f"{ms(got['frame_max'])} ms, p95 {ms(got['frame_p95'])} ms", flush=True)
        print(f"         {mode}: refresh with the keys took {keys[f'refresh {mode}']:.2f} s; max during / idle "
              f"{keys[f'busy {mode}']['max'] / keys[f'idle {mode}']['max']:5.1f}x", flush=True)
    return {"painted": ours["painted"], "key_max": keys["busy paced"]["max"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(DEFAULT_DB), help="database of about 1M events")
    parser.add_argument("--repeat", type=int, default=3, help="runs; each one is printed")
    parser.add_argument("--window", default="all", help="the app's window (open's default: all)")
    parser.add_argument("--child", choices=("trivial", "app"), help=argparse.SUPPRESS)
    parser.add_argument("--switch", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(child_launch(args.child, args.db, args.window, args.switch))),
              flush=True)
        return 0
    if not Path(args.db).exists():
        print(f"no database at {args.db}: run benchmarks/bench_report.py first", file=sys.stderr)
        return 2
    from importlib.metadata import version

    import duckdb

    print(f"textual {version('textual')}, duckdb {duckdb.__version__}, python {sys.version.split()[0]}, "
          f"db {args.db}, window {args.window}, size {SIZE[0]}x{SIZE[1]}", flush=True)
    missed = 0
    for run in range(max(1, args.repeat)):
        print(f"-- run {run + 1} at {time.strftime('%H:%M:%S', time.gmtime())} UTC, "
              f"load {'/'.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        got = one_run(args.db, args.window)
        missed += (got["painted"] >= 1.0) + (got["key_max"] >= 0.1)
    print(f"goals: painted < 1 s, longest key latency during a refresh < 100 ms; "
          f"{'missed' if missed else 'met'}; load after {os.getloadavg()[0]:.2f}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
