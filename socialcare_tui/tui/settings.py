"""Remember the chosen theme in config.toml: change or add the top-level `theme` line,
leaving every other line as it is."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

_THEME_LINE = re.compile(r"^\s*theme\s*=.*$")


def remember_theme(path: Path, theme: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    new_line = f"theme = {json.dumps(theme)}"
    first_table = next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
    for index in range(first_table):
        if _THEME_LINE.match(lines[index]):
            lines[index] = new_line
            break
    else:
        end = first_table
        while end > 0 and not lines[end - 1].strip():
            end -= 1  # keep the blank line that separates the tables
        lines.insert(end, new_line)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
