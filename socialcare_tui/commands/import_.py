"""`socialcare-tui import PATH…`: import files or folders."""

from __future__ import annotations

import json
import sys

from socialcare_tui.commands.waiting import tell_once
from socialcare_tui.errors import UserError
from socialcare_tui.safetext import clean

NAME = "import"
HELP = "import event logs, tweets, ticket or survey exports (CSV, TSV, JSON Lines, JSON, Parquet; .gz/.zst)"
EXAMPLE = "socialcare-tui import exports/ --timezone Europe/Paris --map conversation_id=Thread"
FORMATS = ("events", "twcs", "tickets", "surveys")
_ENCODINGS = {"utf8": "utf-8", "utf16": "utf-16", "latin1": "latin-1", "iso-8859-1": "latin-1"}


def add_arguments(parser) -> None:
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


def run(args) -> int:
    from socialcare_tui.commands import load_config
    from socialcare_tui.ingest import pipeline
    from socialcare_tui.store.access import database
    from socialcare_tui.store.connection import resolve_path

    config = load_config(args.config)
    options = pipeline.ImportOptions(
        format=args.format, maps=parse_maps(args.map), timezone=args.timezone, channel=args.channel,
        queue=args.queue, namespace=args.namespace, link=args.link, encoding=normalise_encoding(args.encoding),
        channel_aliases=config.ingest.channel_aliases, auto_resolve_after=config.facts.auto_resolve_after,
        future_days=config.ingest.future_days,
    )
    planned = pipeline.plan_paths(None, args.paths, options)  # every mistake before the db opens
    db_path = resolve_path(args.db)
    existed = db_path.exists()
    summaries: list = []
    try:
        with database(args.db, read_only=False, on_wait=tell_once()) as con:
            _import_all(con, planned, options, pipeline, summaries, quiet=args.json)
    except BaseException:
        if not existed and not summaries:
            remove_empty_database(db_path)  # a refused first file creates no database
        raise
    if args.json:
        print(json.dumps({"files": [s.as_dict() for s in summaries]}, indent=2))
    return 0


def remove_empty_database(path) -> None:
    """Delete a database this command created when it holds nothing (no import landed)."""
    from socialcare_tui.store import open_db

    try:
        con = open_db(path, read_only=True)
    except Exception:  # noqa: BLE001 - another process has it, or it is not ours: leave it
        return
    try:
        empty = con.execute("SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM events)").fetchone()[0] == 0
    finally:
        con.close()
    if empty:
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _import_all(con, planned, options, pipeline, summaries: list, quiet: bool) -> list:
    if quiet or not sys.stdout.isatty():
        for file in planned:
            summaries.append(pipeline.import_planned(con, file, options))
            if not quiet:
                print(clean(summaries[-1].line(), single_line=True), flush=True)
        return summaries
    return _with_progress(con, planned, options, pipeline, summaries)


def _with_progress(con, planned, options, pipeline, summaries: list) -> list:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("importing", total=len(planned))
        for file in planned:
            progress.update(task, description=clean(file.name, single_line=True))
            summaries.append(pipeline.import_planned(con, file, options))
            progress.console.print(Text(clean(summaries[-1].line(), single_line=True)))
            progress.advance(task)
    return summaries
