"""Reliability campaign, integrations: `before_commit` runs inside the import transaction;
the follower merges a batch's ledger rows in that same transaction; `import`, `sources`
and `rejects` wait for a busy database (one line on stderr) and give up with exit 3."""

from __future__ import annotations

import json

import duckdb
import pytest
from test_contention import hold_lock
from test_reliability_hostile import digest

from socialcare_tui import cli
from socialcare_tui.errors import UserError
from socialcare_tui.ingest import pipeline
from socialcare_tui.ingest.follow import Follower
from socialcare_tui.store import access, open_db

HEADER = "event_id,conversation_id,at,channel,direction,text\n"
ROWS = "e1,c1,2024-01-01T00:00:00Z,sms,in,hello\ne2,c1,2024-01-01T00:01:00Z,sms,out,hi\n"


def test_before_commit_sees_the_moved_rows_and_its_failure_rolls_back(con, db_path, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + ROWS, encoding="utf-8")
    seen = []

    def look(c, summary):
        seen.append((summary.imported, c.execute("SELECT count(*) FROM events").fetchone()[0]))
        raise UserError("refused by the hook")

    with pytest.raises(UserError, match="refused by the hook"):
        pipeline.import_file(con, feed, before_commit=look)
    assert seen == [(2, 2)]  # the rows were moved when it ran
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 0  # and rolled back with it
    assert con.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    summary = pipeline.import_file(con, feed, before_commit=lambda c, s: c.execute(
        "UPDATE sources SET namespace = 'hooked' WHERE source_id = $id", {"id": s.source_id}))
    assert con.execute("SELECT namespace FROM sources").fetchall() == [("hooked",)]
    assert summary.imported == 2


def test_check_options_is_public():
    with pytest.raises(UserError, match="--timezone"):
        pipeline.check_options(pipeline.ImportOptions(timezone="Mars/Base"))


def test_a_failed_ledger_merge_leaves_no_half_merged_batch(db_path, tmp_path, monkeypatch):
    open_db(db_path).close()
    log = tmp_path / "feed.csv"
    log.write_text(HEADER + ROWS, encoding="utf-8")
    real = pipeline._move

    def merge_then_fail(con, file, ledger):
        real(con, file, ledger)  # the batch's rows and its ledger row were written...
        raise duckdb.InvalidInputException("disk hiccup")  # ...then the batch failed

    monkeypatch.setattr(pipeline, "_move", merge_then_fail)
    follower = Follower([log], db_path, pipeline.ImportOptions(format="events"))
    before = digest(db_path)
    follower.poll()
    after = digest(db_path)
    # before the merge ran inside the import transaction, the chunk's events and ledger row
    # were committed first and a failed merge left them under the chunk's temporary file
    assert after["events"] == before["events"]
    con = open_db(db_path, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM sources WHERE path LIKE '%socialcare-follow-%'").fetchone()[0] == 0
    finally:
        con.close()
    monkeypatch.setattr(pipeline, "_move", real)
    fresh = Follower([log], db_path, pipeline.ImportOptions(format="events"))
    fresh.poll()
    con = open_db(db_path, read_only=True)
    try:
        ledger = con.execute("SELECT path, rows_read, imported FROM sources WHERE imported > 0").fetchall()
        assert ledger == [(str(log), 2, 2)]
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 2
    finally:
        con.close()


@pytest.mark.parametrize("argv", [["sources"], ["rejects"], ["import", "FEED"]])
def test_ledger_commands_wait_for_a_busy_database(capsys, db_path, tmp_path, argv):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + ROWS, encoding="utf-8")
    open_db(db_path).close()
    argv = [str(feed) if a == "FEED" else a for a in argv]
    holder = hold_lock(db_path, 0.8)  # a feeder holding the file read-write
    try:
        code = cli.main([*argv, "--db", str(db_path)])
    finally:
        holder.kill()
        holder.wait()
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(err.splitlines()) == 1 and "waiting for database" in err  # told once, then done


@pytest.mark.parametrize("argv", [["sources"], ["rejects", "--json"], ["import", "FEED", "--json"]])
def test_ledger_commands_give_up_with_exit_3(capsys, db_path, tmp_path, argv, monkeypatch):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + ROWS, encoding="utf-8")
    open_db(db_path).close()
    monkeypatch.setitem(access.database.__wrapped__.__kwdefaults__, "backoff", access.Backoff(total_wait=0.4))
    argv = [str(feed) if a == "FEED" else a for a in argv]
    holder = hold_lock(db_path, 30)
    try:
        code = cli.main([*argv, "--db", str(db_path)])
    finally:
        holder.kill()
        holder.wait()
    out, err = capsys.readouterr()
    assert code == 3 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2 and "waiting for database" in lines[0] and "still busy after waiting" in lines[1]


def test_sources_on_a_missing_database_creates_nothing(capsys, tmp_path):
    db = tmp_path / "none.duckdb"
    assert cli.main(["sources", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sources": []}
    assert not db.exists()


@pytest.mark.parametrize("option, message", [(["--timezone", "Mars/Base"], "--timezone"),
                                             (["--encoding", "ebcdic"], "--encoding ebcdic")])
def test_watch_refuses_bad_options_at_once(capsys, db_path, tmp_path, option, message):
    # before, the follower took them and refused every batch, forever
    code = cli.main(["watch", str(tmp_path / "feed.jsonl"), "--db", str(db_path), *option])
    _out, err = capsys.readouterr()
    assert code == 2 and len(err.splitlines()) == 1 and message in err


def test_watch_takes_the_encoding_names_import_takes():
    from socialcare_tui.commands.import_ import normalise_encoding

    assert [normalise_encoding(n) for n in ("Latin1", "UTF_8", "utf16", "ISO-8859-1")] == [
        "latin-1", "utf-8", "utf-16", "latin-1"]
