"""Untrusted text (messages, names, tags, queues) made safe and plain for widgets.

Everything customers or agents typed goes through `safetext.clean` and becomes a
`rich.text.Text`, which Textual never parses as markup.

`pii` marks what may identify a customer: "customer" (a customer id or an inbound
message's author, replaced whole) or "text" (free text: handles, e-mails and phone
numbers inside it are replaced). While `REDACTION.on` (`--redact`, palette toggle)
both go through `socialcare_tui.redact.redact`, the one function every screen uses.
"""

from __future__ import annotations

import re

from rich.text import Text

from socialcare_tui.redact import redact
from socialcare_tui.safetext import clean

ELLIPSIS = "…"


class Redaction:
    """The app's redaction switch (one app per process; the app sets it on mount)."""

    on: bool = False


REDACTION = Redaction()


def shown(value: object, pii: str | None = None, *, single_line: bool = False) -> str:
    """`value` cleaned, and redacted when redaction is on and `pii` says it may identify."""
    text = clean(value, single_line=single_line)
    if pii and REDACTION.on:
        text = redact(text, customer=pii == "customer")
    return text


def plain(value: object, *, limit: int | None = None, style: str = "", pii: str | None = None) -> Text:
    """One line of untrusted text as Text, cut to `limit` characters."""
    text = shown(value, pii, single_line=True)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return Text(text, style=style, no_wrap=limit is not None, end="")


def block(value: object, style: str = "", pii: str | None = None) -> Text:
    """Multi-line untrusted text (a message) as Text; long words fold."""
    return Text(shown(value, pii), style=style, overflow="fold", end="")


def file_label(names: tuple[str, ...]) -> str:
    """`-email` for a file name: the filter of what was exported, in safe characters."""
    if not names:
        return ""
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", "+".join(names)).strip("._")[:40]
    return f"-{text}" if text else ""
