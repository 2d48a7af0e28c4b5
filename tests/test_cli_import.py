"""`socialcare-tui import`, `sources` and `rejects` as a user runs them."""

from __future__ import annotations

import json

import pytest
from cli_helpers import run

EVENTS = (
    "event_id,conversation_id,at,channel,direction,text\n"
    "e1,c1,2024-01-01T00:00:00Z,sms,in,hello\n"
    "e2,c1,2024-01-01T00:01:00Z,sms,out,hi\n"
    "e3,c1,\x1b[31msoon,sms,in,red\n"
)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "surveys.jsonl").write_text(
        '{"conversation_id": "c1", "at": "2024-01-02T00:00:00Z", "kind": "csat", "score": 5}\n', encoding="utf-8")
    return tmp_path


def test_import_prints_one_summary_line_per_file(capsys, files, db_path):
    code, out, err = run(capsys, "import", str(files / "events.csv"), str(files / "surveys.jsonl"), "--db", str(db_path))
    assert code == 0, err
    assert out.splitlines() == [
        "events.csv: 3 rows read, 2 imported, 0 duplicates, 1 rejected",
        "surveys.jsonl: 1 rows read, 1 imported, 0 duplicates, 0 rejected",
    ]
    code, out, _ = run(capsys, "import", str(files), "--db", str(db_path))  # the folder: both again
    assert code == 0
    assert "events.csv: 3 rows read, 0 imported, 2 duplicates, 1 rejected" in out.splitlines()


def test_import_json_summary(capsys, files, db_path):
    code, out, _ = run(capsys, "import", str(files / "events.csv"), "--db", str(db_path), "--json",
                       "--namespace", "shop", "--timezone", "Europe/Paris")
    assert code == 0
    data = json.loads(out)
    [entry] = data["files"]
    assert {k: entry[k] for k in ("format", "namespace", "rows_read", "imported", "duplicates", "rejected")} == {
        "format": "events", "namespace": "shop", "rows_read": 3, "imported": 2, "duplicates": 0, "rejected": 1}


@pytest.mark.parametrize("argv, message", [
    (["import", "nowhere.csv"], "nowhere.csv: no such file or folder"),
    (["import", "EVENTS", "--map", "conversation_id"], "--map conversation_id: write FIELD=COLUMN"),
    (["import", "EVENTS", "--map", "queue=Team"], "--map queue=Team:"),
    (["import", "EVENTS", "--format", "bogus"], "invalid choice: 'bogus'"),
    (["import", "EVENTS", "--encoding", "ebcdic"], "--encoding ebcdic: use one of utf-8, utf-16, latin-1"),
])
def test_import_mistakes_are_one_line_exit_2_and_create_no_database(capsys, files, db_path, argv, message):
    argv = [str(files / "events.csv") if a == "EVENTS" else a for a in argv]
    code, out, err = run(capsys, *argv, "--db", str(db_path))
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not db_path.exists()


def test_encoding_names(capsys, tmp_path, db_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("conversation_id,at,channel,direction,text\nc1,2024-01-01,sms,in,déjà vu\n".encode("latin-1"))
    code, out, err = run(capsys, "import", str(f), "--encoding", "Latin1", "--db", str(db_path))
    assert code == 0, err
    assert out == "latin.csv: 1 rows read, 1 imported, 0 duplicates, 0 rejected\n"


def test_sources_and_rejects(capsys, files, db_path):
    run(capsys, "import", str(files / "events.csv"), "--db", str(db_path))
    code, out, _ = run(capsys, "sources", "--db", str(db_path))
    assert code == 0
    header, row = out.splitlines()
    assert header.split()[:4] == ["id", "finished", "(UTC)", "format"]
    assert row.split()[0] == "1" and "events" in row.split() and row.endswith(str(files / "events.csv"))
    code, out, _ = run(capsys, "sources", "--db", str(db_path), "--json")
    [source] = json.loads(out)["sources"]
    assert (source["rows_read"], source["imported"], source["rejected"]) == (3, 2, 1)
    assert source["byte_offset"] == source["size"] == (files / "events.csv").stat().st_size

    code, out, _ = run(capsys, "rejects", "--db", str(db_path))
    assert code == 0
    first, raw = out.splitlines()
    # the escape sequence in the bad time is neutralised, in the reason and in the raw row
    assert first == f"{files / 'events.csv'}:4: time '\ufffdsoon' is not ISO 8601 or epoch seconds/milliseconds"
    assert "\x1b" not in out and '"text":"red"' in raw
    code, out, _ = run(capsys, "rejects", "--db", str(db_path), "--source", "1", "--json")
    data = json.loads(out)
    assert data["total"] == 1 and data["rejects"][0]["line"] == 4
    code, out, _ = run(capsys, "rejects", "--db", str(db_path), "--source", "events.csv", "--limit", "1")
    assert out.startswith(str(files / "events.csv") + ":4:")
    code, _, err = run(capsys, "rejects", "--db", str(db_path), "--source", "9")
    assert code == 2 and "--source 9: no such import" in err


def test_empty_ledger_messages(capsys, db_path):
    assert run(capsys, "sources", "--db", str(db_path))[1] == "no files imported yet\n"
    assert run(capsys, "rejects", "--db", str(db_path))[1] == "no rejected rows\n"
