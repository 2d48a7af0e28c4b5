"""An idle app does not query an unchanged database (issue 14, item 8): a timed refresh
of what is already shown is skipped while the file's size and mtime (and its WAL's)
stay the same; a change, a key, another window or a live view's clock still reads."""

from __future__ import annotations

import os

import pytest
from tui_helpers import build_db, make_app, settle, write_events

from socialcare_tui.config import Config
from socialcare_tui.store import open_db
from socialcare_tui.tui.data import DataSource, file_signature

pytestmark = pytest.mark.anyio


class CountingSource(DataSource):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = 0

    def dashboard(self, scope, kpi_ids=None):
        self.reads += 1
        return super().dashboard(scope, kpi_ids)


def test_file_signature_follows_the_file_and_its_wal(tmp_path):
    path = tmp_path / "x.duckdb"
    assert file_signature(path) is None
    path.write_bytes(b"a")
    first = file_signature(path)
    assert first == file_signature(path)
    os.utime(path, ns=(1, 1))
    assert file_signature(path) != first
    second = file_signature(path)
    (tmp_path / "x.duckdb.wal").write_bytes(b"w")
    assert file_signature(path) != second


async def test_timed_refresh_skips_an_unchanged_file(tmp_path):
    path = build_db(tmp_path)
    source = CountingSource(None, Config(), db_path=str(path))
    app = make_app(None, path, source=source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert source.reads == 1
        for _ in range(3):
            app._on_timer()  # what the refresh timer calls
            await settle(pilot)
        assert source.reads == 1 and app._timer is not None  # still armed: it keeps looking
        await pilot.press("r")  # asked for: always read
        await settle(pilot)
        assert source.reads == 2
        con = open_db(path)  # another process imports
        from socialcare_tui.ingest.pipeline import import_paths

        import_paths(con, [write_events(tmp_path / "more.jsonl", [
            {"event_id": "n1", "conversation_id": "N1", "at": "2024-03-08T11:00:00Z", "type": "message",
             "channel": "twitter", "direction": "in", "author": "cust_n", "text": "hello"}])])
        con.close()
        app._on_timer()
        await settle(pilot)
        assert source.reads == 3
        app._on_timer()
        await settle(pilot)
        assert source.reads == 3
        await pilot.press("w")  # another window: read, whatever the file
        await settle(pilot)
        assert source.reads == 4


async def test_live_view_is_read_again_after_a_while(tmp_path):
    from datetime import timedelta

    from tui_helpers import CLOCK

    from socialcare_tui.tui import app as app_module

    path = build_db(tmp_path)
    source = CountingSource(None, Config(), db_path=str(path))
    app = make_app(None, path, source=source, as_of=None)
    app.state.live = True
    now = [CLOCK]
    app.clock = lambda: now[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reads = source.reads
        now[0] += timedelta(seconds=app_module.LIVE_MAX_SKIP - 1)
        app._on_timer()
        await settle(pilot)
        assert source.reads == reads  # unchanged and recent: skipped
        now[0] += timedelta(seconds=2)
        app._on_timer()
        await settle(pilot)
        assert source.reads == reads + 1  # waits grow with the clock: read again
