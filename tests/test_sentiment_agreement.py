"""The sentiment KPI's SQL lexicon score against vaderSentiment's own compound score
on the committed sample data, and the label the Conversation screen shows.

Both sides classify a message positive (>= 0.05), negative (<= -0.05) or neutral.
Ours is a plain lexicon sum (no negation, boosters or caps rules), so they differ on
some messages; they must agree on at least 85% of customer messages.

The Conversation screen shows the score stored with each message (kpi/browse.py's
transcript); until issue 15 it recomputed the score in Python (tui/sentiment.py). The
moods it showed then are restated here as `before_mood` (the same rule, written again
over vaderSentiment's own lexicon dict) and compared with what it shows now on every
customer message of the demo data.
"""

from __future__ import annotations

import csv
import math
import string
from pathlib import Path

import kpi_helpers
import pytest
from textual.widgets import Static
from tui_helpers import make_app

from socialcare_tui.config import KpiConfig
from socialcare_tui.ingest.pipeline import import_paths
from socialcare_tui.kpi import engine
from socialcare_tui.store import open_db
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


def before_mood(text: str, lexicon: dict[str, float]) -> tuple[str, float]:
    """The label and score the screen computed in Python before issue 15: words split on
    whitespace, surrounding punctuation stripped unless that leaves two characters or
    fewer, looked up in lower case among the lexicon's lower-case entries; the sum s
    becomes s / sqrt(s*s + 15)."""
    total = 0.0
    for word in text.strip().split():
        stripped = word.strip(string.punctuation)
        key = (word if len(stripped) <= 2 else stripped).lower()
        total += lexicon.get(key, 0.0)
    score = total / math.sqrt(total * total + 15)
    return label(score), score


@pytest.fixture(scope="module")
def vader_lexicon() -> dict[str, float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return {k: v for k, v in SentimentIntensityAnalyzer().lexicon.items() if k == k.lower()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from socialcare_tui.sample import build_demo_db

    return build_demo_db(tmp_path_factory.mktemp("demo") / "demo.duckdb")


def test_screen_moods_are_those_shown_before(demo, vader_lexicon):
    """Customer messages with text in the demo data (every 4th conversation, for time):
    the mood the screen shows now (stored score) is the one it showed before (Python
    recomputation), score within 1e-9."""
    from socialcare_tui.kpi import browse

    con = open_db(demo)
    try:
        cur = con.cursor()
        scope = engine.Scope()
        resolved = engine.prepare(cur, scope, KpiConfig())
        keys = [k for (k,) in cur.execute(
            "SELECT DISTINCT conv_key FROM events WHERE type = 'message' AND direction = 'in' "
            "AND trim(coalesce(text, '')) <> '' ORDER BY 1").fetchall()][::4]
        compared = {"positive": 0, "neutral": 0, "negative": 0}
        for conv_key in keys:
            for event in browse.transcript(cur, scope, KpiConfig(), conv_key, resolved=resolved):
                inbound = event["type"] == "message" and event["direction"] == "in"
                if not inbound or not (event["text"] or "").strip():
                    assert event["sentiment_label"] is None  # brand replies and blank texts: none
                    continue
                mood, score = before_mood(event["text"], vader_lexicon)
                assert event["sentiment_label"] == mood, (conv_key, event["text"])
                assert event["sentiment_score"] == pytest.approx(score, abs=1e-9)
                compared[mood] += 1
    finally:
        con.close()
    assert sum(compared.values()) > 800 and min(compared.values()) > 30  # every mood, many times


def test_sentiment_line_hand_worked():
    # thanks 1.9 + good 1.9 = 3.8 -> 3.8 / sqrt(3.8² + 15) = 0.700
    happy = {"sentiment_label": "positive", "sentiment_score": 0.70027}
    assert sentiment_line(happy).plain == "  ☺ sentiment positive +0.70\n"
    angry = {"sentiment_label": "negative", "sentiment_score": -0.4588}
    assert sentiment_line(angry).plain == "  ☹ sentiment negative −0.46\n"
    assert sentiment_line({"sentiment_label": "neutral", "sentiment_score": 0.0}).plain == (
        "  · sentiment neutral 0.00\n")
    assert sentiment_line({"text": "awful"}).plain == ""  # no score given: nothing shown


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
            assert lines[at + 1] == "  ☺ sentiment positive +0.70"  # thanks 1.9 + good 1.9
            assert "sentiment" not in "".join(lines[at + 2:])  # brand replies get no label
    finally:
        con.close()

