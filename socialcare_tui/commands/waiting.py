"""The one way a command tells that it waits for the database (another process holds it)."""

from __future__ import annotations

import math
import sys
import time
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


def tell_every(seconds: float) -> Callable[[str], None]:
    """on_wait for a long-running feeder (`watch`): waiting for a viewer to close the database
    is normal, so say so on stderr at most every `seconds`."""
    last = [-math.inf]

    def on_wait(message: str) -> None:
        now = time.monotonic()
        if now - last[0] >= seconds:
            last[0] = now
            print(clean(message, single_line=True), file=sys.stderr, flush=True)

    return on_wait
