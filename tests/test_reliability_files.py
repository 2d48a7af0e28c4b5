"""Reliability campaign, files: owner-only database, exports and logs; an unwritable
database folder is one line and exit 3; a full disk fails the import with one line and
leaves the database as it was. Mount-based cases need root and tmpfs, else they skip."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from cli_helpers import run
from test_reliability_hostile import digest

from socialcare_tui.store import open_db

SMALL = "event_id,conversation_id,at,channel,direction,text\ns1,c1,2024-01-01T00:00:00Z,sms,in,hello\n"


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def cli_subprocess(*argv, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "socialcare_tui", *map(str, argv)],
                          capture_output=True, text=True, env=env, timeout=120)


@contextmanager
def tmpfs(folder: Path, options: str):
    """A tmpfs mounted on `folder` for the block; skips the test when mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_database_exports_and_logs_are_owner_only(capsys, tmp_path):
    old = os.umask(0o022)  # a permissive umask: the files must be private anyway
    try:
        feed = tmp_path / "feed.csv"
        feed.write_text(SMALL, encoding="utf-8")
        db = tmp_path / "new" / "sub" / "care.duckdb"
        assert run(capsys, "import", feed, "--db", db)[0] == 0
        assert private(db)
        os.umask(0o022)
        export = tmp_path / "out.csv"
        assert run(capsys, "export", export, "--db", db)[0] == 0
        report = tmp_path / "report.json"
        assert run(capsys, "report", "--db", db, "--output", report, "--format", "json")[0] == 0
        assert private(export) and private(report)
    finally:
        os.umask(old)
    # the crash log of an internal error (a subprocess: pytest owns this process's logging)
    state = tmp_path / "state"
    crash = ("import sys; from socialcare_tui import cli; from socialcare_tui.commands import sources; "
             "sources.run = lambda args: 1 / 0; sys.exit(cli.main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", crash, "sources", "--db", str(db)], capture_output=True, text=True,
                          env={**os.environ, "XDG_STATE_HOME": str(state)}, timeout=60)
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1 and "internal error" in done.stderr
    [log] = list(state.rglob("*.log"))
    assert "ZeroDivisionError" in log.read_text() and private(log)


def test_database_in_a_folder_that_cannot_be_written(capsys, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(SMALL, encoding="utf-8")
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    for argv in (["import", feed], ["report"], ["queue"]):
        code, out, err = run(capsys, *argv, "--db", blocker / "care.duckdb")
        assert code == 3, (argv, err)
        assert len(err.splitlines()) == 1 and "Traceback" not in err
    with tmpfs(tmp_path / "ro", "size=1m,ro") as folder:
        code, _, err = run(capsys, "import", feed, "--db", folder / "care.duckdb")
        assert code == 3 and len(err.splitlines()) == 1, err
        assert "not writable" in err


def test_a_full_disk_fails_the_import_and_keeps_the_database(tmp_path):
    small = tmp_path / "small.csv"
    small.write_text(SMALL, encoding="utf-8")
    big = tmp_path / "big.csv"  # ~5 MB of text: more than the 2 MB filesystem holds
    duckdb.connect().execute(
        f"""COPY (SELECT 'k' || i AS event_id, 'c' || (i // 5) AS conversation_id, '2024-01-01' AS "at",
            'sms' AS channel, 'in' AS direction, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS text
            FROM range(60000) t(i)) TO '{big}' (HEADER)""")
    with tmpfs(tmp_path / "full", "size=2m") as folder:
        db = folder / "care.duckdb"
        assert cli_subprocess("import", small, "--db", db).returncode == 0
        before = digest(db)
        for _attempt in range(2):  # and again, on the database the first failure left
            done = cli_subprocess("import", big, "--db", db)
            assert done.returncode == 3, done.stderr
            assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
            assert "could not be written" in done.stderr
            assert digest(db) == before
        con = open_db(db)  # reopens read-write, as it was
        try:
            assert con.execute("SELECT event_id FROM events").fetchall() == [("s1",)]
        finally:
            con.close()
