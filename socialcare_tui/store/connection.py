"""Open the DuckDB file: create it privately, migrate it, and turn DuckDB's
failures (lock held, foreign file, unwritable folder) into one-line errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from socialcare_tui.errors import DatabaseUnavailable
from socialcare_tui.paths import default_db_path, spill_dir
from socialcare_tui.store import migrations

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<prog>.+?) \(PID (?P<pid>\d+)\)")


def resolve_path(db: str | os.PathLike | None) -> Path:
    return Path(db).expanduser() if db else default_db_path()


# DuckDB may otherwise take 80% of the machine's memory. A reader (report, viewer)
# only aggregates the stored facts: what it caches beyond its limit is only speed
# (measured at 10M events: a report peaks at 0.6 GiB with it, 1.9 GiB without, about
# 30% slower). A writer's import keeps its rows and their facts in one transaction:
# past its limit DuckDB writes them out to the file and the spill folder.
READER_MEMORY = "512MB"
WRITER_MEMORY = "2GB"


def limit_memory(con: duckdb.DuckDBPyConnection, *, read_only: bool = True) -> None:
    """Keep a connection within READER_MEMORY or WRITER_MEMORY, spilling the rest to
    paths.spill_dir()."""
    folder = spill_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return  # no folder to spill to: DuckDB's own default limit then
    current = con.execute("SELECT current_setting('temp_directory')").fetchone()
    if current is not None and current[0] == str(folder):
        return  # set already (DuckDB refuses another folder once it has spilled to one)
    con.execute("SET memory_limit = $limit", {"limit": READER_MEMORY if read_only else WRITER_MEMORY})
    con.execute("SET temp_directory = $dir", {"dir": str(folder)})


def open_db(db: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) and migrate the database; raise DatabaseUnavailable on failure."""
    path = resolve_path(db)
    if read_only and not path.exists():
        raise DatabaseUnavailable(f"{path}: no such database; import data first")
    if not read_only:
        _ensure_folder(path)
    creating = not path.exists()
    con = _connect(path, read_only)
    try:
        if creating:
            os.chmod(path, 0o600)
        limit_memory(con, read_only=read_only)
        if read_only:
            if migrations.pending(con, str(path)):
                raise DatabaseUnavailable(
                    f"{path} needs a schema upgrade; run `socialcare-tui rebuild --db {path}` "
                    "once (or open it without --read-only)"
                )
        else:
            migrations.migrate(con, str(path))
    except BaseException:
        con.close()
        raise
    return con


def _ensure_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DatabaseUnavailable(f"{path.parent}: cannot create the database folder ({err.strerror})") from None
    if not os.access(path.parent, os.W_OK):
        raise DatabaseUnavailable(f"{path.parent}: folder is not writable; choose another --db")


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as err:
        raise DatabaseUnavailable(describe_open_error(path, err)) from None


def describe_open_error(path: Path, err: Exception) -> str:
    text = str(err)
    holder = _LOCK_HOLDER.search(text)
    if holder:
        return (
            f"{path} is locked by {holder['prog']} (PID {holder['pid']}); "
            "wait for it to finish, or stop it, then try again"
        )
    if "lock" in text.lower():
        return f"{path} is locked by another process; wait for it to finish, then try again"
    if "not a valid DuckDB database" in text or not _has_duckdb_header(path):
        return f"{path} is not a socialcare-tui (DuckDB) database; it was left untouched"
    first_line = text.splitlines()[0] if text else type(err).__name__
    return f"{path}: cannot open the database ({first_line})"


def _has_duckdb_header(path: Path) -> bool:
    """True unless the file exists and lacks DuckDB's magic bytes (`DUCK` at offset 8): a
    CSV opened read-only otherwise fails with an unrelated "in-memory database" error."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return True
    return head[8:12] == b"DUCK"


def is_lock_error(err: Exception) -> bool:
    return "lock" in str(err).lower()
