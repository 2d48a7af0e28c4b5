"""Times and durations typed by users."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from socialcare_tui.errors import UserError
from socialcare_tui.timeparse import iso_utc, parse_duration, parse_instant, parse_time_or_relative


@pytest.mark.parametrize(
    "text, seconds", [("90m", 5400), ("24h", 86400), ("7d", 604800), ("2w", 1209600), ("30s", 30), ("45", 45)]
)
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_bad_duration_is_a_user_error():
    with pytest.raises(UserError, match="'soon' is not a duration"):
        parse_duration("soon")


def test_instants_become_naive_utc():
    assert parse_instant("2017-10-31T22:00+01:00") == datetime(2017, 10, 31, 21, 0)
    assert parse_instant("2017-10-31T22:00Z") == datetime(2017, 10, 31, 22, 0)
    assert parse_instant("2017-10-31") == datetime(2017, 10, 31)
    # no offset: read in the given zone (Paris is UTC+1 on 31 October 2017)
    assert parse_instant("2017-10-31T22:00", "Europe/Paris") == datetime(2017, 10, 31, 21, 0)


def test_relative_times_count_back_from_now():
    now = datetime(2024, 1, 2, 12, 0)
    assert parse_time_or_relative("24h", now) == datetime(2024, 1, 1, 12, 0)
    assert parse_time_or_relative("2024-01-01", now) == datetime(2024, 1, 1)


def test_bad_instant_is_a_user_error():
    with pytest.raises(UserError, match="not an ISO 8601 time"):
        parse_instant("31/10/2017")


def test_iso_utc():
    assert iso_utc(datetime(2017, 10, 31, 22, 10, 47)) == "2017-10-31T22:10:47Z"
    assert iso_utc(None) is None
