"""Options shared by report, explain, queue and export: the argparse side only.

What the options mean (times, windows, aliases, filters, every error) is
`kpi.scope.parse`, which the app's `open` uses too.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager

from socialcare_tui import output

BY_CHOICES = ("channel", "queue", "agent", "hour", "day", "week")
FILTERS = ("channel", "queue", "agent", "tag")


class _LiteralAppend(argparse.Action):
    """Repeatable option whose value is kept as typed; Python 3.11's argparse turns
    `--queue=--` into an empty list, which here means the literal `--`."""

    def __call__(self, parser, namespace, values, option_string=None):
        value = "--" if values == [] else values
        items = list(getattr(namespace, self.dest, None) or [])
        items.append(value)
        setattr(namespace, self.dest, items)


def add_scope_arguments(parser: argparse.ArgumentParser, *, by: bool = True) -> None:
    """--from/--to/--window/--as-of and the repeatable filters; --by when the command groups."""
    group = parser.add_argument_group("scope")
    group.add_argument("--from", dest="from_", metavar="TIME",
                       help="window start, inclusive (ISO 8601 like 2017-10-31, or 7d before as-of)")
    group.add_argument("--to", metavar="TIME", help="window end, exclusive (ISO 8601 or relative)")
    group.add_argument("--window", metavar="SPAN",
                       help="the SPAN up to as-of, e.g. 24h, 7d, 90m, or 'all' (default: config window, else all)")
    group.add_argument("--as-of", metavar="TIME",
                       help="the instant described (default: the newest event in the database)")
    for name in FILTERS:
        group.add_argument(f"--{name}", action=_LiteralAppend, metavar=name.upper(), default=None,
                           help=f"only this {name} (repeat for several; taken literally)")
    if by:
        group.add_argument("--by", choices=BY_CHOICES, help="also give every figure per group")


def add_output_arguments(parser: argparse.ArgumentParser, *, formats=output.FORMATS) -> None:
    parser.add_argument("--format", choices=formats,
                        help="output format (default: table on a terminal, else json)")
    parser.add_argument("--output", metavar="FILE", help="write to FILE (owner-only) instead of stdout")


def scope_from_args(args: argparse.Namespace, config, con=None, *, live: bool = False):
    """The Scope the parsed options describe (times naive UTC)."""
    from socialcare_tui.kpi import scope  # kpi imports duckdb-heavy code: only when needed

    return scope.parse(config, window=args.window, as_of=args.as_of, start=args.from_, end=args.to,
                       channels=args.channel, queues=args.queue, agents=args.agent,
                       tags=getattr(args, "tag", None), live=live, con=con)


@contextmanager
def scoped(args: argparse.Namespace, *, live: bool = False):
    """(config, read-only connection, Scope) for one command; the database is held only
    inside the block (a feeder waiting for it goes next: store.access lets writers first),
    and a busy file (a feeder importing) is waited for."""
    from socialcare_tui.commands import load_config
    from socialcare_tui.commands.waiting import tell_once
    from socialcare_tui.kpi.scope import check_filters
    from socialcare_tui.store.access import database

    config = load_config(args.config)
    scope_from_args(args, config.scope, None, live=live)  # a bad option fails before the database opens
    with database(args.db, read_only=True, on_wait=tell_once()) as con:
        scope = scope_from_args(args, config.scope, con, live=live)
        check_filters(con, scope)
        yield config, con, scope


def shown(text: str, limit: int = 60) -> str:
    """User input echoed in an error: cleaned, one line, bounded."""
    from socialcare_tui.kpi.scope import shown as bounded

    return bounded(text, limit)


def kpi_ids() -> list[str]:
    from socialcare_tui.kpi import registry

    return list(registry.ids())
