"""Help (`?`): every key, read from the bindings (with config remaps), and every KPI
in one sentence, read from the KPI registry."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.widgets.too_small import TooSmall

BUILT_IN = (
    ("ctrl+p", "Command palette: window, channel, theme, import a file, export the report"),
    ("tab / shift+tab", "Move between the channels list and the current screen"),
    ("enter", "Choose: filter by a channel, explain a KPI, open a conversation"),
    ("space", "Fold or unfold a channel in the channels list"),
    ("arrows", "Move between panels and rows"),
)


def help_text(app, sections, kpis) -> Text:
    text = Text("Keys", style="bold")
    text.append("  (remap in config.toml: [keys] action id = \"key\")\n", style="dim")
    seen = set()
    for title, bindings in sections:
        text.append(f"\n{title}\n", style="bold underline")
        for binding in bindings:
            if binding.action in seen and title == "Everywhere":
                continue
            seen.add(binding.action)
            key = app.key_for(binding)
            text.append(f"  {key:<16}", style="bold")
            text.append(binding.tooltip or binding.description or binding.action)
            if binding.id:
                text.append(f"  [keys] {binding.id}", style="dim")
            text.append("\n")
    text.append("\nAlso\n", style="bold underline")
    for key, what in BUILT_IN:
        text.append(f"  {key:<16}", style="bold")
        text.append(f"{what}\n")
    text.append("\nKPIs\n", style="bold")
    for info in kpis:
        text.append(f"  {info.title}", style="bold")
        text.append(f" ({info.id}): {info.help}\n")
    return text


class HelpScreen(BaseScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("question_mark", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll"):
            yield Static(self.text, id="help-text", markup=False)
        yield Footer()
        yield TooSmall()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()
