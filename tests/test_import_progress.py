"""`import` progress: bytes of the files on a terminal (a bar that moves while a large
file is read), a plain line per step of a large file elsewhere."""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.filesize import decimal

from socialcare_tui import cli
from socialcare_tui.commands import import_
from socialcare_tui.ingest import pipeline
from socialcare_tui.store import open_db

HEADER = "event_id,conversation_id,at,channel,direction,text\n"


def events_csv(path, rows: int, first: int = 0):
    path.write_text(HEADER + "".join(
        f"e{n},c{n % 50},2024-05-01T10:{n % 60:02d}:00Z,sms,{'in' if n % 2 else 'out'},message {n}\n"
        for n in range(first, first + rows)), encoding="utf-8")
    return path


def test_a_large_file_gets_a_line_per_step_when_not_on_a_terminal(capsys, tmp_path, monkeypatch):
    feed = events_csv(tmp_path / "feed.csv", 20)
    monkeypatch.setattr(import_, "STEP_LINES_FROM", feed.stat().st_size)  # this file counts as large
    assert cli.main(["import", str(feed), "--db", str(tmp_path / "db.duckdb")]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["feed.csv: 20 rows read, 20 imported, 0 duplicates, 0 rejected"]
    assert err.splitlines() == [
        f"feed.csv ({decimal(feed.stat().st_size)}): reading…", "feed.csv: storing rows…",
        "feed.csv: updating facts…"]


def test_a_small_file_gets_only_its_summary(capsys, tmp_path):
    feed = events_csv(tmp_path / "feed.csv", 3)
    assert cli.main(["import", str(feed), "--db", str(tmp_path / "db.duckdb")]) == 0
    out, err = capsys.readouterr()
    assert (out.splitlines(), err) == (["feed.csv: 3 rows read, 3 imported, 0 duplicates, 0 rejected"], "")


def test_the_bar_on_a_terminal_counts_the_bytes_of_the_files(tmp_path):
    files = [events_csv(tmp_path / "a.csv", 20_000), events_csv(tmp_path / "b.csv", 10, first=20_000)]
    total = sum(f.stat().st_size for f in files)
    options = pipeline.ImportOptions(format="events")
    planned = pipeline.plan_paths(None, files, options)
    screen = io.StringIO()
    con = open_db(tmp_path / "db.duckdb")
    try:
        summaries = import_._with_progress(con, planned, options, [],
                                           Console(file=screen, force_terminal=True, width=120))
    finally:
        con.close()
    shown = screen.getvalue()
    assert [s.imported for s in summaries] == [20_000, 10]
    assert f"/{decimal(total)}" in shown  # e.g. 0.0/1.1 MB: bytes, not files
    # the bar names the file's step (which steps a frame catches depends on the machine's speed)
    assert "0/2" not in shown and re.search(r"a\.csv: (reading|storing rows|updating facts)", shown)
    assert "a.csv: 20000 rows read, 20000 imported" in shown


def test_the_reading_poll_only_moves_forward_and_only_while_reading():
    answers = iter([-1.0, 10.0, 5.0, 60.0, 250.0])
    moved: list[float] = []
    reading = import_.Reading(lambda: next(answers), moved.append)
    reading.poll()  # not reading yet: DuckDB is not asked
    reading.active = True
    for _ in range(5):
        reading.poll()
    assert moved == [0.1, 0.6, 1.0]  # -1 (no statement) and 5 (the next statement) keep it
    reading.active = False
    reading.poll()
    assert moved == [0.1, 0.6, 1.0]
