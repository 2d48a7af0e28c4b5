"""Ids of the app's remappable actions (config `[keys]`: action id = "key")."""

from __future__ import annotations


def binding_sources() -> list:
    from socialcare_tui.tui.app import SocialCareApp
    from socialcare_tui.tui.screens.agents import AgentsView
    from socialcare_tui.tui.screens.conversation import ConversationScreen
    from socialcare_tui.tui.screens.dashboard import PanelGrid
    from socialcare_tui.tui.screens.drill import DrillScreen
    from socialcare_tui.tui.screens.queues import QueuesView
    from socialcare_tui.tui.screens.wallboard import WallboardScreen
    from socialcare_tui.tui.widgets.panel import KpiPanel

    return [SocialCareApp, PanelGrid, KpiPanel, QueuesView, AgentsView, ConversationScreen, DrillScreen,
            WallboardScreen]


def action_ids() -> set[str]:
    return {b.id for source in binding_sources() for b in source.BINDINGS if getattr(b, "id", None)}
