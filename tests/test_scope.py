"""One scope for the app and the CLI (kpi/scope.py).

`report` reads its options with `kpi.scope.parse` (through commands/_scope_args);
`open` makes the app's first view with the same parser, and the app's later
choices (a queue picked in the sidebar, a calendar period, an agent's screen)
become a Scope in `ViewState.scope()`. On a database made by the sample
generator, every filter form the app can express selects the same
conversations, at the same instant and window, as the same form given to
`report`: the Scope objects are equal, and so are the conversations of the
engine's layer, those active in the window, and the report's figures.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcare_tui import cli, sample
from socialcare_tui.commands import _scope_args
from socialcare_tui.commands import open as open_command
from socialcare_tui.config import Config, ScopeConfig, from_dict
from socialcare_tui.errors import UserError
from socialcare_tui.ingest.pipeline import ImportOptions, import_paths
from socialcare_tui.kpi import engine
from socialcare_tui.kpi import scope as scopes
from socialcare_tui.kpi.scope import Scope
from socialcare_tui.store import open_db
from socialcare_tui.tui.periods import custom, preset

# config aliases apply to what users type, in the app as in the CLI
CONFIG = from_dict({"channel_aliases": {"Tweets": "twitter"}})
# how people spell the stored channels: case, spaces, built-in and config aliases
SPELLINGS = {
    "twitter": ["twitter", "Twitter", "TWITTER", " twitter ", "X", "x", "Tweets", "tweets"],
    "email": ["email", "E-mail", "e-mail", "EMAIL"],
    "webchat": ["webchat", "Web Chat", "Live Chat", "chat"],
    "facebook": ["facebook", "FB", "Messenger", "fb messenger"],
    "phone": ["phone", "Call", "voice"],
}
KPIS = ["new_conversations", "inbound_volume", "first_response_time", "backlog", "resolutions"]
AS_OF_CHOICES = [None, "2024-03-20T12:00:00", "2024-03-31T23:41:11", "2024-03-10", "2024-03-25T08:30:00+02:00"]
WINDOW_CHOICES = [None, "24h", "7d", "30d", "all", "36h", "90m"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scope")
    return sample.generate(folder / "data", rows=300, seed=4, formats=("events", "twcs", "tickets"))


@pytest.fixture(scope="module")
def db(files):
    con = open_db(files[0].parent.parent / "scope.duckdb")
    import_paths(con, files, ImportOptions())
    yield con
    con.close()


@pytest.fixture(scope="module")
def known(db):
    return {attribute: scopes.known_values(db, attribute) for _, attribute in scopes.FILTERS}


# ---------------------------------------------------------------- the two paths


def cli_scope(argv: list[str], con, config: Config = CONFIG) -> Scope:
    """`report ARGV` as the command reads it."""
    args = cli.build_parser().parse_args(["report", *argv])
    return _scope_args.scope_from_args(args, config.scope, con)


def app_scope(argv: list[str], con, config: Config = CONFIG, *, queue: tuple[str, str] | None = None,
              period=None, agent: str | None = None) -> Scope:
    """`open ARGV`, then what the app does: it learns the newest event at each refresh, a
    queue picked in the sidebar sets its channel and queue, a calendar period replaces
    the rolling window, the agent's screen narrows its scope to the agent."""
    args = cli.build_parser().parse_args(["open", *argv])
    state = open_command.view_state(args, config)
    state.newest = scopes.newest_event(con)
    if queue is not None:
        state.channels, state.queues = (queue[0],), (queue[1],)
    if period is not None:
        state.period = period
    got = state.scope()
    return replace(got, agents=(agent,)) if agent else got


def selection(con, scope: Scope, config: Config = CONFIG):
    """(as_of, lo, hi, every conversation of the layer, those with an event in the window)."""
    with engine.layer(con, scope, config.kpi) as (cur, resolved):
        everyone = [k for (k,) in cur.execute("SELECT conv_key FROM conv ORDER BY conv_key").fetchall()]
        active = [k for (k,) in cur.execute(
            "SELECT DISTINCT conv_key FROM scope_events WHERE ts >= $lo AND ts < $hi ORDER BY conv_key",
            {"lo": resolved.lo, "hi": resolved.hi}).fetchall()]
    return resolved.as_of, resolved.lo, resolved.hi, everyone, active


def assert_same(con, app: Scope, cli_side: Scope, *, report: bool = False) -> tuple:
    assert app == cli_side
    got = selection(con, app)
    assert got == selection(con, cli_side)
    if report:
        assert (engine.report(con, app, CONFIG.kpi, kpis=KPIS)
                == engine.report(con, cli_side, CONFIG.kpi, kpis=KPIS))
    return got


# ---------------------------------------------------------------- every form, by hand


@pytest.mark.parametrize("stored, spelling", [(c, s) for c, spellings in SPELLINGS.items() for s in spellings])
def test_a_channel_selects_the_same_conversations_however_it_is_spelled(db, stored, spelling):
    app = app_scope(["--channel", spelling], db)
    assert app.channels == (stored,)
    _, _, _, everyone, _ = assert_same(db, app, cli_scope(["--channel", spelling], db))
    by_channel = dict(db.execute("SELECT conv_key, any_value(channel) FROM events GROUP BY 1").fetchall())
    assert everyone and {by_channel[k] for k in everyone} == {stored}
    assert everyone == selection(db, cli_scope(["--channel", stored], db))[3]


def test_open_with_an_alias_starts_on_the_channel_it_names(files, tmp_path, capsys, monkeypatch):
    """`open --channel X` used to filter on `x`, which no conversation has."""
    path = tmp_path / "open.duckdb"
    con = open_db(path)
    import_paths(con, files[:1], ImportOptions())
    con.close()
    started = {}
    monkeypatch.setattr(open_command, "run_app", lambda config, state, **_: started.setdefault("state", state))
    monkeypatch.setattr(open_command, "check_terminal", lambda: None)
    assert cli.main(["open", "--db", str(path), "--channel", "X", "--channel", "E-mail"]) == 0, capsys.readouterr()
    assert started["state"].channels == ("twitter", "email")


def test_a_queue_picked_in_the_app_is_the_queue_option(db, known):
    queues = dict(db.execute("SELECT coalesce(queue, channel), any_value(channel) FROM events GROUP BY 1").fetchall())
    for queue in known["queues"]:
        channel = queues[queue]
        got = assert_same(db, app_scope([], db, queue=(channel, queue)),
                          cli_scope(["--channel", channel, "--queue", queue], db))
        assert got[3], queue


def test_an_agents_screen_is_the_agent_option(db, known):
    for agent in known["agents"][:8]:
        got = assert_same(db, app_scope(["--window", "7d"], db, agent=agent),
                          cli_scope(["--window", "7d", "--agent", agent], db))
        assert got[3], agent


@pytest.mark.parametrize("argv", [
    [], ["--window", "24h"], ["--window", "7d"], ["--window", "30d"], ["--window", "all"], ["--window", " 7D "],
    ["--window", "36h"], ["--as-of", "2024-03-20T12:00:00"], ["--as-of", "2024-03-20T12:00:00", "--window", "7d"],
    ["--as-of", "2024-03-20T13:00:00+01:00", "--window", "24h"], ["--as-of", "2024-03-02T00:00:00"],
    ["--as-of", "2024-03-20", "--window", "7d", "--channel", "X", "--channel", "email"],
])
def test_window_and_as_of_are_read_alike(db, argv):
    assert_same(db, app_scope(argv, db), cli_scope(argv, db), report=True)


@pytest.mark.parametrize("window", [None, "24h", "7d", "all"])
def test_the_config_window_is_the_default_of_both(db, window):
    config = replace(CONFIG, scope=replace(CONFIG.scope, window=window))
    app, cli_side = app_scope([], db, config), cli_scope([], db, config)
    assert app == cli_side
    assert app.window == (None if window in (None, "all") else scopes.window_span(window))
    # an explicit --window wins over the config's
    assert app_scope(["--window", "30d"], db, config) == cli_scope(["--window", "30d"], db, config)


@pytest.mark.parametrize("start, end", [("2024-03-04", "2024-03-11"), ("2024-03-10T06:00:00", "2024-03-12T18:00:00"),
                                        ("2024-03-25", "2024-04-08")])
def test_a_calendar_period_is_from_and_to(db, start, end):
    """The app sees a period that is over as of its end (its last microsecond); one that
    is not over as of the newest event, as `report --from --to` does."""
    first, last = datetime.fromisoformat(start), datetime.fromisoformat(end)
    newest = scopes.newest_event(db)
    argv = ["--from", start, "--to", end]
    if last <= newest:
        argv += ["--as-of", (last - timedelta(microseconds=1)).isoformat()]
    got = assert_same(db, app_scope([], db, period=custom(first, last)), cli_scope(argv, db), report=True)
    assert (got[1], got[2]) == (first, last)


@pytest.mark.parametrize("name", ["today", "yesterday", "this week", "last week", "this month", "last month"])
def test_the_preset_periods_are_from_and_to(db, name):
    period = preset(name, scopes.newest_event(db), CONFIG.scope.timezone)
    argv = ["--from", period.start.isoformat(), "--to", period.end.isoformat()]
    if period.end <= scopes.newest_event(db):
        argv += ["--as-of", (period.end - timedelta(microseconds=1)).isoformat()]
    assert_same(db, app_scope(["--channel", "Twitter"], db, period=period), cli_scope([*argv, "--channel", "X"], db))


def test_a_tag_selects_the_conversations_tagged_with_it_or_its_topic(db, known):
    """The app has no tag filter; `report --tag T` keeps a conversation with a tag event
    whose value is T or whose topic (the part before `/`) is T."""
    conversations = set(selection(db, Scope())[3])
    for tag in known["tags"]:
        everyone = selection(db, cli_scope(["--tag", tag], db))[3]
        tagged = {k for (k,) in db.execute(
            "SELECT conv_key FROM events WHERE type = 'tag' AND (value = $t OR split_part(value, '/', 1) = $t)",
            {"t": tag}).fetchall()}
        assert everyone and everyone == sorted(tagged & conversations), tag


# ---------------------------------------------------------------- every combination, generated


@st.composite
def forms(draw):
    """A filter form the app can express, as `open` options plus the app's own choices."""
    argv: list[str] = []
    channel = draw(st.none() | st.sampled_from(sorted({s for ss in SPELLINGS.values() for s in ss})))
    if channel is not None:
        argv += ["--channel", channel]
    as_of = draw(st.sampled_from(AS_OF_CHOICES))
    if as_of is not None:
        argv += ["--as-of", as_of]
    use_period = draw(st.booleans())
    window = None if use_period else draw(st.sampled_from(WINDOW_CHOICES))
    if window is not None:
        argv += ["--window", window]
    period = None
    if use_period:
        day = draw(st.integers(min_value=1, max_value=35))
        length = draw(st.integers(min_value=1, max_value=14))
        start = datetime(2024, 3, 1) + timedelta(days=day - 1, hours=draw(st.integers(0, 23)))
        period = custom(start, start + timedelta(days=length))
    agent = draw(st.none() | st.sampled_from(["Alice Moreau", "Becky", "Sam", "AcmeHelp", "Grace Kim"]))
    queue = draw(st.none() | st.sampled_from([("twitter", "AcmeHelp"), ("email", "Billing"), ("webchat", "Support"),
                                              ("email", "Returns"), ("phone", "Tier 2")]))
    return argv, period, agent, queue


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(forms())
def test_every_combination_selects_the_same_conversations(db, form):
    argv, period, agent, queue = form
    app = app_scope(argv, db, period=period, agent=agent, queue=queue)
    cli_argv = list(argv)
    if queue is not None:  # the sidebar's pick replaces --channel by the queue's channel
        if "--channel" in cli_argv:
            at = cli_argv.index("--channel")
            del cli_argv[at:at + 2]
        cli_argv += ["--channel", queue[0], "--queue", queue[1]]
    if period is not None:  # a period that is over is seen as of its end
        cli_argv += ["--from", period.start.isoformat(), "--to", period.end.isoformat()]
        latest = scopes.parse(CONFIG.scope, as_of=_value(argv, "--as-of")).as_of or scopes.newest_event(db)
        if period.end <= latest:
            if "--as-of" in cli_argv:
                at = cli_argv.index("--as-of")
                del cli_argv[at:at + 2]
            cli_argv += ["--as-of", (period.end - timedelta(microseconds=1)).isoformat()]
    if agent is not None:
        cli_argv += ["--agent", agent]
    assert_same(db, app, cli_scope(cli_argv, db))


def _value(argv: list[str], option: str) -> str | None:
    return argv[argv.index(option) + 1] if option in argv else None


# ---------------------------------------------------------------- the parser's errors


@pytest.mark.parametrize("kwargs, message", [
    ({"window": "0h"}, "--window 0h: must be a positive span such as 24h or 7d"),
    ({"window": "-3"}, "--window -3: must be a positive span such as 24h or 7d"),
    ({"window": "0"}, "--window 0: must be a positive span such as 24h or 7d"),
    ({"window": "soon"}, "--window: 'soon' is not a duration (use e.g. 90m, 24h, 7d)"),
    ({"window": "7d", "start": "2024-01-01"}, "--window cannot be combined with --from/--to; use one or the other"),
    ({"window": "all", "end": "2024-01-01"}, "--window cannot be combined with --from/--to; use one or the other"),
    ({"start": "2024-01-02", "end": "2024-01-01"}, "--from 2024-01-02 is not before --to 2024-01-01"),
    ({"start": "2024-01-01", "end": "2024-01-01"}, "--from 2024-01-01 is not before --to 2024-01-01"),
    ({"as_of": "yesterday"}, "--as-of: 'yesterday' is not an ISO 8601 time (e.g. 2017-10-31 or 2017-10-31T22:00+01:00)"),
    ({"start": "soonish"}, "--from: 'soonish' is not an ISO 8601 time (e.g. 2017-10-31 or 2017-10-31T22:00+01:00)"),
])
def test_parser_errors(kwargs, message):
    with pytest.raises(UserError) as caught:
        scopes.parse(ScopeConfig(), **kwargs)
    assert str(caught.value) == message


def test_a_config_window_that_is_not_positive_is_the_same_error():
    with pytest.raises(UserError, match=r"^--window 0s: must be a positive span such as 24h or 7d$"):
        scopes.parse(ScopeConfig(window="0s"))


def test_the_engine_refuses_what_the_parser_refuses_in_the_same_words(db):
    with pytest.raises(UserError, match=r"^--window: must be a positive span such as 24h or 7d$"):
        engine.report(db, Scope(window=timedelta(0)), CONFIG.kpi, kpis=KPIS)
    with pytest.raises(UserError, match=r"^--window cannot be combined with --from/--to; use one or the other$"):
        engine.report(db, Scope(window=timedelta(days=1), start=datetime(2024, 3, 1)), CONFIG.kpi, kpis=KPIS)


@pytest.mark.parametrize("command", [["open"], ["report"]])
@pytest.mark.parametrize("argv, message", [
    (["--window", "0h"], "--window 0h: must be a positive span such as 24h or 7d"),
    (["--window", "soon"], "--window: 'soon' is not a duration (use e.g. 90m, 24h, 7d)"),
    (["--as-of", "yesterday"], "--as-of: 'yesterday' is not an ISO 8601 time"),
])
def test_open_and_report_say_the_same_line(tmp_path, capsys, monkeypatch, command, argv, message):
    monkeypatch.setattr(open_command, "run_app", lambda *a, **k: pytest.fail("the app must not start"))
    code = cli.main([*command, "--db", str(tmp_path / "none.duckdb"), *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"socialcare-tui: {message}") and err.count("\n") == 1


def test_relative_bounds_count_back_from_as_of_else_the_newest_event(db):
    newest = scopes.newest_event(db)
    assert scopes.parse(CONFIG.scope, start="2d", con=db).start == newest - timedelta(days=2)
    assert scopes.parse(CONFIG.scope, start="2d", as_of="2024-03-10").start == datetime(2024, 3, 8)
    now = datetime(2030, 1, 1)
    assert scopes.parse(CONFIG.scope, as_of="1d", now=now).as_of == datetime(2029, 12, 31)
    with pytest.raises(UserError, match="'2017' is not an ISO 8601 time"):  # a year to people, not seconds
        scopes.parse(CONFIG.scope, start="2017")


def test_filters_are_literal_and_counted_once():
    got = scopes.parse(CONFIG.scope, channels=["X", "twitter", "Tweets"], queues=["50%", "50%", "--"],
                       agents=["a b", "a b"], tags=["x/y"])
    assert (got.channels, got.queues, got.agents, got.tags) == (("twitter",), ("50%", "--"), ("a b",), ("x/y",))
    assert scopes.parse(CONFIG.scope, channels=[" "]).channels == (" ",)  # matches nothing, and says so


def test_known_values_refuse_an_unknown_filter(db):
    with pytest.raises(ValueError):
        scopes.known_values(db, "customers")
    with pytest.raises(UserError, match=r"^--channel tiktok: no such channel in the database \(known: email, "):
        scopes.check_filters(db, scopes.parse(CONFIG.scope, channels=["tiktok"]))
    scopes.check_filters(db, scopes.parse(CONFIG.scope, channels=["X"], queues=["Billing"]))
