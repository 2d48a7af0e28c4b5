"""--redact: customer handles, e-mail addresses and phone numbers become stable
pseudonyms (`cust-` + a keyed hash) through one function, on hostile strings, on the
committed sample data and in every screen of the app."""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import pytest
from hostile import FORBIDDEN, HOSTILE
from textual.widgets import DataTable, Static
from tui_helpers import CLICK, LONG_WORD, make_app, settle, write_events

from socialcare_tui.redact import EMAIL, PREFIX, pseudonym, redact, redact_row
from socialcare_tui.safetext import clean
from socialcare_tui.store import open_db
from socialcare_tui.tui.screens.conversation import ConversationScreen
from socialcare_tui.tui.widgets.header import StatusHeader

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
PSEUDONYM = re.compile(re.escape(PREFIX) + r"[0-9a-f]{8}")


def test_handles_emails_and_phones_become_pseudonyms():
    text = "@Ann_B wrote from ann.b@example.co.uk, call +44 7700 900153 or (555) 123-4567."
    out = redact(text)
    assert "Ann_B" not in out and "example" not in out and "7700" not in out and "555" not in out
    assert out.startswith("@" + pseudonym("Ann_B") + " wrote from " + pseudonym("ann.b@example.co.uk"))
    assert len(PSEUDONYM.findall(out)) == 4


def test_same_customer_same_pseudonym_in_every_form():
    # a handle in a tweet, the author id, any case -> one pseudonym
    assert pseudonym("@Ann_B") == pseudonym("ann_b") == redact("ann_b", customer=True)
    assert redact("hi @ANN_B") == "hi @" + redact("Ann_B", customer=True)
    # a phone number with or without spaces
    assert redact("+44 7700 900153") == redact("+447700900153") == redact("+447700900153", customer=True)
    assert pseudonym("ann_b") != pseudonym("bob") and pseudonym("x").startswith(PREFIX)


def test_what_is_not_an_identifier_stays():
    for keep in ("order A715316 on 2024-03-02 10:00", "ticket #12345 for £12.50", "call me at 3pm",
                 "see 12/03/2024", "x@y", "a @ b", "", "100%"):
        assert redact(keep) == keep
    assert redact(None) == "" and redact("  ", customer=True) == "  "


def test_hostile_strings_stay_safe_and_linear():
    for hostile in HOSTILE:
        shown = redact(clean(hostile))
        assert not any(bad in shown for bad in FORBIDDEN)
    # the one hostile string with a handle in it: "[@click=app.quit]z[/]"
    assert redact(CLICK) == "[@" + pseudonym("click") + "=app.quit]z[/]"
    started = time.perf_counter()
    redact(LONG_WORD + "@" + LONG_WORD + " " + "1" * 5000 + " " + ".@" * 2500)
    assert time.perf_counter() - started < 0.5  # patterns start at word boundaries only


def test_sample_data_keeps_no_customer_identifier():
    """Every inbound author of events.csv and twcs.csv is gone from every redacted
    message text (theirs and the brand's replies that name them)."""
    authors, texts = set(), []
    with open(SAMPLE / "events.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["type"] == "message":
                texts.append(row["text"])
                if row["direction"] == "in":
                    authors.add(row["author"])
    with open(SAMPLE / "twcs.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            texts.append(row["text"])
            if row["inbound"] == "True":
                authors.add(row["author_id"])
    assert len(authors) > 50 and len(texts) > 1000
    handles = {a for a in authors if not a.startswith("+")}
    phones = {a for a in authors if a.startswith("+")}
    for text in texts:
        out = redact(text)
        assert not EMAIL.search(PSEUDONYM.sub("", out))
        words = set(re.findall(r"@(\w+)", out))
        assert not words & handles, (text, words & handles)
        assert not any(p in out.replace(" ", "") for p in phones), text
    assert all(PSEUDONYM.fullmatch(redact(a, customer=True)) for a in authors)


def test_redact_row_for_exports():
    row = {"customer": "+447700900153", "text": "mail ann@example.com", "agent": "Ana", "n": 3}
    out = redact_row(row)
    assert out == {"customer": pseudonym("+447700900153"), "text": "mail " + pseudonym("ann@example.com"),
                   "agent": "Ana", "n": 3}
    assert row["customer"] == "+447700900153"  # the row itself is left alone


# --- in the app -----------------------------------------------------------------------

ROWS = [
    {"event_id": "r1", "conversation_id": "R1", "at": "2024-03-08T09:00:00Z", "type": "message",
     "channel": "twitter", "queue": "Care", "direction": "in", "author": "ann_b",
     "text": "hi, mail me at ann.b@example.com or call +44 7700 900153"},
    {"event_id": "r2", "conversation_id": "R1", "at": "2024-03-08T09:05:00Z", "type": "message",
     "channel": "twitter", "queue": "Care", "direction": "out", "author": "Ana",
     "text": "@Ann_B done, thanks!"},
    {"event_id": "r3", "conversation_id": "R1", "at": "2024-03-08T09:30:00Z", "type": "message",
     "channel": "twitter", "queue": "Care", "direction": "in", "author": "ann_b", "text": "still broken"},
]


@pytest.fixture
def redact_db(tmp_path):
    from socialcare_tui.ingest.pipeline import import_paths

    path = tmp_path / "redact.duckdb"
    con = open_db(path)
    import_paths(con, [write_events(tmp_path / "events.jsonl", ROWS)])
    yield con, path
    con.close()


@pytest.mark.anyio
async def test_every_screen_shows_pseudonyms_and_the_palette_toggles(redact_db):
    con, path = redact_db
    app = make_app(con, path, redact=True)
    alias = pseudonym("ann_b")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "⊘ redacted" in app.screen.query_one(StatusHeader).render().plain
        await pilot.press("2", "t")
        await settle(pilot)
        table = app.screen.query_one("#queue-table", DataTable)
        # R1: Ana replied, so it is hers (the open tab), and the customer wrote again
        customer, *_, preview = table.get_row_at(0)
        assert customer.plain == alias and preview.plain == "still broken"
        detail = app.screen.query_one("#queue-detail", Static).content.plain
        assert detail.startswith(alias) and "ann" not in detail.lower()
        await pilot.press("slash", *"ann")  # typing the hidden name finds nothing
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("escape", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationScreen)
        facts = app.screen.query_one("#conv-facts", Static).content.plain
        transcript = app.screen.query_one("#transcript", Static).content.plain
        assert f"customer {alias}" in facts
        assert f"◀ customer {alias}" in transcript and f"@{alias} done, thanks!" in transcript
        assert pseudonym("ann.b@example.com") in transcript and pseudonym("+447700900153") in transcript
        copied = app.screen.copy_text()
        for secret in ("ann", "Ann", "example.com", "7700"):
            assert secret not in transcript and secret not in facts and secret not in copied
        app.action_toggle_redact()  # what the palette command runs
        await settle(pilot)
        transcript = app.screen.query_one("#transcript", Static).content.plain
        assert "◀ customer ann_b" in transcript and "ann.b@example.com" in transcript
        assert "⊘ redacted" not in app.screen.query_one(StatusHeader).render().plain


def test_export_redact_replaces_customer_ids(tmp_path):
    from socialcare_tui import cli

    data = tmp_path / "events.csv"
    data.write_text(
        "conversation_id,at,channel,direction,author,text\n"
        "c1,2024-03-01T10:00:00Z,whatsapp,in,+447700900153,hi\n"
        "c2,2024-03-01T11:00:00Z,email,in,ann@example.com,hello\n"
    )
    db = str(tmp_path / "t.duckdb")
    assert cli.main(["import", str(data), "--db", db]) == 0
    plain, hidden = tmp_path / "plain.csv", tmp_path / "hidden.csv"
    assert cli.main(["export", str(plain), "--db", db]) == 0
    assert cli.main(["export", str(hidden), "--db", db, "--redact"]) == 0
    def customers(path):
        return sorted(r["customer"] for r in csv.DictReader(path.open(encoding="utf-8")))

    assert customers(plain) == ["'+447700900153", "ann@example.com"]  # + is formula-escaped in CSV
    assert customers(hidden) == sorted([pseudonym("+447700900153"), pseudonym("ann@example.com")])
