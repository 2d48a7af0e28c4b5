"""Topic rules benchmark: a report with 0, the sample config's 5, and 100 topic rules.

Uses the database of bench_report.py (benchmarks/data/kpi-events-N.duckdb, built on
first use) and times engine.report, every KPI, no window. Goal: 100 rules add at most
50 % to the report (the rules compiled once per statement, not once per row).

    python benchmarks/bench_topic_rules.py --events 1000000 [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import DATA, best, database  # noqa: E402

from socialcare_tui.config import KpiConfig  # noqa: E402
from socialcare_tui.kpi import engine  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "socialcare_tui" / "sample" / "config.toml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database(args.events)), read_only=True)
    con.execute("SET enable_progress_bar = false")
    sample = tomllib.loads(SAMPLE.read_text())["topic_rules"]
    many = {**{f"extra{i}": rf"\b(word{i}|term{i}x)\b" for i in range(100 - len(sample))}, **sample}
    print(f"duckdb {duckdb.__version__}, load {os.getloadavg()[0]:.2f}", flush=True)
    base, _ = best(args.repeat, lambda: engine.report(con, engine.Scope(), KpiConfig()))
    five, _ = best(args.repeat, lambda: engine.report(con, engine.Scope(), KpiConfig(topic_rules=sample)))
    hundred, _ = best(args.repeat, lambda: engine.report(con, engine.Scope(), KpiConfig(topic_rules=many)))
    print(f"report, no rules      {base:7.3f} s", flush=True)
    print(f"report, {len(sample)} rules       {five:7.3f} s  ({five / base:.2f}x)", flush=True)
    print(f"report, {len(many)} rules     {hundred:7.3f} s  ({hundred / base:.2f}x; goal <= 1.5x)", flush=True)
    return 0 if hundred <= 1.5 * base else 1


if __name__ == "__main__":
    sys.exit(main())
