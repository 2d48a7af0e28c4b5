"""`socialcare-tui demo`: a database built from sample_data/, opened in the app."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

NAME = "demo"
HELP = "build a database from sample_data/ (in a temporary folder or --db) and open the app on it"
EXAMPLE = "socialcare-tui demo --window 7d"


def add_arguments(parser) -> None:
    parser.add_argument("--no-open", action="store_true",
                        help="print the imported files and the report instead of opening the app")
    parser.add_argument("--window", metavar="SPAN", help="time window to start with (default 7d)")
    parser.add_argument("--refresh", type=float, metavar="SECONDS", help="seconds between refreshes")
    from socialcare_tui.commands.open import add_display_arguments

    add_display_arguments(parser)


def run(args) -> int:
    if args.db:
        return _demo(args, Path(args.db).expanduser())
    with tempfile.TemporaryDirectory(prefix="socialcare-demo-") as folder:
        return _demo(args, Path(folder) / "demo.duckdb")


def _demo(args, db_path: Path) -> int:
    from socialcare_tui.commands import open as open_command
    from socialcare_tui.sample.demo import build_demo_db

    config = demo_config(args.config)
    open_command.check_settings(config)
    refresh = open_command.check_refresh(args.refresh)
    wall = open_command.wallboard_settings(args, config)
    state = open_command.view_state(
        argparse.Namespace(window=args.window or "7d", as_of=None, channel=None), config
    )
    if not args.no_open:
        open_command.check_terminal()
    build_demo_db(db_path)
    if args.no_open:
        return describe(db_path, config)
    open_command.run_app(config, state, db_path=str(db_path), refresh=refresh, wallboard=wall,
                         redact=args.redact)
    return 0


def demo_config(path: str | None):
    """--config, else the sample config (SLA overrides, targets, costs) with the user's theme."""
    from dataclasses import replace

    from socialcare_tui.commands import load_config
    from socialcare_tui.config import Config
    from socialcare_tui.sample.demo import SAMPLE_DIR

    if path:
        return load_config(path)
    sample = SAMPLE_DIR / "config.toml"
    config = load_config(sample) if sample.exists() else Config()
    try:
        user = load_config(None)
    except Exception:  # a broken user config must not stop the demo; `open` reports it
        return config
    tui = replace(config.tui, theme=user.tui.theme, keys=user.tui.keys or config.tui.keys)
    return replace(config, tui=tui, path=None)  # remember the theme in the user's config, not in sample_data/


def describe(db_path: Path, config) -> int:
    """What the demo database holds: the import ledger, then every KPI over all the data."""
    from socialcare_tui import output
    from socialcare_tui.commands import sources
    from socialcare_tui.kpi import engine
    from socialcare_tui.store import open_db

    print(f"demo database: {db_path}")
    sources.run(argparse.Namespace(db=str(db_path), json=False))
    con = open_db(db_path, read_only=True)
    try:
        report = engine.report(con.cursor(), engine.Scope(), config.kpi)
    finally:
        con.close()
    print()
    print(output.render_report(report, "table", width=100), end="")
    return 0
