"""What the app asks of `kpi/` and `ingest/`: one method per view, each run in a
worker thread on its own cursor. No SQL here (ARCHITECTURE.md: `tui/` asks `kpi/`).

KPI reads return the engine's typed results (kpi/results.py: Report, Dashboard,
Explanation); widgets are updated from them on the UI thread.
Tests subclass DataSource to slow a query down and check the app stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from socialcare_tui.config import Config
from socialcare_tui.kpi.results import Dashboard, Explanation, Report, Series
from socialcare_tui.kpi.scope import newest_event, oldest_event

SPARK_BUCKETS = 24  # one per cell of a panel's sparkline
TREND_BUCKETS = 24  # the sentiment chart's points


@dataclass(frozen=True)
class TrendsData:
    report: Report  # volume, topics, quick replies, FRT buckets, sentiment
    by_channel: Report  # frt_distribution by channel
    series: Series  # sentiment and inbound volume over the window
    span: timedelta | None  # the window's length (the chart's time axis)


@dataclass
class ConversationData:
    conv_key: str
    facts: dict
    events: list[dict] = field(default_factory=list)


class DataSource:
    """Either one open connection (`con`, for tests and scripts) or a database path.

    With a path, nothing keeps the file open (store/access.py), so a feeder
    (`socialcare-tui watch`) and any number of viewers can share it: each read
    attaches it read-only to this process's in-memory `home` connection and
    detaches it right after, and each write opens it for the one import. The
    KPIs read the facts stored in the file (store/facts.py): a viewer holds no
    copy of the data."""

    def __init__(self, con, config: Config, *, db_path=None, read_only: bool = False) -> None:
        import duckdb

        self.con = con
        self.config = config
        self.db_path = db_path
        self.read_only = read_only
        self.on_wait: Callable[[str], None] | None = None  # set by the app: "waiting for database …"
        # with a path: the in-memory connection the file is attached to for each read
        self._home = duckdb.connect(":memory:") if con is None else None

    @contextmanager
    def reading(self):
        """A connection to read from, for this read only (workers run on threads):
        borrowed from `con`, or the file attached to `home`."""
        if self.con is not None:
            from socialcare_tui.store.access import Borrowed

            con = Borrowed(self.con)
            try:
                yield con
            finally:
                con.close()
            return
        from socialcare_tui.store.access import attached

        assert self._home is not None  # made in __init__ whenever con is None
        with attached(self._home, self.db_path, on_wait=self.on_wait) as con:
            yield con

    @contextmanager
    def writing(self):
        """A connection to write with: a cursor of `con`, or the file opened read-write
        for this write."""
        if self.con is not None:
            cur = self.con.cursor()
            try:
                yield cur
            finally:
                cur.close()
            return
        from socialcare_tui.store.access import database

        with database(self.db_path, read_only=self.read_only, on_wait=self.on_wait) as con:
            yield con

    # --- reads ------------------------------------------------------------------------

    def newest(self):
        """Time of the newest event, None for an empty database (the first-run screen)."""
        with self.reading() as con:
            return newest_event(con)

    def oldest(self):
        """Time of the first event (a previous window ending before it holds no data)."""
        with self.reading() as con:
            return oldest_event(con)

    def facts_note(self) -> str | None:
        """One line when the stored facts do not fit this config (every read is then slow)."""
        from socialcare_tui.kpi import engine

        with self.reading() as con:
            return engine.facts_note(con, self.config.kpi)

    def dashboard(self, scope, kpi_ids: list[str] | None = None) -> Dashboard:
        """Report, previous window and sparklines from `engine.dashboard`. Over all the
        data (no window) there is no previous window and no sparkline, so only the
        report is computed."""
        from socialcare_tui.kpi import engine

        with self.reading() as con:
            if not scope.window and scope.start is None:  # calendar windows (issue 14) have both
                return Dashboard(self._report(con, scope, kpis=kpi_ids), None, Series(SPARK_BUCKETS))
            return engine.dashboard(con, scope, self.config.kpi, kpis=kpi_ids, buckets=SPARK_BUCKETS)

    def wallboard(self, scope, kpi_ids: list[str]) -> Report:
        """The report of the wallboard's KPIs (no sparklines, no previous window)."""
        with self.reading() as con:
            return self._report(con, scope, kpis=kpi_ids)

    def wallboard_previous(self, scope, kpi_ids: list[str]) -> Report | None:
        """The wallboard's KPIs over the window of the same length just before `scope`'s
        (its trend arrows); None without a window."""
        from socialcare_tui.kpi import engine

        with self.reading() as con:
            before = engine.previous_scope(con, scope, self.config.kpi)
            return self._report(con, before, kpis=kpi_ids) if before is not None else None

    def channels(self, scope):
        """The channel tree (without the scope's channel and queue filters: it is the picker)."""
        from socialcare_tui.kpi import browse

        with self._layer(browse.tree_scope(scope)) as (cur, resolved):
            return browse.channel_tree(cur, scope, self.config.kpi, resolved=resolved)

    def queue(self, scope, status: str):
        """(rows, as_of): the tab's conversations and the instant their waits are measured at."""
        from socialcare_tui.kpi import browse

        with self._layer(scope) as (cur, resolved):
            rows = browse.queue_rows(cur, scope, self.config.kpi, status, resolved=resolved)
        return rows, resolved.as_of

    def csat_followup(self, scope) -> list[dict]:
        """The dissatisfied survey answers of the scope, with comment and customer."""
        from socialcare_tui.kpi import browse

        with self._layer(scope) as (cur, resolved):
            return browse.csat_followup_rows(cur, scope, self.config.kpi, resolved=resolved)

    def conversation(self, scope, conv_key: str) -> ConversationData:
        from socialcare_tui.kpi import browse

        with self._layer(scope) as (cur, resolved):
            facts = browse.conversation_facts(cur, scope, self.config.kpi, conv_key, resolved=resolved)
            events = browse.transcript(cur, scope, self.config.kpi, conv_key, resolved=resolved)
        return ConversationData(conv_key, facts or {}, list(events or []))

    def agents(self, scope):
        from socialcare_tui.kpi import browse

        with self._layer(scope) as (cur, resolved):
            return browse.agent_rows(cur, scope, self.config.kpi, resolved=resolved)

    def trends(self, scope) -> TrendsData:
        from socialcare_tui.kpi import engine

        kpis = ["inbound_volume", "topics", "quick_replies", "frt_distribution", "sentiment"]
        with self.reading() as con:
            report = self._report(con, scope, kpis=kpis)
            by_channel = self._report(con, scope, kpis=["frt_distribution"], by="channel")
            sentiment = engine.series(con, scope, self.config.kpi, ["sentiment", "inbound_volume"],
                                      buckets=TREND_BUCKETS)
        return TrendsData(report, by_channel, sentiment, scope.window)

    def explain(self, scope, kpi_id: str, part: str | None = None) -> Explanation:
        from socialcare_tui.kpi import engine

        with self.reading() as con:
            return engine.explain(con, scope, self.config.kpi, kpi_id, part)

    def report(self, scope) -> Report:
        with self.reading() as con:
            return self._report(con, scope)

    def _report(self, con, scope, **options) -> Report:
        from socialcare_tui.kpi import engine

        return engine.report(con, scope, self.config.kpi, **options)

    @contextmanager
    def _layer(self, scope):
        """(cursor, Resolved) holding the shared layer of `scope`, for browse.py."""
        from socialcare_tui.kpi import engine

        with self.reading() as con, engine.layer(con, scope, self.config.kpi) as got:
            yield got

    # --- writes -----------------------------------------------------------------------

    def import_file(self, path: str | Path):
        from socialcare_tui.ingest import pipeline

        with self.writing() as cur:
            options = pipeline.ImportOptions.configured(self.config.ingest, self.config.facts)
            return pipeline.import_paths(cur, [Path(path).expanduser()], options)


def nothing_before(report: Report | None, oldest: datetime | None) -> bool:
    """The window before `report`'s ends before the first event (`oldest`): it holds
    nothing to compare with (the dashboard's and the wallboard's deltas say so)."""
    start = report.window.start if report is not None else None
    return oldest is not None and start is not None and start <= oldest


def file_signature(path) -> tuple | None:
    """(size, mtime) of the database file and of its write-ahead log: while it is the same,
    the data is (a timed refresh of an unchanged file is skipped, issue 14). None when
    the file cannot be seen (the refresh then runs and reports what is wrong)."""
    import os

    try:
        main = os.stat(path)
    except OSError:
        return None
    try:
        wal = os.stat(f"{path}.wal")
        wal_sig = (wal.st_size, wal.st_mtime_ns)
    except OSError:
        wal_sig = None
    return (main.st_ino, main.st_size, main.st_mtime_ns, wal_sig)
