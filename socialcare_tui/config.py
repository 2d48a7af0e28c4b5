"""Settings from `config.toml` (platformdirs user config folder, or --config).

Every key is checked; an unknown key or a bad value is a UserError naming the
key and what is allowed. Durations are written like `90m`, `24h`, `7d`.

The file is flat TOML; `load` gives a `Config` of typed, frozen sections, one per
layer, and each layer is handed its own: `facts` (store/), `ingest`, `kpi`, `scope`
(the report window and how filters and times on the command line are read) and `tui`
(with its `wallboard` and `dashboard`). Plain dataclasses: a validation library
would not keep the messages, which are the contract (figures in benchmarks/RESULTS.md).
"""

from __future__ import annotations

import math
import re
import stat
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from socialcare_tui.errors import UserError
from socialcare_tui.paths import default_config_path
from socialcare_tui.timeparse import parse_duration, zone

SLA_KINDS = ("first_response", "next_reply", "resolution")
DEFAULT_SLA = {"first_response": 3600.0, "next_reply": 4 * 3600.0, "resolution": 24 * 3600.0}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_MINUTES = 24 * 60
MAX_CONFIG_BYTES = 1024 * 1024  # a config is a few KiB; more is a mistake (or an attack)


@dataclass(frozen=True)
class Schedule:
    """One business-hours calendar. `week[i]` (Monday first) holds the open
    (start, end) minutes of the local day, sorted and merged; a range that runs
    past midnight is split, its tail going to the next day."""

    timezone: str
    week: tuple[tuple[tuple[int, int], ...], ...]
    country: str | None = None
    holidays: tuple[date, ...] = ()


@dataclass(frozen=True)
class BusinessHours:
    default: Schedule
    channel: dict[str, Schedule] = field(default_factory=dict)  # lower-case channel names
    queue: dict[str, Schedule] = field(default_factory=dict)  # queue overrides win


@dataclass(frozen=True)
class FactsConfig:
    """store/: the one value that shapes the stored facts (where a silence resolves)."""

    auto_resolve_after: float = 24 * 3600.0


@dataclass(frozen=True)
class IngestConfig:
    """ingest/: how imported rows are named and checked."""

    timezone: str = "UTC"  # naive times of a file imported from the app (`open FILE`, the palette)
    channel_aliases: dict[str, str] = field(default_factory=dict)
    future_days: int = 366  # an imported time later than now + this is a rejected row


@dataclass(frozen=True)
class KpiConfig:
    """kpi/: everything the numbers are computed with."""

    timezone: str = "UTC"  # display timezone (hours, days, weeks)
    auto_resolve_after: float = FactsConfig.auto_resolve_after
    fcr_repeat_window: float = 7 * 86400.0
    sla: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SLA))
    # (scope, name, kind, seconds), scope 'channel' or 'queue'
    sla_overrides: list[tuple[str, str, str, float]] = field(default_factory=list)
    topic_rules: dict[str, str] = field(default_factory=dict)
    cost_per_conversation: dict[str, float] = field(default_factory=dict)
    business_hours: BusinessHours | None = None  # None: durations in calendar seconds


@dataclass(frozen=True)
class ScopeConfig:
    """What a report's scope defaults to and how filter values are read (CLI and app)."""

    window: str | None = None  # default report window such as "7d"; None = whole data
    timezone: str = "UTC"  # local times given on the command line or the palette
    channel_aliases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WallboardConfig:
    """[wallboard]; names are checked against the KPIs by tui/tiles.py."""

    kpis: tuple[str, ...] | None = None  # None: the default tiles
    cycle: float | None = None  # seconds on each channel; None: the default


@dataclass(frozen=True)
class DashboardConfig:
    """[dashboard]; names are checked by tui/panels.py."""

    panels: tuple[str, ...] | None = None  # None: the default panels


@dataclass(frozen=True)
class TuiConfig:
    """tui/: what the app looks like and how it behaves."""

    theme: str = "textual-dark"
    refresh_seconds: float = 5.0
    keys: dict[str, str] = field(default_factory=dict)  # action id -> key
    targets: dict[str, float] = field(default_factory=dict)  # KPI id -> target, in the KPI's unit
    wallboard: WallboardConfig = field(default_factory=WallboardConfig)
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)


@dataclass(frozen=True)
class Config:
    """The whole file as one section per layer; a layer is handed its own section only.
    A key that several layers use (timezone, auto_resolve_after, channel_aliases) is
    copied into each of their sections."""

    facts: FactsConfig = field(default_factory=FactsConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    kpi: KpiConfig = field(default_factory=KpiConfig)
    scope: ScopeConfig = field(default_factory=ScopeConfig)
    tui: TuiConfig = field(default_factory=TuiConfig)
    path: Path | None = None  # the file read; None: defaults or a dict


# KPI ids known to the kpi layer (it passes kpi.registry.ids): config sits below kpi/,
# so it is told them rather than importing them; called only when [targets] is set.
KpiIds = Callable[[], Sequence[str]]


@dataclass
class _Values:
    """The keys as read, before they are split into sections (the readers fill it);
    the defaults are the sections' own, so a file without a key reads as no file."""

    timezone: str = KpiConfig.timezone
    window: str | None = ScopeConfig.window
    refresh_seconds: float = TuiConfig.refresh_seconds
    theme: str = TuiConfig.theme
    auto_resolve_after: float = FactsConfig.auto_resolve_after
    fcr_repeat_window: float = KpiConfig.fcr_repeat_window
    sla: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SLA))
    sla_overrides: list[tuple[str, str, str, float]] = field(default_factory=list)
    topic_rules: dict[str, str] = field(default_factory=dict)
    cost_per_conversation: dict[str, float] = field(default_factory=dict)
    channel_aliases: dict[str, str] = field(default_factory=dict)
    import_future_days: int = IngestConfig.future_days
    keys: dict[str, str] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    business_hours: BusinessHours | None = None
    wallboard: WallboardConfig = field(default_factory=WallboardConfig)
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)
    kpi_ids: KpiIds | None = None  # checks the [targets] keys when given

    def sections(self, path: Path | None) -> Config:
        return Config(
            facts=FactsConfig(self.auto_resolve_after),
            ingest=IngestConfig(self.timezone, self.channel_aliases, self.import_future_days),
            kpi=KpiConfig(self.timezone, self.auto_resolve_after, self.fcr_repeat_window, self.sla,
                          self.sla_overrides, self.topic_rules, self.cost_per_conversation,
                          self.business_hours),
            scope=ScopeConfig(self.window, self.timezone, self.channel_aliases),
            tui=TuiConfig(self.theme, self.refresh_seconds, self.keys, self.targets,
                          self.wallboard, self.dashboard),
            path=path,
        )


def load(path: str | Path | None = None, *, kpi_ids: KpiIds | None = None) -> Config:
    """Read the config file; a missing default file gives the defaults. With `kpi_ids`,
    the [targets] keys must be among them."""
    file = default_config_path() if path is None else Path(path).expanduser()
    if not file.exists():
        if path is not None:
            raise UserError(f"--config {file}: no such file")
        return Config()
    data = _parse(file)
    return from_dict(data, str(file), kpi_ids=kpi_ids, path=file)


def _parse(file: Path) -> dict[str, Any]:
    """The TOML of a regular file of at most MAX_CONFIG_BYTES (a folder or a FIFO is
    refused before it is opened: reading a FIFO would wait for a writer forever)."""
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{file}: not a regular file; --config takes a config.toml file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise UserError(f"{file}: {info.st_size} bytes is too large for a config file "
                            f"(at most {MAX_CONFIG_BYTES // 1024} KiB)")
        with file.open("rb") as fh:
            text = fh.read(MAX_CONFIG_BYTES + 1).decode("utf-8")
    except OSError as err:
        raise UserError(f"{file}: cannot read the config file ({err.strerror})") from None
    except UnicodeDecodeError as err:
        raise UserError(f"{file}: not valid TOML ({err})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{file}: not valid TOML ({err})") from None
    except RecursionError:
        raise UserError(f"{file}: not valid TOML (nested too deeply)") from None


def _finite(value: Any) -> bool:
    """A TOML number (not a boolean) that is neither inf nor nan."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def from_dict(data: dict[str, Any], where: str = "config", *, kpi_ids: KpiIds | None = None,
              path: Path | None = None) -> Config:
    values = _Values(kpi_ids=kpi_ids)
    for key, value in data.items():
        reader = _READERS.get(key)
        if reader is None:
            raise UserError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(_READERS))})")
        reader(values, value, f"{where}: {key}")
    return values.sections(path)


def _seconds(value: Any, what: str) -> float:
    seconds = parse_duration(value, what).total_seconds()
    if seconds <= 0:
        raise UserError(f"{what}: must be a positive duration such as 90m, 24h or 7d")
    return seconds


def _string_table(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UserError(f"{what}: must be a table of strings")
    return dict(value)


def _number_table(value: Any, what: str) -> dict[str, float]:
    if not isinstance(value, dict) or not all(_finite(v) and v >= 0 for v in value.values()):
        raise UserError(f"{what}: must be a table of non-negative numbers")
    return {k: float(v) for k, v in value.items()}


def _read_timezone(config: _Values, value: Any, what: str) -> None:
    if not isinstance(value, str):
        raise UserError(f"{what}: must be an IANA timezone name such as 'Europe/Paris'")
    zone(value, what)
    config.timezone = value


def _read_window(config: _Values, value: Any, what: str) -> None:
    if value in ("all", None):
        config.window = None
        return
    _seconds(value, what)
    config.window = str(value)


def _read_refresh(config: _Values, value: Any, what: str) -> None:
    if not _finite(value) or not 0.5 <= value <= 86400:
        raise UserError(f"{what}: must be a number of seconds from 0.5 to 86400")
    config.refresh_seconds = float(value)


def _read_theme(config: _Values, value: Any, what: str) -> None:
    if not isinstance(value, str):
        raise UserError(f"{what}: must be a Textual theme name such as 'textual-dark'")
    config.theme = value


def _read_auto_resolve(config: _Values, value: Any, what: str) -> None:
    config.auto_resolve_after = _seconds(value, what)


def _read_fcr_window(config: _Values, value: Any, what: str) -> None:
    config.fcr_repeat_window = _seconds(value, what)


def _read_sla(config: _Values, value: Any, what: str) -> None:
    if not isinstance(value, dict):
        raise UserError(f"{what}: must be a table ([sla])")
    for key, item in value.items():
        if key in SLA_KINDS:
            config.sla[key] = _seconds(item, f"{what}.{key}")
        elif key in ("channel", "queue") and isinstance(item, dict):
            for name, targets in item.items():
                if not isinstance(targets, dict):
                    raise UserError(f"{what}.{key}.{name}: must be a table of targets")
                for kind, target in targets.items():
                    if kind not in SLA_KINDS:
                        raise UserError(
                            f"{what}.{key}.{name}: unknown target '{kind}' (known: {', '.join(SLA_KINDS)})"
                        )
                    seconds = _seconds(target, f"{what}.{key}.{name}.{kind}")
                    config.sla_overrides.append((key, name, kind, seconds))
        else:
            raise UserError(
                f"{what}: unknown key '{key}' (known: {', '.join(SLA_KINDS)}, channel, queue)"
            )


MAX_TOPIC_RULES = 500
MAX_RULE_CHARS = 2_000  # one pattern
MAX_RULES_CHARS = 50_000  # all of them: they are matched as one alternation too


def _read_topic_rules(config: _Values, value: Any, what: str) -> None:
    rules = _string_table(value, what)
    if len(rules) > MAX_TOPIC_RULES:
        raise UserError(f"{what}: {len(rules)} rules; at most {MAX_TOPIC_RULES} (merge topics with |)")
    for topic, pattern in rules.items():
        if len(pattern) > MAX_RULE_CHARS:
            raise UserError(f"{what}.{topic}: a pattern of {len(pattern)} characters; at most {MAX_RULE_CHARS}")
    if sum(len(p) for p in rules.values()) > MAX_RULES_CHARS:
        raise UserError(f"{what}: the patterns add up to more than {MAX_RULES_CHARS} characters")
    # The rules run in DuckDB (RE2 syntax), so DuckDB is the judge of a pattern.
    with duckdb.connect() as con:
        for topic, pattern in rules.items():
            try:
                con.execute("SELECT regexp_matches('', $pattern)", {"pattern": pattern})
            except duckdb.Error as err:
                reason = str(err).splitlines()[0]
                raise UserError(f"{what}.{topic}: not a valid regular expression ({reason})") from None
        if rules:  # and all of them as the one alternation kpi/lexicon.py matches first
            try:
                con.execute("SELECT regexp_matches('', $pattern, 'i')",
                            {"pattern": "|".join(f"(?:{p})" for p in rules.values())})
            except duckdb.Error as err:
                reason = str(err).splitlines()[0]
                raise UserError(f"{what}: the rules together are too large for the regular "
                                f"expression engine ({reason})") from None
    config.topic_rules = rules


def _read_costs(config: _Values, value: Any, what: str) -> None:
    config.cost_per_conversation = _number_table(value, what)


def _read_aliases(config: _Values, value: Any, what: str) -> None:
    config.channel_aliases = _string_table(value, what)


def _read_future_days(config: _Values, value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserError(f"{what}: must be a whole number of days, 0 or more")
    config.import_future_days = value


def _read_keys(config: _Values, value: Any, what: str) -> None:
    config.keys = _string_table(value, what)


def _read_targets(config: _Values, value: Any, what: str) -> None:
    targets = _number_table(value, what)
    if config.kpi_ids is not None:
        _check_target_ids(targets, config.kpi_ids(), what)
    config.targets = targets


def _check_target_ids(targets: dict[str, float], known: Sequence[str], what: str) -> None:
    for kpi_id in targets:
        if kpi_id not in known:
            raise UserError(f"{what}: unknown KPI id '{kpi_id}' (see `socialcare-tui report --help`; "
                            f"e.g. {', '.join(known[:3])})")


_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_SCHEDULE_KEYS = ("timezone", "country", "holidays", *WEEKDAYS)


def _minutes(hours: str, minutes: str, what: str) -> int:
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > DAY_MINUTES:
        raise UserError(f"{what}: '{hours}:{minutes}' is not a time of day (00:00 to 24:00)")
    return value


def _day_ranges(value: Any, what: str) -> list[tuple[int, int]]:
    """'09:00-12:00, 13:00-18:00' -> [(540, 720), (780, 1080)]; '' = closed;
    an end before the start runs past midnight (split by _week)."""
    if not isinstance(value, str):
        raise UserError(f"{what}: must be a string of ranges such as \"09:00-18:00\" (\"\" = closed)")
    ranges = []
    for part in filter(str.strip, value.split(",")):
        match = _RANGE.match(part)
        if not match:
            raise UserError(f"{what}: '{part.strip()}' is not a range such as 09:00-18:00")
        start = _minutes(match[1], match[2], what)
        end = _minutes(match[3], match[4], what)
        if start == end or start == DAY_MINUTES:
            raise UserError(f"{what}: '{part.strip()}' is an empty range")
        ranges.append((start, end))
    return ranges


def _week(table: dict[str, Any], what: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    days: list[list[tuple[int, int]]] = [[] for _ in WEEKDAYS]
    for i, name in enumerate(WEEKDAYS):
        for start, end in _day_ranges(table.get(name, ""), f"{what}.{name}"):
            if end > start:
                days[i].append((start, end))
            else:  # overnight: until midnight, then on into the next day
                days[i].append((start, DAY_MINUTES))
                if end > 0:
                    days[(i + 1) % 7].append((0, end))
    week = []
    for ranges in days:
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        week.append(tuple((a, b) for a, b in merged))
    if not any(week):
        raise UserError(f"{what}: no open hours on any weekday (e.g. monday = \"09:00-18:00\")")
    return tuple(week)


def _holiday_dates(value: Any, what: str) -> tuple[date, ...]:
    if not isinstance(value, list):
        raise UserError(f"{what}: must be a list of dates such as [\"2024-12-24\"]")
    out = []
    for item in value:
        if isinstance(item, date) and not hasattr(item, "hour"):
            out.append(item)
            continue
        try:
            out.append(date.fromisoformat(item))
        except (TypeError, ValueError):
            raise UserError(f"{what}: '{item}' is not a date such as 2024-12-24") from None
    return tuple(sorted(set(out)))


def _country(value: Any, what: str) -> str:
    import holidays  # only needed when a country is configured

    if not isinstance(value, str):
        raise UserError(f"{what}: must be a country code such as \"FR\" or \"US\"")
    try:
        holidays.country_holidays(value)
    except NotImplementedError:
        raise UserError(f"{what}: '{value}' is not a country code known to the holidays package "
                        "(e.g. FR, US, GB)") from None
    return value


def _schedule(table: dict[str, Any], what: str) -> Schedule:
    for key in table:
        if key not in _SCHEDULE_KEYS:
            raise UserError(f"{what}: unknown key '{key}' (known: {', '.join(_SCHEDULE_KEYS)})")
    if "timezone" not in table:
        raise UserError(f"{what}: needs timezone = \"Area/City\" (the open hours' local time)")
    tz = table["timezone"]
    if not isinstance(tz, str):
        raise UserError(f"{what}.timezone: must be an IANA timezone name such as 'Europe/Paris'")
    zone(tz, f"{what}.timezone")
    country = table.get("country")
    return Schedule(
        timezone=tz,
        week=_week(table, what),
        country=None if country in (None, "") else _country(country, f"{what}.country"),
        holidays=_holiday_dates(table.get("holidays", []), f"{what}.holidays"),
    )


def _read_business_hours(config: _Values, value: Any, what: str) -> None:
    if not isinstance(value, dict):
        raise UserError(f"{what}: must be a table ([business_hours])")
    top = {k: v for k, v in value.items() if k not in ("channel", "queue")}
    overrides: dict[str, dict[str, Schedule]] = {"channel": {}, "queue": {}}
    for level in ("channel", "queue"):
        tables = value.get(level, {})
        if not isinstance(tables, dict):
            raise UserError(f"{what}.{level}: must be tables such as [business_hours.{level}.NAME]")
        for name, table in tables.items():
            if not isinstance(table, dict):
                raise UserError(f"{what}.{level}.{name}: must be a table of business-hours keys")
            # an override keeps every key it does not set from [business_hours]
            key = name.lower() if level == "channel" else name
            overrides[level][key] = _schedule({**top, **table}, f"{what}.{level}.{name}")
    config.business_hours = BusinessHours(_schedule(top, what), overrides["channel"], overrides["queue"])


def _check_table(value: Any, what: str, section: str, known: tuple[str, ...]) -> None:
    """A config section that is a table of these keys only."""
    if not isinstance(value, dict):
        raise UserError(f"{what}: must be a table ([{section}])")
    unknown = set(value) - set(known)
    if unknown:
        raise UserError(f"{what}: unknown key '{sorted(unknown)[0]}' (known: {', '.join(sorted(known))})")


def _name_list(value: dict[str, Any], key: str, what: str, example: str) -> list[str] | None:
    """value[key]: absent, or a non-empty list of names."""
    names = value.get(key)
    if names is not None and (
        not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names)
    ):
        raise UserError(f"{what}.{key}: must be a non-empty list of {example}")
    return names


def _read_wallboard(config: _Values, value: Any, what: str) -> None:
    _check_table(value, what, "wallboard", ("kpis", "cycle"))
    kpis = _name_list(value, "kpis", what, 'KPI names such as ["csat", "backlog"]')
    cycle = value.get("cycle")
    if cycle is not None and (not _finite(cycle) or cycle < 2):
        raise UserError(f"{what}.cycle: must be a number of seconds, at least 2")
    config.wallboard = WallboardConfig(None if kpis is None else tuple(kpis),
                                       None if cycle is None else float(cycle))


def _read_dashboard(config: _Values, value: Any, what: str) -> None:
    _check_table(value, what, "dashboard", ("panels",))
    panels = _name_list(value, "panels", what, 'panel names such as ["waiting_now", "csat"]')
    config.dashboard = DashboardConfig(tuple(panels) if panels is not None else None)


_READERS = {
    "timezone": _read_timezone,
    "window": _read_window,
    "refresh_seconds": _read_refresh,
    "theme": _read_theme,
    "auto_resolve_after": _read_auto_resolve,
    "fcr_repeat_window": _read_fcr_window,
    "sla": _read_sla,
    "topic_rules": _read_topic_rules,
    "cost_per_conversation": _read_costs,
    "channel_aliases": _read_aliases,
    "import_future_days": _read_future_days,
    "keys": _read_keys,
    "targets": _read_targets,
    "business_hours": _read_business_hours,
    "wallboard": _read_wallboard,
    "dashboard": _read_dashboard,
}
