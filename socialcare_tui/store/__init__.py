"""The DuckDB store: opening the file, schema and migrations."""

from socialcare_tui.store.connection import open_db

__all__ = ["open_db"]
