"""Generated damage over real-looking files (issue 16, item 2).

Each case takes a clean file (the sample generator's four formats, the ../shared
twcs excerpt), injects one kind of damage into one to three records at seeded
random places (inside DuckDB's sniffing sample and past it), imports it, and
compares with an oracle: the same clean file with the damaged records' lines
blanked (a blank line is no record, and keeps every other line number). The
damaged import must exit cleanly with rows_read = imported + duplicates +
rejected, reject exactly the damaged records as malformed at the lines
`grep -n` gives, and store every other record exactly as the oracle does
(values, conversations, lines), with the oracle's own rejects.
"""

from __future__ import annotations

import csv
import gzip
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
import zstandard
from conftest import SHARED_FIXTURES

from socialcare_tui import sample
from socialcare_tui.ingest import pipeline, records
from socialcare_tui.ingest.pipeline import ImportOptions
from socialcare_tui.store import open_db

KINDS = ("crs", "lone_cr", "mixed", "stray_quote", "too_many", "too_few", "nul", "overlong")


@dataclass
class Record:
    start: int  # first physical line (1-based)
    lines: list[str]  # physical lines with their LF


def split_records(data: str) -> tuple[str, list[Record]]:
    """(header line, records) of a clean CSV, with the physical lines of each record."""
    physical = data.splitlines(keepends=True)
    out: list[Record] = []
    reader_lines = iter(enumerate(physical, start=1))
    header = next(reader_lines)[1]
    pending: list[str] = []
    start = 0
    for number, text in reader_lines:
        if not pending:
            start = number
        pending.append(text)
        joined = "".join(pending)
        if joined.count('"') % 2 == 0:  # a clean file: quotes pair up inside each record
            out.append(Record(start, pending))
            pending = []
    assert not pending
    return header, out


def simple(record: Record) -> bool:
    """One physical line without quotes or CRs: every field is unquoted."""
    return len(record.lines) == 1 and '"' not in record.lines[0] and "\r" not in record.lines[0]


def body(record: Record) -> str:
    return record.lines[0].rstrip("\n")


def damage(kind: str, recs: list[Record], rng: random.Random, lo: int, delim: str = ",",
           pick: int | None = None) -> tuple[dict[int, list[str]], set[int], list[int]]:
    """Damage one to three records (or `pick`). Returns (new lines per record index, the
    damaged record indexes, the line numbers expected in `rejects`)."""
    candidates = [i for i in range(lo, len(recs) - 1) if simple(recs[i]) and simple(recs[i + 1])]
    picks = [pick] if pick is not None else sorted(rng.sample(candidates, min(len(candidates), rng.randint(1, 3))))
    # no two picks next to each other (lone_cr takes its neighbour)
    chosen: list[int] = []
    for i in picks:
        if not chosen or i > chosen[-1] + 2:
            chosen.append(i)
    changed: dict[int, list[str]] = {}
    damaged: set[int] = set()
    expected: list[int] = []
    for i in chosen:
        text = body(recs[i])
        pos = rng.randint(1, len(text) - 1)
        fields = text.split(delim)
        if kind == "crs":
            new = text[:pos] + "\r" * rng.randint(1, 5) + text[pos:] + "\n"
        elif kind == "nul":
            new = text[:pos] + "\x00" + text[pos:] + "\n"
        elif kind == "too_many":
            new = text + delim + "extra\n"
        elif kind == "too_few":
            new = delim.join(fields[:-1]) + "\n"
        elif kind == "stray_quote":
            k = rng.randrange(len(fields))
            fields[k] = '"' + fields[k]
            new = delim.join(fields) + "\n"
        elif kind == "overlong":
            k = rng.randrange(len(fields))
            fields[k] += "x" * (records.MAX_RECORD_BYTES + 10)
            new = delim.join(fields) + "\n"
        elif kind == "lone_cr":
            new = text + "\r" + recs[i + 1].lines[0]
            changed[i + 1] = []
            damaged.add(i + 1)
        else:
            raise AssertionError(kind)
        changed[i] = [new]
        damaged.add(i)
        # each lone CR before this record took one line away
        expected.append(recs[i].start - sum(1 for j in changed if j < i and changed[j] == []))
    return changed, damaged, expected


def render(header: str, recs: list[Record], changed: dict[int, list[str]], crlf: set[int] = frozenset()) -> str:
    parts = [header]
    for i, rec in enumerate(recs):
        lines = changed.get(i, rec.lines)
        if i in crlf and lines and lines[-1].endswith("\n"):
            lines = lines[:-1] + [lines[-1][:-1] + "\r\n"]
        parts.extend(lines)
    return "".join(parts)


def oracle(header: str, recs: list[Record], damaged: set[int], merged: set[int]) -> str:
    parts = [header]
    for i, rec in enumerate(recs):
        if i in merged:
            continue  # joined to the line before by a lone CR: its line is gone
        parts.extend(["\n"] * len(rec.lines) if i in damaged else rec.lines)
    return "".join(parts)


def stored(con) -> tuple[list, list]:
    events = con.execute(
        "SELECT * EXCLUDE (source_id) FROM events ORDER BY line, event_id").fetchall()
    rejects = con.execute("SELECT line, reason FROM rejects ORDER BY line, reason").fetchall()
    return events, rejects


def run_import(tmp: Path, name: str, text: str, fmt: str):
    path = tmp / name
    data = text.encode("utf-8")
    if name.endswith(".gz"):
        data = gzip.compress(data)
    elif name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    con = open_db(tmp / (name + ".duckdb"))
    try:
        summary = pipeline.import_file(con, path, ImportOptions(format=fmt))
        return summary, stored(con)
    finally:
        con.close()


def as_tsv(source: Path, out: Path) -> Path:
    with source.open(newline="", encoding="utf-8") as fh, out.open("w", newline="", encoding="utf-8") as dst:
        csv.writer(dst, delimiter="\t", lineterminator="\n").writerows(csv.reader(fh))
    return out


def check_case(tmp: Path, source: Path, fmt: str, kind: str, seed: int, lo: int = 0,
               suffix: str = ".csv", pick: int | None = None) -> None:
    rng = random.Random(seed)
    delim = "\t" if suffix.startswith(".tsv") else ","
    if delim == "\t":
        source = as_tsv(source, tmp / (source.stem + "-as.tsv"))
    header, recs = split_records(source.read_text(encoding="utf-8"))
    if kind == "mixed":
        crlf = {i for i in range(len(recs)) if rng.random() < 0.5}
        changed, damaged, expected, merged = {}, set(), [], set()
    else:
        crlf = set()
        changed, damaged, expected = damage(kind, recs, rng, lo, delim, pick)
        merged = {i for i in damaged if changed.get(i) == []}
    got, (events, rejects) = run_import(tmp, f"{kind}-{seed}{suffix}", render(header, recs, changed, crlf), fmt)
    want, (events0, rejects0) = run_import(tmp, f"{kind}-{seed}-oracle{suffix}",
                                          oracle(header, recs, damaged, merged), fmt)
    where = f"{source.name} {kind} seed={seed}"
    assert got.rows_read == got.imported + got.duplicates + got.rejected, where
    assert got.rows_read == want.rows_read + len(expected), where
    malformed = [line for line, reason in rejects if reason.startswith("malformed record")]
    assert malformed == expected, where
    assert [r for r in rejects if not r[1].startswith("malformed record")] == rejects0, where
    assert events == events0, where


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("samples")
    files = sample.generate(out, rows=800, seed=7, formats=("events", "twcs", "tickets", "surveys"))
    return {p.stem: p for p in files if p.suffix == ".csv"}


@pytest.fixture(scope="module")
def big_events(tmp_path_factory) -> Path:
    """Past DuckDB's 20,480-row sniffing sample."""
    out = tmp_path_factory.mktemp("big")
    return sample.generate(out, rows=24000, seed=3, formats=("events",))[0]


@pytest.mark.parametrize("fmt", ["events", "twcs", "tickets", "surveys"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "overlong"])
def test_damage_in_sample_files(tmp_path, samples, fmt, kind):
    for seed in range(2):
        check_case(tmp_path, samples[fmt], fmt, kind, seed=1000 * KINDS.index(kind) + seed)


@pytest.mark.parametrize("kind", ["crs", "lone_cr", "mixed", "stray_quote", "nul", "too_many"])
def test_damage_past_the_sniffing_sample(tmp_path, big_events, kind):
    check_case(tmp_path, big_events, "events", kind, seed=77 + KINDS.index(kind), lo=21000)


@pytest.mark.parametrize("fmt,suffix", [("events", ".tsv"), ("twcs", ".csv.gz"), ("tickets", ".tsv.zst"),
                                        ("surveys", ".csv.zst"), ("events", ".tsv.gz")])
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "overlong"])
def test_damage_in_tsv_and_compressed_files(tmp_path, samples, fmt, suffix, kind):
    check_case(tmp_path, samples[fmt], fmt, kind, seed=300 + KINDS.index(kind), suffix=suffix)


def test_overlong_field_is_a_rejected_record(tmp_path, samples):
    check_case(tmp_path, samples["events"], "events", "overlong", seed=5)


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "overlong"])
def test_damage_in_the_twcs_excerpt(tmp_path, kind):
    source = SHARED_FIXTURES / "twcs_excerpt.csv"
    if not source.exists():
        pytest.skip("../shared/fixtures is not beside this checkout")
    # the excerpt has CRLF line ends: the generator works on LF ones, written back as CRLF
    clean = tmp_path / "excerpt-lf.csv"
    clean.write_text(source.read_text(encoding="utf-8").replace("\r\n", "\n"), encoding="utf-8")
    for seed in range(3):
        check_case(tmp_path, clean, "twcs", kind, seed=500 + 10 * KINDS.index(kind) + seed)


@pytest.fixture(scope="module")
def events_34mb(tmp_path_factory) -> Path:
    return sample.generate(tmp_path_factory.mktemp("straddle"), rows=270000, seed=9, formats=("events",))[0]


@pytest.mark.parametrize("kind", ["too_many", "crs"])
def test_damage_straddling_duckdbs_read_buffer(tmp_path_factory, events_34mb, kind):
    """A damaged record across the 32 MiB boundary of DuckDB's CSV read buffers."""
    source = events_34mb
    data = source.read_text(encoding="utf-8")
    boundary = 32 << 20
    assert len(data.encode()) > boundary + (1 << 20)
    header, recs = split_records(data)
    offset = len(header.encode())
    for index, rec in enumerate(recs):
        size = sum(len(x.encode()) for x in rec.lines)
        if offset + size > boundary and simple(rec) and simple(recs[index + 1]):
            break
        offset += size
    check_case(tmp_path_factory.mktemp("straddle-case"), source, "events", kind, seed=index, lo=index,
               pick=index)
