"""The events format and the readers: every column, times,
aliases, defaults, rejects, and every supported file layout."""

from __future__ import annotations

import gzip
import json
from datetime import datetime

import duckdb
import pytest

from socialcare_tui.errors import UserError
from socialcare_tui.ingest import channels, pipeline
from socialcare_tui.ingest.pipeline import ImportOptions


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def rows(con, sql: str, params=None):
    return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()


def event(con, event_id: str, *columns: str):
    return con.execute(
        f"SELECT {', '.join(columns)} FROM events WHERE event_id = $id", {"id": event_id}
    ).fetchone()


def test_every_column_case_insensitive_and_extras_kept(con, tmp_path):
    f = write(tmp_path / "ev.csv", (
        "Event_ID,Conversation_Id,AT,Type,Channel,QUEUE,Direction,Author,Automated,Text,Value,"
        "Scale_Max,Quick_Reply,Sentiment,Talk_Seconds,Hold_Seconds,Wrap_Seconds,Region,Priority\n"
        "e1,c1,2024-03-01T09:00:00Z,message,Email,Billing,in,cust,false,hello,,,,-0.5,,,,EU,high\n"
        "e2,c1,2024-03-01T09:10:00Z,message,email,Billing,out,Ann,true,ack,,,qr7,,30,5,10,EU,\n"
        "e3,c1,2024-03-01T10:00:00Z,csat,email,Billing,,,,,4,10,,,,,,EU,\n"
    ))
    s = pipeline.import_file(con, f)
    assert (s.rows_read, s.imported, s.duplicates, s.rejected) == (3, 3, 0, 0)
    assert event(con, "e1", "namespace", "conv_key", "conversation_id", "ts", "type", "channel", "queue",
                 "direction", "author", "automated", "text", "sentiment", "origin", "line") == (
        "events", "events:c1", "c1", datetime(2024, 3, 1, 9, 0), "message", "email", "Billing",
        "in", "cust", False, "hello", -0.5, "log", 2)
    assert event(con, "e2", "automated", "quick_reply", "talk_seconds", "hold_seconds", "wrap_seconds") == (
        True, "qr7", 30.0, 5.0, 10.0)
    assert event(con, "e3", "value", "scale_max") == ("4", 10.0)
    # unknown columns kept in `extra` under their own names, never dropped
    assert json.loads(event(con, "e1", "extra")[0]) == {"Region": "EU", "Priority": "high"}
    assert json.loads(event(con, "e2", "extra")[0]) == {"Region": "EU", "Priority": None}


def test_time_forms(con, tmp_path):
    f = write(tmp_path / "t.csv", (
        "event_id,conversation_id,at,channel,direction\n"
        "offset,c1,2024-07-01T12:00:00+02:00,sms,in\n"     # exact: 10:00 UTC
        "zulu,c1,2024-07-01T12:00:00Z,sms,in\n"            # 12:00 UTC
        "naive,c1,2024-07-01 12:00:00,sms,in\n"            # Paris summer (+2): 10:00 UTC
        "secs,c1,1719835200,sms,in\n"                      # 2024-07-01T12:00:00Z
        "millis,c1,1719835200500,sms,in\n"                 # 12:00:00.5Z
        "dateonly,c1,2024-07-02,sms,in\n"                  # midnight Paris = 2024-07-01 22:00 UTC
        "tweet,c1,Mon Jul 01 12:00:00 +0200 2024,sms,in\n" # exact: 10:00 UTC
        "us,c1,07/01/2024 12:30,sms,in\n"                  # month first, Paris: 10:30 UTC
        "bad,c1,yesterday-ish,sms,in\n"
        "missing,c1,,sms,in\n"
    ))
    s = pipeline.import_file(con, f, ImportOptions(timezone="Europe/Paris"))
    assert (s.imported, s.rejected) == (8, 2)
    got = dict(rows(con, "SELECT event_id, ts FROM events"))
    assert got == {
        "offset": datetime(2024, 7, 1, 10, 0),
        "zulu": datetime(2024, 7, 1, 12, 0),
        "naive": datetime(2024, 7, 1, 10, 0),
        "secs": datetime(2024, 7, 1, 12, 0),
        "millis": datetime(2024, 7, 1, 12, 0, 0, 500000),
        "dateonly": datetime(2024, 7, 1, 22, 0),
        "tweet": datetime(2024, 7, 1, 10, 0),
        "us": datetime(2024, 7, 1, 10, 30),
    }
    reasons = rows(con, "SELECT line, reason FROM rejects ORDER BY line")
    assert reasons[0][0] == 10 and "yesterday-ish" in reasons[0][1] and "not ISO 8601" in reasons[0][1]
    assert reasons[1] == (11, "missing time (at)")


def test_timezone_default_is_utc_and_session_zone_restored(con, tmp_path):
    before = con.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    f = write(tmp_path / "t.csv", "event_id,conversation_id,at,channel,direction\nn,c1,2024-01-01 08:00,sms,in\n")
    pipeline.import_file(con, f)
    assert event(con, "n", "ts") == (datetime(2024, 1, 1, 8, 0),)
    assert con.execute("SELECT current_setting('TimeZone')").fetchone()[0] == before


def test_direction_type_and_status_aliases(con, tmp_path):
    f = write(tmp_path / "a.csv", (
        "event_id,conversation_id,at,type,channel,direction,value\n"
        "d1,c1,2024-01-01T00:00:01Z,,sms,inbound,\n"
        "d2,c1,2024-01-01T00:00:02Z,Message,sms,OUTBOUND,\n"
        "d3,c1,2024-01-01T00:00:03Z,message,sms,True,\n"
        "d4,c1,2024-01-01T00:00:04Z,message,sms,false,\n"
        "s1,c1,2024-01-01T00:00:05Z,status,sms,,Solved\n"
        "s2,c1,2024-01-01T00:00:06Z,status,sms,,closed\n"
        "s3,c1,2024-01-01T00:00:07Z,status,sms,,On-Hold\n"
        "s4,c1,2024-01-01T00:00:08Z,status,sms,,waiting\n"
        "s5,c1,2024-01-01T00:00:09Z,STATUS,sms,,open\n"
        "a1,c1,2024-01-01T00:00:10Z,assign,sms,,\n"
        "t1,c1,2024-01-01T00:00:11Z,tag,sms,,billing/refund\n"
        "n1,c1,2024-01-01T00:00:12Z,nps,sms,,9\n"
        "x1,c1,2024-01-01T00:00:13Z,message,sms,sideways,\n"
        "x2,c1,2024-01-01T00:00:14Z,message,sms,,\n"
        "x3,c1,2024-01-01T00:00:15Z,status,sms,,exploded\n"
        "x4,c1,2024-01-01T00:00:16Z,note,sms,,\n"
        "x5,c1,2024-01-01T00:00:17Z,nps,sms,,11\n"
        "x6,c1,2024-01-01T00:00:18Z,csat,sms,,great\n"
    ))
    s = pipeline.import_file(con, f)
    assert (s.rows_read, s.imported, s.rejected) == (18, 12, 6)
    simple = {r[0]: r[1:] for r in rows(con, "SELECT event_id, type, direction, value FROM events")}
    assert simple == {
        "d1": ("message", "in", None), "d2": ("message", "out", None), "d3": ("message", "in", None),
        "d4": ("message", "out", None), "s1": ("status", None, "resolved"), "s2": ("status", None, "resolved"),
        "s3": ("status", None, "pending"), "s4": ("status", None, "pending"), "s5": ("status", None, "open"),
        "a1": ("assign", None, None), "t1": ("tag", None, "billing/refund"), "n1": ("nps", None, "9"),
    }
    reasons = [r[0] for r in rows(con, "SELECT reason FROM rejects ORDER BY line")]
    assert reasons == [
        "direction 'sideways' is not in/out (inbound/outbound, true/false)",
        "message without a direction (in or out)",
        "unknown status 'exploded' (open, pending, resolved, closed)",
        "unknown type 'note' (message, status, assign, tag, csat, nps)",
        "nps score 11 is outside 0-10",
        "csat score 'great' is not a number",
    ]


def test_csat_scale_default_and_range(con, tmp_path):
    f = write(tmp_path / "c.csv", (
        "event_id,conversation_id,at,type,channel,value,scale_max\n"
        "c5,c1,2024-01-01T00:00:00Z,csat,sms,5,\n"
        "c10,c1,2024-01-01T00:00:01Z,csat,sms,9,10\n"
        "c6,c1,2024-01-01T00:00:02Z,csat,sms,6,\n"
    ))
    s = pipeline.import_file(con, f)
    assert (s.imported, s.rejected) == (2, 1)
    assert event(con, "c5", "scale_max") == (5.0,)  # default scale for csat
    assert event(con, "c10", "scale_max") == (10.0,)
    assert "outside 0-5" in rows(con, "SELECT reason FROM rejects")[0][0]


def test_event_id_absent_is_a_row_hash(con, tmp_path):
    f = write(tmp_path / "h.csv", (
        "conversation_id,at,channel,direction,text\n"
        "c1,2024-01-01T00:00:00Z,sms,in,hi\n"
        "c1,2024-01-01T00:00:00Z,sms,in,hi there\n"
        "c1,2024-01-01T00:00:00Z,sms,in,hi\n"   # the very same row again: a duplicate
    ))
    s = pipeline.import_file(con, f)
    assert (s.rows_read, s.imported, s.duplicates) == (3, 2, 1)
    ids = [r[0] for r in rows(con, "SELECT event_id FROM events ORDER BY line")]
    assert len(set(ids)) == 2 and all(len(i) == 32 for i in ids)


def test_channel_required_on_first_event_and_filled(con, tmp_path):
    f = write(tmp_path / "ch.csv", (
        "event_id,conversation_id,at,channel,direction\n"
        "a1,a,2024-01-01T00:00:00Z,X,in\n"
        "a2,a,2024-01-01T00:01:00Z,,out\n"       # takes the conversation's channel
        "b1,b,2024-01-01T00:00:00Z,,in\n"        # conversation b never has one: rejected
        "b2,b,2024-01-01T00:01:00Z,,out\n"
    ))
    s = pipeline.import_file(con, f)
    assert (s.imported, s.rejected) == (2, 2)
    assert event(con, "a2", "channel", "queue") == ("twitter", "twitter")  # queue defaults to channel
    reasons = rows(con, "SELECT line, reason FROM rejects ORDER BY line")
    assert [r[0] for r in reasons] == [4, 5]
    assert all("no channel for conversation 'b'" in r[1] for r in reasons)
    # a later file continuing conversation a may omit the channel: it is stored
    g = write(tmp_path / "ch2.csv", "event_id,conversation_id,at,direction\na3,a,2024-01-01T00:02:00Z,in\n")
    pipeline.import_file(con, g)
    assert event(con, "a3", "channel", "queue") == ("twitter", "twitter")


def test_channel_and_queue_options_fill_missing_values(con, tmp_path):
    f = write(tmp_path / "o.csv", (
        "event_id,conversation_id,at,channel,queue,direction\n"
        "o1,c1,2024-01-01T00:00:00Z,,,in\n"
        "o2,c2,2024-01-01T00:00:00Z,sms,vip,in\n"
    ))
    pipeline.import_file(con, f, ImportOptions(channel="Web Chat", queue="tier1"))
    assert event(con, "o1", "channel", "queue") == ("webchat", "tier1")
    assert event(con, "o2", "channel", "queue") == ("sms", "vip")  # given values win


def test_missing_queue_stays_in_the_conversation_queue(con, tmp_path):
    f = write(tmp_path / "q.csv", (
        "event_id,conversation_id,at,channel,queue,direction\n"
        "q1,c1,2024-01-01T00:00:00Z,sms,,in\n"        # before any queue: the conversation's first queue
        "q2,c1,2024-01-01T00:01:00Z,sms,vip,out\n"
        "q3,c1,2024-01-01T00:02:00Z,sms,,in\n"        # after vip: stays in vip (no fake transfer)
        "q4,c2,2024-01-01T00:00:00Z,sms,,in\n"        # no queue anywhere: the channel
    ))
    pipeline.import_file(con, f)
    assert dict(rows(con, "SELECT event_id, queue FROM events")) == {
        "q1": "vip", "q2": "vip", "q3": "vip", "q4": "sms"}


def test_channel_aliases_builtin_and_config(con, tmp_path):
    names = ["X", "fb_messenger", "Messenger", "ig", "LIVE-CHAT", "web chat", "Web Portal", "Web_Form",
             "Social Media", "Self Service", "Call", "voice", "E-Mail", "WhatsApp", "Zalo"]
    body = "".join(f"e{i},c{i},2024-01-01T00:00:00Z,{n},in\n" for i, n in enumerate(names))
    f = write(tmp_path / "al.csv", "event_id,conversation_id,at,channel,direction\n" + body)
    pipeline.import_file(con, f, ImportOptions(channel_aliases={"Zalo": "chat-apps", "Voice": "calls"}))
    got = [r[0] for r in rows(con, "SELECT channel FROM events ORDER BY line")]
    assert got == ["twitter", "facebook", "facebook", "instagram", "webchat", "webchat", "web", "web",
                   "social", "self-service", "phone", "calls", "email", "whatsapp", "chat-apps"]
    assert channels.normalise("Live_Chat") == "webchat"
    assert channels.normalise("Voice", {"voice": "calls"}) == "calls"


def test_namespace_option(con, tmp_path):
    f = write(tmp_path / "n.csv", "event_id,conversation_id,at,channel,direction\ne1,7,2024-01-01T00:00:00Z,sms,in\n")
    pipeline.import_file(con, f, ImportOptions(namespace="shopA"))
    assert event(con, "e1", "namespace", "conv_key") == ("shopA", "shopA:7")
    # the same id in another namespace is another event
    s = pipeline.import_file(con, f, ImportOptions(namespace="shopB"))
    assert s.imported == 1


def test_map_option_renames_columns(con, tmp_path):
    f = write(tmp_path / "m.csv", "Thread,When,Medium,Dir\nt1,2024-01-01T00:00:00Z,sms,in\n")
    pipeline.import_file(con, f, ImportOptions(
        format="events", maps={"conversation_id": "thread", "at": "When", "channel": "Medium", "direction": "Dir"}))
    assert rows(con, "SELECT conv_key, channel, direction, extra FROM events") == [("events:t1", "sms", "in", None)]


# -- every file layout ------------------------------------------------------------------

CSV_TEXT = (
    "event_id,conversation_id,at,channel,direction,text\n"
    "e1,c1,2024-01-01T00:00:00Z,sms,in,\"hello, \"\"world\"\"\"\n"
    "e2,c1,2024-01-01T00:05:00Z,sms,out,\"two\nlines\"\n"
)


def make_layout(tmp_path, suffix: str):
    """Write CSV_TEXT as `suffix` (Parquet, JSON and zstd through DuckDB COPY)."""
    src = write(tmp_path / "src.csv", CSV_TEXT)
    target = tmp_path / f"data{suffix}"
    scratch = duckdb.connect()
    read = "SELECT * FROM read_csv($src, all_varchar = true)"
    if suffix == ".csv":
        target.write_text(CSV_TEXT)
    elif suffix == ".tsv":
        target.write_text(CSV_TEXT.replace(",", "\t").replace("hello\t ", "hello, "))
    elif suffix == ".csv.gz":
        target.write_bytes(gzip.compress(CSV_TEXT.encode()))
    elif suffix == ".csv.zst":
        scratch.execute(f"COPY ({read}) TO '{target}' (FORMAT csv, HEADER, COMPRESSION zstd)", {"src": str(src)})
    elif suffix in (".jsonl", ".jsonl.zst", ".json.gz"):
        comp = {"jsonl": "none", "zst": "zstd", "gz": "gzip"}[suffix.rsplit(".", 1)[1]]
        scratch.execute(f"COPY ({read}) TO '{target}' (FORMAT json, COMPRESSION {comp})", {"src": str(src)})
    elif suffix == ".json":
        scratch.execute(f"COPY ({read}) TO '{target}' (FORMAT json, ARRAY true)", {"src": str(src)})
    elif suffix == ".parquet":
        scratch.execute(f"COPY ({read}) TO '{target}' (FORMAT parquet)", {"src": str(src)})
    scratch.close()
    src.unlink()
    return target


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".csv.gz", ".csv.zst", ".jsonl", ".jsonl.zst",
                                    ".json.gz", ".json", ".parquet"])
def test_every_layout_reads_the_same_events(con, tmp_path, suffix):
    path = make_layout(tmp_path, suffix)
    s = pipeline.import_file(con, path)
    assert (s.format, s.rows_read, s.imported, s.rejected) == ("events", 2, 2, 0)
    got = rows(con, "SELECT event_id, ts, direction, text FROM events ORDER BY line")
    assert got == [
        ("e1", datetime(2024, 1, 1, 0, 0), "in", 'hello, "world"'),
        ("e2", datetime(2024, 1, 1, 0, 5), "out", "two\nlines"),
    ]
    size = path.stat().st_size
    assert rows(con, "SELECT size, byte_offset, format FROM sources") == [(size, size, "events")]


def test_json_lines_bad_lines_are_rejected_with_their_line(con, tmp_path):
    f = write(tmp_path / "b.jsonl", (
        '{"event_id": "j1", "conversation_id": "c1", "at": "2024-01-01T00:00:00Z", "channel": "sms", "direction": "in"}\n'
        "not json at all\n"
        "[1, 2]\n"
        '{"event_id": "j2", "conversation_id": "c1", "at": 1704067260, "channel": "sms", "direction": "out", "meta": {"k": 1}}\n'
    ))
    s = pipeline.import_file(con, f)
    assert (s.rows_read, s.imported, s.rejected) == (4, 2, 2)
    assert rows(con, "SELECT line, reason, raw FROM rejects ORDER BY line") == [
        (2, "not valid JSON", "not json at all"), (3, "not a JSON object", "[1, 2]")]
    assert event(con, "j2", "ts", "line") == (datetime(2024, 1, 1, 0, 1), 4)
    assert json.loads(event(con, "j2", "extra")[0]) == {"meta": '{"k":1}'}


def test_parquet_typed_columns_are_read(con, tmp_path):
    target = tmp_path / "typed.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT 'p1' AS event_id, 42 AS conversation_id, TIMESTAMPTZ '2024-01-01 10:00:00+00' AS at, "
        f"'sms' AS channel, true AS direction) TO '{target}' (FORMAT parquet)"
    )
    s = pipeline.import_file(con, target)
    assert s.imported == 1
    assert event(con, "p1", "conv_key", "ts", "direction") == ("events:42", datetime(2024, 1, 1, 10, 0), "in")


def test_missing_required_column_is_a_user_error(con, tmp_path):
    f = write(tmp_path / "r.csv", "conversation_id,when,channel\nc1,2024-01-01,sms\n")
    with pytest.raises(UserError, match=r"missing required column 'at' for format events"):
        pipeline.import_file(con, f, ImportOptions(format="events"))
    assert rows(con, "SELECT count(*) FROM sources") == [(0,)]
