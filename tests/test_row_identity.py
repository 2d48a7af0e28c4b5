"""A row without an event_id is keyed by its canonical values (issue 16, item 5): the
same message re-exported with its columns reordered, another time notation or an
extra empty column is a duplicate; a row that differs in a canonical value is not."""

from __future__ import annotations

import itertools
import random

from socialcare_tui.ingest import pipeline

COLUMNS = ["conversation_id", "at", "channel", "direction", "author", "text"]
ROWS = [
    {"conversation_id": "c1", "at": "2024-01-01T10:00:00Z", "channel": "sms", "direction": "in",
     "author": "+4477", "text": "hello, my parcel"},
    {"conversation_id": "c1", "at": "2024-01-01T10:05:00Z", "channel": "sms", "direction": "out",
     "author": "Dana", "text": "On it"},
    {"conversation_id": "c2", "at": "2024-01-01T11:00:00Z", "channel": "sms", "direction": "in",
     "author": "+4478", "text": ""},
]
NOTATIONS = {  # the same instants, written another way
    "2024-01-01T10:00:00Z": ["2024-01-01T10:00:00+00:00", "2024-01-01 11:00:00+01:00", "1704103200"],
    "2024-01-01T10:05:00Z": ["2024-01-01T10:05:00.000Z", "1704103500000"],
    "2024-01-01T11:00:00Z": ["2024-01-01T06:00:00-05:00"],
}


def csv_text(columns: list[str], rows: list[dict]) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if "," in value else value
    return ",".join(columns) + "\n" + "".join(",".join(cell(r.get(c, "")) for c in columns) + "\n" for r in rows)


def test_reexports_of_the_same_rows_are_duplicates(con, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text(csv_text(COLUMNS, ROWS))
    assert pipeline.import_file(con, first).imported == 3
    rng = random.Random(16)
    orders = list(itertools.permutations(COLUMNS))
    for n in range(12):
        columns = list(rng.choice(orders))
        if n % 3 == 0:
            columns.insert(rng.randrange(len(columns) + 1), "notes")  # an extra, empty column
        rows = [dict(r, at=rng.choice(NOTATIONS[r["at"]])) for r in ROWS]
        again = tmp_path / f"again{n}.csv"
        again.write_text(csv_text(columns, rows))
        summary = pipeline.import_file(con, again)
        assert (summary.rows_read, summary.imported, summary.duplicates) == (3, 0, 3), (columns, rows)
    assert con.execute("SELECT count(*) FROM events").fetchone() == (3,)


def test_a_change_in_any_canonical_value_is_a_new_row(con, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text(csv_text(COLUMNS, ROWS[:1]))
    pipeline.import_file(con, first)
    changes = {"conversation_id": "c9", "at": "2024-01-01T10:00:01Z", "direction": "out",
               "author": "+4479", "text": "hello, my parcel!"}
    for n, (column, value) in enumerate(changes.items()):
        path = tmp_path / f"changed{n}.csv"
        path.write_text(csv_text(COLUMNS, [dict(ROWS[0], **{column: value})]))
        assert pipeline.import_file(con, path).imported == 1, column
