"""Options shared by report, explain, queue and export, and their translation into a `Scope`.

Filters are repeatable and taken literally (a value is never split or parsed).
Times are ISO 8601 or relative (`24h` = that long before as_of; for --as-of,
before the wall clock). A bad time is a UserError (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from socialcare_tui import output, sqlfiles
from socialcare_tui.errors import UserError
from socialcare_tui.timeparse import parse_duration, parse_instant, parse_time_or_relative

BY_CHOICES = ("channel", "queue", "agent", "hour", "day", "week")
FILTERS = (("channel", "channels"), ("queue", "queues"), ("agent", "agents"), ("tag", "tags"))


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
    for name, _ in FILTERS:
        group.add_argument(f"--{name}", action=_LiteralAppend, metavar=name.upper(), default=None,
                           help=f"only this {name} (repeat for several; taken literally)")
    if by:
        group.add_argument("--by", choices=BY_CHOICES, help="also give every figure per group")


def add_output_arguments(parser: argparse.ArgumentParser, *, formats=output.FORMATS) -> None:
    parser.add_argument("--format", choices=formats,
                        help="output format (default: table on a terminal, else json)")
    parser.add_argument("--output", metavar="FILE", help="write to FILE (owner-only) instead of stdout")


def newest_event(con) -> datetime | None:
    sql = sqlfiles.statement("socialcare_tui.kpi.sql", "browse.sql", "newest_event")
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def oldest_event(con) -> datetime | None:
    sql = sqlfiles.statement("socialcare_tui.kpi.sql", "browse.sql", "oldest_event")
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def scope_from_args(args: argparse.Namespace, config, con=None, *, live: bool = False):
    """The Scope the parsed options describe (times naive UTC)."""
    from socialcare_tui.kpi.engine import Scope  # the engine imports duckdb-heavy code lazily

    tz = getattr(config, "timezone", "UTC") or "UTC"
    now = datetime.now(UTC).replace(tzinfo=None)
    as_of = None
    if args.as_of:
        as_of = parse_time_or_relative(args.as_of, now, tz, "--as-of")
    start = _bound(args.from_, "--from", as_of, tz, con, now)
    end = _bound(args.to, "--to", as_of, tz, con, now)
    window = _window(args, config, start, end, live)
    if start is not None and end is not None and start >= end:
        raise UserError(f"--from {args.from_} is not before --to {args.to}")
    return Scope(
        as_of=as_of,
        start=start,
        end=end,
        window=window,
        channels=_channels(args.channel, config),
        queues=_values(args.queue),
        agents=_values(args.agent),
        tags=_values(getattr(args, "tag", None)),
        live=live,
    )


def _channels(values, config) -> tuple[str, ...]:
    """Channel names as the importer stores them (`X` is `twitter`, config aliases apply)."""
    from socialcare_tui.ingest.channels import normalise

    aliases = getattr(config, "channel_aliases", None) or {}
    return _values(normalise(v, aliases) or v for v in (values or ()))


def _values(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values or ()))


def _bound(text, what, as_of, tz, con, now):
    """An ISO instant, or a span before as_of (the newest event when --as-of is not given)."""
    if text is None:
        return None
    text = text.strip()
    try:
        parse_duration(text, what)
        relative = not _looks_like_number(text)
    except UserError:
        relative = False
    if not relative:
        return parse_instant(text, tz, what)
    anchor = as_of or (newest_event(con) if con is not None else None) or now
    return parse_time_or_relative(text, anchor, tz, what)


def _looks_like_number(text: str) -> bool:
    # A bare number like 2017 is a year to people, not seconds.
    try:
        float(text)
        return True
    except ValueError:
        return False


def _window(args, config, start, end, live) -> timedelta | None:
    text = args.window
    if text is not None and (start is not None or end is not None):
        raise UserError("--window cannot be combined with --from/--to; use one or the other")
    if start is not None or end is not None:
        return None
    if text is None:
        text = getattr(config, "window", None) or ("24h" if live else None)
    if text is None or str(text).strip().lower() == "all":
        return None
    span = parse_duration(text, "--window")
    if span.total_seconds() <= 0:
        raise UserError(f"--window {text}: must be a positive span such as 24h or 7d")
    return span


@contextmanager
def scoped(args: argparse.Namespace, *, live: bool = False):
    """(config, read-only connection, Scope) for one command; the database is held only
    inside the block (a feeder waiting for it goes next: store.access lets writers first),
    and a busy file (a feeder importing) is waited for."""
    from socialcare_tui.commands import load_config
    from socialcare_tui.store.access import database

    config = load_config(args.config)
    scope_from_args(args, config.scope, None, live=live)  # a bad option fails before the database opens
    with database(args.db, read_only=True, on_wait=_tell_once()) as con:
        scope = scope_from_args(args, config.scope, con, live=live)
        check_filters(con, scope)
        yield config, con, scope


KNOWN_SHOWN = 12  # known values named in the error line, at most


def check_filters(con, scope) -> None:
    """A filter value that matches nothing in the database is a mistake (a typo, another
    database): one line naming the known values, exit 2, instead of an empty report."""
    for option, attribute in FILTERS:
        wanted = getattr(scope, attribute, ()) or ()
        if not wanted:
            continue
        sql = sqlfiles.statement("socialcare_tui.commands.sql", "filters.sql", f"known_{attribute}")
        known = [row[0] for row in con.execute(sql).fetchall()]
        missing = [value for value in wanted if value not in set(known)]
        if missing:
            raise UserError(f"--{option} {shown(missing[0])}: no such {option} in the database "
                            f"({known_list(known)})")


def known_list(known: list[str]) -> str:
    if not known:
        return "it has none"
    names = ", ".join(shown(name, 30) for name in known[:KNOWN_SHOWN])
    more = len(known) - KNOWN_SHOWN
    return f"known: {names}" + (f" and {more} more" if more > 0 else "")


def _tell_once():
    told = []

    def on_wait(message: str) -> None:
        if not told:
            told.append(message)
            print(f"socialcare-tui: {message}", file=sys.stderr)

    return on_wait


def shown(text: str, limit: int = 60) -> str:
    """User input echoed in an error: cleaned, one line, bounded."""
    from socialcare_tui.safetext import clean

    text = clean(text, single_line=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kpi_ids() -> list[str]:
    from socialcare_tui.kpi import registry

    return list(registry.ids())


def kpi_titles() -> dict[str, str]:
    from socialcare_tui.kpi import registry

    return {kpi_id: registry.get(kpi_id).title for kpi_id in registry.ids()}
