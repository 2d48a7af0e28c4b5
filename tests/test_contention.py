"""One feeder and many viewers on one database file, through store.access."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import duckdb
import pytest
from contention_helpers import run_live_feed

from socialcare_tui.errors import DatabaseUnavailable
from socialcare_tui.store import open_db
from socialcare_tui.store.access import Backoff, attached, database


def hold_lock(db_path, seconds: float, read_only: bool = False) -> subprocess.Popen:
    """Another process that keeps the database open for `seconds`; returns once it holds it."""
    code = (
        "import duckdb, sys, time; "
        f"c = duckdb.connect({str(db_path)!r}, read_only={read_only}); "
        "print('held', flush=True); time.sleep(float(sys.argv[1]))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_backoff_doubles_up_to_the_longest_and_stops_at_the_total():
    delays = list(Backoff(first=0.05, longest=0.4, total_wait=1.5).delays())
    # 0.05 + 0.1 + 0.2 + 0.4 + 0.4 = 1.15, then the 0.35 left of the 1.5 s budget
    assert delays == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.4, 0.35])


def test_waits_for_a_writer_then_opens(db_path):
    open_db(db_path).close()
    holder = hold_lock(db_path, 0.8)
    waits: list[str] = []
    try:
        started = time.monotonic()
        with database(db_path, read_only=True, on_wait=waits.append) as con:
            assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert waits and all(w.startswith("waiting for database") for w in waits)
    assert waited >= 0.3  # it really waited for the holder to let go


def test_gives_up_after_the_total_wait_with_one_line(db_path):
    open_db(db_path).close()
    holder = hold_lock(db_path, 30, read_only=True)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable, match=r"still busy after waiting .*locked by"):
            with database(db_path, backoff=Backoff(total_wait=0.5)):
                pass
        assert time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()


def test_connection_is_closed_after_the_block(db_path):
    with database(db_path) as con:
        con.execute("INSERT INTO rejects (reason) VALUES ('x')")
    # another process can now open it read-write: nothing is left holding the lock
    out = subprocess.run(
        [sys.executable, "-c", f"import duckdb; print(duckdb.connect({str(db_path)!r}).execute("
         "'SELECT count(*) FROM rejects').fetchone()[0])"],
        capture_output=True, text=True, timeout=30,
    )
    assert out.stdout.strip() == "1", out.stderr


def test_threads_of_one_process_take_turns(db_path):
    open_db(db_path).close()
    errors: list[BaseException] = []

    def worker(read_only: bool) -> None:
        try:
            for _ in range(10):
                with database(db_path, read_only=read_only) as con:
                    if read_only:
                        con.execute("SELECT count(*) FROM rejects").fetchone()
                    else:
                        con.execute("INSERT INTO rejects (reason) VALUES ('x')")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(ro,)) for ro in (False, True, True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with database(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM rejects").fetchone() == (10,)


# ---------------------------------------------------------------- attached (the app's reads)


def test_attached_waits_for_a_writer_then_reads(db_path):
    open_db(db_path).close()
    home = duckdb.connect(":memory:")
    holder = hold_lock(db_path, 0.8)
    waits: list[str] = []
    try:
        started = time.monotonic()
        with attached(home, db_path, on_wait=waits.append) as con:
            assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
            assert con.cursor().execute("SELECT count(*) FROM sources").fetchone() == (0,)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert waits and all(w.startswith("waiting for database") for w in waits)
    assert waited >= 0.3


def test_attached_gives_up_after_the_total_wait_with_one_line(db_path):
    open_db(db_path).close()
    holder = hold_lock(db_path, 30)
    try:
        with pytest.raises(DatabaseUnavailable, match=r"still busy after waiting .*lock"):
            with attached(duckdb.connect(":memory:"), db_path, backoff=Backoff(total_wait=0.5)):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_attached_lets_go_of_the_file_and_keeps_what_home_holds(db_path):
    """Between reads a writer can open the file; the home's tables stay for the next read."""
    open_db(db_path).close()
    home = duckdb.connect(":memory:")
    with attached(home, db_path) as con:
        cur = con.cursor()
        cur.execute("CREATE TEMP TABLE kept AS SELECT count(*) AS n FROM events")
    writer = open_db(db_path)  # would fail with a lock error if the file were still attached
    writer.execute("INSERT INTO rejects (reason) VALUES ('x')")
    writer.close()
    with attached(home, db_path) as con:
        assert cur.execute("SELECT n FROM kept").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM rejects").fetchone() == (1,)


def test_attached_refuses_missing_foreign_and_newer_files(tmp_path, db_path):
    home = duckdb.connect(":memory:")
    with pytest.raises(DatabaseUnavailable, match="no such database"):
        with attached(home, tmp_path / "absent.duckdb"):
            pass
    foreign = tmp_path / "notes.duckdb"
    foreign.write_text("not a database\n" * 100)
    with pytest.raises(DatabaseUnavailable, match="not a socialcare-tui"):
        with attached(home, foreign):
            pass
    assert foreign.read_text() == "not a database\n" * 100
    con = open_db(db_path)
    con.execute("INSERT INTO schema_version VALUES (999, now()::TIMESTAMP)")
    con.close()
    with pytest.raises(DatabaseUnavailable, match="newer socialcare-tui"):
        with attached(home, db_path):
            pass
    # and home is usable afterwards: the failed attempts left nothing attached
    assert home.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'store'").fetchone() == (0,)


def test_a_live_feed_under_readers_loses_nothing_and_the_feeder_waits_briefly(db_path, tmp_path):
    """30 s: a writer appending ~25 events a second and rotating every 10 s, the feeder
    following it, three CLI readers running report/queue back to back and one viewer
    (the soak in tests/soak runs the same for 10 minutes, rotating every 20 s)."""
    outcome = run_live_feed(db_path, tmp_path / "feed.jsonl", seconds=30, rotate_every=10)
    assert outcome["writer"]["rotations"] == 2
    assert len(list(tmp_path.glob("feed.jsonl.*"))) == 3  # .1, .2 and .done
    assert outcome["feeder"]["longest_wait_s"] < 5
    assert sum(r["runs"] for r in outcome["readers"]) >= 6  # the readers really ran
