"""output.py: human units, escaping per format, and report rendering."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from kpi_helpers import report_from_data

from socialcare_tui import output
from socialcare_tui.errors import UserError
from socialcare_tui.output import Column

HOSTILE = ["[bold red]x[/]", "\x1b]0;owned\x07", "\x1b[2J"]


@pytest.mark.parametrize(
    "seconds, text",
    [
        (45, "45s"),
        (840, "14m"),  # 840 / 60 = 14
        (7500, "2h 05m"),  # 7500 = 2*3600 + 5*60
        (3599, "59m"),  # floored, not rounded up to 60m
        (3600, "1h 00m"),
        (90000, "1d 01h"),  # 86400 + 3600
        (None, "—"),
    ],
)
def test_human_duration(seconds, text):
    assert output.human_duration(seconds) == text


def test_human_values_by_kind():
    assert output.human_value(0.8716, "ratio") == "87.2%"  # 87.16 rounds to 87.2
    assert output.human_value(32.0, "signed") == "+32"
    assert output.human_value(-0.25, "signed") == "-0.25"
    assert output.human_value(0.0, "signed") == "0"  # no sign on zero
    assert output.human_value(1180, "count") == "1,180"
    assert output.human_value(14, "hour") == "14:00"
    assert output.human_value(6, "weekday") == "Sun"  # 0 = Monday
    assert output.human_value(None, "ratio") == "—"


def test_csv_escapes_formulas_but_not_numbers():
    rows = [{"a": "=HYPERLINK(\"http://x\")", "b": -5}, {"a": "+1", "b": 2.5},
            {"a": "-Becky", "b": 0}, {"a": "@SUM(A1)", "b": 1}, {"a": "plain", "b": None}]
    text = output.render_rows(rows, [Column("a", "A"), Column("b", "B", "number")], "csv")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["a", "b"]
    assert [r[0] for r in parsed[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-Becky", "'@SUM(A1)", "plain"]
    assert [r[1] for r in parsed[1:]] == ["-5", "2.5", "0", "1", ""]


def test_csv_cleans_escape_sequences():
    text = output.render_rows([{"a": "hi\x1b[2Jthere"}], [Column("a", "A")], "csv")
    assert "\x1b" not in text and "hi" in text and "there" in text


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_hostile_text_is_literal_and_clean(fmt):
    rows = [{"who": value} for value in HOSTILE]
    text = output.render_rows(rows, [Column("who", "Who")], fmt, width=100)
    assert "\x1b" not in text and "\x07" not in text
    assert text.count("\ufffd") >= 2  # both escape sequences replaced by U+FFFD, not sent
    if fmt == "table":
        assert "[bold red]x[/]" in text  # markup shown literally
    else:
        assert r"\[bold red\]x\[/\]" in text  # markdown brackets escaped


def test_markdown_escapes_pipes():
    text = output.render_rows([{"a": "x | y"}], [Column("a", "A")], "markdown")
    body = text.strip().splitlines()[-1]
    assert body == r"| x \| y |"


def test_json_rows_keep_raw_values_and_iso_times():
    rows = [{"t": datetime(2017, 10, 31, 22, 10, 47), "s": 840.0, "x": "\x9b2J"}]
    text = output.render_rows(rows, [Column("t", "T", "time"), Column("s", "S", "seconds"),
                                     Column("x", "X")], "json")
    assert "\x9b" not in text  # C1 CSI written as a \u escape
    assert json.loads(text) == [{"t": "2017-10-31T22:10:47Z", "s": 840.0, "x": "\x9b2J"}]


def test_unknown_format_is_user_error():
    with pytest.raises(UserError):
        output.render_rows([], [Column("a", "A")], "xml")


REPORT = {
    "as_of": "2017-11-30T23:59:59Z",
    "window": {"from": None, "to": None},
    "filters": {"channel": ["twitter"], "queue": None, "agent": None, "tag": None},
    "kpis": {
        "first_response_time": {"value": 840.0, "unit": "seconds", "mean": 7500.0, "n": 3},
        "reply_rate": {"value": 0.5, "unit": "ratio", "numerator": 1, "denominator": 2},
        "csat": {"value": None, "unit": "ratio", "n": 0, "reason": "no CSAT responses in the window"},
    },
    "groups": [{"key": {"channel": "[b]tw[/b]"}, "kpis": {"reply_rate": {"value": 1.0, "unit": "ratio"}}}],
}


def test_report_table_has_human_units_and_reasons():
    text = output.render_report(report_from_data(REPORT), "table", width=160)
    assert "14m" in text  # 840 s
    assert "2h 05m" in text  # mean 7500 s
    assert "50.0%" in text  # 1 / 2
    assert "no CSAT responses in the window" in text
    assert "channel [b]tw[/b]" in text  # group key literal (issue 14: one block per group, plain label)


def test_report_csv_is_tidy():
    rows = list(csv.DictReader(io.StringIO(output.render_report(report_from_data(REPORT), "csv"))))
    value = [r for r in rows if r["kpi"] == "reply_rate" and r["part"] == "value" and r["group"] == ""]
    assert value[0]["value"] == "0.5"
    grouped = [r for r in rows if r["group"]]
    # the group label begins with "channel=" so it is not a formula; brackets kept literally
    assert grouped[0]["group"] == "channel=[b]tw[/b]"


def test_report_json_roundtrips():
    assert json.loads(output.render_report(report_from_data(REPORT), "json")) == REPORT


def test_emit_writes_owner_only_file(tmp_path):
    target = tmp_path / "r.md"
    output.emit("hello\n", str(target))
    assert target.read_text() == "hello\n"
    assert target.stat().st_mode & 0o777 == 0o600


def test_format_for_output_extension():
    assert output.format_for(None, "x.csv") == "csv"
    assert output.format_for("json", "x.csv") == "json"
    assert output.format_for(None, "x.md") == "markdown"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_is_safe_in_every_format(text):
    cell = output.csv_cell(text)
    assert not cell.startswith(("=", "+", "-", "@"))  # never a spreadsheet formula
    md = output.markdown_cell(text)
    assert "\n" not in md and "\x1b" not in md
    assert "|" not in md.replace("\\|", "")  # every pipe escaped: the cell cannot split the row
    table = output.render_rows([{"a": text}], [Column("a", "A")], "table", width=80)
    assert not any(ch in table for ch in "\x1b\x07\x9b\x00")


def test_non_finite_numbers_never_reach_json():
    import json as _json

    from socialcare_tui.output import to_json
    data = {"a": float("inf"), "b": [float("-inf"), float("nan"), 1.5], "c": {"d": float("nan")}}
    text = to_json(data)
    assert _json.loads(text) == {"a": None, "b": [None, None, 1.5], "c": {"d": None}}
    assert "Infinity" not in text and "NaN" not in text
