"""The shared layer (kpi/sql/base.sql): order, turns, status, assignee, resolutions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from kpi_helpers import T, add, assign, msg, status, store_facts

from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi.engine import Scope, prepare


def layer(con, as_of=None, config=None, **scope):
    store_facts(con, config)
    cur = con.cursor()
    prepare(cur, Scope(as_of=T(as_of) if as_of else None, **scope), config or KpiConfig())
    return cur


def rows(cur, sql):
    cursor = cur.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def conv(cur, conv_id="c1"):
    found = rows(cur, f"SELECT * FROM conv WHERE conversation_id = '{conv_id}'")
    return found[0] if found else None


def test_silence_example_thanks_is_not_a_reopen(con):
    # in 0h, out 1h, in 1.5h ("thanks"), nothing for days
    msg(con, "c1", "2024-01-01 00:00", "in", "u1")
    msg(con, "c1", "2024-01-01 01:00", "out", "alice")
    msg(con, "c1", "2024-01-01 01:30", "in", "u1", text="thanks")
    cur = layer(con, as_of="2024-01-05 00:00")
    c = conv(cur)
    assert c["status"] == "resolved"
    assert c["first_resolved_at"] == T("2024-01-01 01:00")  # resolved at 1h
    assert c["human_replies"] == 1
    assert (c["resolutions"], c["reopens"]) == (1, 0)


def test_silence_example_resolve_reopen_resolve(con):
    # in 0h, out 1h, in 72h, out 74h, then silence: resolved at 1h, reopened at 72h, resolved at 74h
    msg(con, "c1", "2024-01-01 00:00", "in", "u1")
    msg(con, "c1", "2024-01-01 01:00", "out", "alice")
    msg(con, "c1", "2024-01-04 00:00", "in", "u1")
    msg(con, "c1", "2024-01-04 02:00", "out", "bob")
    cur = layer(con, as_of="2024-01-10 00:00")
    res = rows(cur, "SELECT n, resolved_at, reopened_at, agent FROM resolutions ORDER BY n")
    assert res == [
        {"n": 1, "resolved_at": T("2024-01-01 01:00"), "reopened_at": T("2024-01-04 00:00"), "agent": "alice"},
        {"n": 2, "resolved_at": T("2024-01-04 02:00"), "reopened_at": None, "agent": "bob"},
    ]
    c = conv(cur)
    # reopens = resolutions - 1 = 1 (resolved now)
    assert (c["status"], c["resolutions"], c["reopens"]) == ("resolved", 2, 1)
    assert c["first_resolved_at"] == T("2024-01-01 01:00")
    assert c["last_resolved_at"] == T("2024-01-04 02:00")


def test_silence_status_before_the_silence_is_due(con):
    msg(con, "c1", "2024-01-01 00:00", "in", "u1")
    msg(con, "c1", "2024-01-01 01:00", "out", "alice")
    msg(con, "c2", "2024-01-01 00:00", "in", "u2")
    # 10h after the reply: gap < 24h, so no silence yet: c1 pending (last is a human reply),
    # c2 open (customer waiting, nobody replied)
    cur = layer(con, as_of="2024-01-01 11:00")
    assert conv(cur, "c1")["status"] == "pending"
    assert conv(cur, "c2")["status"] == "open"
    # exactly 24h after the reply: a silence (gap of at least auto_resolve_after)
    cur = layer(con, as_of="2024-01-02 01:00")
    assert conv(cur, "c1")["status"] == "resolved"
    # c2 never had a human reply: its silence is no resolution
    assert conv(cur, "c2")["status"] == "open"
    assert conv(cur, "c2")["resolutions"] == 0


def test_silence_reopened_then_unanswered_counts_one_reopen(con):
    msg(con, "c1", "2024-01-01 00:00", "in", "u1")
    msg(con, "c1", "2024-01-01 01:00", "out", "alice")
    msg(con, "c1", "2024-01-03 00:00", "in", "u1")
    cur = layer(con, as_of="2024-01-03 05:00")
    c = conv(cur)
    # one resolution, open now: reopens = 1 - 1 + 1 = 1
    assert (c["status"], c["resolutions"], c["reopens"]) == ("open", 1, 1)
    assert c["waiting_since"] == T("2024-01-03 00:00")


def test_auto_resolve_after_from_config(con):
    msg(con, "c1", "2024-01-01 00:00", "in", "u1")
    msg(con, "c1", "2024-01-01 01:00", "out", "alice")
    config = KpiConfig(auto_resolve_after=3600.0)
    cur = layer(con, as_of="2024-01-01 02:00", config=config)  # 1h of silence >= 1h
    assert conv(cur)["status"] == "resolved"


def test_status_events_mapping_and_reopen(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "out", "alice")
    status(con, "c1", "10:06", "closed")       # closed counts as resolved
    msg(con, "c1", "11:00", "in", "u1")        # a customer message after resolved reopens
    cur = layer(con, as_of="2024-01-03 00:00")  # long silence ignored: status events rule
    c = conv(cur)
    assert (c["status"], c["resolutions"], c["reopens"]) == ("open", 1, 1)
    res = rows(cur, "SELECT resolved_at, reopened_at FROM resolutions")
    assert res == [{"resolved_at": T("10:06"), "reopened_at": T("11:00")}]


def test_status_resolve_reopen_resolve_and_repeated_resolved(con):
    msg(con, "c1", "10:00", "in", "u1")
    status(con, "c1", "10:10", "resolved")
    status(con, "c1", "10:20", "solved")    # still resolved: not a new resolution
    status(con, "c1", "10:30", "open")      # reopened by a status
    status(con, "c1", "10:40", "on-hold")   # pending
    status(con, "c1", "10:50", "resolved")
    cur = layer(con)
    c = conv(cur)
    # two changes into resolved, resolved now: reopens = 2 - 1 = 1
    assert (c["status"], c["resolutions"], c["reopens"]) == ("resolved", 2, 1)
    res = rows(cur, "SELECT resolved_at, reopened_at FROM resolutions ORDER BY n")
    assert res == [{"resolved_at": T("10:10"), "reopened_at": T("10:30")},
                   {"resolved_at": T("10:50"), "reopened_at": None}]


def test_pending_status(con):
    msg(con, "c1", "10:00", "in", "u1")
    status(con, "c1", "10:10", "waiting")
    assert conv(layer(con))["status"] == "pending"


def test_turns_several_customer_messages_automated_and_notes(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:01", "in", "u1")                       # same turn
    msg(con, "c1", "10:02", "out", "bot", automated=True)     # does not end the turn
    add(con, "c1", "10:03", "tag", value="billing")            # not a reply
    msg(con, "c1", "10:10", "out", "alice")                    # answers turn 1
    msg(con, "c1", "10:20", "in", "u1")                        # turn 2, waiting
    cur = layer(con)
    turns = rows(cur, "SELECT turn_no, started_at, answered_at, reply_agent, is_first_response "
                      "FROM turns ORDER BY turn_no")
    assert turns == [
        {"turn_no": 1, "started_at": T("10:00"), "answered_at": T("10:10"), "reply_agent": "alice",
         "is_first_response": True},
        {"turn_no": 2, "started_at": T("10:20"), "answered_at": None, "reply_agent": None,
         "is_first_response": False},
    ]
    c = conv(cur)
    assert (c["human_replies"], c["automated_msgs"]) == (1, 1)
    assert c["waiting_since"] == T("10:20")


def test_identical_timestamps_inbound_sorts_before_outbound(con):
    # the reply is written first in the file but has the same time: inbound still comes first
    msg(con, "c1", "10:00", "out", "alice")
    msg(con, "c1", "10:00", "in", "u1")
    cur = layer(con)
    c = conv(cur)
    assert c["brand_initiated"] is False
    assert c["first_reply_at"] == T("10:00")
    turns = rows(cur, "SELECT answered_at FROM turns")
    assert turns == [{"answered_at": T("10:00")}]  # a zero-second reply, never negative


def test_brand_initiated(con):
    msg(con, "c1", "10:00", "out", "alice")
    msg(con, "c1", "10:30", "in", "u1")
    msg(con, "c1", "10:40", "out", "alice")
    cur = layer(con)
    c = conv(cur)
    assert c["brand_initiated"] is True
    assert c["customer"] == "u1"
    # the customer's message starts turn 1 (after alice's opening message), not a first response
    turns = rows(cur, "SELECT turn_no, started_at, answered_at, is_first_response FROM turns")
    assert turns == [{"turn_no": 1, "started_at": T("10:30"), "answered_at": T("10:40"),
                      "is_first_response": False}]


def test_assignee_latest_assign_else_latest_human_reply(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "out", "alice")
    msg(con, "c1", "10:06", "out", "bob")
    msg(con, "c2", "10:00", "in", "u2")
    msg(con, "c2", "10:05", "out", "alice")
    assign(con, "c2", "10:06", "carol")
    assign(con, "c2", "10:07", "dave")        # reassignment: the latest wins
    msg(con, "c3", "10:00", "in", "u3")
    assign(con, "c3", "10:01", "erin")
    assign(con, "c3", "10:02", "")            # empty = unassigned
    msg(con, "c3", "10:03", "out", "frank")
    cur = layer(con)
    assert conv(cur, "c1")["assignee"] == "bob"
    assert conv(cur, "c2")["assignee"] == "dave"
    assert conv(cur, "c3")["assignee"] is None


def test_resolution_agent_is_assignee_at_that_moment(con):
    msg(con, "c1", "10:00", "in", "u1")
    assign(con, "c1", "10:01", "alice")
    msg(con, "c1", "10:05", "out", "bob")     # a reply by someone other than the assignee
    status(con, "c1", "10:06", "resolved")
    assign(con, "c1", "10:07", "carol")       # reassigned after the resolution
    msg(con, "c1", "10:10", "in", "u1")
    msg(con, "c1", "10:12", "out", None)      # a reply with no author
    status(con, "c1", "10:15", "resolved")
    cur = layer(con)
    assert rows(cur, "SELECT agent FROM resolutions ORDER BY n") == [{"agent": "alice"}, {"agent": "carol"}]
    msg(con, "c2", "10:00", "in", "u2")
    msg(con, "c2", "10:05", "out", None)      # no assign events: the latest reply's author (none)
    status(con, "c2", "10:06", "resolved")
    cur = layer(con)
    assert rows(cur, "SELECT agent FROM resolutions WHERE conv_key = 'events:c2'") == [{"agent": None}]


def test_channel_first_queue_last(con):
    add(con, "c1", "10:00", "message", direction="in", author="u1", channel="twitter", queue="q1")
    add(con, "c1", "10:05", "message", direction="out", author="a", channel=None, queue="q2")
    c = conv(layer(con))
    assert (c["channel"], c["queue"]) == ("twitter", "q2")


def test_as_of_ignores_later_events(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:30", "out", "alice")
    cur = layer(con, as_of="10:15")
    c = conv(cur)
    assert c["first_reply_at"] is None and c["status"] == "open"
    assert cur.execute("SELECT count(*) FROM scope_events").fetchone()[0] == 1


def test_empty_database(con):
    cur = con.cursor()
    resolved = prepare(cur, Scope(), KpiConfig())
    assert resolved.as_of is None
    for table in ("scope_events", "msgs", "conv", "turns", "resolutions"):
        assert cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_window_bounds(con):
    msg(con, "c1", "10:00", "in", "u1")
    cur = con.cursor()
    r = prepare(cur, Scope(as_of=T("12:00"), window=timedelta(hours=2)), KpiConfig())
    # --window 2h: as_of - 2h < t <= as_of, as half-open [lo, hi)
    assert (r.lo, r.hi) == (T("10:00") + timedelta(microseconds=1), T("12:00") + timedelta(microseconds=1))
    r = prepare(cur, Scope(start=T("09:00"), end=T("11:00")), KpiConfig())
    assert (r.as_of, r.lo, r.hi, r.has_window) == (T("10:00"), T("09:00"), T("11:00"), True)


@pytest.mark.parametrize("bad", [
    {"window": timedelta(hours=1), "start": datetime(2024, 1, 1)},
    {"start": datetime(2024, 1, 2), "end": datetime(2024, 1, 1)},
])
def test_bad_scopes_are_user_errors(con, bad):
    from socialcare_tui.errors import UserError
    with pytest.raises(UserError):
        prepare(con.cursor(), Scope(**bad), KpiConfig())


@pytest.mark.parametrize("value", ["it's", "100%", "a;b", "x -- y", "' OR 1=1 --"])
def test_filter_values_are_taken_literally(con, value):
    add(con, "c1", "10:00", "message", direction="in", author="u1", queue=value)
    add(con, "c2", "10:00", "message", direction="in", author="u2", queue="other")
    msg(con, "c2", "10:05", "out", value)
    cur = layer(con, queues=(value,))
    assert [r["conversation_id"] for r in rows(cur, "SELECT conversation_id FROM conv")] == ["c1"]
    cur = layer(con, agents=(value,))
    assert [r["conversation_id"] for r in rows(cur, "SELECT conversation_id FROM conv")] == ["c2"]
    # a LIKE pattern would match everything with '%'; the filter takes the value as it is
    cur = layer(con, queues=("%",))
    assert rows(cur, "SELECT * FROM conv") == []


def test_filters_any_value_and_all_filters(con):
    add(con, "c1", "10:00", "message", direction="in", author="u1", channel="twitter")
    add(con, "c2", "10:00", "message", direction="in", author="u2", channel="email")
    add(con, "c3", "10:00", "message", direction="in", author="u3", channel="webchat")
    add(con, "c1", "10:01", "tag", value="billing/refund")
    add(con, "c2", "10:01", "tag", value="delivery")
    cur = layer(con, channels=("Twitter", "email"))   # any value; channels compare in lower case
    got = rows(cur, "SELECT conversation_id FROM conv ORDER BY 1")
    assert [r["conversation_id"] for r in got] == ["c1", "c2"]
    cur = layer(con, channels=("twitter", "email"), tags=("billing",))  # tag by its topic
    assert [r["conversation_id"] for r in rows(cur, "SELECT conversation_id FROM conv")] == ["c1"]
    for table in ("scope_events", "msgs", "turns"):
        keys = {r["conv_key"] for r in rows(cur, f"SELECT DISTINCT conv_key FROM {table}")}
        assert keys == {"events:c1"}


def test_sla_targets_default_channel_and_queue_overrides(con):
    add(con, "c1", "10:00", "message", direction="in", channel="twitter", queue="vip")
    add(con, "c2", "10:00", "message", direction="in", channel="twitter", queue="general")
    add(con, "c3", "10:00", "message", direction="in", channel="email", queue="general")
    config = KpiConfig(sla_overrides=[("channel", "twitter", "first_response", 1800.0),
                                   ("queue", "vip", "first_response", 600.0)])
    cur = layer(con, config=config)
    got = {r["conversation_id"]: r["target_first_response"]
           for r in rows(cur, "SELECT conversation_id, target_first_response FROM conv")}
    # queue override beats channel override beats the default (1h)
    assert got == {"c1": 600.0, "c2": 1800.0, "c3": 3600.0}


def test_ticket_without_status_event_is_not_resolved_by_silence(con):
    add(con, "t1", "2024-01-01 10:00", "message", direction="in", author="u1", origin="ticket",
        namespace="tickets")
    add(con, "t1", "2024-01-01 11:00", "message", direction="out", author="alice", origin="ticket",
        namespace="tickets")
    c = conv(layer(con, as_of="2024-01-05 00:00"), "t1")
    # days of silence, but a ticket's status comes from the export only: no status event -> open
    assert (c["status"], c["resolutions"]) == ("open", 0)
