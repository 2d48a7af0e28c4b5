"""`socialcare-tui export`: a report, or one row per conversation with its facts, to .parquet/.csv/.json."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from socialcare_tui import output, safefile
from socialcare_tui.commands import _scope_args
from socialcare_tui.errors import UserError

NAME = "export"
HELP = "write one row per conversation (or the report) to .parquet, .csv or .json"
EXAMPLE = "socialcare-tui export conversations.parquet --window 30d --channel twitter"
SUFFIXES = {".csv": "csv", ".json": "json", ".parquet": "parquet"}


def add_arguments(parser) -> None:
    parser.add_argument("path", nargs="?", metavar="FILE", help="where to write; the extension picks the format")
    parser.add_argument("--output", dest="output", metavar="FILE", help="same as FILE")
    parser.add_argument("--what", choices=("conversations", "report"), default="conversations",
                        help="one row per conversation (default) or the report of every KPI")
    parser.add_argument("--kpi", metavar="ID,ID", help="with --what report: only these KPI ids")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.add_argument("--redact", action="store_true",
                        help="replace customer ids with stable pseudonyms (as the app's --redact)")
    _scope_args.add_scope_arguments(parser)


def target(args) -> tuple[Path, str]:
    """The validated output path and its format."""
    given = args.path or args.output
    if not given:
        raise UserError("export: give the file to write, e.g. `export conversations.parquet`")
    if args.path and args.output and args.path != args.output:
        raise UserError("export: give the file once (FILE or --output)")
    if "://" in given:
        raise UserError(f"{_scope_args.shown(given)}: export writes local files only")
    path = Path(given).expanduser()
    file_format = SUFFIXES.get(path.suffix.lower())
    if file_format is None:
        raise UserError(f"{_scope_args.shown(given)}: unknown extension (use .parquet, .csv or .json)")
    if not path.parent.is_dir():
        raise UserError(f"{_scope_args.shown(given)}: folder {_scope_args.shown(str(path.parent))} does not exist")
    if path.is_dir():
        raise UserError(f"{_scope_args.shown(given)}: is a folder")
    if path.exists() and not args.force:
        raise UserError(f"{_scope_args.shown(given)}: already exists (use --force to replace it)")
    return path.resolve(), file_format


def run(args) -> int:
    from socialcare_tui.commands.report import selected_kpis

    path, file_format = target(args)
    kpis = selected_kpis(args.kpi)
    if (args.by or args.kpi) and args.what != "report":
        raise UserError("--by and --kpi apply to --what report only")
    with _scope_args.scoped(args) as (config, con, scope):
        # written owner-only under a temporary name, renamed into place when complete
        with safefile.replacing(path) as temporary:
            count = _write(con.cursor(), args, scope, config.kpi, temporary, file_format, kpis)
    noun = "KPI rows" if args.what == "report" else "conversations"
    print(f"wrote {count} {noun} to {_scope_args.shown(str(path), 200)}", file=sys.stderr)
    return 0


def _write(cur, args, scope, config, path: Path, file_format: str, kpis) -> int:
    if args.what == "report":
        return _write_report(cur, scope, config, path, file_format, kpis, args.by)
    from socialcare_tui.kpi import browse

    return browse.copy_conversations(cur, scope, config, str(path), file_format, redact=args.redact)


def _write_report(cur, scope, config, path: Path, file_format: str, kpis, by) -> int:
    from socialcare_tui.kpi import engine

    result = engine.report(cur, scope, config, kpis=kpis, by=by)
    rows = output.report_csv_rows(result)
    if file_format == "json":
        output.emit(output.render_report(result, "json"), str(path))
    elif file_format == "csv":
        output.emit(output.render_rows(rows, output.CSV_REPORT_COLUMNS, "csv"), str(path))
    else:
        _copy_report_parquet(cur, rows, str(path))
    return len(rows)


def _copy_report_parquet(cur, rows: list[dict], path: str) -> None:
    from socialcare_tui.kpi import browse

    browse.copy_report_parquet(cur, [_report_record(row) for row in rows], path)


def _report_record(row: dict) -> dict:
    value = row["value"]
    number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is not None and not math.isfinite(number):
        number = None
    text = None if number is not None or value is None else output.human_value(value, "text")
    return {"group": row["group"] or None, "kpi": row["kpi"], "part": row["part"], "value": number,
            "text": text, "unit": row["unit"] or None, "reason": row["reason"]}
