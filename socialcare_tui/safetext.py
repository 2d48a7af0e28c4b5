"""One place that makes untrusted text (customer messages, names, tags) safe to show.

Control characters (C0 except tab and newline, C1, DEL), escape sequences and
bidirectional overrides are replaced; emoji and CJK are kept. Callers must still
show the result as plain text (`markup=False`, `rich.text.Text`), never as markup.
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
# C0 (but tab and newline), DEL, C1, and bidi embedding/override/isolate controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"


def clean(value: object, *, single_line: bool = False) -> str:
    """`value` as text with escapes removed and control characters replaced by U+FFFD."""
    if value is None:
        return ""
    text = _ESCAPES.sub(REPLACEMENT, str(value))
    text = _CONTROLS.sub(REPLACEMENT, text)
    if single_line:
        text = text.replace("\n", " ").replace("\t", " ")
    return text
