"""Stored-facts benchmark (issue 13, item 6): whole processes against baselines of the same run.

For each --events N (the sample generator's events CSV, written once into
benchmarks/data/, which git ignores) it measures, each as a whole child process
(wall time from spawn to exit, peak RSS from the child's own rusage):

  import   `socialcare-tui import --format events` of the CSV into a new database
           (fact upkeep included; the child times store.facts.update and every
           named SQL statement, so the output says where the time goes) vs DuckDB's
           bare `CREATE TABLE t AS SELECT * FROM read_csv(...)` + CHECKPOINT
           (goal <= 2x). The database is kept as benchmarks/data/kpi-events-N.duckdb
           (bench_report.py and bench_app.py use the same file); when it exists the
           import is not timed again unless --reimport.
  report   `socialcare-tui report --db DB --format json` (every KPI) vs one grouped
           scan `SELECT conv_key, count(*), min(ts), max(ts) FROM events GROUP BY 1`
           in a `python` child on the file opened read-only (goal <= 5x at 10M), and
           the same report in-process with the time of the layer and of each KPI
           statement (what bounds it); peak RSS of the report (goal < 1 GiB)
  pair     `report --kpi first_response_time,reply_rate --format json` vs
           `benchmarks/pandas_baseline.py CSV` (goal: ours >= 20x faster; values equal)
  app      `open --read-only` (headless, bench_app.py's launch) from spawn to the first
           painted numbers vs a trivial Textual app's first frame (goal <= 5x), then in
           the same app a window change (`w`) and a channel filter (goal: no slower)
  viewer   a real `socialcare-tui open --read-only` in tmux (200x60) until
           --viewer-seconds (30) after the header first says "refreshed": RSS of its
           process tree sampled from /proc every 0.2 s (goal < 1 GiB)
  append   on a copy of the database, three rounds of one `import` of 100 events
           (15 recently active conversations and 10 new ones, 4 events each, just
           after the newest event) vs the grouped scan (goal <= 2x)

    python benchmarks/bench_facts.py --events 1000000 [--events 10000000] [--only report,pair]

The exit code is 1 when a goal is missed. Run it on an otherwise idle machine if
you can; it prints the load before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PY = sys.executable
# the console script, as a user runs it (`python -m` would import a socialcare_tui in the cwd first)
CLI = [str(Path(PY).parent / "socialcare-tui")]
GIB = 1 << 30
PAIR = "first_response_time,reply_rate"
SCAN = "SELECT conv_key, count(*), min(ts), max(ts) FROM events GROUP BY 1"
VIEWER_CAP = 900.0  # seconds: give up waiting for the first numbers
ITEMS = ("import", "report", "pair", "app", "viewer", "append")

SCAN_CHILD = f"""
import duckdb, json, sys, time
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
rows = con.execute({SCAN!r}).fetchall()
print(json.dumps({{"query": time.perf_counter() - started, "groups": len(rows)}}))
"""

BARE_CHILD = """
import duckdb, json, sys, time
con = duckdb.connect(sys.argv[1])
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
con.execute("CREATE TABLE t AS SELECT * FROM read_csv($path)", {"path": sys.argv[2]})
con.execute("CHECKPOINT")
print(json.dumps({"query": time.perf_counter() - started,
                  "rows": con.execute("SELECT count(*) FROM t").fetchone()[0]}))
"""


# --- child processes ----------------------------------------------------------------------

def child(cmd: list[str], timeout: float = 3600) -> dict:
    """Run `cmd` to its end: wall seconds, peak RSS (bytes, the child's own
    rusage), exit code, stdout and stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=DATA)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall": wall, "rss": usage.ru_maxrss * 1024, "cpu": usage.ru_utime + usage.ru_stime,
                "rc": proc.returncode, "out": out.read().decode(), "err": err.read().decode()}


def checked(cmd: list[str], what: str, timeout: float = 3600) -> dict:
    got = child(cmd, timeout)
    if got["rc"] != 0:
        raise SystemExit(f"{what} failed (exit {got['rc']}): {got['err'][-2000:]}")
    return got


def last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def statement_names() -> dict[str, str]:
    """Every named statement of the package's .sql files, by its text as sqlfiles.run sees it."""
    import socialcare_tui
    from socialcare_tui import sqlfiles

    names = {}
    root = Path(socialcare_tui.__file__).parent
    for path in root.rglob("*.sql"):
        package = ".".join(("socialcare_tui",) + path.parent.relative_to(root).parts)
        try:
            named = sqlfiles.named(package, path.name)
        except Exception:  # noqa: BLE001 - a folder that is not a package, or a file without names
            continue
        for name, text in named.items():
            names[text.strip().rstrip(";")] = f"{path.name}:{name}"
    return names


class StatementClock:
    """Wraps sqlfiles.run (in this process): seconds per named statement."""

    def __init__(self) -> None:
        from socialcare_tui import sqlfiles

        self.names = statement_names()
        self.seconds: dict[str, float] = {}
        self.original = sqlfiles.run
        clock = self

        def run(cur, sql, params=None):
            started = time.perf_counter()
            try:
                return clock.original(cur, sql, params)
            finally:
                text = sql.strip().rstrip(";")
                key = clock.names.get(text) or (
                    "engine: KPI rows into kpi_base" if text.startswith("CREATE OR REPLACE TEMP TABLE kpi_base")
                    else "unnamed SQL")
                clock.seconds[key] = clock.seconds.get(key, 0.0) + time.perf_counter() - started

        sqlfiles.run = run
        # modules that bound the function at import time
        import socialcare_tui.kpi.engine as engine
        engine._run = run

    def top(self, n: int = 8) -> list[tuple[str, float]]:
        return sorted(self.seconds.items(), key=lambda kv: -kv[1])[:n]


def child_import(db: str, paths: list[str]) -> int:
    """`socialcare-tui import` in this process, with facts.update and named statements timed."""
    clock = StatementClock()
    from socialcare_tui import cli
    from socialcare_tui.store import facts

    spent = {"facts": 0.0, "facts_calls": 0}
    original = facts.update

    def update(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent["facts"] += time.perf_counter() - started
            spent["facts_calls"] += 1

    facts.update = update
    from socialcare_tui.ingest import pipeline

    # the pipeline's pause points mark its phases: started (transaction open), facts
    # (rows moved into events), moved (facts kept), then COMMIT
    marks: list[tuple[str, float]] = []
    pause, move = pipeline._pause, pipeline._move

    def marked_pause(step: str) -> None:
        marks.append((step, time.perf_counter()))
        pause(step)

    def marked_move(*args, **kwargs):
        marks.append(("move", time.perf_counter()))
        return move(*args, **kwargs)

    pipeline._pause, pipeline._move = marked_pause, marked_move
    started = time.perf_counter()
    rc = cli.main(["import", "--db", db, "--format", "events", "--json", *paths])
    spent["main"] = time.perf_counter() - started
    marks = [("main", started)] + marks + [("end", started + spent["main"])]
    spent["phases"] = {f"{a}->{b}": t1 - t0 for (a, t0), (b, t1) in zip(marks, marks[1:])}
    spent["statements"] = clock.top(12)
    print(json.dumps(spent), file=sys.stderr, flush=True)
    return rc


def profile(cur, sql: str, params: dict, top: int = 12) -> str:
    """DuckDB's profiler (PRAGMA enable_profiling = 'json') on one statement: its
    slowest operators, with the table each scan reads and the rows each one gives."""
    from socialcare_tui import sqlfiles

    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cur.execute("PRAGMA enable_profiling = 'json'")
        cur.execute(f"PRAGMA profiling_output = '{out.name}'")
        started = time.perf_counter()
        rows = len(sqlfiles.run(cur, sql.strip().rstrip(";"), params).fetchall())
        seconds = time.perf_counter() - started
        cur.execute("PRAGMA disable_profiling")
        tree = json.load(open(out.name))
    found = []

    def walk(node, depth):  # DuckDB 1.x: operator_timing / operator_name; 2.x: timing / name
        info = node.get("extra_info") or {}
        table = info.get("Table") or info.get("CTE Name") or ""
        found.append((node.get("timing", node.get("operator_timing", 0.0)), depth,
                      str(node.get("name", node.get("operator_name", "?"))).strip(), table,
                      node.get("intermediate_rows", node.get("operator_cardinality", 0))))
        for sub in node.get("children", []):
            walk(sub, depth + 1)

    for root in tree.get("operator", [tree]) if isinstance(tree.get("operator"), list) else [tree]:
        walk(root, 0)
    found.sort(key=lambda f: -f[0])
    lines = [f"{rows:,} rows in {seconds:.2f} s; slowest operators (seconds, depth, operator, table, rows out):"]
    lines += [f"  {t:7.3f}  {d:3d}  {name:22s} {table:40s} {n:>12,}" for t, d, name, table, n in found[:top]]
    return "\n".join(lines)


def child_kpis(db: str, kpi_ids: str | None, window_hours: float | None = None,
               explain: str | None = None, memory_limit: str | None = None) -> int:
    """engine.report's work, in this process: the layer, then each KPI statement, timed
    (for all the data, or the last `window_hours` up to the newest event). With
    `explain`, only DuckDB's EXPLAIN ANALYZE of that KPI's rows statement is printed."""
    clock = StatementClock()
    import duckdb

    from socialcare_tui.config import KpiConfig
    from socialcare_tui.kpi import engine, registry

    con = duckdb.connect(db, read_only=True)
    con.execute("SET enable_progress_bar = false")
    if memory_limit:  # what a cap on DuckDB's memory would cost in time
        con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    config = KpiConfig()
    chosen = registry.select(kpi_ids.split(",") if kpi_ids else None)
    started = time.perf_counter()
    from datetime import timedelta

    scope = engine.Scope(window=timedelta(hours=window_hours)) if window_hours else engine.Scope()
    with engine.layer(con, scope, config) as (cur, resolved):
        layer = time.perf_counter() - started
        layer_statements = clock.top(6)
        if explain:
            print(profile(cur, registry.get(explain).rows_sql, resolved.params))
            return 0
        per_kpi = {}
        for kpi in chosen:
            t0 = time.perf_counter()
            engine._compute(cur, kpi, resolved)
            per_kpi[kpi.id] = time.perf_counter() - t0
    rows = clock.seconds.get("engine: KPI rows into kpi_base", 0.0)
    aggs = sum(v for k, v in clock.seconds.items() if k.endswith(".agg"))
    print(json.dumps({"layer": layer, "layer_statements": layer_statements, "kpis": per_kpi,
                      "rows": rows, "aggs": aggs, "total": time.perf_counter() - started}))
    return 0


# --- data ---------------------------------------------------------------------------------

def csv_file(rows: int) -> Path:
    csv = DATA / f"events-{rows}" / "events.csv"
    if not csv.exists():
        from socialcare_tui.sample import generate

        started = time.perf_counter()
        generate(csv.parent, rows=rows, seed=1, formats=("events",))
        say(f"generated {csv} ({csv.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    return csv


def db_file(rows: int) -> Path:
    return DATA / f"kpi-events-{rows}.duckdb"


# --- output -------------------------------------------------------------------------------

def say(text: str) -> None:
    print(text, flush=True)


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def gib(n: float) -> str:
    return f"{n / GIB:.2f} GiB"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# --- items --------------------------------------------------------------------------------

def scan(db: Path) -> dict:
    got = checked([PY, "-c", SCAN_CHILD, str(db)], "grouped scan")
    got.update(last_json(got["out"]))
    return got


def bench_import(rows: int, csv: Path, db: Path, missed: list) -> None:
    with tempfile.TemporaryDirectory(prefix="sc-facts-", dir=DATA) as tmp:
        bare = checked([PY, "-c", BARE_CHILD, str(Path(tmp) / "bare.duckdb"), str(csv)], "bare read_csv")
    bare.update(last_json(bare["out"]))
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    ours = checked([PY, __file__, "--child-import", str(db), str(csv)], "import")
    summary = json.loads(ours["out"])["files"][0]
    phases = last_json(ours["err"])
    ratio = ours["wall"] / bare["wall"]
    rest = phases["main"] - phases["facts"]
    say(f"import   bare read_csv {bare['wall']:7.2f} s ({bare['rows']:,} rows, peak {gib(bare['rss'])}, "
        f"cpu {bare['cpu']:.1f} s) | "
        f"ours {ours['wall']:7.2f} s (peak {gib(ours['rss'])}, cpu {ours['cpu']:.1f} s) "
        f"ratio {ratio:5.2f}x (cpu {ours['cpu'] / bare['cpu']:.2f}x)  goal <= 2x: {verdict(ratio <= 2)}")
    say(f"         imported {summary['imported']:,} rejected {summary['rejected']:,}; "
        f"in the child: fact upkeep {phases['facts']:6.2f} s "
        f"({phases['facts'] / ours['wall']:.0%} of the process), the rest of the import {rest:6.2f} s "
        f"(rest / bare {rest / bare['wall']:.2f}x), startup and exit {ours['wall'] - phases['main']:.2f} s")
    say("         phases (pipeline pause points): " + ", ".join(
        f"{k} {v:.2f} s" for k, v in phases.get("phases", {}).items())
        + " (main->started: open and migrate; started->move: read, parse, validate into staging; "
        "move->facts: anti-join and insert into events; facts->moved: fact upkeep; moved->end: commit, close)")
    say("         slowest named statements: " + ", ".join(f"{n} {s:.2f} s" for n, s in phases["statements"]))
    if ratio > 2:
        missed.append(f"import {rows}")


def bench_report(rows: int, db: Path, missed: list) -> None:
    base = scan(db)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        ours = checked(CLI + ["report", "--db", str(db), "--format", "json", "--output", out.name], "report")
    ratio = ours["wall"] / base["wall"]
    say(f"report   grouped scan {base['wall']:6.2f} s (query {base['query']:.2f} s, {base['groups']:,} "
        f"conversations, peak {gib(base['rss'])}, cpu {base['cpu']:.1f} s) | report, every KPI "
        f"{ours['wall']:6.2f} s (cpu {ours['cpu']:.1f} s) ratio {ratio:5.2f}x (cpu "
        f"{ours['cpu'] / base['cpu']:.2f}x)  goal <= 5x: {verdict(ratio <= 5)}")
    say(f"         report peak RSS {gib(ours['rss'])}  goal < 1 GiB: {verdict(ours['rss'] < GIB)}")
    inside = checked([PY, __file__, "--child-kpis", str(db)], "per-KPI timing")
    got = last_json(inside["out"])
    slow = sorted(got["kpis"].items(), key=lambda kv: -kv[1])
    say(f"         in-process: layer (TEMP views) {got['layer']:.2f} s, {len(slow)} KPI statements "
        f"{sum(got['kpis'].values()):.2f} s, peak {gib(inside['rss'])}; slowest: "
        + ", ".join(f"{k} {s:.2f} s" for k, s in slow[:8]))
    say(f"         of the KPI statements: their rows into kpi_base {got['rows']:.2f} s, their "
        f"aggregates {got['aggs']:.2f} s; layer statements: "
        + ", ".join(f"{n} {s:.2f} s" for n, s in got["layer_statements"][:4]))
    if rows >= 10_000_000 and ratio > 5:
        missed.append(f"report {rows}")
    if ours["rss"] >= GIB:
        missed.append(f"report memory {rows}")


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def bench_pair(rows: int, csv: Path, db: Path, missed: list) -> None:
    ours = checked(CLI + ["report", "--db", str(db), "--kpi", PAIR, "--format", "json"], "frt+rr report")
    theirs = checked([PY, str(HERE / "pandas_baseline.py"), str(csv)], "pandas baseline")
    mine = {k: v["value"] for k, v in json.loads(ours["out"])["kpis"].items()}
    panda = last_json(theirs["out"])
    agree = all(same(mine[k], panda[k]) for k in PAIR.split(","))
    speed = theirs["wall"] / ours["wall"]
    say(f"pair     report --kpi {PAIR} {ours['wall']:6.2f} s (peak {gib(ours['rss'])}, cpu {ours['cpu']:.1f} s)"
        f" | pandas {theirs['wall']:6.2f} s (peak {gib(theirs['rss'])}, cpu {theirs['cpu']:.1f} s) pandas / "
        f"ours {speed:5.1f}x (cpu {theirs['cpu'] / ours['cpu']:.1f}x)  goal >= 20x: "
        f"{verdict(speed >= 20)}; values {'agree' if agree else f'DIFFER: ours {mine} pandas {panda}'}")
    if rows >= 10_000_000 and speed < 20 or not agree:
        missed.append(f"pair {rows}")


def bench_app(rows: int, db: Path, missed: list) -> None:
    sys.path.insert(0, str(HERE))
    import bench_app as app

    trivial = app.launch("trivial", str(db), "all")
    ours = app.launch("app", str(db), "all", switch=True)
    ratio = ours["painted"] / trivial["painted"]
    say(f"app      trivial Textual app first frame {trivial['painted']:.2f} s | open --read-only: loading "
        f"frame {ours['loading']:.2f} s, first painted numbers {ours['painted']:.2f} s "
        f"({ours['shown']}/{ours['panels']} panels with a value) ratio {ratio:5.1f}x  goal <= 5x: "
        f"{verdict(ratio <= 5)}")
    # "no slower than that": within the launch goal, 5x the trivial app's first frame
    slower = [name for name in ("window", "channel") if ours[f"{name}_change"] > 5 * trivial["painted"]]
    say(f"         channel filter (all -> {ours['channel_to']}) {ours['channel_change']:.2f} s, window change "
        f"(w: all -> {ours['window_to']}) {ours['window_change']:.2f} s; goal each <= 5x the trivial app "
        f"({5 * trivial['painted']:.2f} s): {verdict(not slower)}")
    if rows >= 10_000_000 and (ratio > 5 or slower):
        missed.append(f"app {rows}")


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def bench_viewer(rows: int, db: Path, seconds: float, missed: list) -> None:
    if shutil.which("tmux") is None:
        say("viewer   skipped: no tmux")
        return
    session = f"bench-facts-{os.getpid()}"
    # tmux runs the command in its server's environment: hand PYTHONPATH over explicitly
    env = [f"PYTHONPATH={os.environ['PYTHONPATH']}"] if os.environ.get("PYTHONPATH") else []
    cmd = shlex.join(["env", *env, *CLI, "open", "--read-only", "--db", str(db)])
    started = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "60", "-c", str(DATA), cmd], check=True
    )
    try:
        pane = int(subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], check=True,
                                  capture_output=True, text=True).stdout.split()[0])
        peak, painted, samples, screen = 0, None, 0, ""
        while True:
            now = time.perf_counter() - started
            if painted is not None and now - painted >= seconds or now > VIEWER_CAP:
                break
            peak = max(peak, _tree_rss(pane))
            samples += 1
            if painted is None and samples % 5 == 0:
                screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                                        text=True).stdout
                if "refreshed" in screen.splitlines()[0]:  # the header said "loading…" before
                    painted = time.perf_counter() - started
            time.sleep(0.2)
        end = _tree_rss(pane)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    shown = "not seen" if painted is None else f"{painted:.1f} s"
    say(f"viewer   open --read-only in tmux, up to {seconds:.0f} s after the first numbers on the screen "
        f"({shown}): peak RSS {gib(peak)}, at the end {gib(end)}  goal < 1 GiB: {verdict(peak < GIB)}")
    if peak >= GIB:
        missed.append(f"viewer memory {rows}")


def append_csv(con, path: Path, round_no: int) -> int:
    """100 events: 15 recently active conversations and 10 new ones, 4 events each,
    just after the newest event. Returns the row count."""
    from datetime import timedelta

    newest = con.execute("SELECT max(ts) FROM events").fetchone()[0]
    recent = con.execute(
        "SELECT conversation_id, any_value(channel), any_value(queue) FROM events "
        "WHERE namespace = 'events' AND ts >= $since AND conversation_id IS NOT NULL "
        "GROUP BY 1 ORDER BY max(ts) DESC, 1 LIMIT 15", {"since": newest - timedelta(days=1)}).fetchall()
    convs = recent + [(f"BENCH{round_no}-{i}", "twitter", "Social") for i in range(25 - len(recent))]
    lines = ["event_id,conversation_id,at,type,channel,queue,direction,author,automated,text"]
    for c, (conv, channel, queue) in enumerate(convs):
        for k in range(4):
            at = newest + timedelta(seconds=1 + c * 4 + k)
            inbound = k % 2 == 0
            lines.append(",".join([
                f"BENCH{round_no}-{c}-{k}", conv, at.strftime("%Y-%m-%dT%H:%M:%SZ"), "message",
                channel or "twitter", queue or "", "in" if inbound else "out",
                "customer" if inbound else "agent_bench", "false",
                "where is my order?" if inbound else "Let me check that for you."]))
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def bench_append(rows: int, db: Path, missed: list, rounds: int = 3) -> None:
    import duckdb

    copy = DATA / f"append-{rows}.duckdb"
    copy.unlink(missing_ok=True)
    started = time.perf_counter()
    shutil.copyfile(db, copy)
    say(f"append   copied the database ({db.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.1f} s")
    try:
        base = scan(copy)
        ratios = []
        for r in range(1, rounds + 1):
            small = DATA / f"append-{rows}-{r}.csv"
            con = duckdb.connect(str(copy), read_only=True)
            try:
                n = append_csv(con, small, r)
            finally:
                con.close()
            got = checked([PY, __file__, "--child-import", str(copy), str(small)], "append")
            summary, phases = json.loads(got["out"])["files"][0], last_json(got["err"])
            ratios.append(got["wall"] / base["wall"])
            say(f"         round {r}: {n} events ({summary['imported']} imported) in {got['wall']:.2f} s "
                f"(cpu {got['cpu']:.1f} s, fact upkeep {phases['facts']:.2f} s, peak {gib(got['rss'])}); "
                f"/ grouped scan {base['wall']:.2f} s (cpu {base['cpu']:.1f} s) = {ratios[-1]:.2f}x; slowest: "
                + ", ".join(f"{k} {s:.2f} s" for k, s in phases["statements"][:5]))
            small.unlink()
        median = statistics.median(ratios)
        say(f"         median append / grouped scan {median:.2f}x  goal <= 2x: {verdict(median <= 2)}")
        if rows >= 10_000_000 and median > 2:
            missed.append(f"append {rows}")
    finally:
        copy.unlink(missing_ok=True)
        Path(f"{copy}.wal").unlink(missing_ok=True)


# --- main ---------------------------------------------------------------------------------

def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                  if line.startswith("model name")), "?")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    import duckdb

    import socialcare_tui

    return (f"{os.cpu_count()} cpus ({model}), {gib(memory)} memory, duckdb {duckdb.__version__}, "
            f"python {sys.version.split()[0]}, code {Path(socialcare_tui.__file__).parent}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, action="append", help="events in the CSV (repeatable)")
    parser.add_argument("--only", help=f"comma-separated items among {','.join(ITEMS)}")
    parser.add_argument("--reimport", action="store_true", help="time the import even if the database exists")
    parser.add_argument("--viewer-seconds", type=float, default=30.0,
                        help="how long the viewer runs after its first numbers (RSS sampled meanwhile)")
    parser.add_argument("--child-import", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--child-kpis", metavar="DB",
                        help="time the layer and each KPI statement of a report on DB, in this process")
    parser.add_argument("--window-hours", type=float, help="with --child-kpis: the last H hours only")
    parser.add_argument("--explain", metavar="KPI",
                        help="with --child-kpis: DuckDB's profile of this KPI's rows statement")
    parser.add_argument("--memory-limit", help="with --child-kpis: SET memory_limit first, e.g. 512MB")
    args = parser.parse_args(argv)
    if args.child_import:
        return child_import(args.child_import[0], args.child_import[1:])
    if args.child_kpis:
        return child_kpis(args.child_kpis, None, args.window_hours, args.explain, args.memory_limit)
    items = set(args.only.split(",")) if args.only else set(ITEMS)
    unknown = items - set(ITEMS)
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}")
    DATA.mkdir(parents=True, exist_ok=True)
    say(machine())
    missed: list[str] = []
    for rows in args.events or [1_000_000]:
        csv, db = csv_file(rows), db_file(rows)
        say(f"== {rows:,} events ({csv}), {time.strftime('%H:%M:%S', time.gmtime())} UTC, load {load()}")
        if "import" in items and (args.reimport or not db.exists()):
            bench_import(rows, csv, db, missed)
        elif not db.exists():
            raise SystemExit(f"no database at {db}: run with --only import first")
        for name in ITEMS[1:]:
            if name not in items:
                continue
            if name == "report":
                bench_report(rows, db, missed)
            elif name == "pair":
                bench_pair(rows, csv, db, missed)
            elif name == "app":
                bench_app(rows, db, missed)
            elif name == "viewer":
                bench_viewer(rows, db, args.viewer_seconds, missed)
            elif name == "append":
                bench_append(rows, db, missed)
            say(f"         ({time.strftime('%H:%M:%S', time.gmtime())} UTC, load {load()})")
    say(f"goals missed (import at every size, memory at any size, the other speed goals at 10M events): "
        f"{', '.join(missed) if missed else 'none'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
