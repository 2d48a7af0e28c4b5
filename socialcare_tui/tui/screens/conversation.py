"""One conversation: its FRT, resolution time and SLA outcomes on top, then the
transcript with customer and brand messages told apart (arrows, not only colour),
automated replies marked, and status, assignment, tag and survey events in line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.text import block, plain
from socialcare_tui.tui.widgets.header import StatusHeader
from socialcare_tui.tui.widgets.too_small import TooSmall

OUTCOME = {"met": "✓ met", "breached": "✗ breached", "running": "… running"}


class ConversationScreen(BaseScreen):
    refreshable = True
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("backspace", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, conv_key: str) -> None:
        super().__init__()
        self.conv_key = conv_key
        self.data = None

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield Static(plain(f"conversation {self.conv_key}"), id="conv-facts", markup=False)
        with VerticalScroll(id="transcript-scroll"):
            yield Static("loading…", id="transcript", markup=False)
        yield Footer()
        yield TooSmall()

    def on_mount(self) -> None:
        self.query_one("#transcript-scroll").focus()

    def fetch(self, source, scope):
        return source.conversation(scope, self.conv_key)

    def show(self, data) -> None:
        self.data = data
        self.query_one("#conv-facts", Static).update(facts_text(self.conv_key, data.facts))
        body = transcript_text(data.events) if data.events else Text("no events up to the as-of time")
        self.query_one("#transcript", Static).update(body)

    def copy_text(self) -> str:
        if self.data is None:
            return ""
        return facts_text(self.conv_key, self.data.facts).plain + "\n\n" + transcript_text(self.data.events).plain


def facts_text(conv_key: str, facts: dict) -> Text:
    text = plain(f"{conv_key}", style="bold")
    for label, key in (("", "channel"), ("queue ", "queue"), ("customer ", "customer"),
                       ("status ", "status"), ("assignee ", "assignee")):
        if facts.get(key):
            text.append(" · " + label)
            text.append_text(plain(facts[key], limit=40, pii="customer" if key == "customer" else None))
    text.append("\n")
    text.append(f"FRT {fmt.duration(facts.get('frt_seconds'))}")
    text.append(f" · resolution {fmt.duration(facts.get('resolution_seconds'))}")
    for label, key in (("SLA first response", "sla_first_response"), ("SLA resolution", "sla_resolution")):
        outcome = facts.get(key)
        if outcome:
            text.append(f" · {label} ")
            text.append(OUTCOME.get(outcome, outcome), style=_OUTCOME_STYLE.get(outcome, ""))
    met, breached = facts.get("next_reply_met"), facts.get("next_reply_breached")
    if met or breached:
        text.append(f" · next replies {met or 0} met, {breached or 0} breached")
    if facts.get("csat_score") is not None:
        text.append(f" · CSAT {fmt.count(facts['csat_score'])}/{fmt.count(facts.get('csat_scale') or 5)}")
    return text


_OUTCOME_STYLE = {"met": "green", "breached": "bold red"}


def transcript_text(events: list[dict]) -> Text:
    out = Text(end="")
    for event in events:
        if out.plain:
            out.append("\n")
        out.append_text(_event_text(event))
    return out


def _event_text(event: dict) -> Text:
    when = fmt.timestamp(event.get("ts"))
    kind = event.get("type")
    if kind == "message":
        inbound = event.get("direction") == "in"
        head = Text(f"{when}  ", style="dim")
        head.append("◀ customer " if inbound else "▶ brand    ", style="bold" if inbound else "bold cyan")
        head.append_text(plain(event.get("author") or "", limit=40, pii="customer" if inbound else None))
        if event.get("automated"):
            head.append(" [automated]", style="italic")
        if event.get("quick_reply"):
            head.append(" quick reply: ", style="dim")
            head.append_text(plain(event["quick_reply"], limit=40))
        head.append("\n")
        body = block(event.get("text") or "", pii="text").plain
        head.append_text(Text("  " + body.replace("\n", "\n  "), overflow="fold"))
        head.append("\n")
        if inbound:
            head.append_text(sentiment_line(event))
        return head
    return Text(f"{when}  ── ", style="dim") + _marker(kind, event) + Text(" ──", style="dim")


_MOOD = {"positive": ("☺ ", "green"), "neutral": ("· ", "dim"), "negative": ("☹ ", "red")}


def sentiment_line(event: dict) -> Text:
    """`  ☹ sentiment negative −0.46`: the mood the sentiment KPI counts for this message
    (kpi/browse.py gives it: the message's own sentiment column, else the lexicon score
    stored with it), told by a symbol and a word as well as colour. Empty when the
    message says nothing about sentiment (no text, no score), as the KPI leaves it out."""
    label, score = event.get("sentiment_label"), event.get("sentiment_score")
    if label not in _MOOD or score is None:
        return Text("")
    symbol, style = _MOOD[label]
    sign = fmt.MINUS if score < 0 else "+" if score > 0 else ""
    line = Text("  ")
    line.append(f"{symbol}sentiment {label} {sign}{abs(score):.2f}", style=style)
    line.append("\n")
    return line


def _marker(kind: str | None, event: dict) -> Text:
    value = event.get("value")
    if kind == "status":
        return Text("status → ") + plain(value or "", limit=40)
    if kind == "assign":
        return Text("assigned to ") + plain(value or "nobody", limit=40)
    if kind == "tag":
        return Text("tag ") + plain(value or "", limit=60)
    if kind == "csat":
        return Text(f"CSAT answer {plain(value or '', limit=10).plain}/{fmt.count(event.get('scale_max') or 5)}")
    if kind == "nps":
        return Text(f"NPS answer {plain(value or '', limit=10).plain}/10")
    return plain(f"{kind} {value or ''}", limit=60)
