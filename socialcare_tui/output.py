"""Render reports and row lists as table, json, csv or markdown (cli.md).

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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from socialcare_tui.errors import UserError
from socialcare_tui.safetext import clean
from socialcare_tui.timeparse import iso_utc

FORMATS = ("table", "json", "csv", "markdown")
# Kinds of column: how a value is shown to a person.
KINDS = ("text", "seconds", "ratio", "count", "number", "signed", "time", "hour", "weekday", "money", "bool")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # 0 = Monday (kpis.md)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"


# --- human units -------------------------------------------------------------------------


def human_duration(seconds: float | None) -> str:
    """`45s`, `14m`, `2h 05m`, `3d 04h` (floored to the unit shown)."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "—"
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    if total < 60:
        return f"{sign}{total}s"
    minutes = total // 60
    if minutes < 60:
        return f"{sign}{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d {hours:02d}h"


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


def render_rows(rows: Sequence[dict], columns: Sequence[Column], fmt: str, *, title: str | None = None,
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
        return _rich_table(headers, cells, right, title=title, width=width)
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


def _rich_table(headers, cells, right, *, title=None, width=None) -> str:
    table = Table(title=Text(clean(title, single_line=True)) if title else None, box=box.SIMPLE_HEAD)
    for header, is_right in zip(headers, right):
        table.add_column(Text(clean(header, single_line=True)), justify="right" if is_right else "left",
                         overflow="fold")
    for row in cells:
        table.add_row(*(Text(clean(cell, single_line=True)) for cell in row))
    if not cells:
        table.caption = Text("no rows")
    return console_text(table, width=width)


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


def kpi_detail(entry: dict) -> str:
    """The parts of one KPI result as `n 1,180 · mean 20m · p90 1h 30m`."""
    unit = entry.get("unit", "")
    bits = []
    for name, value in entry.items():
        if name in _SKIP_PARTS or value is None:
            continue
        if isinstance(value, (list, dict)):
            bits.append(f"{name} {_short_json(value)}")
        else:
            bits.append(f"{name} {human_value(value, part_kind(name, unit))}")
    return " · ".join(bits)


def _short_json(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=_json_default, separators=(",", ":"))
    return text if len(text) <= 60 else text[:59] + "…"


REPORT_COLUMNS = (Column("kpi", "KPI"), Column("title", "Title"), Column("value", "Value", "number"),
                  Column("detail", "Details"))


def report_rows(report: dict, titles: dict[str, str] | None = None) -> list[dict]:
    """One display row per (group, KPI): value in human units, parts and reason as details."""
    titles = titles or {}
    rows = []
    blocks = [(None, report.get("kpis", {}))]
    blocks += [(group.get("key"), group.get("kpis", {})) for group in report.get("groups", []) or []]
    for key, kpis in blocks:
        for kpi_id, entry in kpis.items():
            kind = UNIT_KIND.get(entry.get("unit", ""), "number")
            value = entry.get("value")
            detail = kpi_detail(entry)
            if value is None and entry.get("reason"):
                detail = entry["reason"]
            rows.append({"group": _group_label(key), "kpi": kpi_id, "title": titles.get(kpi_id, kpi_id),
                         "value": human_value(value, kind), "detail": detail})
    return rows


def _group_label(key: dict | None) -> str:
    if not key:
        return "all"
    return ", ".join(f"{k}={'—' if v is None else v}" for k, v in key.items())


def report_csv_rows(report: dict) -> list[dict]:
    """Tidy rows (group, kpi, part, value, unit, reason) for a CSV report."""
    rows = []
    blocks = [(None, report.get("kpis", {}))]
    blocks += [(group.get("key"), group.get("kpis", {})) for group in report.get("groups", []) or []]
    for key, kpis in blocks:
        group = "" if key is None else _group_label(key)
        for kpi_id, entry in kpis.items():
            unit, reason = entry.get("unit", ""), entry.get("reason")
            rows.append({"group": group, "kpi": kpi_id, "part": "value", "value": entry.get("value"),
                         "unit": unit, "reason": reason})
            for name, value in entry.items():
                if name not in _SKIP_PARTS:
                    rows.append({"group": group, "kpi": kpi_id, "part": name, "value": value,
                                 "unit": "", "reason": None})
    return rows


CSV_REPORT_COLUMNS = tuple(Column(k, k) for k in ("group", "kpi", "part", "value", "unit", "reason"))


def render_report(report: dict, fmt: str, *, titles: dict[str, str] | None = None,
                  width: int | None = None) -> str:
    """A report object (cli.md JSON shape) in `fmt`."""
    if fmt == "json":
        return to_json(report) + "\n"
    if fmt == "csv":
        return render_rows(report_csv_rows(report), CSV_REPORT_COLUMNS, "csv")
    heading = _report_heading(report)
    rows = report_rows(report, titles)
    grouped = bool(report.get("groups"))
    columns = ((Column("group", "Group"),) if grouped else ()) + REPORT_COLUMNS
    columns = tuple(Column(c.key, c.header, "text") for c in columns)
    if fmt == "markdown":
        return render_rows(rows, columns, "markdown", title=heading)
    if fmt == "table":
        return render_rows(rows, columns, "table", title=heading, width=width)
    raise UserError(f"--format {fmt}: unknown format (use one of {', '.join(FORMATS)})")


def _report_heading(report: dict) -> str:
    window = report.get("window") or {}
    if window.get("from") or window.get("to"):
        span = f"{window.get('from') or 'first event'} → {window.get('to') or report.get('as_of')}"
    else:
        span = "all data"
    filters = ", ".join(f"{k}={v}" for k, v in (report.get("filters") or {}).items() if v)
    return f"as of {report.get('as_of')} · window {span}" + (f" · {filters}" if filters else "")


# --- destination --------------------------------------------------------------------------


def default_format(stream=None) -> str:
    """cli.md: table on a terminal, else json."""
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
        suffix = Path(output).suffix.lower()
        by_suffix = {".json": "json", ".csv": "csv", ".md": "markdown", ".txt": "table"}
        if suffix in by_suffix:
            return by_suffix[suffix]
        return "table"
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


def columns_for(rows: Sequence[dict], *, unit: str = "") -> list[Column]:
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
        elif key == "measure" or key.endswith("_seconds"):
            kind = "seconds" if unit == "seconds" or key.endswith("_seconds") else "number"
        elif isinstance(sample, (int, float)):
            kind = "number"
        else:
            kind = "text"
        columns.append(Column(key, key.replace("_", " "), kind))
    return columns
