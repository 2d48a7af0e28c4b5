"""CSAT follow-up (palette `List: CSAT follow-up`): the dissatisfied survey answers of
the window and filter, latest first, with the customer's comment, who they are and
the conversation; Enter opens it, `o`/`O` sort, `e` exports the list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from socialcare_tui.output import Column
from socialcare_tui.tui import format as fmt
from socialcare_tui.tui.screens.rowlist import RowListScreen
from socialcare_tui.tui.text import plain, shown

if TYPE_CHECKING:
    from socialcare_tui.kpi.scope import Scope
    from socialcare_tui.tui.data import DataSource

EXPORT_COLUMNS = (
    Column("answered_at", "Answered", "time"), Column("score", "Score", "number"),
    Column("scale_max", "Scale", "number"), Column("comment", "Comment", flex="wrap"),
    Column("customer", "Customer"), Column("conv_key", "Conversation"), Column("channel", "Channel"),
    Column("queue", "Queue"), Column("agent", "Agent"),
)


class FollowUpScreen(RowListScreen):
    COLUMNS = (("answered", "Answered"), ("score", "Score"), ("customer", "Customer"), ("comment", "Comment"),
               ("conversation", "Conversation"), ("queue", "Queue"), ("agent", "Agent"))
    LIST_ID = "followup"

    def scope_extra(self) -> str:
        return "csat-followup"

    def list_title(self, count: int | None) -> Text:
        text = Text("CSAT follow-up · ", style="bold")
        if count is not None:
            text.append(f"{count:,} ", style="bold")
        text.append("dissatisfied answers (≤ 60% of the scale), latest first")
        return text

    def compose_below(self) -> ComposeResult:
        yield Static("", id="followup-detail", markup=False)

    def fetch(self, source: DataSource, scope: Scope) -> list[dict]:
        return source.csat_followup(scope)

    def show(self, rows: list[dict]) -> None:
        self.show_rows(rows)
        if not rows:
            self.query_one("#followup-detail", Static).update("")

    def cells(self, row: dict) -> list[Text]:
        moment = row.get("answered_at")
        return [
            Text(moment.strftime("%m-%d %H:%M") if moment else fmt.DASH),
            Text(_score(row), justify="right"),
            plain(row.get("customer") or "—", limit=30, pii="customer"),
            plain(row.get("comment") or "—", limit=60, pii="text"),
            plain(row.get("conv_key") or "—", limit=40),
            plain(row.get("queue") or row.get("channel") or "—", limit=24),
            plain(row.get("agent") or "—", limit=24),
        ]

    def sort_value(self, row: dict, column: str) -> Any:
        if column == "answered":
            return row.get("answered_at")
        if column == "score":
            score = row.get("score")
            return None if score is None else score / (row.get("scale_max") or 5)
        if column == "customer":
            return shown(row.get("customer") or "", "customer") or None
        if column == "comment":
            return shown(row.get("comment") or "", "text") or None
        if column == "conversation":
            return row.get("conv_key")
        if column == "queue":
            return row.get("queue") or row.get("channel")
        return row.get(column)

    def action_export_list(self) -> None:
        self.app.export_list("csat-followup", self.sorted_rows(), EXPORT_COLUMNS)

    def no_conversation(self) -> None:
        self.app.notify("this answer has no conversation (a survey answer on its own)")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted answer's whole comment under the table."""
        event.stop()
        row = self.row_at(str(event.row_key.value or ""))
        detail = self.query_one("#followup-detail", Static)
        if row is None:
            detail.update("")
            return
        text = plain(row.get("customer") or "no customer", style="bold", pii="customer")
        text.append(f" · {_score(row)} · ", style="bold")
        where = [row.get("conv_key") or "no conversation", row.get("queue") or row.get("channel"),
                 row.get("agent")]
        text.append_text(plain(" · ".join(str(part) for part in where if part) + " · ", style="bold"))
        text.append_text(plain(row.get("comment") or "no comment", limit=400, pii="text"))
        text.no_wrap = False
        detail.update(text)


def _score(row: dict) -> str:
    return f"{fmt.count(row.get('score'))}/{fmt.count(row.get('scale_max') or 5)}"

