"""kpi/browse.py: queue tabs, conversation facts, transcript, channel tree, agents, export rows.

Every case is a handful of events on 2024-01-01 read as of 12:00 (auto-resolve 24h,
SLA defaults first response 1h, next reply 4h, resolution 24h).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from kpi_helpers import T, add, assign, msg, status

from socialcare_tui.config import KpiConfig
from socialcare_tui.errors import UserError
from socialcare_tui.kpi import browse
from socialcare_tui.kpi.scope import Scope

AS_OF = T("12:00")
SCOPE = Scope(as_of=AS_OF)


@pytest.fixture
def cur(con):
    # c1: answered at 10:30, customer wrote again at 11:00 -> open, assigned to alice, waiting 1h.
    msg(con, "c1", "10:00", "in", "u1", text="help")
    msg(con, "c1", "10:30", "out", "alice", text="hi")
    msg(con, "c1", "11:00", "in", "u1", text="still [bold]broken[/]")
    # c2: never answered -> open, unassigned, waiting 3h, first response due 10:00.
    msg(con, "c2", "09:00", "in", "u2", text="first")
    # c3: email/billing, assigned to bob, resolved 09:00 without a reply, CSAT 5/5.
    msg(con, "c3", "08:00", "in", "u3", text="invoice", channel="email", queue="billing")
    assign(con, "c3", "08:00", "bob", channel="email", queue="billing")
    status(con, "c3", "09:00", "resolved", channel="email", queue="billing")
    add(con, "c3", "09:30", "csat", value="5", channel="email", queue="billing")
    # c4: answered by carol after 10 minutes, then set pending.
    msg(con, "c4", "07:00", "in", "u4", text="hello")
    msg(con, "c4", "07:10", "out", "carol", text="on it")
    status(con, "c4", "07:20", "pending")
    return con.cursor()


def keys(rows):
    return [r["conv_key"].split(":")[1] for r in rows]


def test_status_tabs(cur):
    config = KpiConfig()
    assert keys(browse.queue_rows(cur, SCOPE, config, "unassigned")) == ["c2"]
    assert keys(browse.queue_rows(cur, SCOPE, config, "open")) == ["c1"]  # assigned: alice replied
    assert keys(browse.queue_rows(cur, SCOPE, config, "pending")) == ["c4"]
    assert keys(browse.queue_rows(cur, SCOPE, config, "resolved")) == ["c3"]
    # waiting first (c2 since 09:00, c1 since 11:00), then by last message: c4 07:10, c3 08:00
    assert keys(browse.queue_rows(cur, SCOPE, config, "all")) == ["c2", "c1", "c4", "c3"]


def test_unknown_status_is_user_error(cur):
    with pytest.raises(UserError):
        browse.queue_rows(cur, SCOPE, KpiConfig(), "closed")


def test_waiting_and_sla_left(cur):
    rows = {r["conv_key"]: r for r in browse.queue_rows(cur, SCOPE, KpiConfig(), "all")}
    c2, c1 = rows["events:c2"], rows["events:c1"]
    assert c2["waiting_seconds"] == 3 * 3600  # 12:00 - 09:00
    assert c2["sla_kind"] == "first_response"
    assert c2["sla_due_at"] == T("10:00")  # 09:00 + 1h
    assert c2["sla_seconds_left"] == -2 * 3600  # due 10:00, now 12:00: breached 2h ago
    assert c1["sla_kind"] == "next_reply"  # the first response came at 10:30
    assert c1["sla_seconds_left"] == 3 * 3600  # 11:00 + 4h = 15:00, minus 12:00
    assert c1["last_message"] == "still [bold]broken[/]"
    assert rows["events:c3"]["waiting_seconds"] is None  # resolved: nobody waits


def test_sla_overrides_queue_beats_channel_beats_default(cur):
    config = KpiConfig(sla_overrides=[("channel", "twitter", "first_response", 7200.0),
                                   ("channel", "email", "first_response", 60.0),
                                   ("queue", "billing", "first_response", 4 * 3600.0)])
    c2 = browse.conversation_facts(cur, SCOPE, config, "events:c2")
    assert c2["sla_seconds_left"] == -3600  # twitter 2h: due 11:00, now 12:00
    c3 = browse.conversation_facts(cur, SCOPE, config, "events:c3")
    assert c3["first_response_target"] == 4 * 3600  # the queue override, not the channel's 60 s
    # due 08:00 + 4h = 12:00 = as_of, no reply: not *past* due yet, so still running
    assert c3["sla_first_response"] == "running"


def test_conversation_facts(cur):
    c1 = browse.conversation_facts(cur, SCOPE, KpiConfig(), "events:c1")
    assert c1["frt_seconds"] == 1800  # 10:30 - 10:00
    assert c1["sla_first_response"] == "met"  # 30 min <= 1h
    assert c1["status"] == "open" and c1["assignee"] == "alice"
    assert c1["next_reply_running"] == 1  # the 11:00 turn, due 15:00
    c3 = browse.conversation_facts(cur, SCOPE, KpiConfig(), "events:c3")
    assert c3["resolution_seconds"] == 3600  # resolved 09:00 - opened 08:00
    assert c3["sla_resolution"] == "met"  # within 24h
    assert c3["sla_first_response"] == "breached"  # no reply, due 09:00 < 12:00
    assert (c3["csat_score"], c3["csat_satisfied"]) == (5.0, True)  # 5 >= 0.8 * 5
    assert browse.conversation_facts(cur, SCOPE, KpiConfig(), "events:nope") is None


def test_transcript_order_and_as_of(cur):
    events = browse.transcript(cur, Scope(), KpiConfig(), "events:c3")
    # same instant 08:00: the customer message sorts before the assignment
    assert [e["type"] for e in events] == ["message", "assign", "status", "csat"]
    early = browse.transcript(cur, Scope(as_of=T("09:15")), KpiConfig(), "events:c3")
    assert [e["type"] for e in early] == ["message", "assign", "status"]


def test_channel_tree_ignores_channel_filter(cur):
    tree = browse.channel_tree(cur, replace(SCOPE, channels=("email",)), KpiConfig())
    by_channel = {node["channel"]: node for node in tree}
    assert set(by_channel) == {"email", "twitter"}
    assert by_channel["twitter"]["open"] == 3  # c1, c2, c4 are not resolved
    assert by_channel["twitter"]["waiting"] == 2  # c1 and c2 wait for a reply
    assert by_channel["email"]["queues"] == [{"queue": "billing", "open": 0, "waiting": 0, "conversations": 1}]


def test_agent_rows(cur):
    agents = {row["agent"]: row for row in browse.agent_rows(cur, SCOPE, KpiConfig())}
    assert set(agents) == {"alice", "bob", "carol"}
    alice, bob, carol = agents["alice"], agents["bob"], agents["carol"]
    assert (alice["replies"], alice["median_frt"], alice["open_now"], alice["waiting_now"]) == (1, 1800, 1, 1)
    assert (carol["median_frt"], carol["open_now"], carol["waiting_now"]) == (600, 1, 0)  # c4 pending
    assert (bob["replies"], bob["resolutions"], bob["csat"], bob["csat_n"]) == (0, 1, 1.0, 1)
    only = browse.agent_rows(cur, replace(SCOPE, agents=("carol",)), KpiConfig())
    assert [row["agent"] for row in only] == ["carol"]


def test_filters_and_window_in_export_rows(cur):
    config = KpiConfig()
    assert keys(browse.queue_rows(cur, replace(SCOPE, channels=("email",)), config, "all")) == ["c3"]
    # window (10:00, 12:00]: only c1 has an event in it (10:30 and 11:00)
    windowed = replace(SCOPE, window=timedelta(hours=2))
    assert keys(browse.conversation_export_rows(cur, windowed, config)) == ["c1"]
    assert len(browse.conversation_export_rows(cur, SCOPE, config)) == 4


def test_copy_conversations_csv_escapes_formulas(con, tmp_path):
    msg(con, "x1", "10:00", "in", "=HYPERLINK(\"http://evil\")", text="hi")
    target = tmp_path / "out.csv"
    count = browse.copy_conversations(con.cursor(), SCOPE, KpiConfig(), str(target), "csv")
    assert count == 1
    text = target.read_text()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_empty_database(con):
    cur = con.cursor()
    assert browse.queue_rows(cur, Scope(), KpiConfig(), "all") == []
    assert browse.agent_rows(cur, Scope(), KpiConfig()) == []
    assert browse.conversation_export_rows(cur, Scope(), KpiConfig()) == []
