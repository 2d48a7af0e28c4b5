"""Reliability campaign, crashes: imports killed with SIGKILL at random moments.

Up to 100 imports of generated files (2k-20k rows; CSV, gzip CSV, JSON Lines, Parquet,
surveys) run as subprocesses and are killed after a seeded random delay. After every
kill the database opens, the ledger agrees with the events (imported per source =
events rows of that source), every file is wholly in or wholly out, and a re-run
completes what was killed. Bounded by a wall-clock budget (CRASH_BUDGET_S, default 40 s):
on a busy machine fewer kills run, never fewer than MIN_KILLS.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from socialcare_tui.ingest import pipeline
from socialcare_tui.store import open_db

SEED = 20261125
KILLS = 100
MIN_KILLS = 20
BUDGET_S = float(os.environ.get("CRASH_BUDGET_S", "40"))
KILLS_PER_DB = 10  # a fresh database every few kills, so most kills hit a first import

_EVENTS = """SELECT '{p}' || i AS event_id, '{p}c' || (i // 5) AS conversation_id,
    strftime(TIMESTAMP '2024-01-01' + to_seconds(i), '%Y-%m-%dT%H:%M:%SZ') AS "at",
    CASE WHEN i % 3 = 0 THEN 'twitter' ELSE 'email' END AS channel,
    CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END AS direction, 'text ' || i AS text
    FROM range({n}) t(i)"""
_SURVEYS = """SELECT '{p}' || i AS event_id, '{p}c' || i AS conversation_id,
    strftime(TIMESTAMP '2024-02-01' + to_seconds(i), '%Y-%m-%dT%H:%M:%SZ') AS "at",
    'sms' AS channel, CASE WHEN i % 2 = 0 THEN 'csat' ELSE 'nps' END AS kind, i % 6 AS score
    FROM range({n}) t(i)"""
# name, query, rows, COPY options: every file's ids start with its own prefix
FILES = (
    ("a.csv", _EVENTS, 20_000, "(HEADER)"),
    ("b.csv.gz", _EVENTS, 12_000, "(HEADER, COMPRESSION gzip)"),
    ("c.jsonl", _EVENTS, 8_000, "(FORMAT json)"),
    ("d.parquet", _EVENTS, 15_000, "(FORMAT parquet)"),
    ("e.csv", _SURVEYS, 2_000, "(HEADER)"),
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[Path, tuple[str, int, str]]:
    """path -> (event id prefix, rows, namespace)."""
    folder = tmp_path_factory.mktemp("crash_corpus")
    con = duckdb.connect()
    made = {}
    for n, (name, query, rows, options) in enumerate(FILES):
        prefix = f"f{n}_"
        path = folder / name
        con.execute(f"COPY ({query.format(p=prefix, n=rows)}) TO '{path}' {options}")
        made[path] = (prefix, rows, "surveys" if query is _SURVEYS else "events")
    con.close()
    return made


def _start(db: Path, path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "socialcare_tui", "import", str(path), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def _check(db: Path, corpus) -> dict[Path, bool]:
    """The invariants after a kill; returns which files are in."""
    con = open_db(db)  # opens (and migrates a database killed while being created)
    try:
        mismatched = con.execute(
            "SELECT s.source_id, s.imported, count(e.source_id) FROM sources s "
            "LEFT JOIN events e USING (source_id) GROUP BY ALL HAVING s.imported <> count(e.source_id)"
        ).fetchall()
        assert mismatched == [], "ledger and events disagree"
        orphans = con.execute(
            "SELECT count(*) FROM events WHERE source_id NOT IN (SELECT source_id FROM sources)").fetchone()[0]
        assert orphans == 0
        unfinished = con.execute("SELECT count(*) FROM sources WHERE finished_at IS NULL").fetchone()[0]
        assert unfinished == 0, "a ledger row of an import that never finished"
        state = {}
        for path, (prefix, rows, _ns) in corpus.items():
            stored = con.execute(
                "SELECT count(*) FROM events WHERE starts_with(event_id, $p)", {"p": prefix}).fetchone()[0]
            assert stored in (0, rows), f"{path.name}: {stored} of {rows} rows: not atomic"
            state[path] = stored == rows
        return state
    finally:
        con.close()


def _complete(db: Path, corpus) -> None:
    """Re-running every import completes it; once in, a repeat adds nothing."""
    con = open_db(db)
    try:
        for path, (_prefix, rows, _ns) in corpus.items():
            summary = pipeline.import_file(con, path)
            assert summary.rows_read == rows == summary.imported + summary.duplicates
            assert summary.rejected == 0
    finally:
        con.close()
    assert all(_check(db, corpus).values())


def test_sigkill_at_random_moments_leaves_whole_files_or_none(tmp_path, corpus):
    rng = random.Random(SEED)
    paths = sorted(corpus)
    started = time.monotonic()
    kills = finished = 0
    db = tmp_path / "crash0.duckdb"
    while kills < KILLS and time.monotonic() - started < BUDGET_S:
        if kills and kills % KILLS_PER_DB == 0:
            _complete(db, corpus)
            db = tmp_path / f"crash{kills}.duckdb"
        path = rng.choice(paths)
        proc = _start(db, path)
        # an import takes ~0.3-1 s here (start-up included): kill anywhere in that span
        try:
            proc.wait(timeout=rng.uniform(0.05, 0.9))
            finished += 1  # it won the race: still a valid run to check
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        err = proc.stderr.read()
        proc.stderr.close()
        assert "Traceback" not in err
        kills += 1
        _check(db, corpus)
    _complete(db, corpus)
    assert kills >= MIN_KILLS, f"only {kills} kills fitted in {BUDGET_S:.0f}s"
    # the run must mostly have killed imports, not watched them finish
    assert finished < kills * 0.6, f"{finished} of {kills} imports finished before their kill"
