"""When the terminal goes away (an SSH session drops), the app exits within 5 seconds."""

from __future__ import annotations

import os
import pty
import signal
import sys
import time

from socialcare_tui import cli

EVENTS = (
    "conversation_id,at,channel,direction,author,text\n"
    "c1,2024-03-01T10:00:00Z,twitter,in,u1,where is my parcel\n"
    "c1,2024-03-01T10:20:00Z,twitter,out,ann,on its way\n"
)


def read_for(fd: int, seconds: float) -> bytes:
    """What the app drew on the pseudo-terminal during `seconds`."""
    seen = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            seen += os.read(fd, 65536)
        except BlockingIOError:
            time.sleep(0.02)
        except OSError:
            break
    return seen


def test_app_exits_when_its_terminal_is_closed(tmp_path):
    data = tmp_path / "events.csv"
    data.write_text(EVENTS)
    db = tmp_path / "t.duckdb"
    assert cli.main(["import", str(data), "--db", str(db)]) == 0

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real app on the pseudo-terminal
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "socialcare_tui", "open", "--db", str(db)])
    try:
        os.set_blocking(fd, False)
        drawn = b""
        deadline = time.monotonic() + 30
        while b"Inbound" not in drawn and time.monotonic() < deadline:
            drawn += read_for(fd, 0.2)
        assert b"Inbound" in drawn, "the app never drew its dashboard"
        os.close(fd)  # the terminal goes away
        closed_at = time.monotonic()
        while time.monotonic() - closed_at < 5:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the app was still running 5 s after its terminal closed")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
