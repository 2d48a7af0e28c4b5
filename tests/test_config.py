"""config.toml: defaults, every key parsed, and one line naming the key for a bad value."""

from __future__ import annotations

import pytest

from socialcare_tui import config
from socialcare_tui.errors import UserError


def test_defaults_when_the_default_file_is_absent(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "default_config_path", lambda: tmp_path / "none.toml")
    loaded = config.load()
    assert loaded.kpi.sla == {"first_response": 3600.0, "next_reply": 14400.0, "resolution": 86400.0}
    assert loaded.facts.auto_resolve_after == loaded.kpi.auto_resolve_after == 86400.0
    assert loaded.kpi.fcr_repeat_window == 7 * 86400.0
    assert loaded.tui.refresh_seconds == 5.0


def test_full_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        """
timezone = "Europe/Paris"
window = "7d"
refresh_seconds = 2
auto_resolve_after = "12h"
fcr_repeat_window = "3d"
[sla]
first_response = "30m"
[sla.channel.email]
first_response = "8h"
[sla.queue."Billing"]
resolution = "2d"
[topic_rules]
"delivery/late" = '(?i)\\b(late|where is)\\b'
[cost_per_conversation]
phone = 12
twitter = 1
[channel_aliases]
"Tweet" = "twitter"
""",
        encoding="utf-8",
    )
    loaded = config.load(path)
    assert loaded.kpi.timezone == loaded.scope.timezone == loaded.ingest.timezone == "Europe/Paris"
    assert loaded.scope.window == "7d"
    assert loaded.tui.refresh_seconds == 2.0
    assert loaded.kpi.auto_resolve_after == loaded.facts.auto_resolve_after == 12 * 3600
    assert loaded.kpi.fcr_repeat_window == 3 * 86400
    assert loaded.kpi.sla["first_response"] == 1800
    assert loaded.kpi.sla["next_reply"] == 4 * 3600  # untouched default
    assert ("channel", "email", "first_response", 8 * 3600) in loaded.kpi.sla_overrides
    assert ("queue", "Billing", "resolution", 2 * 86400) in loaded.kpi.sla_overrides
    assert loaded.kpi.cost_per_conversation == {"phone": 12.0, "twitter": 1.0}
    assert loaded.ingest.channel_aliases == loaded.scope.channel_aliases == {"Tweet": "twitter"}
    assert loaded.path == path


@pytest.mark.parametrize(
    "data, key",
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"sla": {"first_response": "soon"}}, "sla.first_response"),
        ({"sla": {"first_response": "-5m"}}, "sla.first_response"),
        ({"sla": {"channel": {"email": {"first_reply": "1h"}}}}, "sla.channel.email"),
        ({"refresh_seconds": 0}, "refresh_seconds"),
        ({"topic_rules": {"refunds": "(unclosed"}}, "topic_rules.refunds"),
        ({"topic_rules": {"refunds": "(?=lookahead)"}}, "topic_rules.refunds"),  # RE2 has no look-ahead
        ({"cost_per_conversation": {"phone": "twelve"}}, "cost_per_conversation"),
        ({"auto_resolve_after": "forever"}, "auto_resolve_after"),
    ],
)
def test_bad_values_name_the_key(data, key):
    with pytest.raises(UserError, match=key.replace(".", r"\.")) as err:
        config.from_dict(data, "config.toml")
    assert "\n" not in str(err.value)


def test_explicit_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        config.load(tmp_path / "missing.toml")


def test_invalid_toml_is_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("timezone = \n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid TOML"):
        config.load(path)


def test_wallboard_table():
    loaded = config.from_dict({"wallboard": {"kpis": ["csat", "backlog"], "cycle": 15}})
    assert loaded.tui.wallboard == config.WallboardConfig(kpis=("csat", "backlog"), cycle=15.0)


@pytest.mark.parametrize(
    "table, key",
    [
        ({"kpis": "csat"}, "wallboard.kpis"),
        ({"kpis": []}, "wallboard.kpis"),
        ({"cycle": 1}, "wallboard.cycle"),
        ({"speed": 3}, "unknown key 'speed'"),
    ],
)
def test_bad_wallboard_values_name_the_key(table, key):
    with pytest.raises(UserError, match=key.replace(".", r"\.")):
        config.from_dict({"wallboard": table})


def test_a_file_without_keys_reads_as_no_file():
    """The readers start from the sections' own defaults: an empty file and no file agree."""
    from dataclasses import replace

    from socialcare_tui.config import Config, from_dict

    assert replace(from_dict({}), path=None) == Config()
