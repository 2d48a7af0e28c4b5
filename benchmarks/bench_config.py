"""Startup cost of the config's typed sections: stdlib dataclasses vs msgspec vs pydantic.

Each variant runs in a fresh interpreter (as the CLI does): import the library, define
five section classes shaped like `socialcare_tui/config.py`'s, read the sample
config.toml with tomllib and build the sections from it. The figure is the median
wall time of the process minus that of `python -c pass`, and the library's own
cumulative import time from `python -X importtime`.

    .venv/bin/python benchmarks/bench_config.py --runs 15

msgspec and pydantic are not dependencies of the project; install them into the venv
to measure them (a variant whose library is missing is skipped).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "socialcare_tui" / "sample" / "config.toml"

PARSE = f"""
import tomllib
data = tomllib.loads(open({str(SAMPLE)!r}, encoding="utf-8").read())
flat = {{"timezone": data["timezone"], "fcr_repeat_window": 604800.0, "sla": {{"first_response": 3600.0}},
        "topic_rules": data["topic_rules"], "cost_per_conversation": {{k: float(v) for k, v in
        data["cost_per_conversation"].items()}}}}
"""

FIELDS = """
    timezone: str = "UTC"
    fcr_repeat_window: float = 604800.0
    sla: dict[str, float] = {factory}
    topic_rules: dict[str, str] = {factory}
    cost_per_conversation: dict[str, float] = {factory}
"""

VARIANTS = {
    "dataclass": ("dataclasses", "from dataclasses import dataclass, field\n"
                  + "".join(f"@dataclass(frozen=True)\nclass S{i}:"
                            + FIELDS.format(factory="field(default_factory=dict)") for i in range(5))
                  + PARSE + "sections = [S(**flat) for S in (S0, S1, S2, S3, S4)]\n"),
    "msgspec": ("msgspec", "import msgspec\n"
                + "".join(f"class S{i}(msgspec.Struct, frozen=True):" + FIELDS.format(factory="{}")
                          for i in range(5))
                + PARSE + "sections = [msgspec.convert(flat, S) for S in (S0, S1, S2, S3, S4)]\n"),
    "pydantic": ("pydantic", "import pydantic\n"
                 + "".join(f"class S{i}(pydantic.BaseModel, frozen=True):" + FIELDS.format(factory="{}")
                           for i in range(5))
                 + PARSE + "sections = [S.model_validate(flat) for S in (S0, S1, S2, S3, S4)]\n"),
}


def wall(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_ms(module: str) -> float:
    """The module's cumulative import time (µs column of -X importtime), in ms."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                         capture_output=True, text=True, check=True).stderr
    for line in out.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1000
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    base = wall("pass", args.runs)
    print(f"python -c pass: {base * 1000:.1f} ms (median of {args.runs})")
    print("| variant | library import (-X importtime) | import + define 5 sections + parse, over bare python |")
    print("|---|---|---|")
    for name, (module, code) in VARIANTS.items():
        try:
            __import__(module)
        except ImportError:
            print(f"| {name} | not installed | |")
            continue
        extra = wall(code, args.runs) - base
        print(f"| {name} | {import_ms(module):.1f} ms | {extra * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
