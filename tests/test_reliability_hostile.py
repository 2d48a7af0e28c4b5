"""Reliability campaign, hostile files: every file ends in exit 0 (perhaps with rejects) or
exit 2 with exactly one line on stderr; never a traceback; a refused file leaves every
table as it was (content digest before/after); an accepted one keeps
rows_read = imported + duplicates + rejected. The CLI runs in-process (`cli.main`)."""

from __future__ import annotations

import gzip
import json
import string

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcare_tui import cli
from socialcare_tui.store import open_db

HEADER = "event_id,conversation_id,at,channel,direction,text\n"
GOOD = HEADER + "g1,gc1,2024-01-01T00:00:00Z,sms,in,hello\ng2,gc1,2024-01-01T00:05:00Z,sms,out,hi\n"
TABLES = ("events", "sources", "rejects", "schema_version")


def digest(db) -> dict:
    """A content digest of every stored table."""
    con = open_db(db, read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*), md5(coalesce(string_agg(x::VARCHAR, chr(30) ORDER BY x::VARCHAR), '')) "
                               f"FROM {t} x").fetchone() for t in TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile_db")
    path = folder / "h.duckdb"
    good = folder / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert cli.main(["import", str(good), "--db", str(path)]) == 0
    return path


def run_import(capsys, db, path, *extra) -> tuple[int, str, str]:
    """Import in-process; check the campaign's rules; return (code, stdout, stderr)."""
    before = digest(db)
    try:
        code = cli.main(["import", str(path), "--db", str(db), "--json", *extra])
    except SystemExit as stop:  # argparse
        code = stop.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    assert code in (0, 2), (code, err)
    if code == 2:
        assert len(err.splitlines()) == 1 and err.endswith("\n"), err
        assert digest(db) == before, "a refused file changed the database"
    else:
        assert err == ""
        for entry in json.loads(out)["files"]:
            assert entry["rows_read"] == entry["imported"] + entry["duplicates"] + entry["rejected"]
    return code, out, err


def summary(out: str) -> dict:
    [entry] = json.loads(out)["files"]
    return entry


# -- the fixed corpus ----------------------------------------------------------------------


def _rows(n: int, prefix: str) -> str:
    return "".join(f"{prefix}{i},{prefix}c{i // 3},2024-01-01T00:{i % 60:02d}:00Z,sms,in,t{i}\n" for i in range(n))


def _parquet_bytes(tmp_path) -> bytes:
    path = tmp_path / "whole.parquet"
    duckdb.connect().execute(
        f"""COPY (SELECT 'p' || i AS event_id, 'pc' || i AS conversation_id, '2024-01-01' AS "at",
            'sms' AS channel, 'in' AS direction, repeat('x', 100) || i AS text FROM range(3000) t(i))
            TO '{path}' (FORMAT parquet)""")
    return path.read_bytes()


def corpus(tmp_path) -> dict[str, tuple[bytes, tuple[str, ...], int | None]]:
    """name -> (bytes, extra CLI arguments, expected exit code or None when either is fine)."""
    full_gz = gzip.compress((HEADER + _rows(5000, "z")).encode())
    parquet = _parquet_bytes(tmp_path)
    wide = ",".join(["conversation_id", "at", "channel", "direction"] + [f"x{i}" for i in range(100_000)])
    utf16 = (HEADER + "u1,uc1,2024-01-01T00:00:00Z,sms,in,café 中文\n").encode("utf-16")
    latin1 = (HEADER + "l1,lc1,2024-01-01T00:00:00Z,sms,in,caf\xe9\n").encode("latin-1")
    return {
        "truncated.csv.gz": (full_gz[: len(full_gz) // 2], (), 2),
        "truncated.parquet": (parquet[: len(parquet) // 2], (), 2),
        "garbage.csv": (bytes(range(256)) * 40, (), 2),
        "utf16.csv": (utf16, (), 0),  # its byte order mark says UTF-16
        "utf16_declared.csv": (utf16, ("--encoding", "utf-16"), 0),
        "latin1.csv": (latin1, (), 2),
        "latin1_declared.csv": (latin1, ("--encoding", "latin-1"), 0),
        "nul.csv": ((HEADER + "n1,nc1,2024-01-01T00:00:00Z,sms,in,a\x00b\nn2,nc1,2024-01-01T00:01:00Z,sms,out,ok\n")
                    .encode(), (), None),
        "nul_header.csv": (b"conversation_id\x00,at\n", (), 2),
        "big_field.csv": ((HEADER + "b1,bc1,2024-01-01T00:00:00Z,sms,in," + "y" * 10_000_000 + "\n").encode(), (), 0),
        "wide.csv": ((wide + "\n" + "wc1,2024-01-01T00:00:00Z,sms,in" + "," * 100_000 + "\n").encode(), (), 2),
        "wide.csv.gz": (gzip.compress((wide + "\n").encode()), (), 2),
        "quotes.csv": ((HEADER + 'q1,qc1,2024-01-01T00:00:00Z,sms,in,"unclosed\nq2,qc1,2024-01-01T00:01:00Z,sms,out,"x""\n'
                        'q3,qc1,2024-01-01T00:02:00Z,sms,in,ok"stray\n').encode(), (), None),
        "old_and_far.csv": ((HEADER + "t1,tc1,1969-07-20T20:17:00Z,sms,in,moon\nt2,tc1,1900-01-01,sms,out,old\n"
                             "t3,tc1,2150-01-01T00:00:00Z,sms,in,future\nt4,tc1,-100,sms,in,epoch\n"
                             "t5,tc1,99999999999999999999,sms,in,huge\nt6,tc1,0001-01-01,sms,in,first\n"
                             "t7,tc1,9999-12-31T23:59:59Z,sms,in,last\n").encode(), (), 0),
        "dupes.csv": ((HEADER + _rows(3, "d") + _rows(3, "d") + _rows(1, "d")).encode(), (), 0),
        "header_only.csv": (HEADER.encode(), (), 2),
        "header_only.jsonl": (b"\n\n", (), 2),
        "empty.csv.gz": (gzip.compress(b""), (), 2),
        "array.json": (b'[1, "two", {"conversation_id": "jc1", "at": "2024-01-01", "channel": "sms", '
                       b'"direction": "in"}, null]', (), 0),
        "deep.json": (b"[" * 100_000 + b"]" * 100_000, (), None),
        "twcs_negative.csv": (
            b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
            b"901,brand,False,Tue Oct 31 10:00:00 +0000 2017,@c reply before its question,,902\n"
            b"902,c9,True,Tue Oct 31 11:00:00 +0000 2017,@brand question,901,\n", (), 0),
        "bare_cr.csv": ((HEADER + "r1,rc1,2024-01-01T00:00:00Z,sms,in,one\rtwo\n").encode(), (), None),
    }


CORPUS_NAMES = (
    "truncated.csv.gz", "truncated.parquet", "wide.csv.gz", "garbage.csv", "utf16.csv", "utf16_declared.csv", "latin1.csv",
    "latin1_declared.csv", "nul.csv", "nul_header.csv", "big_field.csv", "wide.csv", "quotes.csv",
    "old_and_far.csv", "dupes.csv", "header_only.csv", "header_only.jsonl", "empty.csv.gz", "array.json",
    "deep.json", "twcs_negative.csv", "bare_cr.csv",
)


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_hostile_file(capsys, db, tmp_path, name):
    data, extra, expected = corpus(tmp_path)[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run_import(capsys, db, path, *extra)
    if expected is not None:
        assert code == expected, err
    if code == 2:
        assert name in err  # the one line says where


def test_expected_counts_of_the_accepted_files(capsys, tmp_path):
    files = corpus(tmp_path)
    db = tmp_path / "counts.duckdb"
    open_db(db).close()
    counts = {}
    for name in ("dupes.csv", "old_and_far.csv", "array.json", "utf16_declared.csv", "twcs_negative.csv"):
        data, extra, _ = files[name]
        (tmp_path / name).write_bytes(data)
        code, out, err = run_import(capsys, db, tmp_path / name, *extra)
        assert code == 0, err
        entry = summary(out)
        counts[name] = (entry["rows_read"], entry["imported"], entry["duplicates"], entry["rejected"])
    # 3 + 3 + 1 rows, ids d0-d2 each repeated: 3 new, 4 duplicates
    assert counts["dupes.csv"] == (7, 3, 4, 0)
    # array: 4 elements, 3 are not objects (rejected), one event
    assert counts["array.json"] == (4, 1, 0, 3)
    assert counts["utf16_declared.csv"] == (1, 1, 0, 0)
    # twcs: the reply dated an hour before the tweet it answers is rejected with a reason
    assert counts["twcs_negative.csv"] == (2, 1, 0, 1)
    # times: 1969, 1900, 2150, epoch -100 (1969-12-31T23:58:20), 0001 and 9999 are real instants
    # but outside the accepted range (issue 16: before 1970 or over a year ahead, rejected);
    # 1e20 seconds is no instant
    assert counts["old_and_far.csv"] == (7, 0, 0, 7)
    con = open_db(db, read_only=True)
    try:
        ranged = dict(con.execute("SELECT line, reason FROM rejects WHERE reason LIKE '%accepted range%'").fetchall())
        reason = con.execute("SELECT reason FROM rejects WHERE raw LIKE '%huge%'").fetchone()[0]
        twcs = con.execute("SELECT line, reason FROM rejects WHERE raw LIKE '901,%'").fetchone()
    finally:
        con.close()
    assert "time 1969-07-20T20:17:00Z is outside" in ranged[2] and "time 2150-01-01T00:00:00Z" in ranged[4]
    assert "time 1969-12-31T23:58:20Z" in ranged[5]
    assert "99999999999999999999" in reason
    assert twcs[0] == 2 and "before the tweet it answers" in twcs[1]


# -- generated files -----------------------------------------------------------------------

_field = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_time = st.one_of(st.sampled_from(["2024-01-01T00:00:00Z", "1969-12-31", "2150-06-01T12:00:00+05:00",
                                   "1700000000", "1700000000000", "-5", "", "not a time"]), _field)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.tuples(_field, _field, _time, st.sampled_from(["sms", "X", "", "FB Messenger"]),
                               st.sampled_from(["in", "out", "inbound", "maybe", ""]), _field),
                     min_size=1, max_size=8),
       quote_all=st.booleans())
def test_generated_csv_files(capsys, db, tmp_path_factory, rows, quote_all):
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
               lineterminator="\n").writerows([HEADER.strip().split(",")] + [list(r) for r in rows])
    path = tmp_path_factory.mktemp("gen") / "gen.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    code, out, _ = run_import(capsys, db, path)
    if code == 0:
        assert summary(out)["rows_read"] >= 1


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(min_size=1, max_size=400),
       suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".json", ".parquet", ".csv.gz"]))
def test_generated_bytes(capsys, db, tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"b{suffix}"
    path.write_bytes(data)
    run_import(capsys, db, path)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(st.dictionaries(st.sampled_from(["conversation_id", "at", "channel", "direction", "text",
                                                        "type", "value", "event_id", "Text", "weird key/~"]),
                                       st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), _field,
                                                 st.lists(st.integers(), max_size=2))),
                       min_size=1, max_size=5))
def test_generated_json_lines(capsys, db, tmp_path_factory, values):
    path = tmp_path_factory.mktemp("jl") / "j.jsonl"
    path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    run_import(capsys, db, path)


def test_printable_header_garbage(capsys, db, tmp_path):
    path = tmp_path / "letters.csv"
    path.write_text(string.printable * 3, encoding="utf-8")
    code, _, err = run_import(capsys, db, path)
    assert code == 2


def test_hostile_file_and_column_names_give_one_clean_line(capsys, db, tmp_path):
    path = tmp_path / "a\nb\x1b[2J.csv"
    path.write_text("foo\x1b]0;owned\x07,bar\x00\n1,2\n", encoding="utf-8")
    code, _, err = run_import(capsys, db, path)
    assert code == 2 and "unknown format" in err
    assert not any(bad in err for bad in ("\x1b", "\x07", "\x00"))  # one line, nothing raw
