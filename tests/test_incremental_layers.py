"""Kept shared layers (kpi/layer.py): after an append or a later as_of, only the touched
conversations are rebuilt, and every number equals a full recomputation."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from kpi_helpers import T, add, assign, kpi, msg, same, status

from socialcare_tui.config import Config, load
from socialcare_tui.ingest.pipeline import ImportOptions, import_paths
from socialcare_tui.kpi import engine
from socialcare_tui.kpi.engine import Scope
from socialcare_tui.kpi.layer import KEPT, Layers
from socialcare_tui.store import open_db

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


# ------------------------------------------------------------ random appends


@pytest.fixture(scope="module")
def sample_rows(tmp_path_factory):
    """Every stored event of the sample data (events, tickets, surveys), as rows."""
    con = open_db(tmp_path_factory.mktemp("sample") / "all.duckdb")
    files = [SAMPLE / "events.csv", SAMPLE / "tickets.csv", SAMPLE / "surveys.csv"]
    import_paths(con, files, ImportOptions())
    cursor = con.execute("SELECT * FROM events")
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    con.close()
    return columns, rows


SCOPES = [
    dict(window=timedelta(days=1)),
    dict(window=timedelta(days=7), channels=("email", "twitter")),
    dict(queues=("Billing",)),
    dict(agents=("Alice Moreau",)),
    dict(tags=("delivery",)),
    dict(),
]


def layer_rows(cur) -> dict[str, Counter]:
    """Each kept table's rows as a multiset (floats to 9 digits: sums depend on row order)."""
    def plain(value):
        return round(value, 9) if isinstance(value, float) else value
    return {table: Counter(tuple(plain(v) for v in row)
                           for row in cur.execute(f"SELECT * FROM {table}").fetchall())
            for table in KEPT}


def fresh_rows(con, scope, config) -> dict[str, Counter]:
    cur = con.cursor()
    try:
        engine.prepare(cur, scope, config)
        return layer_rows(cur)
    finally:
        cur.close()


@pytest.mark.parametrize("seed", [1, 2])
def test_random_appends_equal_full_recomputation(con, sample_rows, seed):
    """The events arrive in random order and chunks (late events, future events, surveys
    with no conversation, statuses) while as_of moves on: after each step every kept
    table holds exactly the rows of a layer built from scratch, and in the end each
    dashboard from the kept layers equals the one computed from scratch."""
    columns, rows = sample_rows
    rows = list(rows)
    rng = random.Random(seed)
    rng.shuffle(rows)
    marks = ", ".join("?" for _ in columns)
    insert = f"INSERT INTO events ({', '.join(columns)}) VALUES ({marks})"
    start = int(len(rows) * 0.8)
    con.executemany(insert, rows[:start])
    config = load(SAMPLE / "config.toml")
    layers = Layers(capacity=len(SCOPES))
    as_of = max(row[columns.index("ts")] for row in rows) - timedelta(days=3)
    position = start
    for _ in range(4):
        count = rng.randint(1, 150)
        con.executemany(insert, rows[position:position + count])
        position += count
        as_of += timedelta(hours=rng.choice([0, 1, 5, 23]))
        for options in SCOPES:
            scope = Scope(as_of=as_of, **options)
            with engine.layer(con, scope, config, layers) as (cur, _resolved):
                assert layer_rows(cur) == fresh_rows(con, scope, config), (options, as_of)
    for options in SCOPES[:2]:  # a window (previous window, sparklines) and filters
        scope = Scope(as_of=as_of, **options)
        assert same(engine.dashboard(con, scope, config, layers=Layers()),
                    engine.dashboard(con, scope, config)), options
    # one layer per set of filters (the window does not shape it), built once, then advanced
    assert (layers.counts["full"], layers.counts["incremental"]) == (5, 5 * 3)


# ------------------------------------------------------------ what touches a conversation


def test_silence_resolves_without_any_append(con):
    """A conversation without status events is resolved by 24 h of silence after the
    reply: moving as_of past that moment changes its status with no new row."""
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:05", "out", "alice")
    assert kpi(con, "backlog", layers=layers, as_of="2024-01-02 10:00")["pending"] == 1
    backlog = kpi(con, "backlog", layers=layers, as_of="2024-01-02 10:06")
    assert (backlog["pending"], backlog["resolved"]) == (0, 1)
    assert layers.counts == {"full": 1, "incremental": 1}


def test_late_event_reorders_its_conversation(con):
    """An appended message older than the conversation's first one becomes its start:
    first response time is measured from it."""
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:30", "out", "alice")
    assert kpi(con, "first_response_time", layers=layers, as_of="12:00")["value"] == 1800
    msg(con, "c1", "09:30", "in", "u1")
    assert kpi(con, "first_response_time", layers=layers, as_of="12:00")["value"] == 3600
    assert layers.counts == {"full": 1, "incremental": 1}


def test_stored_future_event_counts_once_as_of_passes_it(con):
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "11:00", "out", "alice")
    msg(con, "c2", "13:00", "in", "u2")
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 1
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:30")["value"] == 1
    assert kpi(con, "inbound_volume", layers=layers, as_of="13:00")["value"] == 2
    assert layers.counts == {"full": 1, "incremental": 2}


def test_survey_without_conversation_is_added(con):
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    add(con, None, "10:10", "csat", value="5", scale_max=5, author="u1", origin="survey")
    assert kpi(con, "csat", layers=layers, as_of="12:00")["n"] == 1
    add(con, None, "10:20", "csat", value="1", scale_max=5, author="u2", origin="survey")
    result = kpi(con, "csat", layers=layers, as_of="12:00")
    assert (result["n"], result["value"]) == (2, 0.5)
    assert layers.counts == {"full": 1, "incremental": 1}


def test_conversation_leaves_a_filter(con):
    """A message in another queue moves the conversation (its last queue) out of the
    --queue filter: the kept, filtered layer drops it."""
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1", queue="Billing")
    msg(con, "c2", "10:00", "in", "u2", queue="Billing")
    assert kpi(con, "backlog", layers=layers, as_of="12:00", queues=("Billing",))["value"] == 2
    msg(con, "c1", "10:30", "in", "u1", queue="Tech")
    assert kpi(con, "backlog", layers=layers, as_of="12:00", queues=("Billing",))["value"] == 1
    assert kpi(con, "backlog", layers=layers, as_of="12:00", queues=("Tech",))["value"] == 1
    assert layers.counts == {"full": 2, "incremental": 1}


def test_status_event_appended(con):
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    assign(con, "c1", "10:01", "alice")
    assert kpi(con, "backlog", layers=layers, as_of="12:00")["open"] == 1
    status(con, "c1", "11:00", "resolved")
    backlog = kpi(con, "backlog", layers=layers, as_of="12:00")
    assert (backlog["value"], backlog["resolved"]) == (0, 1)


# ------------------------------------------------------------ when a full build is taken


def test_removed_rows_rebuild_in_full(con):
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c2", "10:00", "in", "u2")
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 2
    con.execute("DELETE FROM events WHERE conv_key = 'events:c2'")
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 1
    assert layers.counts == {"full": 2}


def test_large_append_rebuilds_in_full(con):
    layers = Layers(rebuild_share=0.2, rebuild_min=0)
    for n in range(10):
        msg(con, f"c{n}", "10:00", "in", f"u{n}")
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 10
    for n in range(10, 13):  # 3 of 13 conversations touched: more than rebuild_share
        msg(con, f"c{n}", "10:00", "in", f"u{n}")
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 13
    assert layers.counts == {"full": 2}


def test_earlier_as_of_builds_its_own_layer_and_keeps_both(con):
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c2", "11:00", "in", "u2")
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 2
    assert kpi(con, "inbound_volume", layers=layers, as_of="10:30")["value"] == 1
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 2
    assert layers.counts == {"full": 2, "unchanged": 1}


def test_unchanged_database_and_as_of_reuses_the_layer(con):
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    for _ in range(3):
        assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 1
    assert layers.counts == {"full": 1, "unchanged": 2}


def test_capacity_drops_the_least_recently_used(con):
    layers = Layers(capacity=2)
    msg(con, "c1", "10:00", "in", "u1", channel="email")
    for channel in ("email", "sms", "email", "phone", "email"):
        kpi(con, "inbound_volume", layers=layers, as_of="12:00", channels=(channel,))
    assert layers.counts == {"full": 3, "unchanged": 2}


def test_many_rebuilt_conversations_compact_the_kept_tables(con):
    """After more than compact_share of the conversations were rebuilt, the kept tables
    are rewritten without their deleted rows; the numbers stay the same."""
    layers = Layers(compact_share=0.4, compact_min=0)
    for n in range(4):
        msg(con, f"c{n}", "10:00", "in", f"u{n}")
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 4
    msg(con, "c0", "10:30", "in", "u0")  # 1 of 4 rebuilt: not yet
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 5
    assert layers.counts["compacted"] == 0
    msg(con, "c1", "10:30", "in", "u1")  # 2 of 4: compacted
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 6
    assert layers.counts == {"full": 1, "incremental": 2, "compacted": 1}
    with engine.layer(con, Scope(as_of=T("12:00")), Config(), layers) as (cur, _resolved):
        assert layer_rows(cur) == fresh_rows(con, Scope(as_of=T("12:00")), Config())


def test_viewer_refresh_after_an_append_rebuilds_only_what_it_touched(tmp_path):
    """The app's data source on a file (as `open --read-only` runs it): the file is
    attached for each read only, so a writer can append in between, and the next
    dashboard advances the kept layers instead of building them again."""
    from socialcare_tui.tui.data import DataSource

    db = tmp_path / "live.duckdb"
    writer = open_db(db)
    for n in range(3):
        msg(writer, f"c{n}", "10:00", "in", f"u{n}")
    writer.close()
    source = DataSource(None, Config(), db_path=db, read_only=True)
    scope = Scope(window=timedelta(days=1))
    assert source.dashboard(scope).report["kpis"]["inbound_volume"]["value"] == 3
    writer = open_db(db)  # the viewer holds no lock between reads
    msg(writer, "c1", "10:20", "out", "alice")
    msg(writer, "c1", "10:30", "in", "u1")
    writer.close()
    data = source.dashboard(scope)
    assert data.report["kpis"]["inbound_volume"]["value"] == 4
    assert source.layers.counts["incremental"] == 2  # the window's layer and the previous one's
    assert source.layers.counts["full"] == 2  # from the first dashboard only
    reader = open_db(db, read_only=True)
    try:
        assert same(data.report, engine.report(reader, scope, Config()))
    finally:
        reader.close()


def test_a_failed_update_drops_the_layer_instead_of_keeping_it_half_done(con, monkeypatch):
    layers = Layers()
    msg(con, "c1", "10:00", "in", "u1")
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 1
    msg(con, "c2", "10:00", "in", "u2")

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(Layers, "_rebuild_touched", broken)
    with pytest.raises(RuntimeError):
        kpi(con, "inbound_volume", layers=layers, as_of="12:00")
    monkeypatch.undo()
    assert kpi(con, "inbound_volume", layers=layers, as_of="12:00")["value"] == 2
    assert layers.counts == {"full": 2}


def test_layer_sql_stages_merges_and_compacts_every_kept_table():
    from socialcare_tui import sqlfiles

    statements = sqlfiles.named("socialcare_tui.kpi.sql", "layer.sql")
    for table in KEPT:
        assert f"layer.main.delta_{table} AS SELECT * FROM {table};" in statements["stage"]
        assert f"DELETE FROM {table} WHERE" in statements["merge"]
        assert f"INSERT INTO {table} SELECT * FROM layer.main.delta_{table};" in statements["merge"]
        assert f"TEMP TABLE {table} AS SELECT * FROM {table};" in statements["compact"]


def test_viewer_starts_again_when_the_file_is_replaced(tmp_path):
    """A file moved into place under the same name is another database, even with as many
    rows: the kept layers are dropped, not advanced."""
    from socialcare_tui.tui.data import DataSource

    db, other = tmp_path / "live.duckdb", tmp_path / "other.duckdb"
    for path, channel in ((db, "twitter"), (other, "email")):
        writer = open_db(path)
        msg(writer, "c1", "10:00", "in", "u1", channel=channel)
        writer.close()
    source = DataSource(None, Config(), db_path=db, read_only=True)
    assert source.report(Scope(channels=("twitter",)))["kpis"]["inbound_volume"]["value"] == 1
    other.replace(db)
    assert source.report(Scope(channels=("twitter",)))["kpis"]["inbound_volume"]["value"] == 0
    assert source.layers.counts == {"full": 2}
