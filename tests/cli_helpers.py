"""Running the CLI from tests: in this process (with capsys) or as a child process."""

from __future__ import annotations

import subprocess
import sys

from socialcare_tui import cli


def run(capsys, *argv: object) -> tuple[int | str | None, str, str]:
    """`socialcare-tui ARGV` in this process: (exit code, stdout, stderr). An argparse
    usage error (SystemExit) gives its exit code like any other mistake."""
    try:
        code: int | str | None = cli.main([str(a) for a in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*args: str) -> subprocess.CompletedProcess:
    """`python -m socialcare_tui ARGS` as a child process, text captured."""
    return subprocess.run([sys.executable, "-m", "socialcare_tui", *args], capture_output=True, text=True,
                          timeout=120)
