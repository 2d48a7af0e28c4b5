"""Report benchmark: the KPI engine against one aggregate scan and against pandas.

Builds (once, into benchmarks/data/, which git ignores) a database of about N
events: the sample generator's events CSV imported with the pipeline. Then, on
that database opened read-only and in the same run, times

  scan:      SELECT count(*), count(DISTINCT conv_key), min(ts), max(ts),
             sum(length(text)) FROM events
  report:    engine.report, every KPI, no window (all the data)
  dashboard: engine.dashboard with a 7-day window (report + previous window +
             12-bucket series: what the app paints first), and the same three
             as separate calls (what tui/data.py does today)
  frt+rr:    engine.report for first_response_time and reply_rate, and the same
             two numbers with pandas (benchmarks/pandas_baseline.py; the load into
             a DataFrame is not timed), checking that both agree

Goals: report <= 5x scan; dashboard < 1 s at 1M events; ours >= 20x faster than
pandas. The exit code is 1 when a goal is missed.

    python benchmarks/bench_report.py --events 1000000 [--repeat 3] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb

from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi import engine

DATA = Path(__file__).resolve().parent / "data"
SCAN = ("SELECT count(*), count(DISTINCT conv_key), min(ts), max(ts), sum(length(text)) "
        "FROM events")
PAIR = ["first_response_time", "reply_rate"]
WINDOW = timedelta(days=7)


def database(rows: int) -> Path:
    """benchmarks/data/kpi-events-N.duckdb, generated and imported on first use."""
    db = DATA / f"kpi-events-{rows}.duckdb"
    if db.exists():
        return db
    from socialcare_tui.ingest.pipeline import ImportOptions, import_paths
    from socialcare_tui.sample import generate
    from socialcare_tui.store import open_db

    csv = DATA / f"events-{rows}" / "events.csv"
    if not csv.exists():
        started = time.perf_counter()
        generate(csv.parent, rows=rows, seed=1, formats=("events",))
        print(f"generated {csv} in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    con = open_db(db)
    try:
        con.execute("SET enable_progress_bar = false")
        import_paths(con, [csv], ImportOptions(format="events"))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    print(f"imported {db} in {time.perf_counter() - started:.1f} s", flush=True)
    return db


def best(repeat: int, fn):
    """(fastest seconds, last result) of `repeat` calls."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def _pandas(con, config, repeat: int):
    try:
        import pandas_baseline
    except ImportError as err:  # pandas is the optional `bench` extra
        print(f"pandas baseline skipped ({err}); pip install pandas", flush=True)
        return None
    cur = con.cursor()
    resolved = engine.prepare(cur, engine.Scope(), config)
    cur.close()
    frame = pandas_baseline.load(con, resolved.as_of)
    return best(repeat, lambda: pandas_baseline.frt_and_reply_rate(frame, resolved.lo, resolved.hi))


def _three_calls(con, scope, config):
    """What tui/data.py does today instead of engine.dashboard."""
    current = engine.report(con, scope, config)
    before = engine.previous_scope(con, scope, config)
    previous = engine.report(con, before, config) if before is not None else None
    return current, previous, engine.series(con, scope, config, list(current.kpis))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the database")
    parser.add_argument("--repeat", type=int, default=2, help="runs per timing; the best is kept")
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (0 = DuckDB's default)")
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    db = database(args.events)
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET enable_progress_bar = false")
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    config = KpiConfig()
    repeat = max(1, args.repeat)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"duckdb {duckdb.__version__}, python {sys.version.split()[0]}, threads {threads}, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)

    scan, counts = best(repeat, lambda: con.execute(SCAN).fetchone())
    report, _ = best(repeat, lambda: engine.report(con, engine.Scope(), config))
    window = engine.Scope(window=WINDOW)
    dash, _ = best(repeat, lambda: engine.dashboard(con, window, config))
    apart, _ = best(repeat, lambda: _three_calls(con, window, config))
    pair, ours = best(repeat, lambda: engine.report(con, engine.Scope(), config, kpis=PAIR))
    print(f"events {counts[0]:,} in {counts[1]:,} conversations", flush=True)
    print(f"scan       {scan:7.3f} s", flush=True)
    print(f"report     {report:7.3f} s  ratio {report / scan:6.1f}x  (goal <= 5x)", flush=True)
    print(f"dashboard  {dash:7.3f} s  (7-day window; goal < 1 s at 1M events)", flush=True)
    print(f"  the same as three calls (report, previous report, series): {apart:7.3f} s", flush=True)
    missed = (report > 5 * scan) + (args.events <= 1_000_000 and dash >= 1.0)
    panda = _pandas(con, config, repeat)
    if panda is not None:
        seconds, theirs = panda
        mine = {k: ours.kpis[k].value for k in PAIR}
        same = all(theirs[k] is None and mine[k] is None
                   or theirs[k] is not None and mine[k] is not None
                   and abs(theirs[k] - mine[k]) <= 1e-9 * max(1.0, abs(mine[k])) for k in PAIR)
        print(f"frt+rr     ours {pair:7.3f} s  pandas {seconds:7.3f} s  pandas/ours {seconds / pair:5.1f}x"
              f"  (goal >= 20x)  values {'agree' if same else f'DIFFER: ours {mine} pandas {theirs}'}",
              flush=True)
        missed += (seconds / pair < 20) + (not same)
    con.close()
    print(f"load after {os.getloadavg()[0]:.2f}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
