"""`socialcare-tui queue`: the conversations of a channel or queue, longest wait first."""

from __future__ import annotations

from socialcare_tui import output
from socialcare_tui.commands import _scope_args
from socialcare_tui.errors import UserError
from socialcare_tui.kpi.browse import STATUS_TABS

NAME = "queue"
HELP = "list the conversations of a channel or queue by status, longest wait first"
EXAMPLE = "socialcare-tui queue --channel twitter --queue AppleSupport --status unassigned"

COLUMNS = output.QUEUE_COLUMNS


def add_arguments(parser) -> None:
    parser.add_argument("--status", choices=STATUS_TABS, default="all",
                        help="unassigned (open, nobody assigned), open (open and assigned), pending, "
                             "resolved (last resolution in the window), or all of these (default)")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N rows (0 or absent = all)")
    _scope_args.add_scope_arguments(parser, by=False)
    _scope_args.add_output_arguments(parser)


def run(args) -> int:
    if args.limit is not None and args.limit < 0:
        raise UserError("--limit: must be 0 (all) or a positive number of rows")
    fmt = output.format_for(args.format, args.output)
    from socialcare_tui.kpi import browse

    with _scope_args.scoped(args) as (config, con, scope):
        rows = browse.queue_rows(con.cursor(), scope, config.kpi, args.status)
    total = len(rows)
    if args.limit:
        rows = rows[: args.limit]
    columns = output.queue_table_columns(rows) if fmt in ("table", "markdown") else COLUMNS
    shown = f"{len(rows)} of {total}" if len(rows) < total else str(total)
    title = f"{args.status} conversations ({shown}), longest wait first"
    output.emit(output.render_rows(rows, columns, fmt, title=title), args.output)
    return 0
