"""`socialcare-tui report`: every KPI for a window, as table, json, csv or markdown."""

from __future__ import annotations

from socialcare_tui import output
from socialcare_tui.commands import _scope_args
from socialcare_tui.errors import UserError

NAME = "report"
HELP = "every KPI for a window (table, json, csv or markdown)"
EXAMPLE = "socialcare-tui report --window 7d --channel twitter --by queue --format markdown"


def add_arguments(parser) -> None:
    _scope_args.add_scope_arguments(parser)
    parser.add_argument("--kpi", metavar="ID,ID", help="only these KPI ids (comma-separated)")
    _scope_args.add_output_arguments(parser)


def selected_kpis(text: str | None) -> list[str] | None:
    """The --kpi list checked against the registry; an unknown id is one line, exit 2."""
    if text is None:
        return None
    known = _scope_args.kpi_ids()
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    if not wanted:
        raise UserError("--kpi: give one or more KPI ids separated by commas")
    for kpi_id in wanted:
        if kpi_id not in known:
            raise UserError(f"--kpi: unknown KPI '{_scope_args.shown(kpi_id)}' (known: {', '.join(known)})")
    return list(dict.fromkeys(wanted))


def run(args) -> int:
    kpis = selected_kpis(args.kpi)
    fmt = output.format_for(args.format, args.output)
    from socialcare_tui.kpi import engine

    with _scope_args.scoped(args) as (config, con, scope):
        result = engine.report(con, scope, config.kpi, kpis=kpis, by=args.by)
    output.emit(output.render_report(result, fmt), args.output)
    return 0
