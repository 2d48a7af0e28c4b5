"""Service-level KPIs: sla_first_response, sla_next_reply, sla_resolution."""

from __future__ import annotations

from kpi_helpers import add, explain_rows, kpi, msg, status

from socialcare_tui.config import KpiConfig


def test_sla_first_response_met_breached_running(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "11:00", "out", "alice")   # exactly at the 1h target: met
    msg(con, "c2", "10:00", "in", "u2")
    msg(con, "c2", "11:00:01", "out", "bob")  # one second late: breached
    msg(con, "c3", "10:00", "in", "u3")       # no reply, due 11:00, as_of 12:00: breached
    msg(con, "c4", "11:30", "in", "u4")       # no reply, due 12:30: running
    msg(con, "c5", "09:00", "out", "alice")   # brand-initiated: left out
    msg(con, "c5", "09:10", "in", "u5")
    r = kpi(con, "sla_first_response", as_of="12:00")
    assert (r["met"], r["breached"], r["running"]) == (1, 2, 1)
    assert r["value"] == 1 / 3                 # met / (met + breached)
    assert r["target_seconds"] == 3600.0
    assert len(explain_rows(con, "sla_first_response", "breached", as_of="12:00")) == 2
    assert [x["conv_key"] for x in explain_rows(con, "sla_first_response", "running", as_of="12:00")] \
        == ["events:c4"]


def test_sla_first_response_overrides(con):
    add(con, "c1", "10:00", "message", direction="in", author="u1", channel="email", queue="vip")
    add(con, "c1", "10:20", "message", direction="out", author="alice", channel="email", queue="vip")
    add(con, "c2", "10:00", "message", direction="in", author="u2", channel="email", queue="general")
    add(con, "c2", "10:20", "message", direction="out", author="alice", channel="email", queue="general")
    config = KpiConfig(sla_overrides=[("queue", "vip", "first_response", 600.0)])
    r = kpi(con, "sla_first_response", config=config)
    # vip target 10 min: 20 min is breached; general default 1h: met
    assert (r["met"], r["breached"]) == (1, 1)
    assert r["target_seconds"] is None         # mixed targets: see the rows
    assert {x["target"] for x in explain_rows(con, "sla_first_response", config=config)} == {600.0, 3600.0}


def test_sla_next_reply_skips_first_response_turn(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "out", "alice")   # first response: not counted here
    msg(con, "c1", "11:00", "in", "u1")
    msg(con, "c1", "15:00", "out", "alice")   # 4h: met (at the target)
    msg(con, "c1", "16:00", "in", "u1")
    msg(con, "c1", "20:01", "out", "alice")   # 4h01: breached
    msg(con, "c1", "21:00", "in", "u1")       # running at 22:00
    msg(con, "c2", "09:00", "out", "bob")     # brand-initiated: every turn counts
    msg(con, "c2", "09:30", "in", "u2")
    msg(con, "c2", "09:40", "out", "bob")     # met
    r = kpi(con, "sla_next_reply", as_of="22:00")
    assert (r["met"], r["breached"], r["running"]) == (2, 1, 1)
    assert r["value"] == 2 / 3
    assert r["target_seconds"] == 14400.0


def test_sla_resolution(con):
    msg(con, "c1", "2024-01-01 10:00", "in", "u1")
    status(con, "c1", "2024-01-01 20:00", "resolved")      # 10h: met
    msg(con, "c2", "2024-01-01 10:00", "in", "u2")
    status(con, "c2", "2024-01-03 10:00", "resolved")      # 48h: breached
    msg(con, "c3", "2024-01-03 09:00", "in", "u3")         # open, due 2024-01-04 09:00: running
    r = kpi(con, "sla_resolution", as_of="2024-01-03 12:00")
    assert (r["met"], r["breached"], r["running"]) == (1, 1, 1)
    assert r["value"] == 0.5
    r = kpi(con, "sla_resolution", as_of="2024-01-04 12:00")   # c3 now past due
    assert (r["met"], r["breached"], r["running"]) == (1, 2, 0)


def test_sla_nothing_due_is_null(con):
    msg(con, "c1", "11:30", "in", "u1")
    r = kpi(con, "sla_first_response", as_of="12:00")
    assert r["value"] is None and r["running"] == 1 and r["reason"]
