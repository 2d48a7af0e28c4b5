"""Processes for the contention tests: one feeder that appends and imports, viewers that read.

Run as `python contention_helpers.py feeder DB LOG SECONDS ROTATE_EVERY` or
`python contention_helpers.py viewer DB SECONDS`. Each prints a JSON summary
on its last line and exits 0 only when no step raised. `run_feeder_and_viewers`
starts them and checks the outcome (used by test_contention and the soak test).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROW = '{{"event_id": "e{n}", "conversation_id": "c{conv}", "at": "2024-05-01T{h:02d}:{m:02d}:{s:02d}Z", "type": "message", "channel": "webchat", "direction": "{d}", "author": "a{conv}", "text": "message {n}"}}\n'


def event_line(n: int) -> str:
    """One canonical event (JSON Lines), unique by n, spread over 20 conversations."""
    seconds = n % 86400
    return ROW.format(
        n=n, conv=n % 20, h=seconds // 3600, m=seconds // 60 % 60, s=seconds % 60, d="in" if n % 2 else "out"
    )


def feeder(db: str, log: str, seconds: float, rotate_every: float) -> dict:
    """Append a few events every ~0.2 s (with a half line each time) and import them with the
    follower; every `rotate_every` seconds (0: never) the log is rotated like logrotate does."""
    from socialcare_tui.ingest.follow import Follower
    from socialcare_tui.ingest.pipeline import ImportOptions

    follower = Follower([log], db, ImportOptions(format="events"))
    path, written, waits, batches = Path(log), 0, [], 0
    end = time.monotonic() + seconds
    rotate_at = time.monotonic() + rotate_every if rotate_every else float("inf")
    follower.on_wait = waits.append
    while time.monotonic() < end:
        if time.monotonic() >= rotate_at:
            while follower.poll():  # the old file's tail first
                batches += 1
            path.rename(path.with_name(f"{path.name}.{int(rotate_at)}"))
            rotate_at += rotate_every
        with path.open("a", encoding="utf-8") as fh:
            for _ in range(5):
                fh.write(event_line(written))
                written += 1
            text = event_line(written)
            fh.write(text[:20])  # a half-written line: must wait for the rest
            fh.flush()
            batches += len(follower.poll())
            fh.write(text[20:])
            written += 1
        time.sleep(0.2)
    while follower.poll():  # import the tail
        batches += 1
    return {"written": written, "batches": batches, "waits": len(waits)}


def viewer(db: str, seconds: float) -> dict:
    """Refresh once a second as the app does (tui/data.py: the file attached read-only for
    the read, the stored facts aggregated) and note the inbound volume of all the data."""
    import warnings

    from socialcare_tui.config import Config
    from socialcare_tui.kpi.engine import Scope, StaleFacts
    from socialcare_tui.tui.data import DataSource

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
        counts.append(report["kpis"]["inbound_volume"]["value"])
        reads += 1
        time.sleep(1.0)
    return {"reads": reads, "counts": counts, "waits": len(waits), "longest_refresh_s": round(longest, 3),
            "stale": stale}


def run_feeder_and_viewers(db_path: Path, log: Path, seconds: float, rotate_every: float = 0,
                           viewers: int = 3) -> dict:
    """Feeder + viewers as separate processes; asserts none failed and every row is there once."""
    from socialcare_tui.store import open_db
    from socialcare_tui.store.access import database

    open_db(db_path).close()
    run = [sys.executable, __file__]
    procs = [subprocess.Popen(run + ["feeder", str(db_path), str(log), str(seconds), str(rotate_every)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    procs += [subprocess.Popen(run + ["viewer", str(db_path), str(seconds)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(viewers)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=seconds + 120)
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    fed, seen = results[0], results[1:]
    assert fed["written"] > 0 and fed["batches"] > 0
    for view in seen:
        assert view["reads"] >= seconds / 4  # one read a second, less the time spent waiting
        assert view["counts"] == sorted(view["counts"])  # a viewer never sees rows vanish
        assert view["stale"] == 0  # every read aggregated the stored facts
    with database(db_path, read_only=True) as con:
        total, distinct = con.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()
        stored = {r[0] for r in con.execute("SELECT event_id FROM events").fetchall()}
    # every appended row is in the database exactly once
    assert total == distinct == fed["written"]
    assert stored == {f"e{n}" for n in range(fed["written"])}
    return {"feeder": fed, "viewers": seen, "stored": total}


if __name__ == "__main__":
    role = sys.argv[1]
    if role == "feeder":
        result = feeder(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]))
    else:
        result = viewer(sys.argv[2], float(sys.argv[3]))
    print(json.dumps(result), flush=True)
