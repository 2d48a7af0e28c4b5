"""Volume KPIs through engine.report / engine.explain.

Times are naive UTC; DAY (2024-01-01) is a Monday.
"""

from __future__ import annotations

from datetime import timedelta

import kpi_helpers
from kpi_helpers import T, add, msg

from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi.scope import Scope


def kpi(con, kpi_id, config=None, **scope):
    return kpi_helpers.report(con, Scope(**scope), config or KpiConfig(), kpis=[kpi_id])["kpis"][kpi_id]


def rows(con, kpi_id, part=None, config=None, **scope):
    return kpi_helpers.explain(con, Scope(**scope), config or KpiConfig(), kpi_id, part)["rows"]


def _spread(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:20", "in", "u1")
    msg(con, "c1", "10:30", "out", "alice")
    msg(con, "c2", "23:30", "in", "u2")
    msg(con, "c3", "2024-01-02 09:00", "in", "u3", channel="facebook")


def test_inbound_volume_by_hour_and_weekday_utc(con):
    _spread(con)
    result = kpi(con, "inbound_volume", as_of=T("2024-01-02 12:00"))
    assert result["value"] == 4  # four customer messages; the reply does not count
    hours = [0] * 24
    hours[10], hours[23], hours[9] = 2, 1, 1  # 10:00 and 10:20; 23:30; Tue 09:00
    assert result["by_hour"] == hours
    assert result["by_weekday"] == [3, 1, 0, 0, 0, 0, 0]  # Monday x3, Tuesday x1
    assert len(rows(con, "inbound_volume", as_of=T("2024-01-02 12:00"))) == 4


def test_inbound_volume_in_display_timezone(con):
    _spread(con)
    tokyo = KpiConfig(timezone="Asia/Tokyo")  # UTC+9, no DST
    result = kpi(con, "inbound_volume", tokyo, as_of=T("2024-01-02 12:00"))
    hours = [0] * 24
    # Mon 10:00/10:20 -> Mon 19:00/19:20; Mon 23:30 -> Tue 08:30; Tue 09:00 -> Tue 18:00
    hours[19], hours[8], hours[18] = 2, 1, 1
    assert result["by_hour"] == hours
    assert result["by_weekday"] == [2, 2, 0, 0, 0, 0, 0]
    peak = kpi(con, "peak_hour", tokyo, as_of=T("2024-01-02 12:00"))
    assert (peak["value"], peak["count"]) == (19, 2)
    assert peak["peak_weekday"] == 0  # Monday 2 = Tuesday 2: the tie goes to Monday


def test_inbound_volume_window_counts_only_the_window(con):
    _spread(con)
    # window 12h before Tue 12:00: (Tue 00:00, Tue 12:00] holds only Tue 09:00
    result = kpi(con, "inbound_volume", as_of=T("2024-01-02 12:00"), window=timedelta(hours=12))
    assert result["value"] == 1
    assert result["by_weekday"] == [0, 1, 0, 0, 0, 0, 0]


def test_peak_hour_utc_and_ties_go_to_the_earliest_hour(con):
    _spread(con)
    peak = kpi(con, "peak_hour", as_of=T("2024-01-02 12:00"))
    assert (peak["value"], peak["count"], peak["peak_weekday"]) == (10, 2, 0)  # two at 10h, Monday 3


def test_peak_hour_tie(con):
    msg(con, "c1", "15:00", "in", "u1")
    msg(con, "c2", "03:00", "in", "u2")
    peak = kpi(con, "peak_hour", as_of=T("16:00"))
    assert (peak["value"], peak["count"]) == (3, 1)  # 03h and 15h have one each: earliest wins


def test_no_customer_messages_in_window(con):
    msg(con, "c1", "03:00", "in", "u1")
    msg(con, "c1", "11:30", "out", "alice")
    scope = {"as_of": T("12:00"), "start": T("11:00")}
    peak = kpi(con, "peak_hour", **scope)
    assert peak["value"] is None and peak["reason"] == "no customer messages in the window"
    volume = kpi(con, "inbound_volume", **scope)
    assert volume["value"] == 0 and volume["by_hour"] == [0] * 24  # a count is 0, never null


def test_new_conversations_and_brand_initiated(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "out", "alice")
    msg(con, "c2", "10:10", "out", "alice")  # the brand writes first
    msg(con, "c2", "10:20", "in", "u2")
    msg(con, "c3", "08:00", "in", "u3")  # opened before the window
    msg(con, "c3", "10:30", "out", "bob")
    scope = {"as_of": T("12:00"), "start": T("09:00")}
    result = kpi(con, "new_conversations", **scope)
    assert (result["value"], result["brand_initiated"]) == (2, 1)  # c1, c2; c2 brand-initiated
    assert [r["conv_key"] for r in rows(con, "new_conversations", **scope)] == ["events:c1", "events:c2"]
    assert [r["conv_key"] for r in rows(con, "new_conversations", "brand_initiated", **scope)] == [
        "events:c2"]


def test_unique_customers(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c2", "10:30", "in", "u1")  # same customer, second conversation
    msg(con, "c3", "11:00", "in", "u2")
    msg(con, "c3", "11:10", "in", "u2")
    msg(con, "c4", "09:00", "in", "u3")  # before the window
    scope = {"as_of": T("12:00"), "start": T("09:30")}
    assert kpi(con, "unique_customers", **scope)["value"] == 2  # u1, u2
    listed = rows(con, "unique_customers", **scope)
    assert sorted(r["customer"] for r in listed) == ["u1", "u2"]
    assert [r["conv_key"] for r in listed if r["customer"] == "u1"] == ["events:c1"]  # first message


def test_unique_customers_null_without_authors(con):
    msg(con, "c1", "10:00", "in")
    msg(con, "c1", "10:05", "out", "alice")
    result = kpi(con, "unique_customers", as_of=T("12:00"))
    assert result["value"] is None
    assert result["reason"] == "the data has no customer authors"


def test_replies_and_automated(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:01", "out", None, automated=True)  # auto-acknowledgement
    msg(con, "c1", "10:05", "out", "alice")
    msg(con, "c1", "10:10", "in", "u1")
    msg(con, "c1", "10:15", "out", "bob")
    msg(con, "c2", "10:20", "out", "alice")  # brand-initiated, still a human reply
    add(con, "c1", "10:16", "status", value="resolved")  # not a message
    scope = {"as_of": T("12:00")}
    result = kpi(con, "replies", **scope)
    assert (result["value"], result["automated"]) == (3, 1)  # alice x2 + bob; one bot message
    assert len(rows(con, "replies", "sample", **scope)) == 3
    assert len(rows(con, "replies", "automated", **scope)) == 1
    groups = kpi_helpers.report(con, Scope(**scope), KpiConfig(), kpis=["replies"], by="agent")["groups"]
    by_agent = {g["key"]["agent"]: g["kpis"]["replies"]["value"] for g in groups}
    assert by_agent == {"alice": 2, "bob": 1, "(none)": 0}  # the bot message has no author


def test_volume_counts_add_up_over_channels(con):
    _spread(con)
    report = kpi_helpers.report(con, Scope(as_of=T("2024-01-02 12:00")), KpiConfig(),
                           kpis=["inbound_volume", "new_conversations", "unique_customers"], by="channel")
    groups = {g["key"]["channel"]: g["kpis"] for g in report["groups"]}
    assert groups["twitter"]["inbound_volume"]["value"] == 3  # c1 x2, c2
    assert groups["facebook"]["inbound_volume"]["value"] == 1  # c3
    for kpi_id in ("inbound_volume", "new_conversations", "unique_customers"):
        total = report["kpis"][kpi_id]["value"]
        assert sum(g[kpi_id]["value"] for g in groups.values()) == total
