"""Records from memory: how DuckDB is best given bytes that are not in a file.

`pipeline.stage` takes `Records` (bytes, e.g. the follower's appended lines).
DuckDB reads a Python file object only through fsspec, which the project does
not depend on, so `stage` writes the bytes to a private temporary file for the
length of the call. This compares, for a chunk of the follower's largest batch
size and a small one, the time to write the bytes and scan them with the
project's CSV reader macro (`sc_csv`):

  file:    a temporary file, as `stage` does
  fsspec:  an fsspec in-memory file registered with DuckDB (only when fsspec is
           installed: `pip install fsspec` to compare)

and, for context, one whole `pipeline.stage` + `commit` of the same bytes.

    python benchmarks/bench_stage_bytes.py [--mib 32 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from socialcare_tui.ingest import pipeline, readers
from socialcare_tui.store import open_db

HEADER = b"event_id,conversation_id,at,channel,direction,text\n"
SCAN = "SELECT count(*) FROM sc_csv($path, 'none', 'utf-8')"


def chunk(mib: int) -> bytes:
    rows, n = [HEADER], 0
    size = len(HEADER)
    while size < mib << 20:
        row = f"e{n},c{n % 5000},2024-05-01T10:{n % 60:02d}:00Z,sms,in,message number {n} with words\n".encode()
        rows.append(row)
        size += len(row)
        n += 1
    return b"".join(rows)


def via_file(con: duckdb.DuckDBPyConnection, data: bytes) -> int:
    fd, name = tempfile.mkstemp(prefix="bench-stage-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        row = con.execute(SCAN, {"path": name}).fetchone()
    finally:
        os.unlink(name)
    return row[0] if row else 0


def via_fsspec(con: duckdb.DuckDBPyConnection, data: bytes) -> int:
    import fsspec

    fs = fsspec.filesystem("memory")
    if not con.filesystem_is_registered("memory"):
        con.register_filesystem(fs)
    with fs.open("/bench-stage.csv", "wb") as fh:
        fh.write(data)
    try:
        row = con.execute(SCAN, {"path": "memory://bench-stage.csv"}).fetchone()
    finally:
        fs.rm("/bench-stage.csv")
    return row[0] if row else 0


def best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, nargs="+", default=[32, 1])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import fsspec  # noqa: F401
        have_fsspec = True
    except ImportError:
        have_fsspec = False
    con = duckdb.connect()
    readers.install(con)
    print(f"load average {os.getloadavg()[0]:.1f}; best of {args.repeat}")
    for mib in args.mib:
        data = chunk(mib)
        line = f"{len(data) / 1e6:6.1f} MB  file {best(args.repeat, functools.partial(via_file, con, data)):.3f} s"
        if have_fsspec:
            line += f"  fsspec {best(args.repeat, functools.partial(via_fsspec, con, data)):.3f} s"
        else:
            line += "  fsspec: not installed"
        with tempfile.TemporaryDirectory() as folder:
            store = open_db(Path(folder) / "bench.duckdb")
            options = pipeline.ImportOptions(format="events")
            started = time.perf_counter()
            pipeline.commit(store, pipeline.stage(store, pipeline.Records(Path("feed.csv"), data), options))
            line += f"  (whole stage + commit {time.perf_counter() - started:.2f} s)"
            store.close()
        print(line, flush=True)


if __name__ == "__main__":
    main()
