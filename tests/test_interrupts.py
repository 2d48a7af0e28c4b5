"""Ctrl-C: exit 130 with one line within a second, the database unchanged."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from socialcare_tui.store import open_db

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contention_helpers import event_line  # noqa: E402


def interrupt_after(seconds: float, *args: str) -> tuple[int, str, float]:
    """Run the CLI, send SIGINT after `seconds`; (exit code, stderr, seconds it took to stop)."""
    proc = subprocess.Popen([sys.executable, "-m", "socialcare_tui", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds)
    assert proc.poll() is None, "the command ended before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err, time.monotonic() - sent


def test_ctrl_c_while_planning_a_huge_file_stops_within_a_second(tmp_path):
    """DuckDB sniffing 20 GB of zeros does not look at Python's signal flag: before the
    watchdog this ran for minutes after Ctrl-C."""
    huge = tmp_path / "huge.jsonl"
    with huge.open("w", encoding="utf-8") as fh:
        # text first, so the binary-file check (its first MiB) lets it through to planning
        fh.writelines(event_line(n) for n in range(20_000))
        fh.truncate(20 * 1024**3)  # then sparse: no disk used
    db = tmp_path / "care.duckdb"
    code, err, took = interrupt_after(2.5, "import", str(huge), "--db", str(db))
    assert code == 130
    assert err == "socialcare-tui: interrupted\n"
    # 0.1-2 s measured at load 11-13 on 2 cores; once 16 s, when DuckDB held the GIL while
    # sniffing the file so that neither the handler nor the watchdog could run (see the
    # note in interrupts.py). Before: still running after 120 s.
    assert took < 30
    assert not db.exists()


def test_ctrl_c_during_an_import_leaves_the_database_unchanged(tmp_path):
    db = tmp_path / "care.duckdb"
    con = open_db(db)
    con.close()
    feed = tmp_path / "big.jsonl"
    with feed.open("w", encoding="utf-8") as fh:
        fh.writelines(event_line(n) for n in range(1_200_000))  # ~200 MB: 6 s or more to import
    code, err, took = interrupt_after(2.5, "import", str(feed), "--db", str(db))
    # a file this large names its steps on stderr (import progress without a terminal); the
    # interrupt is then the one closing line, nothing else
    *steps, last = err.splitlines()
    assert (code, last) == (130, "socialcare-tui: interrupted")
    assert all(line.startswith("big.jsonl") and line.endswith("…") for line in steps), steps
    assert took < 6
    con = open_db(db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM sources").fetchone() == (0,)
    finally:
        con.close()
