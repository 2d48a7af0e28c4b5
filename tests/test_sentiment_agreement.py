"""The sentiment KPI's SQL lexicon score against vaderSentiment's own compound score
on the committed sample data, and the label the Conversation screen shows.

Both sides classify a message positive (>= 0.05), negative (<= -0.05) or neutral.
Ours is a plain lexicon sum (no negation, boosters or caps rules), so they differ on
some messages; they must agree on at least 85% of customer messages."""

from __future__ import annotations

import csv
from pathlib import Path

import kpi_helpers
import pytest
from textual.widgets import Static
from tui_helpers import make_app

from socialcare_tui.config import KpiConfig
from socialcare_tui.ingest.pipeline import import_paths
from socialcare_tui.kpi import engine
from socialcare_tui.store import open_db
from socialcare_tui.tui import sentiment
from socialcare_tui.tui.screens.conversation import ConversationScreen, sentiment_line

EVENTS = Path(__file__).resolve().parent.parent / "sample_data" / "events.csv"
AGREEMENT = 0.85


def label(score: float) -> str:
    return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """[(text, our SQL score)] for every customer message the sentiment KPI counts."""
    con = open_db(tmp_path_factory.mktemp("sentiment") / "sample.duckdb")
    try:
        import_paths(con, [EVENTS])
        rows = kpi_helpers.explain(con, engine.Scope(), KpiConfig(), "sentiment")["rows"]
    finally:
        con.close()
    texts: dict[tuple[str, str], list[str]] = {}
    with open(EVENTS, encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["type"] == "message" and row["direction"] == "in":
                moment = row["at"].replace("T", " ").removesuffix("Z")
                texts.setdefault((f"events:{row['conversation_id']}", moment), []).append(row["text"])
    out = []
    for row in rows:
        found = texts.get((row["conv_key"], str(row["moment"])))
        assert found and len(found) == 1, row  # each counted message is one CSV row
        out.append((found[0], row["measure"]))
    return out


def test_sql_lexicon_sign_agrees_with_vader(scored):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    agree = sum(label(ours) == label(vader.polarity_scores(text)["compound"]) for text, ours in scored)
    share = agree / len(scored)
    print(f"\nsentiment sign agreement with vaderSentiment: {agree}/{len(scored)} = {share:.1%}")
    assert len(scored) > 1000  # the sample's customer messages with text
    assert share >= AGREEMENT


def test_screen_label_is_the_kpi_score(scored):
    """The Conversation screen's label, recomputed in Python, is the SQL score exactly."""
    for text, ours in scored:
        assert sentiment.score(text).score == pytest.approx(ours, abs=1e-9)


def test_label_names_the_words_that_scored():
    mood = sentiment.score("Thanks, all good now 🙂")
    # thanks 1.9 + good 1.9 = 3.8 -> 3.8 / sqrt(3.8² + 15) = 0.700
    assert mood.label == "positive" and mood.score == pytest.approx(0.7003, abs=1e-4)
    assert mood.words == (("thanks", 1.9), ("good", 1.9))
    assert mood.describe() == "positive +0.70: thanks +1.9, good +1.9"
    assert sentiment.score("My parcel never arrived").describe() == "neutral 0.00"
    assert sentiment.score("", given=-0.8).label == "negative"  # a given score wins, as in SQL
    assert sentiment_line({"text": "  "}).plain == ""  # no text, no score: not counted, not shown
    assert sentiment_line({"text": "awful"}).plain.startswith("  ☹ sentiment negative")


@pytest.mark.anyio
async def test_conversation_shows_each_customer_message_label(tmp_path):
    from tui_helpers import build_db

    path = build_db(tmp_path)
    con = open_db(path)
    try:
        app = make_app(con, path)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            app.open_conversation("events:A5")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, ConversationScreen)
            transcript = app.screen.query_one("#transcript", Static).content.plain
            lines = transcript.splitlines()
            at = lines.index("  Thanks, all good now 🙂")
            assert lines[at + 1] == "  ☺ sentiment positive +0.70: thanks +1.9, good +1.9"
            assert "sentiment" not in "".join(lines[at + 2:])  # brand replies get no label
    finally:
        con.close()

