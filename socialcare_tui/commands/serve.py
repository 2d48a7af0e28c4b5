"""`socialcare-tui serve`: the app in a browser tab or on a TV, through textual-serve.

Each browser connection starts `socialcare-tui open --read-only --served` on the same
database in a subprocess (textual-serve's model); the served app imports nothing and
writes no files (no palette import or export, no theme remembered). Bound to
127.0.0.1 unless --host is given: there is no login, so anyone who can reach the port
sees the data.
"""

from __future__ import annotations

import shlex
import sys

from socialcare_tui.errors import UserError

NAME = "serve"
HELP = "serve the app (read-only) to a browser tab or a TV on a local port"
EXAMPLE = "socialcare-tui serve --wallboard --port 8000"

LOOPBACK = "127.0.0.1"


def add_arguments(parser) -> None:
    from socialcare_tui.commands.open import add_display_arguments

    parser.add_argument("--port", type=int, default=8000, help="TCP port to listen on (default 8000)")
    parser.add_argument("--host", default=LOOPBACK,
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 lets the whole network in)")
    parser.add_argument("--public-url", metavar="URL",
                        help="the address browsers use, when it differs from http://HOST:PORT (a proxy)")
    parser.add_argument("--window", metavar="SPAN", help="time window: 24h, 7d, 30d, a span like 90m, or all")
    parser.add_argument("--refresh", type=float, metavar="SECONDS", help="seconds between refreshes")
    add_display_arguments(parser)


def run(args) -> int:
    from socialcare_tui.commands import load_config
    from socialcare_tui.commands import open as open_command
    from socialcare_tui.store.connection import resolve_path

    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port}: must be between 1 and 65535")
    config = load_config(args.config)
    open_command.check_settings(config)
    open_command.check_refresh(args.refresh)
    open_command.wallboard_settings(args, config)
    open_command.view_state(args_for_state(args), config)  # a bad --window is one line here
    db_path = resolve_path(args.db).resolve()
    open_command.check_database(db_path, read_only=True)
    command = app_command(args, str(db_path))
    if args.host != LOOPBACK:
        print(f"socialcare-tui: serving on {args.host}:{args.port} with no login: "
              "anyone who can reach it sees the data", file=sys.stderr)
    serve(command, args.host, args.port, args.public_url or public_url(args.host, args.port))
    return 0


def public_url(host: str, port: int) -> str | None:
    """The page tells the browser where the websocket is: for a wildcard address that must
    be this machine's name, not 0.0.0.0 (textual-serve would use http://HOST:PORT)."""
    if host not in ("0.0.0.0", "::", ""):
        return None
    import socket

    name = socket.getfqdn()
    return f"http://{name}:{port}"


def args_for_state(args):
    import argparse

    return argparse.Namespace(window=args.window, as_of=None, channel=None, watch=None)


def app_command(args, db_path: str) -> str:
    """The shell command textual-serve runs for each browser connection."""
    argv = [sys.executable, "-m", "socialcare_tui", "open", "--db", db_path, "--read-only", "--served"]
    if args.config:
        argv += ["--config", args.config]
    if args.window:
        argv += ["--window", args.window]
    if args.refresh is not None:
        argv += ["--refresh", str(args.refresh)]
    argv += [flag for flag, on in (("--wallboard", args.wallboard), ("--redact", args.redact)) if on]
    return shlex.join(argv)


def serve(command: str, host: str, port: int, public_url: str | None) -> None:
    try:
        from textual_serve.server import Server
    except ModuleNotFoundError:
        raise UserError("serve needs the textual-serve package (pip install textual-serve)") from None
    server = Server(command, host=host, port=port, title="socialcare-tui", public_url=public_url)
    try:
        server.serve()
    except OSError as err:
        raise UserError(f"--host {host} --port {port}: cannot listen ({err.strerror or err})") from None
