"""`socialcare-tui queue`: the conversations of a channel or queue, longest wait first."""

from __future__ import annotations

from socialcare_tui import output
from socialcare_tui.commands import _scope_args
from socialcare_tui.errors import UserError
from socialcare_tui.kpi.browse import STATUS_TABS
from socialcare_tui.output import Column

NAME = "queue"
HELP = "list the conversations of a channel or queue by status, longest wait first"
EXAMPLE = "socialcare-tui queue --channel twitter --queue AppleSupport --status unassigned"

# `drop`: what an 80-column table leaves out first (the conversation id, its wait and SLA
# time left always stay, whole); customer and last message share what is left.
COLUMNS = (
    Column("conv_key", "Conversation"),
    Column("customer", "Customer", flex="cut", flex_min=12),
    Column("channel", "Channel", drop=4),
    Column("queue", "Queue", drop=3),
    Column("assignee", "Assignee", drop=2),
    Column("status", "Status", drop=5),
    Column("waiting_since", "Waiting since", "time"),
    Column("waiting_seconds", "Waiting", "seconds"),
    Column("sla_kind", "SLA"),
    Column("sla_due_at", "SLA due", "time", drop=6),
    Column("sla_seconds_left", "SLA left", "seconds"),
    Column("last_msg_at", "Last message at", "time"),
    Column("last_message", "Last message", flex="cut", flex_min=12),
    # ticket exports only (priority, ticket id), resolved ones only (resolved, took, CSAT):
    # a table leaves them out when no row has a value, and drops them first when narrow
    Column("priority", "Priority", drop=7),
    Column("ticket_id", "Ticket", drop=8),
    Column("age_seconds", "Age", "seconds", drop=9),
    Column("resolved_at", "Resolved", "time", drop=10),
    Column("resolved_in_seconds", "Took", "seconds", drop=11),
    Column("csat_score", "CSAT", "number", drop=12),
    Column("csat_scale", "CSAT scale", "number"),
)
_NOT_IN_TABLE = ("waiting_since", "sla_kind", "last_msg_at", "csat_scale")
# the message preview last, as on the Queues screen
TABLE_COLUMNS = (tuple(c for c in COLUMNS if c.key not in (*_NOT_IN_TABLE, "last_message"))
                 + tuple(c for c in COLUMNS if c.key == "last_message"))
OPTIONAL = ("priority", "ticket_id", "resolved_at", "resolved_in_seconds", "csat_score")


def table_columns(rows: list[dict]) -> tuple[Column, ...]:
    """TABLE_COLUMNS without the optional ones no row has a value for (a tweet-only
    database has no priority or ticket id)."""
    return tuple(c for c in TABLE_COLUMNS
                 if c.key not in OPTIONAL or any(row.get(c.key) is not None for row in rows))


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
        rows = browse.queue_rows(con.cursor(), scope, config, args.status)
    total = len(rows)
    if args.limit:
        rows = rows[: args.limit]
    columns = table_columns(rows) if fmt in ("table", "markdown") else COLUMNS
    shown = f"{len(rows)} of {total}" if len(rows) < total else str(total)
    title = f"{args.status} conversations ({shown}), longest wait first"
    output.emit(output.render_rows(rows, columns, fmt, title=title), args.output)
    return 0
