"""Survey exports (`--format surveys`).

Columns: `conversation_id` (optional), `at`, `channel`, `kind` (csat or nps),
`score`, `scale_max`, `comment`. Each row becomes a csat/nps event with
origin 'survey'; with a conversation it links to `--link` (default `events`),
so `conv_key` = link:conversation_id; without one it still counts for its
channel (and `conv_key` is NULL).
"""

from __future__ import annotations

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.ingest import pipeline
from socialcare_tui.ingest.events import require

NAME = "surveys"
FIELDS = ("conversation_id", "at", "channel", "queue", "kind", "score", "scale_max", "comment", "event_id")
REQUIRED = ("at", "kind", "score")
_SQL = ("socialcare_tui.ingest.sql", "surveys.sql")


def matches(columns: list[str]) -> bool:
    return {"at", "kind", "score"} <= set(columns)


def stage(con: duckdb.DuckDBPyConnection, file: pipeline.SourceFile, options: pipeline.ImportOptions) -> None:
    require(file, options, REQUIRED, NAME)
    sv_in, params = pipeline.projection(file, options, FIELDS)
    params |= {"tz": options.timezone, "channel": options.channel, "queue": options.queue,
               "link": options.link or "events"}
    con.execute(_stmt("parse").replace("/*sv_in*/", sv_in), params)
    if pipeline.scalar(con.execute("SELECT count(*) FROM sv_parsed WHERE channel IS NULL")):
        con.execute(_stmt("fill_channels"))
        con.execute(_stmt("reject_channelless"))
    con.execute(_stmt("stage"), {"ns": file.namespace})
    con.execute(_stmt("rejected_lines"))
    pipeline.reject_lines(con, file)


def _stmt(name: str) -> str:
    return sqlfiles.statement(*_SQL, name)
