"""Conversation browsing for the Queues, Conversation and Agents screens and `queue`/`export`.

Every function works on the temp layer that `engine.prepare` builds on the
cursor it is given. Pass `resolved=` (what `prepare` returned for the same
scope on the same cursor) to reuse that layer instead of building it again.
Rows are dicts; times are naive UTC datetimes, durations seconds.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.config import KpiConfig
from socialcare_tui.errors import UserError

if TYPE_CHECKING:
    from socialcare_tui.kpi.scope import Resolved, Scope

Con = duckdb.DuckDBPyConnection

STATUS_TABS = ("unassigned", "open", "pending", "resolved", "all")
_SQL = ("socialcare_tui.kpi.sql", "browse.sql")
_EARLIEST = datetime(1, 1, 1)


def _run(con: Con, name: str, params: dict | None = None) -> Con:
    """Run a named statement of browse.sql with only the parameters it uses."""
    return sqlfiles.run(con, sqlfiles.statement(*_SQL, name), params)


def _dicts(result: Con) -> list[dict]:
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def _prepare(con: Con, scope: Scope, config: KpiConfig, resolved: Resolved | None) -> Resolved:
    if resolved is None:
        from socialcare_tui.kpi import engine

        resolved = engine.prepare(con, scope, config)
    return resolved


def _bounds(resolved: Resolved) -> dict:
    """$as_of, $lo, $hi of the prepared scope (the window is half-open lo <= t < hi)."""
    return {"as_of": resolved.as_of, "lo": resolved.lo, "hi": resolved.hi}


def _build_facts(con: Con, resolved: Resolved) -> dict:
    params = _bounds(resolved)
    _run(con, "conv_facts", params)
    return params


def queue_rows(con: Con, scope: Scope, config: KpiConfig, status: str = "all", *,
               resolved: Resolved | None = None) -> list[dict]:
    """Conversations of the scope's channels/queues in one status tab, longest wait first."""
    if status not in STATUS_TABS:
        raise UserError(f"--status {status}: unknown status (use one of {', '.join(STATUS_TABS)})")
    resolved = _prepare(con, scope, config, resolved)
    if resolved.as_of is None:  # empty database
        return []
    params = _build_facts(con, resolved)
    return _dicts(_run(con, "queue_rows", {**params, "tab": status}))


def csat_followup_rows(con: Con, scope: Scope, config: KpiConfig, *, resolved: Resolved | None = None) -> list[dict]:
    """The dissatisfied survey answers the csat KPI counts in the scope, latest first:
    answered_at, score, scale_max, comment, customer, conv_key (None for an answer with
    no conversation), channel, queue, agent."""
    resolved = _prepare(con, scope, config, resolved)
    if resolved.as_of is None:
        return []
    return _dicts(_run(con, "csat_followup", _bounds(resolved)))


def conversation_facts(con: Con, scope: Scope, config: KpiConfig, conv_key: str, *,
                       resolved: Resolved | None = None) -> dict | None:
    """FRT, resolution time, status and SLA outcomes of one conversation (None when not in scope)."""
    resolved = _prepare(con, scope, config, resolved)
    if resolved.as_of is None:
        return None
    params = _build_facts(con, resolved)
    rows = _dicts(_run(con, "conversation_facts", {**params, "conv_key": conv_key}))
    return rows[0] if rows else None


def conversation_export_rows(con: Con, scope: Scope, config: KpiConfig, *,
                             resolved: Resolved | None = None) -> list[dict]:
    """One row per conversation with an event in the window, with its facts."""
    _build_export(con, scope, config, resolved)
    return _dicts(_run(con, "export_select"))


EXPORT_FORMATS = ("csv", "json", "parquet")


def copy_conversations(con: Con, scope: Scope, config: KpiConfig, path: str, file_format: str, *,
                       resolved: Resolved | None = None, redact: bool = False) -> int:
    """Write the export rows to `path` with DuckDB COPY (path bound as a parameter); returns
    the row count. `redact` replaces customer ids with the app's stable pseudonyms."""
    if file_format not in EXPORT_FORMATS:
        raise UserError(f"{path}: cannot export to '{file_format}' (use .csv, .json or .parquet)")
    _build_export(con, scope, config, resolved)
    if redact:
        _redact_export(con)
    if file_format == "csv":
        _run(con, "csv_clean_macro")
        _run(con, "csv_safe_macro")
    _run(con, f"copy_export_{file_format}", {"path": path})
    (count,) = _run(con, "export_count").fetchone() or (0,)
    return int(count)


def _redact_export(con: Con) -> None:
    """Customer ids become the app's pseudonyms, computed in Python and passed as two
    bound lists (a Python UDF would need numpy in DuckDB's client)."""
    from socialcare_tui.redact import redact

    customers = [row[0] for row in _run(con, "export_customers").fetchall()]
    pseudonyms = [redact(customer, customer=True) for customer in customers]
    _run(con, "redact_export", {"customers": customers, "pseudonyms": pseudonyms})


def _build_export(con: Con, scope: Scope, config: KpiConfig, resolved: Resolved | None) -> None:
    resolved = _prepare(con, scope, config, resolved)
    params = _build_facts(con, resolved) if resolved.as_of is not None else None
    if params is None:  # empty database: an empty export with the same columns
        params = {"as_of": datetime.max, "lo": _EARLIEST, "hi": datetime.max}
        _run(con, "conv_facts", params)
    _run(con, "export_rows", params)


def transcript(con: Con, scope: Scope, config: KpiConfig, conv_key: str, *,
               resolved: Resolved | None = None) -> list[dict]:
    """Every event of one conversation in order (messages, status, assign, tag, survey
    answers) up to the scope's as_of; a customer message carries the sentiment the KPI
    counts for it (`sentiment_score`, `sentiment_label`: positive, neutral, negative).
    The conversation need not match the scope's filters."""
    resolved = _prepare(con, scope, config, resolved)
    limit = resolved.as_of if resolved.as_of is not None else datetime.max
    return _dicts(_run(con, "transcript", {"conv_key": conv_key, "as_of": limit}))


def tree_scope(scope: Scope) -> Scope:
    """The scope the channel tree stands on: the tree is the channel picker, so the
    scope's channel and queue filters are dropped."""
    return dataclasses.replace(scope, channels=(), queues=())


def channel_tree(con: Con, scope: Scope, config: KpiConfig, *, resolved: Resolved | None = None) -> list[dict]:
    """Channels with their queues and counts of open and waiting conversations, for
    `tree_scope(scope)` (pass `resolved` only for a layer prepared for that scope)."""
    if resolved is None:
        scope = tree_scope(scope)
    resolved = _prepare(con, scope, config, resolved)
    tree: dict[str, dict] = {}
    for row in _dicts(_run(con, "channel_tree")):
        node = tree.setdefault(row["channel"], {"channel": row["channel"], "open": 0, "waiting": 0,
                                                "conversations": 0, "queues": []})
        for key in ("open", "waiting", "conversations"):
            node[key] += row[key]
        node["queues"].append({k: row[k] for k in ("queue", "open", "waiting", "conversations")})
    return list(tree.values())


def agent_rows(con: Con, scope: Scope, config: KpiConfig, *, resolved: Resolved | None = None) -> list[dict]:
    """Per agent: replies, conversations handled, median FRT, resolutions, CSAT, open and waiting now."""
    resolved = _prepare(con, scope, config, resolved)
    if resolved.as_of is None:
        return []
    rows = _dicts(_run(con, "agent_rows", _bounds(resolved)))
    # --agent keeps the conversations those agents touched; list only those agents
    wanted = set(getattr(scope, "agents", ()) or ())
    return [row for row in rows if row["agent"] in wanted] if wanted else rows


def copy_report_parquet(con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]], path: str) -> None:
    """The report's rows (group, kpi, part, value, text, unit, reason) written to a Parquet
    file at `path` (`export --what report`)."""
    con.execute(sqlfiles.statement(*_SQL, "create_report_out"))
    con.executemany(sqlfiles.statement(*_SQL, "insert_report_out"), records)
    con.execute(sqlfiles.statement(*_SQL, "copy_report_parquet"), {"path": path})
