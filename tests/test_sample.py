"""The sample-data generator: deterministic bytes, the committed files, the
properties the demo relies on (checked by SQL over the CSV files), and the
import of every file with nothing rejected."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

from socialcare_tui import cli, config
from socialcare_tui.sample import FORMATS, build_demo_db, events, generate, runner, twcs

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"
FILES = {"events": "events.csv", "twcs": "twcs.csv", "tickets": "tickets.csv", "surveys": "surveys.csv"}


def _has_importer(name: str) -> bool:
    return importlib.util.find_spec(f"socialcare_tui.ingest.{name}") is not None


@pytest.fixture(scope="module")
def q():
    """A DuckDB connection with one all-VARCHAR table per committed sample file."""
    con = duckdb.connect()
    for name, filename in FILES.items():
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv($path, all_varchar = true, header = true)",
            {"path": str(SAMPLE / filename)},
        )
    con.execute(
        """CREATE VIEW ev AS SELECT * REPLACE ("at"::TIMESTAMPTZ::TIMESTAMP AS "at") FROM events"""
    )
    yield con
    con.close()


def one(con, sql: str):
    return con.execute(sql).fetchone()[0]


def count_rows(con, path: Path) -> int:
    return con.execute("SELECT count(*) FROM read_csv($p, all_varchar = true)", {"p": str(path)}).fetchone()[0]


# -- determinism ---------------------------------------------------------------


def test_same_seed_same_bytes_and_other_seed_other_bytes(tmp_path):
    a = generate(tmp_path / "a", rows=500, seed=7)
    b = generate(tmp_path / "b", rows=500, seed=7)
    c = generate(tmp_path / "c", rows=500, seed=8)
    for x, y, z in zip(a, b, c):
        assert x.read_bytes() == y.read_bytes(), x.name
        if x.suffix == ".csv":
            assert x.read_bytes() != z.read_bytes(), x.name


def test_bytes_do_not_depend_on_thread_count(tmp_path):
    # 40 000 events span many DuckDB vectors, so four threads really run in parallel
    paths = []
    for threads in (1, 4):
        con = runner.connect()
        con.execute(f"SET threads = {threads}")
        paths.append(events.write(con, tmp_path / f"ev{threads}.csv", 40_000, 3))
        paths.append(twcs.write(con, tmp_path / f"tw{threads}.csv", 20_000, 3))
        con.close()
    assert paths[0].read_bytes() == paths[2].read_bytes()
    assert paths[1].read_bytes() == paths[3].read_bytes()


def test_committed_files_equal_a_fresh_generation(tmp_path):
    fresh = generate(tmp_path)
    assert [p.name for p in fresh] == [*FILES.values(), "config.toml"]
    for path in fresh:
        committed = SAMPLE / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"sample_data/{path.name} differs from a fresh generation; "
            "regenerate with: socialcare-tui sample sample_data"
        )


def test_committed_sample_is_under_2_mb_and_config_is_valid():
    total = sum(p.stat().st_size for p in SAMPLE.iterdir() if p.is_file())
    assert total < 2_000_000
    cfg = config.load(SAMPLE / "config.toml")
    assert set(cfg.kpi.topic_rules) == {"delivery", "refunds", "billing", "login", "outages"}
    assert cfg.kpi.cost_per_conversation["phone"] == 12
    assert cfg.kpi.cost_per_conversation["twitter"] == 1
    assert cfg.kpi.sla["first_response"] == 3600  # "1h"


def test_rows_is_about_the_requested_size(tmp_path):
    written = generate(tmp_path, rows=20_000, seed=2, formats=("events", "twcs", "tickets"))
    con = duckdb.connect()
    for path in written:
        n = count_rows(con, path)
        # events and twcs write whole conversations: within 10 %; tickets exactly
        assert abs(n - 20_000) <= (0 if path.name == "tickets.csv" else 2_000), (path.name, n)


# -- the events log --------------------------------------------------------------


def test_events_channels_queues_agents_and_time_range(q):
    channels = {r[0] for r in q.execute("SELECT DISTINCT channel FROM ev").fetchall()}
    assert channels == {"twitter", "facebook", "instagram", "whatsapp", "email", "webchat", "phone"}
    per_channel = q.execute("SELECT channel, count(DISTINCT queue) FROM ev GROUP BY 1").fetchall()
    assert all(1 <= n <= 3 for _, n in per_channel), per_channel
    agents = one(q, "SELECT count(DISTINCT author) FROM ev WHERE direction = 'out' AND automated = 'false'")
    assert 6 <= agents <= 10
    lo, hi = q.execute('SELECT min("at"), max("at") FROM ev').fetchone()
    assert str(lo) >= "2024-03-02" and str(hi) < "2024-04-01"
    assert one(q, "SELECT count(DISTINCT conversation_id) FROM ev") <= 3000


def test_events_peaks_on_weekday_hours_and_mondays(q):
    # mean customer messages per hour-of-day: working hours at least twice the night hours
    day, night = q.execute(
        """SELECT count(*) FILTER (WHERE hour("at") BETWEEN 9 AND 17) / 9,
                  count(*) FILTER (WHERE hour("at") BETWEEN 0 AND 6) / 7
           FROM ev WHERE direction = 'in'"""
    ).fetchone()
    assert day > 2 * night
    # conversations opened per calendar day, averaged by weekday: Monday first
    busiest = one(
        q,
        """WITH f AS (SELECT conversation_id, min("at") AS t FROM ev GROUP BY 1)
           SELECT dayname(t) FROM f GROUP BY 1 ORDER BY count(*) / count(DISTINCT t::DATE) DESC LIMIT 1""",
    )
    assert busiest == "Monday"


def test_events_have_every_kind_of_behaviour(q):
    counts = q.execute(
        """SELECT count(*) FILTER (WHERE automated = 'true'),
                  count(*) FILTER (WHERE automated = 'true' AND direction <> 'out'),
                  count(*) FILTER (WHERE type = 'assign'),
                  count(*) FILTER (WHERE quick_reply IS NOT NULL),
                  count(*) FILTER (WHERE quick_reply IS NOT NULL AND direction <> 'out'),
                  count(*) FILTER (WHERE talk_seconds IS NOT NULL),
                  count(*) FILTER (WHERE talk_seconds IS NOT NULL AND channel <> 'phone'),
                  count(*) FILTER (WHERE value IN ('solved', 'closed')),
                  count(*) FILTER (WHERE type = 'tag'),
                  count(*) FILTER (WHERE type = 'tag' AND NOT regexp_full_match(value, '[a-z]+/[a-z0-9 ]+'))
           FROM ev"""
    ).fetchone()
    bots, bots_wrong, assigns, quick, quick_wrong, talks, talks_wrong, aliases, tags, tags_wrong = counts
    assert bots > 0 and bots_wrong == 0
    assert assigns > 0 and quick > 0 and quick_wrong == 0
    assert talks > 0 and talks_wrong == 0
    assert aliases > 0 and tags > 0 and tags_wrong == 0
    ranges = q.execute(
        """SELECT count(*) FILTER (WHERE type = 'csat'), count(*) FILTER (WHERE type = 'nps'),
                  count(*) FILTER (WHERE type = 'csat' AND (TRY_CAST(value AS INT) BETWEEN 1 AND 5) IS NOT TRUE),
                  count(*) FILTER (WHERE type = 'nps' AND (TRY_CAST(value AS INT) BETWEEN 0 AND 10) IS NOT TRUE)
           FROM ev"""
    ).fetchone()
    assert ranges[0] > 0 and ranges[1] > 0 and ranges[2:] == (0, 0)


CONV_FACTS = """
WITH m AS (
    SELECT conversation_id AS c, "at" AS t, direction AS d, automated AS a, type, value, queue,
           row_number() OVER (PARTITION BY conversation_id ORDER BY "at", direction NULLS LAST, event_id) AS n
    FROM ev
)
SELECT c,
       arg_min(d, n) FILTER (WHERE type = 'message') AS first_dir,
       min(t) FILTER (WHERE d = 'in') AS first_in,
       min(t) FILTER (WHERE d = 'out' AND a = 'false') AS first_reply,
       max(t) FILTER (WHERE type = 'message' AND a = 'false') AS last_msg,
       arg_max(d, n) FILTER (WHERE type = 'message' AND a = 'false') AS last_dir,
       count(DISTINCT queue) AS queues,
       max(t) FILTER (WHERE type = 'status' AND value IN ('resolved', 'solved', 'closed')) AS last_resolved,
       min(t) FILTER (WHERE type = 'status' AND value IN ('resolved', 'solved', 'closed')) AS first_resolved
FROM m GROUP BY c
"""


def test_events_conversation_shapes(q):
    q.execute(f"CREATE OR REPLACE TEMP TABLE facts AS {CONV_FACTS}")
    shapes = q.execute(
        """SELECT count(*) FILTER (WHERE first_dir = 'out'),
                  count(*) FILTER (WHERE queues > 1),
                  count(*) FILTER (WHERE first_dir = 'in' AND first_reply < first_in),
                  count(*) FILTER (WHERE last_dir = 'in' AND last_msg >= TIMESTAMP '2024-03-31'),
                  count(*) FILTER (WHERE first_dir = 'in' AND first_reply IS NULL)
           FROM facts"""
    ).fetchone()
    brand_initiated, transferred, reply_before_question, waiting_at_end, never_answered = shapes
    assert brand_initiated > 0 and transferred > 0 and waiting_at_end > 0 and never_answered > 0
    assert reply_before_question == 0
    # reopened: a customer message after a resolution
    reopened = one(
        q,
        """SELECT count(DISTINCT e.conversation_id) FROM ev e JOIN facts f ON f.c = e.conversation_id
           WHERE e.direction = 'in' AND e."at" > f.first_resolved""",
    )
    assert reopened > 0
    # several customer messages before the first human reply
    nudged = one(
        q,
        """SELECT count(*) FROM (
               SELECT e.conversation_id FROM ev e JOIN facts f ON f.c = e.conversation_id
               WHERE e.direction = 'in' AND e."at" < f.first_reply GROUP BY 1 HAVING count(*) >= 2)""",
    )
    assert nudged > 0


def test_events_first_response_times_are_minutes_to_hours(q):
    q.execute(f"CREATE OR REPLACE TEMP TABLE facts AS {CONV_FACTS}")
    lo, median, p90 = q.execute(
        """SELECT min(s), median(s), quantile_cont(s, 0.9) FROM (
               SELECT epoch(first_reply - first_in) AS s FROM facts WHERE first_dir = 'in')"""
    ).fetchone()
    assert lo < 5 * 60  # chat and calls answered within minutes
    assert 60 <= median <= 3 * 3600
    assert p90 >= 3600  # email and night-time messages wait hours


# -- twcs, tickets, surveys --------------------------------------------------------


def test_twcs_reply_trees(q):
    cols = [r[0] for r in q.execute("DESCRIBE twcs").fetchall()]
    assert cols == ["tweet_id", "author_id", "inbound", "created_at", "text",
                    "response_tweet_id", "in_response_to_tweet_id"]
    facts = q.execute(
        r"""SELECT count(DISTINCT author_id) FILTER (WHERE inbound = 'False'),
                   count(*) FILTER (WHERE inbound = 'True' AND NOT regexp_full_match(author_id, '[0-9]+')),
                   count(*) FILTER (WHERE NOT regexp_full_match(created_at,
                       '(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \+0000 2024')),
                   count(*) FILTER (WHERE inbound = 'False' AND regexp_matches(text, ' (\^[A-Z]{2}|-[A-Z][a-z]+|\*[A-Z]{2})$'))
            FROM twcs"""
    ).fetchone()
    brands, bad_customers, bad_dates, signed = facts
    assert brands == 3 and bad_customers == 0 and bad_dates == 0 and signed > 0
    # every parent is in the data except a few on purpose (ids ending in 0 never exist)
    missing = q.execute(
        """SELECT count(*), count(*) FILTER (WHERE c.in_response_to_tweet_id NOT LIKE '%0')
           FROM twcs c LEFT JOIN twcs p ON p.tweet_id = c.in_response_to_tweet_id
           WHERE c.in_response_to_tweet_id IS NOT NULL AND p.tweet_id IS NULL"""
    ).fetchone()
    assert missing[0] > 0 and missing[1] == 0
    # parent and child agree: the parent lists the child among its responses
    disagree = one(
        q,
        """SELECT count(*) FROM twcs c JOIN twcs p ON p.tweet_id = c.in_response_to_tweet_id
           WHERE NOT list_contains(string_split(p.response_tweet_id, ','), c.tweet_id)""",
    )
    assert disagree == 0
    # a reply is never older than the tweet it answers
    backwards = one(
        q,
        """SELECT count(*) FROM twcs c JOIN twcs p ON p.tweet_id = c.in_response_to_tweet_id
           WHERE strptime(c.created_at, '%a %b %d %H:%M:%S +0000 %Y')
               < strptime(p.created_at, '%a %b %d %H:%M:%S +0000 %Y')""",
    )
    assert backwards == 0
    # some trees never got a brand reply: root customer tweets with no responses
    silent = one(q, "SELECT count(*) FROM twcs WHERE in_response_to_tweet_id IS NULL AND response_tweet_id IS NULL")
    assert silent > 0


def test_tickets_export(q):
    cols = [r[0] for r in q.execute("DESCRIBE tickets").fetchall()]
    for name in ("Ticket ID", "Created", "Channel", "Group", "Status", "Assignee", "Resolved",
                 "Customer Satisfaction Rating", "Ticket Type", "Category", "Replies", "Priority"):
        assert name in cols
    statuses = {r[0] for r in q.execute('SELECT DISTINCT "Status" FROM tickets').fetchall()}
    assert {"New", "Open", "Pending", "Solved", "Closed"} <= statuses
    wrong = q.execute(
        """SELECT count(*) FILTER (WHERE "Status" IN ('New', 'Pending', 'On-hold') AND "Resolved" IS NOT NULL),
                  count(*) FILTER (WHERE "Status" = 'New' AND "Assignee" IS NOT NULL),
                  count(*) FILTER (WHERE TRY_CAST("Customer Satisfaction Rating" AS INT) NOT BETWEEN 1 AND 5),
                  count(*) FILTER (WHERE "Resolved" < "Created")
           FROM tickets"""
    ).fetchone()
    assert wrong == (0, 0, 0, 0)
    # a few reopened tickets keep an old resolution date the importer must ignore
    assert one(q, """SELECT count(*) FROM tickets WHERE "Status" = 'Open' AND "Resolved" IS NOT NULL""") > 0


def test_surveys_link_to_events_conversations(q):
    linked, loose, dangling, over = q.execute(
        """SELECT count(*) FILTER (WHERE s.conversation_id IS NOT NULL),
                  count(*) FILTER (WHERE s.conversation_id IS NULL),
                  count(*) FILTER (WHERE s.conversation_id IS NOT NULL AND s.conversation_id NOT IN
                                   (SELECT conversation_id FROM events)),
                  count(*) FILTER (WHERE s.score::INT > s.scale_max::INT OR s.score::INT < 0)
           FROM surveys s"""
    ).fetchone()
    assert linked > 0 and loose > 0 and dangling == 0 and over == 0
    kinds = {r[0] for r in q.execute("SELECT DISTINCT kind FROM surveys").fetchall()}
    assert kinds == {"csat", "nps"}


# -- import --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FILES))
def test_sample_file_imports_with_nothing_rejected(con, name):
    if not _has_importer(name):
        pytest.skip(f"the {name} importer is not in this checkout yet")
    from socialcare_tui.ingest.pipeline import import_paths

    (summary,) = import_paths(con, [SAMPLE / FILES[name]])
    lines = count_rows(duckdb.connect(), SAMPLE / FILES[name])
    assert summary.format == name
    assert summary.rejected == 0 and summary.duplicates == 0
    if name == "tickets":  # each ticket becomes several synthesised events
        assert summary.imported >= lines
    else:
        assert summary.rows_read == summary.imported == lines


def _ledger(db: Path) -> list[tuple]:
    from socialcare_tui.store import open_db

    con = open_db(db, read_only=True)
    try:
        return con.execute(
            "SELECT format, sum(imported), sum(rejected), count(*) FILTER (WHERE imported > 0) "
            "FROM sources GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()


def test_build_demo_db_imports_every_file_once(tmp_path, monkeypatch):
    missing = [n for n in FILES if not _has_importer(n)]
    if missing:
        pytest.skip(f"importers not in this checkout yet: {', '.join(missing)}")
    from socialcare_tui.sample import demo

    db = build_demo_db(tmp_path / "demo.duckdb")
    build_demo_db(db)  # idempotent: a second build adds nothing
    ledger = _ledger(db)
    assert [r[0] for r in ledger] == sorted(FORMATS)
    assert all(r[1] > 0 and r[2] == 0 and r[3] == 1 for r in ledger), ledger  # nothing rejected, imported once
    # an install without sample_data/ generates the same files into a temporary folder
    monkeypatch.setattr(demo, "SAMPLE_DIR", tmp_path / "absent")
    assert _ledger(build_demo_db(tmp_path / "fresh.duckdb")) == ledger


# -- command line ------------------------------------------------------------------


def test_sample_command_writes_one_format(tmp_path, capsys):
    assert cli.main(["sample", str(tmp_path), "--format", "tickets", "--rows", "50", "--seed", "5"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tickets.csv"]
    assert len((tmp_path / "tickets.csv").read_text(encoding="utf-8").splitlines()) == 51  # header + 50
    assert "tickets.csv" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--rows", "0"], "--rows 0"),
    (["--seed", "-1"], "--seed -1"),
])
def test_sample_command_rejects_bad_values(tmp_path, capsys, argv, message):
    assert cli.main(["sample", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_sample_command_refuses_a_file_as_folder(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert cli.main(["sample", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err
