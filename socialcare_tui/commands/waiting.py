"""The one way a command tells that it waits for the database (another process holds it)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from socialcare_tui.safetext import clean


def tell_once() -> Callable[[str], None]:
    """on_wait for store.access: say once, on stderr, that another process holds the file."""
    told: list[str] = []

    def on_wait(message: str) -> None:
        if not told:
            told.append(message)
            print(f"socialcare-tui: {clean(message, single_line=True)}", file=sys.stderr, flush=True)

    return on_wait
