"""`socialcare-tui explain KPI`: the definition, the moment it counts by, and the rows behind the value."""

from __future__ import annotations

from socialcare_tui import output
from socialcare_tui.commands import _scope_args
from socialcare_tui.errors import UserError

NAME = "explain"
HELP = "a KPI's definition, what moment it counts by, and the conversations behind its value"
EXAMPLE = "socialcare-tui explain sla_first_response --part breached --window 7d"
TABLE_LIMIT = 100


def add_arguments(parser) -> None:
    parser.add_argument("kpi", metavar="KPI", help="a KPI id, e.g. first_response_time (see `report`)")
    parser.add_argument("--part", metavar="PART",
                        help="which rows: numerator, denominator, sample, breached, running, …")
    parser.add_argument("--limit", type=int, metavar="N",
                        help=f"at most N rows (default {TABLE_LIMIT} in table/markdown, all in json/csv; 0 = all)")
    _scope_args.add_scope_arguments(parser, by=False)
    _scope_args.add_output_arguments(parser)


def run(args) -> int:
    known = _scope_args.kpi_ids()
    if args.kpi not in known:
        raise UserError(f"unknown KPI '{_scope_args.shown(args.kpi)}' (known: {', '.join(known)})")
    if args.limit is not None and args.limit < 0:
        raise UserError("--limit: must be 0 (all) or a positive number of rows")
    fmt = output.format_for(args.format, args.output)
    from socialcare_tui.kpi import engine

    with _scope_args.scoped(args) as (config, con, scope):
        result = engine.explain(con, scope, config.kpi, args.kpi, args.part)
    output.emit(output.render_explanation(result, fmt, _limit(args.limit, fmt)), args.output)
    return 0


def _limit(limit: int | None, fmt: str) -> int | None:
    if limit is None:
        return TABLE_LIMIT if fmt in ("table", "markdown") else None
    return limit or None
