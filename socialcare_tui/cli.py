"""The `socialcare-tui` command: builds the argument parser from the modules in
`socialcare_tui/commands/` and turns every failure into one line and an exit code.

A command module defines NAME, HELP, EXAMPLE, `add_arguments(parser)` and
`run(args) -> int`. Exit codes: 0 ok, 1 internal error, 2 bad usage or
input, 3 database locked or unusable.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import pkgutil
import sys
import traceback

from socialcare_tui import __version__, commands, interrupts, safefile
from socialcare_tui.errors import UserError
from socialcare_tui.paths import log_path
from socialcare_tui.safetext import clean

DEFAULT_COMMAND = "open"
# the app's commands: Textual reads Ctrl-C as a key and owns the signal wakeup fd
_APP_COMMANDS = {"open", "serve", "demo"}
# a print() to stdout that fails for these is the output's fault, not a bug: exit 3
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS}


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def command_modules() -> list:
    found = []
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found.append(module)
    return sorted(found, key=lambda m: m.NAME)


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="socialcare-tui",
        description="Customer-care KPIs from channel logs, in DuckDB, in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"socialcare-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for module in command_modules():
        sub = subparsers.add_parser(
            module.NAME,
            help=module.HELP,
            description=module.HELP,
            epilog=f"example:\n  {module.EXAMPLE}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_common_arguments(sub)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $SOCIALCARE_TUI_DB or socialcare.duckdb in the user data folder)",
    )
    parser.add_argument("--config", metavar="PATH", help="config.toml to use instead of the default")


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # every file we create (database, exports, logs) is owner-only
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, DEFAULT_COMMAND)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage mistake already printed
        return int(exit_.code or 0)
    _notes_as_lines()
    if args.command not in _APP_COMMANDS:
        interrupts.watch_interrupts(graceful=args.command == "watch")  # Ctrl-C: 130, one line, now
    try:
        code = int(args.run(args) or 0)
        return safefile.finish_stdout() or code
    except UserError as err:
        # messages quote paths and values from the user: one safe line, whatever they hold
        print(f"socialcare-tui: {clean(str(err), single_line=True)}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        interrupts.tell()
        return interrupts.EXIT_CODE
    except BrokenPipeError:  # `... | head` stopped reading: the pipe convention, quietly
        safefile.silence_stdout()
        return safefile.PIPE_EXIT
    except OSError as err:
        if err.errno not in _OUTPUT_ERRNOS:
            return _internal_error()
        safefile.silence_stdout()
        where = f"{err.filename}: " if err.filename else ""
        print(f"socialcare-tui: {clean(where, single_line=True)}cannot write ({err.strerror})", file=sys.stderr)
        return safefile.OutputUnwritable.exit_code
    except Exception:  # a bug: keep the traceback in the log, print one line
        if interrupts.interrupted():  # DuckDB reports Ctrl-C as "Query interrupted"
            interrupts.tell()
            return interrupts.EXIT_CODE
        return _internal_error()


def _internal_error() -> int:
    where = write_crash_log()
    print(f"socialcare-tui: internal error; details in {where}", file=sys.stderr)
    return 1


def _notes_as_lines() -> None:
    """Warnings meant for the user (kpi.engine.StaleFacts) print as one line, once."""
    import warnings

    from socialcare_tui.kpi.engine import StaleFacts

    def show(message, category, *_args, **_kwargs) -> None:
        print(f"socialcare-tui: note: {clean(str(message), single_line=True)}", file=sys.stderr)

    warnings.showwarning = show
    warnings.filterwarnings("once", category=StaleFacts)


def write_crash_log() -> str:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(filename=path, level=logging.ERROR)
        logging.getLogger("socialcare_tui").error("unexpected error\n%s", traceback.format_exc())
        return str(path)
    except OSError:
        return "(log unavailable)"
