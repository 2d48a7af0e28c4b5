"""Stored conversation facts (store/facts.py): the writer keeps them, `rebuild` recomputes
them, the migration builds them, and a config that does not fit them is said once."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from cli_helpers import run_process as cli
from kpi_helpers import T, kpi, msg, same, status, store_facts

from socialcare_tui.config import Config, FactsConfig, KpiConfig
from socialcare_tui.errors import UserError
from socialcare_tui.ingest.pipeline import ImportOptions, import_paths
from socialcare_tui.store import facts, open_db

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
FACT_TABLES = ("fact_spans", "fact_events", "fact_msgs", "fact_turns", "fact_resolutions", "fact_conv")


def stored(con) -> dict[str, Counter]:
    """Each fact table's rows as a multiset (floats to 9 digits: sums depend on row order)."""
    def plain(value):
        return round(value, 9) if isinstance(value, float) else value
    return {table: Counter(tuple(plain(v) for v in row) for row in con.execute(f"SELECT * FROM {table}").fetchall())
            for table in FACT_TABLES}


def test_import_keeps_facts_equal_to_a_rebuild(db_path):
    con = open_db(db_path)
    for name in ("events.csv", "tickets.csv", "surveys.csv"):
        import_paths(con, [SAMPLE / name], ImportOptions())
    kept = stored(con)
    assert sum(kept["fact_conv"].values()) > 0
    state = facts.state(con)
    assert state.watermark == con.execute("SELECT max(seq) FROM events").fetchone()[0]
    done = facts.rebuild(con)
    assert done.full and done.conversations == sum(kept["fact_spans"].values())
    assert stored(con) == kept
    con.close()


def test_a_silence_is_a_deadline_not_a_flag(con):
    """No status events: the reply at 10:05 and 24 h of silence resolve the conversation at
    10:05 the next day; one fact row holds before that instant, one from it on."""
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "out", "alice")
    store_facts(con)
    rows = con.execute("SELECT status, valid_from, valid_to FROM fact_conv ORDER BY valid_from").fetchall()
    assert rows == [("pending", T("10:05"), T("2024-01-02 10:05")),
                    ("resolved", T("2024-01-02 10:05"), None)]
    effective = con.execute("SELECT resolved_at, effective_at FROM fact_resolutions").fetchall()
    assert effective == [(T("10:05"), T("2024-01-02 10:05"))]
    assert kpi(con, "backlog", as_of="2024-01-02 10:04:59")["pending"] == 1
    backlog = kpi(con, "backlog", as_of="2024-01-02 10:05")
    assert (backlog["pending"], backlog["resolved"]) == (0, 1)


def test_status_events_keep_one_row(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "out", "alice")
    status(con, "c1", "10:06", "resolved")
    store_facts(con)
    assert con.execute("SELECT status, valid_from, valid_to FROM fact_conv").fetchall() == [
        ("resolved", T("10:06"), None)]


def test_only_touched_conversations_are_computed_again(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c2", "10:00", "in", "u2")
    store_facts(con)
    before = con.execute("SELECT conv_key, opened_at FROM fact_conv ORDER BY 1").fetchall()
    msg(con, "c2", "09:00", "in", "u2")  # a late row reorders c2 only
    con.execute("BEGIN TRANSACTION")
    done = facts.update(con)
    con.execute("COMMIT")
    assert (done.conversations, done.full) == (1, False)
    after = con.execute("SELECT conv_key, opened_at FROM fact_conv ORDER BY 1").fetchall()
    assert after == [before[0], ("events:c2", T("09:00"))]


def test_removed_rows_rebuild_everything(con):
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c2", "10:00", "in", "u2")
    store_facts(con)
    con.execute("DELETE FROM events WHERE conversation_id = 'c1'")
    con.execute("BEGIN TRANSACTION")
    done = facts.update(con)
    con.execute("COMMIT")
    assert done.full
    assert [r[0] for r in con.execute("SELECT conv_key FROM fact_conv").fetchall()] == ["events:c2"]


def test_facts_of_an_aborted_import_are_rolled_back(con, tmp_path):
    msg(con, "c1", "10:00", "in", "u1")
    store_facts(con)
    kept = stored(con)
    bad = tmp_path / "bad.csv"
    bad.write_text("namespace,event_id\n")  # no data rows: refused
    with pytest.raises(UserError):
        import_paths(con, [bad], ImportOptions())
    assert stored(con) == kept


def test_migration_builds_facts_of_an_older_database(db_path):
    """A database of schema 1 (events only) gets its facts when opened for writing."""
    con = open_db(db_path)
    import_paths(con, [SAMPLE / "events.csv"], ImportOptions())
    expected = stored(con)
    for table in FACT_TABLES + ("fact_state",):
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE events DROP COLUMN seq")
    con.execute("DROP SEQUENCE events_seq")
    con.execute("DELETE FROM schema_version WHERE version >= 2")
    con.close()
    result = cli("report", "--db", str(db_path), "--format", "json")
    assert result.returncode == 3 and "socialcare-tui rebuild" in result.stderr
    con = open_db(db_path)
    assert stored(con) == expected
    con.close()


def test_rebuild_command(db_path, tmp_path):
    con = open_db(db_path)
    import_paths(con, [SAMPLE / "events.csv"], ImportOptions())
    con.close()
    result = cli("rebuild", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rebuilt the facts of ") and result.stdout.count("\n") == 1
    # not a terminal: one line per step
    assert result.stderr.splitlines() == ["computing facts 1/1…"]
    missing = cli("rebuild", "--db", str(tmp_path / "nope.duckdb"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such database" in missing.stderr
    assert not (tmp_path / "nope.duckdb").exists()


def test_another_auto_resolve_is_said_once_and_stays_exact(db_path, tmp_path):
    """Facts built with 24 h; a report with 4 h in config computes from the events, says
    so in one line, and gives what a rebuild with 4 h gives."""
    con = open_db(db_path)
    import_paths(con, [SAMPLE / "events.csv"], ImportOptions())
    con.close()
    config = tmp_path / "config.toml"
    config.write_text('auto_resolve_after = "4h"\n')
    args = ("report", "--db", str(db_path), "--config", str(config), "--format", "json")
    slow = cli(*args)
    assert slow.returncode == 0, slow.stderr
    notes = slow.stderr.splitlines()
    assert len(notes) == 1 and notes[0].startswith("socialcare-tui: note: ") and "rebuild" in notes[0]
    assert cli("rebuild", "--db", str(db_path), "--config", str(config), "--quiet").returncode == 0
    fast = cli(*args)
    assert fast.returncode == 0 and fast.stderr == ""
    assert same(json.loads(fast.stdout), json.loads(slow.stdout))  # sums of doubles: row order
    con = open_db(db_path, read_only=True)
    assert facts.state(con).auto_resolve == 4 * 3600
    con.close()


def test_import_with_another_auto_resolve_rebuilds(db_path):
    con = open_db(db_path)
    import_paths(con, [SAMPLE / "events.csv"], ImportOptions())
    import_paths(con, [SAMPLE / "surveys.csv"], ImportOptions(auto_resolve_after=3600.0))
    assert facts.state(con).auto_resolve == 3600.0
    kept = stored(con)
    facts.rebuild(con, 3600.0)
    assert stored(con) == kept
    con.close()


def test_readers_use_the_facts_without_warning(db_path):
    con = open_db(db_path)
    import_paths(con, [SAMPLE / "events.csv"], ImportOptions())
    con.close()
    result = cli("report", "--db", str(db_path), "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["kpis"]["inbound_volume"]["value"] > 0


def test_default_config_matches_the_default_stamp():
    assert FactsConfig().auto_resolve_after == KpiConfig().auto_resolve_after == facts.DEFAULT_AUTO_RESOLVE


@pytest.mark.anyio
@pytest.mark.filterwarnings("ignore::socialcare_tui.kpi.engine.StaleFacts")
async def test_the_app_says_when_the_facts_do_not_fit_its_config(db_path):
    """The app's numbers stay exact but slow: a warning says to rebuild, once, at start."""
    from dataclasses import replace

    from tui_helpers import make_app, settle

    con = open_db(db_path)
    import_paths(con, [SAMPLE / "events.csv"], ImportOptions())
    messages = {}
    for name, config in (("fits", Config()), ("other", replace(Config(), kpi=KpiConfig(auto_resolve_after=3600.0)))):
        app = make_app(con, db_path, config=config)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            messages[name] = [n.message for n in app._notifications]
    con.close()
    assert not any("rebuild" in m for m in messages["fits"])
    assert sum("socialcare-tui rebuild" in m for m in messages["other"]) == 1


def test_a_rebuild_in_chunks_equals_one_in_one_go(db_path, monkeypatch):
    """The upkeep computes the conversations a chunk at a time (bounded memory): the
    facts are the same however many chunks, in an import and in a rebuild, survey
    answers without a conversation too."""
    con = open_db(db_path)
    monkeypatch.setattr(facts, "CHUNK_CONVERSATIONS", 53)
    for name in ("events.csv", "tickets.csv", "surveys.csv"):
        import_paths(con, [SAMPLE / name], ImportOptions())
    chunked = stored(con)
    monkeypatch.setattr(facts, "CHUNK_CONVERSATIONS", 10**9)
    facts.rebuild(con)
    whole = stored(con)
    assert chunked == whole
    steps = []
    monkeypatch.setattr(facts, "CHUNK_CONVERSATIONS", 37)
    done = facts.rebuild(con, step=lambda finished, total: steps.append((finished, total)))
    chunks = -(-done.conversations // 37)
    assert chunks > 5 and steps == [(i, chunks) for i in range(chunks)]
    assert stored(con) == whole
    con.close()


def test_reader_memory_limit_survives_a_spill(tmp_path, monkeypatch):
    """A viewer sets its reader limits at every refresh: after a query has spilled,
    DuckDB refuses another spill folder, so setting the same one again must be a no-op."""
    import duckdb

    from socialcare_tui.store import connection

    monkeypatch.setattr(connection, "spill_dir", lambda: tmp_path / "spill")
    con = duckdb.connect()
    connection.limit_memory(con)
    con.execute("SET memory_limit = '30MB'")  # force this sort to spill
    con.execute("SELECT count(*) FROM (SELECT * FROM range(4000000) t(x) ORDER BY hash(x))").fetchone()
    connection.limit_memory(con)  # the app's next refresh
    assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == str(tmp_path / "spill")
    con.close()
