"""Work the app skips to answer keys fast: moving between dashboard panels keeps the
footer's widgets (same keys shown), a refresh with unchanged figures repaints no
panel, and the footer is still rebuilt when the keys it shows do change."""

from __future__ import annotations

import pytest
from tui_helpers import make_app, settle

from socialcare_tui.tui.widgets.footer import KeyFooter
from socialcare_tui.tui.widgets.panel import KpiPanel

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


def footer_keys(app) -> list:
    return list(app.screen.query_one(KeyFooter).children)


async def test_panel_moves_keep_the_footer(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panels = list(app.screen.query(KpiPanel))
        before = footer_keys(app)
        assert before  # the footer shows the keys
        await pilot.press("right", "down")
        await pilot.pause()
        # 120 columns: (120 - 28 sidebar - 1) // 27 = 3 panel columns; right then down -> 1 + 3
        assert app.focused is panels[4]
        assert footer_keys(app) == before  # the same widgets: not recomposed
        await pilot.press("2")  # Queues: its own keys (Filter, Next tab) join the footer
        await settle(pilot)
        after = footer_keys(app)
        assert after != before
        assert any("Filter" in str(key.description) for key in after)


async def test_unchanged_refresh_repaints_no_panel(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#kpi-first_response_time", KpiPanel)
        value_label = panel.query_one(".kpi-value")
        shown = value_label.render()
        calls = []
        original = value_label.update
        value_label.update = lambda *a, **k: (calls.append(a), original(*a, **k))
        app.refresh_now()
        await settle(pilot)
        assert calls == []  # same data: the label was not updated
        assert str(value_label.render()) == str(shown)
        # a changed figure is shown: the panel's last arguments are forgotten
        panel._shown = None
        app.refresh_now()
        await settle(pilot)
        assert len(calls) == 1
