"""Ticket exports: synonyms, --map, durations, synthesised events."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from socialcare_tui.errors import UserError
from socialcare_tui.ingest import pipeline, tickets
from socialcare_tui.ingest.pipeline import ImportOptions


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text.lstrip("\n"))
    return path


def run(con, path: Path, **options):
    return pipeline.import_file(con, path, ImportOptions(**options))


def events(con, ticket: str) -> dict[str, tuple]:
    """event_id suffix -> (ts, type, direction, author, value) for one ticket."""
    rows = con.execute(
        "SELECT event_id, ts, type, direction, author, value FROM events WHERE conversation_id = $t",
        {"t": ticket},
    ).fetchall()
    return {r[0].split(":", 1)[1]: r[1:] for r in rows}


def one(con, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchone()


ZENDESK = """
Ticket ID,Requester,Created at,Via,Group,Assignee,Status,Priority,Ticket type,First reply time in minutes,Full resolution time in minutes,Satisfaction Score,Agent Replies,Tags
101,cust-1,2024-03-01 10:00:00,Web Widget,Billing,Ann,Solved,High,question,30,120,4,2,refund
102,cust-2,2024-03-01 11:00:00,Email,Support,Bob,Pending,Low,incident,15,,,1,
103,cust-3,2024-03-01 12:00:00,Email,Support,,New,Normal,,,,Offered,0,
"""


def test_zendesk_like_export(con, tmp_path):
    summary = run(con, write(tmp_path, "zendesk.csv", ZENDESK))
    assert summary.rejected == 0
    # 101: opened 10:00; "First reply time in minutes" 30 -> 10:30; "Full resolution
    # time in minutes" 120 -> 12:00; Solved -> status resolved at 12:00; CSAT 4 at 12:00.
    e = events(con, "101")
    assert e == {
        "opened": (datetime(2024, 3, 1, 10), "message", "in", "cust-1", None),
        "assign": (datetime(2024, 3, 1, 10), "assign", None, None, "Ann"),
        "first_response": (datetime(2024, 3, 1, 10, 30), "message", "out", "Ann", None),
        "status:resolved": (datetime(2024, 3, 1, 12), "status", None, None, "resolved"),
        "csat": (datetime(2024, 3, 1, 12), "csat", None, None, "4"),
        "tag": (datetime(2024, 3, 1, 10), "tag", None, None, "question"),
    }
    # Requester is the customer; "Web Widget" has no alias so it is only lower-cased.
    opened = one(con, "SELECT channel, queue, reply_count, origin, extra FROM events WHERE event_id = '101:opened'")
    assert opened[:4] == ("web widget", "Billing", 2, "ticket")
    assert json.loads(opened[4]) == {"Tags": "refund", "priority": "High"}
    # Only scores up to 5 in the file: scale 5.
    assert one(con, "SELECT scale_max FROM events WHERE event_id = '101:csat'") == (5.0,)
    # 102: Pending -> a pending status at the last known time (first reply 11:15), no
    # resolution, no survey.
    e = events(con, "102")
    assert e["status:pending"] == (datetime(2024, 3, 1, 11, 15), "status", None, None, "pending")
    assert "csat" not in e and "status:resolved" not in e
    # 103: New -> open, at opening (no reply); "Offered" is no rating; no assignee.
    e = events(con, "103")
    assert set(e) == {"opened", "status:open"}
    assert e["status:open"] == (datetime(2024, 3, 1, 12), "status", None, None, "open")


KAGGLE = """
Ticket_ID,Customer_Email,Created_Date,Channel,Team,Assigned_Agent,Status,Priority,Category,Subcategory,First_Response_Time_Hours,Resolution_Time_Hours,CSAT_Score,Talk_Time_Minutes,hold_seconds
T1,a@x.io,2024-05-01T08:00:00,Chat,Tier 1,Kim,Closed,P2,Billing,Refund,0.5,2,9,3,40
T2,b@x.io,2024-05-01T09:00:00,Phone,Tier 2,Lee,In Progress,P1,Tech,,1.25,5,6,,
T3,c@x.io,2024-05-01T10:00:00,Chat,Tier 1,Kim,Escalated,P3,,Login,,,,,
"""


def test_kaggle_like_export(con, tmp_path):
    summary = run(con, write(tmp_path, "kaggle.csv", KAGGLE), format="tickets")
    assert summary.rejected == 0
    # T1: opened 08:00; First_Response_Time_Hours 0.5 -> 08:30; Resolution_Time_Hours 2
    # -> 10:00; Closed -> resolved at 10:00; CSAT 9 at 10:00.
    e = events(con, "T1")
    assert e["first_response"] == (datetime(2024, 5, 1, 8, 30), "message", "out", "Kim", None)
    assert e["status:resolved"] == (datetime(2024, 5, 1, 10), "status", None, None, "resolved")
    assert e["csat"] == (datetime(2024, 5, 1, 10), "csat", None, None, "9")
    assert e["tag"][4] == "Billing/Refund"
    # Scores 9 and 6 exceed 5 but not 10: scale 10 for every survey of the file.
    assert con.execute("SELECT DISTINCT scale_max FROM events WHERE type = 'csat'").fetchall() == [(10.0,)]
    # Talk_Time_Minutes 3 -> 180 s; hold_seconds 40 -> 40 s; on the opening event.
    # No reply-count column: reply_count is NULL.
    assert one(con, "SELECT author, channel, queue, talk_seconds, hold_seconds, reply_count "
                    "FROM events WHERE event_id = 'T1:opened'") == ("a@x.io", "webchat", "Tier 1", 180.0, 40.0, None)
    # T2: In Progress -> open. Its Resolution_Time_Hours (5) is ignored: the status
    # says unresolved, so the survey is dated at opening (09:00).
    e = events(con, "T2")
    assert e["status:open"] == (datetime(2024, 5, 1, 10, 15), "status", None, None, "open")  # first reply 09:00+1.25h
    assert e["csat"] == (datetime(2024, 5, 1, 9), "csat", None, None, "6")
    assert "status:resolved" not in e
    # T3: Escalated -> open; only a subcategory -> tag "Login".
    e = events(con, "T3")
    assert e["status:open"][4] == "open" and e["tag"][4] == "Login"


def test_scale_100_and_hours_by_map(con, tmp_path):
    path = write(tmp_path, "m.csv", """
id,opened,source,state,owner,FRT,score,Replies
1,2024-01-01 00:00,email,resolved,Ann,2,85,3
2,2024-01-01 01:00,email,On-hold,Ann,0.5,,
3,2024-01-01 02:00,email,Waiting on customer,Ann,,4,1
""")
    summary = run(con, path, maps={"first_response": "FRT:hours", "opened_at": "opened"})
    assert summary.rejected == 0
    # FRT 2 hours -> 02:00; 0.5 hours -> 01:30.
    assert events(con, "1")["first_response"][0] == datetime(2024, 1, 1, 2)
    assert events(con, "2")["first_response"][0] == datetime(2024, 1, 1, 1, 30)
    # A score of 85 (> 10): scale 100.
    assert one(con, "SELECT DISTINCT scale_max FROM events WHERE type = 'csat'") == (100.0,)
    # "resolved" with no resolution time: resolved at the last known time, the first
    # reply at 02:00.
    assert events(con, "1")["status:resolved"][0] == datetime(2024, 1, 1, 2)
    assert events(con, "2")["status:pending"][4] == "pending"
    assert events(con, "3")["status:pending"][4] == "pending"
    # Replies cell empty on ticket 2: NULL, not 0.
    assert one(con, "SELECT reply_count FROM events WHERE event_id = '2:opened'") == (None,)


def test_duration_text_and_timestamps(con, tmp_path):
    path = write(tmp_path, "d.csv", """
Ticket ID,Created,Channel,Status,First Response Time,Time to Resolution,Handle Time
1,2024-02-01 10:00:00,Email,Closed,2024-02-01 10:20:00,2024-02-02 10:00:00,00:05:30
2,2024-02-01 10:00:00,Email,Closed,1h 30m,1d 2h,90
""")
    assert run(con, path).rejected == 0
    e = events(con, "1")
    assert e["first_response"][0] == datetime(2024, 2, 1, 10, 20)
    assert e["status:resolved"][0] == datetime(2024, 2, 2, 10)
    # "1h 30m" and "1d 2h" are durations from opening.
    e = events(con, "2")
    assert e["first_response"][0] == datetime(2024, 2, 1, 11, 30)
    assert e["status:resolved"][0] == datetime(2024, 2, 2, 12)
    # Handle Time: 00:05:30 -> 330 s; a bare 90 in a seconds field -> 90 s.
    handle = dict(con.execute("SELECT event_id, handle_seconds FROM events WHERE type = 'message' "
                              "AND direction = 'in'").fetchall())
    assert handle == {"1:opened": 330.0, "2:opened": 90.0}


def test_rejected_tickets(con, tmp_path):
    path = write(tmp_path, "r.csv", """
Ticket ID,Created,Channel,Status,First Response Time (minutes),Resolved
1,,Email,Closed,30,
2,2024-01-02 10:00:00,Email,Closed,,2024-01-02 09:00:00
3,2024-01-02 10:00:00,Email,Closed,10,2024-01-02 11:00:00
4,not a date,Email,Open,,
""")
    summary = run(con, path)
    assert summary.rejected == 3
    rejects = con.execute("SELECT line, reason FROM rejects ORDER BY line").fetchall()
    assert rejects == [
        (2, "ticket 1 gives a duration but no start time (created)"),
        (3, "resolution before the ticket was opened"),
        (5, "created time 'not a date' is not a time"),
    ]
    assert {r[0] for r in con.execute("SELECT DISTINCT conversation_id FROM events").fetchall()} == {"3"}


def test_map_to_missing_column_is_user_error(con, tmp_path):
    path = write(tmp_path, "x.csv", "Ticket ID,Created,Channel\n1,2024-01-01,Email\n")
    with pytest.raises(UserError, match="Nope"):
        run(con, path, maps={"first_response": "Nope:hours"})
    assert one(con, "SELECT count(*) FROM events") == (0,)


def test_missing_required_column_and_channel(con, tmp_path):
    with pytest.raises(UserError, match="opened_at"):
        run(con, write(tmp_path, "a.csv", "Ticket ID,Channel\n1,Email\n"), format="tickets")
    with pytest.raises(UserError, match="--channel"):
        run(con, write(tmp_path, "b.csv", "Ticket ID,Created\n1,2024-01-01\n"), format="tickets")
    # With --channel the same file imports: the opening message and an open status.
    run(con, tmp_path / "b.csv", format="tickets", channel="Phone")
    assert con.execute("SELECT type, channel, queue FROM events ORDER BY type").fetchall() == [
        ("message", "phone", "phone"), ("status", "phone", "phone")]


def test_reimport_adds_nothing(con, tmp_path):
    path = write(tmp_path, "z.csv", ZENDESK)
    first = run(con, path)
    second = run(con, path)
    assert first.imported > 0 and second.imported == 0 and second.rejected == 0


def test_column_matching():
    cols = ["Ticket ID", "CREATED_AT", "ticket status", "Ticket Type", "Category", "First Response Time (minutes)",
            "Resolution_Time_Hours", "agent_interactions", "Customer"]
    found = tickets.resolve_names(cols)
    assert found["conversation_id"] == (0, None)
    assert found["opened_at"] == (1, None)
    assert found["status"] == (2, None)
    # Both topic candidates: Ticket Type is the topic, Category the subtopic.
    assert (found["topic"], found["subtopic"]) == ((3, None), (4, None))
    assert found["first_response"] == (5, "minutes")
    assert found["resolution"] == (6, "hours")
    assert found["replies"] == (7, None)
    assert found["customer"] == (8, None)
    assert tickets.matches([c.lower() for c in cols])
    assert not tickets.matches(["conversation_id", "text"])


def test_without_status_column_a_resolution_time_means_resolved(con, tmp_path):
    path = write(tmp_path, "n.csv", """
Ticket ID,Created,Channel,Resolved,Satisfaction
1,2024-01-01 09:00,Chat,2024-01-01 10:00,Good
2,2024-01-01 09:00,Chat,,3
""")
    assert run(con, path).rejected == 0
    # 1: no status column, a resolution time -> resolved at 10:00. "Good" is not a
    # number: no survey event, the rating is kept on the opening event.
    e = events(con, "1")
    assert e["status:resolved"][0] == datetime(2024, 1, 1, 10)
    assert "csat" not in e
    assert json.loads(one(con, "SELECT extra FROM events WHERE event_id = '1:opened'")[0]) == {"csat": "Good"}
    # 2: nothing says resolved -> open at opening; its survey (3 of 5) at opening too.
    e = events(con, "2")
    assert e["status:open"][0] == datetime(2024, 1, 1, 9)
    assert e["csat"][0] == datetime(2024, 1, 1, 9)
    assert one(con, "SELECT scale_max FROM events WHERE event_id = '2:csat'") == (5.0,)


def test_summary_counts_ticket_rows_not_events(con, tmp_path):
    # three ticket rows stage about five events each; the summary counts input rows
    path = write(tmp_path, "zendesk.csv", ZENDESK)
    first = run(con, path)
    assert (first.rows_read, first.imported, first.duplicates, first.rejected) == (3, 3, 0, 0)
    again = run(con, path)
    assert (again.rows_read, again.imported, again.duplicates, again.rejected) == (3, 0, 3, 0)
