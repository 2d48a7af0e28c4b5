"""Work mix KPIs through engine.report / engine.explain."""

from __future__ import annotations

import kpi_helpers
import pytest
from kpi_helpers import T, add, assign, msg, status

from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi.scope import Scope


def kpi(con, kpi_id, config=None, **scope):
    return kpi_helpers.report(con, Scope(**scope), config or KpiConfig(), kpis=[kpi_id])["kpis"][kpi_id]


def rows(con, kpi_id, part=None, config=None, **scope):
    return kpi_helpers.explain(con, Scope(**scope), config or KpiConfig(), kpi_id, part)["rows"]


def keys(listed):
    return sorted(r["conv_key"] for r in listed)


# ---------------------------------------------------------------- backlog


def _backlog_data(con):
    msg(con, "c1", "10:00", "in", "u1")                 # nobody replied or assigned: unassigned
    msg(con, "c2", "10:00", "in", "u2")
    assign(con, "c2", "10:01", "alice")                  # open, assigned
    msg(con, "c3", "10:00", "in", "u3")
    msg(con, "c3", "10:05", "out", "bob")                # last message a human reply: pending
    msg(con, "c4", "10:00", "in", "u4")
    status(con, "c4", "10:30", "resolved")               # resolved at 10:30
    msg(con, "c5", "2023-12-30 10:00", "in", "u5")
    msg(con, "c5", "2023-12-30 10:05", "out", "alice")   # then days of silence: resolved 12-30


def test_backlog_parts(con):
    _backlog_data(con)
    scope = {"as_of": T("12:00"), "start": T("10:15")}
    result = kpi(con, "backlog", **scope)
    assert result["value"] == 3  # c1, c2, c3 are not resolved
    assert (result["unassigned"], result["open"], result["pending"]) == (1, 1, 1)  # c1 / c2 / c3
    assert result["resolved"] == 1  # c4 (10:30 is in the window); c5 resolved before it
    assert keys(rows(con, "backlog", "sample", **scope)) == ["events:c1", "events:c2", "events:c3"]
    assert keys(rows(con, "backlog", "unassigned", **scope)) == ["events:c1"]
    assert keys(rows(con, "backlog", "resolved", **scope)) == ["events:c4"]


def test_backlog_is_not_windowed(con):
    _backlog_data(con)
    result = kpi(con, "backlog", as_of=T("12:00"), start=T("11:00"))
    assert result["value"] == 3  # the same queue as it stands at 12:00
    assert result["resolved"] == 0  # c4's resolution (10:30) is before this window


def test_backlog_resolved_then_reopened(con):
    msg(con, "c1", "10:00", "in", "u1")
    status(con, "c1", "10:10", "resolved")
    msg(con, "c1", "10:20", "in", "u1")  # reopens
    result = kpi(con, "backlog", as_of=T("12:00"))
    assert (result["value"], result["unassigned"], result["resolved"]) == (1, 1, 0)


# ---------------------------------------------------------------- topics


RULES = KpiConfig(topic_rules={"billing/refund": "refund", "login": "password|log ?in"})


def _topic_data(con):
    msg(con, "c1", "10:00", "in", "u1", text="I want a refund")
    add(con, "c1", "10:01", "tag", value="billing/refund")
    msg(con, "c2", "10:00", "in", "u2", text="refund please")
    add(con, "c2", "10:02", "tag", value="billing/refund")
    add(con, "c2", "10:03", "tag", value="billing/invoice")   # latest tag wins
    msg(con, "c3", "10:00", "in", "u3", text="my password does not work")  # rule login
    msg(con, "c4", "10:00", "in", "u4", text="REFUND NOW")    # rule billing/refund (any case)
    msg(con, "c5", "10:00", "in", "u5", text="hello")         # no tag, no rule
    msg(con, "c6", "10:00", "out", "alice", text="our refund policy")  # brand text: no rule
    msg(con, "c7", "08:00", "in", "u7", text="refund")        # opened before the window


def test_topics_from_tags_and_rules(con):
    _topic_data(con)
    scope = {"as_of": T("12:00"), "start": T("09:00")}
    result = kpi(con, "topics", RULES, **scope)
    assert result["value"] == 4  # c1, c2 (tags), c3, c4 (rules)
    assert result["top"] == [  # by count, then name
        {"topic": "billing", "subtopic": "refund", "conversations": 2},   # c1 tag, c4 rule
        {"topic": "billing", "subtopic": "invoice", "conversations": 1},  # c2 latest tag
        {"topic": "login", "subtopic": None, "conversations": 1},         # c3 rule
    ]
    listed = rows(con, "topics", config=RULES, **scope)
    assert keys(listed) == ["events:c1", "events:c2", "events:c3", "events:c4"]
    assert {r["conv_key"]: r["source"] for r in listed}["events:c4"] == "rule"


def test_topics_tags_only(con):
    _topic_data(con)
    result = kpi(con, "topics", as_of=T("12:00"), start=T("09:00"))
    assert result["value"] == 2  # without rules only the tagged c1, c2
    assert [t["conversations"] for t in result["top"]] == [1, 1]


def test_topics_top_is_at_most_ten(con):
    for i in range(12):
        msg(con, f"c{i}", "10:00", "in", f"u{i}")
        add(con, f"c{i}", "10:01", "tag", value=f"t{i:02d}")
    result = kpi(con, "topics", as_of=T("12:00"))
    assert result["value"] == 12
    assert [t["topic"] for t in result["top"]] == [f"t{i:02d}" for i in range(10)]  # ties by name


def test_topics_null_without_tags_and_rules(con):
    msg(con, "c1", "10:00", "in", "u1", text="refund")
    result = kpi(con, "topics", as_of=T("12:00"))
    assert result["value"] is None
    assert result["reason"] == "no tags in the data and no topic_rules in config"


# ---------------------------------------------------------------- quick replies


def test_quick_replies_from_column_and_normalised_text(con):
    msg(con, "c1", "10:00", "in", "u1")
    # normalised: lower case, @handle, URL, digits and the sign-off removed -> "thanks for reaching out!"
    msg(con, "c1", "10:01", "out", "alice", text="Thanks @ann for 2 reaching out! https://t.co/abc ^AB")
    msg(con, "c1", "10:02", "out", "bob", text="thanks @bob for 15 reaching out! -Becky")
    msg(con, "c1", "10:03", "out", "alice", text="Thanks for   reaching out!")
    msg(con, "c1", "10:04", "out", "alice", text="Please DM us your order number")
    msg(con, "c1", "10:05", "out", "alice", text="Hi there", quick_reply="greeting")
    msg(con, "c1", "10:06", "out", "bob", text="see you soon")
    msg(con, "c1", "10:07", "out", "bob", text="See you soon")  # only twice: not a quick reply
    msg(con, "c1", "10:08", "out", None, text="Thanks for reaching out!", automated=True)  # not human
    result = kpi(con, "quick_replies", as_of=T("12:00"))
    assert (result["numerator"], result["denominator"]) == (4, 7)  # 3 thanks + greeting, of 7 human
    assert result["value"] == pytest.approx(4 / 7)
    assert result["top"] == [{"name": "thanks for reaching out!", "uses": 3},
                             {"name": "greeting", "uses": 1}]
    assert len(rows(con, "quick_replies", "numerator", as_of=T("12:00"))) == 4


def test_quick_reply_name_is_first_40_characters(con):
    text = "We are sorry to hear that, please send us a DM with details"
    for i in range(3):
        msg(con, f"c{i}", "10:00", "out", "alice", text=text)
    result = kpi(con, "quick_replies", as_of=T("12:00"))
    # 40 characters of the lower-cased text: "we are sorry to hear that, please send u"
    assert result["top"] == [{"name": "we are sorry to hear that, please send u", "uses": 3}]


def test_quick_replies_null_when_replies_carry_no_text(con):
    # a ticket export: human replies counted, but no text nor quick_reply to tell by
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:01", "out", "alice")
    msg(con, "c2", "10:02", "out", "bob")
    result = kpi(con, "quick_replies", as_of=T("12:00"))
    assert result["value"] is None and "no reply text" in result["reason"]
    # one reply with text makes the share known: over every human reply, as before
    msg(con, "c2", "10:03", "out", "bob", text="On it", quick_reply="ack")
    result = kpi(con, "quick_replies", as_of=T("12:00"))
    assert (result["numerator"], result["denominator"]) == (1, 3)
    assert result["value"] == pytest.approx(1 / 3)


def test_quick_replies_null_without_human_replies(con):
    msg(con, "c1", "10:00", "in", "u1")
    result = kpi(con, "quick_replies", as_of=T("12:00"))
    assert result["value"] is None and result["reason"] == "no human replies in the window"


# ---------------------------------------------------------------- cost


COSTS = KpiConfig(cost_per_conversation={"phone": 12, "twitter": 1, "email": 4})


def _cost_data(con):
    msg(con, "t1", "10:00", "in", "u1", channel="twitter")
    msg(con, "t2", "10:00", "in", "u2", channel="twitter")
    msg(con, "e1", "10:00", "in", "u3", channel="email")
    msg(con, "p1", "10:00", "in", "u4", channel="phone")
    msg(con, "w1", "10:00", "in", "u5", channel="webchat")  # no cost configured
    msg(con, "old", "08:00", "in", "u6", channel="phone")   # opened before the window


def test_cost_by_channel_and_deflection(con):
    _cost_data(con)
    scope = {"as_of": T("12:00"), "start": T("09:00")}
    result = kpi(con, "cost", COSTS, **scope)
    assert result["value"] == 18.0  # 2 x 1 (twitter) + 4 (email) + 12 (phone); webchat unknown
    assert result["by_channel"] == [
        {"channel": "email", "conversations": 1, "cost": 4.0},
        {"channel": "phone", "conversations": 1, "cost": 12.0},
        {"channel": "twitter", "conversations": 2, "cost": 2.0},
        {"channel": "webchat", "conversations": 1, "cost": None},
    ]
    assert result["deflected"] == 3  # twitter x2 + email are cheaper than phone
    assert result["savings"] == 30.0  # 2 x (12 - 1) + (12 - 4)
    assert result["uncosted"] == 1
    assert len(rows(con, "cost", config=COSTS, **scope)) == 5
    assert keys(rows(con, "cost", "deflected", config=COSTS, **scope)) == [
        "events:e1", "events:t1", "events:t2"]


def test_cost_without_phone_has_no_savings(con):
    _cost_data(con)
    result = kpi(con, "cost", KpiConfig(cost_per_conversation={"Twitter": 1}), as_of=T("12:00"))
    assert result["value"] == 2.0  # the two twitter conversations; key case does not matter
    assert (result["deflected"], result["savings"]) == (0, None)


def test_cost_null_without_config(con):
    _cost_data(con)
    result = kpi(con, "cost", as_of=T("12:00"))
    assert result["value"] is None and result["reason"] == "no cost_per_conversation in config"
