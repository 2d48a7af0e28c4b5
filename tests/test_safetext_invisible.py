"""Invisible and direction-changing characters, emoji width, and formula-looking CSV cells
(issue 17, item 8)."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from socialcare_tui import sqlfiles
from socialcare_tui.output import csv_cell
from socialcare_tui.safetext import REPLACEMENT, clean

SHOWN = ["\u200e", "\u200f", "\u061c", "\u2028", "\u2029"]  # replaced by U+FFFD
DROPPED = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\ufe0e", "\ufe0f", "\U000e0001",
           "\U000e0041", "\U000e007f"]


@pytest.mark.parametrize("char", SHOWN)
def test_bidi_marks_and_separators_are_shown(char):
    assert clean(f"ab{char}cd") == f"ab{REPLACEMENT}cd"


@pytest.mark.parametrize("char", DROPPED)
def test_zero_width_tag_and_variation_characters_are_dropped(char):
    assert clean(f"ab{char}cd") == "abcd"


def test_a_heart_with_its_variation_selector_is_one_cell_as_drawn():
    assert clean("I ❤️ it") == "I ❤ it"
    assert cell_len(clean("❤️")) == 1


def test_emoji_and_scripts_survive():
    assert clean("😀 客服 مرحبا שלום") == "😀 客服 مرحبا שלום"


EVERYTHING = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
SPECIALS = st.text(alphabet=st.sampled_from(SHOWN + DROPPED + ["a", "❤", "=", "|", "\x1b", "\n", "\u202e", "[",
                                                                 "]", "\x9b", "\x07", "\\", "@", "P", "0", ";"]),
                   max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.one_of(EVERYTHING, SPECIALS))
def test_nothing_invisible_is_left_and_every_char_has_its_own_width(text):
    cleaned = clean(text)
    assert not any(c in cleaned for c in SHOWN + DROPPED)
    # what Rich measures is the sum of the characters' own widths: no sequence whose width
    # a terminal might draw differently (a variation selector turning one cell into two)
    assert cell_len(cleaned) == sum(cell_len(c) for c in cleaned)


@settings(max_examples=200, deadline=None)
@given(st.one_of(EVERYTHING, SPECIALS))
def test_the_csv_export_in_sql_cleans_exactly_as_the_screen_does(text):
    con = duckdb.connect()
    for name in ("csv_clean_macro", "csv_safe_macro"):
        con.execute(sqlfiles.statement("socialcare_tui.kpi.sql", "browse.sql", name))
    in_sql = con.execute("SELECT csv_clean($t), csv_safe($t)", {"t": text}).fetchone()
    assert in_sql[0] == clean(text)
    assert in_sql[1] == csv_cell(text)


@pytest.mark.parametrize("cell", ["|calc", "＝1+1", "＋1", "－1", "＠SUM(A1)", "｜x", "=1", "+1", "-1", "@x"])
def test_formula_looking_cells_are_quoted(cell):
    assert csv_cell(cell) == "'" + cell
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_cell(cell)])
    assert buffer.getvalue().startswith("'")


def test_plain_cells_are_left_alone():
    assert csv_cell("hello | world") == "hello | world"
    assert csv_cell("1 = 1") == "1 = 1"
