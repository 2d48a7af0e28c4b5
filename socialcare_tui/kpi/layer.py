"""Shared layers kept between refreshes, so a refresh costs what changed, not the database.

`engine.prepare` builds base.sql's tables from every event. `Layers` keeps each
built layer on its own cursor (its TEMP tables) and, asked again for the same
filters at the same or a later as_of, rebuilds only the conversations touched
since (kpi/sql/layer.sql says which): their events are copied to a throw-away
cursor, base.sql runs there, and the rows replace theirs in the kept tables.
A layer is built in full when there is none to advance (first use, an earlier
as_of, other filters or settings), when rows were removed from `events`, or
when more than `rebuild_share` of the conversations (and more than `rebuild_min`)
were touched: after a large import one full build is cheaper. Rows deleted
from a kept table still cost each scan until the table is rewritten, so after
`compact_share` of its conversations (and more than `compact_min`) were rebuilt
the tables are copied afresh.

One Layers belongs to one connection `con` (for a viewer: the in-memory home the
database file is attached to for each refresh, store/access.py) and is used by
one thread at a time (`use` holds a lock until the caller is done). `con` must
be able to attach an in-memory catalog (`layer`, for the staging tables):
DuckDB refuses that on a read-only file connection.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from socialcare_tui import sqlfiles
from socialcare_tui.kpi import engine

_SQL = ("socialcare_tui.kpi.sql", "layer.sql")
# The tables a layer keeps (kpi/sql/layer.sql stages, merges and compacts each).
KEPT = ("scope_events", "conv_attr", "msgs", "turns", "resolutions", "conv", "customer_convs")
# Resolved.params that shape the layer itself (the rest only shape KPI statements).
_LAYER_PARAMS = ("auto_resolve", "bh_channels", "bh_queues", "channels", "queues", "agents", "tags")


@dataclass
class _Entry:
    cur: object
    key: tuple
    as_of: datetime | None
    watermark: int  # the newest events row id the layer has seen
    rows: int  # events rows at or below the watermark then
    conversations: int = 0  # in the layer when it was built or last compacted
    replaced: int = 0  # conversations rebuilt since then


def _sql(name: str) -> str:
    return sqlfiles.statement(*_SQL, name)


def _conversations(cur) -> int:
    return cur.execute(_sql("conversations")).fetchone()[0]


def _start_count(entry: _Entry) -> None:
    """Count rebuilt conversations from now on (after a build or a compaction)."""
    entry.conversations, entry.replaced = _conversations(entry.cur), 0


def _key(resolved: engine.Resolved, config) -> tuple:
    params = tuple((name, repr(resolved.params.get(name))) for name in _LAYER_PARAMS)
    return params, repr(sorted(config.sla.items())), repr(config.sla_overrides)


class Layers:
    """Up to `capacity` kept layers (least recently used dropped first)."""

    def __init__(self, capacity: int = 4, *, rebuild_share: float = 0.2, rebuild_min: int = 1000,
                 compact_share: float = 0.1, compact_min: int = 10_000) -> None:
        self.capacity = capacity
        self.rebuild_share, self.rebuild_min = rebuild_share, rebuild_min
        self.compact_share, self.compact_min = compact_share, compact_min
        self._entries: list[_Entry] = []
        self._lock = threading.RLock()
        # "full", "incremental", "unchanged", "compacted": for tests and benchmarks
        self.counts: Counter = Counter()

    @contextmanager
    def use(self, con, resolved: engine.Resolved, config):
        """The cursor holding the layer of `resolved`, up to date; for the caller's statements."""
        with self._lock:
            yield self._ready(con, resolved, config).cur

    def close(self) -> None:
        with self._lock:
            for entry in self._entries:
                entry.cur.close()
            self._entries.clear()

    # ------------------------------------------------------------------ choosing

    def _ready(self, con, resolved, config) -> _Entry:
        key = _key(resolved, config)
        entry = self._closest(key, resolved.as_of)
        try:
            if entry is None or not self._advance(con, entry, resolved, config):
                entry = self._build(con, key, resolved, config, entry)
        except BaseException:
            self._forget(entry)  # half rebuilt: never use it again
            raise
        self._entries.remove(entry)
        self._entries.append(entry)  # most recently used last
        return entry

    def _forget(self, entry: _Entry | None) -> None:
        if entry is not None and entry in self._entries:
            self._entries.remove(entry)
            entry.cur.close()

    def _closest(self, key: tuple, as_of: datetime | None) -> _Entry | None:
        """The kept layer with these filters and settings at the latest as_of not after `as_of`."""
        if as_of is None:
            return None
        usable = [e for e in self._entries if e.key == key and e.as_of is not None and e.as_of <= as_of]
        return max(usable, key=lambda e: e.as_of, default=None)

    # ------------------------------------------------------------------ full build

    def _build(self, con, key, resolved, config, entry: _Entry | None) -> _Entry:
        if entry is None:
            if len(self._entries) >= self.capacity:
                self._forget(self._entries[0])
            entry = _Entry(con.cursor(), key, None, -1, 0)
            self._entries.append(entry)
        entry.watermark, entry.rows, _ = con.execute(_sql("watermark"), {"watermark": -1}).fetchone()
        try:
            engine.build(entry.cur, resolved, config)
        except BaseException:
            self._forget(entry)
            raise
        entry.as_of = resolved.as_of
        _start_count(entry)
        self.counts["full"] += 1
        return entry

    # ------------------------------------------------------------------ advancing

    def _advance(self, con, entry: _Entry, resolved, config) -> bool:
        """Bring `entry` to resolved.as_of; False when a full build is needed instead."""
        top, rows, kept = con.execute(_sql("watermark"), {"watermark": entry.watermark}).fetchone()
        if kept != entry.rows:  # rows were removed or rewritten: start again
            return False
        params = dict(resolved.params, old_as_of=entry.as_of, watermark=entry.watermark)
        cur = entry.cur
        sqlfiles.run(cur, _sql("attach_staging"))
        sqlfiles.run(cur, _sql("touched"), params)
        touched = cur.execute(_sql("touched_count")).fetchone()[0]
        if touched > max(self.rebuild_min, self.rebuild_share * _conversations(cur)):
            return False
        if touched or top != entry.watermark or resolved.as_of != entry.as_of:
            self._rebuild_touched(con, entry, resolved, config, params)
            engine.install_extras(cur, resolved, config)  # the calendar reaches as_of
            self.counts["incremental"] += 1
            entry.replaced += touched
            if entry.replaced > max(self.compact_min, self.compact_share * entry.conversations):
                self._compact(entry)
        else:
            self.counts["unchanged"] += 1
        entry.as_of, entry.watermark, entry.rows = resolved.as_of, top, rows
        return True

    def _compact(self, entry: _Entry) -> None:
        """Rewrite each kept table: deleted rows stay in a table, and cost every scan,
        until it is rewritten."""
        sqlfiles.run(entry.cur, _sql("compact"))
        _start_count(entry)
        self.counts["compacted"] += 1

    def _rebuild_touched(self, con, entry: _Entry, resolved, config, params: dict) -> None:
        delta = con.cursor()
        try:
            sqlfiles.run(delta, _sql("delta_rows"), params)
            sqlfiles.run(delta, _sql("delta_source"))
            sqlfiles.run(delta, _sql("delta_events"))
            engine.build_base(delta, resolved, config)
            sqlfiles.run(delta, _sql("stage"))
        finally:
            delta.close()
        sqlfiles.run(entry.cur, _sql("merge"))
