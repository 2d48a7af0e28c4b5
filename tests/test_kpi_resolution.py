"""Resolution KPIs: resolutions, resolution_rate, resolution_time, fcr, aht, bot_containment."""

from __future__ import annotations

from datetime import timedelta

from kpi_helpers import add, assign, explain_rows, kpi, msg, status

from socialcare_tui.config import KpiConfig


def _resolve_reopen_resolve(con):
    # c1: opened 10:00, resolved 10:30 (alice), reopened 11:00, resolved 12:00 (bob)
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:20", "out", "alice")
    status(con, "c1", "10:30", "resolved")
    msg(con, "c1", "11:00", "in", "u1")
    assign(con, "c1", "11:10", "bob")
    msg(con, "c1", "11:30", "out", "bob")
    status(con, "c1", "12:00", "resolved")
    # c2: opened 10:00, resolved 11:00, still resolved
    msg(con, "c2", "10:00", "in", "u2")
    msg(con, "c2", "10:40", "out", "alice")
    status(con, "c2", "11:00", "closed")
    # c3: opened 10:00, never resolved
    msg(con, "c3", "10:00", "in", "u3")


def test_resolutions_resolve_reopen_resolve(con):
    _resolve_reopen_resolve(con)
    r = kpi(con, "resolutions")
    # resolution events: c1 10:30, c1 12:00, c2 11:00 -> 3; 2 conversations; c1's first was reopened
    assert (r["value"], r["conversations"], r["reopens"]) == (3, 2, 1)
    assert len(explain_rows(con, "resolutions")) == 3
    assert [x["conv_key"] for x in explain_rows(con, "resolutions", "reopened")] == ["events:c1"]
    r = kpi(con, "resolutions", start="11:30", end="13:00")   # only c1's 12:00
    assert (r["value"], r["conversations"], r["reopens"]) == (1, 1, 0)


def test_resolutions_by_agent_add_up(con):
    _resolve_reopen_resolve(con)
    result = kpi(con, "resolutions", by="agent")
    groups = {g["key"]["agent"]: g["kpis"]["resolutions"]["value"] for g in result["groups"]}
    # 10:30 alice (latest human reply, no assign yet), 11:00 alice (c2), 12:00 bob (assigned)
    assert groups == {"alice": 2, "bob": 1}
    assert sum(groups.values()) == result["kpis"]["resolutions"]["value"]


def test_resolution_rate(con):
    _resolve_reopen_resolve(con)
    r = kpi(con, "resolution_rate")
    # opened: c1, c2, c3; resolved now: c1, c2 -> 2/3
    assert (r["numerator"], r["denominator"], r["value"]) == (2, 3, 2 / 3)
    r = kpi(con, "resolution_rate", as_of="11:15")
    # at 11:15 c1 was reopened (open), c2 resolved, c3 open -> 1/3
    assert (r["numerator"], r["denominator"]) == (1, 3)


def test_resolution_time_first_and_full(con):
    _resolve_reopen_resolve(con)
    r = kpi(con, "resolution_time")
    # first resolutions: c1 30 min (1800), c2 1h (3600): median 2700, mean 2700, p90 = 1800 + 0.9*1800 = 3420
    assert (r["value"], r["mean"], r["p90"], r["n"]) == (2700.0, 2700.0, 3420.0, 2)
    # full: c1 last resolution 12:00 -> 7200, c2 3600 -> median 5400
    assert r["full_median"] == 5400.0


def test_fcr(con):
    # c1: one human reply, resolved, no reopen -> first contact resolution
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:10", "out", "alice")
    status(con, "c1", "10:20", "resolved")
    # c2: two human replies -> not FCR
    msg(con, "c2", "10:00", "in", "u2")
    msg(con, "c2", "10:10", "out", "alice")
    msg(con, "c2", "10:15", "out", "alice")
    status(con, "c2", "10:20", "resolved")
    # c3: one reply but the same customer comes back on the same channel 2 days later -> not FCR
    msg(con, "c3", "10:00", "in", "u3")
    msg(con, "c3", "10:10", "out", "alice")
    status(con, "c3", "10:20", "resolved")
    add(con, "c9", "2024-01-03 10:00", "message", direction="in", author="u3", queue="other")
    # c4: u4 comes back on another channel: still FCR
    msg(con, "c4", "10:00", "in", "u4")
    msg(con, "c4", "10:10", "out", "alice")
    status(con, "c4", "10:20", "resolved")
    add(con, "c8", "2024-01-03 10:00", "message", direction="in", author="u4", channel="email")
    # c5: resolve, reopen, resolve -> reopens 1 -> not FCR (first resolution in window, resolved now)
    msg(con, "c5", "10:00", "in", "u5")
    msg(con, "c5", "10:10", "out", "alice")
    status(con, "c5", "10:20", "resolved")
    msg(con, "c5", "10:30", "in", "u5")
    status(con, "c5", "10:40", "resolved")
    r = kpi(con, "fcr", start="2024-01-01 00:00", end="2024-01-02 00:00")
    # denominator c1..c5 = 5; numerator c1, c4 = 2
    assert (r["numerator"], r["denominator"], r["value"]) == (2, 5, 0.4)
    assert {x["conv_key"] for x in explain_rows(con, "fcr", "numerator",
                                                 start="2024-01-01 00:00", end="2024-01-02 00:00")} == \
        {"events:c1", "events:c4"}
    # a repeat window of 1 day: u3's return after 2 days no longer counts -> 3/5
    r = kpi(con, "fcr", config=KpiConfig(fcr_repeat_window=86400.0),
            start="2024-01-01 00:00", end="2024-01-02 00:00")
    assert r["numerator"] == 3
    # checked only up to as_of: before u3 came back, c3 is FCR -> 3/5
    r = kpi(con, "fcr", as_of="2024-01-02 00:00", start="2024-01-01 00:00", end="2024-01-02 00:00")
    assert r["numerator"] == 3


def test_fcr_tickets_use_reply_count(con):
    for i, count in enumerate([1, 3]):
        add(con, f"t{i}", "10:00", "message", direction="in", author=f"u{i}", origin="ticket",
            namespace="tickets", reply_count=count)
        add(con, f"t{i}", "10:30", "message", direction="out", author="alice", origin="ticket",
            namespace="tickets")
        add(con, f"t{i}", "11:00", "status", value="resolved", origin="ticket", namespace="tickets")
    r = kpi(con, "fcr")
    # t0 reports 1 reply (FCR), t1 reports 3 -> 1/2
    assert (r["numerator"], r["denominator"], r["value"]) == (1, 2, 0.5)


def test_fcr_tickets_without_reply_counts_is_null(con):
    add(con, "t1", "10:00", "message", direction="in", author="u1", origin="ticket", namespace="tickets")
    add(con, "t1", "10:30", "message", direction="out", author="alice", origin="ticket", namespace="tickets")
    add(con, "t1", "11:00", "status", value="resolved", origin="ticket", namespace="tickets")
    r = kpi(con, "fcr")
    assert r["value"] is None and r["reason"] == "the export has no reply counts"


def test_aht(con):
    add(con, "p1", "10:00", "message", direction="in", author="u1", channel="phone",
        talk_seconds=300.0, hold_seconds=60.0, wrap_seconds=40.0)          # 400
    add(con, "p2", "11:00", "message", direction="in", author="u2", channel="phone",
        talk_seconds=200.0)                                                 # 200 (missing parts = 0)
    add(con, "p3", "12:00", "message", direction="in", author="u3", channel="phone",
        handle_seconds=900.0)                                               # 900 given whole
    msg(con, "c4", "12:00", "in", "u4")                                     # records none: left out
    r = kpi(con, "aht")
    # mean of 400, 200, 900 = 500; talk mean (300+200+0)/3, hold 20, wrap 40/3
    assert r["value"] == 500.0 and r["n"] == 3
    assert r["talk"] == 500 / 3 and r["hold"] == 20.0 and r["wrap"] == 40 / 3


def test_aht_null_without_handle_time(con):
    msg(con, "c1", "10:00", "in", "u1")
    r = kpi(con, "aht")
    assert r["value"] is None and r["reason"]


def test_bot_containment(con):
    # c1: bot only, resolved by status -> contained
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:01", "out", "bot", automated=True)
    status(con, "c1", "10:05", "resolved")
    # c2: bot then human, resolved -> not contained
    msg(con, "c2", "10:00", "in", "u2")
    msg(con, "c2", "10:01", "out", "bot", automated=True)
    msg(con, "c2", "10:03", "out", "alice")
    status(con, "c2", "10:05", "resolved")
    # c3: not resolved -> not in the denominator
    msg(con, "c3", "10:00", "in", "u3")
    msg(con, "c3", "10:01", "out", "bot", automated=True)
    r = kpi(con, "bot_containment")
    assert (r["numerator"], r["denominator"], r["value"]) == (1, 2, 0.5)


def test_bot_containment_null_without_automated_messages(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:01", "out", "alice")
    status(con, "c1", "10:05", "resolved")
    r = kpi(con, "bot_containment")
    assert r["value"] is None and r["reason"] == "the data has no automated messages"


def test_silence_derived_resolution_kpis(con):
    # no status events: resolved at 1h, reopened at 72h, resolved at 74h
    msg(con, "c1", "2024-01-01 00:00", "in", "u1")
    msg(con, "c1", "2024-01-01 01:00", "out", "alice")
    msg(con, "c1", "2024-01-04 00:00", "in", "u1")
    msg(con, "c1", "2024-01-04 02:00", "out", "alice")
    r = kpi(con, "resolutions", as_of="2024-01-10 00:00")
    assert (r["value"], r["reopens"]) == (2, 1)
    r = kpi(con, "resolution_time", as_of="2024-01-10 00:00", window=timedelta(days=30))
    # first: 1h = 3600; full: 74h = 266400
    assert (r["value"], r["full_median"]) == (3600.0, 266400.0)
