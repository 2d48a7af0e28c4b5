"""The stage/commit API (pipeline.stage, Records, Ledger, commit, abort) and the follower
built on it: bytes and files give the same rows and ledger, chunks at any split points
give the database one import gives, a damaged record costs one reject at its line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcare_tui.errors import UserError
from socialcare_tui.ingest import framing, pipeline
from socialcare_tui.ingest.follow import Follower
from socialcare_tui.ingest.pipeline import ImportOptions, Ledger, Records
from socialcare_tui.store import open_db

EVENTS = ImportOptions(format="events")
HEADER = ["event_id", "conversation_id", "at", "channel", "direction", "text"]
# every events column but the row counter, in a fixed order
COLUMNS = ("namespace, event_id, conv_key, conversation_id, ts, type, channel, queue, direction, author, "
           "automated, text, value, extra, source_id, line")
LEDGER = "path, size, content_hash, format, namespace, rows_read, imported, duplicates, rejected, byte_offset"


def csv_text(rows: list[list[str]], newline: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([HEADER, *rows])
    return out.getvalue().encode()


def row(n: int, text: str = "", at: str | None = None) -> list[str]:
    return [f"e{n}", f"c{n % 3}", at or f"2024-05-01T10:{n % 60:02d}:00Z", "sms", "in" if n % 2 else "out",
            text or f"message {n}"]


def stored(con: duckdb.DuckDBPyConnection, what: str, table: str) -> list[tuple]:
    return con.execute(f"SELECT {what} FROM {table} ORDER BY ALL").fetchall()


def file_ledger(path: Path, data: bytes, first_line: int) -> Ledger:
    """The ledger row a file import writes for `path`, given by hand."""
    st_ = path.stat()
    return Ledger(path=str(path.resolve()), size=st_.st_size,
                  mtime=datetime.utcfromtimestamp(st_.st_mtime), content_hash=hashlib.sha256(data).hexdigest(),
                  byte_offset=len(data), first_line=first_line)


@pytest.mark.parametrize(("name", "data", "first_line"), [
    ("feed.csv", csv_text([row(1), row(2, 'a "quoted"\nline'), row(3, at="not a time"), row(2)]), 2),
    ("feed.csv", b'event_id,conversation_id,at,channel,direction,text,"a note\nin two lines"\n'
                 b"e1,c1,2024-05-01T10:00:00Z,sms,in,hi,x\ne2,c1,2024-05-01T10:01:00Z,sms,out,ho\n", 3),
    ("feed.tsv", b"event_id\tconversation_id\tat\tchannel\tdirection\ttext\n"
                 b"e1\tc1\t2024-05-01T10:00:00Z\tsms\tin\thi\ne2\tc1\tyesterday\tsms\tout\tho\n", 2),
    ("feed.jsonl", b'{"event_id": "e1", "conversation_id": "c1", "at": "2024-05-01T10:00:00Z", "channel": "sms", "direction": "in"}\n'
                   b'[1, 2]\n'
                   b'{"event_id": "e2", "conversation_id": "c1", "at": "2024-05-01T10:01:00Z", "channel": "sms", "direction": "out"}\n',
     1),
])
def test_bytes_and_the_file_give_the_same_rows_rejects_and_ledger(tmp_path, name, data, first_line):
    path = tmp_path / name
    path.write_bytes(data)
    from_file = open_db(tmp_path / "file.duckdb")
    from_bytes = open_db(tmp_path / "bytes.duckdb")
    try:
        one = pipeline.commit(from_file, pipeline.stage(from_file, path, ImportOptions()))
        staged = pipeline.stage(from_bytes, Records(path, data), ImportOptions(),
                                file_ledger(path, data, first_line))
        two = pipeline.commit(from_bytes, staged)
        assert (one.rows_read, one.imported, one.duplicates, one.rejected) == \
            (two.rows_read, two.imported, two.duplicates, two.rejected)
        assert one.rejected == 1  # the bad time, the bad TSV time, the array: one reject each
        for what, table in ((COLUMNS, "events"), ("source_id, path, line, reason, raw", "rejects"),
                            (LEDGER, "sources")):
            assert stored(from_file, what, table) == stored(from_bytes, what, table), table
        assert stored(from_file, "count(*)", "fact_conv") == stored(from_bytes, "count(*)", "fact_conv")
        assert stored(from_bytes, "count(*)", "fact_conv")[0][0] > 0  # the facts upkeep ran in the commit
    finally:
        from_file.close()
        from_bytes.close()


def test_records_without_a_ledger_are_booked_under_their_own_name(con, tmp_path):
    name = tmp_path / "pasted.csv"  # never written: the name only names the bytes
    data = csv_text([row(1), row(2)])
    summary = pipeline.commit(con, pipeline.stage(con, Records(name, data), EVENTS))
    assert summary.path == str(name) and summary.imported == 2
    assert stored(con, "path, size, byte_offset, content_hash", "sources") == [
        (str(name), len(data), len(data), hashlib.sha256(data).hexdigest())]
    assert stored(con, "line", "events") == [(2,), (3,)]


def test_a_ledger_row_given_by_the_caller_takes_the_counts_and_the_lines(con, tmp_path):
    log = tmp_path / "feed.csv"
    first = pipeline.commit(con, pipeline.stage(con, Records(log, csv_text([row(1), row(2)])), EVENTS,
                                                Ledger(str(log), 10, datetime(2024, 5, 1), "h1", 10, 2)))
    second = Ledger(str(log), 20, datetime(2024, 5, 2), "h2", 20, first_line=7, source_id=first.source_id)
    summary = pipeline.commit(con, pipeline.stage(con, Records(log, csv_text([row(3), row(1), row(4, at="never")])),
                                                  EVENTS, second))
    assert summary.source_id == first.source_id
    assert (summary.rows_read, summary.imported, summary.duplicates, summary.rejected) == (3, 1, 1, 1)
    assert stored(con, "source_id, rows_read, imported, duplicates, rejected, size, content_hash, byte_offset",
                  "sources") == [(first.source_id, 5, 3, 1, 1, 20, "h2", 20)]
    assert stored(con, "event_id, line", "events") == [("e1", 2), ("e2", 3), ("e3", 7)]
    assert stored(con, "path, line", "rejects") == [(str(log), 9)]


def test_a_refusal_names_the_records_and_abort_leaves_nothing(con, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the bytes pass through
    log = tmp_path / "live" / "feed.jsonl"
    with pytest.raises(UserError) as refused:
        pipeline.stage(con, Records(log, b'{"foo": 1}\n'), EVENTS)
    assert str(refused.value).startswith(f"{log}: missing required column 'conversation_id'")
    line = b'{"event_id": "e1", "conversation_id": "c", "channel": "sms", "at": "2024-05-01T10:00:00Z", ' \
           b'"direction": "in", "text": "hi"}\n'
    staged = pipeline.stage(con, Records(log, line), EVENTS)
    assert staged.summary.imported == 1
    assert stored(con, "count(*)", "events") == [(1,)]  # inside the open transaction
    pipeline.abort(con, staged)
    assert stored(con, "count(*)", "events") + stored(con, "count(*)", "sources") == [(0,), (0,)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("socialcare-stage-")]  # cleaned up


# -- the follower: chunks at any split points -------------------------------------------

texts = st.text(alphabet='ab ,"\n', max_size=8)


@st.composite
def appended_file(draw) -> tuple[str, bytes, list[int]]:
    """A feed (CSV with quoted fields that span lines and repeat ids, or JSON Lines) and
    the byte offsets at which its writer stopped."""
    kind = draw(st.sampled_from(["csv", "csv-crlf", "jsonl"]))
    numbers = draw(st.lists(st.integers(1, 6), min_size=1, max_size=8))
    bad = draw(st.sets(st.integers(0, len(numbers) - 1), max_size=2))
    rows = [row(n, draw(texts), at="no time" if i in bad else None) for i, n in enumerate(numbers)]
    if kind == "jsonl":
        keys = ("event_id", "conversation_id", "at", "channel", "direction", "text")
        lines = [json.dumps(dict(zip(keys, [r[0], r[1], r[2], "sms", r[4], r[5]], strict=True))) + "\n"
                 for r in rows]
        data = "".join(lines).encode()
    else:
        data = csv_text(rows, "\r\n" if kind == "csv-crlf" else "\n")
    cuts = sorted(draw(st.sets(st.integers(1, len(data) - 1), max_size=3))) if len(data) > 1 else []
    return ("feed.jsonl" if kind == "jsonl" else "feed.csv"), data, cuts


def _database(path: Path) -> dict[str, list[tuple]]:
    con = open_db(path, read_only=True)
    try:
        return {
            "events": stored(con, COLUMNS, "events"),
            "rejects": stored(con, "source_id, path, line, reason", "rejects"),
            "sources": stored(con, "source_id, path, format, namespace, rows_read, imported, duplicates, "
                                   "rejected, byte_offset", "sources"),
            "facts": stored(con, "* EXCLUDE (valid_from, valid_to)", "fact_conv"),
        }
    finally:
        con.close()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(feed=appended_file())
def test_a_file_appended_in_chunks_gives_the_database_one_read_gives(tmp_path_factory, feed):
    name, data, cuts = feed
    results = []
    for pieces in ([data], [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]):
        where = tmp_path_factory.mktemp("feed")
        log, db = where / name, where / "db.duckdb"
        open_db(db).close()
        follower = Follower([log], db, EVENTS)
        with log.open("wb") as fh:
            for piece in pieces:
                fh.write(piece)
                fh.flush()
                follower.poll()
        results.append(_database(db))
    one, chunked = results
    for table in one:
        # the path differs (two folders): compare the rest
        assert _paths_out(one[table]) == _paths_out(chunked[table]), (table, cuts)


def _paths_out(rows: list[tuple]) -> list[tuple]:
    return [tuple("PATH" if isinstance(v, str) and v.endswith(("feed.csv", "feed.jsonl")) else v for v in r)
            for r in rows]


def test_a_damaged_record_in_an_appended_chunk_is_one_reject_at_its_line(tmp_path):
    db = tmp_path / "db.duckdb"
    open_db(db).close()
    log = tmp_path / "feed.csv"
    log.write_bytes(csv_text([row(1), row(2, "two\nlines"), row(3)]))  # lines 2, 3-4, 5
    follower = Follower([log], db, EVENTS)
    assert [b.imported for b in follower.poll()] == [3]
    with log.open("ab") as fh:
        fh.write(csv_text([row(4), row(5)])[len(csv_text([])):])  # lines 6, 7
        fh.write(b"e6,c0,2024-05-01T10:06:00Z,sms,in,one,field,too,many\n")  # line 8
        fh.write(csv_text([row(7, at="the day after")])[len(csv_text([])):])  # line 9
        fh.write(csv_text([row(8)])[len(csv_text([])):])  # line 10
    batches = follower.poll()
    assert [(b.rows_read, b.imported, b.rejected) for b in batches] == [(5, 3, 2)]
    con = open_db(db, read_only=True)
    try:
        assert stored(con, "line, reason LIKE 'malformed record%'", "rejects") == [(8, True), (9, False)]
        assert stored(con, "event_id, line", "events") == [
            ("e1", 2), ("e2", 3), ("e3", 5), ("e4", 6), ("e5", 7), ("e8", 10)]
        assert stored(con, "path, rows_read, imported, rejected, byte_offset", "sources") == [
            (str(log), 8, 6, 2, log.stat().st_size)]
    finally:
        con.close()
    assert not [p for p in Path(tempfile.gettempdir()).glob("socialcare-stage-*") if p.stat().st_uid == os.getuid()
                and p.stat().st_mtime > log.stat().st_mtime]


def test_framing_agrees_with_the_followers_split_and_count():
    data = csv_text([row(1, 'x "y"\nz'), row(2), row(3, "\n\n")]) + b'e9,"open\n'
    end = framing.complete_end(data, quoted=True)
    records = framing.split(data[:end], quoted=True)
    assert [r[:2] for r in records] == [b"ev", b"e1", b"e2", b"e3"]
    assert framing.lines_in(records) == data[:end].count(b"\n") == 7  # line numbers count these
    assert framing.first_record(data) == records[0]
    assert framing.to_lf(b"a,b\r\n") == b"a,b\n" and framing.strip_line_end("a\r\n") == "a"
