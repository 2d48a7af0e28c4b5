"""Customer voice KPIs through engine.report / engine.explain."""

from __future__ import annotations

from datetime import timedelta

import kpi_helpers
import pytest
from kpi_helpers import T, add, msg

from socialcare_tui.config import KpiConfig
from socialcare_tui.errors import UserError
from socialcare_tui.kpi import lexicon
from socialcare_tui.kpi.scope import Scope
from socialcare_tui.store import lexicon as store_lexicon


def kpi(con, kpi_id, config=None, **scope):
    return kpi_helpers.report(con, Scope(**scope), config or KpiConfig(), kpis=[kpi_id])["kpis"][kpi_id]


def rows(con, kpi_id, part=None, config=None, **scope):
    return kpi_helpers.explain(con, Scope(**scope), config or KpiConfig(), kpi_id, part)["rows"]


def survey(con, conv, ts, score, scale=None, kind="csat", **kw):
    extra = {"scale_max": scale} if scale is not None else {}
    add(con, conv, ts, kind, value=str(score), origin="survey", **extra, **kw)


# ---------------------------------------------------------------- CSAT


def test_csat_scales_5_10_100_and_latest_answer(con):
    for conv in ("a", "b", "c", "d", "e"):
        msg(con, conv, "09:00", "in", f"u{conv}")
    survey(con, "a", "10:00", 4, 5)     # 4/5 = 0.8: 5*4 >= 4*5 satisfied
    survey(con, "b", "10:00", 6, 10)    # 0.6: not satisfied, 5*6 <= 3*10 dissatisfied
    survey(con, "c", "10:00", 80, 100)  # 0.8: satisfied
    survey(con, "d", "10:00", 61, 100)  # 0.61: neither
    survey(con, "e", "10:00", 1, 5)     # answered twice: only the later 5/5 counts
    survey(con, "e", "11:00", 5, 5)
    result = kpi(con, "csat", as_of=T("12:00"))
    assert result["n"] == 5  # a, b, c, d, e (latest)
    assert (result["satisfied"], result["dissatisfied"]) == (3, 1)  # a, c, e / b
    assert result["value"] == pytest.approx(3 / 5)
    # (0.8 + 0.6 + 0.8 + 0.61 + 1.0) / 5 = 3.81 / 5
    assert result["mean_normalised"] == pytest.approx(0.762)
    scope = {"as_of": T("12:00")}
    assert len(rows(con, "csat", **scope)) == 5
    assert sorted(r["conv_key"] for r in rows(con, "csat", "satisfied", **scope)) == [
        "events:a", "events:c", "events:e"]
    assert [r["conv_key"] for r in rows(con, "csat", "dissatisfied", **scope)] == ["events:b"]


def test_the_agents_table_credits_csat_as_the_kpi_does(con):
    """c1: resolved by ann, answered 2/5, reopened and resolved by bo; c2: bo's, 5/5;
    c3 answered while open with cy assigned. The KPI credits the agent of the latest
    resolution before the answer, else the assignee: ann 0 of 1, bo 1 of 1, cy 1 of 1."""
    from kpi_helpers import assign, status

    from socialcare_tui.kpi import browse

    msg(con, "c1", "09:00", "in", "u1")
    assign(con, "c1", "09:01", "ann")
    msg(con, "c1", "09:05", "out", "ann")
    status(con, "c1", "09:10", "resolved")
    survey(con, "c1", "09:30", 2)
    msg(con, "c1", "10:00", "in", "u1")
    assign(con, "c1", "10:01", "bo")
    msg(con, "c1", "10:05", "out", "bo")
    status(con, "c1", "10:10", "resolved")
    msg(con, "c2", "09:00", "in", "u2")
    assign(con, "c2", "09:01", "bo")
    msg(con, "c2", "09:05", "out", "bo")
    status(con, "c2", "09:10", "resolved")
    survey(con, "c2", "09:20", 5)
    msg(con, "c3", "09:00", "in", "u3")
    assign(con, "c3", "09:01", "cy")
    survey(con, "c3", "09:20", 4)
    kpi_helpers.store_facts(con)
    scope = Scope(as_of=T("12:00"))
    by_agent = kpi_helpers.report(con, scope, KpiConfig(), kpis=["csat"], by="agent")["groups"]
    kpi_values = {g["key"]["agent"]: (g["kpis"]["csat"]["n"], g["kpis"]["csat"]["value"]) for g in by_agent}
    assert kpi_values == {"ann": (1, 0.0), "bo": (1, 1.0), "cy": (1, 1.0)}
    table = {r["agent"]: (r["csat_n"], r["csat"]) for r in browse.agent_rows(con.cursor(), scope, KpiConfig())}
    assert {agent: values for agent, values in table.items() if values[0]} == kpi_values


def test_csat_default_scale_is_5(con):
    msg(con, "a", "09:00", "in", "u1")
    survey(con, "a", "10:00", 4)  # no scale_max: 4 of 5 -> satisfied
    result = kpi(con, "csat", as_of=T("12:00"))
    assert (result["value"], result["mean_normalised"]) == (1.0, pytest.approx(0.8))


def test_csat_surveys_without_conversation_each_count(con):
    msg(con, "x", "09:00", "in", "u1")
    survey(con, "x", "09:30", 2, 5)
    survey(con, "x", "10:30", 4, 5)     # latest of x: satisfied
    survey(con, None, "10:00", 1, 5)    # no conversation: counts on its own, dissatisfied
    survey(con, None, "10:05", 5, 5)    # no conversation: counts on its own, satisfied
    result = kpi(con, "csat", as_of=T("12:00"))
    assert (result["n"], result["satisfied"], result["dissatisfied"]) == (3, 2, 1)
    assert result["value"] == pytest.approx(2 / 3)
    assert len(rows(con, "csat", as_of=T("12:00"))) == 3


def test_csat_window_and_null_reason(con):
    msg(con, "a", "09:00", "in", "u1")
    survey(con, "a", "09:30", 5, 5)
    # window (10:00, 12:00]: the only answer is before it
    result = kpi(con, "csat", as_of=T("12:00"), window=timedelta(hours=2))
    assert result["value"] is None and result["n"] == 0
    assert result["reason"] == "no CSAT responses in the window"


def test_csat_groups_by_channel_of_answer_without_conversation(con):
    msg(con, "a", "09:00", "in", "u1", channel="email")
    survey(con, "a", "10:00", 5, 5, channel="email")
    survey(con, None, "10:00", 1, 5, channel="sms")
    report = kpi_helpers.report(con, Scope(as_of=T("12:00")), KpiConfig(), kpis=["csat"], by="channel")
    groups = {g["key"]["channel"]: g["kpis"]["csat"] for g in report["groups"]}
    assert (groups["email"]["value"], groups["sms"]["value"]) == (1.0, 0.0)
    assert report["kpis"]["csat"]["value"] == pytest.approx(0.5)  # 1 satisfied of 2


# ---------------------------------------------------------------- NPS


def test_nps(con):
    for i, score in enumerate([10, 9, 8, 7, 6, 0]):
        survey(con, f"n{i}", "10:00", score, kind="nps")
    survey(con, "twice", "10:00", 3, kind="nps")
    survey(con, "twice", "11:00", 9, kind="nps")  # latest: promoter
    result = kpi(con, "nps", as_of=T("12:00"))
    # promoters 10, 9, 9 = 3; passives 8, 7 = 2; detractors 6, 0 = 2; n = 7
    assert (result["promoters"], result["passives"], result["detractors"], result["n"]) == (3, 2, 2, 7)
    assert result["value"] == pytest.approx(100 * (3 - 2) / 7)  # 14.29
    assert len(rows(con, "nps", "detractors", as_of=T("12:00"))) == 2


def test_nps_null_reason(con):
    msg(con, "a", "09:00", "in", "u1")
    result = kpi(con, "nps", as_of=T("12:00"))
    assert result["value"] is None and result["reason"] == "no NPS answers in the window"


# ---------------------------------------------------------------- sentiment


def test_sentiment_column_beats_lexicon(con):
    # VADER lexicon: love 3.2, great 3.1, terrible -2.1, ":)" 2.0; score = s / sqrt(s*s + 15)
    msg(con, "c1", "10:00", "in", "u1", text="I love it", sentiment=-0.5)  # column: negative
    msg(con, "c1", "10:01", "in", "u1", text="GREAT service")    # 3.1/sqrt(24.61) = 0.625 pos
    msg(con, "c1", "10:02", "in", "u1", text="this is terrible!!")  # punctuation stripped: -0.477 neg
    msg(con, "c1", "10:03", "in", "u1", text="where is my parcel")  # no lexicon word: 0 neutral
    msg(con, "c1", "10:04", "in", "u1", text=":)")                 # emoticon kept: 0.459 pos
    msg(con, "c1", "10:05", "in", "u1", text="awful", sentiment=0.04)  # column: neutral
    msg(con, "c1", "10:06", "in", "u1", text="Love it")             # 3.2/sqrt(25.24) = 0.637 pos
    msg(con, "c1", "10:07", "in", "u1", text="great but terrible")  # (3.1-2.1)/sqrt(16) = 0.25 pos
    msg(con, "c1", "10:08", "out", "alice", text="terrible terrible")  # brand text: not counted
    result = kpi(con, "sentiment", as_of=T("12:00"))
    assert (result["positive"], result["neutral"], result["negative"], result["n"]) == (4, 2, 2, 8)
    assert result["value"] == pytest.approx((4 - 2) / 8)
    measures = [r["measure"] for r in rows(con, "sentiment", as_of=T("12:00"))]
    assert measures == pytest.approx([-0.5, 0.62489, -0.47665, 0.0, 0.45883, 0.04, 0.63695, 0.25],
                                     abs=1e-4)
    assert len(rows(con, "sentiment", "negative", as_of=T("12:00"))) == 2


def test_sentiment_leaves_out_messages_without_text_or_score(con):
    msg(con, "c1", "10:00", "in", "u1", text="great")   # 3.1/sqrt(24.61) = 0.625 positive
    msg(con, "c1", "10:01", "in", "u1")                 # no text, no score: left out
    msg(con, "c1", "10:02", "in", "u1", text="   ")     # blank: left out
    msg(con, "c1", "10:03", "in", "u1", sentiment=-0.9)  # score without text: negative
    result = kpi(con, "sentiment", as_of=T("12:00"))
    assert (result["positive"], result["negative"], result["n"]) == (1, 1, 2)
    assert result["value"] == 0.0  # (1 - 1) / 2


def test_sentiment_null_reason(con):
    msg(con, "c1", "10:00", "in", "u1")  # a customer message with no text (a ticket's opening)
    msg(con, "c1", "10:05", "out", "alice", text="hello")
    result = kpi(con, "sentiment", as_of=T("12:00"))
    assert result["value"] is None
    assert result["reason"] == "no customer messages with text or a sentiment score in the window"


def test_lexicon_loads_once_per_cursor(con):
    cur = con.cursor()
    store_lexicon.load_lexicon(cur)
    cur.execute("DELETE FROM vader_lexicon WHERE token = 'great'")
    store_lexicon.load_lexicon(cur)  # already there: not reloaded
    assert cur.execute("SELECT count(*) FROM vader_lexicon WHERE token = 'great'").fetchone()[0] == 0
    fresh = con.cursor()
    store_lexicon.load_lexicon(fresh)
    # VADER keeps the last of a repeated token: "lol" appears as 2.9 then 1.8
    assert fresh.execute("SELECT valence FROM vader_lexicon WHERE token = 'lol'").fetchone()[0] == 1.8


def test_topic_rule_that_duckdb_cannot_compile_is_a_user_error(con):
    with pytest.raises(UserError, match="topic_rules.refund"):
        lexicon.load_topic_rules(con.cursor(), {"refund": "(?=refund)"})  # look-ahead: not RE2


# ---------------------------------------------------------------- retention


def _retention_data(con):
    msg(con, "p1", "2024-01-01 09:00", "in", "u1")
    msg(con, "p2", "2024-01-01 10:00", "in", "u2")
    msg(con, "p3", "2023-12-31 20:00", "in", "u3")
    msg(con, "p4", "2023-12-31 11:00", "in", "u4")  # before the previous window
    msg(con, "n1", "2024-01-02 09:00", "in", "u1")  # u1 comes back
    msg(con, "n3", "2024-01-02 10:00", "in", "u3")  # u3 comes back
    msg(con, "n5", "2024-01-02 11:00", "in", "u5")  # new customer


def test_customer_retention(con):
    _retention_data(con)
    # window 24h up to Tue 12:00 -> previous window (Sun 12:00, Mon 12:00]: u1, u2, u3
    scope = {"as_of": T("2024-01-02 12:00"), "window": timedelta(hours=24)}
    result = kpi(con, "customer_retention", **scope)
    assert (result["numerator"], result["denominator"]) == (2, 3)  # u1, u3 of u1, u2, u3
    assert result["value"] == pytest.approx(2 / 3)
    assert sorted(r["customer"] for r in rows(con, "customer_retention", "numerator", **scope)) == [
        "u1", "u3"]
    assert len(rows(con, "customer_retention", "denominator", **scope)) == 3


def test_customer_retention_null_without_window(con):
    _retention_data(con)
    result = kpi(con, "customer_retention", as_of=T("2024-01-02 12:00"))
    assert result["value"] is None and "no previous window" in result["reason"]


def test_customer_retention_null_without_customer_ids(con):
    msg(con, "p1", "2024-01-01 09:00", "in")
    msg(con, "n1", "2024-01-02 09:00", "in")
    result = kpi(con, "customer_retention", as_of=T("2024-01-02 12:00"), window=timedelta(hours=24))
    assert result["value"] is None
    assert result["reason"] == "the data has no customer ids (message authors)"
