"""Reliability campaign, crashes: imports killed with SIGKILL at random moments.

Up to 100 imports of generated files (2k-20k rows; CSV, gzip CSV, JSON Lines, Parquet,
surveys) run as processes (forked from a server that has the importer loaded) and are
killed after a seeded random delay. After every
kill the database opens, the ledger agrees with the events (imported per source =
events rows of that source), every file is wholly in or wholly out, the stored
conversation facts equal a rebuild from `events` (checked again whenever a kill
left the database other than the last check saw it), and a re-run completes what
was killed. Bounded by a wall-clock budget (CRASH_BUDGET_S, default 75 s):
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
from socialcare_tui.store import facts, open_db

SEED = 20261125
KILLS = 100
MIN_KILLS = 20
BUDGET_S = float(os.environ.get("CRASH_BUDGET_S", "75"))
KILLS_PER_DB = 25  # a fresh database every few kills, so most kills hit a first import

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


# A fork server: Python, DuckDB and the importer are loaded once, and each import runs in
# a forked child, so the random kill lands in the import's work, not in start-up.
_SERVER = """
import os, sys
from socialcare_tui import cli
for request in sys.stdin:
    db, path = request.rstrip("\\n").split("\\t")
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os._exit(cli.main(["import", path, "--db", db]))
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(status, flush=True)
"""


@pytest.fixture
def server():
    proc = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    yield proc
    proc.stdin.close()
    proc.wait(timeout=30)
    assert "Traceback" not in proc.stderr.read()


def _import_and_kill(server, db: Path, path: Path, delay: float | None) -> bool:
    """Start one import and SIGKILL it after `delay` seconds (None: let it run);
    True when it finished first."""
    server.stdin.write(f"{db}\t{path}\n")
    server.stdin.flush()
    pid = int(server.stdout.readline())
    if delay is None:
        status = int(server.stdout.readline())
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        return True
    time.sleep(delay)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # already reaped
    status = int(server.stdout.readline())
    if os.WIFSIGNALED(status):
        return False
    assert os.WEXITSTATUS(status) == 0
    return True


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
        seen = _fingerprint(con)
        if _checked.get(db) != seen:  # a kill before the commit left what was checked last
            _facts_equal_a_rebuild(con)
            _checked[db] = seen
        state = {}
        for path, (prefix, rows, _ns) in corpus.items():
            stored = con.execute(
                "SELECT count(*) FROM events WHERE starts_with(event_id, $p)", {"p": prefix}).fetchone()[0]
            assert stored in (0, rows), f"{path.name}: {stored} of {rows} rows: not atomic"
            state[path] = stored == rows
        return state
    finally:
        con.close()


_checked: dict[Path, tuple] = {}  # database -> its fingerprint when its facts were last checked


def _fingerprint(con) -> tuple:
    """What changes with every committed import: events and ledger rows, the facts'
    state (built_at included) and each fact table's row count."""
    tables = con.execute("SELECT list(table_name ORDER BY table_name) FROM duckdb_tables() "
                         "WHERE schema_name = 'main' AND starts_with(table_name, 'fact_')").fetchone()[0]
    counts = [con.execute(f'SELECT count(*) FROM main."{table}"').fetchone()[0] for table in tables or []]
    ledger = con.execute("SELECT (SELECT count(*) FROM events), (SELECT max(rowid) FROM events), "
                         "(SELECT count(*) FROM sources), (SELECT max(finished_at) FROM sources)").fetchone()
    state = con.execute("SELECT * FROM fact_state").fetchall() if tables else []
    return tuple(ledger), tuple(tables or []), tuple(counts), tuple(state)


def _rounded(con, table: str) -> str:
    """SELECT of a table's rows with doubles to 9 digits (a sum of doubles depends on
    the order of its rows) and without fact_state's build time."""
    columns = con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                          "WHERE schema_name = 'main' AND table_name = $t ORDER BY column_index",
                          {"t": table}).fetchall()
    picked = [f'round("{name}", 9)' if kind == "DOUBLE" else f'"{name}"'
              for name, kind in columns if name != "built_at"]
    return f'SELECT {", ".join(picked)} FROM main."{table}"'


def _facts_equal_a_rebuild(con) -> None:
    """Every fact_* table holds, as a multiset, what a rebuild from `events` with the
    same auto_resolve_after makes. The rebuild (facts.rebuild's work) is rolled back,
    so the campaign goes on from the facts the killed imports left."""
    tables = [row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND starts_with(table_name, 'fact_') ORDER BY 1").fetchall()]
    assert "fact_conv" in tables
    state = facts.state(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in tables:
            con.execute(f"CREATE TEMP TABLE kept_{table} AS {_rounded(con, table)}")
        facts.update(con, auto_resolve=state.auto_resolve if state else None, full=True)
        for table in tables:
            rebuilt = _rounded(con, table)
            extra, missing = con.execute(
                f"SELECT (SELECT count(*) FROM (FROM kept_{table} EXCEPT ALL {rebuilt})), "
                f"(SELECT count(*) FROM ({rebuilt} EXCEPT ALL FROM kept_{table}))").fetchone()
            assert (extra, missing) == (0, 0), \
                f"{table}: {extra} stored rows a rebuild does not make, {missing} it makes that are missing"
    finally:
        con.execute("ROLLBACK")


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


def _durations(folder: Path, corpus, server) -> dict[Path, float]:
    """How long each file's import into a fresh database takes on this machine now."""
    took = {}
    for n, path in enumerate(sorted(corpus)):
        started = time.monotonic()
        _import_and_kill(server, folder / f"timing{n}.duckdb", path, None)
        took[path] = time.monotonic() - started
    return took


def campaign(folder: Path, corpus, server, kills_wanted: int, budget_s: float, seed: int = SEED) -> tuple[int, int]:
    """Kill imports at random moments, checking after each; (kills, imports that finished first)."""
    rng = random.Random(seed)
    paths = sorted(corpus)
    durations = _durations(folder, corpus, server)
    started = time.monotonic()
    kills = finished = 0
    db = folder / "crash0.duckdb"
    while kills < kills_wanted and time.monotonic() - started < budget_s:
        if kills and kills % KILLS_PER_DB == 0:
            _complete(db, corpus)
            db = folder / f"crash{kills}.duckdb"
        path = rng.choice(paths)
        # kill anywhere in the span the import was measured to take on this machine
        finished += _import_and_kill(server, db, path, rng.uniform(0.0, durations[path]))
        kills += 1
        _check(db, corpus)
    _complete(db, corpus)
    print(f"{kills} imports killed or raced, {finished} finished first, in {time.monotonic() - started:.0f}s")
    return kills, finished


def test_sigkill_at_random_moments_leaves_whole_files_or_none(tmp_path, corpus, server):
    kills, finished = campaign(tmp_path, corpus, server, KILLS, BUDGET_S)
    assert kills >= MIN_KILLS, f"only {kills} kills fitted in {BUDGET_S:.0f}s"
    # the run must mostly have killed imports, not watched them finish
    assert finished < kills * 0.6, f"{finished} of {kills} imports finished before their kill"


def test_the_facts_check_sees_facts_that_differ_from_a_rebuild(tmp_path):
    """The check after each kill is not vacuous: a fact row removed, or one changed,
    is seen, and the check leaves the database as it found it."""
    source = tmp_path / "small.csv"
    con = duckdb.connect()
    con.execute(f"COPY ({_EVENTS.format(p='s_', n=60)}) TO '{source}' (HEADER)")
    con.close()
    con = open_db(tmp_path / "small.duckdb")
    try:
        pipeline.import_file(con, source)
        _facts_equal_a_rebuild(con)
        con.execute("DELETE FROM fact_msgs WHERE event_id = 's_7'")
        with pytest.raises(AssertionError, match="fact_msgs: 0 stored rows a rebuild does not make, 1"):
            _facts_equal_a_rebuild(con)
        assert con.execute("SELECT count(*) FROM fact_msgs").fetchone()[0] == 59  # rolled back
        con.execute("UPDATE fact_conv SET human_replies = human_replies + 1 WHERE conv_key = "
                    "(SELECT min(conv_key) FROM fact_conv)")
        with pytest.raises(AssertionError, match=r"fact_conv: [12] stored rows a rebuild does not make"):
            _facts_equal_a_rebuild(con)
    finally:
        con.close()
