"""The store: creation, migrations, refusal of newer/foreign/locked databases."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from socialcare_tui.errors import DatabaseUnavailable
from socialcare_tui.store import migrations, open_db


def test_creates_folders_and_owner_only_file(tmp_path):
    path = tmp_path / "a" / "b" / "x.duckdb"
    open_db(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    con = open_db(path, read_only=True)
    tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    assert {"events", "sources", "rejects", "schema_version"} <= tables
    assert migrations.current_version(con) == migrations.latest_version()


def test_migrations_run_once(db_path):
    open_db(db_path).close()
    con = open_db(db_path)
    assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(migrations.available())


def test_newer_database_is_refused_untouched(db_path):
    con = open_db(db_path)
    con.execute("INSERT INTO schema_version VALUES (999, now()::TIMESTAMP)")
    con.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseUnavailable, match="newer socialcare-tui"):
        open_db(db_path)
    assert db_path.read_bytes() == before


def test_foreign_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("this is not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailable, match="not a socialcare-tui"):
        open_db(path)
    assert path.read_bytes() == before


def test_locked_database_names_the_holder(db_path):
    open_db(db_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db_path)!r}); print('ok', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(DatabaseUnavailable, match=rf"locked by .*PID {holder.pid}"):
            open_db(db_path)
    finally:
        holder.kill()
        holder.wait()


def test_database_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    # root may write anywhere, so use a parent that is a file: no user can make a folder there
    with pytest.raises(DatabaseUnavailable, match="cannot create the database folder"):
        open_db(blocker / "sub" / "x.duckdb")
