"""socialcare-tui: customer-care KPIs from channel logs, in DuckDB, in the terminal."""

__version__ = "0.1.0"
APP_NAME = "socialcare-tui"
