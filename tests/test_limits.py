"""Values that overflow, and config files that are not files: one line and exit 2 (issue 17, item 4)."""

from __future__ import annotations

import os
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare_tui import config as config_module
from socialcare_tui.cli import main
from socialcare_tui.errors import UserError
from socialcare_tui.store import open_db
from socialcare_tui.timeparse import MAX_DURATION, parse_duration


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("window", ["99999999999d", "1e400", "1000000w", "inf", "-inf", "nan", "1e300"])
def test_report_window_that_overflows_is_one_line_and_exit_2(capsys, db_path, window):
    open_db(db_path).close()
    code, err = run_cli(capsys, "report", "--db", str(db_path), "--format", "json", f"--window={window}")
    assert code == 2
    assert err.count("\n") == 1 and "--window" in err and "internal error" not in err


@pytest.mark.parametrize("key", ["window", "auto_resolve_after", "fcr_repeat_window"])
@pytest.mark.parametrize("value", ['"99999999999d"', '"inf"', "1e300", '"nan"', "inf", "nan"])
def test_config_durations_that_overflow_are_refused(tmp_path, key, value):
    path = tmp_path / "config.toml"
    path.write_text(f"{key} = {value}\n")
    with pytest.raises(UserError, match=key):
        config_module.load(path)


@pytest.mark.parametrize("value", ['"99999999999d"', '"inf"', "1e300", "nan"])
def test_sla_targets_that_overflow_are_refused(tmp_path, value):
    path = tmp_path / "config.toml"
    path.write_text(f"[sla]\nfirst_response = {value}\n[sla.channel.sms]\nresolution = \"1h\"\n")
    with pytest.raises(UserError, match="sla.first_response"):
        config_module.load(path)
    path.write_text(f"[sla.queue.vip]\nresolution = {value}\n")
    with pytest.raises(UserError, match="sla.queue.vip.resolution"):
        config_module.load(path)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0.1", "1e9"])
def test_refresh_seconds_must_be_a_finite_sensible_number(tmp_path, value):
    path = tmp_path / "config.toml"
    path.write_text(f"refresh_seconds = {value}\n")
    with pytest.raises(UserError, match="refresh_seconds"):
        config_module.load(path)
    path.write_text("refresh_seconds = 2.5\n")
    assert config_module.load(path).tui.refresh_seconds == 2.5


@pytest.mark.parametrize("table", ["targets", "cost_per_conversation"])
def test_number_tables_refuse_inf_and_nan(tmp_path, table):
    path = tmp_path / "config.toml"
    key = "csat" if table == "targets" else "sms"
    for value in ("inf", "nan"):
        path.write_text(f"[{table}]\n{key} = {value}\n")
        with pytest.raises(UserError, match=table):
            config_module.load(path)


def test_an_unknown_targets_key_is_refused(tmp_path):
    """config.py sits below kpi/, so the KPI ids are handed to it: every command reads its
    config through commands.load_config, which passes kpi.registry.ids."""
    from socialcare_tui.commands import load_config
    from socialcare_tui.kpi import registry

    path = tmp_path / "config.toml"
    path.write_text("[targets]\ncsat = 0.8\nfirst_responce_time = 3600\n")
    with pytest.raises(UserError) as err:
        load_config(path)
    first = ", ".join(registry.ids()[:3])
    assert str(err.value) == (f"{path}: targets: unknown KPI id 'first_responce_time' "
                              f"(see `socialcare-tui report --help`; e.g. {first})")
    assert config_module.load(path).tui.targets["first_responce_time"] == 3600.0  # no ids given: not checked
    path.write_text("[targets]\ncsat = 0.8\nfirst_response_time = 3600\n")
    assert load_config(path).tui.targets == {"csat": 0.8, "first_response_time": 3600.0}


def test_a_config_nested_5000_deep_is_one_line(tmp_path, capsys, db_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    open_db(db_path).close()
    code, err = run_cli(capsys, "report", "--db", str(db_path), "--config", str(path))
    assert code == 2 and err.count("\n") == 1 and "nested too deeply" in err


def test_config_naming_a_folder_is_one_line(tmp_path, capsys, db_path):
    open_db(db_path).close()
    code, err = run_cli(capsys, "report", "--db", str(db_path), "--config", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "not a regular file" in err


def test_config_naming_a_fifo_does_not_hang(tmp_path, capsys, db_path):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    open_db(db_path).close()
    result: list = []
    worker = threading.Thread(target=lambda: result.append(run_cli(capsys, "report", "--db", str(db_path),
                                                                   "--config", str(fifo))), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # unblock the reader so the test process can end, then fail
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO as --config hung")
    code, err = result[0]
    assert code == 2 and "not a regular file" in err


def test_a_huge_config_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("# padding\n" * 200_000)
    with pytest.raises(UserError, match="too large"):
        config_module.load(path)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**30, max_value=10**30),
                 st.text(max_size=20)))
def test_parse_duration_gives_a_bounded_timedelta_or_a_user_error(value):
    """Whatever comes in: a timedelta within 100 years, or UserError; never Overflow/ValueError."""
    try:
        span = parse_duration(value, "--window")
    except UserError:
        return
    assert abs(span) <= MAX_DURATION
