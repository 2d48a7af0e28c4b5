"""One place that makes untrusted text (customer messages, names, tags) safe to show.

Control characters (C0 except tab and newline, C1, DEL), escape sequences,
bidirectional overrides and marks (U+200E, U+200F, U+061C) and the line and
paragraph separators U+2028/U+2029 are replaced by U+FFFD, so they show. Invisible
characters that only join, space or tag (zero-width space/joiners, word joiner,
BOM, Mongolian vowel separator, tag characters U+E0000-U+E007F) and the variation
selectors VS15/VS16 are dropped: a ❤️ is then the one-cell ❤ that Rich measures and
the terminal draws (with VS16 tmux draws two cells where Rich counts one, and a
row's end moves). Emoji and CJK are kept. Callers must still show the result as
plain text (`markup=False`, `rich.text.Text`), never as markup. The CSV export in
SQL (`csv_clean` in kpi/sql/browse.sql) does the same.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte escapes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, terminated or not
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # other Fe escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 (but tab and newline), DEL, C1, bidi embedding/override/isolate controls and marks,
# line and paragraph separators: replaced, so that they show.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]")
# zero-width space/non-joiner/joiner, word joiner and invisible operators, BOM, Mongolian
# vowel separator, VS15/VS16, tag characters: dropped.
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060-\u2064\ufeff\u180e\ufe0e\ufe0f\U000e0000-\U000e007f]")
REPLACEMENT = "\ufffd"


def clean(value: object, *, single_line: bool = False) -> str:
    """`value` as text with escapes removed and control characters replaced by U+FFFD."""
    if value is None:
        return ""
    text = _ESCAPES.sub(REPLACEMENT, str(value))
    text = _CONTROLS.sub(REPLACEMENT, text)
    text = _INVISIBLE.sub("", text)
    if single_line:
        text = text.replace("\n", " ").replace("\t", " ")
    return text
