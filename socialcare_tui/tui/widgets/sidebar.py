"""Channels sidebar: every channel with its queues beneath and the open conversations
waiting for a reply. Selecting a node filters every screen; `All` clears the filter."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree

from socialcare_tui.tui.text import plain


@dataclass(frozen=True)
class Choice:
    channel: str | None = None
    queue: str | None = None

    def label(self) -> str:
        return self.queue or self.channel or "All"


@dataclass
class ChannelEntry:
    name: str
    waiting: int
    queues: list[tuple[str, int]]


class ChannelSidebar(Tree):
    DEFAULT_CSS = "ChannelSidebar { width: 24; }"

    class Chosen(Message):
        def __init__(self, choice: Choice) -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("All"), data=Choice(), **kwargs)
        self.show_root = True
        self.guide_depth = 2
        self.auto_expand = False  # Enter chooses; space folds
        self.entries: list[ChannelEntry] = []
        self._shape: list | None = None
        self.name_limit = 22  # cells for a line's guides, name and count

    def copy_text(self) -> str:
        node = self.cursor_node
        return str(node.label) if node is not None else ""

    def set_width(self, width: int) -> None:
        """Fit names so the waiting counts stay whole; relabel at once."""
        self.styles.width = width
        # the border takes one cell and the scrollbar two
        limit = max(6, width - 3)
        if limit != self.name_limit:
            self.name_limit = limit
            self._shape = None
            self.show(self.entries)

    def show(self, entries: list[ChannelEntry]) -> None:
        """Update counts in place when the channels are the same, else rebuild."""
        if entries == self.entries and self._shape is not None:
            return  # nothing changed since the last refresh
        self.entries = entries
        shape = [(e.name, [q for q, _ in e.queues]) for e in entries]
        total = sum(e.waiting for e in entries)
        self.root.set_label(_label("All", total, self.name_limit - GUIDE[0]))
        if shape == self._shape:
            for node, entry in zip(self.root.children, entries):
                node.set_label(_label(entry.name, entry.waiting, self.name_limit - GUIDE[1]))
                for child, (queue, waiting) in zip(node.children, entry.queues):
                    child.set_label(_label(queue, waiting, self.name_limit - GUIDE[2]))
            return
        chosen = self.cursor_node.data if self.cursor_node is not None else None
        self._shape = shape
        self.root.remove_children()
        for entry in entries:
            node = self.root.add(_label(entry.name, entry.waiting, self.name_limit - GUIDE[1]),
                                 data=Choice(entry.name), expand=True)
            for queue, waiting in entry.queues:
                node.add_leaf(_label(queue, waiting, self.name_limit - GUIDE[2]), data=Choice(entry.name, queue))
        self.root.expand()
        if chosen is not None:
            self._move_to(chosen)

    def _move_to(self, choice: Choice) -> None:
        for line in range(self.last_line + 1):
            node = self.get_node_at_line(line)
            if node is not None and node.data == choice:
                self.cursor_line = line
                return

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))


# cells the tree's guides and fold icon take before a label: All, a channel, a queue
GUIDE = (2, 4, 4)


def _label(name: str, waiting: int, limit: int = 16) -> Text:
    """`name count` in `limit` cells: the name is shortened, never the count."""
    count = f" {waiting:,}" if waiting else ""
    label = plain(name or "(none)", limit=200)
    label.truncate(max(3, limit - len(count)), overflow="ellipsis")  # in cells: wide characters count twice
    if count:
        label.append(count, style="bold")
    return label
