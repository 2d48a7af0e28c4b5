"""`socialcare-tui explain KPI`: the definition, the moment it counts by, and the rows behind the value."""

from __future__ import annotations

from socialcare_tui import output
from socialcare_tui.commands import _scope_args
from socialcare_tui.errors import UserError
from socialcare_tui.safetext import clean

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
    output.emit(render(result, fmt, _limit(args.limit, fmt)), args.output)
    return 0


def _limit(limit: int | None, fmt: str) -> int | None:
    if limit is None:
        return TABLE_LIMIT if fmt in ("table", "markdown") else None
    return limit or None


def render(result: dict, fmt: str, limit: int | None = None) -> str:
    rows = list(result.get("rows") or [])
    total = len(rows)
    if limit is not None:
        rows = rows[:limit]
    if fmt == "json":
        return output.to_json({**result, "rows": rows, "row_count": total}) + "\n"
    columns = output.columns_for(rows, unit=_measure_unit(result))
    if fmt == "csv":
        return output.render_rows(rows, columns, "csv")
    header = _header(result, total, len(rows))
    if fmt == "markdown":
        lines = [output.markdown_cell(line) for line in header]
        return "\n\n".join(lines) + "\n\n" + output.render_rows(rows, columns, "markdown")
    return output.console_text(output.plain_lines(header)) + output.render_rows(rows, columns, "table")


# KPIs whose rows measure a duration although the KPI is a share (time to the first
# reply, to the SLA's end): their `measure` column shows as `6d 20h`, not `591,541`.
SECONDS_MEASURE = {"frt_distribution", "reply_rate", "sla_first_response", "sla_next_reply", "sla_resolution"}


def _measure_unit(result: dict) -> str:
    if result.get("kpi") in SECONDS_MEASURE:
        return "seconds"
    return result.get("unit") or _unit(result.get("kpi"))


def _unit(kpi_id: str | None) -> str:
    try:
        from socialcare_tui.kpi import registry

        return registry.get(kpi_id).unit
    except Exception:  # an unknown id was refused earlier; the unit is only a display hint
        return ""


def _header(result: dict, total: int, shown_rows: int) -> list[str]:
    unit = result.get("unit") or _unit(result.get("kpi"))
    value = result.get("value")
    if isinstance(value, dict):
        value = value.get("value")
    kind = output.UNIT_KIND.get(unit, "number")
    lines = [f"{result.get('title') or result.get('kpi')} ({result.get('kpi')})"]
    if result.get("help"):
        lines.append(str(result["help"]))
    lines.append(f"Counts by: {result.get('counts_by') or '—'}")
    lines.append(f"Value: {output.human_value(value, kind)}")
    part = result.get("part") or "all rows"
    more = f" (first {shown_rows} shown; --limit 0 for all)" if shown_rows < total else ""
    lines.append(f"Rows behind it ({clean(part, single_line=True)}): {total}{more}")
    return lines
