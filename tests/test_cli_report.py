"""report / explain / queue / export through `cli.main`: shapes, filters, errors, files, hostile text."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest
from cli_helpers import run
from kpi_helpers import msg, status

from socialcare_tui import cli
from socialcare_tui.kpi import registry
from socialcare_tui.store import open_db

HOSTILE_QUEUE = "q'; DROP TABLE events;--"
HOSTILE_TEXT = "[bold red]x[/] \x1b]0;owned\x07 \x1b[2J end"


@pytest.fixture
def db(db_path):
    con = open_db(db_path)
    # c1: twitter, answered after 30 min; c2: hostile queue name, never answered;
    # c3: a customer whose name is a spreadsheet formula, resolved.
    msg(con, "c1", "10:00", "in", "u1", text="help")
    msg(con, "c1", "10:30", "out", "alice", text="hi")
    msg(con, "c2", "09:00", "in", "u2", text=HOSTILE_TEXT, queue=HOSTILE_QUEUE)
    msg(con, "c3", "08:00", "in", "=cmd|' /C calc'!A0", text="-2+3", queue="50%")
    status(con, "c3", "08:30", "resolved", queue="50%")
    con.close()
    return str(db_path)


def test_report_json_has_every_kpi(db, capsys):
    code, out, err = run(capsys, "report", "--db", db, "--format", "json", "--as-of", "2024-01-01T12:00")
    assert code == 0, err
    report = json.loads(out)
    assert report["as_of"] == "2024-01-01T12:00:00Z"
    assert set(report) >= {"as_of", "window", "filters", "kpis"}
    assert "groups" not in report  # only with --by
    assert set(report["kpis"]) == set(registry.ids())
    for kpi_id, entry in report["kpis"].items():
        assert entry["unit"] == registry.get(kpi_id).unit
        if entry["value"] is None:
            assert entry["reason"], kpi_id


def test_report_by_channel_has_groups(db, capsys):
    code, out, _ = run(capsys, "report", "--db", db, "--format", "json", "--by", "queue",
                       "--kpi", "new_conversations")
    assert code == 0
    report = json.loads(out)
    assert list(report["kpis"]) == ["new_conversations"]
    queues = {group["key"]["queue"] for group in report["groups"]}
    assert queues == {"twitter", HOSTILE_QUEUE, "50%"}  # c1's queue defaults to its channel


@pytest.mark.parametrize("value", [HOSTILE_QUEUE, "50%", "%", "--", ";"])
def test_filters_are_literal(db, capsys, value):
    # `--queue=VALUE`: argparse itself would read a bare `--` as the end of options
    code, out, err = run(capsys, "queue", "--db", db, "--format", "json", f"--queue={value}")
    expected = {HOSTILE_QUEUE: ["events:c2"], "50%": ["events:c3"]}.get(value)  # no wildcards
    if expected is None:  # issue 14: a value that matches no queue is a mistake, named literally
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
        assert f"--queue {value}: no such queue" in err
        return
    assert code == 0, err
    rows = json.loads(out)
    assert [r["conv_key"] for r in rows] == expected
    code, out, _ = run(capsys, "report", "--db", db, "--format", "json", f"--queue={value}",
                       "--kpi", "new_conversations")
    report = json.loads(out)
    assert report["filters"]["queue"] == [value]
    assert report["kpis"]["new_conversations"]["value"] == len(expected)


def test_repeated_filters_match_any(db, capsys):
    code, out, _ = run(capsys, "queue", "--db", db, "--format", "json",
                       "--queue", "50%", "--queue", "twitter")
    assert code == 0
    assert sorted(r["conv_key"] for r in json.loads(out)) == ["events:c1", "events:c3"]


def test_unknown_kpi_is_one_line_exit_2(db, capsys):
    code, out, err = run(capsys, "report", "--db", db, "--kpi", "reply_rate,bogus")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "bogus" in err
    code, _, err = run(capsys, "explain", "bogus", "--db", db)
    assert code == 2 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option", [["--from", "yesterday-ish"], ["--to", "2024-13-45"],
                                    ["--as-of", "soon"], ["--window", "7 parsecs"],
                                    ["--from", "2024-01-02", "--to", "2024-01-01"]])
def test_bad_time_is_exit_2(db, capsys, option):
    code, out, err = run(capsys, "report", "--db", db, *option)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unknown_format_is_exit_2(db, capsys):
    assert cli.main(["report", "--db", db, "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "invalid choice: 'xml'" in err


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_hostile_text_is_shown_literally(db, capsys, fmt):
    code, out, _ = run(capsys, "queue", "--db", db, "--format", fmt)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    literal = "[bold red]x[/]" if fmt == "table" else r"\[bold red\]x\[/\]"
    assert literal in out  # not wrapped: output that is not a terminal is not folded
    assert "\ufffd" in out  # the escape sequences were replaced


def test_queue_csv_escapes_formulas(db, capsys):
    code, out, _ = run(capsys, "queue", "--db", db, "--format", "csv", "--status", "all")
    assert code == 0
    rows = {r["conv_key"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["events:c3"]["customer"] == "'=cmd|' /C calc'!A0"
    assert rows["events:c3"]["last_message"] == "'-2+3"
    assert "\x1b" not in out


def test_explain_lists_rows(db, capsys):
    code, out, err = run(capsys, "explain", "new_conversations", "--db", db, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["kpi"] == "new_conversations" and result["counts_by"]
    assert sorted(r["conv_key"] for r in result["rows"]) == ["events:c1", "events:c2", "events:c3"]
    code, out, _ = run(capsys, "explain", "new_conversations", "--db", db, "--format", "table")
    assert code == 0 and "Counts by" in out and "events:c2" in out
    code, _, err = run(capsys, "explain", "new_conversations", "--db", db, "--part", "bogus")
    assert code == 2 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_export_conversations_owner_only(db, capsys, tmp_path, suffix):
    target = tmp_path / f"conversations{suffix}"
    code, _, err = run(capsys, "export", str(target), "--db", db)
    assert code == 0, err
    assert target.stat().st_mode & 0o777 == 0o600
    reader = {".csv": "read_csv", ".json": "read_json", ".parquet": "read_parquet"}[suffix]
    rows = duckdb.sql(f"SELECT conv_key, customer FROM {reader}($p) ORDER BY conv_key",
                      params={"p": str(target)}).fetchall()
    assert [r[0] for r in rows] == ["events:c1", "events:c2", "events:c3"]
    if suffix == ".csv":
        assert rows[2][1] == "'=cmd|' /C calc'!A0"  # formula escaped


@pytest.mark.parametrize("suffix", [".json", ".csv", ".parquet"])
def test_export_report(db, capsys, tmp_path, suffix):
    target = tmp_path / f"report{suffix}"
    code, _, err = run(capsys, "export", str(target), "--what", "report", "--db", db,
                       "--kpi", "new_conversations")
    assert code == 0, err
    assert target.stat().st_mode & 0o777 == 0o600
    if suffix == ".json":
        assert json.loads(target.read_text())["kpis"]["new_conversations"]["value"] == 3  # c1, c2, c3
        return
    reader = "read_csv" if suffix == ".csv" else "read_parquet"
    value = duckdb.sql(f"SELECT value FROM {reader}($p) WHERE kpi = 'new_conversations' AND part = 'value'",
                       params={"p": str(target)}).fetchall()[0][0]
    assert float(value) == 3  # c1, c2, c3 opened in the (whole-data) window


def test_export_refuses_bad_targets(db, capsys, tmp_path):
    assert run(capsys, "export", str(tmp_path / "x.xlsx"), "--db", db)[0] == 2
    assert run(capsys, "export", str(tmp_path / "missing" / "x.csv"), "--db", db)[0] == 2
    existing = tmp_path / "there.csv"
    existing.write_text("keep me")
    assert run(capsys, "export", str(existing), "--db", db)[0] == 2
    assert existing.read_text() == "keep me"


def test_report_output_file_is_owner_only(db, capsys, tmp_path):
    target = tmp_path / "r.md"
    code, out, _ = run(capsys, "report", "--db", db, "--output", str(target), "--kpi", "new_conversations")
    assert code == 0 and out == ""
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text().lstrip().startswith("###")  # .md picks markdown


def scope_for(argv, config=None, con=None):
    from socialcare_tui.commands import _scope_args
    from socialcare_tui.config import ScopeConfig

    parser = cli.build_parser()
    args = parser.parse_args(["report", *argv])
    return _scope_args.scope_from_args(args, config or ScopeConfig(), con)


def test_scope_times_and_filters(db):
    from datetime import datetime, timedelta

    from socialcare_tui.config import ScopeConfig

    scope = scope_for(["--as-of", "2024-01-01T12:00", "--from", "2h", "--channel", "a b", "--channel", "a b"])
    assert scope.as_of == datetime(2024, 1, 1, 12, 0)
    assert scope.start == datetime(2024, 1, 1, 10, 0)  # 2h before as-of
    assert scope.channels == ("a b",)  # repeated value counted once, never split
    assert scope_for(["--channel", "X", "--channel", "E-mail"]).channels == ("twitter", "email")  # aliases
    con = duckdb.connect(db, read_only=True)
    try:
        # no --as-of: relative to the newest event, c1's reply at 10:30
        assert scope_for(["--from", "1h"], con=con).start == datetime(2024, 1, 1, 9, 30)
    finally:
        con.close()
    assert scope_for(["--from", "2024-01-01T10:00+01:00"]).start == datetime(2024, 1, 1, 9, 0)
    paris = ScopeConfig(timezone="Europe/Paris")
    assert scope_for(["--to", "2024-01-01T10:00"], paris).end == datetime(2024, 1, 1, 9, 0)  # CET = UTC+1
    assert scope_for(["--window", "7d"]).window == timedelta(days=7)
    assert scope_for(["--window", "all"]).window is None
    assert scope_for([], ScopeConfig(window="24h")).window == timedelta(hours=24)


def test_window_with_from_is_exit_2(db, capsys):
    code, _, err = run(capsys, "report", "--db", db, "--window", "7d", "--from", "2024-01-01")
    assert code == 2 and "--window" in err


def test_readme_config_example_parses_and_covers_every_key():
    import re
    import tomllib
    from pathlib import Path

    from socialcare_tui import config

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Configuration$.*?```toml\n(.*?)```", readme, re.S | re.M)
    assert match, "README has a '## Configuration' section with a toml example"
    data = tomllib.loads(match.group(1))
    parsed = config.from_dict(data, "README example")
    assert set(data) == set(config._READERS)  # every key config.py reads, and no other
    assert {"channel", "queue"} <= set(data["sla"]) and set(config.SLA_KINDS) <= set(data["sla"])
    # spot-check that values land where config.py puts them
    assert parsed.kpi.sla["next_reply"] == 4 * 3600  # next_reply = "4h"
    assert ("queue", "AppleSupport", "first_response", 1800.0) in parsed.kpi.sla_overrides  # "30m"


def test_missing_database_is_exit_3(tmp_path, capsys):
    code, out, err = run(capsys, "report", "--db", str(tmp_path / "none.duckdb"))
    assert code == 3 and out == "" and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "none.duckdb").exists()  # a report never creates a database


@pytest.mark.shared
def test_twcs_excerpt_queue_and_export(twcs_excerpt, db_path, tmp_path, capsys):
    db = str(db_path)
    assert cli.main(["import", str(twcs_excerpt), "--db", db]) == 0
    con = duckdb.connect(db, read_only=True)
    conversations = con.execute("SELECT count(DISTINCT conv_key) FROM events").fetchall()[0][0]
    con.close()
    target = tmp_path / "c.csv"
    code, _, err = run(capsys, "export", str(target), "--db", db)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == conversations  # whole data: every conversation once
    code, out, _ = run(capsys, "queue", "--db", db, "--format", "csv")
    queue = list(csv.DictReader(io.StringIO(out)))
    # tweets start with @handle: in CSV they must not start a formula
    assert queue and all(not r["last_message"].startswith("@") for r in queue)
    waits = [float(r["waiting_seconds"]) for r in queue if r["waiting_seconds"]]
    assert waits == sorted(waits, reverse=True)  # longest wait first
