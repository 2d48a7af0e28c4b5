"""Mistakes end in one line (issue 14, item 7): a filter value the database does not
hold, a file that is not a database, a database that does not exist, the palette's
export without a known extension, and `--config` given as text for the theme."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from cli_helpers import run
from kpi_helpers import add, assign, msg, status

from socialcare_tui import cli
from socialcare_tui.store import open_db

COMMANDS = (["report", "--kpi", "new_conversations"], ["queue"], ["explain", "new_conversations"],
            ["export", "OUT.csv"])


@pytest.fixture
def db(db_path):
    con = open_db(db_path)
    msg(con, "c1", "10:00", "in", "u1", channel="twitter", queue="Care")
    msg(con, "c1", "10:30", "out", "alice", channel="twitter", queue="Care")
    msg(con, "c2", "11:00", "in", "u2", channel="email")  # no queue: its channel's
    assign(con, "c2", "11:05", "bo", channel="email")
    msg(con, "c2", "11:06", "out", "AcmeBot", channel="email", automated=True)  # a bot is no agent
    add(con, "c2", "11:07", "tag", channel="email", value="billing/refund")
    status(con, "c1", "12:00", "resolved", channel="twitter", queue="Care")
    con.close()
    return str(db_path)


def with_output(argv: list[str], tmp_path: Path) -> list[str]:
    return [str(tmp_path / a) if a == "OUT.csv" else a for a in argv]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("option, value, known", [
    ("--channel", "tiktok", "email, twitter"),
    ("--queue", "Billing", "Care, email"),
    ("--agent", "AcmeBot", "alice, bo"),
    ("--tag", "refund", "billing, billing/refund"),
])
def test_unknown_filter_value_is_one_line_naming_the_known_ones(db, capsys, tmp_path, command, option,
                                                                 value, known):
    argv = with_output(command, tmp_path)
    code, out, err = run(capsys, *argv, "--db", db, option, value)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"socialcare-tui: {option} {value}: no such {option[2:]} in the database (known: {known})"]
    assert not (tmp_path / "OUT.csv").exists()


@pytest.mark.parametrize("option, value", [("--channel", "twitter"), ("--channel", "X"), ("--queue", "Care"),
                                           ("--queue", "email"), ("--agent", "alice"), ("--agent", "bo"),
                                           ("--tag", "billing"), ("--tag", "billing/refund")])
def test_known_filter_values_are_accepted(db, capsys, option, value):
    code, out, err = run(capsys, "report", "--db", db, "--format", "json", "--kpi", "new_conversations",
                         option, value)
    assert code == 0, err
    assert '"new_conversations"' in out


def test_every_value_the_error_names_is_accepted(db, capsys):
    """What the one line calls known is exactly what a filter can match."""
    for option in ("--channel", "--queue", "--agent", "--tag"):
        code, _, err = run(capsys, "report", "--db", db, option, "no-such-value")
        assert code == 2
        names = re.search(r"\(known: (.*)\)", err).group(1).split(", ")
        for name in names:
            code, out, err = run(capsys, "report", "--db", db, "--format", "json", option, name,
                                 "--kpi", "new_conversations")
            assert code == 0, (option, name, err)
            assert '"value": 0' not in out and '"value": null' not in out, (option, name)


def test_many_known_values_are_cut_short(db_path, capsys):
    con = open_db(db_path)
    for n in range(20):
        msg(con, f"c{n}", "10:00", "in", "u", channel=f"ch{n:02d}")
    con.close()
    code, _, err = run(capsys, "report", "--db", str(db_path), "--channel", "nope")
    assert code == 2 and err.count("\n") == 1
    assert "known: ch00, ch01," in err and "ch11 and 8 more)" in err


@pytest.mark.parametrize("content", [b"", b"a,b\n1,2\n", b"x" * 5000])
@pytest.mark.parametrize("command", [["report"], ["queue"], ["open", "--read-only"]])
def test_a_file_that_is_not_a_database_is_one_line(tmp_path, capsys, content, command):
    path = tmp_path / "some.csv"
    path.write_bytes(content)
    code, out, err = run(capsys, *command, "--db", str(path))
    assert code == 3 and out == ""
    assert err.strip().splitlines() == [
        f"socialcare-tui: {path} is not a socialcare-tui (DuckDB) database; it was left untouched"]
    assert path.read_bytes() == content


def test_open_on_a_missing_database_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    code, out, err = run(capsys, "open", "--db", str(missing))
    assert code == 3 and out == "" and err.count("\n") == 1
    assert "no such database" in err and f"socialcare-tui import FILE --db {missing}" in err
    assert list(tmp_path.iterdir()) == []


def test_open_with_an_unknown_channel_is_one_line(db, capsys, monkeypatch):
    from socialcare_tui.commands import open as open_command

    monkeypatch.setattr(open_command, "run_app", lambda *a, **k: pytest.fail("the app must not start"))
    code, _, err = run(capsys, "open", "--db", db, "--channel", "tiktok")
    assert code == 2 and "--channel tiktok: no such channel" in err


def test_config_given_as_text_reaches_the_app_as_a_path(db, tmp_path, capsys, monkeypatch):
    """The palette's theme change wrote to `config_path.exists()`: --config arrived as a str."""
    from socialcare_tui.tui import app as app_module

    seen = {}

    def fake_run(self):
        seen["config_path"] = self.config_path

    monkeypatch.setattr(app_module.SocialCareApp, "run", fake_run)
    monkeypatch.setattr("socialcare_tui.commands.open.check_terminal", lambda: None)
    config = tmp_path / "config.toml"
    config.write_text('window = "7d"\n')
    assert cli.main(["open", "--db", db, "--config", str(config)]) == 0
    assert seen["config_path"] == config and isinstance(seen["config_path"], Path)
    from socialcare_tui.tui.settings import remember_theme

    remember_theme(seen["config_path"], "nord")
    assert config.read_text() == 'window = "7d"\ntheme = "nord"\n'


@pytest.mark.parametrize("command", [["open"], ["demo"]])
def test_without_a_terminal_the_app_ends_at_once_in_one_line(db, command):
    """Started with no terminal (a service manager, a pipe), the app used to wait for keys
    at 80% CPU; now it ends within 5 s pointing to `watch`."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "socialcare_tui", *command, "--db", db],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, env=env)
    assert time.monotonic() - started < 5
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "socialcare-tui: the app needs a terminal, and its input is not one; to feed a database "
        "without a screen use `socialcare-tui watch PATH --db DB`, for figures `socialcare-tui report`"]


def test_terminal_check_looks_at_input_and_output(monkeypatch):
    from socialcare_tui.commands.open import check_terminal
    from socialcare_tui.errors import UserError

    class Stream:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    check_terminal(Stream(True), Stream(True))
    with pytest.raises(UserError, match="its input is not one"):
        check_terminal(Stream(False), Stream(True))
    with pytest.raises(UserError, match="its output is not one"):
        check_terminal(Stream(True), Stream(False))
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    check_terminal(Stream(False), Stream(False))  # textual-serve's subprocess: the browser is its terminal
