"""Settings from `config.toml` (platformdirs user config folder, or --config).

Every key is checked; an unknown key or a bad value is a UserError naming the
key and what is allowed. Durations are written like `90m`, `24h`, `7d`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from socialcare_tui.errors import UserError
from socialcare_tui.paths import default_config_path
from socialcare_tui.timeparse import parse_duration, zone

SLA_KINDS = ("first_response", "next_reply", "resolution")
DEFAULT_SLA = {"first_response": 3600.0, "next_reply": 4 * 3600.0, "resolution": 24 * 3600.0}


@dataclass
class Config:
    timezone: str = "UTC"
    window: str | None = None  # default report window; None = whole data (cli.md)
    refresh_seconds: float = 5.0
    theme: str = "textual-dark"
    auto_resolve_after: float = 24 * 3600.0
    fcr_repeat_window: float = 7 * 86400.0
    # sla[kind] = seconds; overrides: (scope, name, kind) -> seconds, scope 'channel' or 'queue'
    sla: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SLA))
    sla_overrides: list[tuple[str, str, str, float]] = field(default_factory=list)
    topic_rules: dict[str, str] = field(default_factory=dict)
    cost_per_conversation: dict[str, float] = field(default_factory=dict)
    channel_aliases: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    path: Path | None = None


def load(path: str | Path | None = None) -> Config:
    """Read the config file; a missing default file gives the defaults."""
    explicit = path is not None
    file = Path(path).expanduser() if explicit else default_config_path()
    if not file.exists():
        if explicit:
            raise UserError(f"--config {file}: no such file")
        return Config()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{file}: not valid TOML ({err})") from None
    config = from_dict(data, str(file))
    config.path = file
    return config


def from_dict(data: dict, where: str = "config") -> Config:
    config = Config()
    for key, value in data.items():
        reader = _READERS.get(key)
        if reader is None:
            raise UserError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(_READERS))})")
        reader(config, value, f"{where}: {key}")
    return config


def _seconds(value, what: str) -> float:
    seconds = parse_duration(value, what).total_seconds()
    if seconds <= 0:
        raise UserError(f"{what}: must be a positive duration such as 90m, 24h or 7d")
    return seconds


def _string_table(value, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UserError(f"{what}: must be a table of strings")
    return dict(value)


def _number_table(value, what: str) -> dict[str, float]:
    if not isinstance(value, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value.values()
    ):
        raise UserError(f"{what}: must be a table of non-negative numbers")
    return {k: float(v) for k, v in value.items()}


def _read_timezone(config: Config, value, what: str) -> None:
    if not isinstance(value, str):
        raise UserError(f"{what}: must be an IANA timezone name such as 'Europe/Paris'")
    zone(value, what)
    config.timezone = value


def _read_window(config: Config, value, what: str) -> None:
    if value in ("all", None):
        config.window = None
        return
    _seconds(value, what)
    config.window = str(value)


def _read_refresh(config: Config, value, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0.5:
        raise UserError(f"{what}: must be a number of seconds, at least 0.5")
    config.refresh_seconds = float(value)


def _read_theme(config: Config, value, what: str) -> None:
    if not isinstance(value, str):
        raise UserError(f"{what}: must be a Textual theme name such as 'textual-dark'")
    config.theme = value


def _read_auto_resolve(config: Config, value, what: str) -> None:
    config.auto_resolve_after = _seconds(value, what)


def _read_fcr_window(config: Config, value, what: str) -> None:
    config.fcr_repeat_window = _seconds(value, what)


def _read_sla(config: Config, value, what: str) -> None:
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


def _read_topic_rules(config: Config, value, what: str) -> None:
    rules = _string_table(value, what)
    for topic, pattern in rules.items():
        try:
            re.compile(pattern)
        except re.error as err:
            raise UserError(f"{what}.{topic}: not a valid regular expression ({err})") from None
    config.topic_rules = rules


def _read_costs(config: Config, value, what: str) -> None:
    config.cost_per_conversation = _number_table(value, what)


def _read_aliases(config: Config, value, what: str) -> None:
    config.channel_aliases = _string_table(value, what)


def _read_keys(config: Config, value, what: str) -> None:
    config.keys = _string_table(value, what)


def _read_targets(config: Config, value, what: str) -> None:
    config.targets = _number_table(value, what)


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
    "keys": _read_keys,
    "targets": _read_targets,
}
