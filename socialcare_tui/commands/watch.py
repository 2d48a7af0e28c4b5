"""`socialcare-tui watch PATH…`: the headless follower that feeds the database."""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from socialcare_tui.commands.waiting import tell_every
from socialcare_tui.errors import UserError
from socialcare_tui.safetext import clean

if TYPE_CHECKING:
    from socialcare_tui.ingest.follow import Batch

NAME = "watch"
HELP = (
    "follow log files and folders, importing what is appended or dropped in, until interrupted; "
    "the database is opened only for each batch, so viewers can use `open --read-only` meanwhile"
)
EXAMPLE = "socialcare-tui watch /var/log/care/events.jsonl ~/care/inbox/ --format events --interval 2"
FORMATS = ("events", "twcs", "tickets", "surveys")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a file to follow (.csv, .tsv, .jsonl, .ndjson) or a folder to watch")
    parser.add_argument("--format", choices=FORMATS, help="input format (default: detected from the columns)")
    parser.add_argument("--interval", type=float, default=1.0, metavar="S",
                        help="seconds between checks when no change is reported (default 1)")
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN[:UNIT]",
                        help="read FIELD from COLUMN (repeatable), as for import")
    parser.add_argument("--timezone", default="UTC", metavar="TZ",
                        help="zone of times written without an offset (default UTC)")
    parser.add_argument("--channel", help="channel for rows that have none")
    parser.add_argument("--queue", help="queue for rows that have none")
    parser.add_argument("--namespace", help="key space of event and conversation ids (default: the format name)")
    parser.add_argument("--encoding", default="utf-8", help="text encoding: utf-8 (default), utf-16, latin-1")


def run(args: argparse.Namespace) -> int:
    if not args.interval > 0:
        raise UserError(f"--interval {args.interval}: must be a positive number of seconds")
    from socialcare_tui.commands import load_config
    from socialcare_tui.commands.import_ import normalise_encoding, parse_maps
    from socialcare_tui.ingest import pipeline
    from socialcare_tui.ingest.follow import Follower

    config = load_config(args.config)
    options = pipeline.ImportOptions.configured(
        config.ingest, config.facts,
        format=args.format, maps=parse_maps(args.map), timezone=args.timezone, channel=args.channel,
        queue=args.queue, namespace=args.namespace, encoding=normalise_encoding(args.encoding),
    )
    follower = Follower(args.paths, args.db, options, on_batch=_print_batch, on_wait=tell_every(5))
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())  # systemd stops with SIGTERM
    print(f"watching {', '.join(clean(str(p)) for p in follower.roots)}; Ctrl-C stops", flush=True)
    try:
        follower.run(stop, interval=args.interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("stopped", flush=True)
    return 0


def _print_batch(batch: Batch) -> None:
    if not (batch.rows_read or batch.restarted or batch.error):
        return  # a CSV header or blank lines: nothing to tell
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{stamp} {batch.describe()}"
    if batch.error:
        line += f"; last problem: {batch.error}"
    print(clean(line, single_line=True), flush=True)
