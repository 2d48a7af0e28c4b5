"""The key list at the bottom, rebuilt only when the keys it shows change.

Textual's Footer recomposes (about 20 new widgets, each restyled) on every focus
change. Moving between dashboard panels leaves the shown keys the same, so that work
is skipped: the footer looks the same either way."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None

    def bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = _shown_keys(screen)
            if self._bindings_ready and shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)


def _shown_keys(screen) -> tuple:
    """What Footer.compose reads from the active bindings (not which node holds them)."""
    return tuple(
        (key, b.key, b.action, b.description, b.show, b.group, enabled, tooltip)
        for key, (_node, b, enabled, tooltip) in screen.active_bindings.items()
    )
