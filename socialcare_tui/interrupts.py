"""Ctrl-C ends a command within a second, with one line and exit 130.

Unwinding after Ctrl-C is not quick enough: DuckDB turns the interrupt into "Query
interrupted", and closing its connection then waits for the statement's worker
threads (sniffing a 20 GB file went on for minutes). So `watch_interrupts()` makes
SIGINT leave at once: print the line, delete the temporary files registered with
`remove_on_exit` (safefile.py's half-written outputs), and os._exit(130). Leaving
that way is what a kill does; every write to the database is one transaction, so
the database is unchanged (the crash tests check that under SIGKILL). Should the
main thread be deep in C code that does not look at signals, a watchdog thread,
woken through the signal wakeup fd, does the same after GRACE seconds.

`watch` asks for a graceful stop instead: SIGINT raises KeyboardInterrupt (it stops
between batches and says so), with the watchdog as the backstop.

Limit: both the handler and the watchdog are Python, so they wait while a C call
holds the GIL. DuckDB holds it while it binds a statement, and sniffing a file's
columns happens at bind time: on a 20 GB file of zeros that was seconds under load.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

EXIT_CODE = 130
MESSAGE = "socialcare-tui: interrupted"
GRACE = 0.5  # seconds before the watchdog ends a process that did not stop by itself

_interrupted = threading.Event()
_told = threading.Lock()
_told_once: list[bool] = []
_installed: list[bool] = []
_graceful: list[bool] = []
_to_remove: set[str] = set()


def interrupted() -> bool:
    """True once SIGINT arrived: an exception raised after it is the interrupt, not a bug."""
    return _interrupted.is_set()


def tell() -> None:
    """Print the one line, once, whoever gets there first."""
    with _told:
        if not _told_once:
            _told_once.append(True)
            try:
                print(MESSAGE, file=sys.stderr, flush=True)
            except (OSError, ValueError, RuntimeError):
                pass


def remove_on_exit(path: str) -> None:
    """Delete `path` if an interrupt ends the process (until `keep` is called for it)."""
    _to_remove.add(str(path))


def keep(path: str) -> None:
    _to_remove.discard(str(path))


def watch_interrupts(*, graceful: bool = False) -> None:
    """Install the SIGINT handler and the watchdog (main thread only; once per process)."""
    if threading.current_thread() is not threading.main_thread() or _installed:
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    except ValueError:
        os.close(read_end)
        os.close(write_end)
        return
    _installed.append(True)
    if graceful:
        _graceful.append(True)
    signal.signal(signal.SIGINT, _on_sigint)
    threading.Thread(target=_watchdog, args=(read_end,), name="interrupt-watchdog", daemon=True).start()


def leave() -> None:
    """The one line, the registered temporary files removed, exit 130 now."""
    tell()
    for path in list(_to_remove):
        try:
            os.unlink(path)
        except OSError:
            pass
    try:
        sys.stdout.flush()  # what earlier steps printed (committed imports) is not lost
    except (OSError, ValueError, RuntimeError):
        pass
    os._exit(EXIT_CODE)


def _on_sigint(signum, frame) -> None:
    _interrupted.set()
    if _graceful:
        raise KeyboardInterrupt
    leave()


def _watchdog(read_end: int) -> None:
    while True:
        try:
            woken = os.read(read_end, 64)
        except OSError:
            return
        if signal.SIGINT in woken:
            _interrupted.set()
            timer = threading.Timer(GRACE, leave)
            timer.daemon = True  # a command that ended in time is not held up by it
            timer.start()
