"""Responsiveness KPIs: first_response_time, reply_time, reply_rate, reply_wait, frt_distribution."""

from __future__ import annotations

from datetime import timedelta

from kpi_helpers import add, explain_rows, kpi, msg, status


def test_frt_several_customer_messages_bot_then_human(con):
    # c1: in 10:00, in 10:05, bot 10:06, human 10:30 -> FRT = 30 min = 1800 s (from the FIRST message)
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "in", "u1")
    msg(con, "c1", "10:06", "out", "bot", automated=True)
    msg(con, "c1", "10:30", "out", "alice")
    # c2: in 11:00, an automated note 11:01, human 12:00 -> 3600 s
    msg(con, "c2", "11:00", "in", "u2")
    add(con, "c2", "11:01", "message", direction="out", author="sys", automated=True, text="note")
    msg(con, "c2", "12:00", "out", "bob")
    # c3: in 12:00, human 15:00 -> 10800 s
    msg(con, "c3", "12:00", "in", "u3")
    msg(con, "c3", "15:00", "out", "alice")
    # c4: brand-initiated: no FRT
    msg(con, "c4", "09:00", "out", "alice")
    msg(con, "c4", "09:30", "in", "u4")
    msg(con, "c4", "09:40", "out", "alice")
    # c5: customer waiting, no human reply -> unanswered
    msg(con, "c5", "15:30", "in", "u5")
    r = kpi(con, "first_response_time")
    # sample 1800, 3600, 10800: median 3600, mean 5400, p90 = 3600 + 0.8*(10800-3600) = 9360
    assert r["value"] == 3600.0 and r["median"] == 3600.0
    assert r["mean"] == 5400.0
    assert r["p90"] == 9360.0
    assert (r["n"], r["unanswered"]) == (3, 1)
    assert r["unit"] == "seconds"
    assert len(explain_rows(con, "first_response_time", "sample")) == 3
    assert [row["conv_key"] for row in explain_rows(con, "first_response_time", "unanswered")] == ["events:c5"]


def test_frt_reply_after_window_end_is_unanswered_in_window(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "13:00", "out", "alice")   # after the window's end (12:00)
    r = kpi(con, "first_response_time", start="09:00", end="12:00")
    # the first reply is not in [09:00, 12:00): no sample; it has a reply by as_of (13:00), so not unanswered
    assert r["value"] is None and r["reason"] == "no first responses in the window"
    assert (r["n"], r["unanswered"]) == (0, 0)
    r = kpi(con, "first_response_time", as_of="12:30", start="09:00", end="12:00")
    # as_of 12:30: no reply yet -> unanswered 1
    assert r["unanswered"] == 1


def test_frt_by_agent_belongs_to_first_replier(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:10", "out", "alice")   # 600 s, alice
    msg(con, "c1", "10:20", "out", "bob")
    msg(con, "c2", "10:00", "in", "u2")
    msg(con, "c2", "10:20", "out", "bob")     # 1200 s, bob
    msg(con, "c3", "10:00", "in", "u3")
    msg(con, "c3", "10:30", "out", None)      # 1800 s, reply with no author
    result = kpi(con, "first_response_time", by="agent")
    groups = {g["key"]["agent"]: g["kpis"]["first_response_time"] for g in result["groups"]}
    assert groups["alice"]["value"] == 600.0
    assert groups["bob"]["value"] == 1200.0
    assert groups["(none)"]["value"] == 1800.0
    assert sum(g["n"] for g in groups.values()) == result["kpis"]["first_response_time"]["n"] == 3


def test_reply_time_every_turn(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:10", "out", "alice")   # turn 1: 600 s
    msg(con, "c1", "11:00", "in", "u1")
    msg(con, "c1", "11:02", "in", "u1")
    msg(con, "c1", "11:30", "out", "bob")     # turn 2: from 11:00, 1800 s
    msg(con, "c1", "12:00", "in", "u1")       # turn 3: waiting
    r = kpi(con, "reply_time")
    # 600, 1800: median 1200, mean 1200, p90 = 600 + 0.9*1200 = 1680
    assert (r["value"], r["mean"], r["p90"], r["n"]) == (1200.0, 1200.0, 1680.0, 2)
    r = kpi(con, "reply_time", start="11:00", end="12:00")  # only the 11:30 reply is in the window
    assert (r["value"], r["n"]) == (1800.0, 1)


def test_reply_rate(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:10", "out", "alice")   # turn answered
    msg(con, "c1", "11:00", "in", "u1")       # turn waiting
    msg(con, "c2", "10:30", "in", "u2")
    msg(con, "c2", "10:31", "out", "bot", automated=True)   # a bot reply does not answer
    msg(con, "c3", "08:00", "in", "u3")       # before the window
    msg(con, "c3", "10:00", "out", "bob")
    r = kpi(con, "reply_rate", start="09:00", end="12:00")
    # turns starting in the window: c1#1 (answered), c1#2, c2#1 -> 1/3
    assert (r["numerator"], r["denominator"]) == (1, 3)
    assert r["value"] == 1 / 3
    assert len(explain_rows(con, "reply_rate", "numerator", start="09:00", end="12:00")) == 1
    assert len(explain_rows(con, "reply_rate", "denominator", start="09:00", end="12:00")) == 3


def test_reply_rate_window_with_no_data(con):
    msg(con, "c1", "10:00", "in", "u1")
    r = kpi(con, "reply_rate", start="2023-01-01 00:00", end="2023-01-02 00:00")
    assert r["value"] is None and r["denominator"] == 0   # null with a reason, never 0
    assert r["reason"]


def test_reply_wait_is_the_queue_now(con):
    msg(con, "c1", "10:00", "in", "u1")       # waiting 2h at 12:00
    msg(con, "c2", "11:00", "in", "u2")
    msg(con, "c2", "11:05", "out", "alice")
    msg(con, "c2", "11:30", "in", "u2")       # waiting 30 min
    msg(con, "c3", "08:00", "in", "u3")       # waiting, but resolved by status: not counted
    status(con, "c3", "08:05", "resolved")
    msg(con, "c4", "11:59", "out", "bob")     # brand message only: nobody waits
    r = kpi(con, "reply_wait", as_of="12:00", window=timedelta(minutes=10))
    # not windowed: waits 7200 and 1800 -> median 4500, max 7200, n 2
    assert (r["value"], r["max"], r["n"]) == (4500.0, 7200.0, 2)


def test_reply_wait_nobody_waiting(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "out", "alice")
    r = kpi(con, "reply_wait")
    assert r["value"] is None and r["n"] == 0 and r["reason"]


def test_frt_distribution_edges(con):
    # FRTs: 3599 s (<1h), 3600 s (1-4h, lower edge), 14400 s (4-8h), 86399 s (8-24h), 86400 s (>24h)
    for i, (reply_day, reply_time) in enumerate(
        [("2024-01-01", "00:59:59"), ("2024-01-01", "01:00"), ("2024-01-01", "04:00"),
         ("2024-01-01", "23:59:59"), ("2024-01-02", "00:00")]
    ):
        msg(con, f"c{i}", "2024-01-01 00:00", "in", f"u{i}")
        msg(con, f"c{i}", f"{reply_day} {reply_time}", "out", "alice")
    r = kpi(con, "frt_distribution")
    assert r["buckets"] == {"<1h": 1, "1-4h": 1, "4-8h": 1, "8-24h": 1, ">24h": 1}
    assert r["value"] == 1 / 5   # share under one hour
    assert r["n"] == 5
    assert len(explain_rows(con, "frt_distribution", "from_1h_to_4h")) == 1


def test_identical_timestamps_give_zero_not_negative(con):
    msg(con, "c1", "10:00", "out", "alice")   # written first in the file, same instant
    msg(con, "c1", "10:00", "in", "u1")
    r = kpi(con, "first_response_time")
    assert (r["value"], r["n"]) == (0.0, 1)
