"""The live follower: appends, half lines, rotation, truncation, dropped files, CSV headers,
malformed appends, restarts, and the `watch` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import kpi_helpers
import pytest

from socialcare_tui.ingest.follow import Follower
from socialcare_tui.ingest.pipeline import ImportOptions
from socialcare_tui.store import open_db
from socialcare_tui.store.access import database

EVENTS = ImportOptions(format="events")
CSV_HEADER = "event_id,conversation_id,at,channel,direction,text\n"


def jline(n: int, text: str | None = None) -> str:
    body = text if text is not None else f"message {n}"
    return (
        f'{{"event_id": "e{n}", "conversation_id": "c{n % 3}", "at": "2024-05-01T10:{n % 60:02d}:00Z", '
        f'"channel": "webchat", "direction": "in", "text": "{body}"}}\n'
    )


def cline(n: int, text: str | None = None) -> str:
    return f"e{n},c{n % 3},2024-05-01T10:{n % 60:02d}:00Z,sms,in,{text or f'message {n}'}\n"


def write(path: Path, text: str, mode: str = "a") -> None:
    with path.open(mode, encoding="utf-8") as fh:
        fh.write(text)


def rows(db_path, sql: str, params: dict | None = None) -> list[tuple]:
    with database(db_path, read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def event_ids(db_path) -> list[str]:
    return [r[0] for r in rows(db_path, "SELECT event_id FROM events ORDER BY event_id")]


def ledger(db_path, path: Path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT rows_read, imported, duplicates, rejected, byte_offset FROM sources "
        "WHERE path = $p ORDER BY source_id",
        {"p": str(path)},
    )


@pytest.fixture
def db(db_path):
    open_db(db_path).close()
    return db_path


def test_appends_are_imported_and_offset_kept_in_the_ledger(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1) + jline(2) + jline(3))
    follower = Follower([log], db, EVENTS)
    first = follower.poll()
    assert [(b.imported, b.duplicates, b.rejected) for b in first] == [(3, 0, 0)]
    write(log, jline(4) + jline(5))
    second = follower.poll()
    assert [(b.imported, b.offset) for b in second] == [(2, log.stat().st_size)]
    assert follower.poll() == []  # nothing new: no batch, no database access
    assert event_ids(db) == ["e1", "e2", "e3", "e4", "e5"]
    # one ledger row for the followed file: 5 read = 5 imported, offset = the whole file
    assert ledger(db, log) == [(5, 5, 0, 0, log.stat().st_size)]
    lines = rows(db, "SELECT event_id, line FROM events ORDER BY line")
    assert lines == [("e1", 1), ("e2", 2), ("e3", 3), ("e4", 4), ("e5", 5)]
    # no trace of the temporary chunk files in the ledger
    assert rows(db, "SELECT count(*) FROM sources WHERE path <> $p", {"p": str(log)}) == [(0,)]


def test_a_half_written_line_waits_for_its_newline(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    third = jline(3)
    write(log, jline(1) + jline(2) + third[:25])
    follower = Follower([log], db, EVENTS)
    assert [b.imported for b in follower.poll()] == [2]
    complete = len((jline(1) + jline(2)).encode())
    assert ledger(db, log)[-1][4] == complete  # the offset stops before the half line
    write(log, third[25:])
    assert [b.imported for b in follower.poll()] == [1]
    assert event_ids(db) == ["e1", "e2", "e3"]


def test_restart_goes_on_from_the_stored_offset(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1) + jline(2))
    Follower([log], db, EVENTS).poll()
    write(log, jline(3))
    batches = Follower([log], db, EVENTS).poll()  # a new process: reads only the new line
    assert [(b.rows_read, b.imported, b.duplicates) for b in batches] == [(1, 1, 0)]
    assert ledger(db, log) == [(3, 3, 0, 0, log.stat().st_size)]


def test_rotation_reads_the_new_file_from_the_start_without_duplicates(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1) + jline(2) + jline(3))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    log.rename(tmp_path / "feed.jsonl.1")  # logrotate: move away, start a new file
    write(log, jline(3) + jline(4))  # e3 was already imported from the old file
    batches = follower.poll()
    assert [(b.restarted, b.imported, b.duplicates) for b in batches] == [("rotated", 1, 1)]
    assert event_ids(db) == ["e1", "e2", "e3", "e4"]


def test_truncation_reads_again_from_the_start(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1) + jline(2) + jline(3))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    write(log, jline(9), mode="w")  # copytruncate, then a new line: smaller than the offset
    batches = follower.poll()
    assert [(b.restarted, b.imported) for b in batches] == [("truncated", 1)]
    assert event_ids(db) == ["e1", "e2", "e3", "e9"]
    assert ledger(db, log)[-1][4] == log.stat().st_size


def test_a_file_replaced_in_place_by_a_longer_one_is_read_again(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1) + jline(2))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    # same inode, larger size, different first bytes: only the head hash notices
    write(log, jline(7) + jline(1) + jline(2) + jline(8), mode="r+")
    batches = follower.poll()
    assert [(b.restarted, b.imported, b.duplicates) for b in batches] == [("replaced", 2, 2)]
    assert event_ids(db) == ["e1", "e2", "e7", "e8"]


def test_a_file_changed_while_the_follower_was_stopped_is_read_again(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1) + jline(2))
    Follower([log], db, EVENTS).poll()
    write(log, jline(5) + jline(6) + jline(7), mode="w")  # longer, different content
    batches = Follower([log], db, EVENTS).poll()
    # the stored hash of the first bytes no longer matches: all 3 lines are read
    assert [(b.rows_read, b.imported) for b in batches] == [(3, 3)]


def test_files_dropped_into_a_watched_folder_are_imported(db, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    follower = Follower([inbox], db, EVENTS)
    assert follower.poll() == []
    write(inbox / "a.jsonl", jline(1) + jline(2))
    write(inbox / "b.csv", CSV_HEADER + cline(3))
    write(inbox / ".c.jsonl", jline(4))  # hidden: an editor's or a copier's temporary file
    write(inbox / "d.jsonl.part", jline(5))  # still being copied
    write(inbox / "notes.txt", "not data\n")
    batches = follower.poll()
    assert sorted((b.path.name, b.imported) for b in batches) == [("a.jsonl", 2), ("b.csv", 1)]
    assert event_ids(db) == ["e1", "e2", "e3"]


def test_csv_keeps_its_header_across_appends(db, tmp_path):
    log = tmp_path / "feed.csv"
    write(log, CSV_HEADER + cline(1))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    write(log, cline(2) + cline(3, text='"two, with a comma"'))
    assert [b.imported for b in follower.poll()] == [2]
    got = rows(db, "SELECT event_id, channel, text, line FROM events ORDER BY line")
    # the header is line 1, so the rows are lines 2, 3 and 4 of the file
    assert got == [
        ("e1", "sms", "message 1", 2),
        ("e2", "sms", "message 2", 3),
        ("e3", "sms", "two, with a comma", 4),
    ]


def test_csv_record_with_a_quoted_newline_waits_until_its_quote_closes(db, tmp_path):
    log = tmp_path / "feed.csv"
    write(log, CSV_HEADER + cline(1) + 'e2,c2,2024-05-01T11:00:00Z,sms,in,"first line\n')
    follower = Follower([log], db, EVENTS)
    assert [b.imported for b in follower.poll()] == [1]
    write(log, 'second line"\n')
    assert [b.imported for b in follower.poll()] == [1]
    assert rows(db, "SELECT text FROM events WHERE event_id = 'e2'") == [("first line\nsecond line",)]


def test_a_malformed_append_is_rejected_and_following_goes_on(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    write(log, jline(2) + "{this is not json\n" + jline(3))
    batch = follower.poll()[0]
    assert (batch.rows_read, batch.imported, batch.rejected) == (3, 2, 1)
    assert rows(db, "SELECT line, raw FROM rejects") == [(3, "{this is not json")]
    write(log, jline(4))
    assert [b.imported for b in follower.poll()] == [1]
    # the ledger adds up: 4 good + 1 rejected = 5 read
    assert ledger(db, log)[-1][:4] == (5, 4, 0, 1)


def test_an_unreadable_append_is_rejected_and_following_goes_on(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    with log.open("ab") as fh:
        fh.write(jline(2).encode() + b'{"event_id": "e\xff\xfe", "at": "x"}\n' + jline(3).encode())
    batch = follower.poll()[0]
    assert (batch.imported, batch.rejected) == (2, 1)
    assert rows(db, "SELECT line FROM rejects") == [(3,)]
    assert event_ids(db) == ["e1", "e2", "e3"]


def test_events_appear_in_a_report_query_within_two_seconds(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1))
    stop = threading.Event()
    follower = Follower([log], db, EVENTS)
    thread = threading.Thread(target=follower.run, args=(stop,), kwargs={"interval": 0.2}, daemon=True)
    thread.start()
    try:
        count = "SELECT count(*) FROM events WHERE type = 'message'"
        assert _poll_until(lambda: rows(db, count)[0][0] == 1, 2.0)
        write(log, jline(2) + jline(3))
        started = time.monotonic()
        assert _poll_until(lambda: rows(db, count)[0][0] == 3, 2.0), "appended events not imported in 2 s"
        assert time.monotonic() - started < 2.0
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def _poll_until(check, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "systemd-stop"])
def test_watch_command_prints_a_line_per_batch_and_exits_0_when_stopped(db, tmp_path, stop_signal):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1) + jline(2))
    proc = subprocess.Popen(
        [sys.executable, "-m", "socialcare_tui", "watch", str(log), "--db", str(db),
         "--format", "events", "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout.readline().startswith("watching ")
        first = proc.stdout.readline()
        assert "feed.jsonl: 2 imported, 0 duplicates, 0 rejected" in first
        write(log, jline(3))
        assert "feed.jsonl: 1 imported" in proc.stdout.readline()
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_watch_refuses_a_path_whose_folder_does_not_exist(db, tmp_path):
    from socialcare_tui.cli import main

    assert main(["watch", str(tmp_path / "nowhere" / "x.jsonl"), "--db", str(db)]) == 2


def test_a_batch_the_pipeline_refuses_is_split_until_the_bad_line_is_found(db, tmp_path, monkeypatch):
    from socialcare_tui.errors import UserError
    from socialcare_tui.ingest import pipeline

    real = pipeline.stage
    calls = []

    def refuse_poison(con, source, options, ledger=None):
        calls.append(source)
        if b"POISON" in source.data:
            raise UserError(f"{source.name}: cannot be read as JSON Lines (poisoned)")
        return real(con, source, options, ledger)

    monkeypatch.setattr(pipeline, "stage", refuse_poison)
    log = tmp_path / "feed.jsonl"
    write(log, "".join(jline(n) for n in range(1, 5)) + jline(5, "POISON") + "".join(jline(n) for n in range(6, 9)))
    batch = Follower([log], db, EVENTS).poll()[0]
    assert (batch.rows_read, batch.imported, batch.rejected) == (8, 7, 1)
    assert batch.error == f"{log}: cannot be read as JSON Lines (poisoned)"  # the followed file, not the chunk
    assert rows(db, "SELECT line, reason FROM rejects") == [(5, batch.error)]
    # every event keeps its line in the followed file, whichever piece imported it
    assert rows(db, "SELECT count(*) FROM events WHERE line = CAST(substr(event_id, 2) AS INT)") == [(7,)]
    assert ledger(db, log) == [(8, 7, 0, 1, log.stat().st_size)]
    assert len(calls) < 8  # split in halves, not tried line by line


def test_a_new_file_of_another_format_is_refused_whole_until_it_changes(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, '{"foo": 1}\n{"foo": 2}\n')
    follower = Follower([log], db, EVENTS)
    batch = follower.poll()[0]
    assert (batch.rows_read, batch.rejected) == (0, 0)
    assert "missing required column 'conversation_id'" in batch.error
    assert rows(db, "SELECT count(*) FROM rejects UNION ALL SELECT count(*) FROM sources") == [(0,), (0,)]
    assert follower.poll() == []  # unchanged: not tried again
    write(log, jline(1), mode="w")  # replaced by a good file
    assert [b.imported for b in follower.poll()] == [1]


def test_appended_lines_without_the_formats_columns_are_all_rejected_at_once(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    write(log, jline(1))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    write(log, '{"foo": 1}\n\n{"foo": 3}\n')
    batch = follower.poll()[0]
    assert (batch.rows_read, batch.imported, batch.rejected) == (2, 0, 2)  # the blank line is no row
    assert "missing required column" in batch.error
    assert rows(db, "SELECT line, raw FROM rejects ORDER BY line") == [(2, '{"foo": 1}'), (4, '{"foo": 3}')]
    assert ledger(db, log) == [(3, 1, 0, 2, log.stat().st_size)]


def test_a_csv_header_alone_waits_for_rows(db, tmp_path):
    log = tmp_path / "feed.csv"
    write(log, CSV_HEADER)
    follower = Follower([log], db, EVENTS)
    assert [(b.rows_read, b.offset) for b in follower.poll()] == [(0, len(CSV_HEADER))]
    write(log, cline(1))
    assert [b.imported for b in follower.poll()] == [1]
    assert rows(db, "SELECT format, rows_read, imported FROM sources") == [("events", 1, 1)]


def test_appended_events_reach_the_kpi_report_within_two_seconds(db, tmp_path):
    from socialcare_tui.config import KpiConfig
    from socialcare_tui.kpi import engine

    def inbound_volume() -> int:
        with database(db, read_only=True) as con:
            report = kpi_helpers.report(con, engine.Scope(), KpiConfig(), kpis=["inbound_volume"])
        return report["kpis"]["inbound_volume"]["value"] or 0

    log = tmp_path / "feed.jsonl"
    write(log, jline(1))  # jline rows are inbound customer messages
    stop = threading.Event()
    thread = threading.Thread(target=Follower([log], db, EVENTS).run, args=(stop,),
                              kwargs={"interval": 0.2}, daemon=True)
    thread.start()
    try:
        assert _poll_until(lambda: inbound_volume() == 1, 2.0)
        write(log, jline(2) + jline(3))
        # 1 inbound message before, 2 appended: the report says 3 within 2 s
        assert _poll_until(lambda: inbound_volume() == 3, 2.0), "the report did not change within 2 s"
    finally:
        stop.set()
        thread.join(5)


def test_a_backlog_larger_than_one_batch_is_imported_in_order(db, tmp_path, monkeypatch):
    from socialcare_tui.ingest import follow

    monkeypatch.setattr(follow, "MAX_BATCH_BYTES", 300)  # about two lines per batch
    log = tmp_path / "feed.jsonl"
    write(log, "".join(jline(n) for n in range(1, 8)) + jline(8, "x" * 500))  # the last line alone > 300
    batches = Follower([log], db, EVENTS).poll()
    assert sum(b.imported for b in batches) == 8
    assert len(batches) >= 4  # 7 lines of ~140 bytes, 2 a batch, then the long one
    assert [b.offset for b in batches] == sorted(b.offset for b in batches)
    assert batches[-1].offset == log.stat().st_size
    assert rows(db, "SELECT count(*) FROM events WHERE line = CAST(substr(event_id, 2) AS INT)") == [(8,)]
    assert ledger(db, log) == [(8, 8, 0, 0, log.stat().st_size)]


def test_a_json_array_dropped_into_a_folder_is_imported_whole_once_it_stops_growing(db, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    follower = Follower([inbox], db, EVENTS)
    array = "[" + ",".join(jline(n).strip() for n in (1, 2)) + "]"
    write(inbox / "drop.json", array)
    assert follower.poll() == []  # first sight: it may still be being written
    batches = follower.poll()  # same size and time one poll later: imported whole
    assert [(b.path.name, b.imported) for b in batches] == [("drop.json", 2)]
    assert follower.poll() == []
    assert Follower([inbox], db, EVENTS).poll() == []  # a restarted feeder: first sight
    restarted = Follower([inbox], db, EVENTS)
    restarted.poll()
    assert restarted.poll() == []  # the ledger already has it at this size
    assert event_ids(db) == ["e1", "e2"]
