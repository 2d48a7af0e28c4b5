"""`socialcare-tui rejects`: rows an import could not use, with file, line and reason."""

from __future__ import annotations

import json

from socialcare_tui.errors import UserError
from socialcare_tui.safetext import clean

NAME = "rejects"
HELP = "list rejected rows with their file, line, reason and raw text"
EXAMPLE = "socialcare-tui rejects --source 3 --limit 20"
_RAW_WIDTH = 160


def add_arguments(parser) -> None:
    parser.add_argument("--source", metavar="ID|PATH", help="only rows of this import (ledger id or file path)")
    parser.add_argument("--limit", type=int, default=100, metavar="N", help="at most N rows (default 100)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")


def run(args) -> int:
    from socialcare_tui.commands.waiting import tell_once
    from socialcare_tui.store.access import database
    from socialcare_tui.store.connection import resolve_path

    if args.limit < 1:
        raise UserError(f"--limit {args.limit}: must be a positive number")
    if not resolve_path(args.db).exists():  # no database yet: nothing imported, nothing to create
        if args.source is not None:
            raise UserError(f"--source {args.source}: no such import (see `socialcare-tui sources`)")
        rows, total = [], 0
    else:
        with database(args.db, read_only=True, on_wait=tell_once()) as con:
            rows, total = _fetch(con, args.source, args.limit)
    records = [{**r, "path": clean(r["path"]), "reason": clean(r["reason"]), "raw": clean(r["raw"])} for r in rows]
    if args.json:
        print(json.dumps({"total": total, "rejects": records}, indent=2))
        return 0
    if not records:
        print("no rejected rows")
        return 0
    for r in records:
        raw = clean(r["raw"], single_line=True)
        raw = raw if len(raw) <= _RAW_WIDTH else raw[: _RAW_WIDTH - 1] + "…"
        print(f"{clean(r['path'], single_line=True)}:{r['line']}: {clean(r['reason'], single_line=True)}")
        print(f"    {raw}")
    if total > len(records):
        print(f"({len(records)} of {total} shown; use --limit or --source)")
    return 0


def _fetch(con, source: str | None, limit: int):
    from socialcare_tui.store import ledger

    which = _source_params(source)
    rows, total = ledger.rejects(con, **which, limit=limit)
    if source is not None and total == 0 and not ledger.source_known(con, **which):
        raise UserError(f"--source {source}: no such import (see `socialcare-tui sources`)")
    return rows, total


def _source_params(source: str | None) -> dict:
    """--source is a ledger id (digits) or a file path (whole, or its trailing part)."""
    if source is None:
        return {"source_id": None, "path": None}
    if source.isdigit():
        return {"source_id": int(source), "path": None}
    return {"source_id": None, "path": source}

