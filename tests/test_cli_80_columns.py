"""The CLI in an 80-column terminal (issue 14, item 9): `report --by` as one block per
group, `queue` and `explain` with human durations and whole ids, no raw JSON or Python
lists in table or markdown cells, plain labels; piped output stays one line per row."""

from __future__ import annotations

import random
import re

import pytest
from kpi_helpers import add, assign, msg, status

from socialcare_tui import output
from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi import engine
from socialcare_tui.output import QUEUE_TABLE_COLUMNS as TABLE_COLUMNS
from socialcare_tui.output import Column
from socialcare_tui.store import open_db

# a repr of a list or dict always has its brackets; an apostrophe alone is English
# ("the conversation's last handle-time record" in a reason)
RAW = re.compile(r"[{}\[\]]|_seconds|=\[")


@pytest.fixture
def con(db_path):
    con = open_db(db_path)
    for n, channel in enumerate(["twitter", "email", "facebook", "instagram", "whatsapp", "webchat"]):
        conv = f"conversation-with-a-long-id-{n}"
        msg(con, conv, "08:00", "in", f"customer.with.a.long.name{n}@example.com", channel=channel,
            queue=f"Support Inbox Europe {n}", text="where is my parcel " * 8)
        assign(con, conv, "08:05", "Alice Moreau", channel=channel, queue=f"Support Inbox Europe {n}")
        if n % 2:
            msg(con, conv, "10:30", "out", "Alice Moreau", channel=channel, queue=f"Support Inbox Europe {n}")
            status(con, conv, "11:00", "resolved", channel=channel, queue=f"Support Inbox Europe {n}")
        add(con, conv, "11:30", "tag", channel=channel, queue=f"Support Inbox Europe {n}",
            value=f"delivery/topic{n}")
    yield con
    con.close()


def scope(**kw):
    return engine.Scope(as_of=engine_time("12:00"), **kw)


def engine_time(text):
    from kpi_helpers import T

    return T(text)


def lines_fit(text: str, width: int = 80) -> bool:
    return all(len(line) <= width for line in text.splitlines())


def test_report_by_channel_is_one_block_per_group_that_fits(con):
    report = engine.report(con.cursor(), scope(), KpiConfig(), by="channel")
    text = output.render_report(report, "table", width=80)  # titles: the KPIs' own
    assert lines_fit(text)
    headings = [line.strip() for line in text.splitlines() if line.strip().startswith("channel ")]
    assert headings == [f"channel {c}" for c in sorted(["twitter", "email", "facebook", "instagram",
                                                        "whatsapp", "webchat"])]
    body = "\n".join(line for line in text.splitlines()[1:])
    assert not RAW.search(body), RAW.search(body)
    # piped: nothing folded, a KPI's details on one line
    piped = output.render_report(report, "table", width=1000)
    assert "target 1h 00m" in piped and "buckets <1h" in piped  # plain labels, words not JSON
    line = next(line for line in piped.splitlines() if "First response time" in line)
    assert "median" in line and "unanswered" in line


def test_report_markdown_cells_have_no_json(con):
    report = engine.report(con.cursor(), scope(channels=("email",)), KpiConfig(), by="queue")
    text = output.render_report(report, "markdown")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows and not any(RAW.search(line.replace(r"\[", "").replace(r"\]", "")) for line in rows)
    heading = text.splitlines()[0]
    assert "channel email" in heading and "['" not in heading


def test_queue_table_at_80_columns_keeps_ids_and_durations_whole(con):
    from socialcare_tui.kpi import browse

    rows = browse.queue_rows(con.cursor(), scope(), KpiConfig(), "all")
    text = output.render_rows(rows, TABLE_COLUMNS, "table", title="all conversations", width=80)
    assert lines_fit(text)
    for row in rows:
        assert row["conv_key"] in text  # whole ids
    assert "3h 59m" in text or "4h 00m" in text  # waiting since 08:00 at 12:00, human units
    assert not re.search(r"\b\d{1,3},\d{3}\b", text)  # no raw seconds
    data_lines = [line for line in text.splitlines() if "conversation-with" in line]
    assert len(data_lines) == len(rows)  # one line per conversation, nothing wrapped
    wide = output.render_rows(rows, TABLE_COLUMNS, "table", width=1000)
    assert "Support Inbox Europe 0" in wide and "customer.with.a.long.name0@example.com" in wide


def test_explain_sla_measures_are_durations(con):
    result = engine.explain(con.cursor(), scope(), KpiConfig(), "sla_first_response")
    text = output.render_explanation(result, "table")
    for line in text.splitlines():
        if "conversation-with-a-long-id-1" in line:
            assert "2h 30m" in line and "1h 00m" in line  # replied 10:30 to 08:00; target 1h
    assert "target" in text and "target_seconds" not in text


@pytest.mark.parametrize("seed", range(20))
def test_any_table_fits_and_keeps_unshrinkable_columns_whole(seed):
    """Random columns and values: lines never exceed the width when the kept columns can
    fit, and columns with drop=0 and no flex show their values whole."""
    rng = random.Random(seed)
    columns = [Column("id", "Id")]
    for n in range(rng.randint(1, 8)):
        columns.append(Column(f"c{n}", f"Column {n}", drop=rng.randint(1, 5),
                              flex=rng.choice(["", "", "cut", "wrap"])))
    columns.append(Column("text", "Text", flex="cut"))
    rows = [{"id": f"id-{rng.randint(0, 10**rng.randint(1, 12))}",
             **{c.key: " ".join("w" * rng.randint(1, 12) for _ in range(rng.randint(0, 6))) for c in columns[1:]}}
            for _ in range(rng.randint(1, 6))]
    width = rng.choice([60, 80, 100, 132])
    text = output.render_rows(rows, columns, "table", width=width)
    assert lines_fit(text, width)
    for row in rows:
        assert row["id"] in text
