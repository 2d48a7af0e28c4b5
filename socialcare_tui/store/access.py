"""Short-lived access to the database, so one feeder and many viewers can share it.

DuckDB lets one process open a file read-write OR many processes open it
read-only, never both at once. So nobody keeps the file open: a feeder opens it
read-write for one import batch, a viewer opens it read-only for one refresh,
and each closes it right after. When the file is busy, `database()` retries
with exponential backoff and tells the caller "waiting for database" through a
callback, giving up with DatabaseUnavailable (exit 3) after `total_wait`.

Inside one process the same rule holds between threads (DuckDB refuses a
read-only and a read-write connection to one file in one process), so accesses
to one file from one process are also serialised by a process-wide lock.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from socialcare_tui.errors import DatabaseUnavailable
from socialcare_tui.store import migrations
from socialcare_tui.store.connection import describe_open_error, is_lock_error, open_db, resolve_path

WaitCallback = Callable[[str], None]

# DuckDB's message when one process asks for a second connection to a file it
# already holds in the other mode: a conflict that ends when that access ends.
_SAME_PROCESS_CONFLICT = "different configuration"


@dataclass(frozen=True)
class Backoff:
    """Retry delays: `first` seconds, doubling up to `longest`, for at most `total_wait` seconds."""

    first: float = 0.05
    longest: float = 1.0
    total_wait: float = 30.0

    def delays(self) -> Iterator[float]:
        """Successive sleeps whose sum stays within total_wait."""
        spent, delay = 0.0, self.first
        while spent < self.total_wait:
            step = min(delay, self.total_wait - spent)
            yield step
            spent += step
            delay = min(delay * 2, self.longest)


DEFAULT_BACKOFF = Backoff()

_locks_guard = threading.Lock()
_locks: dict[str, threading.RLock] = {}


def _process_lock(key: str) -> threading.RLock:
    with _locks_guard:
        return _locks.setdefault(key, threading.RLock())


def is_conflict(err: Exception) -> bool:
    """True when the open failed only because another access holds the file."""
    return is_lock_error(err) or _SAME_PROCESS_CONFLICT in str(err)


@contextmanager
def database(
    db: str | os.PathLike | None = None,
    *,
    read_only: bool = False,
    backoff: Backoff = DEFAULT_BACKOFF,
    on_wait: WaitCallback | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for one batch or one refresh, and close it on leaving the block.

    `on_wait(message)` is called before each retry while the file is busy; the
    message starts with "waiting for database". Errors other than a busy file
    (missing, foreign, too new) are raised at once.
    """
    path = resolve_path(db)
    lock = _process_lock(str(path.absolute()))
    delays = backoff.delays()
    started = time.monotonic()
    _acquire(lock, path, delays, on_wait, started)
    try:
        con = _open_with_retry(path, read_only, delays, on_wait, started)
        try:
            yield con
        finally:
            con.close()
    finally:
        lock.release()


class StoreConnection:
    """The database file attached as `store` to a process-local in-memory connection
    (`home`), which outlives the attachment: what it holds (kpi/layer.py's kept layers)
    survives between refreshes while the file itself is open only for each one.

    Looks like a DuckDB connection to the file: `cursor()` gives a cursor of `home`
    whose unqualified names (events, sources ...) are the file's tables."""

    def __init__(self, home: duckdb.DuckDBPyConnection) -> None:
        self.home = home
        self._cur = self.cursor()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.home.cursor()
        cur.execute("USE store")
        return cur

    def execute(self, *args):
        return self._cur.execute(*args)

    def close(self) -> None:
        self._cur.close()


@contextmanager
def attached(
    home: duckdb.DuckDBPyConnection,
    db: str | os.PathLike | None = None,
    *,
    backoff: Backoff = DEFAULT_BACKOFF,
    on_wait: WaitCallback | None = None,
) -> Iterator[StoreConnection]:
    """Attach the database read-only to `home` for one refresh (the same waiting and
    errors as `database`), and detach it on leaving the block."""
    path = resolve_path(db)
    lock = _process_lock(str(path.absolute()))
    delays = backoff.delays()
    started = time.monotonic()
    _acquire(lock, path, delays, on_wait, started)
    try:
        _attach_with_retry(home, path, delays, on_wait, started)
        try:
            con = StoreConnection(home)
            try:
                _check_schema(con, path)
                yield con
            finally:
                con.close()
        finally:
            home.execute("DETACH store")
    finally:
        lock.release()


def _attach_with_retry(home, path: Path, delays, on_wait, started) -> None:
    if not path.exists():
        raise DatabaseUnavailable(f"{path}: no such database; import data first")
    while True:
        try:
            home.execute("ATTACH $path AS store (READ_ONLY)", {"path": str(path)})
            return
        except duckdb.Error as err:
            if not is_conflict(err):
                raise DatabaseUnavailable(describe_open_error(path, err)) from None
            delay = _next_delay(delays, path, str(err), started)
            _report(on_wait, path, "locked by another process", started, delay)
            time.sleep(delay)


def _check_schema(con: StoreConnection, path: Path) -> None:
    if migrations.pending(con, str(path)):
        raise DatabaseUnavailable(f"{path} needs a schema upgrade; open it once without --read-only")


def _acquire(lock, path, delays, on_wait, started) -> None:
    while not lock.acquire(blocking=False):
        delay = _next_delay(delays, path, "another task of this process is using it", started)
        _report(on_wait, path, "in use by this process", started, delay)
        if lock.acquire(timeout=delay):
            return


def _open_with_retry(path, read_only, delays, on_wait, started) -> duckdb.DuckDBPyConnection:
    while True:
        try:
            return open_db(path, read_only=read_only)
        except (DatabaseUnavailable, duckdb.Error) as err:
            if not is_conflict(err):
                raise
            delay = _next_delay(delays, path, str(err), started)
            _report(on_wait, path, "locked by another process", started, delay)
            time.sleep(delay)


def _next_delay(delays: Iterator[float], path, reason: str, started: float) -> float:
    delay = next(delays, None)
    if delay is None:
        waited = time.monotonic() - started
        raise DatabaseUnavailable(
            f"{path}: still busy after waiting {waited:.1f}s ({_first_line(reason)})"
        )
    return delay


def _report(on_wait: WaitCallback | None, path, why: str, started: float, delay: float) -> None:
    if on_wait is not None:
        waited = time.monotonic() - started
        on_wait(f"waiting for database {path} ({why}) for {waited:.1f}s; retrying in {delay:.2f}s")


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else "locked"
