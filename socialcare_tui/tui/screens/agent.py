"""One agent's conversations (Enter on the Agents screen): those assigned to them now or
that they replied to, in the current window and filter, longest wait first; Enter opens
one, `o`/`O` sort."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from socialcare_tui.tui.screens.queues import queue_cell, queue_sort_value
from socialcare_tui.tui.screens.rowlist import RowListScreen
from socialcare_tui.tui.text import plain

if TYPE_CHECKING:
    from socialcare_tui.kpi.scope import Scope
    from socialcare_tui.tui.data import DataSource


class AgentScreen(RowListScreen):
    COLUMNS = (("conv_key", "Conversation"), ("customer", "Customer"), ("status", "Status"),
               ("wait", "Waiting"), ("last", "Last message"))
    LIST_ID = "agent"

    def __init__(self, agent: str) -> None:
        super().__init__()
        self.agent = agent

    def scope_extra(self) -> str:
        return self.agent

    def list_title(self, count: int | None) -> Text:
        text = plain(self.agent, limit=40, style="bold")
        text.append(" · conversations assigned to them now or that they replied to")
        if count is not None:
            text.append(f" · {count:,}", style="bold")
        return text

    def fetch(self, source: DataSource, scope: Scope) -> tuple[list[dict], datetime | None]:
        return source.queue(replace(scope, agents=(self.agent,)), "all")

    def show(self, data: tuple[list[dict], datetime | None]) -> None:
        rows, _as_of = data
        self.show_rows(rows)

    def cells(self, row: dict) -> list[Text]:
        """The Queues screen's cells for the wait and the last message (a narrower customer)."""
        return [plain(row["conv_key"]), plain(row.get("customer") or "—", limit=30, pii="customer"),
                plain(row.get("status") or "—"), queue_cell("wait", row, None), queue_cell("last", row, None)]

    def sort_value(self, row: dict, column: str) -> Any:
        if column in ("wait", "last", "customer"):
            return queue_sort_value(row, column)  # as the Queues screen sorts them
        return row.get(column)

    def action_export_list(self) -> None:
        from socialcare_tui.output import QUEUE_COLUMNS, QUEUE_TABLE_COLUMNS

        self.app.export_list(f"agent-{file_safe(self.agent)}", self.sorted_rows(), QUEUE_COLUMNS,
                             QUEUE_TABLE_COLUMNS)


def file_safe(name: str) -> str:
    from socialcare_tui.tui.text import file_label

    return file_label((name,)).lstrip("-") or "agent"

