"""safetext.clean: escapes and control characters never reach the terminal; text stays legible."""

from __future__ import annotations

from socialcare_tui.safetext import REPLACEMENT, clean


def test_markup_is_kept_as_characters():
    # clean() does not touch markup: widgets show it with markup off, so the brackets stay visible
    assert clean("[bold red]x[/]") == "[bold red]x[/]"


def test_osc_title_and_csi_are_removed():
    assert clean("a\x1b]0;owned\x07b") == f"a{REPLACEMENT}b"
    assert clean("a\x1b[2Jb") == f"a{REPLACEMENT}b"
    assert "\x1b" not in clean("\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\")


def test_control_characters_and_bidi_overrides_are_replaced():
    assert clean("a\rb\x00c\x7fd\x85e") == f"a{REPLACEMENT}b{REPLACEMENT}c{REPLACEMENT}d{REPLACEMENT}e"
    assert clean("abc\u202edef") == f"abc{REPLACEMENT}def"


def test_tabs_newlines_emoji_and_cjk_survive():
    assert clean("line1\n\tline2 😀 客服") == "line1\n\tline2 😀 客服"
    assert clean("a\nb\tc", single_line=True) == "a b c"


def test_none_is_empty():
    assert clean(None) == ""
