"""Import files atomically (ARCHITECTURE.md, "Ingest contract").

For each file: stat and hash it, pick the reader (readers.py) and the format
(`--format` or detection from the column names), then inside one transaction
let the format module fill TEMP `staged` / `staged_rejects`, add the reader's
malformed records, and move new rows into `events` with an anti-join on
(namespace, event_id). The ledger row in `sources` is written in the same
transaction, so a kill at any point leaves the database as it was.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn, ParamSpec, TypeVar

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.config import FactsConfig, IngestConfig
from socialcare_tui.errors import DatabaseUnavailable, UserError
from socialcare_tui.ingest import channels, framing, integrity, readers, records
from socialcare_tui.safetext import clean
from socialcare_tui.store import facts
from socialcare_tui.timeparse import zone

FORMAT_NAMES = ("events", "twcs", "tickets", "surveys")
# Detection tries the most specific column sets first.
DETECT_ORDER = ("twcs", "surveys", "events", "tickets")
# `events` columns a format module may fill in `staged` (all but source_id).
EVENT_COLUMNS = (
    "namespace", "event_id", "conv_key", "conversation_id", "ts", "type", "channel", "queue",
    "direction", "author", "automated", "text", "value", "scale_max", "quick_reply", "sentiment",
    "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds", "reply_count", "origin",
    "extra", "line",
)
# More columns than this is no export: refused at once (100,000 took a minute to stage).
MAX_COLUMNS = 2000
UNITS = ("seconds", "minutes", "hours", "days", "s", "m", "h", "d")
_SQL = ("socialcare_tui.ingest.sql", "pipeline.sql")
# Test hook: stop for a kill at a named step (tests/test_import_rules.py).
_PAUSE_ENV = "SOCIALCARE_TUI_PAUSE_AT"

P = ParamSpec("P")
R = TypeVar("R")
Progress = Callable[[int, int, str], None]
# Told the step an import is at: "reading" (the file into TEMP tables: the part that
# takes time in proportion to its size), "storing" (the move into the store), "facts".
Step = Callable[[str], None]
# Called with (con, summary) after the rows are moved and before COMMIT: what the caller
# writes there lands in the same transaction as the rows.
BeforeCommit = Callable[[duckdb.DuckDBPyConnection, "ImportSummary"], None]


@dataclass
class ImportOptions:
    format: str | None = None
    maps: dict[str, str] = field(default_factory=dict)  # field -> "Column" or "Column:unit"
    timezone: str = "UTC"
    channel: str | None = None
    queue: str | None = None
    namespace: str | None = None
    link: str = "events"
    encoding: str = "utf-8"
    channel_aliases: dict[str, str] = field(default_factory=dict)
    # the stored facts' silence rule (store/facts.py); None keeps the one they were built with
    auto_resolve_after: float | None = None
    # times before 1970 or later than this many days after the import's wall clock are rejected
    future_days: int = IngestConfig.future_days

    @classmethod
    def configured(cls, ingest: IngestConfig, facts: FactsConfig, **given: Any) -> ImportOptions:
        """The options the config's [ingest] and facts keys set; `given` (a command's own
        options, such as `--timezone`) wins."""
        base: dict[str, Any] = {"timezone": ingest.timezone, "channel_aliases": dict(ingest.channel_aliases),
                                "future_days": ingest.future_days, "auto_resolve_after": facts.auto_resolve_after}
        return cls(**{**base, **given})

    def mapped(self, name: str) -> tuple[str, str | None] | None:
        """(column, unit) given by `--map name=Column[:unit]`, or None."""
        return self.map_of(name) if name in self.maps else None

    def map_of(self, name: str) -> tuple[str, str | None]:
        """(column, unit) of a name given with `--map` (KeyError for another)."""
        spec = self.maps[name]
        column, sep, unit = spec.rpartition(":")
        if sep and column and unit.lower() in UNITS:
            return column, unit.lower()
        return spec, None


@dataclass
class SourceFile:
    """One input file as the format modules see it."""

    path: Path  # what is read
    label: str  # how messages name it (the path, or the name of in-memory records)
    kind: str  # csv, tsv, jsonl, json, parquet
    compression: str  # none, gzip, zstd
    encoding: str
    size: int
    mtime: datetime
    columns: list[str]  # the file's own names, in file order
    format: str = ""
    namespace: str = ""
    source_id: int = 0
    content_hash: str = ""
    # the record-level path (records.py): needed from the start (UTF-16, a layout DuckDB's
    # sniffer refuses), and its clean/rejects files once written
    record_level: bool = False
    repaired: records.Repaired | None = field(default=None, repr=False, compare=False)
    head: bytes | None = field(default=None, repr=False, compare=False)
    _index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # lower-case name -> cN

    @property
    def name(self) -> str:
        return self.path.name

    def column(self, name: str) -> str | None:
        """The scan identifier (`c3`) of a column, matched case-insensitively, or None."""
        if not self._index:
            for i, column in reversed(list(enumerate(self.columns))):  # the first one wins
                self._index[column.strip().lower()] = f"c{i}"
        return self._index.get(name.strip().lower())

    def field(self, options: ImportOptions, name: str, *synonyms: str) -> str | None:
        """Identifier for a canonical field: `--map` first, then the name and synonyms."""
        mapped = options.mapped(name)
        if mapped is not None:
            return self.column(mapped[0])
        for candidate in (name, *synonyms):
            ident = self.column(candidate)
            if ident is not None:
                return ident
        return None

    def original(self, ident: str) -> str:
        return self.columns[int(ident[1:])]

    def scan(self) -> tuple[str, dict[str, Any]]:
        """SQL `SELECT c0.., line` over the whole file and its parameters (see readers.scan)."""
        if self.repaired is not None:
            return readers.clean_scan(self.repaired.clean, len(self.columns))
        return readers.scan(self.kind, self.path, self.compression, self.encoding, self.columns)


@dataclass
class ImportSummary:
    path: str
    format: str
    namespace: str
    source_id: int
    rows_read: int
    imported: int
    duplicates: int
    rejected: int
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{Path(self.path).name}: {self.rows_read} rows read, {self.imported} imported, "
            f"{self.duplicates} duplicates, {self.rejected} rejected"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _one_clean_line(function: Callable[P, R]) -> Callable[P, R]:
    """A UserError raised inside says what and where in ONE line that is safe to print:
    messages quote file names and column names, which are untrusted (NUL, escapes, newlines)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except UserError as err:
            raise type(err)(clean(str(err), single_line=True)) from None

    return wrapper


# -- format registry -------------------------------------------------------------


def formats() -> dict[str, ModuleType]:
    """The format modules that exist in this checkout, by name."""
    found = {}
    for name in FORMAT_NAMES:
        try:
            found[name] = importlib.import_module(f"socialcare_tui.ingest.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"socialcare_tui.ingest.{name}":
                raise
    return found


def detect(columns: list[str]) -> str | None:
    lowered = [c.strip().lower() for c in columns]
    modules = formats()
    for name in DETECT_ORDER:
        if name in modules and modules[name].matches(lowered):
            return name
    return None


# -- finding files -----------------------------------------------------------------


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Files to import: given files as they are, folders searched recursively."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
        if path.is_dir():
            # compressed Parquet is picked up to be refused by name, not skipped silently
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                           and (readers.layout(p) or readers.compressed_parquet(p)))
            if not found:
                raise UserError(
                    f"{path}: folder holds no supported files "
                    "(.csv, .tsv, .jsonl, .ndjson, .json, .parquet, optionally .gz or .zst)"
                )
            files.extend(found)
        else:
            files.append(path)
    return files


@_one_clean_line
def plan(con: duckdb.DuckDBPyConnection, path: Path, options: ImportOptions,
         label: str | None = None) -> SourceFile:
    """Stat the file, read its columns and pick its format; every mistake is a UserError
    naming the file as `label` (default: the path)."""
    where = str(path) if label is None else label
    found = readers.layout(path)
    if found is None and readers.compressed_parquet(path):
        raise UserError(
            f"{where}: compressed Parquet is not read (Parquet compresses inside the file); "
            "unpack it and import the .parquet file"
        )
    if found is None:
        raise UserError(
            f"{where}: unsupported file type (use .csv, .tsv, .jsonl, .ndjson, .json, .parquet, "
            "optionally compressed as .gz or .zst)"
        )
    kind, compression = found
    try:
        st = path.stat()
    except OSError as err:
        raise UserError(f"{where}: cannot read ({err.strerror})") from None
    if st.st_size == 0:
        raise UserError(f"{where}: empty file")
    if options.encoding not in readers.ENCODINGS:
        raise UserError(f"--encoding {options.encoding}: use one of {', '.join(readers.ENCODINGS)}")
    integrity.check_container(path, kind, compression)
    head = readers.head_bytes(path, compression) if kind != "parquet" else None
    encoding = options.encoding
    if encoding == "utf-8":
        encoding = readers.bom_encoding(head) or encoding  # a UTF-16 file says so in its first bytes
    codec = records.text_encoding(head or b"", encoding)
    utf16 = codec.startswith("utf-16") or encoding == "utf-16"
    integrity.check_text_head(where, head, utf16)
    if utf16 and kind in ("csv", "tsv"):
        # DuckDB reads little-endian UTF-16 only: the record-level path reads every kind
        return _planned(path, kind, compression, encoding, st, options, head,
                        _record_header(path, kind, compression, encoding, head, where), where)
    if utf16 and (codec == "utf-16-be" or (head or b"")[:2] == b"\xfe\xff"):
        raise UserError(f"{where}: UTF-16 big-endian {kind.upper()} is not read (--encoding utf-16 "
                        "reads little-endian); convert it to UTF-8")
    if utf16 and codec != "utf-16" and encoding != "utf-16":
        raise UserError(f"{where}: looks like UTF-16 text without a byte order mark "
                        "(give the file's encoding with --encoding utf-16, or convert it to UTF-8)")
    bad_line = readers.bad_text_line(head, encoding)
    if bad_line is not None:
        raise UserError(f"{where}: line {bad_line} has bytes that are not valid {encoding} "
                        "(give the file's encoding with --encoding)")
    readers.install(con)
    try:
        if not readers.has_content(con, path, kind, compression, encoding, head):
            raise UserError(f"{where}: empty file")
        width = readers.header_width(head, kind, encoding)
        if width > MAX_COLUMNS:
            raise UserError(f"{where}: {width} columns; at most {MAX_COLUMNS} are supported")
        if kind == "json":
            kind = readers.json_kind(con, path, compression, encoding, head)
        columns = readers.columns(con, path, kind, compression, encoding)
    except (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException) as err:
        if kind in ("csv", "tsv") and not readers.invalid_text(err):
            # DuckDB's sniffer refuses the layout: the record-level path reads it
            return _planned(path, kind, compression, encoding, st, options, head,
                            _record_header(path, kind, compression, encoding, head, where), where)
        raise readers.describe_error(where, kind, err) from None
    return _planned(path, kind, compression, encoding, st, options, head, columns, where, record_level=False)


def _record_header(path: Path, kind: str, compression: str, encoding: str, head: bytes | None,
                   label: str) -> list[str]:
    try:
        return records.header(path, compression, encoding, head or b"", "\t" if kind == "tsv" else ",",
                              label=label)
    except (OSError, EOFError, zlib.error) as err:
        raise integrity.truncated(label, str(err)) from None


def _planned(path: Path, kind: str, compression: str, encoding: str, st: os.stat_result,
             options: ImportOptions, head: bytes | None, columns: list[str], label: str,
             record_level: bool = True) -> SourceFile:
    if not columns or columns == [""]:
        raise UserError(f"{label}: no columns found (empty file?)")
    if len(columns) > MAX_COLUMNS:
        raise UserError(f"{label}: {len(columns)} columns; at most {MAX_COLUMNS} are supported")
    file = SourceFile(
        path=path, label=label, kind=kind, compression=compression, encoding=encoding,
        size=st.st_size, mtime=datetime.fromtimestamp(st.st_mtime, UTC).replace(tzinfo=None),
        columns=columns, record_level=record_level, head=head,
    )
    file.format = _choose_format(file, options)
    file.namespace = options.namespace or file.format
    _check_maps(file, options)
    return file


def _choose_format(file: SourceFile, options: ImportOptions) -> str:
    modules = formats()
    if options.format:
        if options.format not in modules:
            raise UserError(f"--format {options.format}: unknown format (known: {', '.join(modules)})")
        return options.format
    name = detect(file.columns)
    if name is None:
        shown = ", ".join(file.columns[:12]) + (", ..." if len(file.columns) > 12 else "")
        raise UserError(
            f"{file.path}: unknown format, columns not recognised ({shown}); "
            f"choose one with --format ({', '.join(modules)})"
        )
    return name


def map_fields(format_name: str) -> tuple[str, ...]:
    """The canonical field names `--map` accepts for a format (empty: it takes no --map)."""
    module = formats()[format_name]
    if hasattr(module, "SYNONYMS"):  # tickets: its synonym table, plus its field aliases
        return tuple(module.SYNONYMS) + tuple(getattr(module, "FIELD_ALIASES", {}))
    return tuple(getattr(module, "FIELDS", ()))


def _check_maps(file: SourceFile, options: ImportOptions) -> None:
    allowed = map_fields(file.format)
    for name in options.maps:
        if name not in allowed:
            known = f"fields: {', '.join(allowed)}" if allowed else "it takes no --map"
            raise UserError(f"--map {name}=...: format {file.format} has no field '{name}' ({known})")
    for name in options.maps:
        column, _unit = options.map_of(name)
        if file.column(column) is None:
            raise UserError(
                f"--map {name}={options.maps[name]}: {file.label} has no column '{column}' "
                f"(columns: {', '.join(file.columns[:20])})"
            )


# -- importing -----------------------------------------------------------------------


@_one_clean_line
def import_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> list[ImportSummary]:
    """Import every file under `paths`; all files are checked before the first is imported."""
    options = options or ImportOptions()
    planned = plan_paths(con, paths, options)
    summaries = []
    for done, file in enumerate(planned):
        if progress:
            progress(done, len(planned), file.name)
        summaries.append(import_planned(con, file, options))
    if progress:
        progress(len(planned), len(planned), "")
    return summaries


@_one_clean_line
def plan_paths(
    con: duckdb.DuckDBPyConnection | None, paths: Iterable[str | Path], options: ImportOptions
) -> list[SourceFile]:
    """Check the options and every file (type, columns, format, --map) before importing any.
    With `con` None the files are read with a private in-memory DuckDB, so a mistake is
    reported before the database is even opened."""
    check_options(options)
    files = collect(paths)
    scratch = duckdb.connect() if con is None else con
    try:
        return [plan(scratch, path, options) for path in files]
    finally:
        if con is None:
            scratch.close()


@_one_clean_line
def import_planned(con: duckdb.DuckDBPyConnection, file: SourceFile, options: ImportOptions,
                   step: Step | None = None) -> ImportSummary:
    """Import one file from `plan_paths` in one transaction, telling `step` where it is."""
    return commit(con, _stage_planned(con, file, options, None, step))


@_one_clean_line
def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    options: ImportOptions | None = None,
    before_commit: BeforeCommit | None = None,
) -> ImportSummary:
    """Import one file in one transaction; `before_commit(con, summary)` runs inside it,
    after the rows are moved (an exception there rolls the whole file back)."""
    staged = stage(con, Path(path).expanduser(), options or ImportOptions())
    if before_commit is not None:
        try:
            before_commit(con, staged.summary)
        except BaseException:
            abort(con, staged)
            raise
    return commit(con, staged)


def check_options(options: ImportOptions) -> None:
    """Check the options that do not depend on a file (--timezone, --encoding, --namespace, --link)."""
    zone(options.timezone, "--timezone")
    if options.encoding not in readers.ENCODINGS:
        raise UserError(f"--encoding {options.encoding}: use one of {', '.join(readers.ENCODINGS)}")
    for name in ("namespace", "link"):
        value = getattr(options, name)
        if value is not None and (not value.strip() or ":" in value):
            raise UserError(f"--{name} {value!r}: must be a non-empty name without ':'")


# -- stage and commit ------------------------------------------------------------------


@dataclass(frozen=True)
class Records:
    """Records held in memory, as a file called `name` would hold them (a CSV/TSV's
    header first): `name` gives the layout (its suffix) and is what messages say."""

    name: Path
    data: bytes


@dataclass(frozen=True)
class Ledger:
    """The caller's own `sources` row for what it stages (the follower keeps one per
    followed file generation). `first_line` is the line in `path` of the first data
    record staged; with `source_id` the counts are added to that row, whose earlier
    lines must all come before `first_line`; without it a new row is written."""

    path: str
    size: int
    mtime: datetime
    content_hash: str
    byte_offset: int
    first_line: int
    source_id: int | None = None


@dataclass
class Staged:
    """A source read into the store inside an open transaction: `commit` or `abort` it."""

    file: SourceFile
    options: ImportOptions
    summary: ImportSummary
    saved_tz: str
    started: float
    step: Step | None = None


@_one_clean_line
def stage(con: duckdb.DuckDBPyConnection, source: Path | Records, options: ImportOptions,
          ledger: Ledger | None = None) -> Staged:
    """Begin a transaction and move `source` into `events`/`rejects` inside it, booked
    under `ledger` (default: a new `sources` row for the file). The caller ends the
    transaction with `commit` (which brings the stored facts up to date first) or
    `abort`; a failure here has rolled it back already. Every mistake is one line
    naming the file (a `Records`' name)."""
    check_options(options)
    if isinstance(source, Path):
        return _stage_planned(con, plan(con, source, options), options, ledger)
    # DuckDB reads Python file objects only through fsspec (not a dependency): the
    # bytes pass through a private file that lives only while they are staged
    fd, name = tempfile.mkstemp(prefix="socialcare-stage-", suffix="".join(source.name.suffixes[-1:]))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(source.data)
        file = plan(con, Path(name), options, str(source.name))
        return _stage_planned(con, file, options, ledger or _records_ledger(source, file))
    finally:
        os.unlink(name)


def _records_ledger(source: Records, file: SourceFile) -> Ledger:
    """The ledger row of records staged without one: named as they are, read whole."""
    return Ledger(path=str(source.name), size=len(source.data), mtime=_utc_now(),
                  content_hash=hashlib.sha256(source.data).hexdigest(), byte_offset=len(source.data),
                  first_line=_first_data_line(file))


@_one_clean_line
def commit(con: duckdb.DuckDBPyConnection, staged: Staged) -> ImportSummary:
    """Bring the stored facts up to date and commit what `stage` moved."""
    try:
        if staged.step is not None:
            staged.step("facts")
        _pause("facts")
        # last: the facts are computed from the rows as they will be committed (a
        # caller may still have changed them after stage)
        facts.update(con, auto_resolve=staged.options.auto_resolve_after)
        _pause("moved")
        con.execute("COMMIT")
    except BaseException as err:
        _rollback(con, staged.file, err)
    finally:
        _restore_tz(con, staged.saved_tz)
    staged.summary.seconds = round(time.monotonic() - staged.started, 3)
    return staged.summary


def abort(con: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Roll back what `stage` moved."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # the transaction is gone already
    _restore_tz(con, staged.saved_tz)


class _RecordLevel(Exception):
    """DuckDB's CSV reader refused or misread the file: import it record by record."""


def _stage_planned(con: duckdb.DuckDBPyConnection, file: SourceFile, options: ImportOptions,
                   ledger: Ledger | None, step: Step | None = None) -> Staged:
    started = time.monotonic()
    # hashing reads the whole file: do it beside DuckDB's work (hashlib releases the GIL);
    # it also looks at the text for damage DuckDB's CSV reader misreads
    text = file.kind in ("csv", "tsv") and not file.record_level
    hashing = _HASHER.submit(integrity.hash_and_look, file.path, file.compression, text)
    try:
        try:
            staged = _attempt(con, file, options, ledger, hashing, step)
        except _RecordLevel:
            file.record_level = True
            staged = _attempt(con, file, options, ledger, hashing, step)
    finally:
        if file.repaired is not None:
            file.repaired.remove()
            file.repaired = None
    staged.started, staged.step = started, step
    return staged


def _repair(file: SourceFile) -> None:
    """Write the clean and rejects files of the record-level path (records.py)."""
    head = file.head if file.head is not None else b""
    delimiter = "\t" if file.kind == "tsv" else ","
    columns, file.repaired = records.repair(file.path, file.compression, file.encoding, head, delimiter,
                                            label=file.label)
    if [c.strip().lower() for c in columns] != [c.strip().lower() for c in file.columns]:
        file.repaired.remove()
        file.repaired = None
        raise UserError(f"{file.label}: the header changed while it was read")


def _attempt(con: duckdb.DuckDBPyConnection, file: SourceFile, options: ImportOptions,
             ledger: Ledger | None, hashing: Future[integrity.Look], step: Step | None) -> Staged:
    """BEGIN and stage the file, leaving the transaction open; _RecordLevel (after ROLLBACK)
    when DuckDB's reader refused or misread a CSV/TSV that the record-level path can read."""
    retry = file.kind in ("csv", "tsv") and not file.record_level
    if step is not None:
        step("reading")
    if file.record_level and file.repaired is None:
        _repair(file)
    module = formats()[file.format]
    saved_tz = str(scalar(con.execute("SELECT current_setting('TimeZone')")))
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("SET TimeZone = $tz", {"tz": options.timezone})
        _prepare(con, file, options, ledger)
        _pause("started")
        try:
            module.stage(con, file, options)
            _reader_rejects(con, file)
            _reject_out_of_range(con, file, options)
        except (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException,
                duckdb.OutOfRangeException) as err:
            if _write_failure(err):
                raise
            _look(hashing)  # a truncated stream says so first
            if retry and not readers.invalid_text(err):
                raise _RecordLevel() from None
            # data the SQL did not foresee: still one line (exit 2), never a traceback
            raise readers.describe_error(file.label, file.kind, err) from None
        look = _look(hashing)
        if retry and (look.damaged or _reader_saw_damage(con) or _lines_differ(con, look)):
            raise _RecordLevel()
        file.content_hash = look.content_hash
        if step is not None:
            step("storing")
        summary = _move(con, file, ledger)
    except BaseException as err:
        if not isinstance(err, _RecordLevel):
            hashing.cancel()
        try:
            _rollback(con, file, err)
        finally:
            _restore_tz(con, saved_tz)
    return Staged(file, options, summary, saved_tz, 0.0)


def _rollback(con: duckdb.DuckDBPyConnection, file: SourceFile, err: BaseException) -> NoReturn:
    """ROLLBACK and raise `err`, or one line when the database could not be written."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # the transaction is gone already; the original error matters
    reason = _write_failure(err) if isinstance(err, duckdb.Error) else None
    if reason:
        raise DatabaseUnavailable(
            f"{file.label}: not imported, the database could not be written ({reason}); "
            "it holds what it held before"
        ) from None
    raise err


def _restore_tz(con: duckdb.DuckDBPyConnection, saved_tz: str) -> None:
    try:
        con.execute("SET TimeZone = $tz", {"tz": saved_tz})
    except duckdb.Error:
        pass  # a database invalidated by a failed write: the error raised says so


def _look(hashing: Future[integrity.Look]) -> integrity.Look:
    return hashing.result()


def _reject_out_of_range(con: duckdb.DuckDBPyConnection, file: SourceFile, options: ImportOptions) -> None:
    """Rows whose time is before 1970 or more than `future_days` after now are rejected
    (a year 10000 stored once made every later report fail)."""
    latest = _utc_now() + timedelta(days=options.future_days)
    _run(con, "out_of_range", {"latest": latest})
    if not scalar(_run(con, "out_of_range_count")):
        return
    _run(con, "drop_out_of_range")
    reject_lines(con, file)
    _run(con, "drop_rejected_lines")


def _lines_differ(con: duckdb.DuckDBPyConnection, look: integrity.Look) -> bool:
    """True when DuckDB's record numbers are not the file's physical lines (a quoted value
    spans lines, or blank lines were skipped): the record-level path numbers them as
    `grep -n` does."""
    last = scalar(_run(con, "last_line"))
    return last is not None and look.lines > last


def _reader_saw_damage(con: duckdb.DuckDBPyConnection) -> bool:
    """True when DuckDB's CSV reader skipped malformed records."""
    return _table_exists(con, readers.REJECTS_TABLE) and scalar(_run(con, "reader_reject_count")) > 0


def _prepare(con: duckdb.DuckDBPyConnection, file: SourceFile, options: ImportOptions,
             ledger: Ledger | None) -> None:
    for name in ("create_staged", "create_staged_rejects", "instant_macro", "identity_macro",
                 "drop_reader_rejects", "drop_reader_scans"):
        _run(con, name)
    readers.install(con)  # the file may have been planned on another connection
    channels.install(con, options.channel_aliases)
    if ledger is not None and ledger.source_id is not None:
        file.source_id = ledger.source_id
        return
    file.source_id = scalar(_run(con, "next_source_id"))
    _run(con, "insert_source", {
        "source_id": file.source_id,
        "path": ledger.path if ledger else str(file.path.resolve()),
        "size": ledger.size if ledger else file.size,
        "mtime": ledger.mtime if ledger else file.mtime,
        "format": file.format, "namespace": file.namespace,
        "started_at": _utc_now(),  # now() in SQL is the transaction's start, the same at the end
    })


def _reader_rejects(con: duckdb.DuckDBPyConnection, file: SourceFile) -> None:
    """Records the reader itself could not use: malformed CSV records, non-object JSON."""
    if file.repaired is not None:
        if file.repaired.rejected:
            _run(con, "record_level_rejects", {"path": str(file.repaired.rejects)})
        return
    if _table_exists(con, readers.REJECTS_TABLE):
        bad_unicode = scalar(_run(con, "invalid_unicode"))
        if bad_unicode is not None:
            raise UserError(
                f"{file.label}: line {bad_unicode} has bytes that are not valid {file.encoding} "
                "(give the file's encoding with --encoding)"
            )
        header = {"header": readers.header_lines(file.kind)}
        _run(con, "bad_records", header)
        if scalar(con.execute("SELECT count(*) FROM bad_records")):
            _run(con, "fix_staged_lines", header)
            _run(con, "fix_reject_lines", header)
            _run(con, "malformed_records")
    if file.kind in ("json", "jsonl"):
        readers.reject_invalid_json(con, file.kind, file.path, file.compression, file.encoding)


def _move(con: duckdb.DuckDBPyConnection, file: SourceFile, ledger: Ledger | None) -> ImportSummary:
    """Move the staged rows into `events` and `rejects` and book them in the ledger."""
    # the file's lines as the caller's ledger numbers them
    shift = ledger.first_line - _first_data_line(file) if ledger is not None else 0
    if shift:
        _run(con, "shift_staged_lines", {"shift": shift})
        _run(con, "shift_reject_lines", {"shift": shift})
    staged = scalar(_run(con, "staged_lines"))
    # (the rejected count's NOT IN scans `staged` again: only worth it when there are rejects)
    rejected = scalar(_run(con, "rejected_count")) if scalar(_run(con, "rejects_present")) else 0
    if staged + rejected == 0:
        raise UserError(f"{file.label}: no data rows (empty file)")
    statement = _move_statement(con, file)
    con.execute(_move_sql(con, statement), {"source_id": file.source_id})
    if statement == "move_events_new":
        imported = staged  # every staged row was inserted: no need to count them again in `events`
    else:
        first = ledger.first_line if ledger is not None and ledger.source_id is not None else 0
        imported = scalar(_run(con, "imported_rows", {"source_id": file.source_id, "first_line": first}))
    path = ledger.path if ledger is not None else str(file.path.resolve())
    _run(con, "move_rejects", {"source_id": file.source_id, "path": path})
    summary = ImportSummary(
        path=file.label, format=file.format, namespace=file.namespace, source_id=file.source_id,
        rows_read=staged + rejected, imported=imported, duplicates=staged - imported, rejected=rejected,
    )
    counts = {
        "source_id": file.source_id, "rows_read": summary.rows_read, "imported": imported,
        "duplicates": summary.duplicates, "rejected": rejected, "finished_at": _utc_now(),
    }
    if ledger is None:
        _run(con, "finish_source", {**counts, "byte_offset": file.size, "content_hash": file.content_hash})
    else:
        _run(con, "add_to_source", {
            **counts, "size": ledger.size, "mtime": ledger.mtime, "content_hash": ledger.content_hash,
            "byte_offset": ledger.byte_offset, "format": file.format, "namespace": file.namespace,
        })
    return summary


# -- helpers for format modules --------------------------------------------------------


def projection(file: SourceFile, options: ImportOptions, fields: Iterable[str],
               synonyms: dict[str, tuple[str, ...]] | None = None) -> tuple[str, dict]:
    """`SELECT <field>.., line, extra FROM <scan>`: every canonical field as VARCHAR
    (NULL when the file lacks it), unknown columns as a JSON object in `extra`."""
    sql, params = file.scan()
    used: dict[str, str] = {}
    parts = []
    for name in fields:
        ident = file.field(options, name, *(synonyms or {}).get(name, ()))
        if ident is not None:
            used[name] = ident
        parts.append(f"{ident or 'NULL::VARCHAR'} AS {name}")
    taken = set(used.values())
    others = [f"c{i}" for i in range(len(file.columns)) if f"c{i}" not in taken]
    if others:
        pairs = []
        for n, ident in enumerate(others):
            params[f"extra_key_{n}"] = file.original(ident)
            pairs.append(f"$extra_key_{n}, {ident}")
        parts.append(f"json_object({', '.join(pairs)}) AS extra")
    else:
        parts.append("NULL::JSON AS extra")
    return f"SELECT {', '.join(parts)}, line FROM ({sql})", params


def reject_lines(con: duckdb.DuckDBPyConnection, file: SourceFile) -> None:
    """Copy the rows of TEMP rejected_lines(line, reason), which the format module filled,
    into staged_rejects, with the row's values as a JSON object for `raw` (read again
    from the file: only rejected rows pay for it)."""
    if not scalar(_run(con, "rejected_lines_count")):
        return
    sql, params = file.scan()
    pairs = []
    for i, name in enumerate(file.columns):
        params[f"raw_key_{i}"] = name
        pairs.append(f"$raw_key_{i}, s.c{i}")
    con.execute(
        f"INSERT INTO staged_rejects SELECT r.line, r.reason, json_object({', '.join(pairs)})::VARCHAR "
        f"FROM ({sql}) s JOIN rejected_lines r ON r.line = s.line",
        params,
    )


# -- helpers -------------------------------------------------------------------------


def _move_sql(con: duckdb.DuckDBPyConnection, statement: str) -> str:
    """The move statement for the columns `staged` has (names from EVENT_COLUMNS only)."""
    present = {row[0] for row in _run(con, "staged_columns").fetchall()}
    names = [c for c in EVENT_COLUMNS if c in present]
    sql = sqlfiles.statement(*_SQL, statement)
    sql = sql.replace("(source_id, /*columns*/)", "(source_id, " + ", ".join(f'"{c}"' for c in names) + ")")
    return sql.replace("/*columns*/", ", ".join(f's."{c}"' for c in names))


def _move_statement(con: duckdb.DuckDBPyConnection, file: SourceFile) -> str:
    """The anti-join and the in-file dedupe cost time on big files: skip them when
    nothing is stored under the namespace, or no event id repeats in the file."""
    stored = scalar(_run(con, "namespace_stored", {"ns": file.namespace}))
    repeats = scalar(_run(con, "staged_repeats"))
    if repeats:
        return "move_events"
    return "move_events_unique" if stored else "move_events_new"


def _run(con: duckdb.DuckDBPyConnection, name: str,
         params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    sql = sqlfiles.statement(*_SQL, name)
    return con.execute(sql, params) if params else con.execute(sql)


def scalar(cursor: duckdb.DuckDBPyConnection) -> Any:
    """The single value a statement gives (its first row's first column)."""
    return sqlfiles.one_row(cursor)[0]


_WRITE_FAILURES = ("No space left on device", "Disk quota exceeded", "Read-only file system",
                   "Could not write file", "Failed to create checkpoint", "database has been invalidated")


def _write_failure(err: BaseException) -> str | None:
    """Why the database file could not be written (full disk and the like), or None."""
    text = str(err)
    if isinstance(err, duckdb.FatalException) or any(marker in text for marker in _WRITE_FAILURES):
        for cause in _WRITE_FAILURES[:3]:
            if cause in text:
                return cause.lower()
        return text.splitlines()[0][:200] if text else type(err).__name__
    return None


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return scalar(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = $name AND temporary", {"name": name}
    )) > 0


def _first_data_line(file: SourceFile) -> int:
    """The line of a file's first data record: 1, or the line after a CSV/TSV header
    (which a quoted name may spread over lines)."""
    if file.kind not in ("csv", "tsv"):
        return 1
    header = framing.first_record(file.head or b"")
    return framing.lines_in([header]) + 1 if header else 2


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-hash")


def _pause(step: str) -> None:
    if os.environ.get(_PAUSE_ENV) == step:
        print(f"paused at {step}", file=sys.stderr, flush=True)
        time.sleep(60)
