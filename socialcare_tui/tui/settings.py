"""Remember the chosen theme in config.toml: set the top-level `theme` key with tomlkit,
which keeps every comment, table, blank line and the order of the keys as they are."""

from __future__ import annotations

import os
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table, Whitespace


class ThemeNotRemembered(Exception):
    """The file cannot take a top-level theme key; it is left as it was."""


def remember_theme(path: Path, theme: str) -> None:
    """Change the top-level `theme = ...` (or add it after the last top-level key, before
    the first table); a missing file is created, owner-only."""
    text = path.read_bytes().decode("utf-8") if path.exists() else ""  # bytes: CRLF kept
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as err:
        raise ThemeNotRemembered(f"not valid TOML ({err})") from None
    if isinstance(doc.get("theme"), dict | list):  # [theme] or theme.x = ...: not ours to replace
        raise ThemeNotRemembered("its 'theme' is a table, not a theme name")
    # tomlkit puts a blank line before the table that follows a new top-level key;
    # the file keeps its own layout instead
    indents = [(item, item.trivia.indent) for _, item in doc.body if not isinstance(item, Whitespace)]
    keys = [i for i, (key, item) in enumerate(doc.body) if key is not None and not isinstance(item, Table | AoT)]
    if "theme" not in doc and keys and keys[-1] + 1 < len(doc.body):
        # right after the last top-level key: a comment above the first table stays with
        # it (tomlkit's own placement is after that comment; it has no public insert)
        doc._insert_at(keys[-1] + 1, "theme", theme)
    else:
        doc["theme"] = theme
    for item, indent in indents:
        item.trivia.indent = indent
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(tomlkit.dumps(doc))
