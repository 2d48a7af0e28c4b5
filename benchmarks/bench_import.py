"""Import benchmark: our importer against a bare DuckDB load of the same file.

Generates (once, into benchmarks/data/, which git ignores) a 1M-event CSV and a
3M-tweet twcs CSV with the sample generator, then for each file times, in the
same run and on fresh database files:

  bare:  CREATE TABLE t AS SELECT * FROM read_csv(file)
  ours:  socialcare_tui.ingest.pipeline.import_paths (hash, parse, validate,
         reply trees for twcs, anti-join, ledger)

and prints ours / bare. Goals: events <= 1.5x, twcs (with reply trees) <= 3x.

    python benchmarks/bench_import.py [--events-rows N] [--twcs-rows N] [--repeat R] [--regenerate]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from socialcare_tui.ingest.pipeline import ImportOptions, import_paths
from socialcare_tui.sample import generate
from socialcare_tui.store import open_db

DATA = Path(__file__).resolve().parent / "data"
GOALS = {"events": 1.5, "twcs": 3.0}
FILENAMES = {"events": "events.csv", "twcs": "twcs.csv"}


def data_file(name: str, rows: int, regenerate: bool) -> Path:
    """The generated file for `name` with `rows` rows, written once and reused."""
    folder = DATA / f"{name}-{rows}"
    path = folder / FILENAMES[name]
    if regenerate or not path.exists():
        started = time.perf_counter()
        generate(folder, rows=rows, seed=1, formats=(name,))
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def time_bare(path: Path, workdir: Path) -> tuple[float, int]:
    db = workdir / "bare.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        started = time.perf_counter()
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv($path)", {"path": str(path)})
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
        return seconds, con.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        con.close()


def time_ours(path: Path, name: str, workdir: Path) -> tuple[float, int, int]:
    db = workdir / "ours.duckdb"
    db.unlink(missing_ok=True)
    con = open_db(db)
    try:
        started = time.perf_counter()
        (summary,) = import_paths(con, [path], ImportOptions(format=name))
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
        return seconds, summary.imported, summary.rejected
    finally:
        con.close()


def run(name: str, path: Path, repeat: int) -> float:
    with tempfile.TemporaryDirectory(prefix="sc-bench-", dir=DATA) as tmp:
        work = Path(tmp)
        bare = min(time_bare(path, work)[0] for _ in range(repeat))
        ours_runs = [time_ours(path, name, work) for _ in range(repeat)]
    ours = min(r[0] for r in ours_runs)
    _, imported, rejected = ours_runs[0]
    ratio = ours / bare
    verdict = "ok" if ratio <= GOALS[name] else "OVER GOAL"
    print(f"{name:7} {path.stat().st_size / 1e6:7.0f} MB  rows imported {imported:>10,}  rejected {rejected:>6,}"
          f"  bare {bare:6.2f} s  ours {ours:6.2f} s  ratio {ratio:4.2f}x  (goal <= {GOALS[name]}x: {verdict})",
          flush=True)
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events-rows", type=int, default=1_000_000)
    parser.add_argument("--twcs-rows", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per timing; the best is kept")
    parser.add_argument("--regenerate", action="store_true", help="write the data files again")
    parser.add_argument("--only", choices=sorted(GOALS), help="benchmark one format")
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"duckdb {duckdb.__version__}, python {sys.version.split()[0]}", flush=True)
    sizes = {"events": args.events_rows, "twcs": args.twcs_rows}
    over = 0
    for name in GOALS:
        if args.only and name != args.only:
            continue
        ratio = run(name, data_file(name, sizes[name], args.regenerate), max(1, args.repeat))
        over += ratio > GOALS[name]
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
