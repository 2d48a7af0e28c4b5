"""Live feeds under load: a rotated file is drained through its old handle, writers get the
database ahead of any number of readers, and CRLF logs take LF appends."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from socialcare_tui.errors import DatabaseUnavailable
from socialcare_tui.ingest.follow import Follower
from socialcare_tui.ingest.pipeline import ImportOptions
from socialcare_tui.store import open_db
from socialcare_tui.store.access import TURN_SUFFIX, Backoff, database

EVENTS = ImportOptions(format="events")


def jline(n: int) -> str:
    return (
        f'{{"event_id": "e{n}", "conversation_id": "c{n % 3}", "at": "2024-05-01T10:{n % 60:02d}:00Z", '
        f'"channel": "webchat", "direction": "in", "text": "message {n}"}}\n'
    )


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(text)


def event_ids(db_path) -> list[str]:
    with database(db_path, read_only=True) as con:
        return sorted(r[0] for r in con.execute("SELECT event_id FROM events").fetchall())


@pytest.fixture
def db(db_path):
    open_db(db_path).close()
    return db_path


# ---------------------------------------------------------------- item 1a: drain before moving on


def test_lines_appended_before_a_rotation_are_read_from_the_old_file(db, tmp_path):
    """The follower was kept from the database while the writer appended and rotated:
    what went into the old file after the last read is not lost."""
    log = tmp_path / "feed.jsonl"
    append(log, jline(1) + jline(2))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    append(log, jline(3) + jline(4))  # never read before the rotation
    log.rename(tmp_path / "feed.jsonl.1")
    append(log, jline(5))
    batches = follower.poll()
    assert [(b.imported, b.restarted) for b in batches] == [(2, None), (1, "rotated")]
    assert event_ids(db) == ["e1", "e2", "e3", "e4", "e5"]
    assert follower.poll() == []


def test_two_rotations_during_one_wait_lose_only_what_no_handle_reached(db, tmp_path):
    """tail -F semantics: the generation held open is drained; one the follower never
    opened (created and rotated away between two polls) cannot be, and nothing is doubled."""
    log = tmp_path / "feed.jsonl"
    append(log, jline(1))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    append(log, jline(2))
    log.rename(tmp_path / "feed.jsonl.2")
    append(log, jline(3))
    follower.poll()
    append(log, jline(4))
    log.rename(tmp_path / "feed.jsonl.3")
    append(log, jline(5) + jline(4))  # the writer repeats a line in the new file
    follower.poll()
    assert event_ids(db) == ["e1", "e2", "e3", "e4", "e5"]


def test_a_name_moved_away_is_drained_before_the_new_file_appears(db, tmp_path):
    log = tmp_path / "feed.jsonl"
    append(log, jline(1))
    follower = Follower([log], db, EVENTS)
    follower.poll()
    append(log, jline(2))
    log.rename(tmp_path / "feed.jsonl.1")  # nothing under the name yet
    assert [b.imported for b in follower.poll()] == [1]
    assert event_ids(db) == ["e1", "e2"]
    append(log, jline(3))
    assert [(b.imported, b.restarted) for b in follower.poll()] == [(1, "rotated")]
    assert event_ids(db) == ["e1", "e2", "e3"]


def test_a_half_line_does_not_open_the_database_again_until_the_file_changes(db, tmp_path, monkeypatch):
    log = tmp_path / "feed.jsonl"
    append(log, jline(1) + jline(2)[:10])
    follower = Follower([log], db, EVENTS)
    follower.poll()
    opened = []
    import socialcare_tui.ingest.follow as follow

    real = follow.database
    monkeypatch.setattr(follow, "database", lambda *a, **k: opened.append(1) or real(*a, **k))
    assert follower.poll() == [] and opened == []
    append(log, jline(2)[10:])
    assert [b.imported for b in follower.poll()] == [1] and opened == [1]


def test_seeded_appends_and_rotations_land_exactly_once(db, tmp_path):
    """Random interleavings of appends, half lines, rotations and polls: every complete
    line written to a generation the follower had open is imported exactly once."""
    import random

    rng = random.Random(17)
    log = tmp_path / "feed.jsonl"
    follower = Follower([log], db, EVENTS)
    written, pending_half, rotations = 0, "", 0
    append(log, "")
    follower.poll()
    for _ in range(60):
        step = rng.random()
        if step < 0.5:
            text = pending_half
            for _ in range(rng.randint(1, 4)):
                text += jline(written)
                written += 1
            pending_half = ""
            if rng.random() < 0.3:  # a half-written line, finished by the next append
                line = jline(written)
                written += 1
                cut = rng.randint(1, len(line) - 1)
                text, pending_half = text + line[:cut], line[cut:]
            append(log, text)
        elif step < 0.7 and not pending_half:
            rotations += 1
            log.rename(tmp_path / f"feed.jsonl.{rotations}")
            append(log, "")
        else:
            follower.poll()
    append(log, pending_half)
    follower.poll()
    assert rotations > 3
    assert event_ids(db) == sorted(f"e{n}" for n in range(written))
    with database(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (written,)


# ---------------------------------------------------------------- item 2: CRLF logs


def test_lf_rows_appended_to_a_crlf_csv_are_imported(db, tmp_path):
    log = tmp_path / "feed.csv"
    log.write_bytes(b"event_id,conversation_id,at,channel,direction,text\r\n"
                    b"e1,c1,2024-05-01T10:00:00Z,sms,in,one\r\n")
    follower = Follower([log], db, EVENTS)
    follower.poll()
    with log.open("ab") as fh:
        fh.write(b"e2,c1,2024-05-01T10:01:00Z,sms,in,two\ne3,c1,2024-05-01T10:02:00Z,sms,in,three\n")
    batches = follower.poll()
    assert [(b.imported, b.rejected) for b in batches] == [(2, 0)]
    with database(db, read_only=True) as con:
        texts = con.execute("SELECT text FROM events ORDER BY event_id").fetchall()
    assert texts == [("one",), ("two",), ("three",)]  # no stray carriage return either


def test_crlf_rows_appended_to_an_lf_csv_are_imported(db, tmp_path):
    log = tmp_path / "feed.csv"
    log.write_bytes(b"event_id,conversation_id,at,channel,direction,text\ne1,c1,2024-05-01T10:00:00Z,sms,in,one\n")
    follower = Follower([log], db, EVENTS)
    follower.poll()
    with log.open("ab") as fh:
        fh.write(b"e2,c1,2024-05-01T10:01:00Z,sms,in,two\r\n")
    assert [(b.imported, b.rejected) for b in follower.poll()] == [(1, 0)]
    with database(db, read_only=True) as con:
        assert con.execute("SELECT text FROM events WHERE event_id = 'e2'").fetchone() == ("two",)


# ---------------------------------------------------------------- item 1b: writers first

READER = """
import sys, time
from socialcare_tui.store.access import database
db, hold, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
end = time.monotonic() + seconds
print("reading", flush=True)
while time.monotonic() < end:
    with database(db, read_only=True) as con:
        con.execute("SELECT count(*) FROM events").fetchone()
        time.sleep(hold)
"""


def test_a_writer_gets_in_ahead_of_readers_that_never_pause(db):
    """Three readers, each holding the file 0.4 s and opening it again at once, staggered so
    that one of them always holds it: without writer preference the writer never finds a
    gap. With it, the writer waits for the reads under way only."""
    readers = []
    try:
        for _ in range(3):
            proc = subprocess.Popen([sys.executable, "-c", READER, str(db), "0.4", "12"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert proc.stdout.readline().strip() == "reading"
            readers.append(proc)
            time.sleep(0.15)
        time.sleep(0.5)
        waits = []
        for _ in range(5):
            asked = time.monotonic()
            with database(db, backoff=Backoff(total_wait=8)) as con:
                waits.append(time.monotonic() - asked)
                con.execute("INSERT INTO rejects (reason) VALUES ('w')")
            time.sleep(0.2)
    finally:
        for proc in readers:
            proc.kill()
            proc.wait()
    assert max(waits) < 1.5, waits  # one 0.4 s read under way, plus start-up slack
    assert (db.parent / (db.name + TURN_SUFFIX)).exists()


def test_a_writer_that_cannot_get_in_gives_up_with_one_line_and_lets_readers_go_on(db):
    holder = subprocess.Popen([sys.executable, "-c", READER, str(db), "5", "5"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "reading"
        time.sleep(0.3)
        with pytest.raises(DatabaseUnavailable, match="still busy after waiting"):
            with database(db, backoff=Backoff(total_wait=0.5)):
                pass
        # the writer gave up its place: a reader is not kept out by it
        started = time.monotonic()
        with database(db, read_only=True, backoff=Backoff(total_wait=2)) as con:
            con.execute("SELECT 1").fetchone()
        assert time.monotonic() - started < 1
    finally:
        holder.kill()
        holder.wait()


def test_a_first_import_into_a_missing_database_leaves_no_lock_file(tmp_path):
    db = tmp_path / "new.duckdb"
    with pytest.raises(DatabaseUnavailable):
        with database(db, read_only=True):
            pass
    assert list(tmp_path.iterdir()) == []


def test_a_line_finished_just_after_the_last_read_is_read_at_the_next_poll(db, tmp_path, monkeypatch):
    """The soak found it: the writer finished its half line just after the feeder's last
    read of a catch-up; the feeder noted the file's new size as seen and never read it."""
    import socialcare_tui.ingest.follow as follow

    log = tmp_path / "feed.jsonl"
    append(log, jline(1) + jline(2)[:15])
    real = follow._read_from
    finished = []

    def read_then_the_writer_finishes(*args, **kwargs):
        data, cut = real(*args, **kwargs)
        if cut == 0 and not finished:  # nothing complete left: and now the writer finishes it
            finished.append(True)
            append(log, jline(2)[15:])
        return data, cut

    monkeypatch.setattr(follow, "_read_from", read_then_the_writer_finishes)
    follower = Follower([log], db, EVENTS)
    assert [b.imported for b in follower.poll()] == [1]
    assert finished
    assert [b.imported for b in follower.poll()] == [1]
    assert event_ids(db) == ["e1", "e2"]
