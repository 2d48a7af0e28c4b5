"""The dashboard a lead reads first (issue 14, items 3-4): panel order and config
`[dashboard] panels`, no change against a previous window before the first event, and
a channels list that shortens names, never counts, hidden under 100 columns.

Fixed database of tui_helpers: as-of 2024-03-08 12:00; the first event is P1 on
2024-02-28 09:00, so a 7d window's previous window (02-23 → 03-01) holds P1, a 30d
window's (01-09 → 02-08) holds nothing.
"""

from __future__ import annotations

import pytest
from textual.widgets import Label
from tui_helpers import make_app, settle

from socialcare_tui.config import Config, DashboardConfig, TuiConfig, from_dict
from socialcare_tui.errors import UserError
from socialcare_tui.kpi import registry
from socialcare_tui.tui.panels import FIRST, panel_infos
from socialcare_tui.tui.widgets.panel import KpiPanel
from socialcare_tui.tui.widgets.sidebar import ChannelEntry, ChannelSidebar, _label

pytestmark = pytest.mark.anyio


def panel_text(app, panel_id: str) -> tuple[str, str]:
    value, delta = app.screen.query_one(f"#kpi-{panel_id}").query(Label)
    return str(value.content), str(delta.content)


def test_default_panels_put_what_a_lead_checks_first_then_every_kpi():
    ids = [p.id for p in panel_infos()]
    assert ids[:6] == ["waiting_now", "longest_wait", "sla_first_response", "first_response_time", "csat",
                       "backlog"] == list(FIRST)
    assert sorted(ids[6:]) == sorted(set(registry.ids()) - set(FIRST))  # each KPI once
    waiting = panel_infos(["waiting_now"])[0]
    assert (waiting.kpi_id, waiting.part, waiting.unit) == ("reply_wait", "n", "count")


def test_config_panels_choose_and_order_and_are_checked():
    config = from_dict({"dashboard": {"panels": ["csat", "Longest_Wait", "backlog"]}})
    assert [p.id for p in panel_infos(config.tui.dashboard.panels)] == ["csat", "longest_wait", "backlog"]
    with pytest.raises(UserError) as err:
        panel_infos(["csat", "happiness"])
    message = str(err.value)
    assert message.startswith("config dashboard.panels: unknown panel 'happiness' (known: waiting_now, ")
    assert all(kpi_id in message for kpi_id in registry.ids()) and "\n" not in message
    with pytest.raises(UserError, match="listed twice"):
        panel_infos(["csat", "csat"])
    for bad in ({"panels": []}, {"panels": "csat"}, {"panels": [1]}, {"order": ["csat"]}, ["csat"]):
        with pytest.raises(UserError, match="dashboard"):
            from_dict({"dashboard": bad})


def test_open_with_an_unknown_panel_is_one_line(tmp_path, capsys):
    from socialcare_tui.cli import main

    config = tmp_path / "config.toml"
    config.write_text('[dashboard]\npanels = ["csat", "nope"]\n')
    assert main(["open", "--db", str(tmp_path / "x.duckdb"), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown panel 'nope'" in err


async def test_panels_in_config_order_with_part_values(db):
    con, path = db
    config = Config(tui=TuiConfig(dashboard=DashboardConfig(("longest_wait", "waiting_now", "inbound_volume"))))
    app = make_app(con, path, config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert [p.info.id for p in app.screen.query(KpiPanel)] == ["longest_wait", "waiting_now",
                                                                    "inbound_volume"]
        # waiting at 12:00: A2 (since 10:00) and A3 (since 11:30) -> 2, the longest 2h
        assert panel_text(app, "waiting_now")[0] == "2"
        # the previous window's waits: none at its end (P1 was answered) -> no value to compare
        assert panel_text(app, "longest_wait") == ("2h 00m", "previous window: no value")
        assert panel_text(app, "waiting_now") == ("2", "▲ +2 worse")
        assert panel_text(app, "inbound_volume") == ("5", "▲ +4")  # previous 7d holds P1
        await pilot.press("enter")  # a part panel explains its KPI
        await settle(pilot)
        assert app.screen.info.id == "reply_wait"


async def test_no_change_against_a_previous_window_before_the_first_event(db):
    con, path = db
    app = make_app(con, path, window="30d")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # 30d: customer messages A1-A5 and P1 = 6; the previous 30d ends before P1
        assert panel_text(app, "inbound_volume") == ("6", "previous window: no data")
        assert panel_text(app, "first_response_time")[1] == "previous window: no data"
        await pilot.press("w")  # all data: no previous window at all
        await settle(pilot)
        assert panel_text(app, "inbound_volume") == ("6", "no previous window")
        await pilot.press("w")  # 24h: the previous 24h (03-06 12:00 → 03-07 12:00) holds A1
        await settle(pilot)
        # this 24h: A5 (03-07 15:00), A2, A3 = 3; previous: A1 (03-07 09:00) = 1
        assert panel_text(app, "inbound_volume") == ("3", "▲ +2")


@pytest.mark.parametrize("width", [20, 22, 28])
def test_sidebar_labels_keep_counts_whole(width):
    sidebar = ChannelSidebar()
    sidebar.name_limit = max(6, width - 3)
    names = ["Support Inbox Europe West", "x", "A very long channel name indeed", "🙂" * 30]
    for name in names:
        for waiting in (0, 3, 390, 12_345, 1_234_567):
            for guide in (2, 4):
                label = _label(name, waiting, sidebar.name_limit - guide)
                text = label.plain
                if waiting:
                    assert text.endswith(f" {waiting:,}"), (name, waiting, text)
                count = len(f" {waiting:,}") if waiting else 0
                assert label.cell_len <= max(sidebar.name_limit - guide, 3 + count), text


async def test_sidebar_hidden_under_100_columns_and_s_shows_it(db):
    con, path = db
    app = make_app(con, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(ChannelSidebar)
        assert not sidebar.display
        header = app.screen.query_one("StatusHeader").render().plain
        assert header.startswith("all channels │ ")
        await pilot.press("s")
        await pilot.pause()
        assert sidebar.display
        sidebar.show([ChannelEntry("Support Inbox Europe", 390, [("Support Inbox Europe West", 12_345)])])
        await pilot.pause()
        lines = [str(sidebar.get_node_at_line(i).label) for i in range(sidebar.last_line + 1)]
        assert lines[0].endswith(" 390") and lines[1].endswith(" 390") and lines[2].endswith(" 12,345")
        assert "…" in lines[2]
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert sidebar.display  # the choice made with `s` stays
        await pilot.press("s")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not sidebar.display
    wide = make_app(con, path)
    async with wide.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert wide.screen.query_one(ChannelSidebar).display
