"""Render reports and row lists as table, json, csv or markdown.

Untrusted text reaches a terminal only through `safetext.clean` and
`rich.text.Text` (never markup); CSV cells that a spreadsheet would run as a
formula are prefixed with `'`; markdown escapes `|` and its own markup.
Durations show in human units (`14m`, `2h 05m`) in table and markdown, and as
plain seconds in json and csv.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from socialcare_tui.durations import human_duration
from socialcare_tui.errors import UserError
from socialcare_tui.kpi.results import Dashboard, Explanation, KpiValue, Report, Series
from socialcare_tui.safetext import clean
from socialcare_tui.timeparse import iso_utc

FORMATS = ("table", "json", "csv", "markdown")
# an output file's extension → its format (report --output, the app's exports)
SUFFIX_FORMATS = {".json": "json", ".csv": "csv", ".md": "markdown", ".txt": "table"}
# Kinds of column: how a value is shown to a person.
KINDS = ("text", "seconds", "ratio", "count", "number", "signed", "time", "hour", "weekday", "money", "bool")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # 0 = Monday, as peak_hour's weekday


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"
    # table format only: columns with a higher `drop` go first when the terminal is too
    # narrow (0: always kept, whole); `flex` takes the width left: "wrap" folds it at
    # words, "cut" keeps one line and ends it with `…`
    drop: int = 0
    flex: str = ""
    flex_min: int = 12  # cells a flex column keeps at least


# --- human units -------------------------------------------------------------------------


def human_value(value, kind: str) -> str:
    """One value as a person reads it; None is `—`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "seconds":
        return human_duration(float(value))
    if kind == "ratio":
        return f"{float(value) * 100:.1f}%"
    if kind == "count":
        return f"{int(value):,}" if float(value).is_integer() else f"{float(value):,.1f}"
    if kind == "signed":
        number = float(value)
        if number == 0:
            return "0"
        return f"{number:+.0f}" if abs(number) >= 10 or number.is_integer() else f"{number:+.2f}"
    if kind == "number":
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
    if kind == "money":
        return f"{float(value):,.2f}"
    if kind == "hour":
        return f"{int(value):02d}:00"
    if kind == "weekday":
        return WEEKDAYS[int(value) % 7]
    if kind == "time":
        return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)
    if kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


# --- cell escaping ------------------------------------------------------------------------

# what a spreadsheet may run as a formula or a DDE call, fullwidth forms included
_FORMULA_START = ("=", "+", "-", "@", "|", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff5c")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def csv_cell(value):
    """A value for a CSV file: text cleaned, formula-looking text prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, default=_json_default)
    text = clean(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def markdown_cell(text: str) -> str:
    """Plain text that a markdown renderer shows literally inside a table cell."""
    text = clean(text, single_line=True)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _json_default(value):
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _finite(data):
    """NaN and ±Infinity as null: they are not JSON."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


def to_json(data) -> str:
    """JSON text; controls json itself leaves raw (DEL, C1, bidi) become \\u escapes."""
    text = json.dumps(_finite(data), ensure_ascii=False, indent=2, default=_json_default, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- row lists ----------------------------------------------------------------------------


def render_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], fmt: str, *, title: str | None = None,
                width: int | None = None) -> str:
    """A list of row dicts as text in `fmt`."""
    if fmt == "json":
        return to_json([{c.key: _plain(row.get(c.key)) for c in columns} for row in rows]) + "\n"
    if fmt == "csv":
        return _csv_text([c.key for c in columns], ([row.get(c.key) for c in columns] for row in rows))
    cells = [[human_value(row.get(c.key), c.kind) for c in columns] for row in rows]
    headers = [c.header for c in columns]
    right = [c.kind not in ("text", "time", "bool") for c in columns]
    if fmt == "markdown":
        return _markdown_table(headers, cells, right, title=title)
    if fmt == "table":
        return _rich_table(headers, cells, right, title=title, width=width, columns=columns)
    raise UserError(f"--format {fmt}: unknown format (use one of {', '.join(FORMATS)})")


def _plain(value):
    return iso_utc(value) if isinstance(value, datetime) else value


def _csv_text(header: list[str], rows: Iterable[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()


def _markdown_table(headers, cells, right, *, title=None) -> str:
    lines = [f"### {markdown_cell(title)}", ""] if title else []
    lines.append("| " + " | ".join(markdown_cell(h) for h in headers) + " |")
    lines.append("|" + "|".join("---:" if r else "---" for r in right) + "|")
    for row in cells:
        lines.append("| " + " | ".join(markdown_cell(c) for c in row) + " |")
    if not cells:
        lines.append("| " + " | ".join("" for _ in headers) + " |")
    return "\n".join(lines) + "\n"


def _rich_table(headers, cells, right, *, title=None, width=None, columns=None) -> str:
    """A table that fits `width`: lower-priority columns are left out first, the others
    keep their values whole (ids, durations) and the flex columns share what is left."""
    width = width or _terminal_width()
    columns = list(columns or [Column(str(i), h) for i, h in enumerate(headers)])
    headers = [clean(h, single_line=True) for h in headers]
    cells = [[clean(cell, single_line=True) for cell in row] for row in cells]
    natural = [_natural_width(headers[i], [row[i] for row in cells]) for i in range(len(columns))]
    keep = _columns_that_fit(natural, columns, width)
    widths = _widths(keep, natural, columns, width)
    table = Table(title=Text(clean(title, single_line=True)) if title else None, box=box.SIMPLE_HEAD)
    for index in keep:
        column = columns[index]
        table.add_column(Text(headers[index]), justify="right" if right[index] else "left",
                         width=widths[index], no_wrap=column.flex != "wrap",
                         overflow="ellipsis" if column.flex == "cut" else "fold")
    for row in cells:
        table.add_row(*(Text(row[index]) for index in keep))
    if not cells:
        table.caption = Text("no rows")
    return console_text(table, width=width)


def _natural_width(header: str, values: list[str]) -> int:
    """The widest of a column's header and cells (the header may wrap at its spaces)."""
    longest_word = max((Text(word).cell_len for word in header.split()), default=1)
    return max([longest_word, *(Text(value).cell_len for value in values)])


def _overhead(count: int) -> int:
    return 2 * count + max(count - 1, 0) + 2  # padding, dividers between columns, the two edges


def _columns_that_fit(natural: list[int], columns: list[Column], width: int) -> list[int]:
    keep = list(range(len(columns)))

    def needed() -> int:
        return sum(min(columns[i].flex_min, natural[i]) if columns[i].flex else natural[i]
                   for i in keep) + _overhead(len(keep))

    droppable = sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: -columns[i].drop)
    while needed() > width and droppable:
        keep.remove(droppable.pop(0))
    return keep


def _widths(keep: list[int], natural: list[int], columns: list[Column], width: int) -> dict[int, int]:
    """Fixed columns at their natural width; flex columns share the rest (each at least its
    flex_min, at most its natural width), in proportion to their natural widths."""
    widths = {i: natural[i] for i in keep}
    flex = [i for i in keep if columns[i].flex]
    if not flex:
        return widths
    room = width - _overhead(len(keep)) - sum(natural[i] for i in keep if not columns[i].flex)
    if sum(natural[i] for i in flex) <= room:
        return widths
    least = {i: min(columns[i].flex_min, natural[i]) for i in flex}
    if room < sum(least.values()):  # nothing left to leave out: the flex columns give way
        least = {i: max(3, min(least[i], room // len(flex))) for i in flex}
    spare = max(room - sum(least.values()), 0)
    wanted = sum(natural[i] - least[i] for i in flex) or 1
    for i in flex:
        widths[i] = least[i] + spare * (natural[i] - least[i]) // wanted
    return widths


def console_text(renderable, *, width: int | None = None) -> str:
    """A rich renderable as plain text (colour only when writing to a terminal)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or _terminal_width(), color_system=None,
                      force_terminal=False, markup=False, emoji=False, highlight=False, soft_wrap=False)
    console.print(renderable)
    return buffer.getvalue()


def _terminal_width() -> int:
    """The terminal's width; a pipe or file gets unfolded lines."""
    try:
        if sys.stdout.isatty():
            return max(80, os.get_terminal_size(sys.stdout.fileno()).columns)
    except (OSError, ValueError, AttributeError):
        pass
    return 1000


# --- reports ------------------------------------------------------------------------------

UNIT_KIND = {"seconds": "seconds", "ratio": "ratio", "count": "count", "number": "signed",
             "hour": "hour", "money": "money"}
_DURATION_PARTS = {"median", "mean", "p90", "max", "full_median", "talk", "hold", "wrap"}
_RATIO_PARTS = {"mean_normalised"}
_SKIP_PARTS = {"value", "unit", "reason"}


def part_kind(part: str, unit: str) -> str:
    if part == "peak_weekday":
        return "weekday"
    if part.endswith("_seconds") or (unit == "seconds" and part in _DURATION_PARTS):
        return "seconds"
    if part in _RATIO_PARTS:
        return "ratio"
    if part == "savings":
        return "money"
    return "number"


def kpi_detail(entry: KpiValue) -> str:
    """The parts of one KPI result as `n 1,180 · mean 20m · p90 1h 30m`: plain labels
    (`target 1h 00m`, `mean normalised 78.7%`), lists and tables as words, never JSON."""
    bits = []
    for name, value in entry.parts.items():
        if value is None:
            continue
        if isinstance(value, (list, dict)):
            text = _words(value)
            if text:
                bits.append(f"{part_label(name)} {text}")
        else:
            bits.append(f"{part_label(name)} {human_value(value, part_kind(name, entry.unit))}")
    return " · ".join(bits)


def part_label(name: str) -> str:
    """`target_seconds` → `target`, `mean_normalised` → `mean normalised`."""
    return name.removesuffix("_seconds").replace("_", " ")


WORDS_ITEMS = 3  # items of a list part shown in a table cell (json and csv have them all)


def _words(value) -> str:
    """A dict part as `<1h 316, 1-4h 140`; a list of records (top topics) as its first
    items' name and count; a list of bare numbers (by hour) is left to json."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {_scalar(v)}" for k, v in value.items() if not isinstance(v, (list, dict)))
    records = [item for item in value if isinstance(item, dict)]
    if not records:
        return ""
    shown = []
    for record in records[:WORDS_ITEMS]:
        names = [str(v) for v in record.values() if isinstance(v, str) and v]
        numbers = [v for v in record.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        shown.append(" ".join(["/".join(names) or "—", *(_scalar(n) for n in numbers[:1])]))
    more = len(records) - WORDS_ITEMS
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _scalar(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


REPORT_COLUMNS = (Column("kpi", "KPI"), Column("title", "Title"), Column("value", "Value", "number"),
                  Column("detail", "Details"))

Block = tuple[str | None, Mapping[str, KpiValue]]  # (group label or None for the totals, KPIs)


def _blocks(report: Report) -> list[Block]:
    """The totals, then each group's KPIs."""
    return [(None, report.kpis), *((f"{report.by}={group.key}", group.kpis) for group in report.groups)]


def report_rows(kpis: Mapping[str, KpiValue], group: str | None = None) -> list[dict]:
    """One display row per KPI: value in human units, parts and reason as details."""
    rows = []
    for kpi_id, entry in kpis.items():
        kind = UNIT_KIND.get(entry.unit, "number")
        detail = entry.reason if entry.value is None and entry.reason else kpi_detail(entry)
        rows.append({"group": group or "all", "kpi": kpi_id, "title": entry.title,
                     "value": human_value(entry.value, kind), "detail": detail})
    return rows


def report_csv_rows(report: Report) -> list[dict]:
    """Tidy rows (group, kpi, part, value, unit, reason) for a CSV report."""
    rows: list[dict[str, Any]] = []
    for group, kpis in _blocks(report):
        label = group or ""
        for kpi_id, entry in kpis.items():
            rows.append({"group": label, "kpi": kpi_id, "part": "value", "value": entry.value,
                         "unit": entry.unit, "reason": entry.reason})
            for name, value in entry.parts.items():
                rows.append({"group": label, "kpi": kpi_id, "part": name, "value": value,
                             "unit": "", "reason": None})
    return rows


CSV_REPORT_COLUMNS = tuple(Column(k, k) for k in ("group", "kpi", "part", "value", "unit", "reason"))


def render_report(report: Report, fmt: str, *, width: int | None = None) -> str:
    """A report in `fmt` (json: the `report --format json` object of to_data)."""
    if fmt == "json":
        return to_json(to_data(report)) + "\n"
    if fmt == "csv":
        return render_rows(report_csv_rows(report), CSV_REPORT_COLUMNS, "csv")
    heading = _report_heading(report)
    if fmt == "markdown":
        rows = [row for group, kpis in _blocks(report) for row in report_rows(kpis, group)]
        columns = ((Column("group", "Group"),) if report.groups else ()) + REPORT_COLUMNS
        return render_rows(rows, tuple(Column(c.key, c.header, "text") for c in columns), "markdown",
                           title=heading)
    if fmt == "table":
        return _report_blocks(report, heading, width)
    raise UserError(f"--format {fmt}: unknown format (use one of {', '.join(FORMATS)})")


# The report as a table: one block per group (the totals first), each KPI's title, value
# and details, so `--by` fits an 80-column terminal however many groups there are.
TABLE_REPORT_COLUMNS = (Column("title", "KPI"), Column("value", "Value"),
                        Column("detail", "Details", flex="wrap", flex_min=30),
                        Column("kpi", "Id", drop=1))


def _report_blocks(report: Report, heading: str, width: int | None) -> str:
    parts = [console_text(Text(clean(heading, single_line=True)), width=width)]
    # grouped: each block under its group (`channel email`), the totals under `all`
    titles = ["all", *(f"{report.by} {group.key}" for group in report.groups)] if report.groups else [None]
    for title, (_, kpis) in zip(titles, _blocks(report)):
        parts.append(render_rows(report_rows(kpis), TABLE_REPORT_COLUMNS, "table", title=title, width=width))
    return "".join(parts)


def _report_heading(report: Report) -> str:
    window = report.window
    as_of = _short_time(report.as_of)
    if window.start or window.end:
        span = f"{_short_time(window.start) or 'first event'} → {_short_time(window.end) or as_of}"
    else:
        span = "all data"
    filters = " · ".join(f"{name} {', '.join(values)}" for name, values in vars(report.filters).items()
                         if values)
    return f"as of {as_of} UTC · window {span}" + (f" · {filters}" if filters else "")


def _short_time(moment: datetime | None) -> str:
    """`2024-03-31 23:57` (the heading says UTC once)."""
    return "" if moment is None else moment.isoformat(sep=" ")[:16]


# --- results as the JSON objects of `report`/`explain --format json` ---------------------


Result = Report | KpiValue | Explanation | Series | Dashboard


def to_data(result: Result) -> dict[str, Any]:
    """The one way a result becomes JSON: the object `report --format json` (`explain`,
    the dashboard's three) writes, times as `2024-03-31T23:57:07Z` (explain's rows keep
    their datetimes; to_json writes them the same way)."""
    if isinstance(result, KpiValue):
        out: dict[str, Any] = {"value": result.value, "unit": result.unit, **result.parts}
        if result.reason is not None:
            out["reason"] = result.reason
        return out
    if isinstance(result, Report):
        out = {"as_of": iso_utc(result.as_of),
               "window": {"from": iso_utc(result.window.start), "to": iso_utc(result.window.end)},
               "filters": {name: list(values) or None for name, values in vars(result.filters).items()},
               "kpis": {kpi_id: to_data(value) for kpi_id, value in result.kpis.items()}}
        if result.by is not None:
            out["groups"] = [{"key": {result.by: group.key},
                              "kpis": {kpi_id: to_data(value) for kpi_id, value in group.kpis.items()}}
                             for group in result.groups]
        return out
    if isinstance(result, Explanation):
        total = result.result
        return {"kpi": total.id, "title": total.title, "help": result.help, "counts_by": result.counts_by,
                "unit": total.unit, "parts": list(result.parts), "part": result.part, "value": total.value,
                "reason": total.reason, "result": to_data(total), "rows": [dict(row) for row in result.rows]}
    if isinstance(result, Series):
        return {kpi_id: list(values) for kpi_id, values in result.values.items()}
    return {"report": to_data(result.report),
            "previous": None if result.previous is None else to_data(result.previous),
            "series": to_data(result.series)}


def render_explanation(result: Explanation, fmt: str, limit: int | None = None) -> str:
    """`explain` in `fmt`: the header lines and the rows (the first `limit` of them)."""
    rows = list(result.rows)
    total = len(rows)
    if limit is not None:
        rows = rows[:limit]
    if fmt == "json":
        return to_json({**to_data(result), "rows": rows, "row_count": total}) + "\n"
    columns = columns_for(rows, unit=result.measure_unit)
    if fmt == "csv":
        return render_rows(rows, columns, "csv")
    header = _explain_header(result, total, len(rows))
    if fmt == "markdown":
        lines = [markdown_cell(line) for line in header]
        return "\n\n".join(lines) + "\n\n" + render_rows(rows, columns, "markdown")
    return console_text(plain_lines(header)) + render_rows(rows, columns, "table")


def _explain_header(result: Explanation, total: int, shown_rows: int) -> list[str]:
    kpi = result.result
    lines = [f"{kpi.title or kpi.id} ({kpi.id})"]
    if result.help:
        lines.append(result.help)
    lines.append(f"Counts by: {result.counts_by or '—'}")
    lines.append(f"Value: {human_value(kpi.value, UNIT_KIND.get(kpi.unit, 'number'))}")
    part = result.part or "all rows"
    more = f" (first {shown_rows} shown; --limit 0 for all)" if shown_rows < total else ""
    lines.append(f"Rows behind it ({clean(part, single_line=True)}): {total}{more}")
    return lines


# --- destination --------------------------------------------------------------------------


def default_format(stream=None) -> str:
    """Table on a terminal, else json."""
    stream = stream or sys.stdout
    try:
        return "table" if stream.isatty() else "json"
    except (AttributeError, ValueError):
        return "json"


def format_for(requested: str | None, output: str | None) -> str:
    """The format to use: --format, else the --output extension, else the terminal default."""
    if requested:
        return requested
    if output:
        return SUFFIX_FORMATS.get(Path(output).suffix.lower(), "table")
    return default_format()


def emit(text: str, output: str | None) -> None:
    """Write to --output (owner-only file, all or nothing) or stdout (safefile.py)."""
    from socialcare_tui import safefile

    if not output:
        safefile.write_stdout(text)
        return
    safefile.write_text(output, text)


def plain_lines(lines: Sequence[str]) -> Text:
    """Several lines of untrusted text as one plain rich Text."""
    return Text("\n".join(clean(line, single_line=True) for line in lines))


_TIME_KEYS = ("_at", "moment", "since", "ts")


def columns_for(rows: Sequence[Mapping[str, Any]], *, unit: str = "") -> list[Column]:
    """Columns for rows whose keys are not known in advance (explain), kinds from names and values."""
    if not rows:
        return [Column("conv_key", "conversation")]
    columns = []
    for key in rows[0]:
        sample = next((row[key] for row in rows if row.get(key) is not None), None)
        if isinstance(sample, datetime) or key.endswith(_TIME_KEYS):
            kind = "time"
        elif isinstance(sample, bool):
            kind = "bool"
        elif key == "target" or key.endswith("_seconds"):
            kind = "seconds"
        elif key == "measure":
            kind = "seconds" if unit == "seconds" else "number"
        elif isinstance(sample, (int, float)):
            kind = "number"
        else:
            kind = "text"
        columns.append(Column(key, key.replace("_", " "), kind, drop=_explain_drop(key, kind)))
    return columns


def _explain_drop(key: str, kind: str) -> int:
    """Which columns of explain's rows an 80-column table leaves out first: the row's
    conversation, moment and measure always stay."""
    if key in ("conv_key", "moment", "measure"):
        return 0
    if kind == "time":
        return 7
    return {"channel": 6, "queue": 5, "agent": 3, "target": 1}.get(key, 2 if kind == "bool" else 4)


# ---------------------------------------------------------------- shared by the CLI and the app

# The columns of a queue list (`queue`, the app's queue and agent exports).
# `drop`: what an 80-column table leaves out first (the conversation id, its wait and SLA
# time left always stay, whole); customer and last message share what is left.
QUEUE_COLUMNS = (
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
QUEUE_TABLE_COLUMNS = (tuple(c for c in QUEUE_COLUMNS if c.key not in (*_NOT_IN_TABLE, "last_message"))
                       + tuple(c for c in QUEUE_COLUMNS if c.key == "last_message"))
QUEUE_OPTIONAL = ("priority", "ticket_id", "resolved_at", "resolved_in_seconds", "csat_score")


def queue_table_columns(rows: list[dict]) -> tuple[Column, ...]:
    """QUEUE_TABLE_COLUMNS without the optional ones no row has a value for (a tweet-only
    database has no priority or ticket id)."""
    return tuple(c for c in QUEUE_TABLE_COLUMNS
                 if c.key not in QUEUE_OPTIONAL or any(row.get(c.key) is not None for row in rows))
