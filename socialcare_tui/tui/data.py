"""What the app asks of `kpi/` and `ingest/`: one method per view, each run in a
worker thread on its own cursor. No SQL here (ARCHITECTURE.md: `tui/` asks `kpi/`).

Every method returns plain Python data; widgets are updated on the UI thread.
Tests subclass DataSource to slow a query down and check the app stays responsive.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from socialcare_tui.commands._scope_args import newest_event
from socialcare_tui.config import Config


SPARK_BUCKETS = 24  # one per cell of a panel's sparkline


@dataclass
class DashboardData:
    report: dict
    previous: dict | None
    series: dict[str, list]


@dataclass
class ConversationData:
    conv_key: str
    facts: dict
    events: list[dict] = field(default_factory=list)


class DataSource:
    """Either one open connection (`con`, for tests and scripts) or a database path that
    is opened for each query batch and closed right after (store/access.py), so a
    feeder (`socialcare-tui watch`) and any number of viewers can share the file."""

    def __init__(self, con, config: Config, *, db_path=None, read_only: bool = False) -> None:
        self.con = con
        self.config = config
        self.db_path = db_path
        self.read_only = read_only
        self.on_wait = None  # set by the app: called with "waiting for database …"

    @contextmanager
    def cursor(self):
        if self.con is None:
            from socialcare_tui.store.access import database

            with database(self.db_path, read_only=self.read_only, on_wait=self.on_wait) as con:
                yield con
            return
        cur = self.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    # --- reads ------------------------------------------------------------------------

    def newest(self):
        """Time of the newest event, None for an empty database (the first-run screen)."""
        with self.cursor() as cur:
            return newest_event(cur)

    def dashboard(self, scope, kpi_ids: list[str] | None = None) -> DashboardData:
        """Report, previous window and sparklines from `engine.dashboard` (fewer builds of
        the shared layer than three separate calls). Over all the data (no window) there is
        no previous window and no sparkline, so only the report is computed."""
        from socialcare_tui.kpi import engine

        with self.cursor() as cur:
            if not scope.window:
                return DashboardData(engine.report(cur, scope, self.config, kpis=kpi_ids), None, {})
            got = engine.dashboard(cur, scope, self.config, kpis=kpi_ids, buckets=SPARK_BUCKETS)
        return DashboardData(got["report"], got.get("previous"), got.get("series") or {})

    def wallboard(self, scope, kpi_ids: list[str]) -> dict:
        """The report of the wallboard's KPIs (no sparklines, no previous window)."""
        from socialcare_tui.kpi import engine

        with self.cursor() as cur:
            return engine.report(cur, scope, self.config, kpis=kpi_ids)

    def channels(self, scope):
        from socialcare_tui.kpi import browse

        with self.cursor() as cur:
            return browse.channel_tree(cur, scope, self.config)  # it drops the scope's filters itself

    def queue(self, scope, status: str):
        """(rows, as_of): the tab's conversations and the instant their waits are measured at."""
        from socialcare_tui.kpi import browse, engine

        with self.cursor() as cur:
            resolved = engine.prepare(cur, scope, self.config)
            rows = browse.queue_rows(cur, scope, self.config, status, resolved=resolved)
        return rows, resolved.as_of

    def conversation(self, scope, conv_key: str) -> ConversationData:
        from socialcare_tui.kpi import browse, engine

        with self.cursor() as cur:
            resolved = engine.prepare(cur, scope, self.config)
            facts = browse.conversation_facts(cur, scope, self.config, conv_key, resolved=resolved)
            events = browse.transcript(cur, conv_key, resolved.as_of)
        return ConversationData(conv_key, facts or {}, list(events or []))

    def agents(self, scope):
        from socialcare_tui.kpi import browse

        with self.cursor() as cur:
            return browse.agent_rows(cur, scope, self.config)

    def trends(self, scope) -> dict:
        from socialcare_tui.kpi import engine

        kpis = ["inbound_volume", "topics", "quick_replies", "frt_distribution", "sentiment"]
        with self.cursor() as cur:
            report = engine.report(cur, scope, self.config, kpis=kpis)
            by_channel = engine.report(cur, scope, self.config, kpis=["frt_distribution"], by="channel")
            sentiment = engine.series(cur, scope, self.config, ["sentiment", "inbound_volume"], buckets=24)
        return {"report": report, "by_channel": by_channel, "series": sentiment, "span": scope.window}

    def explain(self, scope, kpi_id: str, part: str | None = None) -> dict:
        from socialcare_tui.kpi import engine

        with self.cursor() as cur:
            return engine.explain(cur, scope, self.config, kpi_id, part)

    def report(self, scope) -> dict:
        from socialcare_tui.kpi import engine

        with self.cursor() as cur:
            return engine.report(cur, scope, self.config)

    # --- writes -----------------------------------------------------------------------

    def import_file(self, path: str | Path):
        from socialcare_tui.ingest import pipeline

        with self.cursor() as cur:
            options = pipeline.ImportOptions(
                timezone=self.config.timezone, channel_aliases=dict(self.config.channel_aliases)
            )
            return pipeline.import_paths(cur, [Path(path).expanduser()], options)
