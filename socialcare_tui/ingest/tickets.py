"""Help-desk ticket exports (`--format tickets`).

One row per ticket. Columns are found by name (case, spaces, underscores and
punctuation ignored) from the synonym lists below, or given with
`--map field=Column[:unit]`. A duration column's unit comes from the map,
else from its name (`..._minutes`, `(hours)`, `in hrs`), else DEFAULT_UNIT.
tickets.sql turns each ticket into synthesised events (origin 'ticket').
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.errors import UserError
from socialcare_tui.ingest import pipeline

NAME = "tickets"
_SQL = ("socialcare_tui.ingest.sql", "tickets.sql")

# field -> normalised column names, best first (see `norm`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "conversation_id": ("ticketid", "conversationid", "ticketnumber", "ticketno", "caseid", "casenumber", "id"),
    "opened_at": ("openedat", "created", "createdat", "createddate", "createdtime", "datecreated",
                  "creationdate", "ticketcreated", "opened", "submittedat"),
    "channel": ("channel", "ticketchannel", "source", "via", "medium"),
    "queue": ("queue", "group", "team", "brand", "groupname", "department"),
    "status": ("status", "ticketstatus", "state"),
    "assignee": ("assignee", "agent", "assignedagent", "assignedto", "agentname", "owner"),
    "customer": ("customerid", "customeremail", "requester", "customer", "requesterid", "requesteremail",
                 "customername", "requestername"),
    "first_response": ("firstresponseat", "firstresponse", "firstresponsetime", "firstreplyat",
                       "firstreplytime", "firstreply", "timetofirstresponse"),
    # Bare "resolution" last: Kaggle's "Resolution" is a text beside "Time to Resolution".
    "resolution": ("resolvedat", "resolved", "resolutiontime", "timetoresolution", "fullresolutiontime",
                   "resolutiondate", "solvedat", "resolution"),
    "csat": ("csat", "csatscore", "customersatisfactionrating", "customersatisfaction",
             "customersatisfactionscore", "satisfaction", "satisfactionrating", "satisfactionscore",
             "csatrating", "rating", "score"),
    "priority": ("priority", "ticketpriority"),
    "topic": ("topic", "tickettype", "category", "issuecategory", "issuetype"),
    "subtopic": ("subtopic", "subcategory", "ticketsubject"),
    "replies": ("replies", "agentreplies", "agentinteractions", "replycount", "numberofreplies"),
    "talk_seconds": ("talk", "talktime", "talkduration"),
    "hold_seconds": ("hold", "holdtime", "holdduration"),
    "wrap_seconds": ("wrap", "wraptime", "wrapup", "wrapuptime", "aftercallwork", "acw"),
    "handle_seconds": ("handle", "handletime", "handlingtime", "aht"),
}
FIELD_ALIASES = {"first_response_at": "first_response", "resolved_at": "resolution",
                 "resolution_at": "resolution", "talk": "talk_seconds", "hold": "hold_seconds",
                 "wrap": "wrap_seconds", "handle": "handle_seconds"}
REQUIRED = ("conversation_id", "opened_at")
DURATIONS = ("first_response", "resolution", "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds")
# A number in a first-response/resolution column whose name gives no unit.
DEFAULT_UNIT = "hours"
UNIT_SECONDS = {"seconds": 1, "s": 1, "minutes": 60, "m": 60, "hours": 3600, "h": 3600, "days": 86400, "d": 86400}
_UNIT_SUFFIX = re.compile(r"^(?P<base>.+?)(?:in)?(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)$")
_UNIT_WORDS = {"sec": "seconds", "min": "minutes", "hour": "hours", "hr": "hours", "day": "days"}


@dataclass
class Column:
    ident: str  # the scan's `cN`
    unit: str | None  # from the name or the map


def norm(name: str) -> str:
    """Matching key: lower case letters and digits only ("First Response Time (minutes)")."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def split_unit(key: str) -> tuple[str, str | None]:
    """('firstresponsetime', 'minutes') from 'firstresponsetimeminutes'."""
    match = _UNIT_SUFFIX.match(key)
    if not match:
        return key, None
    word = match["unit"].rstrip("s") or match["unit"]
    unit = next(u for prefix, u in _UNIT_WORDS.items() if word.startswith(prefix))
    return match["base"], unit


def matches(columns: list[str]) -> bool:
    found = resolve_names(columns)
    return all(name in found for name in REQUIRED)


def resolve_names(columns: list[str], maps: dict[str, tuple[str, str | None]] | None = None
                  ) -> dict[str, tuple[int, str | None]]:
    """field -> (column index, unit) for every field the columns provide."""
    keys = [norm(c) for c in columns]
    split = [split_unit(k) for k in keys]
    used: set[int] = set()
    found: dict[str, tuple[int, str | None]] = {}
    for name, (column, unit) in (maps or {}).items():
        index = _find_named(columns, column)
        if index is None:
            raise UserError(f"--map {name}={column}: no column '{column}' in the file "
                            f"(columns: {', '.join(columns[:20])})")
        found[name] = (index, unit or (split[index][1] if name in DURATIONS else None))
        used.add(index)
    both_topics = "tickettype" in keys and "category" in keys
    for name, synonyms in SYNONYMS.items():
        if name in found:
            continue
        if both_topics and name == "subtopic" and "subtopic" not in (maps or {}):
            synonyms = ("category", *synonyms)  # spec: Ticket Type is the topic, Category the subtopic
        hit = _find_synonym(keys, split, synonyms, used, name in DURATIONS)
        if hit is not None:
            found[name] = hit
            used.add(hit[0])
    return found


def _find_named(columns: list[str], wanted: str) -> int | None:
    lowered = [c.strip().lower() for c in columns]
    if wanted.strip().lower() in lowered:
        return lowered.index(wanted.strip().lower())
    keys = [norm(c) for c in columns]
    return keys.index(norm(wanted)) if norm(wanted) in keys else None


def _find_synonym(keys: list[str], split: list[tuple[str, str | None]], synonyms: Iterable[str], used: set[int],
                  duration: bool) -> tuple[int, str | None] | None:
    for synonym in synonyms:
        for i, key in enumerate(keys):
            if i not in used and key == synonym:
                return i, None
        if duration:
            for i, (base, unit) in enumerate(split):
                if i not in used and unit and base == synonym:
                    return i, unit
    return None


def stage(con: duckdb.DuckDBPyConnection, file: pipeline.SourceFile, options: pipeline.ImportOptions) -> None:
    """Fill TEMP `staged` / `staged_rejects` with the synthesised events of each ticket."""
    fields = resolve_names(file.columns, _maps(options))
    for name in REQUIRED:
        if name not in fields:
            wanted = ", ".join(SYNONYMS[name][:4])
            raise UserError(f"{file.label}: no {name} column for format tickets (looked for names like "
                            f"{wanted}; or give --map {name}=Column)")
    if "channel" not in fields and not options.channel:
        raise UserError(f"{file.label}: no channel column (Channel, Source, via); give --channel")
    source, params = _projection(file, fields)
    params |= _unit_params(fields) | {
        "tz": options.timezone, "channel": options.channel, "queue": options.queue,
        "ns": file.namespace or options.namespace or NAME,
        "has_status": "status" in fields,
    }
    con.execute(_stmt("macros"))
    parse = _stmt("parse").replace("FROM (/*tickets*/)", f"FROM ({source})")
    con.execute(parse, _used(parse, params))
    for name in ("stage", "rejected_lines"):
        sql = _stmt(name)
        con.execute(sql, _used(sql, params))
    pipeline.reject_lines(con, file)
    con.execute(_stmt("cleanup"))


def _maps(options: pipeline.ImportOptions) -> dict[str, tuple[str, str | None]]:
    maps: dict[str, tuple[str, str | None]] = {}
    for name in options.maps:
        field = FIELD_ALIASES.get(name, name)
        if field not in SYNONYMS:
            raise UserError(f"--map {name}=...: unknown ticket field (known: {', '.join(SYNONYMS)})")
        maps[field] = options.map_of(name)
    return maps


def _projection(file: pipeline.SourceFile, fields: dict[str, tuple[int, str | None]]) -> tuple[str, dict[str, Any]]:
    """`SELECT <field>.., extra, line` over the pipeline scan; identifiers are `cN` only."""
    sql, params = file.scan()
    parts = []
    for name in SYNONYMS:
        parts.append(f"c{fields[name][0]} AS {name}" if name in fields else f"NULL::VARCHAR AS {name}")
    taken = {index for index, _unit in fields.values()}
    others = [i for i in range(len(file.columns)) if i not in taken]
    if others:
        pairs = []
        for n, i in enumerate(others):
            params[f"extra_key_{n}"] = file.columns[i]
            pairs.append(f"$extra_key_{n}, c{i}")
        parts.append(f"json_object({', '.join(pairs)}) AS extra")
    else:
        parts.append("NULL::JSON AS extra")
    return f"SELECT {', '.join(parts)}, line FROM ({sql})", params


def _unit_params(fields: dict[str, tuple[int, str | None]]) -> dict[str, Any]:
    """Seconds per unit for each duration field, and whether the unit was stated."""
    params: dict[str, Any] = {}
    for name in DURATIONS:
        unit = fields.get(name, (None, None))[1]
        default = "seconds" if name.endswith("_seconds") else DEFAULT_UNIT
        params[f"{name}_mult"] = float(UNIT_SECONDS[unit or default])
        params[f"{name}_stated"] = unit is not None
    return params


def _stmt(name: str) -> str:
    return sqlfiles.statement(*_SQL, name)


_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a statement names (DuckDB refuses unused ones)."""
    bare = re.sub(r"'(?:[^']|'')*'", "''", re.sub(r"--[^\n]*", "", sql))
    return {key: params[key] for key in set(_PARAM.findall(bare)) if key in params}
