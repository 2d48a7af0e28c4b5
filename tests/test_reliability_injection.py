"""Reliability campaign, injection: SQL metacharacters in every filter and in --map are
taken literally; hostile text reaches table, markdown and CSV output (report, queue,
export) shown literally and cleaned, and spreadsheet formulas in CSV are escaped.
Data goes in through the real importer (`cli.main(["import", ...])`)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from cli_helpers import run
from hostile import BOLD, FORBIDDEN, HOSTILE, SQL_META

from socialcare_tui import cli
from socialcare_tui.store import open_db

AS_OF = "2024-03-02T00:00:00Z"
FORMULAS = ("=1+2", "+SUM(A1)", "-2+3", "@cmd")


def _events() -> list[dict]:
    rows = []

    def add(conv, minute, **fields):
        rows.append({"event_id": f"e{len(rows)}", "conversation_id": conv,
                     "at": f"2024-03-01T10:{minute:02d}:00Z", **fields})

    # one conversation per metacharacter value: its channel, queue, agent and tag are that value
    for i, value in enumerate(SQL_META):
        conv = f"meta{i}"
        add(conv, 0, channel=value, queue=value, direction="in", author=f"cust{i}", text="hello")
        add(conv, 5, channel=value, queue=value, direction="out", author=value, text="hi")
        add(conv, 6, type="tag", channel=value, queue=value, value=value)
    # hostile text in the text fields people see: customer, message, queue
    for i, value in enumerate(HOSTILE + FORMULAS):
        add(f"text{i}", 0, channel="sms", queue=f"q{value[:40]}", direction="in", author=value, text=value)
    return rows


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inject")
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in _events()), encoding="utf-8")
    path = folder / "inject.duckdb"
    assert cli.main(["import", str(feed), "--db", str(path)]) == 0
    return path


def event_count(db) -> int:
    con = open_db(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("option", ["channel", "queue", "agent", "tag"])
def test_filters_take_sql_metacharacters_literally(capsys, db, option):
    before = event_count(db)
    for i, value in enumerate(SQL_META):
        code, out, err = run(capsys, "report", "--db", str(db), "--format", "json", "--as-of", AS_OF,
                             f"--{option}={value}", "--kpi", "new_conversations")
        assert code == 0, (value, err)
        # exactly the one conversation whose value is this literal text: no wildcard, no injection
        assert json.loads(out)["kpis"]["new_conversations"]["value"] == 1, (option, value)
        if option in ("channel", "queue"):
            code, out, err = run(capsys, "queue", "--db", str(db), "--format", "json", "--as-of", AS_OF,
                                 f"--{option}={value}")
            assert code == 0, err
            assert [r["conv_key"] for r in json.loads(out)] == [f"events:meta{i}"], (option, value)
    assert event_count(db) == before  # the events table is intact


def test_map_value_with_sql_metacharacters_is_a_column_name(capsys, tmp_path):
    column = "Thread'); DROP TABLE events; --\"%"
    feed = tmp_path / "mapped.csv"
    with feed.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[column, "at", "channel", "direction"], ["t1", "2024-01-01", "sms", "in"]])
    db = tmp_path / "m.duckdb"
    code, out, err = run(capsys, "import", str(feed), "--db", str(db), "--format", "events",
                         "--map", f"conversation_id={column}", "--json")
    assert code == 0, err
    assert json.loads(out)["files"][0]["imported"] == 1
    con = open_db(db, read_only=True)
    try:
        assert con.execute("SELECT conversation_id FROM events").fetchall() == [("t1",)]
    finally:
        con.close()
    # a --map naming a column the file lacks, metacharacters and all, is one line
    code, _, err = run(capsys, "import", str(feed), "--db", str(db), "--format", "events",
                       "--map", "conversation_id=x'; --")
    assert code == 2 and len(err.splitlines()) == 1 and "has no column" in err


def _assert_clean(text: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in text, repr(bad)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_hostile_text_is_literal_and_clean_in_tables(capsys, db, fmt):
    code, out, err = run(capsys, "queue", "--db", str(db), "--format", fmt, "--as-of", AS_OF, "--channel", "sms")
    assert code == 0, err
    _assert_clean(out)
    shown = BOLD if fmt == "table" else BOLD.replace("[", r"\[").replace("]", r"\]")
    assert shown in out  # markup shown as the characters it is made of
    assert "🙂" in out and "中文字符" in out  # emoji and CJK are kept
    code, out, err = run(capsys, "report", "--db", str(db), "--format", fmt, "--as-of", AS_OF, "--by", "queue",
                         "--kpi", "new_conversations")
    assert code == 0, err
    _assert_clean(out)


def test_hostile_text_in_csv_is_clean_and_formulas_escaped(capsys, db, tmp_path):
    code, out, err = run(capsys, "queue", "--db", str(db), "--format", "csv", "--as-of", AS_OF, "--channel", "sms")
    assert code == 0, err
    _assert_clean(out)
    customers = {row["customer"] for row in csv.DictReader(io.StringIO(out))}
    for formula in FORMULAS:
        assert "'" + formula in customers  # a spreadsheet shows it as text, never runs it
    code, out, err = run(capsys, "report", "--db", str(db), "--format", "csv", "--as-of", AS_OF, "--by", "queue",
                         "--kpi", "new_conversations")
    assert code == 0, err
    _assert_clean(out)
    groups = {row["group"] for row in csv.DictReader(io.StringIO(out))}
    assert "queue=q" + BOLD in groups  # the hostile queue name, literally
    target = tmp_path / "report.csv"
    code, _, err = run(capsys, "export", str(target), "--what", "report", "--by", "queue", "--db", str(db),
                       "--as-of", AS_OF)
    assert code == 0, err
    _assert_clean(target.read_text(encoding="utf-8"))


def _export_csv(capsys, db, tmp_path) -> str:
    target = tmp_path / "conversations.csv"
    code, _, err = run(capsys, "export", str(target), "--db", str(db), "--as-of", AS_OF)
    assert code == 0, err
    return target.read_text(encoding="utf-8")


def test_conversation_export_csv_escapes_formulas_and_controls(capsys, db, tmp_path):
    text = _export_csv(capsys, db, tmp_path)
    for bad in ("\x1b", "\x07", "\r"):
        assert bad not in text, repr(bad)
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "@")) and not (cell.startswith("-") and not _number(cell)), cell


def test_conversation_export_csv_has_no_bidi_override(capsys, db, tmp_path):
    assert "\u202e" not in _export_csv(capsys, db, tmp_path)


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False
