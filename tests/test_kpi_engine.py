"""The engine API: report shape, groups, explain, as_of, previous window, series, registry."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta

import pytest
from kpi_helpers import T, add, assign, explain, kpi, msg, report, series, status

from socialcare_tui.config import KpiConfig
from socialcare_tui.errors import UserError
from socialcare_tui.kpi import registry
from socialcare_tui.kpi.engine import Scope, previous_scope
from socialcare_tui.store import open_db

MINE = ["first_response_time", "reply_time", "reply_rate", "reply_wait", "frt_distribution",
        "resolutions", "resolution_rate", "resolution_time", "fcr", "aht", "bot_containment",
        "sla_first_response", "sla_next_reply", "sla_resolution"]


def busy_day(con):
    """Two channels, several agents, status and silence conversations over two days."""
    add(con, "c1", "2024-01-01 09:00", "message", direction="in", author="u1", channel="twitter")
    add(con, "c1", "2024-01-01 09:20", "message", direction="out", author="alice", channel="twitter")
    add(con, "c1", "2024-01-01 09:40", "message", direction="in", author="u1", channel="twitter")
    add(con, "c1", "2024-01-01 10:10", "message", direction="out", author="bob", channel="twitter")
    add(con, "c2", "2024-01-01 10:00", "message", direction="in", author="u2", channel="email")
    assign(con, "c2", "2024-01-01 10:05", "carol", channel="email")
    add(con, "c2", "2024-01-01 12:00", "message", direction="out", author="carol", channel="email")
    status(con, "c2", "2024-01-01 12:30", "resolved", channel="email")
    add(con, "c2", "2024-01-01 15:00", "message", direction="in", author="u2", channel="email")
    add(con, "c2", "2024-01-01 15:10", "message", direction="out", author="carol", channel="email")
    status(con, "c2", "2024-01-01 15:20", "resolved", channel="email")
    add(con, "c3", "2024-01-01 23:00", "message", direction="in", author="u3", channel="twitter")
    add(con, "c3", "2024-01-01 23:01", "message", direction="out", author="bot", automated=True,
        channel="twitter")
    add(con, "c4", "2024-01-02 08:00", "message", direction="out", author="alice", channel="twitter")
    add(con, "c4", "2024-01-02 08:30", "message", direction="in", author="u4", channel="twitter")
    add(con, "c5", "2024-01-02 11:00", "message", direction="in", author="u5", channel="email")
    add(con, "c5", "2024-01-02 16:00", "message", direction="out", author=None, channel="email")
    add(con, "c6", "2024-01-03 12:00", "message", direction="in", author="u1", channel="twitter")


def test_report_has_every_kpi_with_unit_and_shape(con):
    busy_day(con)
    out = report(con, Scope(), KpiConfig())
    assert set(out) == {"as_of", "window", "filters", "kpis"}
    assert out["as_of"] == "2024-01-03T12:00:00Z"          # newest event time
    assert out["window"] == {"from": None, "to": None}
    assert out["filters"] == {"channel": None, "queue": None, "agent": None, "tag": None}
    assert list(out["kpis"]) == registry.ids()
    for kpi_id in MINE:
        result = out["kpis"][kpi_id]
        assert result["unit"] == registry.get(kpi_id).unit
        assert result["value"] is not None or result["reason"]


def test_window_json(con):
    busy_day(con)
    out = report(con, Scope(window=timedelta(days=1)), KpiConfig(), kpis=["reply_rate"])
    assert out["window"] == {"from": "2024-01-02T12:00:00Z", "to": "2024-01-03T12:00:00Z"}
    assert list(out["kpis"]) == ["reply_rate"]


def test_empty_database_every_kpi_null_or_zero(con):
    out = report(con, Scope(), KpiConfig())
    assert out["as_of"] is None
    for kpi_id in MINE:
        result = out["kpis"][kpi_id]
        if result["unit"] == "count":
            assert result["value"] == 0
        else:
            assert result["value"] is None and result["reason"], kpi_id


COUNT_PARTS = {
    "first_response_time": ["n", "unanswered"], "reply_time": ["n"],
    "reply_rate": ["numerator", "denominator"], "reply_wait": ["n"], "frt_distribution": ["n"],
    "resolutions": ["value", "conversations", "reopens"],
    "resolution_rate": ["numerator", "denominator"], "resolution_time": ["n"],
    "fcr": ["numerator", "denominator"], "bot_containment": ["numerator", "denominator"],
    "sla_first_response": ["met", "breached", "running"],
    "sla_next_reply": ["met", "breached", "running"], "sla_resolution": ["met", "breached", "running"],
}


@pytest.mark.parametrize("by", ["channel", "queue", "agent", "hour", "day", "week"])
def test_groups_add_up_to_the_total(con, by):
    busy_day(con)
    out = report(con, Scope(as_of=T("2024-01-03 12:00")), KpiConfig(), kpis=list(COUNT_PARTS), by=by)
    assert out["groups"], by
    for kpi_id, parts in COUNT_PARTS.items():
        for part in parts:
            total = out["kpis"][kpi_id][part]
            # a group without rows for the KPI lists it with value null (issue 16: one shape)
            summed = sum(g["kpis"][kpi_id].get(part) or 0 for g in out["groups"])
            assert summed == total, (by, kpi_id, part)


@pytest.mark.parametrize("by", ["channel", "queue", "agent", "hour", "day", "week"])
def test_every_group_lists_every_kpi(con, by):
    busy_day(con)
    out = report(con, Scope(as_of=T("2024-01-03 12:00")), KpiConfig(), by=by)
    assert out["groups"], by
    for group in out["groups"]:
        assert list(group["kpis"]) == list(out["kpis"]), (by, group["key"])
        for kpi_id, result in group["kpis"].items():
            assert "value" in result and result["unit"] == out["kpis"][kpi_id]["unit"]
            if result["value"] is None:
                assert result["reason"], (by, group["key"], kpi_id)


def test_group_keys(con):
    busy_day(con)
    config = KpiConfig(timezone="America/New_York")
    out = report(con, Scope(), config, kpis=["reply_rate"], by="hour")
    # turns start 09:00, 09:40, 10:00, 15:00, 23:00 (Jan 1), 08:30, 11:00 (Jan 2), 12:00 (Jan 3) UTC;
    # New York is UTC-5 in January -> local hours 04, 04, 05, 10, 18, 03, 06, 07
    keys = [g["key"]["hour"] for g in out["groups"]]
    assert keys == ["03", "04", "05", "06", "07", "10", "18"]
    out = report(con, Scope(), config, kpis=["reply_rate"], by="day")
    assert [g["key"]["day"] for g in out["groups"]] == ["2024-01-01", "2024-01-02", "2024-01-03"]
    out = report(con, Scope(), KpiConfig(), kpis=["reply_rate"], by="week")
    assert [g["key"]["week"] for g in out["groups"]] == ["2024-01-01"]   # a Monday
    out = report(con, Scope(), KpiConfig(), kpis=["first_response_time"], by="agent")
    assert [g["key"]["agent"] for g in out["groups"]] == ["(none)", "alice", "carol"]


@pytest.mark.parametrize("kpi_id,part,value_key", [
    ("resolutions", None, "value"), ("resolutions", "reopened", "reopens"),
    ("reply_rate", "numerator", "numerator"), ("reply_rate", "denominator", "denominator"),
    ("first_response_time", "sample", "n"), ("first_response_time", "unanswered", "unanswered"),
    ("reply_time", "sample", "n"), ("reply_wait", None, "n"),
    ("resolution_rate", "numerator", "numerator"), ("resolution_time", None, "n"),
    ("fcr", "denominator", "denominator"), ("bot_containment", "numerator", "numerator"),
    ("sla_first_response", "breached", "breached"), ("sla_next_reply", "met", "met"),
    ("sla_resolution", "running", "running"),
])
def test_explain_rows_count_to_the_value(con, kpi_id, part, value_key):
    busy_day(con)
    scope = Scope(as_of=T("2024-01-02 17:00"))
    result = report(con, scope, KpiConfig(), kpis=[kpi_id])["kpis"][kpi_id]
    ex = explain(con, scope, KpiConfig(), kpi_id, part)
    assert len(ex["rows"]) == result[value_key]
    assert ex["value"] == result["value"]
    assert ex["title"] and ex["help"] and ex["counts_by"]
    for row in ex["rows"]:
        assert {"conv_key", "channel", "queue", "agent", "moment", "measure"} <= set(row)


def test_explain_unknown_part_and_kpi(con):
    with pytest.raises(UserError, match="no such part"):
        explain(con, Scope(), KpiConfig(), "reply_rate", "breached")
    with pytest.raises(UserError, match="unknown KPI"):
        explain(con, Scope(), KpiConfig(), "nope")
    with pytest.raises(UserError, match="--by"):
        report(con, Scope(), KpiConfig(), by="colour")


@pytest.mark.parametrize("cut", ["2024-01-01 12:15", "2024-01-01 15:05", "2024-01-02 09:00",
                                 "2024-01-02 16:00"])
def test_as_of_equals_a_database_cut_at_as_of(con, tmp_path, cut):
    busy_day(con)
    full = report(con, Scope(as_of=T(cut)), KpiConfig())
    small = open_db(tmp_path / "cut.duckdb")
    try:
        rows = con.execute("SELECT * FROM events WHERE ts <= ?", [T(cut)]).fetchall()
        cols = len(con.execute("SELECT * FROM events LIMIT 0").description)
        small.executemany(f"INSERT INTO events VALUES ({', '.join('?' * cols)})", rows)
        cut_report = report(small, Scope(as_of=T(cut)), KpiConfig())
    finally:
        small.close()
    assert cut_report == full


def test_filters_by_agent_and_channel(con):
    busy_day(con)
    # agent = assignee or any human reply author: bob replied in c1 (assignee bob now)
    r = kpi(con, "reply_rate", agents=("alice",))
    # alice: c1 (replied), c4 (assignee alice, brand message) -> turns c1#1, c1#2, c4#1 = 3, answered 2
    assert (r["numerator"], r["denominator"]) == (2, 3)
    r = kpi(con, "reply_rate", channels=("email",))
    # c2 turns 2 (both answered), c5 1 (answered, no author) -> 3/3
    assert (r["numerator"], r["denominator"]) == (3, 3)
    out = report(con, Scope(channels=("email",), queues=("x'; DROP TABLE events; --",)), KpiConfig(),
                 kpis=["reply_rate"])
    assert out["kpis"]["reply_rate"]["denominator"] == 0
    assert out["filters"]["queue"] == ["x'; DROP TABLE events; --"]
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] > 0


def test_fcr_repeat_check_crosses_queue_filter(con):
    add(con, "c1", "10:00", "message", direction="in", author="u1", queue="a")
    add(con, "c1", "10:10", "message", direction="out", author="alice", queue="a")
    status(con, "c1", "10:20", "resolved", queue="a")
    add(con, "c2", "12:00", "message", direction="in", author="u1", queue="b")  # same customer, other queue
    r = kpi(con, "fcr", queues=("a",))
    assert (r["numerator"], r["denominator"]) == (0, 1)


def test_previous_scope(con):
    busy_day(con)
    prev = previous_scope(con, Scope(window=timedelta(days=1)), KpiConfig())
    assert prev.as_of == T("2024-01-02 12:00") and prev.window == timedelta(days=1)
    prev = previous_scope(con, Scope(start=T("2024-01-02 00:00"), end=T("2024-01-03 00:00")), KpiConfig())
    assert (prev.start, prev.end) == (T("2024-01-01 00:00"), T("2024-01-02 00:00"))
    assert previous_scope(con, Scope(), KpiConfig()) is None


def test_series_buckets_sum_to_the_window(con):
    busy_day(con)
    scope = Scope(start=T("2024-01-01 00:00"), end=T("2024-01-03 00:00"), as_of=T("2024-01-03 12:00"))
    got = series(con, scope, KpiConfig(), ["resolutions", "reply_rate", "reply_wait"], buckets=2)
    # resolutions: c2 12:30, c2 15:20, c1 (silence after bob's 10:10 reply) on day 1;
    # c4 (silence of 27.5h after its 08:30 message, alice's 08:00 message before it) on day 2 -> [3, 1]
    assert got["resolutions"] == [3, 1]
    assert sum(got["resolutions"]) == report(con, scope, KpiConfig(), kpis=["resolutions"])["kpis"]["resolutions"]["value"]
    assert len(got["reply_rate"]) == 2
    assert got["reply_wait"][0] is None   # not windowed: only its current value, last


def test_report_from_threads(con):
    busy_day(con)
    results, errors = [], []

    def work():
        try:
            results.append(report(con, Scope(), KpiConfig(), kpis=MINE))
        except Exception as err:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results[0] == results[1] == results[2]


def test_registry_headers():
    ids = registry.ids()
    assert len(ids) == len(set(ids))
    for kpi_id in MINE:
        k = registry.get(kpi_id)
        assert k.title and k.help and k.counts_by and k.unit in registry.UNITS
    assert registry.get("reply_wait").windowed is False
    assert registry.get("sla_first_response").parts == ("met", "breached", "running")


def test_live_scope_uses_the_wall_clock(con):
    from datetime import datetime
    msg(con, "c1", "10:00", "in", "u1")
    before = datetime.now(UTC).replace(tzinfo=None)
    out = report(con, Scope(live=True), KpiConfig(), kpis=["reply_wait"])
    assert out["as_of"] >= before.isoformat()[:16]
    # waiting since 2024-01-01 10:00 until now: far more than a year
    assert out["kpis"]["reply_wait"]["value"] > 365 * 86400


def test_aware_times_are_taken_as_utc(con):
    from datetime import timezone
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:30", "out", "alice")
    aware = T("11:30").replace(tzinfo=timezone(timedelta(hours=1)))   # 10:30 UTC
    assert report(con, Scope(as_of=aware), KpiConfig())["as_of"] == "2024-01-01T10:30:00Z"


def test_dashboard_equals_the_three_calls(con):
    from kpi_helpers import dashboard
    busy_day(con)
    scope = Scope(window=timedelta(days=1))
    got = dashboard(con, scope, KpiConfig(), kpis=MINE, buckets=4)
    assert got["report"] == report(con, scope, KpiConfig(), kpis=MINE)
    assert got["previous"] == report(con, previous_scope(con, scope, KpiConfig()), KpiConfig(), kpis=MINE)
    assert got["series"] == series(con, scope, KpiConfig(), MINE, buckets=4)
