"""The scope of a KPI question (as_of, window or from/to, filters), made in one place.

`Scope` is what the engine is asked about; `parse` makes one from what a user
typed (the CLI's options and `open`'s, both given as plain strings) and the
config's default window, so the app and every command read times, windows and
filters the same way: channel aliases (`X` is `twitter`, config
`channel_aliases`), repeated values counted once, one error text per mistake.
`resolve` turns a Scope into the window bounds and the bound parameters every
KPI statement may use; `check_filters` refuses a filter value the database
does not hold, naming the known ones.

Filters are taken literally (a value is never split or parsed). Times are ISO
8601 or relative (`24h` = that long before as_of; for --as-of, before the wall
clock). A bad value is a UserError (exit 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.config import KpiConfig, ScopeConfig
from socialcare_tui.errors import UserError
from socialcare_tui.ingest.channels import normalise
from socialcare_tui.kpi import calendar
from socialcare_tui.safetext import clean
from socialcare_tui.timeparse import iso_utc, parse_duration, parse_instant, parse_time_or_relative

US = timedelta(microseconds=1)
EARLIEST = datetime(1, 1, 1)
LATEST = datetime(9999, 12, 31)
ALL = "all"  # the window that is no window: every event up to as_of
LIVE_WINDOW = "24h"  # the default window while following a feed, when config sets none
FILTERS = (("channel", "channels"), ("queue", "queues"), ("agent", "agents"), ("tag", "tags"))
KNOWN_SHOWN = 12  # known values named in the error line, at most
COMBINED = "--window cannot be combined with --from/--to; use one or the other"
_SQL = ("socialcare_tui.kpi.sql", "scope.sql")


@dataclass(frozen=True)
class Scope:
    """Times are naive UTC. as_of None = the newest event (the wall clock when live).
    start/end = --from (inclusive) / --to (exclusive); window = --window D
    (as_of - D < t <= as_of). A filter keeps a conversation matching any of its
    values; agent = the assignee at as_of or the author of one of its human
    replies; tag = a tag event's value or its topic part."""

    as_of: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None
    window: timedelta | None = None
    channels: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    live: bool = False

    @property
    def has_filters(self) -> bool:
        return bool(self.channels or self.queues or self.agents or self.tags)


@dataclass(frozen=True)
class Resolved:
    """A scope made concrete: as_of (None on an empty database) and the half-open
    window lo <= t < hi; `params` are the bound parameters of KPI statements."""

    as_of: datetime | None
    lo: datetime
    hi: datetime
    has_window: bool
    scope: Scope = field(default_factory=Scope)
    params: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


# ---------------------------------------------------------------- the parser


def parse(config: ScopeConfig, *, window: str | None = None, as_of: str | None = None,
          start: str | None = None, end: str | None = None,
          channels: Iterable[str] | None = None, queues: Iterable[str] | None = None,
          agents: Iterable[str] | None = None, tags: Iterable[str] | None = None,
          live: bool = False, con: duckdb.DuckDBPyConnection | None = None,
          now: datetime | None = None) -> Scope:
    """The Scope that typed options describe (the CLI's and `open`'s; None = not given).

    A relative --from/--to counts back from --as-of, else from the newest event
    (read on `con` when given), else from the wall clock. Without --window and
    --from/--to the config's window applies, else 24h when `live`, else all."""
    tz = config.timezone or "UTC"
    now = now or datetime.now(UTC).replace(tzinfo=None)
    instant = parse_time_or_relative(as_of.strip(), now, tz, "--as-of") if as_of else None
    lower = _bound(start, "--from", instant, tz, con, now)
    upper = _bound(end, "--to", instant, tz, con, now)
    if window is not None and (lower is not None or upper is not None):
        raise UserError(COMBINED)
    if lower is not None and upper is not None and lower >= upper:
        raise UserError(f"--from {(start or '').strip()} is not before --to {(end or '').strip()}")
    bounded = lower is not None or upper is not None
    span = None if bounded else window_span(window_choice(window, config, live=live))
    return Scope(as_of=instant, start=lower, end=upper, window=span,
                 channels=channel_names(channels, config), queues=distinct(queues),
                 agents=distinct(agents), tags=distinct(tags), live=live)


def window_choice(text: str | None, config: ScopeConfig, *, live: bool = False) -> str:
    """The window asked for, or config's, or the default: `all` or a valid span like `7d`."""
    chosen = text if text is not None else (config.window or (LIVE_WINDOW if live else ALL))
    chosen = str(chosen).strip().lower()
    window_span(chosen)  # refused here, with the option's name, rather than later
    return chosen


def window_span(name: str | None) -> timedelta | None:
    """`all` (or None) is no window; otherwise a positive span such as 24h or 7d."""
    if name is None or name.strip().lower() == ALL:
        return None
    span = parse_duration(name, "--window")
    if span <= timedelta(0):
        raise not_positive(name.strip())
    return span


def not_positive(text: str | None = None) -> UserError:
    """The one error for a window that is not a positive span."""
    return UserError(f"--window{' ' + text if text else ''}: must be a positive span such as 24h or 7d")


def channel_names(values: Iterable[str] | None, config: ScopeConfig | None = None) -> tuple[str, ...]:
    """Channel names as the importer stores them (`X` is `twitter`, config aliases apply);
    a blank value is kept as typed (it matches nothing, and says so)."""
    aliases = (config.channel_aliases if config is not None else None) or {}
    return distinct(normalise(v, aliases) or v for v in (values or ()))


def distinct(values: Iterable[str] | None) -> tuple[str, ...]:
    """The values in the order given, each once."""
    return tuple(dict.fromkeys(values or ()))


def _bound(text: str | None, what: str, as_of: datetime | None, tz: str,
           con: duckdb.DuckDBPyConnection | None, now: datetime) -> datetime | None:
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


# ---------------------------------------------------------------- the database's side


def _statement(name: str) -> str:
    return sqlfiles.statement(*_SQL, name)


def newest_event(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """Time of the newest event; None on an empty database."""
    row = con.execute(_statement("newest_event")).fetchone()
    return row[0] if row else None


def oldest_event(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """Time of the first event; None on an empty database."""
    row = con.execute(_statement("oldest_event")).fetchone()
    return row[0] if row else None


def known_values(con: duckdb.DuckDBPyConnection, attribute: str) -> list[str]:
    """Every value the filter `attribute` (channels, queues, agents, tags) can match."""
    if attribute not in {name for _, name in FILTERS}:
        raise ValueError(f"no filter {attribute!r}")
    return [row[0] for row in con.execute(_statement(f"known_{attribute}")).fetchall()]


def check_filters(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """A filter value that matches nothing in the database is a mistake (a typo, another
    database): one line naming the known values, exit 2, instead of an empty report."""
    for option, attribute in FILTERS:
        wanted: tuple[str, ...] = getattr(scope, attribute)
        if not wanted:
            continue
        known = known_values(con, attribute)
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


def shown(text: str, limit: int = 60) -> str:
    """User input echoed in an error: cleaned, one line, bounded."""
    text = clean(text, single_line=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- resolution


def naive(value: datetime | None) -> datetime | None:
    """Aware datetimes become naive UTC; naive ones are taken as UTC already."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def resolve(cur: duckdb.DuckDBPyConnection, scope: Scope, config: KpiConfig) -> Resolved:
    """The window bounds of `scope` (as_of = the newest event on `cur` when not given)
    and the parameters KPI statements may use: $as_of, $lo, $hi, $prev_lo, $prev_hi,
    $has_window, $auto_resolve, $fcr_window, $tz, the calendar's, and the filters."""
    scope = replace(scope, as_of=naive(scope.as_of), start=naive(scope.start), end=naive(scope.end))
    if scope.window is not None and (scope.start or scope.end):
        raise UserError(COMBINED)
    if scope.window is not None and scope.window <= timedelta(0):
        raise not_positive()
    if scope.start and scope.end and scope.start >= scope.end:
        raise UserError(f"--from {iso_utc(scope.start)} is not before --to {iso_utc(scope.end)}")
    as_of = scope.as_of
    if as_of is None:
        as_of = datetime.now(UTC).replace(tzinfo=None) if scope.live else newest_event(cur)
    upper = as_of + US if as_of is not None else LATEST
    if scope.window is not None:
        lo, hi = (as_of - scope.window + US, upper) if as_of else (EARLIEST, LATEST)
    else:
        lo, hi = scope.start or EARLIEST, scope.end or upper
    has_window = scope.window is not None or scope.start is not None or scope.end is not None
    prev_lo = prev_hi = EARLIEST  # no window: an empty previous window
    if has_window and as_of is not None and lo > EARLIEST:
        prev_hi = lo
        prev_lo = max(EARLIEST, lo - (min(hi, as_of + US) - lo))
    params = {
        "as_of": as_of, "lo": lo, "hi": hi, "prev_lo": prev_lo, "prev_hi": prev_hi,
        "has_window": has_window,
        "auto_resolve": float(config.auto_resolve_after),
        "fcr_window": float(config.fcr_repeat_window),
        "tz": config.timezone,
        **calendar.cal_params(config.business_hours),
        "channels": [c.strip().lower() for c in scope.channels],
        "queues": list(scope.queues), "agents": list(scope.agents), "tags": list(scope.tags),
    }
    return Resolved(as_of, lo, hi, has_window, scope, params)
