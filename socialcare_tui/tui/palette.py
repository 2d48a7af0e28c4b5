"""Command palette entries for channels and queues. Their names come from the data,
so they are shown as plain Text (the system provider would parse them as markup)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from socialcare_tui.safetext import clean
from socialcare_tui.tui.widgets.sidebar import Choice

if TYPE_CHECKING:
    from socialcare_tui.tui.app import SocialCareApp


class ChannelCommands(Provider):
    if TYPE_CHECKING:
        app: SocialCareApp  # the app this palette serves (its own methods, typed)

    def _choices(self) -> list[tuple[str, Choice]]:
        found = [("Channel: All (clear the filter)", Choice())]
        for entry in self.app.channel_entries():
            name = clean(entry.name, single_line=True)
            found.append((f"Channel: {name}", Choice(entry.name)))
            for queue, _ in entry.queues:
                found.append((f"Queue: {name} / {clean(queue, single_line=True)}", Choice(entry.name, queue)))
        return found

    async def discover(self) -> Hits:
        for title, choice in self._choices()[:30]:
            yield DiscoveryHit(Text(title), partial(self.app.choose, choice), text=title,
                               help="filter every screen")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, choice in self._choices():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, Text(title), partial(self.app.choose, choice), text=title,
                          help="filter every screen")
