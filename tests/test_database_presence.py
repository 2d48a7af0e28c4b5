"""Nothing is created unless something is imported; a database deleted under a running
viewer is said in the header until it is back (issue 17, item 6)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from socialcare_tui.cli import main
from socialcare_tui.config import Config
from socialcare_tui.store import open_db
from socialcare_tui.tui.data import DataSource
from socialcare_tui.tui.widgets.header import StatusHeader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contention_helpers import event_line  # noqa: E402
from tui_helpers import build_db, make_app, settle  # noqa: E402


def latin1_past_the_first_mib(path: Path) -> Path:
    with path.open("wb") as fh:
        n = 0
        while fh.tell() < 1_200_000:
            fh.write(event_line(n).encode())
            n += 1
        fh.write(event_line(n).replace("message", "caf\xe9").encode("latin-1"))
    return path


def test_a_refused_first_file_creates_no_database(tmp_path, capsys):
    feed = latin1_past_the_first_mib(tmp_path / "feed.jsonl")
    db = tmp_path / "new.duckdb"
    assert main(["import", str(feed), "--db", str(db)]) == 2
    assert "not valid utf-8" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]


def test_a_refused_file_leaves_an_existing_database_alone(tmp_path, capsys):
    db = tmp_path / "care.duckdb"
    open_db(db).close()
    feed = latin1_past_the_first_mib(tmp_path / "feed.jsonl")
    assert main(["import", str(feed), "--db", str(db)]) == 2
    assert db.exists()


def test_a_good_file_then_a_refused_one_keeps_what_was_imported(tmp_path, capsys):
    good = tmp_path / "a.jsonl"
    good.write_text(event_line(1) + event_line(2))
    bad = latin1_past_the_first_mib(tmp_path / "b.jsonl")
    db = tmp_path / "new.duckdb"
    assert main(["import", str(good), str(bad), "--db", str(db)]) == 2
    con = open_db(db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (2,)
    finally:
        con.close()


@pytest.mark.anyio
async def test_the_header_says_the_database_is_gone_until_it_is_back(tmp_path):
    path = build_db(tmp_path)
    source = DataSource(None, Config(), db_path=path, read_only=True)
    app = make_app(None, path, source=source)
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot)
        header = lambda: app.screen.query_one(StatusHeader).render().plain  # noqa: E731
        assert "refreshed" in header() and "gone" not in header()
        kept = path.with_name("kept.duckdb")
        path.rename(kept)
        app.refresh_now()
        await settle(pilot)
        assert "⚠ database gone" in header() and "refreshed" not in header()
        app.refresh_now()  # still gone at the next refresh, though the toast is not repeated
        await settle(pilot)
        assert "⚠ database gone" in header()
        kept.rename(path)
        app.refresh_now()
        await settle(pilot)
        assert "gone" not in header() and "refreshed" in header()
