"""Channel alias normalisation shared by every format.

`install(con, aliases)` creates the TEMP table `channel_alias` and the SQL
macro `sc_channel(raw)` that format modules call; config `channel_aliases`
entries are added after (and so override) the built-in ones.
"""

from __future__ import annotations

import re

import duckdb

from socialcare_tui import sqlfiles

_SQL = ("socialcare_tui.ingest.sql", "channels.sql")

BUILTIN = {
    "X": "twitter",
    "FB Messenger": "facebook",
    "Messenger": "facebook",
    "FB": "facebook",
    "IG": "instagram",
    "Chat": "webchat",
    "Live Chat": "webchat",
    "Web Chat": "webchat",
    "Web Portal": "web",
    "Web Form": "web",
    "Social Media": "social",
    "Self-Service": "self-service",
    "Call": "phone",
    "Voice": "phone",
    "E-mail": "email",
}


def key(name: str) -> str:
    """The matching key: lower case without spaces, hyphens or underscores (as in SQL)."""
    return re.sub(r"[ _-]+", "", name).lower()


def normalise(name: str | None, aliases: dict[str, str] | None = None) -> str | None:
    """Python twin of `sc_channel` (for --channel values and tests)."""
    if name is None or not name.strip():
        return None
    table = {key(a): c.strip().lower() for a, c in {**BUILTIN, **(aliases or {})}.items()}
    return table.get(key(name), name.strip().lower())


def install(con: duckdb.DuckDBPyConnection, aliases: dict[str, str] | None = None) -> None:
    statements = sqlfiles.named(*_SQL)
    con.execute(statements["create_aliases"])
    con.execute(statements["key_macro"])
    merged = {key(a): (a, c) for a, c in BUILTIN.items()}
    merged.update({key(a): (a, c) for a, c in (aliases or {}).items()})
    if merged:
        con.executemany(statements["add_alias"], [{"alias": a, "channel": c} for a, c in merged.values()])
    con.execute(statements["alias_map"])
    con.execute(statements["channel_macro"])
