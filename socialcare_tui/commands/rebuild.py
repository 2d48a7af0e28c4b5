"""`socialcare-tui rebuild`: compute every stored conversation fact again from the events."""

from __future__ import annotations

import sys
import time

NAME = "rebuild"
HELP = ("compute the stored conversation facts again from the events (after a change of "
        "auto_resolve_after, or to repair them)")
EXAMPLE = "socialcare-tui rebuild --config ~/.config/socialcare-tui/config.toml"


def add_arguments(parser) -> None:
    parser.add_argument("--quiet", action="store_true", help="print only the closing line")


def run(args) -> int:
    from socialcare_tui.commands import load_config
    from socialcare_tui.commands.waiting import tell_once
    from socialcare_tui.errors import UserError
    from socialcare_tui.store import facts
    from socialcare_tui.store.access import database
    from socialcare_tui.store.connection import resolve_path

    config = load_config(args.config)
    if not resolve_path(args.db).exists():
        raise UserError(f"{resolve_path(args.db)}: no such database; import data first")
    started = time.monotonic()
    with database(args.db, read_only=False, on_wait=tell_once()) as con:
        if args.quiet:
            done = facts.rebuild(con, config.facts.auto_resolve_after)
        elif sys.stderr.isatty():
            done = _with_progress(con, config.facts.auto_resolve_after, facts)
        else:
            done = facts.rebuild(con, config.facts.auto_resolve_after, step=_print_step)
    print(f"rebuilt the facts of {done.conversations:,} conversations in "
          f"{time.monotonic() - started:.1f} s")
    return 0


def _print_step(done: int, total: int) -> None:
    print(f"computing facts {done + 1}/{total}…", file=sys.stderr, flush=True)


def _with_progress(con, auto_resolve: float, facts):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("computing facts"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task("rebuilding", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = facts.rebuild(con, auto_resolve, step=step)
    return result
