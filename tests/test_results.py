"""Typed results (kpi/results.py) and their JSON (output.to_data): the JSON is what it was
when the engine returned dicts, byte for byte, and it carries everything the dataclasses do."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kpi_helpers import add, kpi_value_from_data, msg, report_from_data, status

from socialcare_tui import cli, output
from socialcare_tui.config import KpiConfig
from socialcare_tui.durations import human_duration
from socialcare_tui.kpi import engine, registry
from socialcare_tui.kpi.results import Dashboard, Explanation, Report, Series
from socialcare_tui.store import open_db
from socialcare_tui.timeparse import iso_utc
from socialcare_tui.tui import format as fmt

AS_OF = "2024-01-01T12:00"


@pytest.fixture
def small_db(db_path):
    """c1 (twitter): answered by alice after 30 min, a CSAT 5/5, resolved; c2 (email): never
    answered. Every KPI has its value, its null with a reason, or an absent group entry."""
    con = open_db(db_path)
    msg(con, "c1", "10:00", "in", "u1")
    msg(con, "c1", "10:30", "out", "alice")
    msg(con, "c2", "09:00", "in", "u2", channel="email")
    add(con, "c1", "10:45", "csat", value="5", scale_max=5)
    status(con, "c1", "11:00", "resolved")
    con.close()
    return str(db_path)


def cli_json(capsys, *argv) -> str:
    assert cli.main([*argv, "--as-of", AS_OF, "--format", "json"]) == 0
    return capsys.readouterr().out


# What `report` and `explain` wrote on this database when the engine still returned dicts
# (hand-checked: c1 answered in 1800 s, 1 of 2 turns answered, email has no first response).
REPORT_BEFORE = """{
  "as_of": "2024-01-01T12:00:00Z",
  "window": {
    "from": "2023-12-31T12:00:00Z",
    "to": "2024-01-01T12:00:00Z"
  },
  "filters": {
    "channel": null,
    "queue": null,
    "agent": null,
    "tag": null
  },
  "kpis": {
    "first_response_time": {
      "value": 1800.0,
      "unit": "seconds",
      "median": 1800.0,
      "mean": 1800.0,
      "p90": 1800.0,
      "n": 1,
      "unanswered": 1
    },
    "reply_rate": {
      "value": 0.5,
      "unit": "ratio",
      "numerator": 1,
      "denominator": 2
    },
    "csat": {
      "value": 1.0,
      "unit": "ratio",
      "n": 1,
      "satisfied": 1,
      "dissatisfied": 0,
      "mean_normalised": 1.0
    },
    "frt_distribution": {
      "value": 1.0,
      "unit": "ratio",
      "buckets": {
        "<1h": 1,
        "1-4h": 0,
        "4-8h": 0,
        "8-24h": 0,
        ">24h": 0
      },
      "n": 1
    },
    "nps": {
      "value": null,
      "unit": "number",
      "promoters": 0,
      "passives": 0,
      "detractors": 0,
      "n": 0,
      "reason": "no NPS answers in the window"
    }
  },
  "groups": [
    {
      "key": {
        "channel": "email"
      },
      "kpis": {
        "first_response_time": {
          "value": null,
          "unit": "seconds",
          "median": null,
          "mean": null,
          "p90": null,
          "n": 0,
          "unanswered": 1,
          "reason": "no first responses in the window"
        },
        "reply_rate": {
          "value": 0.0,
          "unit": "ratio",
          "numerator": 0,
          "denominator": 1
        },
        "csat": {
          "value": null,
          "unit": "ratio",
          "reason": "no data in this group (the survey answer (the latest per conversation in the window))"
        },
        "frt_distribution": {
          "value": null,
          "unit": "ratio",
          "reason": "no data in this group (the first human reply)"
        },
        "nps": {
          "value": null,
          "unit": "number",
          "reason": "no data in this group (the survey answer (the latest per conversation in the window))"
        }
      }
    },
    {
      "key": {
        "channel": "twitter"
      },
      "kpis": {
        "first_response_time": {
          "value": 1800.0,
          "unit": "seconds",
          "median": 1800.0,
          "mean": 1800.0,
          "p90": 1800.0,
          "n": 1,
          "unanswered": 0
        },
        "reply_rate": {
          "value": 1.0,
          "unit": "ratio",
          "numerator": 1,
          "denominator": 1
        },
        "csat": {
          "value": 1.0,
          "unit": "ratio",
          "n": 1,
          "satisfied": 1,
          "dissatisfied": 0,
          "mean_normalised": 1.0
        },
        "frt_distribution": {
          "value": 1.0,
          "unit": "ratio",
          "buckets": {
            "<1h": 1,
            "1-4h": 0,
            "4-8h": 0,
            "8-24h": 0,
            ">24h": 0
          },
          "n": 1
        },
        "nps": {
          "value": null,
          "unit": "number",
          "reason": "no data in this group (the survey answer (the latest per conversation in the window))"
        }
      }
    }
  ]
}
"""

EXPLAIN_BEFORE = """{
  "kpi": "reply_rate",
  "title": "Reply rate",
  "help": "Share of customer turns started in the window that had a human reply by as_of.",
  "counts_by": "the turn's first customer message",
  "unit": "ratio",
  "parts": [
    "numerator",
    "denominator"
  ],
  "part": null,
  "value": 0.5,
  "reason": null,
  "result": {
    "value": 0.5,
    "unit": "ratio",
    "numerator": 1,
    "denominator": 2
  },
  "rows": [
    {
      "conv_key": "events:c2",
      "channel": "email",
      "queue": "email",
      "agent": null,
      "moment": "2024-01-01T09:00:00Z",
      "measure": null,
      "turn_no": 1,
      "numerator": false,
      "denominator": true
    },
    {
      "conv_key": "events:c1",
      "channel": "twitter",
      "queue": "twitter",
      "agent": "alice",
      "moment": "2024-01-01T10:00:00Z",
      "measure": 1800.0,
      "turn_no": 1,
      "numerator": true,
      "denominator": true
    }
  ],
  "row_count": 2
}
"""


def test_cli_json_is_byte_identical_to_the_dict_engine(small_db, capsys):
    report = cli_json(capsys, "report", "--db", small_db, "--window", "24h", "--by", "channel",
                      "--kpi", "first_response_time,reply_rate,csat,frt_distribution,nps")
    assert report == REPORT_BEFORE
    assert cli_json(capsys, "explain", "reply_rate", "--db", small_db, "--window", "24h") == EXPLAIN_BEFORE


@pytest.mark.parametrize("by", [None, *engine.BY_KEYS])
def test_every_kpi_round_trips_through_its_json(small_db, by):
    con = open_db(small_db, read_only=True)
    try:
        report = engine.report(con, engine.Scope(as_of=datetime(2024, 1, 1, 12)), KpiConfig(), by=by)
    finally:
        con.close()
    assert isinstance(report, Report) and list(report.kpis) == registry.ids()
    data = output.to_data(report)
    assert json.loads(output.render_report(report, "json")) == json.loads(json.dumps(data, default=str))
    assert report_from_data(data, by=by) == report  # nothing the dataclasses hold is lost
    nulls = [value for value in report.kpis.values() if value.value is None]
    assert nulls and all(value.reason for value in nulls)  # a null always says why
    assert all(value.reason is None for value in report.kpis.values() if value.value is not None)
    if by:
        assert report.groups and all(list(group.kpis) == registry.ids() for group in report.groups)


def test_explanation_and_dashboard_json(small_db):
    con = open_db(small_db, read_only=True)
    scope = engine.Scope(as_of=datetime(2024, 1, 1, 12), window=timedelta(hours=24))
    try:
        explained = engine.explain(con, scope, KpiConfig(), "sla_first_response", "breached")
        dash = engine.dashboard(con, scope, KpiConfig(), kpis=["reply_rate", "inbound_volume"], buckets=4)
    finally:
        con.close()
    assert isinstance(explained, Explanation) and explained.measure_unit == "seconds"
    data = output.to_data(explained)
    assert data["result"] == output.to_data(explained.result)
    assert data["rows"] == [dict(row) for row in explained.rows]
    assert all(set(row) == set(explained.columns) for row in explained.rows)
    assert isinstance(dash, Dashboard) and isinstance(dash.series, Series)
    assert output.to_data(dash) == {"report": output.to_data(dash.report),
                                    "previous": output.to_data(dash.previous),
                                    "series": {k: list(v) for k, v in dash.series.values.items()}}
    # four 6-hour buckets of the 24 h before 12:00: 09:00 and 10:00 are both in the last one
    assert dash.series.of("inbound_volume") == (0, 0, 0, 2)
    assert dash.series.of("nope") == ()


# --- generated reports: JSON -> dataclasses -> JSON is the identity --------------------------

_NAMES = st.sampled_from(["n", "mean", "p90", "numerator", "denominator", "top", "buckets", "target_seconds"])
_SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False,
                                                                            allow_infinity=False) | st.text(max_size=8)
_PARTS = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
_TIMES = st.none() | st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)).map(iso_utc)


@st.composite
def kpi_entries(draw, kpi_id: str) -> dict:
    value = draw(st.none() | st.integers(0, 10**6) | st.floats(-1e9, 1e9, allow_nan=False))
    entry = {"value": value, "unit": draw(st.sampled_from(["count", "seconds", "ratio", "number"]))}
    entry.update(draw(st.dictionaries(_NAMES, _PARTS, max_size=4)))
    if value is None:
        entry["reason"] = draw(st.text(min_size=1, max_size=20))
    return entry


@st.composite
def reports(draw) -> tuple[dict, str | None]:
    ids = draw(st.lists(st.sampled_from(registry.ids()), min_size=1, max_size=5, unique=True))
    filters = {name: draw(st.none() | st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=2))
               for name in ("channel", "queue", "agent", "tag")}
    data = {"as_of": draw(_TIMES), "window": {"from": draw(_TIMES), "to": draw(_TIMES)},
            "filters": filters, "kpis": {kpi_id: draw(kpi_entries(kpi_id)) for kpi_id in ids}}
    by = draw(st.none() | st.sampled_from(engine.BY_KEYS))
    if by:
        keys = draw(st.lists(st.text(min_size=1, max_size=6), max_size=3, unique=True))
        data["groups"] = [{"key": {by: key}, "kpis": {kpi_id: draw(kpi_entries(kpi_id)) for kpi_id in ids}}
                          for key in sorted(keys)]
    return data, by


@settings(max_examples=150, deadline=None)
@given(reports())
def test_generated_reports_round_trip(case):
    data, by = case
    report = report_from_data(data, by=by)
    assert output.to_data(report) == data
    assert output.render_report(report, "json") == output.to_json(data) + "\n"
    assert report_from_data(output.to_data(report), by=by) == report


@given(kpi_entries("csat"))
def test_kpi_value_json_lists_value_unit_parts_then_reason(entry):
    value = kpi_value_from_data("csat", entry)
    assert list(output.to_data(value)) == list(entry)  # the key order of the JSON is kept


# --- one duration formatter ---------------------------------------------------------------


@given(st.none() | st.integers(-10**8, 10**8) | st.floats(-1e8, 1e8))
def test_the_cli_and_the_app_differ_only_in_the_minus_sign(seconds):
    cli_text, app_text = human_duration(seconds), fmt.duration(seconds)
    assert app_text == cli_text.replace("-", fmt.MINUS)
    assert output.human_value(seconds, "seconds") == cli_text


def test_one_suffix_list_for_report_files_and_app_exports():
    assert output.format_for(None, "x.md") == output.SUFFIX_FORMATS[".md"] == "markdown"
    assert output.format_for(None, "x.parquet") == "table"  # an unknown extension: the table
