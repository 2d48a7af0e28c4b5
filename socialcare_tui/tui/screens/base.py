"""A screen with the app header, the footer and the "terminal too small" notice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.screen import Screen

from socialcare_tui.tui.widgets.too_small import TooSmall, too_small

if TYPE_CHECKING:
    from socialcare_tui.tui.app import SocialCareApp


class BaseScreen(Screen):
    """Subclasses compose their body with `compose_body` and may define
    `fetch(source, scope)` (worker thread) and `show(data)` (UI thread) to be refreshed."""

    if TYPE_CHECKING:
        app: SocialCareApp  # the app these screens run in (its own methods, typed)

    refreshable = False

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = too_small(width, height)
        self.set_class(small, "-too-small")
        if small:
            for notice in self.query(TooSmall):
                notice.show_size(width, height)

    def on_screen_resume(self) -> None:
        self._check_size(self.app.size.width, self.app.size.height)
        if self.refreshable:
            self.app.refresh_now()  # new or uncovered again: its data may be stale
        else:
            self.app.update_header()
