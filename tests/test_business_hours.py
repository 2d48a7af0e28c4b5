"""Business hours (config `business_hours`): config parsing, the calendar of
open intervals (kpi/calendar.py, kpi/sql/calendar.sql) and business seconds.
Every expected value is worked out by hand in the comment beside it."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from kpi_helpers import T, explain_rows, kpi, msg, status

from socialcare_tui import config as cfg
from socialcare_tui.errors import UserError
from socialcare_tui.kpi import browse, calendar
from socialcare_tui.kpi.scope import Scope

WEEK_9_TO_18 = {day: "09:00-18:00" for day in cfg.WEEKDAYS[:5]}


def hours(**table):
    return cfg.from_dict({"business_hours": table}).kpi.business_hours


def business_seconds(con, bh, a: str, b: str, cal: str = "default") -> float | None:
    """secs(a, b, cal) on a calendar built around the events (and a, b as as_of)."""
    cur = con.cursor()
    try:
        calendar.install(cur, bh, max(datetime.fromisoformat(a), datetime.fromisoformat(b)))
        return cur.execute("SELECT secs($a::TIMESTAMP, $b::TIMESTAMP, $cal)",
                           {"a": a, "b": b, "cal": cal}).fetchone()[0]
    finally:
        cur.close()


@pytest.fixture
def data_from(con):
    """Events that start the calendar's span at the given time."""
    def start(ts: str):
        msg(con, "span", ts, "in", "u0")
        return con
    return start


# ---------------------------------------------------------------- config


def test_config_parses_ranges_overnight_and_overrides():
    bh = hours(timezone="Europe/Paris", country="FR", holidays=["2024-12-24"],
               monday="09:00-12:00, 13:00-18:00", tuesday="09:00-12:00,11:00-13:00",
               friday="22:00-02:00", sunday="00:00-24:00",
               channel={"Phone": {"saturday": "10:00-14:00"}},
               queue={"vip": {"timezone": "America/New_York", "country": ""}})
    week = bh.default.week
    assert week[0] == ((540, 720), (780, 1080))  # two ranges, in minutes of the day
    assert week[1] == ((540, 780),)  # overlapping ranges merged: 09:00-13:00
    assert week[4] == ((1320, 1440),) and week[5] == ((0, 120),)  # Friday 22:00 until Saturday 02:00
    assert week[6] == ((0, 1440),) and week[2] == ()  # Sunday all day; Wednesday missing = closed
    assert bh.default.holidays == (date(2024, 12, 24),) and bh.default.country == "FR"
    phone = bh.channel["phone"]  # channel names are matched lower case
    assert phone.week[5] == ((0, 120), (600, 840)) and phone.week[0] == week[0]  # inherits monday
    assert phone.timezone == "Europe/Paris" and phone.country == "FR"
    vip = bh.queue["vip"]
    assert vip.timezone == "America/New_York" and vip.country is None and vip.week == week


@pytest.mark.parametrize("table, message", [
    ({"monday": "09:00-18:00"}, "business_hours: needs timezone"),
    ({"timezone": "Mars/Base", "monday": "09:00-18:00"}, "business_hours.timezone: 'Mars/Base'"),
    ({"timezone": "UTC", "monday": "9-18"}, "business_hours.monday: '9-18' is not a range"),
    ({"timezone": "UTC", "monday": "09:00-25:00"}, "business_hours.monday: '25:00'"),
    ({"timezone": "UTC", "monday": "09:00-09:00"}, "business_hours.monday: '09:00-09:00' is an empty"),
    ({"timezone": "UTC", "monday": 9}, "business_hours.monday: must be a string"),
    ({"timezone": "UTC"}, "business_hours: no open hours"),
    ({"timezone": "UTC", "monday": "09:00-18:00", "hollidays": []}, "unknown key 'hollidays'"),
    ({"timezone": "UTC", "monday": "09:00-18:00", "holidays": ["24/12/2024"]}, "'24/12/2024' is not a date"),
    ({"timezone": "UTC", "monday": "09:00-18:00", "country": "XX"}, "business_hours.country: 'XX'"),
    ({"timezone": "UTC", "monday": "09:00-18:00", "channel": {"phone": {"monday": "x"}}},
     "business_hours.channel.phone.monday: 'x'"),
])
def test_config_errors_name_the_key(table, message):
    with pytest.raises(UserError) as err:
        cfg.from_dict({"business_hours": table})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_config_without_business_hours_keeps_calendar_time():
    assert cfg.from_dict({}).kpi.business_hours is None
    assert calendar.cal_params(None) == {"bh_channels": [], "bh_queues": []}


# ---------------------------------------------------------------- calendar


def test_overnight_gap_counts_evening_and_morning(data_from):
    con = data_from("2024-03-04 08:00")  # Monday
    bh = hours(timezone="UTC", **WEEK_9_TO_18)
    # Tuesday 17:30 -> Wednesday 09:30: 30 min before closing + 30 min after opening = 3600
    assert business_seconds(con, bh, "2024-03-05 17:30", "2024-03-06 09:30") == 3600
    # inside one open stretch it is calendar time: 10:00 -> 11:15 = 4500
    assert business_seconds(con, bh, "2024-03-05 10:00", "2024-03-05 11:15") == 4500
    # both ends in closed time on the same night: 0
    assert business_seconds(con, bh, "2024-03-05 19:00", "2024-03-06 08:00") == 0


def test_timezone_shifts_the_open_hours(data_from):
    con = data_from("2024-03-04 08:00")
    bh = hours(timezone="Europe/Paris", **WEEK_9_TO_18)
    # Paris is UTC+1 in March: open 08:00-17:00 UTC. Tuesday 16:30 UTC (17:30 local) ->
    # Wednesday 08:30 UTC (09:30 local) = 1800 + 1800 = 3600
    assert business_seconds(con, bh, "2024-03-05 16:30", "2024-03-06 08:30") == 3600


def test_weekend_is_closed(data_from):
    con = data_from("2024-03-04 08:00")
    bh = hours(timezone="UTC", **WEEK_9_TO_18)
    # Friday 2024-03-08 17:00 -> Monday 2024-03-11 10:00: 1 h Friday + 0 + 0 + 1 h Monday = 7200
    assert business_seconds(con, bh, "2024-03-08 17:00", "2024-03-11 10:00") == 7200


def test_holidays_from_country_and_list(data_from):
    con = data_from("2024-04-29 08:00")
    # Tuesday 2024-04-30 17:00 -> Thursday 2024-05-02 10:00; Wednesday 1 May is
    # Labour Day in France (holidays package).
    a, b = "2024-04-30 17:00", "2024-05-02 10:00"
    # no holidays: 1 h + 9 h Wednesday + 1 h = 39600
    assert business_seconds(con, hours(timezone="UTC", **WEEK_9_TO_18), a, b) == 39600
    # country FR closes Wednesday: 1 h + 1 h = 7200
    assert business_seconds(con, hours(timezone="UTC", country="FR", **WEEK_9_TO_18), a, b) == 7200
    # the same from an explicit date (TOML dates or strings)
    listed = hours(timezone="UTC", holidays=[date(2024, 5, 1)], **WEEK_9_TO_18)
    assert business_seconds(con, listed, a, b) == 7200
    # a US calendar keeps 1 May open: 39600
    assert business_seconds(con, hours(timezone="UTC", country="US", **WEEK_9_TO_18), a, b) == 39600


def test_overnight_shift_runs_into_the_next_day(data_from):
    con = data_from("2024-03-04 08:00")
    bh = hours(timezone="UTC", friday="22:00-06:00")
    # Friday 2024-03-08 20:00 -> Saturday 12:00: open 22:00-24:00 and 00:00-06:00 = 8 h = 28800
    assert business_seconds(con, bh, "2024-03-08 20:00", "2024-03-09 12:00") == 28800


@pytest.mark.parametrize("tz, sunday, a, b, expected", [
    # Europe/Paris, clocks forward Sunday 2024-03-31 02:00 CET -> 03:00 CEST.
    # Open 01:00-04:00 local = 00:00 UTC (CET, +1) to 02:00 UTC (CEST, +2): 2 h real time.
    ("Europe/Paris", "01:00-04:00", "2024-03-30 12:00", "2024-03-31 12:00", 7200),
    # 01:30 CET (00:30 UTC) -> 03:30 CEST (01:30 UTC): the clock moved 2 h, 1 h elapsed.
    ("Europe/Paris", "01:00-04:00", "2024-03-31 00:30", "2024-03-31 01:30", 3600),
    # Europe/Paris, clocks back Sunday 2024-10-27 03:00 CEST -> 02:00 CET.
    # Open 01:00 CEST (23:00 UTC on the 26th) to 04:00 CET (03:00 UTC): 4 h real time.
    ("Europe/Paris", "01:00-04:00", "2024-10-26 12:00", "2024-10-27 12:00", 14400),
    # America/New_York, clocks forward Sunday 2024-03-10 02:00 EST -> 03:00 EDT.
    # Open 00:00 EST (05:00 UTC) to 06:00 EDT (10:00 UTC): 5 h.
    ("America/New_York", "00:00-06:00", "2024-03-09 12:00", "2024-03-10 23:00", 18000),
    # America/New_York, clocks back Sunday 2024-11-03 02:00 EDT -> 01:00 EST.
    # Open 00:00 EDT (04:00 UTC) to 06:00 EST (11:00 UTC): 7 h.
    ("America/New_York", "00:00-06:00", "2024-11-02 12:00", "2024-11-03 23:00", 25200),
    # the Sunday before, no change: 00:00-06:00 EDT = 6 h
    ("America/New_York", "00:00-06:00", "2024-10-26 12:00", "2024-10-27 23:00", 21600),
])
def test_dst_changes_count_real_elapsed_time(data_from, tz, sunday, a, b, expected):
    con = data_from(a)
    assert business_seconds(con, hours(timezone=tz, sunday=sunday), a, b) == expected


def test_calendars_per_channel_and_queue(data_from):
    con = data_from("2024-03-04 08:00")
    bh = hours(timezone="UTC", **WEEK_9_TO_18,
               channel={"phone": {"saturday": "09:00-12:00"}},
               queue={"night": {"timezone": "Asia/Tokyo"}})
    assert calendar.cal_params(bh) == {"bh_channels": ["phone"], "bh_queues": ["night"]}
    a, b = "2024-03-08 17:00", "2024-03-11 10:00"  # Friday 17:00 -> Monday 10:00
    # default: 1 h + 1 h = 7200; phone adds Saturday 09:00-12:00: 7200 + 10800 = 18000
    assert business_seconds(con, bh, a, b) == 7200
    assert business_seconds(con, bh, a, b, "channel:phone") == 18000
    # Tokyo (UTC+9) opens 00:00-09:00 UTC: Friday 17:00 UTC is after closing (02:00 Sat local),
    # Monday 09:00 local = 00:00 UTC to 09:00 UTC, then closed until Tuesday: 9 h = 32400
    assert business_seconds(con, bh, a, b, "queue:night") == 32400


def test_two_argument_secs_stays_calendar_time(data_from):
    con = data_from("2024-03-04 08:00")
    cur = con.cursor()
    calendar.install(cur, hours(timezone="UTC", **WEEK_9_TO_18), None)
    # Friday 17:00 -> Monday 10:00 = 2 days 17 h = 234000 s of calendar time
    assert cur.execute("SELECT secs(TIMESTAMP '2024-03-08 17:00', TIMESTAMP '2024-03-11 10:00')"
                       ).fetchone()[0] == 234000


def test_due_at_adds_open_seconds(data_from):
    con = data_from("2024-03-04 08:00")
    cur = con.cursor()
    calendar.install(cur, hours(timezone="UTC", **WEEK_9_TO_18), datetime(2024, 3, 15))
    due = "SELECT due_at($a::TIMESTAMP, $s, 'default')"
    # Friday 17:00 + 1 h open = Friday 18:00 (closing time)
    assert cur.execute(due, {"a": "2024-03-08 17:00", "s": 3600}).fetchone()[0] == datetime(2024, 3, 8, 18)
    # Friday 17:00 + 2 h open = 1 h Friday + 1 h Monday = Monday 10:00
    assert cur.execute(due, {"a": "2024-03-08 17:00", "s": 7200}).fetchone()[0] == datetime(2024, 3, 11, 10)
    # from closed time (Friday 20:00) + 30 min = Monday 09:30
    assert cur.execute(due, {"a": "2024-03-08 20:00", "s": 1800}).fetchone()[0] == datetime(2024, 3, 11, 9, 30)


def test_calendar_key_comes_from_the_calling_row(data_from):
    con = data_from("2024-03-04 08:00")
    cur = con.cursor()
    bh = hours(timezone="UTC", **WEEK_9_TO_18, channel={"phone": {"saturday": "09:00-12:00"}})
    calendar.install(cur, bh, datetime(2024, 3, 15))
    # one query, rows on different calendars: Friday 17:00 -> Monday 10:00 is 7200 on
    # the default calendar and 7200 + 3 h Saturday = 18000 on phone's
    rows = cur.execute("""
        SELECT cal, secs(a, b, cal) FROM (VALUES
            ('default', TIMESTAMP '2024-03-08 17:00', TIMESTAMP '2024-03-11 10:00'),
            ('channel:phone', TIMESTAMP '2024-03-08 17:00', TIMESTAMP '2024-03-11 10:00')) t(cal, a, b)
        ORDER BY cal""").fetchall()
    assert rows == [("channel:phone", 18000), ("default", 7200)]


# ---------------------------------------------------------------- through the engine


def business_config(**extra):
    return cfg.from_dict({"business_hours": {"timezone": "UTC", **WEEK_9_TO_18, **extra}}).kpi


def test_frt_and_sla_flip_between_calendar_and_business_time(con):
    # Tuesday 17:30 customer message, Wednesday 09:30 first human reply
    msg(con, "c1", "2024-03-05 17:30", "in", "u1")
    msg(con, "c1", "2024-03-06 09:30", "out", "alice")
    as_of = "2024-03-06 12:00"
    # calendar time: 16 h = 57600 s; the 1 h first-response target is breached
    assert kpi(con, "first_response_time", as_of=as_of)["value"] == 57600
    sla = kpi(con, "sla_first_response", as_of=as_of)
    assert (sla["value"], sla["met"], sla["breached"]) == (0.0, 0, 1)
    # business time, open 09:00-18:00: 30 min Tuesday + 30 min Wednesday = 3600 s,
    # exactly the target, so met (at or before start + target)
    config = business_config()
    assert kpi(con, "first_response_time", config, as_of=as_of)["value"] == 3600
    sla = kpi(con, "sla_first_response", config, as_of=as_of)
    assert (sla["value"], sla["met"], sla["breached"]) == (1.0, 1, 0)


def test_reply_wait_resolution_and_next_reply_over_a_weekend(con):
    # c1: turn 1 answered at once; turn 2 Friday 16:00 answered Monday 11:00 (next reply);
    # a status event keeps the weekend silence from resolving it
    status(con, "c1", "2024-03-08 08:59", "open")
    msg(con, "c1", "2024-03-08 09:00", "in", "u1")
    msg(con, "c1", "2024-03-08 09:10", "out", "alice")
    msg(con, "c1", "2024-03-08 16:00", "in", "u1")
    msg(con, "c1", "2024-03-11 11:00", "out", "alice")
    # c2: customer waiting since Friday 17:00
    msg(con, "c2", "2024-03-08 17:00", "in", "u2")
    # c3: opened Friday 17:00, resolved Monday 10:00 by a status event
    msg(con, "c3", "2024-03-08 17:00", "in", "u3", channel="email")
    msg(con, "c3", "2024-03-08 17:05", "out", "bob", channel="email")
    status(con, "c3", "2024-03-11 10:00", "resolved", channel="email")
    as_of, config = "2024-03-11 12:00", business_config()
    # c2 waits Friday 17:00 -> Monday 12:00: 1 h + 3 h = 14400 (calendar 67 h = 241200)
    assert kpi(con, "reply_wait", as_of=as_of)["value"] == 241200
    assert kpi(con, "reply_wait", config, as_of=as_of)["value"] == 14400
    # c3 resolution Friday 17:00 -> Monday 10:00: 1 h + 1 h = 7200 (calendar 65 h = 234000)
    assert kpi(con, "resolution_time", as_of=as_of)["value"] == 234000
    assert kpi(con, "resolution_time", config, as_of=as_of)["value"] == 7200
    # c1 turn 2 Friday 16:00 -> Monday 11:00: 2 h + 2 h = 14400 = the 4 h next-reply target: met
    # (calendar 67 h: breached)
    assert kpi(con, "sla_next_reply", as_of=as_of)["breached"] == 1
    sla = kpi(con, "sla_next_reply", config, as_of=as_of)
    assert (sla["met"], sla["breached"]) == (1, 0)
    # reply_time over three turns: c1 turn 1 = 600, c3 = 300 (both inside open hours) and
    # c1 turn 2 = 14400 business (241200 calendar): mean (600 + 300 + 14400) / 3 = 5100,
    # calendar (600 + 300 + 241200) / 3 = 80700
    assert kpi(con, "reply_time", as_of=as_of)["mean"] == 80700
    assert kpi(con, "reply_time", config, as_of=as_of)["mean"] == 5100


def test_channel_and_queue_calendars_pick_per_conversation(con):
    # the same times on four conversations: Tuesday 17:30 -> Wednesday 09:30
    for conv, channel, queue in (("c1", "twitter", None), ("c2", "phone", None),
                                 ("c3", "twitter", "late"), ("c4", "phone", "late")):
        msg(con, conv, "2024-03-05 17:30", "in", "u", channel=channel, queue=queue)
        msg(con, conv, "2024-03-06 09:30", "out", "alice", channel=channel, queue=queue)
    late = {day: "17:00-20:00" for day in cfg.WEEKDAYS[:5]}
    config = business_config(channel={"Phone": {day: "00:00-24:00" for day in cfg.WEEKDAYS}},
                             queue={"late": late})
    rows = explain_rows(con, "first_response_time", "sample", config, as_of="2024-03-06 12:00")
    got = {row["conv_key"]: row["measure"] for row in rows}
    assert got == {
        "events:c1": 3600,  # default 09:00-18:00: 30 min + 30 min
        "events:c2": 57600,  # phone is always open: 16 h of calendar time
        "events:c3": 9000,  # queue late, open 17:00-20:00: 17:30-20:00 = 2.5 h
        "events:c4": 9000,  # a queue's hours win over its channel's
    }


def test_dst_through_the_engine(con):
    # Paris, open Sundays 01:00-04:00 local: on 2024-03-31 that is 00:00-02:00 UTC.
    # Message Saturday 12:00 UTC, reply Sunday 03:00 UTC: 2 h open = 7200 (calendar 15 h).
    msg(con, "c1", "2024-03-30 12:00", "in", "u1")
    msg(con, "c1", "2024-03-31 03:00", "out", "alice")
    config = cfg.from_dict({"business_hours": {"timezone": "Europe/Paris", "sunday": "01:00-04:00"}}).kpi
    assert kpi(con, "first_response_time", config, as_of="2024-03-31 04:00")["value"] == 7200


def test_browse_uses_business_seconds_and_due_times(con):
    # Friday 17:00 customer message, no reply; as_of Monday 09:30
    msg(con, "c1", "2024-03-08 17:00", "in", "u1")
    config = business_config()
    scope = Scope(as_of=T("2024-03-11 09:30"))
    facts = browse.conversation_facts(con, scope, config, "events:c1")
    # first-response target 1 h of open time: 1 h Friday 17:00-18:00 -> due Friday 18:00, breached
    assert facts["sla_due_at"] == datetime(2024, 3, 8, 18)
    assert facts["sla_first_response"] == "breached"
    # waiting: Friday 17:00-18:00 + Monday 09:00-09:30 = 5400 business seconds
    assert facts["waiting_seconds"] == 5400
    # with a 2 h target it is still running, due Monday 10:00
    longer = cfg.from_dict({"business_hours": {"timezone": "UTC", **WEEK_9_TO_18},
                            "sla": {"first_response": "2h"}}).kpi
    facts = browse.conversation_facts(con, scope, longer, "events:c1")
    assert facts["sla_due_at"] == datetime(2024, 3, 11, 10)
    assert facts["sla_first_response"] == "running"


def test_readme_business_hours_example_parses():
    import re
    import tomllib
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Business hours$.*?```toml\n(.*?)```", readme, re.S | re.M)
    assert match, "README has a '## Business hours' section with a toml example"
    bh = cfg.from_dict(tomllib.loads(match.group(1))).kpi.business_hours
    night = bh.queue["Night"]
    # Monday "22:00-06:00" runs on into Tuesday, whose own hours are inherited
    assert night.timezone == "America/New_York" and night.week[0] == ((1320, 1440),)
    assert night.week[1] == ((0, 360), (540, 750), (810, 1080))  # 00-06, 09:00-12:30, 13:30-18:00
    assert bh.channel["phone"].week[5] == ((600, 840),)  # saturday 10:00-14:00
