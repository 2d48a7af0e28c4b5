"""Refresh benchmark (issue 6): after a small append, a refresh costs what changed.

On a copy of a database of about N events (bench_report.py builds it once into
benchmarks/data/), in the same run and the same process, repeat:

  1. append 100 events (25 conversations x 4 events: 15 existing, recently
     active conversations and 10 new ones, just after the newest event),
     imported with the pipeline as `watch` does;
  2. kept:  the app's refresh (engine.dashboard with a 24 h window, previous
     window and 24-bucket sparklines) through the DataSource's path: the file
     attached to the in-memory home, the kept layers brought up to date;
  3. full:  the same dashboard computed from scratch on the same data.

and print kept / full for each round. as_of is the newest event, so each append
moves it on. Goal: kept <= 0.1 x full. Exit code 1 when the goal is missed.

    python benchmarks/bench_refresh.py --events 10000000 [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import duckdb

from bench_report import database

from socialcare_tui.config import Config
from socialcare_tui.ingest.pipeline import ImportOptions, import_paths
from socialcare_tui.kpi import engine
from socialcare_tui.kpi.layer import Layers
from socialcare_tui.store import open_db
from socialcare_tui.store.access import attached

GOAL = 0.1
SCOPE = engine.Scope(window=timedelta(hours=24))
FIELDS = ["event_id", "conversation_id", "at", "type", "channel", "queue", "direction", "author",
          "automated", "text", "value"]


def append_100(db: Path, round_no: int, folder: Path) -> None:
    """100 new events just after the newest one, imported like `watch` imports an append."""
    con = open_db(db)
    try:
        newest = con.execute("SELECT max(ts) FROM events").fetchone()[0]
        recent = [row[0] for row in con.execute(
            "SELECT conversation_id FROM events WHERE type = 'message' AND ts > $since "
            "GROUP BY conversation_id ORDER BY max(ts) DESC LIMIT 15",
            {"since": newest - timedelta(hours=6)}).fetchall()]
        conversations = recent + [f"NEW{round_no:02d}-{n}" for n in range(25 - len(recent))]
        path = folder / f"append-{round_no}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(FIELDS)
            for n, conv in enumerate(conversations):
                at = newest + timedelta(seconds=10 + n * 10)
                for k, (direction, author, value) in enumerate(
                        [("in", "cust", ""), ("out", "Alice Moreau", ""), ("in", "cust", ""),
                         ("", "Alice Moreau", "resolved")]):
                    kind = "status" if value else "message"
                    writer.writerow([f"B{round_no}-{n}-{k}", conv,
                                     (at + timedelta(seconds=k)).isoformat() + "Z", kind,
                                     "twitter", "Twitter Care", direction, f"{author}{n}" if author == "cust" else author,
                                     "false", "where is my parcel?" if kind == "message" else "", value])
        import_paths(con, [path], ImportOptions(format="events"))
    finally:
        con.close()


def kept_refresh(home, layers: Layers, db: Path, config):
    with attached(home, db) as con:
        return engine.dashboard(con, SCOPE, config, buckets=24, layers=layers)


def full_refresh(db: Path, config):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return engine.dashboard(con, SCOPE, config, buckets=24)
    finally:
        con.close()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    source = database(args.events)
    config = Config()
    with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
        db = Path(scratch) / "refresh.duckdb"
        shutil.copyfile(source, db)
        home, layers = duckdb.connect(":memory:"), Layers()
        first, _ = timed(lambda: kept_refresh(home, layers, db, config))
        print(f"{args.events:,} events: first paint (both layers built) {first:.2f} s", flush=True)
        ratios = []
        for round_no in range(1, args.rounds + 1):
            append_100(db, round_no, Path(scratch))
            kept_s, kept = timed(lambda: kept_refresh(home, layers, db, config))
            full_s, full = timed(lambda: full_refresh(db, config))
            same = kept["report"]["kpis"]["inbound_volume"] == full["report"]["kpis"]["inbound_volume"]
            ratios.append(kept_s / full_s)
            print(f"round {round_no}: append 100 -> kept {kept_s:.2f} s, full {full_s:.2f} s, "
                  f"kept/full {kept_s / full_s:.3f} (inbound volume agrees: {same})", flush=True)
        kept_mb = home.execute("SELECT sum(memory_usage_bytes) / 1e6 FROM duckdb_memory()").fetchone()[0]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"layer builds: {dict(layers.counts)}; memory of the kept layers {kept_mb:,.0f} MB "
              f"(peak RSS of this process, full recomputations included: {rss:,.0f} MB)")
    median = statistics.median(ratios)
    print(f"median kept/full {median:.3f} (goal <= {GOAL})")
    return 0 if median <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
