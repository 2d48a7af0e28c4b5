"""The canonical event log (`--format events`).

One CREATE TABLE…AS SELECT parses every row into TEMP `staged`, with a
`reject_reason` for the rows that cannot be used; events missing a channel or
queue are filled from their conversation's other events (in the file or
stored); rejected rows then move to `staged_rejects`.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.errors import UserError
from socialcare_tui.ingest import pipeline

NAME = "events"
FIELDS = (
    "conversation_id", "at", "type", "channel", "queue", "event_id", "direction", "author",
    "automated", "text", "value", "scale_max", "quick_reply", "sentiment",
    "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds",
)
REQUIRED = ("conversation_id", "at")
# staged columns that only their own input column fills (scale_max also needs `type`: csat default)
_ONLY_FROM_INPUT = ("direction", "author", "text", "value", "quick_reply", "sentiment",
                    "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds")
_SQL = ("socialcare_tui.ingest.sql", "events.sql")


def matches(columns: list[str]) -> bool:
    return "conversation_id" in columns and "at" in columns


def stage(con: duckdb.DuckDBPyConnection, file: pipeline.SourceFile, options: pipeline.ImportOptions) -> None:
    require(file, options, REQUIRED, NAME)
    ev_in, params = pipeline.projection(file, options, FIELDS)
    params |= {
        "tz": options.timezone, "channel": options.channel, "queue": options.queue,
        "queue_is_channel": file.field(options, "queue") is None and not options.queue,
        "ns": file.namespace,
    }
    parse = _stmt("parse").replace("/*ev_in*/", ev_in).replace("/*exclude*/", _exclude(file, options))
    con.execute(parse, params)
    if pipeline.scalar(con.execute(_stmt("count_missing_channels"))):
        con.execute(_stmt("fill_channels"))
        con.execute(_stmt("reject_channelless"))
    if pipeline.scalar(con.execute(_stmt("count_missing_queues"))):
        con.execute(_stmt("fill_queues"))
    con.execute(_stmt("rejected_lines"))
    con.execute(_stmt("drop_rejected"))
    pipeline.reject_lines(con, file)


def _exclude(file: pipeline.SourceFile, options: pipeline.ImportOptions) -> str:
    """EXCLUDE (...) for the staged columns this file leaves all NULL (the move omits them)."""
    absent = [name for name in _ONLY_FROM_INPUT if file.field(options, name) is None]
    if file.field(options, "scale_max") is None and file.field(options, "type") is None:
        absent.append("scale_max")
    absent.append("reply_count")
    if not any(ident not in _used(file, options) for ident in (f"c{i}" for i in range(len(file.columns)))):
        absent.append("extra")
    return f"EXCLUDE ({', '.join(absent)})"


def _used(file: pipeline.SourceFile, options: pipeline.ImportOptions) -> set[str]:
    return {ident for name in FIELDS if (ident := file.field(options, name)) is not None}


def require(file: pipeline.SourceFile, options: pipeline.ImportOptions, fields: Iterable[str],
            format_name: str) -> None:
    """Raise a one-line UserError naming the first required column the file lacks."""
    for name in fields:
        if file.field(options, name) is None:
            raise UserError(
                f"{file.label}: missing required column '{name}' for format {format_name} "
                f"(columns: {', '.join(file.columns[:20])})"
            )


def _stmt(name: str) -> str:
    return sqlfiles.statement(*_SQL, name)
