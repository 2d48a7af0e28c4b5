"""Follow files and folders: import what is appended to logs, or dropped into folders.

Only complete lines are imported (a half-written last line waits for its
newline; for CSV a newline inside quotes does not end a record). The byte
offset read so far is kept per followed file in its `sources` row
(`byte_offset`, with the sha256 of those bytes in `content_hash`), so a
restarted follower goes on where it stopped. A file that was truncated or
replaced (smaller size, or different first bytes) is read again from the start;
the (namespace, event_id) key makes that idempotent. The follower keeps the file
it reads open, as `tail -F` does: when the name comes to point at another file
(a rotation: new inode), the old one is first read to its end through that
handle, however long the follower had to wait for the database, and only then is
the new one read from the start. (A last line without its newline in the old
file is left: its writer has not finished it. At most MAX_OPEN handles are kept,
the least recently grown closed first; a rotation noticed without a handle reads
the new file from the start as before.)

Each batch of new records is handed to the pipeline as bytes (`pipeline.stage`
with `pipeline.Records`: the CSV header first) together with the followed file's
own ledger row (`pipeline.Ledger`: its path, the offset and sha256 after the
batch, the line number of the batch's first record), and committed with
`pipeline.commit`: the events, rejects and ledger row land in one transaction,
under the followed file's name and line numbers, so a kill never leaves a batch
half booked. A batch the pipeline refuses is split in halves until the bad
lines are found; those go to `rejects` and following goes on. Record framing
(complete lines, quotes, line ends) is `framing.py`'s.
Files that cannot be appended to (Parquet, JSON arrays, compressed) are
imported whole once their size has stopped changing.

The database is opened through `store.access.database` for each batch only, so
viewers can open it read-only in between.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import duckdb
import watchfiles

from socialcare_tui import sqlfiles
from socialcare_tui.errors import DatabaseUnavailable, UserError
from socialcare_tui.ingest import framing, pipeline
from socialcare_tui.store.access import DEFAULT_BACKOFF, Backoff, WaitCallback, database, is_conflict

if TYPE_CHECKING:
    from hashlib import _Hash as Hash

# what could make new records appear: the name's (dev, ino, size, mtime_ns), the kept handle's size
FileState = tuple[tuple[int, int, int, int] | None, int | None]
_SQL = ("socialcare_tui.ingest.sql", "follow.sql")
LINE_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
WHOLE_SUFFIXES = {".json", ".parquet", ".gz", ".zst"}
MAX_BATCH_BYTES = 32 * 1024 * 1024
MAX_OPEN = 256  # open handles kept (a folder of many files must not run out of descriptors)
_HEAD_BYTES = 4096
_RAW_LIMIT = 10_000  # characters of a rejected line kept in `rejects.raw`


@dataclass
class Batch:
    """What one import of new lines did; `watch` prints one line per batch."""

    path: Path
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    offset: int = 0
    restarted: str | None = None  # "rotated", "truncated", "replaced" when read again from 0
    error: str | None = None  # why a whole batch was rejected

    def describe(self) -> str:
        restarted = f"{self.restarted}, read again from the start; " if self.restarted else ""
        return (
            f"{self.path}: {restarted}{self.imported} imported, {self.duplicates} duplicates, "
            f"{self.rejected} rejected (read to byte {self.offset})"
        )


@dataclass
class _Tracked:
    """What the follower knows about one followed file."""

    path: Path
    kind: str  # "csv", "jsonl" or "whole"
    loaded: bool = False
    ledger: int | None = None
    offset: int = 0
    lines: int = 0  # lines in [0, offset) (header included): the line number base
    ident: tuple[int, int] | None = None
    head: bytes = b""
    header: bytes = b""
    digest: Hash = field(default_factory=hashlib.sha256)
    done: tuple[int, int] | None = None  # whole files: (size, mtime_ns) when last imported
    candidate: tuple[int, int] | None = None  # whole files: (size, mtime_ns) at the previous poll
    refused: tuple[int, int] | None = None  # (size, mtime_ns) of a new file the pipeline refused whole
    fh: BinaryIO | None = None  # the generation being read (kept across a rotation until drained)
    checked: tuple[FileState, int] | None = None  # (_file_state before the last catch-up, offset after it)
    used: float = 0.0  # when the handle last gave bytes (the least recently used is closed first)

    def restart(self) -> None:
        self.ledger, self.offset, self.lines, self.head, self.header = None, 0, 0, b"", b""
        self.digest = hashlib.sha256()
        self.close()

    def reader(self) -> BinaryIO:
        """The handle being read (Follower._open gave it)."""
        if self.fh is None:
            raise RuntimeError(f"{self.path}: read before it was opened")
        return self.fh

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


class _Refused(Exception):
    """The pipeline refuses a new file as a whole (unknown format, missing columns)."""


def kind_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in LINE_SUFFIXES:
        return LINE_SUFFIXES[suffix]
    if suffix in WHOLE_SUFFIXES:
        return "whole"
    return None


class Follower:
    """Follows files and folders and imports what is new; see the module doc.

    `poll()` does one pass and returns the batches imported; `run()` repeats it
    on every file-system change (watchfiles) and at least every `interval`
    seconds, until `stop` is set.
    """

    def __init__(
        self,
        paths: Iterable[str | os.PathLike],
        db: str | os.PathLike | None,
        options: pipeline.ImportOptions | None = None,
        *,
        on_batch: Callable[[Batch], None] | None = None,
        on_wait: WaitCallback | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        self.roots = [Path(p).expanduser().resolve() for p in paths]
        for root in self.roots:
            if not root.exists() and not root.parent.is_dir():
                raise UserError(f"{root}: no such file or folder to watch")
            if not root.is_dir() and kind_of(root) is None:
                raise UserError(
                    f"{root}: cannot follow this file type (use .csv, .tsv, .jsonl or .ndjson; "
                    ".json, .parquet, .gz and .zst files are imported whole)"
                )
        self.db = db
        self.options = options if options is not None else pipeline.ImportOptions()
        pipeline.check_options(self.options)  # a bad --timezone stops here, not at every batch
        known = pipeline.formats()
        if self.options.format and self.options.format not in known:
            raise UserError(f"--format {self.options.format}: unknown format (known: {', '.join(known)})")
        self.on_batch = on_batch
        self.on_wait = on_wait
        self.backoff = backoff
        self.tracked: dict[Path, _Tracked] = {}

    # -- the loop -------------------------------------------------------------

    def run(self, stop: threading.Event | None = None, interval: float = 1.0) -> None:
        stop = stop or threading.Event()
        self._poll_patiently()
        watched = sorted({str(r if r.is_dir() else r.parent) for r in self.roots})
        for _changes in watchfiles.watch(
            *watched,
            watch_filter=None,
            debounce=max(int(interval * 1000), 100),
            step=50,
            rust_timeout=max(int(interval * 1000), 50),
            yield_on_timeout=True,
            stop_event=stop,
            recursive=False,
            raise_interrupt=True,
        ):
            if stop.is_set():
                break
            self._poll_patiently()

    def _poll_patiently(self) -> None:
        """poll(), but a database busy for longer than the backoff allows is tried again later."""
        try:
            self.poll()
        except DatabaseUnavailable as err:
            if self.on_wait is None or not is_conflict(err):
                raise  # missing, foreign or too new: waiting will not help
            self.on_wait(f"waiting for database: {err}; trying again at the next change")

    def poll(self) -> list[Batch]:
        """Check every followed file once and import what is new."""
        pending = [t for t in self._discover() if self._has_news(t)]
        if not pending:
            return []
        batches: list[Batch] = []
        try:
            with database(self.db, backoff=self.backoff, on_wait=self.on_wait) as con:
                for tracked in pending:
                    try:
                        batches.extend(self._catch_up(con, tracked))
                    except BaseException:
                        tracked.loaded = False  # start again from what the ledger says
                        raise
        finally:
            for batch in batches:
                if self.on_batch is not None:
                    self.on_batch(batch)
        return batches

    # -- which files ----------------------------------------------------------

    def _discover(self) -> list[_Tracked]:
        found = []
        for root in self.roots:
            if root.is_dir():
                children = sorted(p for p in root.iterdir() if _is_candidate(p))
            else:
                gone = root in self.tracked and self.tracked[root].fh is not None
                children = [root] if root.exists() or gone else []
            for path in children:
                found.append(self.tracked.setdefault(path, _Tracked(path, kind_of(path) or "whole")))
        return found

    def _has_news(self, t: _Tracked) -> bool:
        try:
            st = t.path.stat()
        except OSError:
            st = None
        if t.kind == "whole":
            return st is not None and _stable_and_new(t, (st.st_size, st.st_mtime_ns))
        if st is None and t.fh is None:
            return False
        if not t.loaded:
            return True
        if t.refused is not None and st is not None:
            if t.refused == (st.st_size, st.st_mtime_ns):
                return False  # refused as it is: try again once it changes
            t.refused = None
        # a half-written last line does not open the database again until the file changes
        return (_file_state(t), t.offset) != t.checked

    # -- one file -------------------------------------------------------------

    def _catch_up(self, con: duckdb.DuckDBPyConnection, t: _Tracked) -> list[Batch]:
        if not t.loaded:
            self._load(con, t)
        if t.kind == "whole":
            return self._import_whole(con, t)
        batches: list[Batch] = []
        restarted = None
        # taken before reading: what is appended while we read differs from it, so the
        # next poll looks again (taken after, a line finished meanwhile was never read)
        before = _file_state(t)
        try:
            restarted = self._check_identity(t)
            if restarted == "rotated":
                batches += self._drain(con, t)  # the old generation to its end, through its handle
                t.restart()
            elif restarted == "gone":
                batches += self._drain(con, t)  # nothing under the name yet: keep the handle
                t.checked = (before, t.offset)
                return batches
            elif restarted:
                t.restart()
            if not self._open(t):
                return batches
            before = _file_state(t)  # with the handle now open, still before reading
            size_now = os.fstat(t.reader().fileno()).st_size  # stop there: a busy log must not keep viewers out
            while True:
                batch = self._next_batch(con, t, restarted)
                if batch is None:
                    break
                batches.append(batch)
                restarted = None
                if t.offset >= size_now:
                    break
        except _Refused as refusal:
            st = t.path.stat()
            t.restart()
            t.refused = (st.st_size, st.st_mtime_ns)
            return batches + [Batch(t.path, restarted=restarted, error=str(refusal))]
        t.checked = (before, t.offset)
        return batches

    def _drain(self, con: duckdb.DuckDBPyConnection, t: _Tracked) -> list[Batch]:
        """Import the complete records left in the generation t.fh holds."""
        batches: list[Batch] = []
        if t.fh is None:
            return batches
        while (batch := self._next_batch(con, t, None)) is not None:
            batches.append(batch)
        return batches

    def _open(self, t: _Tracked) -> bool:
        """Open the file under t's name if no handle is kept; False when there is none."""
        if t.fh is not None:
            return True
        try:
            fh = t.path.open("rb")
        except OSError:
            return False
        st = os.fstat(fh.fileno())
        if t.offset and (st.st_dev, st.st_ino) != t.ident:
            t.restart()  # rotated while no handle was kept: what the old file held after offset is out of reach
        t.fh, t.ident, t.used = fh, (st.st_dev, st.st_ino), time.monotonic()
        open_ = [o for o in self.tracked.values() if o.fh is not None and o is not t]
        for other in sorted(open_, key=lambda o: o.used)[: max(0, len(open_) + 1 - MAX_OPEN)]:
            other.close()
        return True

    def _load(self, con: duckdb.DuckDBPyConnection, t: _Tracked) -> None:
        """Resume from the ledger when the file still starts with the bytes read before."""
        t.loaded = True
        row = con.execute(_stmt("latest_ledger"), {"path": str(t.path)}).fetchone()
        if t.kind == "whole":
            if row and t.candidate is not None and row[3] == t.candidate[0]:
                t.done = t.candidate  # imported before, same size: nothing new
            return
        if not row or not row[1]:
            return
        ledger, offset, digest_hex = row[0], row[1], row[2]
        if not self._open(t):
            return
        digest, lines = _hash_prefix(t.reader(), offset)
        if digest is None or "sha256:" + digest.hexdigest() != digest_hex:
            return  # the file changed while we were away: read it again from the start
        t.ledger, t.offset, t.lines, t.digest = ledger, offset, lines, digest
        t.head = os.pread(t.reader().fileno(), min(offset, _HEAD_BYTES), 0)
        t.header = _read_header(t.reader()) if t.kind == "csv" else b""

    def _check_identity(self, t: _Tracked) -> str | None:
        """Why the file must be read again from the start ("rotated": the name is another
        file's now; "truncated", "replaced"), "gone" when the name points nowhere, or None."""
        if t.fh is None:
            return None  # opened (and checked against t.ident) by _open
        try:
            st = t.path.stat()
        except OSError:
            return "gone"
        if (st.st_dev, st.st_ino) != t.ident:
            return "rotated"
        if t.offset == 0:
            return None
        if os.fstat(t.fh.fileno()).st_size < t.offset:
            return "truncated"
        if os.pread(t.fh.fileno(), len(t.head), 0) != t.head:
            return "replaced"
        return None

    def _next_batch(self, con: duckdb.DuckDBPyConnection, t: _Tracked, restarted: str | None) -> Batch | None:
        data, cut = _read_from(t.reader(), t.offset, MAX_BATCH_BYTES, quoted=t.kind == "csv")
        if cut == 0:
            return Batch(t.path, offset=t.offset, restarted=restarted) if restarted else None
        t.used = time.monotonic()
        body = data[:cut]
        if t.offset == 0:
            t.head = body[:_HEAD_BYTES]
        batch = Batch(t.path, restarted=restarted)
        self._import_lines(con, t, body, batch)
        return batch

    def _import_lines(self, con: duckdb.DuckDBPyConnection, t: _Tracked, body: bytes, batch: Batch) -> None:
        """Import `body` (complete records read at t.offset); the offset moves as they land."""
        records = framing.split(body, quoted=t.kind == "csv")
        first_line = t.lines + 1  # the followed file's line number of records[0]
        if t.kind == "csv" and t.offset == 0:
            t.header = records[0]
            _advance(t, records[:1])
            records, first_line = records[1:], t.lines + 1
        self._import_records(con, t, records, first_line, batch)
        batch.offset = t.offset

    def _import_records(self, con: duckdb.DuckDBPyConnection, t: _Tracked, records: list[bytes], first_line: int,
                        batch: Batch) -> None:
        """Import records in order; a batch the pipeline refuses is split until the bad
        lines are found. The ledger's offset only ever covers records already dealt with."""
        reason = self._attempt(con, t, records, first_line, batch)
        if reason is None:
            return
        if len(records) == 1:
            self._reject(con, t, first_line, records, reason, batch)
            return
        first = self._attempt(con, t, records[:1], first_line, batch)
        if first == reason and "line" not in reason:
            # the same refusal for one record as for all: it is about the batch's columns
            # (a CSV header, JSON keys). A new file is refused whole, as `import` would;
            # an append to a file already followed is rejected record by record.
            if t.ledger is None:
                raise _Refused(reason)
            self._reject(con, t, first_line, records, reason, batch)
            return
        if first is not None:
            self._reject(con, t, first_line, records[:1], first, batch)
        rest = records[1:]
        half = (len(rest) + 1) // 2
        line = first_line + framing.lines_in(records[:1])  # a quoted value may span lines
        self._import_records(con, t, rest[:half], line, batch)
        if rest[half:]:
            self._import_records(con, t, rest[half:], line + framing.lines_in(rest[:half]), batch)

    def _attempt(self, con: duckdb.DuckDBPyConnection, t: _Tracked, records: list[bytes],
                 first_line: int, batch: Batch) -> str | None:
        """Import the records and move the offset past them; or the reason the pipeline refused."""
        if not any(r.strip() for r in records):
            _advance(t, records)  # blank lines: nothing to import
            self._save_offset(con, t)
            return None
        if t.kind == "csv":
            data = framing.to_lf(t.header) + b"".join(framing.to_lf(r) for r in records)
        else:
            data = b"".join(records)
        state = self._ledger_state(t, records)
        ledger = pipeline.Ledger(path=str(t.path), size=state["size"], mtime=state["mtime"],
                                 content_hash=state["hash"], byte_offset=state["offset"],
                                 first_line=first_line, source_id=t.ledger)
        try:
            staged = pipeline.stage(con, pipeline.Records(t.path, data), self.options, ledger)
            summary = pipeline.commit(con, staged)
        except DatabaseUnavailable:
            raise
        except (UserError, duckdb.Error) as err:
            return _one_line(err)
        # only now that the batch and its ledger row are committed does the follower move on
        _advance(t, records)
        t.ledger = summary.source_id
        for name in ("rows_read", "imported", "duplicates", "rejected"):
            setattr(batch, name, getattr(batch, name) + getattr(summary, name))
        return None

    # -- the ledger -----------------------------------------------------------

    def _reject(self, con: duckdb.DuckDBPyConnection, t: _Tracked, line: int, records: list[bytes], reason: str,
                batch: Batch) -> None:
        """Records the pipeline refused on their own: kept in `rejects`, counted in the ledger."""
        _advance(t, records)
        kept, at = [], line
        for record in records:
            if record.strip():
                kept.append((at, record))
            at += framing.lines_in([record])
        self._ensure_ledger(con, t)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(_stmt("insert_rejects"), {
                "ledger": t.ledger, "path": str(t.path), "reason": reason,
                "lines": [n for n, _ in kept],
                "raws": [r.decode("utf-8", errors="replace").rstrip("\r\n")[:_RAW_LIMIT] for _, r in kept],
            })
            con.execute(_stmt("count_rejects"), {**self._ledger_state(t), "ledger": t.ledger, "n": len(kept)})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        batch.rows_read += len(kept)
        batch.rejected += len(kept)
        batch.error = reason

    def _save_offset(self, con: duckdb.DuckDBPyConnection, t: _Tracked) -> None:
        self._ensure_ledger(con, t)
        con.execute(_stmt("count_rejects"), {**self._ledger_state(t), "ledger": t.ledger, "n": 0})

    def _ensure_ledger(self, con: duckdb.DuckDBPyConnection, t: _Tracked) -> None:
        if t.ledger is not None:
            return
        params = {
            **self._ledger_state(t),
            "path": str(t.path),
            "format": self.options.format or "auto",
            "namespace": self.options.namespace or self.options.format or "events",
        }
        t.ledger = pipeline.scalar(con.execute(_stmt("new_ledger_row"), params))

    def _ledger_state(self, t: _Tracked, pending: Sequence[bytes] = ()) -> dict[str, Any]:
        """The ledger columns for what is read so far, plus `pending` records about to land."""
        st = os.fstat(t.fh.fileno()) if t.fh is not None else t.path.stat()
        digest = t.digest.copy()
        for record in pending:
            digest.update(record)
        return {
            "size": st.st_size,
            "mtime": datetime.fromtimestamp(st.st_mtime, UTC).replace(tzinfo=None),
            "hash": "sha256:" + digest.hexdigest(),
            "offset": t.offset + sum(len(r) for r in pending),
        }

    # -- files that are imported whole ----------------------------------------

    def _import_whole(self, con: duckdb.DuckDBPyConnection, t: _Tracked) -> list[Batch]:
        if t.candidate is None or t.done == t.candidate:
            return []
        t.done = t.candidate
        batch = Batch(t.path, offset=t.candidate[0])
        try:
            summary = pipeline.import_file(con, t.path, self.options)
        except DatabaseUnavailable:
            raise
        except (UserError, duckdb.Error) as err:
            batch.error = _one_line(err)
            return [batch]
        for name in ("rows_read", "imported", "duplicates", "rejected"):
            setattr(batch, name, getattr(summary, name))
        return [batch]


# -- helpers ------------------------------------------------------------------


def _stmt(name: str) -> str:
    return sqlfiles.statement(*_SQL, name)


def _is_candidate(path: Path) -> bool:
    name = path.name
    hidden_or_partial = name.startswith((".", "~")) or name.endswith((".tmp", ".part", ".partial", ".swp"))
    return path.is_file() and not hidden_or_partial and kind_of(path) is not None


def _advance(t: _Tracked, records: list[bytes]) -> None:
    for record in records:
        t.digest.update(record)
        t.offset += len(record)
    t.lines += framing.lines_in(records)


def _stable_and_new(t: _Tracked, now: tuple[int, int]) -> bool:
    """A whole file is imported once its size and mtime held still for one poll."""
    stable = now == t.candidate and now[0] > 0
    t.candidate = now
    return stable and now != t.done


def _one_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _file_state(t: _Tracked) -> FileState:
    """What could make new records appear: the name's file and size, and the kept handle's size."""
    try:
        st = t.path.stat()
        named = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        named = None
    held = os.fstat(t.fh.fileno()).st_size if t.fh is not None else None
    return named, held


def _read_from(fh: BinaryIO, offset: int, limit: int, *, quoted: bool) -> tuple[bytes, int]:
    """(bytes read at offset, length of the complete records in them).

    About `limit` bytes are read; more only when a single record is longer than that."""
    fh.seek(offset)
    data = fh.read(limit)
    cut = framing.complete_end(data, quoted=quoted)
    while cut == 0 and (more := fh.read(limit)):
        data += more
        cut = framing.complete_end(data, quoted=quoted)
    return data, cut


def _read_header(fh: BinaryIO) -> bytes:
    data = os.pread(fh.fileno(), 1024 * 1024, 0)
    return framing.first_record(data) if data else b""


def _hash_prefix(fh: BinaryIO, length: int) -> tuple[Hash | None, int]:
    """(sha256 of the first `length` bytes, lines in them), or (None, 0) if the file is shorter."""
    digest, lines, left = hashlib.sha256(), 0, length
    try:
        fh.seek(0)
        while left > 0:
            block = fh.read(min(left, 1024 * 1024))
            if not block:
                return None, 0
            digest.update(block)
            left -= len(block)
            lines += framing.lines_in([block])
    except OSError:
        return None, 0
    return digest, lines
