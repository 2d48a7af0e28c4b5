"""`socialcare-tui open` (the default command): the Textual app on the database."""

from __future__ import annotations

import argparse
from pathlib import Path

from socialcare_tui.errors import UserError

NAME = "open"
HELP = "open the app: dashboard, queues, conversations, agents and trends"
EXAMPLE = "socialcare-tui open --window 7d --channel twitter"


def add_arguments(parser) -> None:
    parser.add_argument("--watch", action="append", metavar="PATH",
                        help="follow this log file or folder and import what is appended (repeatable)")
    parser.add_argument("--window", metavar="SPAN", help="time window: 24h, 7d, 30d, a span like 90m, or all")
    parser.add_argument("--channel", action="append", metavar="CHANNEL", help="start filtered to this channel")
    parser.add_argument("--as-of", metavar="TIME", help="the instant shown (ISO 8601, or 24h = that long ago)")
    parser.add_argument("--refresh", type=float, metavar="SECONDS",
                        help="seconds between refreshes (default: config refresh_seconds, 5)")
    parser.add_argument("--read-only", action="store_true",
                        help="open the database read-only (no imports; another process may write)")
    add_display_arguments(parser)
    # set by `serve` for the app it runs per browser: no imports, exports or config writes
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)


def add_display_arguments(parser) -> None:
    """--wallboard and --redact, shared by open, demo and serve."""
    parser.add_argument("--wallboard", action="store_true",
                        help="show the [wallboard] KPIs in large digits, cycling through the channels")
    parser.add_argument("--redact", action="store_true",
                        help="show customer handles, e-mails and phone numbers as stable pseudonyms")


def run(args) -> int:
    from socialcare_tui.commands import load_config
    from socialcare_tui.store.connection import resolve_path

    config = load_config(args.config)
    state = view_state(args, config)
    refresh = check_refresh(args.refresh)
    check_settings(config)
    wall = wallboard_settings(args, config)
    db_path = resolve_path(args.db)
    follower = make_follower(args.watch, db_path, config, args.read_only)
    if follower is None:
        check_exists(db_path)
    check_database(db_path, args.read_only)
    check_filters(db_path, state)
    served = getattr(args, "served", False)
    if not served:
        check_terminal()  # last: a mistake in the options or the file is told first
    run_app(config, state, db_path=str(db_path), refresh=refresh,
            config_path=args.config, read_only=args.read_only or served, follower=follower,
            wallboard=wall, redact=getattr(args, "redact", False), served=served)
    return 0


def wallboard_settings(args, config):
    """The wallboard's tiles and cycle when --wallboard is given (checked before the app starts)."""
    if not getattr(args, "wallboard", False):
        return None
    from socialcare_tui.tui.tiles import settings

    return settings(config.tui.wallboard)


def make_follower(paths, db_path, config, read_only: bool):
    """The follower of --watch (checked before the app starts), or None."""
    if not paths:
        return None
    if read_only:
        raise UserError("--watch imports what it follows, so it cannot be combined with --read-only")
    from socialcare_tui.ingest import pipeline
    from socialcare_tui.ingest.follow import Follower

    options = pipeline.ImportOptions.configured(config.ingest, config.facts)
    return Follower(paths, db_path, options)


def check_terminal(stdin=None, screen=None) -> None:
    """The app reads keys from stdin and draws on stderr: without a terminal there it would
    wait for keys forever (under a service manager by mistake). One line, exit 2."""
    import os
    import sys

    if os.environ.get("TEXTUAL_DRIVER"):  # a driver chosen on purpose (textual-serve's web driver)
        return
    stdin = stdin or sys.stdin
    screen = screen or sys.__stderr__
    for name, stream in (("input", stdin), ("output", screen)):
        if stream is None or not stream.isatty():
            raise UserError(
                f"the app needs a terminal, and its {name} is not one; to feed a database without "
                "a screen use `socialcare-tui watch PATH --db DB`, for figures `socialcare-tui report`")


def check_exists(db_path) -> None:
    """Only `import`, `watch`, `demo` (and `open --watch`, which imports) create a database:
    a mistyped --db is one line saying how to make one, not a new empty file."""
    from socialcare_tui.errors import DatabaseUnavailable

    if not db_path.exists():
        raise DatabaseUnavailable(
            f"{db_path}: no such database; create it with `socialcare-tui import FILE --db {db_path}` "
            "(or look around with `socialcare-tui demo`)")


def check_filters(db_path, state) -> None:
    """--channel values the database does not hold: one line naming the known ones."""
    if not state.channels or not db_path.exists():
        return
    from socialcare_tui.kpi.scope import check_filters as check
    from socialcare_tui.store.access import database

    with database(db_path, read_only=True) as con:
        check(con, state.scope())


def check_database(db_path, read_only: bool) -> None:
    """Open and close the database once, so a missing, foreign or locked file is one
    line before the app starts (DatabaseUnavailable, exit 3), not an error inside it."""
    from socialcare_tui.commands.waiting import tell_once
    from socialcare_tui.store.access import database

    with database(db_path, read_only=read_only, on_wait=tell_once()):
        pass


def run_app(config, state, *, db_path: str, refresh=None, config_path=None, read_only=False,
            follower=None, wallboard=None, redact=False, served=False) -> None:
    """The app on `db_path`, which it opens for each refresh and closes right after."""
    from socialcare_tui.paths import default_config_path
    from socialcare_tui.tui.app import SocialCareApp
    from socialcare_tui.tui.data import DataSource

    remember_in = None if served else config_path or config.path or default_config_path()
    remember_in = Path(remember_in).expanduser() if remember_in else None  # --config is a str
    source = DataSource(None, config, db_path=db_path, read_only=read_only)
    app = SocialCareApp(source, db_path=db_path, state=state, refresh_seconds=refresh,
                        config_path=remember_in, read_only=read_only, follower=follower,
                        wallboard=wallboard, redact=redact, served=served)
    app.run()


def view_state(args, config):
    """The app's first view: --window/--as-of/--channel read by the same parser as `report`'s
    (kpi.scope.parse: aliases, validation and error text in one place)."""
    from socialcare_tui.kpi import scope as scopes
    from socialcare_tui.tui.state import ViewState

    live = bool(getattr(args, "watch", None))
    scope = scopes.parse(config.scope, window=args.window, as_of=args.as_of, channels=args.channel, live=live)
    window = scopes.window_choice(args.window, config.scope, live=live)
    return ViewState(window=window, as_of=scope.as_of, channels=scope.channels, live=live and scope.as_of is None)


def check_refresh(value: float | None) -> float | None:
    if value is not None and not value >= 0.5:
        raise UserError(f"--refresh {value}: must be at least 0.5 seconds")
    return value


def check_settings(config) -> None:
    """Config keys and theme the app would reject, as one line before it starts."""
    from textual.theme import BUILTIN_THEMES

    from socialcare_tui.tui.keys import action_ids
    from socialcare_tui.tui.panels import panel_infos

    panel_infos(config.tui.dashboard.panels)  # an unknown panel name is one line

    if config.tui.theme not in BUILTIN_THEMES:
        known_themes = ", ".join(sorted(BUILTIN_THEMES))
        raise UserError(f"config theme: unknown theme '{config.tui.theme}' (known: {known_themes})")
    known = action_ids()
    for action in config.tui.keys:
        if action not in known:
            raise UserError(f"config keys: unknown action '{action}' (known: {', '.join(sorted(known))})")
