"""Shown while the database holds no events: the exact command that fills it."""

from __future__ import annotations

import shlex

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from socialcare_tui.tui.screens.base import BaseScreen
from socialcare_tui.tui.widgets.too_small import TooSmall


def first_run_text(db_path: str) -> Text:
    command = f"socialcare-tui import PATH --db {shlex.quote(db_path)}"
    text = Text("No conversations in this database yet.\n\n", style="bold")
    text.append(f"Database: {db_path}\n\nImport a log, ticket or survey export with:\n\n")
    text.append(f"  {command}\n\n", style="bold")
    text.append("or press ctrl+p and choose “Import a file”.\n")
    text.append("To look around with sample data first: socialcare-tui demo\n")
    return text


class FirstRunScreen(BaseScreen):
    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="first-run"):
            yield Static(first_run_text(self.db_path), id="first-run-text", markup=False)
        yield Footer()
        yield TooSmall()
