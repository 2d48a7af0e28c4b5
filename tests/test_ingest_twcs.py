"""The twcs format: reply trees, brands, sign-offs, broken rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from socialcare_tui.errors import UserError
from socialcare_tui.ingest import pipeline, twcs
from socialcare_tui.ingest.pipeline import ImportOptions

HEADER = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
          "in_response_to_tweet_id"]
T0 = datetime(2017, 10, 31, 10, 0, 0)


def stamp(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%a %b %d %H:%M:%S +0000 %Y")


def quote(value: str) -> str:
    if any(ch in value for ch in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write(path: Path, rows: list[tuple], index_column: bool = False) -> Path:
    """rows: (tweet_id, author, inbound, minutes after T0, text, in_response_to)."""
    lines = [("," if index_column else "") + ",".join(HEADER)]
    for n, (tid, author, inbound, minutes, text, parent) in enumerate(rows):
        fields = [str(tid), author, "True" if inbound else "False", stamp(minutes), quote(text), "",
                  "" if parent is None else str(parent)]
        lines.append((f"{n}," if index_column else "") + ",".join(fields))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def run(con, path: Path, **options):
    return pipeline.import_file(con, path, ImportOptions(**options))


def tree(con, conversation_id: str) -> set[str]:
    rows = con.execute(
        "SELECT event_id FROM events WHERE namespace = 'twcs' AND conversation_id = $c", {"c": conversation_id}
    ).fetchall()
    return {r[0] for r in rows}


def column(con, name: str) -> dict[str, object]:
    """event_id -> value of one events column (name from this test's fixed list)."""
    assert name in {"conversation_id", "queue", "author", "direction", "line", "conv_key", "extra"}
    return dict(con.execute(f"SELECT event_id, {name} FROM events").fetchall())


# -- the real excerpt ------------------------------------------------------------------


def test_excerpt_trees_and_brands(con, twcs_excerpt):
    summary = run(con, twcs_excerpt)
    # 121 data rows, all well-formed and every reply later than its parent.
    assert (summary.rows_read, summary.imported, summary.rejected) == (121, 121, 0)
    conv = column(con, "conversation_id")
    queue = column(con, "queue")
    # Tweet 8 has no in_response_to: a root. 6 answers 8, 5 answers 6, 4 answers 5,
    # 3 answers 4, 1 answers 3, 2 answers 1: one chain of seven tweets under 8.
    # First outbound by time is 6 (sprintcare, 21:46:24) -> brand sprintcare.
    assert tree(con, "8") == {"8", "6", "5", "4", "3", "1", "2"}
    assert {queue[t] for t in tree(con, "8")} == {"sprintcare"}
    # 29 is a root; 28 -> 29, 24 -> 28, 21 -> 24, then 21 has two replies (22 and 23),
    # 25 -> 22, 26 -> 25, 27 -> 26: a branching tree of nine tweets, brand Ask_Spectrum.
    assert tree(con, "29") == {"21", "22", "23", "24", "25", "26", "27", "28", "29"}
    assert queue["23"] == "Ask_Spectrum"
    # 49 is a root; 48 -> 49, 47 -> 48, 46 -> 47, 42 -> 46, 40 -> 42, 41 -> 40, 43 -> 41,
    # 44 -> 43, 45 -> 44. 46 and 48 come from a customer-side account (inbound) even
    # though they carry sign-offs; the first outbound tweet is 40 (VerizonSupport).
    assert tree(con, "49") == {str(n) for n in range(40, 50)}
    assert queue["49"] == "VerizonSupport"
    # 180 is a root (inbound), 178 (AskPlayStation) answers it, and 179 from another
    # customer answers 178: still the same conversation.
    assert tree(con, "180") == {"178", "179", "180"}
    assert queue["179"] == "AskPlayStation"
    # 81 is an outbound tweet with no parent: a brand-initiated conversation; 80 -> 81,
    # 79 -> 80. Its brand is its own author.
    assert tree(con, "81") == {"79", "80", "81"}
    assert queue["80"] == "ChipotleTweets"
    # 198 is a root; 194 -> 198; 195, 196, 197 all answer 194; 199 -> 195; 200 -> 199.
    assert tree(con, "198") == {"194", "195", "196", "197", "198", "199", "200"}
    # 203 answers 205, which is not in the excerpt: 203 is a root of its own.
    assert conv["203"] == "203"
    assert queue["203"] == "MicrosoftHelps"
    # Roots: the 34 tweets with an empty in_response_to_tweet_id plus 203 = 35.
    assert con.execute("SELECT count(DISTINCT conv_key) FROM events").fetchone()[0] == 35


def test_excerpt_authors_and_directions(con, twcs_excerpt):
    run(con, twcs_excerpt)
    author = column(con, "author")
    direction = column(con, "direction")
    # "... What information is incorrect? ^JK" -> JK; "... -KC" -> KC;
    # "...we are just a tweet away.\n^HSB" -> HSB; "... -Becky" -> Becky.
    assert (author["21"], author["11"], author["37"], author["64"]) == ("JK", "KC", "HSB", "Becky")
    # 6 ends with "...about your account?": no sign-off, the brand account is the author.
    assert author["6"] == "sprintcare"
    # 46 is inbound (from 115722) despite its "^NHP": customers keep their id.
    assert (direction["46"], author["46"]) == ("in", "115722")
    assert (direction["8"], author["8"]) == ("in", "115712")
    assert con.execute("SELECT DISTINCT channel FROM events").fetchall() == [("twitter",)]


# -- generated files ---------------------------------------------------------------------


def test_bare_carriage_return_rejects_only_that_row(con, tmp_path):
    rows = [(1, "111", True, 0, "@Acme help", None), (2, "Acme", False, 5, "@111 sure ^AB", 1),
            (3, "222", True, 10, "@Acme broken here", None), (4, "Acme", False, 12, "@222 ok", 3),
            (5, "333", True, 20, "@Acme later", None)]
    path = write(tmp_path / "cr.csv", rows)
    data = path.read_bytes().replace(b"@Acme broken here", b"@Acme broken\rhere")
    path.write_bytes(data)
    summary = run(con, path)
    assert (summary.rows_read, summary.imported, summary.rejected) == (5, 4, 1)
    rejects = con.execute("SELECT line, reason, raw FROM rejects").fetchall()
    # Header = line 1, tweet 1 = line 2, tweet 2 = line 3, the broken tweet 3 = line 4.
    assert len(rejects) == 1
    line, reason, raw = rejects[0]
    assert line == 4
    assert "bare carriage return" in reason
    assert raw.startswith("3,222,True,") and "broken\rhere" in raw
    # Lines are those `grep -n` gives (a bare CR ends no line): tweet 4 is on line 5.
    # Tweet 4 answers the rejected 3: a root now.
    assert column(con, "line") == {"1": 2, "2": 3, "4": 5, "5": 6}
    assert column(con, "conversation_id") == {"1": "1", "2": "1", "4": "4", "5": "5"}


def test_bare_carriage_return_end_to_end(con, tmp_path):
    # Past DuckDB's 20480-row sniffing sample, as in the real 3M-row file: the
    # pipeline plans the file, then our own read rejects the one broken row.
    rows = [(n, "Acme" if n % 2 else str(1000 + n), n % 2 == 0, n / 10, f"@x tweet {n}",
             n - 1 if n % 2 else None) for n in range(1, 21001)]
    path = write(tmp_path / "big.csv", rows)
    data = path.read_bytes().replace(b"@x tweet 20900,", b"@x tweet\r20900,")
    path.write_bytes(data)
    summary = run(con, path)
    # 21000 rows: one rejected, every other imported.
    assert (summary.rows_read, summary.imported, summary.rejected) == (21000, 20999, 1)
    line, reason = con.execute("SELECT line, reason FROM rejects").fetchone()
    # Tweet 20900 is data row 20900, so line 20901 (the header is line 1).
    assert line == 20901 and "bare carriage return" in reason
    lines = column(con, "line")
    # Lines are those `grep -n` gives (a bare CR ends no line): tweet 20901 is on line 20902.
    assert (lines["20899"], lines["20901"]) == (20900, 20902)
    # 20901 (odd: a brand reply) answered the rejected 20900: it is a root now,
    # while 20899 still answers 20898.
    conv = column(con, "conversation_id")
    assert (conv["20901"], conv["20899"]) == ("20901", "20898")


def test_index_column_and_float_ids(con, tmp_path):
    path = write(tmp_path / "idx.csv", [
        (119237, "111", True, 0, "@Acme hi", None),
        (119238, "Acme", False, 1, "@111 hello -Becky", 119237),
    ], index_column=True)
    text = path.read_text().replace("119237,", "119237.0,").replace(",119237\r", ",119237.0\r")
    path.write_text(text, newline="")
    assert "119237.0" in path.read_text()
    summary = run(con, path)
    assert (summary.imported, summary.rejected) == (2, 0)
    conv = column(con, "conversation_id")
    assert conv == {"119237": "119237", "119238": "119237"}
    assert column(con, "conv_key")["119238"] == "twcs:119237"
    assert column(con, "author")["119238"] == "Becky"


def test_sign_offs(con, tmp_path):
    path = write(tmp_path / "s.csv", [
        (1, "9", True, 0, "@Acme a", None),
        (2, "Acme", False, 1, "@9 one ^JK", 1),
        (3, "Acme", False, 2, "@9 two -Becky", 1),
        (4, "Acme", False, 3, "@9 three *DD ", 1),
        (5, "Acme", False, 4, "@9 four, no sign-off", 1),
        (6, "Acme", False, 5, "@9 see https://t.co/x-y", 1),
    ])
    run(con, path)
    author = column(con, "author")
    assert [author[str(n)] for n in range(2, 7)] == ["JK", "Becky", "DD", "Acme", "Acme"]


def test_reply_before_parent_is_rejected_and_tree_kept(con, tmp_path):
    path = write(tmp_path / "late.csv", [
        (10, "9", True, 60, "@Acme first", None),
        (11, "Acme", False, 30, "@9 answered before being asked", 10),  # 30 < 60
        (12, "9", True, 90, "@Acme thanks", 11),
    ])
    summary = run(con, path)
    assert (summary.rows_read, summary.imported, summary.rejected) == (3, 2, 1)
    line, reason = con.execute("SELECT line, reason FROM rejects").fetchone()
    assert line == 3  # tweet 11 is the second data row
    assert "reply timed before the tweet it answers" in reason and "11" in reason
    # 12 answers the rejected 11, which answers 10: the tree still puts 12 under 10.
    assert column(con, "conversation_id") == {"10": "10", "12": "10"}


def test_brand_from_handle_when_tree_has_no_outbound(con, tmp_path):
    path = write(tmp_path / "h.csv", [
        (1, "5", True, 0, "@Acme hi", None),
        (2, "Acme", False, 1, "@5 hello", 1),
        (3, "Zeta", False, 2, "@6 brand-initiated", None),
        # No outbound in this tree: @someone is not a brand, @ZETA is (case ignored).
        (4, "7", True, 3, "hey @someone and @ZETA and @acme", None),
        (5, "7", True, 4, "@someone anyone?", 4),
        # No known handle at all: the queue falls back to the channel.
        (6, "8", True, 5, "@nobody hello", None),
    ])
    run(con, path)
    queue = column(con, "queue")
    assert (queue["4"], queue["5"]) == ("Zeta", "Zeta")
    assert queue["6"] == "twitter"


def test_trees_continue_across_files(con, tmp_path):
    first = write(tmp_path / "a.csv", [
        (100, "5", True, 0, "@Acme my order", None),
        (101, "Acme", False, 10, "@5 on it ^AB", 100),
    ])
    second = write(tmp_path / "b.csv", [
        (102, "5", True, 20, "@Acme still waiting", 101),
        (103, "Acme", False, 30, "@5 sorry -Sam", 102),
        (104, "6", True, 40, "@Acme stored brand only", None),  # brand known from file a
        (105, "5", True, 5, "@Acme again", 100),  # answers the stored root directly
    ])
    run(con, first)
    summary = run(con, second)
    assert (summary.imported, summary.rejected) == (4, 0)
    conv = column(con, "conversation_id")
    # 102 answers 101 (stored), whose conversation is 100; 103 answers 102.
    assert (conv["102"], conv["103"], conv["105"]) == ("100", "100", "100")
    queue = column(con, "queue")
    assert (queue["102"], queue["103"]) == ("Acme", "Acme")
    # 104 has no outbound tweet; @Acme is a brand because a stored tweet says so.
    assert queue["104"] == "Acme"
    extra = column(con, "extra")
    assert '"in_reply_to":"101"' in extra["102"].replace(" ", "")


def test_reply_before_stored_parent_is_rejected(con, tmp_path):
    run(con, write(tmp_path / "a.csv", [(1, "5", True, 60, "@Acme x", None)]))
    summary = run(con, write(tmp_path / "b.csv", [(2, "Acme", False, 30, "@5 y", 1)]))
    assert (summary.imported, summary.rejected) == (0, 1)


def test_reimport_adds_nothing(con, tmp_path):
    path = write(tmp_path / "r.csv", [(1, "5", True, 0, "@Acme x", None), (2, "Acme", False, 1, "@5 y", 1)])
    run(con, path)
    summary = run(con, path)
    assert (summary.rows_read, summary.imported, summary.duplicates) == (2, 0, 2)


def test_deep_chain_is_one_conversation(con, tmp_path):
    # 1500 tweets, each answering the previous: 11 pointer-jumping steps (2^11 > 1500).
    rows = [(n, "Acme" if n % 2 else "5", n % 2 == 0, n, "t", None if n == 0 else n - 1) for n in range(1500)]
    run(con, write(tmp_path / "deep.csv", rows))
    assert con.execute("SELECT count(DISTINCT conversation_id), min(conversation_id) FROM events").fetchone() == (1, "0")


def test_reply_loop_is_rejected(con, tmp_path):
    summary = run(con, write(tmp_path / "loop.csv", [
        (1, "5", True, 0, "@Acme a", 2), (2, "Acme", False, 0, "@5 b", 1), (3, "5", True, 1, "@Acme c", None),
    ]))
    assert (summary.imported, summary.rejected) == (1, 2)
    reasons = {r[0] for r in con.execute("SELECT reason FROM rejects").fetchall()}
    assert reasons == {"reply chain loops back on itself (tweet 1)", "reply chain loops back on itself (tweet 2)"}


def test_bad_fields_are_rejected_with_reasons(con, tmp_path):
    path = write(tmp_path / "bad.csv", [(1, "5", True, 0, "@Acme ok", None), (2, "5", True, 1, "x", None)])
    text = path.read_text().replace("\n2,5,True,", "\nabc,5,True,")
    path.write_text(text, newline="")
    summary = run(con, path)
    assert (summary.imported, summary.rejected) == (1, 1)
    assert con.execute("SELECT line, reason FROM rejects").fetchone() == (3, "tweet_id 'abc' is not a number")


def test_missing_column_is_a_user_error(con, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("tweet_id,author_id,inbound,created_at,text\n1,a,True,x,y\n")
    with pytest.raises(UserError, match="in_response_to_tweet_id"):
        run(con, path, format="twcs")
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_matches():
    assert twcs.matches(["column0", *HEADER])
    assert not twcs.matches(["conversation_id", "at", "text"])


def test_queue_option_fills_brandless_trees(con, tmp_path):
    run(con, write(tmp_path / "q.csv", [(1, "5", True, 0, "@nobody hi", None)]), queue="Care")
    assert column(con, "queue") == {"1": "Care"}


def test_continued_tree_without_outbound_takes_brand_from_stored_root(con, tmp_path):
    run(con, write(tmp_path / "a.csv", [
        (1, "Zeta", False, 0, "@4 we can help", None),  # makes Zeta a known brand
        (2, "5", True, 1, "@someone @zeta my parcel?", None),  # inbound root, no outbound
    ]))
    run(con, write(tmp_path / "b.csv", [(3, "5", True, 2, "@zeta hello??", 2)]))
    # 3 answers stored 2: conversation 2, whose root text names @zeta first among brands.
    assert column(con, "conversation_id")["3"] == "2"
    assert column(con, "queue")["3"] == "Zeta"
