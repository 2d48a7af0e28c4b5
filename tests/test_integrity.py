"""Whole-file integrity (issue 16, item 3): truncated or corrupt containers are refused
with one line and leave the database as it was, in `import` and in `watch`; UTF-16 in
either byte order is read; a mostly-NUL file is refused from a bounded prefix."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import zstandard
from cli_helpers import run_process as cli

from socialcare_tui.errors import UserError
from socialcare_tui.ingest import integrity, pipeline
from socialcare_tui.ingest.follow import Follower
from socialcare_tui.ingest.pipeline import ImportOptions
from socialcare_tui.store import open_db

HEADER = "event_id,conversation_id,at,channel,direction,text\n"


def rows(n: int) -> str:
    return HEADER + "".join(
        f"e{i},c{i // 4},2024-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z,sms,"
        f"{'in' if i % 2 == 0 else 'out'},message number {i} with some words\n" for i in range(n))


def state(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (con.execute("SELECT count(*) FROM events").fetchone(),
                con.execute("SELECT count(*) FROM sources").fetchone())
    finally:
        con.close()


def truncated_files(tmp: Path) -> list[Path]:
    text = rows(20000).encode()
    zst = zstandard.ZstdCompressor(write_checksum=True).compress(text)
    gz = gzip.compress(text)
    con = duckdb.connect()
    clean = tmp / "clean.csv"
    clean.write_bytes(text)
    parquet = tmp / "full.parquet"
    con.execute(f"COPY (SELECT * FROM read_csv('{clean}', all_varchar = true)) TO '{parquet}'")
    con.close()
    pq = parquet.read_bytes()
    jsonl = gzip.compress("".join(json.dumps({"event_id": f"j{i}", "conversation_id": "c", "at": "2024-01-01T00:00:00Z",
                                              "channel": "sms", "direction": "in", "text": "x" * 50}) + "\n"
                                  for i in range(20000)).encode())
    out = []
    for name, data in [("half.csv.zst", zst[: len(zst) // 2]), ("nearly.csv.zst", zst[:-3]),
                       ("half.csv.gz", gz[: len(gz) // 2]), ("nearly.csv.gz", gz[:-5]),
                       ("cut.parquet", pq[: len(pq) - 50]), ("half.parquet", pq[: len(pq) // 2]),
                       ("half.jsonl.gz", jsonl[: len(jsonl) // 2]), ("tiny.csv.gz", gz[:60])]:
        path = tmp / "in" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        out.append(path)
    return out


def test_truncated_files_are_refused_and_change_nothing(tmp_path):
    db = tmp_path / "db.duckdb"
    ok = tmp_path / "ok.csv"
    ok.write_text(rows(10))
    assert cli("import", "--db", str(db), str(ok)).returncode == 0
    before = state(db)
    for path in truncated_files(tmp_path):
        result = cli("import", "--db", str(db), str(path))
        assert result.returncode == 2, (path.name, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "is truncated" in lines[0] and path.name in lines[0], result.stderr
        assert state(db) == before


def test_a_truncated_file_in_a_watched_folder_is_refused_not_imported(tmp_path):
    db = tmp_path / "db.duckdb"
    open_db(db).close()
    files = truncated_files(tmp_path)
    follower = Follower([tmp_path / "in"], db, ImportOptions(format="events"))
    assert follower.poll() == []  # a whole file is taken once its size and mtime hold still
    batches = follower.poll()
    assert sorted(b.path.name for b in batches) == sorted(p.name for p in files)
    assert all(b.error and "is truncated" in b.error and b.imported == 0 for b in batches)
    assert state(db) == ((0,), (0,))


def test_zstd_frame_walk_accepts_whole_files_and_finds_every_cut(tmp_path):
    data = zstandard.ZstdCompressor(write_checksum=True).compress(rows(300).encode())
    data += zstandard.ZstdCompressor().compress(b"e9999,c1,2024-01-01T00:00:00Z,sms,in,x\n")  # two frames
    whole = tmp_path / "a.csv.zst"
    whole.write_bytes(data)
    integrity.check_container(whole, "csv", "zstd")
    for cut in range(1, len(data), max(1, len(data) // 40)):
        whole.write_bytes(data[:cut])
        with pytest.raises(UserError, match="is truncated"):
            integrity.check_container(whole, "csv", "zstd")


@pytest.mark.parametrize("codec,bom", [("utf-16-le", b""), ("utf-16-be", b""),
                                       ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_utf16_in_either_byte_order_imports(con, tmp_path, codec, bom):
    text = rows(50).replace("message number 7", "message numéro 7 ✓")
    path = tmp_path / "u16.csv"
    path.write_bytes(bom + text.encode(codec))
    summary = pipeline.import_file(con, path)
    assert (summary.rows_read, summary.imported, summary.rejected) == (50, 50, 0)
    assert con.execute("SELECT text FROM events WHERE event_id = 'e7'").fetchone() == ("message numéro 7 ✓ with some words",)
    assert con.execute("SELECT min(line), max(line) FROM events").fetchone() == (2, 51)


def test_a_one_line_json_array_imports(con, tmp_path):
    items = [{"event_id": f"e{i}", "conversation_id": f"c{i // 4}", "at": "2024-01-01T00:00:00Z",
              "channel": "sms", "direction": "in", "text": "x" * 35000} for i in range(2000)]
    path = tmp_path / "one-line.json"
    path.write_text(json.dumps(items, separators=(",", ":")))  # about 70 MB on one line
    assert path.stat().st_size > 64 << 20  # longer than any line DuckDB's line reader takes
    summary = pipeline.import_file(con, path)
    assert (summary.rows_read, summary.imported) == (2000, 2000)


def test_a_sparse_nul_file_is_refused_from_its_first_bytes(tmp_path):
    path = tmp_path / "zeros.csv"
    with path.open("wb") as fh:
        fh.truncate(1 << 30)  # 1 GB, sparse
    result = subprocess.run(
        [sys.executable, "-c",
         # VmHWM: this process's peak (ru_maxrss would start from the forking parent's)
         "import re, sys; from socialcare_tui.cli import main; "
         "code = main(['import', '--db', sys.argv[1], sys.argv[2]]); "
         "status = open('/proc/self/status').read(); "
         "print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr); sys.exit(code)",
         str(tmp_path / "db.duckdb"), str(path)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    message, peak_kb = result.stderr.strip().splitlines()
    assert "binary data, not text" in message and "zeros.csv" in message
    assert int(peak_kb) < 400_000  # the file is 1 GB; only its first MiB is read
    assert os.path.getsize(path) == 1 << 30


# -- item 4: times outside a sane range ------------------------------------------------

EXTREME = [
    ("e1", "2024-01-01T00:00:00Z", True), ("e2", "10000-01-01T00:00:00Z", False),
    ("e3", "9999-12-31T23:59:59.999999Z", False), ("e4", "1969-12-31T23:59:59Z", False),
    ("e5", "0001-01-01T00:00:00Z", False), ("e6", "2024-01-01T00:05:00+00:00", True),
    ("e7", "1970-01-01T00:00:00Z", True), ("e8", "99999999999", False),  # epoch seconds, year 5138
    ("e9", "-1", False),  # epoch seconds, 1969
]


def test_extreme_times_are_rejected_and_every_command_still_works(tmp_path):
    db = tmp_path / "db.duckdb"
    path = tmp_path / "extreme.csv"
    path.write_text("event_id,conversation_id,at,channel,direction,text\n" + "".join(
        f"{eid},c{n},{at},sms,{'in' if n % 2 else 'out'},text {n}\n" for n, (eid, at, _) in enumerate(EXTREME)))
    result = cli("import", "--db", str(db), "--json", str(path))
    assert result.returncode == 0, result.stderr
    kept = {eid for eid, _, ok in EXTREME if ok}
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert {r[0] for r in con.execute("SELECT event_id FROM events").fetchall()} == kept
        rejects = con.execute("SELECT line, reason FROM rejects ORDER BY line").fetchall()
    finally:
        con.close()
    assert [line for line, _ in rejects] == [n + 2 for n, (_, _, ok) in enumerate(EXTREME) if not ok]
    assert all("outside the accepted range" in reason for _, reason in rejects)
    for args in (["report"], ["report", "--format", "json"], ["report", "--by", "day", "--format", "json"],
                 ["report", "--from", "1960-01-01", "--to", "2030-01-01"],
                 ["queue", "--status", "all"], ["explain", "first_response_time"], ["sources"],
                 ["rejects"], ["export", "--output", str(tmp_path / "out.csv")],
                 ["export", "--what", "report", "--output", str(tmp_path / "report.json")]):
        result = cli(*args, "--db", str(db))
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_the_future_margin_is_configurable(con, tmp_path):
    path = tmp_path / "soon.csv"
    path.write_text("event_id,conversation_id,at,channel,direction,text\n"
                    "a,c1,2024-01-01T00:00:00Z,sms,in,x\nb,c2,2099-01-01T00:00:00Z,sms,in,y\n")
    summary = pipeline.import_file(con, path, ImportOptions(future_days=366))
    assert (summary.imported, summary.rejected) == (1, 1)
    summary = pipeline.import_file(con, path, ImportOptions(future_days=365 * 100))
    assert (summary.imported, summary.duplicates, summary.rejected) == (1, 1, 0)


def test_the_future_margin_comes_from_the_config(tmp_path):
    db = tmp_path / "db.duckdb"
    config = tmp_path / "config.toml"
    path = tmp_path / "soon.csv"
    path.write_text("event_id,conversation_id,at,channel,direction,text\n"
                    "a,c1,2024-01-01T00:00:00Z,sms,in,x\nb,c2,2099-01-01T00:00:00Z,sms,in,y\n")
    config.write_text("import_future_days = 40000\n")
    result = cli("import", "--db", str(db), "--config", str(config), "--json", str(path))
    assert result.returncode == 0 and json.loads(result.stdout)["files"][0]["rejected"] == 0
    config.write_text("import_future_days = -1\n")
    result = cli("import", "--db", str(db), "--config", str(config), str(path))
    assert result.returncode == 2 and "import_future_days" in result.stderr


def test_the_apps_imports_take_the_future_margin_from_the_config(tmp_path):
    """The palette's import and `open --watch` build their options from the same config
    sections as `import`: a year-2099 row is kept with a 100-year margin, refused with the default."""
    from socialcare_tui.commands.open import make_follower
    from socialcare_tui.config import from_dict
    from socialcare_tui.tui.data import DataSource

    path = tmp_path / "soon.csv"
    path.write_text("event_id,conversation_id,at,channel,direction,text\n"
                    "a,c1,2024-01-01T00:00:00Z,sms,in,x\nb,c2,2099-01-01T00:00:00Z,sms,in,y\n")
    for days, rejected in ((365 * 100, 0), (366, 1)):
        config = from_dict({"import_future_days": days})
        db = tmp_path / f"app-{days}.duckdb"
        open_db(db).close()
        source = DataSource(None, config, db_path=str(db))
        (summary,) = source.import_file(path)
        assert (summary.imported, summary.rejected) == (2 - rejected, rejected)
        follower = make_follower([str(path)], db, config, read_only=False)
        assert follower.options == ImportOptions.configured(config.ingest, config.facts)
        assert follower.options.future_days == days


def test_utf16_json_lines_are_read_little_endian_or_refused_naming_encoding(con, tmp_path):
    lines = "".join(json.dumps({"event_id": f"e{i}", "conversation_id": "c", "at": "2024-01-01T00:00:00Z",
                                "channel": "sms", "direction": "in"}) + "\n" for i in range(3))
    le, be = tmp_path / "le.jsonl", tmp_path / "be.jsonl"
    le.write_bytes(lines.encode("utf-16-le"))
    be.write_bytes(lines.encode("utf-16-be"))
    with pytest.raises(UserError, match="--encoding utf-16"):
        pipeline.import_file(con, le)
    assert pipeline.import_file(con, le, ImportOptions(encoding="utf-16")).imported == 3
    for encoding in ("utf-8", "utf-16"):
        with pytest.raises(UserError, match="big-endian.*--encoding"):
            pipeline.import_file(con, be, ImportOptions(encoding=encoding))
