"""`socialcare-tui import PATH…`: import files or folders."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from socialcare_tui.commands.waiting import tell_once
from socialcare_tui.errors import UserError
from socialcare_tui.safetext import clean

if TYPE_CHECKING:
    import duckdb
    from rich.console import Console

    from socialcare_tui.ingest import pipeline

NAME = "import"
HELP = "import event logs, tweets, ticket or survey exports (CSV, TSV, JSON Lines, JSON, Parquet; .gz/.zst)"
EXAMPLE = "socialcare-tui import exports/ --timezone Europe/Paris --map conversation_id=Thread"
FORMATS = ("events", "twcs", "tickets", "surveys")
_ENCODINGS = {"utf8": "utf-8", "utf16": "utf-16", "latin1": "latin-1", "iso-8859-1": "latin-1"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a file, or a folder searched recursively")
    parser.add_argument("--format", choices=FORMATS, help="input format (default: detected from the columns)")
    parser.add_argument(
        "--map", action="append", default=[], metavar="FIELD=COLUMN[:UNIT]",
        help="read FIELD from COLUMN (repeatable), e.g. conversation_id=Thread or first_response=FRT:hours",
    )
    parser.add_argument("--timezone", default="UTC", metavar="TZ",
                        help="zone of times written without an offset (default UTC)")
    parser.add_argument("--channel", help="channel for rows that have none")
    parser.add_argument("--queue", help="queue for rows that have none")
    parser.add_argument("--namespace", help="key space of event and conversation ids (default: the format name)")
    parser.add_argument("--link", default="events",
                        help="surveys: namespace of the conversations they answer (default events)")
    parser.add_argument("--encoding", default="utf-8", help="text encoding: utf-8 (default), utf-16, latin-1")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def normalise_encoding(text: str) -> str:
    """`Latin1`, `UTF_8`, `iso-8859-1` … as the pipeline names them (readers.ENCODINGS)."""
    lowered = text.lower().replace("_", "-")
    return _ENCODINGS.get(lowered, lowered)


def parse_maps(items: list[str]) -> dict[str, str]:
    maps: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise UserError(f"--map {item}: write FIELD=COLUMN (e.g. conversation_id=Thread)")
        maps[name.strip().lower()] = column.strip()
    return maps


def run(args: argparse.Namespace) -> int:
    from socialcare_tui.commands import load_config
    from socialcare_tui.ingest import pipeline
    from socialcare_tui.store.access import database
    from socialcare_tui.store.connection import resolve_path

    config = load_config(args.config)
    options = pipeline.ImportOptions.configured(
        config.ingest, config.facts,
        format=args.format, maps=parse_maps(args.map), timezone=args.timezone, channel=args.channel,
        queue=args.queue, namespace=args.namespace, link=args.link, encoding=normalise_encoding(args.encoding),
    )
    planned = pipeline.plan_paths(None, args.paths, options)  # every mistake before the db opens
    db_path = resolve_path(args.db)
    existed = db_path.exists()
    summaries: list[pipeline.ImportSummary] = []
    try:
        with database(args.db, read_only=False, on_wait=tell_once()) as con:
            _import_all(con, planned, options, summaries, quiet=args.json)
    except BaseException:
        if not existed and not summaries:
            remove_empty_database(db_path)  # a refused first file creates no database
        raise
    if args.json:
        print(json.dumps({"files": [s.as_dict() for s in summaries]}, indent=2))
    return 0


def remove_empty_database(path: Path) -> None:
    """Delete a database this command created when it holds nothing (no import landed)."""
    from socialcare_tui.store import open_db

    try:
        con = open_db(path, read_only=True)
    except Exception:  # noqa: BLE001 - another process has it, or it is not ours: leave it
        return
    try:
        found = con.execute("SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM events)").fetchone()
        empty = found is not None and found[0] == 0
    finally:
        con.close()
    if empty:
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)


# On a terminal a bar counts the bytes of the files; elsewhere a file at least this
# large gets a line per step on stderr (a smaller one is done before a line would help).
STEP_LINES_FROM = 16 << 20
_STEPS = {"reading": "reading", "storing": "storing rows", "facts": "updating facts"}


def _import_all(con: duckdb.DuckDBPyConnection, planned: list[pipeline.SourceFile], options: pipeline.ImportOptions,
                summaries: list[pipeline.ImportSummary], quiet: bool) -> list[pipeline.ImportSummary]:
    from socialcare_tui.ingest import pipeline

    if quiet or not sys.stdout.isatty():
        for file in planned:
            step = _step_lines(file) if not quiet and file.size >= STEP_LINES_FROM else None
            summaries.append(pipeline.import_planned(con, file, options, step))
            if not quiet:
                print(clean(summaries[-1].line(), single_line=True), flush=True)
        return summaries
    return _with_progress(con, planned, options, summaries)


def _step_lines(file: pipeline.SourceFile) -> pipeline.Step:
    from rich.filesize import decimal

    name = clean(file.name, single_line=True)

    def step(what: str) -> None:
        size = f" ({decimal(file.size)})" if what == "reading" else ""
        print(f"{name}{size}: {_STEPS.get(what, what)}…", file=sys.stderr, flush=True)

    return step


def _with_progress(con: duckdb.DuckDBPyConnection, planned: list[pipeline.SourceFile],
                   options: pipeline.ImportOptions, summaries: list[pipeline.ImportSummary],
                   console: Console | None = None) -> list[pipeline.ImportSummary]:
    """A bar over the bytes of every file: the file being read moves it as DuckDB
    reports the progress of its statements (query_progress, polled on a thread)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from socialcare_tui.ingest import pipeline

    columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
               DownloadColumn(), TimeElapsedColumn())
    con.execute("SET enable_progress_bar = true")  # query_progress() is -1 without it
    con.execute("SET enable_progress_bar_print = false")  # the bar is ours
    with Progress(*columns, transient=True, console=console) as progress:
        task = progress.add_task("importing", total=sum(f.size for f in planned))
        done = 0
        for file in planned:
            name = clean(file.name, single_line=True)
            start, size = done, file.size

            def moved(fraction: float, start: int = start, size: int = size) -> None:
                progress.update(task, completed=start + int(size * fraction))

            reading = Reading(con.query_progress, moved)

            def step(what: str, name: str = name, reading: Reading = reading,
                     moved: Callable[[float], None] = moved) -> None:
                progress.update(task, description=f"{name}: {_STEPS.get(what, what)}")
                reading.active = what == "reading"
                if what != "reading":
                    moved(1.0)  # the file is read: what is left is the store's own work

            with reading:
                summaries.append(pipeline.import_planned(con, file, options, step))
            done += size
            progress.update(task, completed=done)
            progress.console.print(Text(clean(summaries[-1].line(), single_line=True)))
    return summaries


class Reading:
    """Polls `percent()` (DuckDB's progress of the statement running, -1 when none) every
    `every` seconds while `active`, and calls `moved(fraction)` as it grows: a file's
    statements each go from 0 to 100, so only a larger fraction moves the bar."""

    def __init__(self, percent: Callable[[], float], moved: Callable[[float], None], every: float = 0.2) -> None:
        self.percent, self.moved, self.every = percent, moved, every
        self.active = False
        self.fraction = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-progress", daemon=True)

    def __enter__(self) -> Reading:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def poll(self) -> None:
        if not self.active:
            return
        try:
            fraction = self.percent() / 100
        except Exception:  # noqa: BLE001 - a connection closing under us: the bar just stops
            return
        if fraction > self.fraction:
            self.fraction = min(fraction, 1.0)
            self.moved(self.fraction)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.poll()
