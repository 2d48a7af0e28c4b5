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

Writers come first. DuckDB's own lock has no queue: a feeder retrying with
backoff can miss every gap between readers that run back to back. So before
touching the file every access takes a turn at a small lock file beside it
(`<db>.turn`, POSIX record locks, released by the kernel when a process dies):
byte 0 is the turnstile, byte 1 the access. A reader passes the turnstile
(shared, for an instant) and holds byte 1 shared while it reads; a writer holds
the turnstile exclusively while it waits for byte 1 exclusively. So once a
writer is waiting no new reader starts, and the writer gets the file as soon as
the reads already under way end, however many readers there are. A folder where
the lock file cannot be made (read-only media) goes without the turnstile.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

try:
    import fcntl
except ImportError:  # not POSIX: DuckDB's own lock and the backoff alone
    fcntl = None  # type: ignore[assignment]

from socialcare_tui.errors import DatabaseUnavailable
from socialcare_tui.store import connection, migrations
from socialcare_tui.store.connection import describe_open_error, is_lock_error, open_db, resolve_path

WaitCallback = Callable[[str], None]

TURN_SUFFIX = ".turn"
_POLL = 0.01  # seconds between tries at the turnstile: a waiting writer gets in within this

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


@dataclass
class _Turn:
    """One access's place in line: the file, and how long and how it has waited."""

    path: Path
    delays: Iterator[float]
    on_wait: WaitCallback | None
    started: float

    def next_delay(self, reason: str, why: str) -> float:
        """The next pause, told to on_wait; DatabaseUnavailable when the waiting is over."""
        delay = next(self.delays, None)
        waited = time.monotonic() - self.started
        if delay is None:
            raise DatabaseUnavailable(
                f"{self.path}: still busy after waiting {waited:.1f}s ({_first_line(reason)})"
            )
        if self.on_wait is not None:
            self.on_wait(f"waiting for database {self.path} ({why}) for {waited:.1f}s; "
                         f"retrying in {delay:.2f}s")
        return delay


class _Gate:
    """This process's place at one database's lock file (see the module doc). Record
    locks belong to the process, so the file stays open for the life of the process
    (closing any descriptor of it would drop them) and nested accesses of the thread
    holding the process lock take no second turn."""

    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + TURN_SUFFIX)
        self.fd: int | None = None
        self.writable = False
        self.depth = 0

    def _descriptor(self) -> int | None:
        if self.fd is None:
            try:
                self.fd, self.writable = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), True
            except OSError:
                try:
                    self.fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
                except OSError:
                    return None  # a folder we cannot write to: no turnstile
        return self.fd

    def _try(self, kind: int, byte: int) -> bool:
        assert self.fd is not None  # called once _descriptor() gave one
        try:
            fcntl.lockf(self.fd, kind | fcntl.LOCK_NB, 1, byte, os.SEEK_SET)
            return True
        except OSError as err:
            if err.errno in (errno.EACCES, errno.EAGAIN):
                return False
            raise

    def _release(self, *bytes_: int) -> None:
        assert self.fd is not None
        for byte in bytes_:
            fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, byte, os.SEEK_SET)

    @contextmanager
    def turn(self, turn: _Turn, write: bool) -> Iterator[None]:
        """Hold the file's turn for one access: shared for a reader, exclusive for a writer."""
        self.depth += 1
        try:
            # nobody reads a file that is not there yet, so creating it needs no turn
            # (and a refused first import leaves no lock file behind)
            usable = (fcntl is not None and self.depth == 1 and turn.path.exists()
                      and self._descriptor() is not None and (self.writable or not write))
            if not usable:
                yield
                return
            if write:
                held = self._enter_writer(turn)
            else:
                held = self._enter_reader(turn)
            try:
                yield
            finally:
                self._release(*held)
        finally:
            self.depth -= 1

    def _enter_reader(self, turn: _Turn) -> tuple[int, ...]:
        _wait_until(turn, lambda: self._try(fcntl.LOCK_SH, 0), "a writer is waiting for it")
        try:
            _wait_until(turn, lambda: self._try(fcntl.LOCK_SH, 1), "a writer is using it")
        finally:
            self._release(0)  # the turnstile is passed: a writer may queue behind this read
        return (1,)

    def _enter_writer(self, turn: _Turn) -> tuple[int, ...]:
        _wait_until(turn, lambda: self._try(fcntl.LOCK_EX, 0), "another writer is using it")
        try:
            _wait_until(turn, lambda: self._try(fcntl.LOCK_EX, 1), "waiting for readers to finish")
        except BaseException:
            self._release(0)
            raise
        return (1, 0)  # byte 1 first: a reader holding the turnstile then always gets byte 1


def _wait_until(turn: _Turn, attempt: Callable[[], bool], why: str) -> None:
    """Try `attempt` every _POLL seconds, telling on_wait at each backoff step,
    until it succeeds or the backoff's total wait is spent (DatabaseUnavailable)."""
    while not attempt():
        pause_end = time.monotonic() + turn.next_delay(why, why)
        while not attempt():
            left = pause_end - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(_POLL, left))
        else:
            return


_gates: dict[str, _Gate] = {}


def _gate(path: Path) -> _Gate:
    with _locks_guard:
        key = str(path.absolute())
        return _gates.setdefault(key, _Gate(path.absolute()))


@contextmanager
def _our_turn(db: str | os.PathLike[str] | None, backoff: Backoff, on_wait: WaitCallback | None, *,
              write: bool) -> Iterator[_Turn]:
    """Hold this process's lock on the file (waiting with backoff), then the file's turn
    among processes (writers first), for one access."""
    path = resolve_path(db)
    lock = _process_lock(str(path.absolute()))
    turn = _Turn(path, backoff.delays(), on_wait, time.monotonic())
    while not lock.acquire(blocking=False):
        delay = turn.next_delay("another task of this process is using it", "in use by this process")
        if lock.acquire(timeout=delay):
            break
    try:
        with _gate(path).turn(turn, write):
            yield turn
    finally:
        lock.release()


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
    with _our_turn(db, backoff, on_wait, write=not read_only) as turn:
        con = _open_with_retry(turn, read_only)
        try:
            yield con
        finally:
            con.close()


class Borrowed:
    """A connection for one read on one thread, borrowed from a long-lived `base`.

    `cursor()` gives cursors of `base` (the engine opens one per call); `execute()`
    runs on a cursor of its own, so threads never share one. With `store=True`, `base` is the in-memory home the
    file is attached to as `store` (`attached`), and each cursor first does USE
    store, so unqualified names (events, sources ...) are the file's tables."""

    def __init__(self, base: duckdb.DuckDBPyConnection, *, store: bool = False) -> None:
        self.base, self.store = base, store
        self._cur = self.cursor()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.base.cursor()
        if self.store:
            cur.execute("USE store")
        return cur

    def execute(self, *args: Any) -> duckdb.DuckDBPyConnection:
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
) -> Iterator[Borrowed]:
    """Attach the database read-only to `home` for one refresh (the same waiting and
    errors as `database`), and detach it on leaving the block."""
    with _our_turn(db, backoff, on_wait, write=False) as turn:
        connection.limit_memory(home)  # in our turn: one thread at a time uses `home` itself
        _attach_with_retry(home, turn)
        try:
            con = Borrowed(home, store=True)
            try:
                if migrations.pending(con._cur, str(turn.path)):
                    raise DatabaseUnavailable(
                        f"{turn.path} needs a schema upgrade; open it once without --read-only")
                yield con
            finally:
                con.close()
        finally:
            home.execute("DETACH store")


def _attach_with_retry(home: duckdb.DuckDBPyConnection, turn: _Turn) -> None:
    if not turn.path.exists():
        raise DatabaseUnavailable(f"{turn.path}: no such database; import data first")
    while True:
        try:
            home.execute("ATTACH $path AS store (READ_ONLY)", {"path": str(turn.path)})
            return
        except duckdb.Error as err:
            if not is_conflict(err):
                raise DatabaseUnavailable(describe_open_error(turn.path, err)) from None
            time.sleep(turn.next_delay(str(err), "locked by another process"))


def _open_with_retry(turn: _Turn, read_only: bool) -> duckdb.DuckDBPyConnection:
    while True:
        try:
            return open_db(turn.path, read_only=read_only)
        except (DatabaseUnavailable, duckdb.Error) as err:
            if not is_conflict(err):
                raise
            time.sleep(turn.next_delay(str(err), "locked by another process"))


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else "locked"
