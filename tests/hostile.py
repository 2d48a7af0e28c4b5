"""Hostile strings for the reliability tests. The markup and escape strings are the TUI
helper's (tests/tui_helpers.py), reused rather than repeated; the rest are added here.

    from hostile import HOSTILE   # tests/ is on sys.path under pytest
"""

from __future__ import annotations

from tui_helpers import BOLD, CLEAR, CLICK, LINK, LONG_WORD, OSC_TITLE

BARE_CR = "before\rafter"
RTL_OVERRIDE = "\u202eevil\u202c"
ZERO_WIDTH = "zero\u200bwidth\u200d\ufeffjoin"
EMOJI = "emoji 🙂👍🏽"
CJK = "中文字符 한국어 日本語"

HOSTILE = (BOLD, LINK, CLICK, OSC_TITLE, CLEAR, BARE_CR, RTL_OVERRIDE, ZERO_WIDTH, LONG_WORD, EMOJI, CJK)
# What must never reach a terminal raw.
FORBIDDEN = ("\x1b", "\x07", "\r", "\u202e")
# SQL metacharacters a filter or --map value may hold, to be taken literally.
SQL_META = ("'", '"', "%", ";", "--", "'); DROP TABLE events; --", "a_b", "\\")
