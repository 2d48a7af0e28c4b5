"""Output that cannot be written: one line, exit 3, nothing half written (issue 17, item 5).

A full disk is simulated with /dev/full for stdout and with a file-size limit
(RLIMIT_FSIZE, SIGXFSZ ignored, so writes fail with EFBIG) for files."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from socialcare_tui.ingest.pipeline import ImportOptions, import_file
from socialcare_tui.store import open_db

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contention_helpers import event_line  # noqa: E402


@pytest.fixture
def filled_db(tmp_path, db_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(event_line(n) for n in range(400)))
    con = open_db(db_path)
    import_file(con, feed, ImportOptions(format="events"))
    con.close()
    return db_path


def cli(*args: str, stdout=subprocess.PIPE, file_limit: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        if file_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run([sys.executable, "-m", "socialcare_tui", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=120, preexec_fn=limit)


@pytest.mark.parametrize("command", [["sources"], ["report", "--format", "json"], ["queue", "--format", "csv"],
                                     ["rejects"]])
def test_stdout_on_a_full_disk_is_one_line_and_exit_3(filled_db, command):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = cli(*command, "--db", str(filled_db), stdout=full)
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1 and "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_a_closed_pipe_ends_quietly_with_the_pipe_convention(filled_db):
    proc = subprocess.Popen([sys.executable, "-m", "socialcare_tui", "queue", "--format", "csv", "--db",
                             str(filled_db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()  # like `| head -c 10`
    err = proc.stderr.read().decode()
    proc.wait(60)
    assert proc.returncode in (0, 141)  # 0 when everything fit in the pipe before it closed
    assert err == ""


@pytest.mark.parametrize("name", ["conversations.csv", "conversations.json", "conversations.parquet"])
def test_export_on_a_full_disk_leaves_no_file(filled_db, tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    done = cli("export", str(out / name), "--db", str(filled_db), file_limit=2000)
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1 and "cannot write" in done.stderr
    assert list(out.iterdir()) == []  # neither the file nor its temporary


def test_a_failed_forced_export_keeps_the_old_file(filled_db, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("the previous export\n")
    done = cli("export", str(target), "--what", "report", "--force", "--db", str(filled_db), file_limit=500)
    assert done.returncode == 3, done.stderr
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != filled_db.name and
                  not p.name.startswith(filled_db.name)) == ["feed.jsonl", "report.json"]


@pytest.mark.parametrize("command", [["report", "--format", "json"], ["queue", "--format", "csv"]])
def test_output_file_on_a_full_disk_leaves_no_file(filled_db, tmp_path, command):
    target = tmp_path / "out.txt"
    done = cli(*command, "--output", str(target), "--db", str(filled_db), file_limit=300)
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_an_output_file_is_owner_only_and_complete(filled_db, tmp_path):
    target = tmp_path / "report.json"
    done = cli("report", "--format", "json", "--output", str(target), "--db", str(filled_db))
    assert done.returncode == 0, done.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text().rstrip().endswith("}")
