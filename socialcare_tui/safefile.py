"""Writing output files and stdout so that a failure is one line and leaves nothing half written.

A file is written under a temporary name in its own folder (owner-only) and renamed
over the target only once everything is written and synced: a full disk, an I/O
error or Ctrl-C (interrupts.py deletes the temporary file) leave the target as it
was. A write that fails is OutputUnwritable: one line, exit 3. A closed pipe on
stdout (`... | head`) ends quietly with the shell's pipe convention, 141.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from socialcare_tui import interrupts
from socialcare_tui.errors import UserError

PIPE_EXIT = 128 + 13  # killed by SIGPIPE, as `yes | head` reports it


class OutputUnwritable(UserError):
    """The output (a file or stdout) cannot be written: exit 3, one line."""

    exit_code = 3


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed over `path` when the block
    ends without error, deleted otherwise. Errors of the write become OutputUnwritable."""
    target = Path(path).expanduser()
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as err:
        raise OutputUnwritable(f"{target}: cannot write ({err.strerror})") from None
    os.close(fd)
    temporary = Path(name)
    interrupts.remove_on_exit(name)
    try:
        yield temporary
        _sync(temporary)
        os.replace(temporary, target)
    except OSError as err:
        raise OutputUnwritable(f"{target}: cannot write ({err.strerror})") from None
    except Exception as err:
        if _is_io_error(err):  # DuckDB's COPY reports a full disk as its own error
            raise OutputUnwritable(f"{target}: cannot write ({_first_line(err)})") from None
        raise
    finally:
        temporary.unlink(missing_ok=True)
        interrupts.keep(name)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` (owner-only), all or nothing."""
    with replacing(path) as temporary:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)


def write_stdout(text: str) -> None:
    """Write to stdout and flush: OutputUnwritable on a full disk, BrokenPipeError on a closed pipe."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        silence_stdout()
        raise OutputUnwritable(f"standard output: cannot write ({err.strerror})") from None


def silence_stdout() -> None:
    """Point fd 1 at /dev/null, so that the interpreter's last flush of what is still
    buffered does not fail a second time (and turn the exit code into 120)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def finish_stdout() -> int | None:
    """Flush stdout at the end of a command: None when fine, else the exit code after
    telling (one line) why."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        return PIPE_EXIT
    except OSError as err:
        silence_stdout()
        print(f"socialcare-tui: standard output: cannot write ({err.strerror})", file=sys.stderr)
        return OutputUnwritable.exit_code
    except ValueError:  # stdout closed by the command itself
        return None
    return None


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_io_error(err: Exception) -> bool:
    text = str(err)
    return type(err).__name__ == "IOException" or any(
        os.strerror(code) in text for code in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG))


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
