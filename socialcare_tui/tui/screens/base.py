"""A screen with the app header, the footer and the "terminal too small" notice."""

from __future__ import annotations

from textual import events
from textual.screen import Screen

from socialcare_tui.tui.widgets.too_small import too_small


class BaseScreen(Screen):
    """Subclasses compose their body with `compose_body` and may define
    `fetch(source, scope)` (worker thread) and `show(data)` (UI thread) to be refreshed."""

    refreshable = False

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(too_small(event.size.width, event.size.height), "-too-small")

    def on_screen_resume(self) -> None:
        self.set_class(too_small(self.app.size.width, self.app.size.height), "-too-small")
        if self.refreshable:
            self.app.refresh_now()  # new or uncovered again: its data may be stale
        else:
            self.app.update_header()
