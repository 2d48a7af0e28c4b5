"""First response time and reply rate written with pandas, as a yardstick for the engine.

The same definitions as kpi/sql/responsiveness.sql (first_response_time,
reply_rate) on the shared layer of kpi/sql/base.sql: messages at or before
as_of in conversation order (ts, inbound first, source_id, line, event_id);
a turn = the customer messages with the same count of earlier human replies,
answered by the next human reply. Only the totals, no groups.

pandas is not a runtime dependency: install the `bench` extra (pip install pandas).

As a script it is the yardstick as a whole process, the way a team lead's notebook
works: read an events CSV (the canonical format, one source file) with pandas and
print the two numbers as JSON, for all the data up to the newest event (what
`socialcare-tui report --kpi first_response_time,reply_rate` computes by default):

    python benchmarks/pandas_baseline.py benchmarks/data/events-1000000/events.csv
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

import pandas as pd

COLUMNS = ("conv_key", "ts", "type", "direction", "automated", "source_id", "line", "event_id")


def load(con, as_of: datetime) -> pd.DataFrame:
    """The message columns the two KPIs need, as a DataFrame (not part of the timing)."""
    sql = (f"SELECT {', '.join(COLUMNS)} FROM events "
           "WHERE type = 'message' AND conv_key IS NOT NULL AND ts <= $as_of")
    return con.execute(sql, {"as_of": as_of}).df()


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    m = df.assign(inbound_first=(df["direction"] != "in").astype("int8"))
    m = m.sort_values(["conv_key", "ts", "inbound_first", "source_id", "line", "event_id"],
                      kind="stable", ignore_index=True)
    m["is_customer"] = m["direction"] == "in"
    m["is_human_reply"] = (m["direction"] == "out") & ~m["automated"].astype(bool)
    m["hr_upto"] = m["is_human_reply"].astype("int64").groupby(m["conv_key"], sort=False).cumsum()
    return m


def frt_and_reply_rate(df: pd.DataFrame, lo: datetime, hi: datetime) -> dict:
    """{'first_response_time': median seconds | None, 'reply_rate': ratio | None}."""
    m = _ordered(df)
    by_conv = m.groupby("conv_key", sort=False)
    first_direction = by_conv["direction"].first()  # first non-null, like arg_min
    first_in = m[m["is_customer"]].groupby("conv_key", sort=False)["ts"].min()
    first_reply = m[m["is_human_reply"]].groupby("conv_key", sort=False)["ts"].min()
    conv = pd.DataFrame({"first_direction": first_direction, "first_in": first_in,
                         "first_reply": first_reply})
    sample = conv[(conv["first_direction"] != "out") & conv["first_in"].notna()
                  & (conv["first_reply"] >= lo) & (conv["first_reply"] < hi)]
    seconds = (sample["first_reply"] - sample["first_in"]).dt.total_seconds()
    frt = float(seconds.median()) if len(seconds) else None

    turns = (m[m["is_customer"]].groupby(["conv_key", "hr_upto"], sort=False)["ts"].min()
             .rename("started_at").reset_index())
    replies = m.loc[m["is_human_reply"], ["conv_key", "hr_upto"]]
    replies = replies.assign(hr_upto=replies["hr_upto"] - 1, answered=True)
    turns = turns.merge(replies, on=["conv_key", "hr_upto"], how="left")
    in_window = turns[(turns["started_at"] >= lo) & (turns["started_at"] < hi)]
    rate = float(in_window["answered"].notna().mean()) if len(in_window) else None
    return {"first_response_time": frt, "reply_rate": rate}


def read_events_csv(path: str) -> tuple[pd.DataFrame, datetime]:
    """(message rows with the columns of `load`, as_of = the newest event) from an
    events CSV; `line` is the row's position in the file, as the importer numbers it."""
    df = pd.read_csv(path, usecols=["event_id", "conversation_id", "at", "type", "direction", "automated"],
                     dtype={"event_id": str, "conversation_id": str, "type": str, "direction": str,
                            "automated": str})
    df["ts"] = pd.to_datetime(df["at"], utc=True, format="ISO8601").dt.tz_convert(None)
    as_of = df["ts"].max()
    df["line"] = df.index + 2  # the header is line 1
    df = df[(df["type"] == "message") & df["conversation_id"].notna() & (df["ts"] <= as_of)]
    df = df.rename(columns={"conversation_id": "conv_key"})
    df["automated"] = df["automated"].str.lower().eq("true")
    df["source_id"] = 1
    return df[list(COLUMNS)], as_of.to_pydatetime()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: pandas_baseline.py EVENTS.csv", file=sys.stderr)
        return 2
    frame, as_of = read_events_csv(args[0])
    lo = frame["ts"].min().to_pydatetime()  # every message: no window
    print(json.dumps(frt_and_reply_rate(frame, lo, as_of + timedelta(microseconds=1))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
