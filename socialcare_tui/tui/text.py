"""Untrusted text (messages, names, tags, queues) made safe and plain for widgets.

Everything customers or agents typed goes through `safetext.clean` and becomes a
`rich.text.Text`, which Textual never parses as markup.
"""

from __future__ import annotations

from rich.text import Text

from socialcare_tui.safetext import clean

ELLIPSIS = "…"


def plain(value: object, *, limit: int | None = None, style: str = "") -> Text:
    """One line of untrusted text as Text, cut to `limit` characters."""
    text = clean(value, single_line=True)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return Text(text, style=style, no_wrap=limit is not None, end="")


def block(value: object, style: str = "") -> Text:
    """Multi-line untrusted text (a message) as Text; long words fold."""
    return Text(clean(value), style=style, overflow="fold", end="")
