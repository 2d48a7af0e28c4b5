"""Where the database, config and logs live (platformdirs), and owner-only files."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from socialcare_tui import APP_NAME

DB_ENV = "SOCIALCARE_TUI_DB"


def default_db_path() -> Path:
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path(APP_NAME) / "socialcare.duckdb"


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def spill_dir() -> Path:
    """Where DuckDB may write what a reader's query does not fit in its memory limit."""
    return platformdirs.user_cache_path(APP_NAME) / "spill"


def log_path() -> Path:
    return platformdirs.user_log_path(APP_NAME) / "socialcare-tui.log"


def make_private_file(path: Path) -> None:
    """Create `path` (empty) readable and writable by its owner only, if it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
