"""`socialcare-tui open` (the default command): the Textual app on the database."""

from __future__ import annotations

from datetime import datetime, timezone

from socialcare_tui.errors import UserError

NAME = "open"
HELP = "open the app: dashboard, queues, conversations, agents and trends"
EXAMPLE = "socialcare-tui open --window 7d --channel twitter"


def add_arguments(parser) -> None:
    parser.add_argument("--window", metavar="SPAN", help="time window: 24h, 7d, 30d, a span like 90m, or all")
    parser.add_argument("--channel", action="append", metavar="CHANNEL", help="start filtered to this channel")
    parser.add_argument("--as-of", metavar="TIME", help="the instant shown (ISO 8601, or 24h = that long ago)")
    parser.add_argument("--refresh", type=float, metavar="SECONDS",
                        help="seconds between refreshes (default: config refresh_seconds, 5)")
    parser.add_argument("--read-only", action="store_true",
                        help="open the database read-only (no imports; another process may write)")


def run(args) -> int:
    from socialcare_tui import config as config_module
    from socialcare_tui.store import open_db
    from socialcare_tui.store.connection import resolve_path

    config = config_module.load(args.config)
    state = view_state(args, config)
    refresh = check_refresh(args.refresh)
    check_settings(config)
    db_path = resolve_path(args.db)
    con = open_db(db_path, read_only=args.read_only)
    try:
        run_app(con, config, state, db_path=str(db_path), refresh=refresh,
                config_path=args.config, read_only=args.read_only)
    finally:
        con.close()
    return 0


def run_app(con, config, state, *, db_path: str, refresh=None, config_path=None, read_only=False) -> None:
    from socialcare_tui.paths import default_config_path
    from socialcare_tui.tui.app import SocialCareApp
    from socialcare_tui.tui.data import DataSource

    remember_in = config_path or config.path or default_config_path()
    app = SocialCareApp(DataSource(con, config), db_path=db_path, state=state, refresh_seconds=refresh,
                        config_path=remember_in, read_only=read_only)
    app.run()


def view_state(args, config):
    from socialcare_tui.timeparse import parse_duration, parse_time_or_relative
    from socialcare_tui.tui.state import ViewState

    window = (args.window or config.window or "all").strip().lower()
    if window != "all":
        span = parse_duration(window, "--window")
        if span.total_seconds() <= 0:
            raise UserError(f"--window {window}: must be a positive span such as 24h or 7d")
    as_of = None
    if args.as_of:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        as_of = parse_time_or_relative(args.as_of, now, config.timezone, "--as-of")
    channels = tuple(dict.fromkeys(c.strip() for c in args.channel or () if c.strip()))
    return ViewState(window=window, as_of=as_of, channels=channels)


def check_refresh(value: float | None) -> float | None:
    if value is not None and not value >= 0.5:
        raise UserError(f"--refresh {value}: must be at least 0.5 seconds")
    return value


def check_settings(config) -> None:
    """Config keys and theme the app would reject, as one line before it starts."""
    from textual.theme import BUILTIN_THEMES

    from socialcare_tui.tui.keys import action_ids

    if config.theme not in BUILTIN_THEMES:
        raise UserError(f"config theme: unknown theme '{config.theme}' (known: {', '.join(sorted(BUILTIN_THEMES))})")
    known = action_ids()
    for action in config.keys:
        if action not in known:
            raise UserError(f"config keys: unknown action '{action}' (known: {', '.join(sorted(known))})")
