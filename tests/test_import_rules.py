"""Rules for every format: atomic per file, idempotent, nothing lost
silently (rows_read = imported + duplicates + rejected), clear one-line errors that leave
the database unchanged."""

from __future__ import annotations

import gzip
import hashlib
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from socialcare_tui.errors import UserError
from socialcare_tui.ingest import pipeline
from socialcare_tui.ingest.pipeline import ImportOptions
from socialcare_tui.store import open_db

HEADER = "event_id,conversation_id,at,channel,direction,text\n"


def line(i: int) -> str:
    return f"e{i},c{i // 4},2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z,sms,{'in' if i % 2 == 0 else 'out'},msg {i}\n"


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def state(con) -> tuple:
    """Everything an import may change."""
    return (
        con.execute("SELECT count(*), coalesce(sum(hash(event_id, line, source_id)), 0) FROM events").fetchone(),
        con.execute("SELECT count(*) FROM sources").fetchone(),
        con.execute("SELECT count(*) FROM rejects").fetchone(),
    )


def test_same_file_again_adds_nothing_and_appended_rows_only(con, tmp_path):
    f = write(tmp_path / "ev.csv", HEADER + "".join(line(i) for i in range(10)))
    first = pipeline.import_file(con, f)
    assert (first.rows_read, first.imported, first.duplicates, first.rejected) == (10, 10, 0, 0)
    again = pipeline.import_file(con, f)
    assert (again.rows_read, again.imported, again.duplicates, again.rejected) == (10, 0, 10, 0)
    with f.open("a") as fh:
        fh.writelines(line(i) for i in range(10, 13))
    grown = pipeline.import_file(con, f)
    assert (grown.rows_read, grown.imported, grown.duplicates) == (13, 3, 10)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 13
    # each import is one ledger row; byte_offset is the size read
    ledger = con.execute("SELECT source_id, imported, duplicates, byte_offset FROM sources ORDER BY 1").fetchall()
    assert ledger == [(1, 10, 0, ledger[0][3]), (2, 0, 10, ledger[0][3]), (3, 3, 10, f.stat().st_size)]
    last = con.execute(
        "SELECT path, size, content_hash, format, namespace, rows_read, started_at < finished_at "
        "FROM sources WHERE source_id = 3").fetchone()
    assert last == (str(f.resolve()), f.stat().st_size, hashlib.sha256(f.read_bytes()).hexdigest(),
                    "events", "events", 13, True)


def test_appended_rows_without_event_ids_are_the_only_new_ones(con, tmp_path):
    f = write(tmp_path / "ev.csv", "conversation_id,at,channel,direction\nc1,2024-01-01T00:00:00Z,sms,in\n")
    pipeline.import_file(con, f)
    with f.open("a") as fh:
        fh.write("c1,2024-01-01T00:01:00Z,sms,out\n")
    s = pipeline.import_file(con, f)
    assert (s.imported, s.duplicates) == (1, 1)


def test_duplicates_inside_one_file_count_once(con, tmp_path):
    f = write(tmp_path / "ev.csv", HEADER + line(1) + line(2) + line(1) + line(1))
    s = pipeline.import_file(con, f)
    assert (s.rows_read, s.imported, s.duplicates) == (4, 2, 2)
    # the first occurrence is the one kept
    assert con.execute("SELECT line FROM events WHERE event_id = 'e1'").fetchall() == [(2,)]


def test_malformed_csv_records_are_rejected_with_their_line(con, tmp_path):
    f = write(tmp_path / "bad.csv", (
        HEADER
        + line(0)                                            # line 2
        + "e1,c0,2024-01-01T00:00:01Z,sms,in,a,too,many\n"   # line 3: malformed
        + "e2,c0,2024-01-01T00:00:02Z,sms\n"                 # line 4: malformed
        + line(3)                                            # line 5
        + "e4,c1,2024-01-01T00:00:04Z,sms,in,\"multi\nline text\"\n"  # lines 6-7
        + "e5,c1,2024-01-01T00:00:05Z,sms,in,x,y\n"          # line 8: malformed
        + line(6)                                            # line 9
    ))
    s = pipeline.import_file(con, f)
    assert (s.rows_read, s.imported, s.duplicates, s.rejected) == (7, 4, 0, 3)
    assert s.rows_read == s.imported + s.duplicates + s.rejected
    assert con.execute("SELECT event_id, line FROM events ORDER BY line").fetchall() == [
        ("e0", 2), ("e3", 5), ("e4", 6), ("e6", 9)]
    rejects = con.execute("SELECT line, reason, raw, path FROM rejects ORDER BY line").fetchall()
    # lines are those `grep -n` gives: a quoted value spanning lines keeps its lines
    assert [r[0] for r in rejects] == [3, 4, 8]
    assert all(r[1].startswith("malformed record") for r in rejects)
    assert rejects[0][2] == "e1,c0,2024-01-01T00:00:01Z,sms,in,a,too,many"
    assert rejects[0][3] == str(f.resolve())


def test_reply_before_its_message_is_kept_for_kpis(con, tmp_path):
    # events cannot tell which message a reply answers: a negative gap is the KPIs' business
    f = write(tmp_path / "ev.csv", HEADER + "o,c1,2024-01-01T10:00:00Z,sms,out,\ni,c1,2024-01-01T11:00:00Z,sms,in,\n")
    assert pipeline.import_file(con, f).imported == 2


# -- user mistakes: one line, exit 2, database unchanged ------------------------------------


def _mistakes(tmp_path):
    (tmp_path / "empty_folder").mkdir()
    (tmp_path / "notes_folder").mkdir()
    write(tmp_path / "notes_folder" / "readme.md", "hello")
    write(tmp_path / "empty.csv", "")
    write(tmp_path / "header_only.csv", HEADER)
    write(tmp_path / "unknown.csv", "foo,bar\n1,2\n")
    write(tmp_path / "no_at.csv", "conversation_id,channel\nc1,sms\n")
    (tmp_path / "latin1.csv").write_bytes((HEADER + "e1,c1,2024-01-01T00:00:00Z,sms,in,caf\xe9\n").encode("latin-1"))
    (tmp_path / "bad.json").write_bytes(b'[{"conversation_id": "c1", "at": ')
    write(tmp_path / "data.xlsx", "x")
    return [
        (["missing.csv"], {}, r"missing.csv: no such file or folder"),
        (["empty_folder"], {}, r"folder holds no supported files"),
        (["notes_folder"], {}, r"folder holds no supported files"),
        (["empty.csv"], {}, r"empty.csv: empty file"),
        (["header_only.csv"], {}, r"header_only.csv: no data rows"),
        (["unknown.csv"], {}, r"unknown.csv: unknown format, columns not recognised \(foo, bar\)"),
        (["unknown.csv"], {"format": "nosuch"}, r"--format nosuch: unknown format"),
        (["no_at.csv"], {"format": "events"}, r"missing required column 'at'"),
        (["latin1.csv"], {}, r"latin1.csv: line 2 has bytes that are not valid utf-8"),
        (["bad.json"], {}, r"bad.json: cannot be read as JSON"),
        (["data.xlsx"], {}, r"data.xlsx: unsupported file type"),
        (["unknown.csv"], {"format": "events", "maps": {"conversation_id": "Thread"}},
         r"--map conversation_id=Thread: .*unknown.csv has no column 'Thread'"),
        (["unknown.csv"], {"timezone": "Mars/Base"}, r"--timezone: 'Mars/Base' is not an IANA timezone"),
    ]


def test_every_user_mistake_is_one_line_and_changes_nothing(con, tmp_path):
    pipeline.import_file(con, write(tmp_path / "good.csv", HEADER + line(1)))
    before = state(con)
    for paths, options, message in _mistakes(tmp_path):
        with pytest.raises(UserError, match=message) as caught:
            pipeline.import_paths(con, [tmp_path / p for p in paths], ImportOptions(**options))
        assert "\n" not in str(caught.value)
        assert state(con) == before, message


def test_latin1_file_reads_with_its_encoding(con, tmp_path):
    f = tmp_path / "latin1.csv"
    f.write_bytes((HEADER + "e1,c1,2024-01-01T00:00:00Z,sms,in,caf\xe9\n").encode("latin-1"))
    pipeline.import_file(con, f, ImportOptions(encoding="latin-1"))
    assert con.execute("SELECT text FROM events").fetchall() == [("café",)]


def test_a_bad_file_among_good_ones_stops_before_any_import(con, tmp_path):
    good = write(tmp_path / "a.csv", HEADER + line(1))
    bad = write(tmp_path / "b.csv", "foo\n1\n")
    with pytest.raises(UserError, match="unknown format"):
        pipeline.import_paths(con, [good, bad])
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_folders_are_searched_recursively(con, tmp_path):
    (tmp_path / "in" / "deeper").mkdir(parents=True)
    write(tmp_path / "in" / "a.csv", HEADER + line(1))
    (tmp_path / "in" / "deeper" / "b.csv.gz").write_bytes(gzip.compress((HEADER + line(2)).encode()))
    write(tmp_path / "in" / "notes.txt", "ignored")
    summaries = pipeline.import_paths(con, [tmp_path / "in"])
    assert [s.imported for s in summaries] == [1, 1]
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 2


# -- atomic per file -------------------------------------------------------------------------


def _start_import(db, path, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "socialcare_tui", "import", str(path), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _counts(db):
    con = open_db(db)
    try:
        return (con.execute("SELECT count(*) FROM events").fetchone()[0],
                con.execute("SELECT count(*) FROM sources").fetchone()[0],
                con.execute("SELECT count(*) FROM rejects").fetchone()[0])
    finally:
        con.close()


def test_sigkill_mid_import_leaves_nothing_or_the_whole_file(tmp_path):
    db = tmp_path / "kill.duckdb"
    small = write(tmp_path / "small.csv", HEADER + line(1) + "broken,row\n")
    con = open_db(db)
    pipeline.import_file(con, small)
    con.close()
    before = _counts(db)  # (1 event, 1 source, 1 reject)
    n = 60_000
    big = tmp_path / "big.csv"
    duckdb.connect().execute(
        f"COPY (SELECT 'b' || i AS event_id, 'c' || (i // 5) AS conversation_id, "
        f"TIMESTAMP '2024-01-01' + to_seconds(i) AS at, 'sms' AS channel, "
        f"CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END AS direction, 'text ' || i AS text "
        f"FROM range({n}) t(i)) TO '{big}' (HEADER)"
    )
    # Deterministic kill points inside the transaction: after the ledger row, after the move.
    for step in ("started", "moved"):
        proc = _start_import(db, big, {"SOCIALCARE_TUI_PAUSE_AT": step})
        assert proc.stderr.readline().strip() == f"paused at {step}"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _counts(db) == before, step
    # Kills at arbitrary moments: each must leave the old state or the whole file.
    for delay in (0.3, 0.8, 1.4):
        proc = _start_import(db, big)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = _counts(db)
        # whole file: all n events are there (a repeat adds only its ledger row)
        assert after in (before, (1 + n, before[1] + 1, before[2])), delay
        before = after
    # and a clean run finishes the job exactly once
    proc = _start_import(db, big)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert _counts(db)[0] == 1 + n
