"""Processes for the contention tests: a live feed under load, as in production.

    python contention_helpers.py writer LOG SECONDS ROTATE_EVERY
    python contention_helpers.py feeder DB LOG
    python contention_helpers.py reader DB SECONDS
    python contention_helpers.py viewer DB SECONDS

The writer appends events to LOG (~25 a second, a half-written line each time) and
renames it away every ROTATE_EVERY seconds as logrotate does, knowing nothing of the
database; when done it creates LOG.done. The feeder follows LOG as `watch --interval 1`
does until LOG.done appears and then imports the tail. Readers run the `report` and
`queue` commands back to back; the viewer refreshes as the app does once a second. Each
prints a JSON summary on its last line and exits 0 only when no step failed.
`run_live_feed` starts them all and checks the outcome (test_contention and the soak).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROW = '{{"event_id": "e{n}", "conversation_id": "c{conv}", "at": "2024-05-01T{h:02d}:{m:02d}:{s:02d}Z", "type": "message", "channel": "webchat", "direction": "{d}", "author": "a{conv}", "text": "message {n}"}}\n'


def event_line(n: int) -> str:
    """One canonical event (JSON Lines), unique by n, spread over 20 conversations."""
    seconds = n % 86400
    return ROW.format(
        n=n, conv=n % 20, h=seconds // 3600, m=seconds // 60 % 60, s=seconds % 60, d="in" if n % 2 else "out"
    )


def writer(log: str, seconds: float, rotate_every: float) -> dict:
    """Append 5 events every 0.2 s, the 6th half-written and finished 0.1 s later;
    rename the log away every `rotate_every` seconds (0: never)."""
    path, written, rotations = Path(log), 0, 0
    end = time.monotonic() + seconds
    rotate_at = time.monotonic() + rotate_every if rotate_every else float("inf")
    while time.monotonic() < end:
        if time.monotonic() >= rotate_at:
            rotations += 1
            path.rename(path.with_name(f"{path.name}.{rotations}"))
            rotate_at += rotate_every
        with path.open("a", encoding="utf-8") as fh:
            for _ in range(5):
                fh.write(event_line(written))
                written += 1
            text = event_line(written)
            fh.write(text[:20])  # a half-written line: must wait for the rest
            fh.flush()
            time.sleep(0.1)
            fh.write(text[20:])
            written += 1
        time.sleep(0.1)
    Path(log + ".done").write_text(str(written))
    return {"written": written, "rotations": rotations}


def feeder(db: str, log: str) -> dict:
    """Follow the log (watch --interval 1) and note how long each batch waited for the database."""
    from socialcare_tui.ingest import follow
    from socialcare_tui.ingest.pipeline import ImportOptions

    waits: list[float] = []
    real = follow.database

    @contextmanager
    def timed(*args, **kwargs):
        asked = time.monotonic()
        with real(*args, **kwargs) as con:
            waits.append(time.monotonic() - asked)
            yield con

    follow.database = timed
    batches: list = []
    follower = follow.Follower([log], db, ImportOptions(format="events"), on_batch=batches.append)
    stop, done = threading.Event(), Path(log + ".done")

    def stop_when_done() -> None:
        while not done.exists():
            time.sleep(0.2)
        stop.set()

    threading.Thread(target=stop_when_done, daemon=True).start()
    follower.run(stop, interval=1.0)
    while follower.poll():  # the tail written after the last change seen
        pass
    return {"batches": len(batches), "opens": len(waits), "longest_wait_s": round(max(waits, default=0), 3),
            "rotated": sum(1 for b in batches if b.restarted == "rotated"),
            "errors": [b.error for b in batches if b.error]}


def reader(db: str, seconds: float) -> dict:
    """`report` and `queue`, back to back, as separate CLI processes."""
    runs, failures = 0, []
    end = time.monotonic() + seconds
    commands = (["report", "--format", "json"], ["queue", "--format", "json"])
    while time.monotonic() < end:
        command = commands[runs % 2]
        out = subprocess.run([sys.executable, "-m", "socialcare_tui", *command, "--db", db],
                             capture_output=True, text=True, timeout=300)
        runs += 1
        if out.returncode != 0:
            failures.append(f"{command[0]}: exit {out.returncode}: {out.stderr.strip()[-300:]}")
    return {"runs": runs, "failures": failures}


def viewer(db: str, seconds: float) -> dict:
    """Refresh once a second as the app does (tui/data.py: the file attached read-only for
    the read, the stored facts aggregated) and note the inbound volume of all the data."""
    import warnings

    from socialcare_tui.config import Config
    from socialcare_tui.kpi.engine import Scope, StaleFacts
    from socialcare_tui.store import access
    from socialcare_tui.tui.data import DataSource

    holds: list[float] = []
    real = access.attached

    @contextmanager
    def timed(*args, **kwargs):  # how long a refresh keeps the file: what a writer may wait for
        with real(*args, **kwargs) as con:
            got = time.monotonic()
            try:
                yield con
            finally:
                holds.append(time.monotonic() - got)

    access.attached = timed
    source = DataSource(None, Config(), db_path=db, read_only=True)
    reads, counts, waits, longest = 0, [], [], 0.0
    source.on_wait = waits.append
    end = time.monotonic() + seconds
    stale = 0
    while time.monotonic() < end:
        asked = time.monotonic()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StaleFacts)
            report = source.report(Scope())
        stale += sum(issubclass(w.category, StaleFacts) for w in caught)
        longest = max(longest, time.monotonic() - asked)  # the whole refresh, waits included
        counts.append(report.kpis["inbound_volume"].value)
        reads += 1
        time.sleep(1.0)
    return {"reads": reads, "counts": counts, "waits": len(waits), "longest_refresh_s": round(longest, 3),
            "longest_hold_s": round(max(holds, default=0), 3), "stale": stale}


def run_live_feed(db_path: Path, log: Path, seconds: float, rotate_every: float, readers: int = 3,
                  viewers: int = 1) -> dict:
    """Writer + feeder + CLI readers + viewers as separate processes; asserts none failed and
    every appended row is in the database exactly once."""
    from socialcare_tui.store import open_db
    from socialcare_tui.store.access import database

    open_db(db_path).close()
    log.touch()
    run = [sys.executable, __file__]

    def start(*args) -> subprocess.Popen:
        return subprocess.Popen(run + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    procs = [start("writer", log, seconds, rotate_every), start("feeder", db_path, log)]
    procs += [start("reader", db_path, seconds) for _ in range(readers)]
    procs += [start("viewer", db_path, seconds) for _ in range(viewers)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=seconds + 300)
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    wrote, fed = results[0], results[1]
    read, seen = results[2:2 + readers], results[2 + readers:]
    with database(db_path, read_only=True) as con:
        total, distinct = con.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()
        stored = {r[0] for r in con.execute("SELECT event_id FROM events").fetchall()}
    outcome = {"writer": wrote, "feeder": fed, "readers": read, "viewers": seen, "stored": total}
    print("\n" + summary(outcome, seconds), flush=True)  # the figures, even when a check below fails
    assert wrote["written"] > 0 and fed["batches"] > 0
    assert fed["errors"] == []
    assert fed["rotated"] == wrote["rotations"], (fed, wrote)  # every rotation noticed
    for one in read:
        assert one["failures"] == [] and one["runs"] > 0, one
    for view in seen:
        # a refresh a second at best; on a loaded machine a refresh of the growing data
        # (after waiting for the feeder's batches) takes longer, so only "it kept reading"
        assert view["reads"] >= seconds / 30, view
        assert view["counts"] == sorted(view["counts"])  # a viewer never sees rows vanish
        assert view["stale"] == 0  # every read aggregated the stored facts
    # every appended row is in the database exactly once
    assert total == distinct == wrote["written"], (total, distinct, wrote, fed)
    assert stored == {f"e{n}" for n in range(wrote["written"])}
    return outcome


def summary(outcome: dict, seconds: float) -> str:
    """The figures benchmarks/RESULTS.md records."""
    fed, views = outcome["feeder"], outcome["viewers"]
    return (
        f"live feed {seconds:.0f}s: rows appended {outcome['writer']['written']}, rows present {outcome['stored']}, "
        f"rotations {outcome['writer']['rotations']}, feeder opens {fed['opens']}, "
        f"feeder longest wait {fed['longest_wait_s']} s, CLI reader runs {sum(r['runs'] for r in outcome['readers'])}, "
        f"CLI reader failures {sum(len(r['failures']) for r in outcome['readers'])}, "
        f"viewer reads {sum(v['reads'] for v in views)}, "
        f"longest viewer refresh {max((v['longest_refresh_s'] for v in views), default=0)} s, "
        f"longest viewer hold {max((v['longest_hold_s'] for v in views), default=0)} s"
    )


if __name__ == "__main__":
    role, rest = sys.argv[1], sys.argv[2:]
    if role == "writer":
        result = writer(rest[0], float(rest[1]), float(rest[2]))
    elif role == "feeder":
        result = feeder(rest[0], rest[1])
    elif role == "reader":
        result = reader(rest[0], float(rest[1]))
    else:
        result = viewer(rest[0], float(rest[1]))
    print(json.dumps(result), flush=True)
