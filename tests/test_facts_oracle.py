"""Stored conversation facts (store/facts.py) against the raw computation.

The raw computation is the oracle: with `facts.usable` patched to say the facts
do not fit, kpi/views.py computes every conversation from its events at read
time. The stored side runs with StaleFacts as an error, so it fails instead of
silently falling back to that same raw computation.

The sample generator's four files are appended in random chunks and random
order through the real import pipeline (so the writer's fact upkeep runs in the
import transaction): late events that reorder a conversation, events stored
ahead of as_of, survey answers before and after their conversation and without
one. After each chunk the shared layer's views are compared at a moving as_of
(before, inside and after the data, exactly at an event and exactly at a
silence deadline); in rotation, every filter form, with business hours on and
off, gets the whole battery: every KPI of the report (with by-groups), every
explain row list, the dashboard (previous window and series), every queue tab,
the channel tree and the agents table.

FACTS_ORACLE_SEEDS="1 2 3 ..." runs more seeds (FACTS_ORACLE_ROWS sets the
generated size; the default run uses two seeds at a small size).
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import tomllib
import warnings
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import kpi_helpers
import pytest
from kpi_helpers import same

from socialcare_tui import config as cfg
from socialcare_tui.ingest.pipeline import ImportOptions, import_paths
from socialcare_tui.kpi import browse, engine, registry
from socialcare_tui.kpi.engine import Scope, StaleFacts
from socialcare_tui.sample import generate
from socialcare_tui.store import facts, open_db

REPO = Path(__file__).resolve().parent.parent
SAMPLE_CONFIG = tomllib.loads((REPO / "sample_data" / "config.toml").read_text(encoding="utf-8"))
US = timedelta(microseconds=1)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
VIEWS = ("scope_events", "msgs", "turns", "resolutions", "conv", "customer_convs")
FACT_TABLES = ("fact_spans", "fact_events", "fact_msgs", "fact_turns", "fact_resolutions", "fact_conv")
KPIS = registry.select(None)

SEEDS = [int(s) for s in os.environ.get("FACTS_ORACLE_SEEDS", "1").split()]
# (events and surveys rows, tickets and twcs rows) given to the sample generator
ROWS = tuple(int(n) for n in os.environ.get("FACTS_ORACLE_ROWS", "260 90").split())

# Paris weekdays, a Saturday morning, a French public holiday and an extra
# closed date, a phone override and a queue in another timezone running past
# midnight; the data's month (March 2024) ends on the DST change.
BUSINESS_HOURS = {
    "timezone": "Europe/Paris", "country": "FR", "holidays": ["2024-03-15"],
    "monday": "09:00-18:00", "tuesday": "09:00-12:30, 13:30-18:00", "wednesday": "09:00-18:00",
    "thursday": "09:00-18:00", "friday": "09:00-17:00", "saturday": "10:00-14:00",
    "channel": {"phone": {"sunday": "10:00-16:00"}},
    "queue": {"Billing": {"timezone": "America/New_York", "monday": "22:00-06:00"}},
}


def make_config(business_hours: bool = False, **changes):
    data = dict(SAMPLE_CONFIG, **changes)
    if business_hours:
        data["business_hours"] = BUSINESS_HOURS
    return cfg.from_dict(data).kpi


PLAIN, HOURS = make_config(), make_config(business_hours=True)


# ---------------------------------------------------------------- the two sides


def _raw_usable(con, auto_resolve):
    return facts.State(-1, 0, auto_resolve), False


@contextmanager
def side(raw: bool):
    """raw: every conversation computed from its events (the oracle); else the
    stored facts, with StaleFacts an error so a silent fallback fails the test."""
    with warnings.catch_warnings():
        if raw:
            warnings.simplefilter("ignore", StaleFacts)
            with mock.patch.object(facts, "usable", _raw_usable):
                yield
        else:
            warnings.simplefilter("error", StaleFacts)
            yield


def both(fn):
    """(stored, raw) results of fn()."""
    with side(raw=False):
        stored = fn()
    with side(raw=True):
        raw = fn()
    return stored, raw


def _plain(value):
    return round(value, 9) if isinstance(value, float) else value


def multiset(cur, sql: str) -> tuple[list[str], Counter]:
    """A statement's columns and rows as a multiset (floats to 9 digits: a sum of
    doubles depends on the order of its rows)."""
    cursor = cur.execute(sql)
    names = [d[0] for d in cursor.description]
    return names, Counter(tuple(_plain(v) for v in row) for row in cursor.fetchall())


def layer_views(con, scope: Scope, config) -> dict:
    """The shared layer's views as multisets."""
    with engine.layer(con, scope, config) as (cur, _resolved):
        return {view: multiset(cur, f"SELECT * FROM {view}") for view in VIEWS}


@contextmanager
def explained_rows():
    """engine._compute wrapped so that each KPI's rows, once computed for a scope,
    are kept as explain lists them ({"kpi @ scope": rows}): one report or dashboard
    gives every KPI's explain rows too, instead of 27 more layers. The test checks
    them against engine.explain itself in rotation."""
    kept: dict[str, list[dict]] = {}
    compute = engine._compute

    def keeping(cur, kpi, resolved, by=None, extra=None):
        out = compute(cur, kpi, resolved, by, extra)
        key = f"{kpi.id} @ {resolved.scope}"
        if key not in kept:
            grouped = f" EXCLUDE ({engine._GRP_COLUMN})" if by else ""
            cursor = cur.execute(f"SELECT *{grouped} FROM kpi_base")
            names = [d[0] for d in cursor.description]
            kept[key] = [{n: engine._plain(v) for n, v in zip(names, row)} for row in cursor.fetchall()]
        return out

    with mock.patch.object(engine, "_compute", keeping):
        yield kept


def battery(con, scope: Scope, config, by: str | None, public: int | None) -> dict:
    """Everything a reader shows for the scope: every KPI's report result with its
    groups `by` a key, or (by None) the dashboard with its previous window and
    series; every KPI's explain rows (of the previous window's too); every queue
    tab, the channel tree and the agents table. The `public`-th KPI and tab also go
    through engine.explain and browse.queue_rows, which must give the same (public
    None: not checked)."""
    out = {"tree": browse.channel_tree(con, scope, config)}
    with explained_rows() as rows:
        if by is None:
            out["dashboard"] = kpi_helpers.dashboard(con, scope, config)
            results = out["dashboard"]["report"]["kpis"]
        else:
            out["report"] = kpi_helpers.report(con, scope, config, by=by)
            results = out["report"]["kpis"]
    out["explain"] = rows
    assert len(rows) >= len(KPIS)
    with engine.layer(con, scope, config) as (cur, resolved):
        out["queues"] = queue_tabs(cur, resolved)
        out["agents"] = browse.agent_rows(cur, scope, config, resolved=resolved)
    if public is None:
        return out
    kpi = KPIS[public % len(KPIS)].id
    explained = kpi_helpers.explain(con, scope, config, kpi)
    assert same(canon(explained["rows"]), canon(rows[f"{kpi} @ {resolved.scope}"])), kpi
    assert same(explained["result"], results[kpi]), kpi
    tab = browse.STATUS_TABS[public % len(browse.STATUS_TABS)]
    assert same(canon(browse.queue_rows(con, scope, config, tab)), canon(out["queues"][tab])), tab
    return out


def queue_tabs(cur, resolved) -> dict[str, list[dict]]:
    """browse.queue_rows of every tab, and browse.conversation_facts of a few
    conversations of the scope, the conversations' facts built once."""
    if resolved.as_of is None:
        return {tab: [] for tab in browse.STATUS_TABS}
    params = browse._build_facts(cur, resolved)
    tabs = {tab: browse._dicts(browse._run(cur, "queue_rows", {**params, "tab": tab}))
            for tab in browse.STATUS_TABS}
    keys = sorted(row["conv_key"] for row in tabs["all"])
    tabs["conversation_facts"] = [
        browse._dicts(browse._run(cur, "conversation_facts", {**params, "conv_key": key}))
        for key in keys[:: max(1, len(keys) // 4)]]
    return tabs


# ---------------------------------------------------------------- comparison


def _sort_key(value):
    if isinstance(value, float):
        return (1, f"{value:.6g}")
    if isinstance(value, dict):
        return (2, repr(sorted((k, _sort_key(v)) for k, v in value.items())))
    if isinstance(value, list):
        return (3, repr([_sort_key(v) for v in value]))
    return (0, repr(value))


def canon(value):
    """Lists of dicts (rows) as multisets: sorted, since ties in a reader's order
    (same moment, same wait) may come out either way."""
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [canon(v) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            items.sort(key=_sort_key)
        return items
    return value


def first_difference(a, b, path="") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(set(a) ^ set(b))} differ"
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} stored vs {len(b)} raw items"
        for n, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{n}]")
            if found:
                return found
        return None
    return None if same(a, b) else f"{path}: stored {a!r} vs raw {b!r}"


def assert_equal(stored, raw, what) -> None:
    stored, raw = canon(stored), canon(raw)
    if not same(stored, raw):
        pytest.fail(f"{what}: {first_difference(stored, raw)}")


def check_views(con, scope: Scope, config, what) -> None:
    stored, raw = both(lambda: layer_views(con, scope, config))
    for view in VIEWS:
        assert stored[view][0] == raw[view][0], (what, view, "columns")
        if stored[view][1] != raw[view][1]:
            extra, missing = stored[view][1] - raw[view][1], raw[view][1] - stored[view][1]
            pytest.fail(f"{what}: {view}: stored has {sorted(extra.elements(), key=repr)[:3]}, "
                        f"raw has {sorted(missing.elements(), key=repr)[:3]}")


def check_all(con, scope: Scope, config, what, by: str | None = "channel", public: int = 0) -> None:
    with side(raw=False):
        stored = battery(con, scope, config, by, public)
    with side(raw=True):
        raw = battery(con, scope, config, by, None)
    for part in stored:
        assert_equal(stored[part], raw[part], f"{what} {part}")


def computed_at_read(con, scope: Scope, config) -> tuple[int, int]:
    """(conversations the reader computed from their events, conversations in the
    layer) on the stored side: most must come from the stored facts."""
    with side(raw=False), engine.layer(con, scope, config) as (cur, _resolved):
        return cur.execute("SELECT (SELECT count(*) FROM calc_conv), (SELECT count(*) FROM conv)").fetchone()


def conversations(con) -> dict[str, tuple]:
    """conv_key -> (first event, last event, messages, survey answers)."""
    return {row[0]: row[1:] for row in con.execute(
        "SELECT conv_key, min(ts), max(ts), count(*) FILTER (WHERE type = 'message'), "
        "count(*) FILTER (WHERE type IN ('csat', 'nps')) FROM events "
        "WHERE conv_key IS NOT NULL GROUP BY conv_key").fetchall()}


def fact_rows(con) -> dict[str, Counter]:
    return {table: multiset(con, f"SELECT * FROM {table}")[1] for table in FACT_TABLES}


# ---------------------------------------------------------------- appending through the pipeline


_chunk_names = itertools.count()


def append(con, folder: Path, header: list[str], rows: list[list[str]], config=PLAIN):
    """One CSV file of `rows` imported through the pipeline (the writer's upkeep runs)."""
    path = folder / f"chunk{next(_chunk_names)}.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    (summary,) = import_paths(con, [path], ImportOptions(auto_resolve_after=config.auto_resolve_after))
    return summary


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory) -> dict[str, tuple[list[str], list[list[str]]]]:
    """format -> (header, rows) of the sample generator's files at a small size."""
    folder = tmp_path_factory.mktemp("sample")
    paths = generate(folder, rows=ROWS[0], seed=7, formats=("events", "surveys"))
    paths += generate(folder, rows=ROWS[1], seed=7, formats=("tickets", "twcs"))
    files = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8") as source:
            header, *rows = list(csv.reader(source))
        files[path.stem] = (header, rows)
    return files


def chunks(files, rng: random.Random):
    """(header, rows) chunks: every file's rows shuffled, cut into random sizes,
    the files interleaved at random."""
    pending = {}
    for name, (header, rows) in files.items():
        rows = list(rows)
        rng.shuffle(rows)
        pending[name] = (header, rows)
    while any(rows for _header, rows in pending.values()):
        name = rng.choice(sorted(name for name, (_h, rows) in pending.items() if rows))
        header, rows = pending[name]
        size = rng.choice([1, 3, 10, 40, 80, 150])
        yield name, header, rows[:size]
        del rows[:size]


# ---------------------------------------------------------------- instants and filters


def instants(con, config, rng: random.Random) -> dict[str, datetime | None]:
    """An as_of of each kind for the data stored now (chosen with the seed's rng)."""
    first, last = con.execute("SELECT min(ts), max(ts) FROM events").fetchone()
    spans = con.execute("SELECT conv_key, min(ts), max(ts), max(ts) FILTER (WHERE type = 'message') "
                        "FROM events WHERE conv_key IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
    _key, conv_first, conv_last, _msg = rng.choice(spans) if spans else (None, first, last, None)
    # the silence deadline of a conversation: its last message + auto_resolve_after
    messages = [row[3] for row in spans if row[3] is not None]
    deadline = (rng.choice(messages) + timedelta(seconds=config.auto_resolve_after)
                if messages else last)
    # where the stored facts say a conversation's silence resolves it
    valid_to = [row[0] for row in con.execute(
        "SELECT valid_to FROM fact_conv WHERE valid_to IS NOT NULL ORDER BY 1").fetchall()]
    valid_to = rng.choice(valid_to) if valid_to else deadline
    event = con.execute("SELECT ts FROM events ORDER BY ts LIMIT 1 OFFSET $n",
                        {"n": rng.randrange(con.execute("SELECT count(*) FROM events").fetchone()[0])}
                        ).fetchone()[0]
    return {
        "before": first - HOUR, "after": last + 3 * DAY, "newest": None, "event": event,
        "inside": first + (last - first) * rng.random(), "conv_first": conv_first,
        "conv_last": conv_last, "deadline": deadline, "just_before_deadline": deadline - US,
        "valid_to": valid_to, "just_before_valid_to": valid_to - US,
    }


# (name, scope keywords given the concrete as_of, report's by key or None for the
# dashboard): every filter alone and combined, every kind of window, once per seed
FORMS = [
    ("none", lambda a: {}, None),
    ("window 24h", lambda a: {"window": DAY}, None),
    ("channel, window 7d", lambda a: {"channels": ("email", "web"), "window": 7 * DAY}, "channel"),
    ("queue, from/to", lambda a: {"queues": ("Billing",), "start": a - 6 * DAY, "end": a - DAY},
     "queue"),
    ("agent", lambda a: {"agents": ("Dev Patel",)}, "agent"),
    ("tag, from", lambda a: {"tags": ("delivery", "refunds/request"), "start": a - 4 * DAY}, None),
    ("channels+agents+tag, to after as_of", lambda a: {
        "channels": ("twitter", "phone", "webchat"), "agents": ("Dev Patel", "Elena Rossi"),
        "tags": ("login", "delivery/late"), "end": a + 2 * DAY}, None),
    ("queues+channel, window 7d", lambda a: {"queues": ("Support", "Billing"),
                                             "channels": ("email",), "window": 7 * DAY}, "hour"),
]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_appends_equal_the_raw_computation(tmp_path, sample_files, seed):
    rng = random.Random(seed)
    con = open_db(tmp_path / "oracle.duckdb")
    try:
        plan = list(chunks(sample_files, rng))
        forms = list(FORMS)
        rng.shuffle(forms)
        # the whole battery after evenly spread chunks; every form once per seed,
        # business hours on for half of them (flipped with the seed's parity)
        at: dict[int, list] = {}
        for n, form in enumerate(forms):
            at.setdefault(max(1, len(plan) * (n + 1) // (len(forms) + 1)), []).append((n, form))
        kinds = itertools.cycle(["before", "conv_first", "after", "newest", "event", "inside",
                                 "deadline", "conv_last", "just_before_deadline", "valid_to",
                                 "just_before_valid_to"])
        seen = Counter()  # what the appends did to conversations already stored
        for step, (name, header, rows) in enumerate(plan, 1):
            before = conversations(con)
            append(con, tmp_path, header, rows)
            for key, (first, last, messages, answers) in conversations(con).items():
                was = before.get(key)
                if was and was[2] and first < was[0]:
                    seen["late message"] += 1
                if was and not was[2] and was[3] and messages:
                    seen["answer before its conversation"] += 1
                if was and was[2] and answers > was[3] and last > was[1]:
                    seen["answer after its conversation"] += 1
            config = (PLAIN, HOURS)[step % 2]
            points = instants(con, config, rng)
            for kind in (next(kinds),):
                what = f"seed {seed} step {step} ({name} +{len(rows)}) as_of {kind} {points[kind]}"
                check_views(con, Scope(as_of=points[kind]), config, what)
            for n, (form, keywords, by) in at.get(step, []):
                config = (PLAIN, HOURS)[(n + seed) % 2]
                kind = rng.choice(sorted(points))
                as_of = points[kind]
                concrete = as_of or con.execute("SELECT max(ts) FROM events").fetchone()[0]
                scope = Scope(as_of=as_of, **keywords(concrete))
                what = (f"seed {seed} step {step} {form} hours={config.business_hours is not None} "
                        f"as_of {kind} {as_of}")
                check_all(con, scope, config, what, by=by, public=n + seed * len(forms))
        assert len(seen) == 3, seen
        # the stored side did read stored facts: past the data, none is computed at read time
        computed, total = computed_at_read(con, Scope(as_of=points["after"]), PLAIN)
        assert (computed, total > 0) == (0, True)
        computed, total = computed_at_read(con, Scope(as_of=points["inside"]), PLAIN)
        assert computed < total
        # after many random appends, the incremental upkeep left what a rebuild makes
        kept = fact_rows(con)
        assert sum(map(len, kept.values())) > 0
        done = facts.rebuild(con, PLAIN.auto_resolve_after)
        assert done.full
        assert fact_rows(con) == kept
    finally:
        con.close()


# ---------------------------------------------------------------- hand-worked cases

EVENTS = ["event_id", "conversation_id", "at", "type", "channel", "queue", "direction", "author",
          "automated", "text", "value", "scale_max"]
SURVEYS = ["conversation_id", "at", "channel", "kind", "score", "scale_max", "comment"]
_ids = itertools.count(1)


def ev(conv, at, type="message", direction="", author="", value="", channel="twitter",
       queue="Care", text="", scale_max=""):
    automated = "false" if type == "message" else ""
    return [f"h{next(_ids)}", conv, at, type, channel, queue, direction, author, automated, text,
            value, scale_max]


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def kpi_both(con, kpi_id, config=PLAIN, **scope):
    """One KPI's report result from the stored facts, after asserting it equals the oracle's."""
    stored, raw = both(lambda: kpi_helpers.report(con, Scope(**scope), config, kpis=[kpi_id]))
    assert_equal(stored, raw, f"{kpi_id} {scope}")
    return stored["kpis"][kpi_id]


def tabs_both(con, config=PLAIN, **scope) -> dict[str, set[str]]:
    """conv_key per queue tab, equal on both sides."""
    def tabs():
        return {tab: browse.queue_rows(con, Scope(**scope), config, tab) for tab in browse.STATUS_TABS}
    stored, raw = both(tabs)
    assert_equal(stored, raw, f"queues {scope}")
    return {tab: {row["conv_key"] for row in rows} for tab, rows in stored.items()}


def test_silence_resolves_at_its_deadline_with_no_append(con, tmp_path):
    """in 10:00, out 10:05, then nothing: 24 h of silence from the reply resolve the
    conversation at 2024-03-05 10:05 exactly (a gap of at least auto_resolve_after),
    with no row appended; before that it is pending (the last message is a reply)."""
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T10:00:00Z", direction="in", author="u1"),
                                   ev("c1", "2024-03-04T10:05:00Z", direction="out", author="alice")])
    # a later conversation keeps the data going past the deadline
    append(con, tmp_path, EVENTS, [ev("c2", "2024-03-06T09:00:00Z", direction="in", author="u2")])
    deadline = t("2024-03-05 10:05")
    # both settled before either instant: read from the stored rows, not computed
    assert computed_at_read(con, Scope(as_of=deadline - US), PLAIN) == (0, 1)
    assert computed_at_read(con, Scope(as_of=t("2024-03-06 09:00")), PLAIN) == (0, 2)
    backlog = kpi_both(con, "backlog", as_of=deadline - US)
    assert (backlog["pending"], backlog["resolved"]) == (1, 0)
    assert tabs_both(con, as_of=deadline - US)["pending"] == {"events:c1"}
    backlog = kpi_both(con, "backlog", as_of=deadline)
    assert (backlog["pending"], backlog["resolved"]) == (0, 1)
    assert tabs_both(con, as_of=deadline)["resolved"] == {"events:c1"}
    # resolved at the reply (10:05), 5 minutes after the first message
    assert kpi_both(con, "resolution_time", as_of=deadline)["value"] == 300
    assert kpi_both(con, "resolutions", as_of=deadline - US)["value"] == 0
    for as_of, config in ((deadline - US, PLAIN), (deadline, HOURS), (deadline + US, PLAIN),
                          (t("2024-03-06 09:00"), HOURS)):
        check_views(con, Scope(as_of=as_of), config, f"as_of {as_of}")


def test_late_event_reorders_its_conversation(con, tmp_path):
    """A message older than the conversation's first becomes its start: the first
    response is measured from it, in the stored facts as in the oracle."""
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T10:00:00Z", direction="in", author="u1"),
                                   ev("c1", "2024-03-04T10:30:00Z", direction="out", author="alice")])
    assert kpi_both(con, "first_response_time", as_of=t("2024-03-04 12:00"))["value"] == 1800
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T09:30:00Z", direction="in", author="u1")])
    assert kpi_both(con, "first_response_time", as_of=t("2024-03-04 12:00"))["value"] == 3600
    # Monday 4 March, Paris is UTC+1: 10:30 to 11:30 local, all inside 09:00-18:00
    assert kpi_both(con, "first_response_time", HOURS, as_of=t("2024-03-04 12:00"))["value"] == 3600
    # as_of between the late message and the old first one: one waiting turn
    assert kpi_both(con, "first_response_time", as_of=t("2024-03-04 09:45"))["unanswered"] == 1
    for config in (PLAIN, HOURS):
        check_views(con, Scope(as_of=t("2024-03-04 10:15")), config, "between the messages")


def test_survey_answer_after_its_conversation(con, tmp_path):
    """A survey answer linked to a settled conversation makes it span the instants
    between its last message and the answer: read there, it is computed from its
    events; the answer counts once as_of reaches it."""
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T10:00:00Z", direction="in", author="u1"),
                                   ev("c1", "2024-03-04T10:05:00Z", direction="out", author="alice")])
    assert kpi_both(con, "csat", as_of=t("2024-03-04 12:00"))["n"] == 0
    append(con, tmp_path, SURVEYS, [["c1", "2024-03-04T14:00:00Z", "twitter", "csat", "4", "5", ""]])
    assert con.execute("SELECT first_ts, last_ts FROM fact_spans WHERE conv_key = 'events:c1'"
                       ).fetchall() == [(t("2024-03-04 10:00"), t("2024-03-04 14:00"))]
    for as_of, n in (("2024-03-04 12:00", 0), ("2024-03-04 14:00", 1), ("2024-03-06 00:00", 1)):
        csat = kpi_both(con, "csat", as_of=t(as_of))
        assert csat["n"] == n
    # the answer does not break the silence: resolved 24 h after the reply
    assert kpi_both(con, "backlog", as_of=t("2024-03-05 10:05"))["resolved"] == 1
    assert kpi_both(con, "backlog", as_of=t("2024-03-05 10:04"))["pending"] == 1
    for as_of in ("2024-03-04 12:00", "2024-03-04 14:00", "2024-03-05 10:05"):
        check_views(con, Scope(as_of=t(as_of)), PLAIN, as_of)
    # a second answer after the silence deadline: the stored rows (one before the
    # deadline, one after) now hold from that answer on; before it, computed
    append(con, tmp_path, SURVEYS, [["c1", "2024-03-06T12:00:00Z", "twitter", "csat", "1", "5", ""]])
    assert computed_at_read(con, Scope(as_of=t("2024-03-05 10:05")), PLAIN) == (1, 1)
    assert computed_at_read(con, Scope(as_of=t("2024-03-06 12:00")), PLAIN) == (0, 1)
    assert kpi_both(con, "backlog", as_of=t("2024-03-06 12:00"))["resolved"] == 1
    # the latest answer per conversation counts: 4 of 5, then 1 of 5
    for as_of, value in (("2024-03-06 11:59", 1.0), ("2024-03-06 12:00", 0.0)):
        csat = kpi_both(con, "csat", as_of=t(as_of))
        assert (csat["n"], csat["value"]) == (1, value)
    for as_of in ("2024-03-05 10:04:59.999999", "2024-03-05 10:05", "2024-03-06 12:00"):
        check_views(con, Scope(as_of=t(as_of)), HOURS, as_of)


def test_survey_before_its_conversation(con, tmp_path):
    """The answer is stored first (a conversation of one csat event); its messages
    arriving later touch it and it is computed again."""
    append(con, tmp_path, SURVEYS, [["c1", "2024-03-04T14:00:00Z", "twitter", "csat", "2", "5", ""]])
    assert kpi_both(con, "csat", as_of=t("2024-03-04 15:00"))["value"] == 0
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T10:00:00Z", direction="in", author="u1"),
                                   ev("c1", "2024-03-04T10:05:00Z", direction="out", author="alice")])
    assert kpi_both(con, "first_response_time", as_of=t("2024-03-04 15:00"))["value"] == 300
    assert kpi_both(con, "csat", as_of=t("2024-03-04 15:00"), agents=("alice",))["n"] == 1
    check_views(con, Scope(as_of=t("2024-03-04 15:00"), channels=("twitter",)), PLAIN, "after")


def test_survey_without_conversation(con, tmp_path):
    """An answer with no conversation counts for its channel: kept by --channel,
    dropped by --queue (surveys.py, views.sql filter_keep_answers)."""
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T10:00:00Z", direction="in", author="u1",
                                      channel="email", queue="Support")])
    append(con, tmp_path, SURVEYS, [["", "2024-03-04T11:00:00Z", "email", "csat", "5", "5", ""],
                                    ["", "2024-03-04T13:00:00Z", "sms", "csat", "1", "5", ""]])
    assert kpi_both(con, "csat", as_of=t("2024-03-04 12:00"))["n"] == 1  # the 13:00 one is ahead
    csat = kpi_both(con, "csat", as_of=t("2024-03-04 13:00"))
    assert (csat["n"], csat["value"]) == (2, 0.5)
    assert kpi_both(con, "csat", as_of=t("2024-03-04 13:00"), channels=("email",))["n"] == 1
    assert kpi_both(con, "csat", as_of=t("2024-03-04 13:00"), queues=("Support",))["n"] == 0
    check_views(con, Scope(as_of=t("2024-03-04 13:00"), channels=("sms",)), HOURS, "loose answers")


def test_another_auto_resolve_after_equals_the_oracle_and_warns(con, tmp_path):
    """Facts built with 24 h read with a 2 h config: every conversation is computed
    from its events (StaleFacts), equal to the oracle; an import with 2 h rebuilds
    them, and then they serve that config without a warning."""
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T10:00:00Z", direction="in", author="u1"),
                                   ev("c1", "2024-03-04T10:05:00Z", direction="out", author="alice"),
                                   ev("c2", "2024-03-04T13:00:00Z", direction="in", author="u2")])
    short = make_config(auto_resolve_after="2h")
    scope = Scope(as_of=t("2024-03-04 13:00"))
    with pytest.warns(StaleFacts):
        stored = kpi_helpers.report(con, scope, short)
    with side(raw=True):
        raw = kpi_helpers.report(con, scope, short)
    assert_equal(stored, raw, "2h config on 24h facts")
    assert stored["kpis"]["backlog"]["resolved"] == 1  # 2 h 55 min of silence since the reply
    def shown():
        return {"explain": kpi_helpers.explain(con, scope, short, "reply_time"),
                "queue": browse.queue_rows(con, scope, short, "all")}
    with pytest.warns(StaleFacts):
        stored = shown()
    with side(raw=True):
        raw = shown()
    assert_equal(stored, raw, "2h explain and queue")
    assert {row["conv_key"]: row["status"] for row in stored["queue"]} == {
        "events:c1": "resolved", "events:c2": "open"}
    assert kpi_both(con, "backlog", as_of=t("2024-03-04 13:00"))["pending"] == 1  # 24 h: still waiting
    append(con, tmp_path, EVENTS, [ev("c3", "2024-03-04T13:30:00Z", direction="in", author="u3")],
           config=short)
    assert facts.state(con).auto_resolve == 2 * 3600
    assert kpi_both(con, "backlog", short, as_of=t("2024-03-04 13:00"))["resolved"] == 1
    for as_of in ("2024-03-04 12:05", "2024-03-04 12:04:59.999999"):
        check_views(con, Scope(as_of=t(as_of)), short, f"the 2h deadline, {as_of}")


def test_dashboard_with_to_alone(con, tmp_path):
    """A window given by --to alone (lo is the beginning of time): the dashboard's
    previous window is empty, as for a window with no data before it."""
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T10:00:00Z", direction="in", author="u1")])
    scope = Scope(as_of=t("2024-03-04 12:00"), end=t("2024-03-05 00:00"))
    stored, raw = both(lambda: kpi_helpers.dashboard(con, scope, PLAIN))
    assert_equal(stored, raw, "--to alone")
    assert stored["report"]["kpis"]["inbound_volume"]["value"] == 1
    assert stored["previous"] is None


def test_watch_appends_keep_facts_equal_to_a_rebuild(db_path, tmp_path):
    """`watch` (ingest/follow.py) imports each appended chunk as its own source, then,
    in the same transaction, moves the rows onto the followed file's ledger row and
    shifts their line numbers. Events with the same time are ordered by (source,
    line), so the facts must be computed from the rows as they are committed: here
    the reply that came with the resolution is ordered before the status from
    another file, which makes alice the resolution's agent."""
    import json

    from socialcare_tui.ingest.follow import Follower

    open_db(db_path).close()
    feed = tmp_path / "feed.jsonl"

    def line(event_id, at, direction, author):
        return json.dumps({"event_id": event_id, "conversation_id": "c1", "at": at,
                           "channel": "twitter", "direction": direction, "author": author,
                           "text": "hello"}) + "\n"

    feed.write_text(line("f1", "2024-03-04T10:00:00Z", "in", "u1"), encoding="utf-8")
    follower = Follower([feed], db_path, ImportOptions(format="events"))
    assert [batch.imported for batch in follower.poll()] == [1]
    con = open_db(db_path)
    append(con, tmp_path, EVENTS, [ev("c1", "2024-03-04T10:30:00Z", type="status", value="resolved")])
    con.close()
    with feed.open("a", encoding="utf-8") as out:
        out.write(line("f2", "2024-03-04T10:30:00Z", "out", "alice"))
    assert [batch.imported for batch in follower.poll()] == [1]
    con = open_db(db_path)
    try:
        # the reply (the followed file's source, line 2) before the status (a later source)
        assert con.execute("SELECT type, source_id, line FROM events WHERE ts = '2024-03-04 10:30' "
                           "ORDER BY source_id, line").fetchall() == [("message", 1, 2), ("status", 2, 2)]
        check_views(con, Scope(as_of=t("2024-03-04 11:00")), PLAIN, "after watch appends")
        kept = fact_rows(con)
        facts.rebuild(con)
        assert fact_rows(con) == kept
    finally:
        con.close()
