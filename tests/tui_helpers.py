"""A small fixed database for the app tests and snapshots, written inline as an
events JSON Lines file and imported through the real importer.

Fixed as-of 2024-03-08 12:00 UTC with a 7d window (2024-03-01 12:00 → as-of) and
a previous window (2024-02-23 → 2024-03-01) for deltas.

    from tui_helpers import build_db, make_app   # tests/ is on sys.path under pytest
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

AS_OF = datetime(2024, 3, 8, 12, 0, 0)
CLOCK = datetime(2024, 3, 8, 12, 0, 5)

# The hostile strings every widget must show as plain text (untrusted text).
BOLD = "[bold red]x[/]"
LINK = "[link=https://example.com]y[/link]"
CLICK = "[@click=app.quit]z[/]"
OSC_TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J"
LONG_WORD = "w" * 5000
HOSTILE_TEXT = (
    f"{BOLD} {LINK} {CLICK} {OSC_TITLE}title {CLEAR}clear bare\rCR "
    "\u202eevil\u202c zero\u200bwidth\u200d emoji 🙂👍 CJK 中文字符 " + LONG_WORD
)

_ROWS: list[dict] = []


def _ev(conv, at, type="message", channel="twitter", queue="Care", **fields):
    row = {"event_id": f"e{len(_ROWS) + 1}", "conversation_id": conv, "at": at, "type": type,
           "channel": channel, "queue": queue}
    row.update(fields)
    _ROWS.append(row)


def _msg(conv, at, direction, author, text, **kw):
    _ev(conv, at, direction=direction, author=author, text=text, **kw)


# Previous window: one twitter conversation answered in 30m and resolved.
_msg("P1", "2024-02-28T09:00:00Z", "in", "cust_p", "Where is my order?")
_msg("P1", "2024-02-28T09:30:00Z", "out", "Ana", "Let me check that for you.")
_ev("P1", "2024-02-28T10:00:00Z", "status", value="resolved")

# This window.
_msg("A1", "2024-03-07T09:00:00Z", "in", "cust_a", "My parcel never arrived")
_ev("A1", "2024-03-07T09:10:00Z", "assign", value="Ana")
_msg("A1", "2024-03-07T09:14:00Z", "out", "Ana", "Sorry! I am checking with the courier.")
_ev("A1", "2024-03-07T10:00:00Z", "status", value="resolved")
_ev("A1", "2024-03-07T10:30:00Z", "csat", value="5", scale_max=5)

_msg("A2", "2024-03-08T10:00:00Z", "in", CLICK, HOSTILE_TEXT)  # unanswered: FRT SLA breached at 11:00

_msg("A3", "2024-03-08T11:30:00Z", "in", "cust_c", f"refund please {LINK}", channel="email", queue="Billing")
_ev("A3", "2024-03-08T11:35:00Z", "assign", channel="email", queue="Billing", value="Bo")

_msg("A4", "2024-03-06T08:00:00Z", "in", "cust_d", "Invoice is wrong", channel="email", queue="Billing")
_msg("A4", "2024-03-06T08:00:05Z", "out", "AcmeBot", "We got your message.", channel="email",
     queue="Billing", automated=True)
_msg("A4", "2024-03-06T12:00:00Z", "out", "Bo", "Fixed, see the new invoice.", channel="email", queue="Billing")
_ev("A4", "2024-03-06T12:01:00Z", "status", channel="email", queue="Billing", value="pending")
_ev("A4", "2024-03-06T12:02:00Z", "tag", channel="email", queue="Billing", value=f"billing/{BOLD}")

_msg("A5", "2024-03-07T15:00:00Z", "in", "cust_e", "Thanks, all good now 🙂", channel="email", queue=BOLD)
_msg("A5", "2024-03-07T16:00:00Z", "out", "Bo", "Glad to help!", channel="email", queue=BOLD)

EVENTS = list(_ROWS)


def write_events(path: Path, rows: list[dict] = EVENTS) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def build_db(folder: Path) -> Path:
    """The fixture database `folder/fixture.duckdb` (its name shows in the header)."""
    from socialcare_tui.ingest.pipeline import import_paths
    from socialcare_tui.store import open_db

    db_path = folder / "fixture.duckdb"
    con = open_db(db_path)
    try:
        import_paths(con, [write_events(folder / "events.jsonl")])
    finally:
        con.close()
    return db_path


def make_app(con, db_path: Path, *, source=None, config=None, window="7d", as_of=AS_OF, **kwargs):
    """The app on `con` with a fixed as-of and clock, refreshing only on demand."""
    from socialcare_tui.config import Config
    from socialcare_tui.tui.app import SocialCareApp
    from socialcare_tui.tui.data import DataSource
    from socialcare_tui.tui.state import ViewState

    config = config or Config()
    source = source or DataSource(con, config)
    state = ViewState(window=window, as_of=as_of)
    kwargs.setdefault("refresh_seconds", 3600)
    return SocialCareApp(source, db_path=str(db_path), state=state, clock=lambda: CLOCK, **kwargs)


async def settle(pilot) -> None:
    """Let the app finish its refresh workers and paint before asserting."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
