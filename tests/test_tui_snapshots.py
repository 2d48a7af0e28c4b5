"""Snapshots of every screen on the fixed database of tui_helpers (as-of 2024-03-08
12:00, window 7d, fixed clock), at 80x24 and 200x60, and once with NO_COLOR.

Update after an intended change with: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from tui_helpers import make_app, settle

from socialcare_tui.store import open_db

SMALL, LARGE = (80, 24), (200, 60)


@pytest.fixture
def app(fixture_db):
    con = open_db(fixture_db)
    yield make_app(con, fixture_db)
    con.close()


def keys(*presses):
    """run_before for snap_compare: press keys, letting every refresh finish in between."""

    async def run(pilot):
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_dashboard(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys())


def test_dashboard_no_color(snap_compare, fixture_db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # Textual reads it when the app is created
    con = open_db(fixture_db)
    try:
        assert snap_compare(make_app(con, fixture_db), terminal_size=SMALL, run_before=keys())
    finally:
        con.close()


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_queues(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys("2"))


def test_conversation_with_hostile_text(snap_compare, app):
    assert snap_compare(app, terminal_size=SMALL, run_before=keys("2", "enter"))


def test_kpi_drill_down(snap_compare, app):
    assert snap_compare(app, terminal_size=SMALL, run_before=keys("right", "right", "down", "enter"))


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_agents(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys("3"))


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_conversation_sentiment(snap_compare, app, size):
    """A5: the customer's message with the mood the sentiment KPI counts (stored score)."""

    async def run(pilot):
        await settle(pilot)
        pilot.app.open_conversation("events:A5")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_trends(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys("4"))


def test_help(snap_compare, app):
    assert snap_compare(app, terminal_size=SMALL, run_before=keys("question_mark"))


def test_terminal_too_small(snap_compare, app):
    assert snap_compare(app, terminal_size=(50, 14), run_before=keys())


def test_first_run(snap_compare, tmp_path):
    path = tmp_path / "empty.duckdb"
    con = open_db(path)
    try:
        app = make_app(con, path)
        app.db_path = "/data/empty.duckdb"  # the command shown must not depend on tmp_path
        assert snap_compare(app, terminal_size=SMALL, run_before=keys())
    finally:
        con.close()
