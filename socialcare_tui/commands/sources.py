"""`socialcare-tui sources`: the import ledger, one row per imported file."""

from __future__ import annotations

import json

from socialcare_tui.safetext import clean

NAME = "sources"
HELP = "list imported files: format, namespace, rows read, imported, duplicates, rejected"
EXAMPLE = "socialcare-tui sources --json"
_SHOWN = ("source_id", "finished_at", "format", "namespace", "rows_read", "imported", "duplicates", "rejected", "path")
_HEADINGS = ("id", "finished (UTC)", "format", "namespace", "read", "imported", "dupes", "rejected", "path")


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print the ledger as JSON")


def run(args) -> int:
    from socialcare_tui.commands.waiting import tell_once
    from socialcare_tui.store import ledger
    from socialcare_tui.store.access import database
    from socialcare_tui.store.connection import resolve_path

    records = []
    if resolve_path(args.db).exists():  # no database yet: nothing imported, nothing to create
        with database(args.db, read_only=True, on_wait=tell_once()) as con:
            records = ledger.sources(con)
    if args.json:
        print(json.dumps({"sources": records}, indent=2, default=str))
    elif not records:
        print("no files imported yet")
    else:
        print_table(_HEADINGS, [[_cell(r[c]) for c in _SHOWN] for r in records])
    return 0


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.replace(microsecond=0).isoformat(sep=" ")
    return clean(value, single_line=True)


def print_table(headings, rows) -> None:
    """Plain aligned columns (numbers are right-aligned), untrusted cells already cleaned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]
    numeric = [all(r[i].isdigit() for r in rows if r[i]) for i in range(len(headings))]

    def fmt(cells):
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)]
        return "  ".join(parts).rstrip()

    print(fmt(headings))
    for row in rows:
        print(fmt(row))
