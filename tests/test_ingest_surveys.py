"""Survey exports: csat/nps events with origin 'survey',
linked to conversations of the `--link` namespace."""

from __future__ import annotations

from datetime import datetime

import pytest

from socialcare_tui.errors import UserError
from socialcare_tui.ingest import pipeline
from socialcare_tui.ingest.pipeline import ImportOptions

SURVEYS = (
    "conversation_id,at,channel,kind,score,scale_max,comment\n"
    "c1,2024-02-01T10:00:00Z,,CSAT,4,,quick and kind\n"      # channel from its conversation
    ",2024-02-01T11:00:00Z,Web Chat,nps,9,,\n"               # no conversation: counts for its channel
    "c2,2024-02-01 12:00,email,csat,80,100,\n"
    ",2024-02-01T13:00:00Z,,nps,7,,\n"                       # neither channel nor conversation
    "c1,2024-02-01T14:00:00Z,sms,nps,12,,\n"
    "c1,2024-02-01T15:00:00Z,sms,ces,3,,\n"
    "c1,not a time,sms,csat,3,,\n"
    "c1,2024-02-01T16:00:00Z,sms,csat,,,\n"
)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_surveys_become_csat_and_nps_events(con, tmp_path):
    log = write(tmp_path / "log.csv", "event_id,conversation_id,at,channel,direction\ne1,c1,2024-02-01T09:00:00Z,X,in\n")
    pipeline.import_file(con, log)
    s = pipeline.import_file(con, write(tmp_path / "s.csv", SURVEYS))
    assert (s.format, s.namespace) == ("surveys", "surveys")
    assert (s.rows_read, s.imported, s.duplicates, s.rejected) == (8, 3, 0, 5)
    got = con.execute(
        "SELECT namespace, conv_key, conversation_id, ts, type, channel, value, scale_max, text, origin, direction "
        "FROM events WHERE origin = 'survey' ORDER BY line"
    ).fetchall()
    assert got == [
        ("surveys", "events:c1", "c1", datetime(2024, 2, 1, 10), "csat", "twitter", "4", 5.0, "quick and kind",
         "survey", None),
        ("surveys", None, None, datetime(2024, 2, 1, 11), "nps", "webchat", "9", None, None, "survey", None),
        ("surveys", "events:c2", "c2", datetime(2024, 2, 1, 12), "csat", "email", "80", 100.0, None, "survey", None),
    ]
    reasons = con.execute("SELECT line, reason FROM rejects ORDER BY line").fetchall()
    assert reasons == [
        (5, "survey with neither a channel nor a conversation_id (give --channel)"),
        (6, "nps score 12 is outside 0-10"),
        (7, "unknown kind 'ces' (csat or nps)"),
        (8, "time 'not a time' is not ISO 8601 or epoch seconds/milliseconds"),
        (9, "missing score"),
    ]


def test_link_namespace_and_channel_option(con, tmp_path):
    f = write(tmp_path / "s.csv", "conversation_id,at,kind,score\n77,2024-02-01T10:00:00Z,nps,10\n,2024-02-01T10:00:00Z,nps,0\n")
    s = pipeline.import_file(con, f, ImportOptions(link="tickets", channel="Call"))
    assert s.imported == 2
    assert con.execute("SELECT conv_key, channel FROM events ORDER BY line").fetchall() == [
        ("tickets:77", "phone"), (None, "phone")]


def test_surveys_are_idempotent(con, tmp_path):
    f = write(tmp_path / "s.csv", SURVEYS)
    first = pipeline.import_file(con, f)
    again = pipeline.import_file(con, f)
    assert (again.imported, again.duplicates, again.rejected) == (0, first.imported, first.rejected)


def test_surveys_need_at_kind_and_score(con, tmp_path):
    f = write(tmp_path / "s.csv", "at,kind,rating\n2024-02-01,csat,4\n")
    with pytest.raises(UserError, match="missing required column 'score' for format surveys"):
        pipeline.import_file(con, f, ImportOptions(format="surveys"))
    # without --format the columns are not recognised at all
    with pytest.raises(UserError, match="unknown format"):
        pipeline.import_file(con, f)
