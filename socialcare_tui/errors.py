"""Errors that end a command with one line and a documented exit code."""


class UserError(Exception):
    """Bad usage or bad input: exit 2, one line, no traceback."""

    exit_code = 2


class DatabaseUnavailable(UserError):
    """The database is locked, foreign, too new or cannot be created: exit 3."""

    exit_code = 3
