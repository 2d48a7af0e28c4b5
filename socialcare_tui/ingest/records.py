"""The record-level path for CSV/TSV files DuckDB's CSV reader refuses or misreads.

DuckDB's reader is fast but all-or-nothing on some damage (a bare carriage
return inside an unquoted field, CRLF mixed with LF, UTF-16 big-endian) and
silently wrong on other damage (a NUL byte, a bare CR past its sniffing
sample counted as a line end). The pipeline sends such a file here: Python's
`csv` module reads it one record at a time and writes every good record to a
clean UTF-8 CSV (`c0,..,cN,line`, LF line ends, every value quoted) that the
format modules scan as usual (readers.clean_scan), and every damaged record
to a rejects CSV (`line,reason,raw`).

Records are split on LF only, as `grep -n` counts lines: a CR before the LF
belongs to the line end (CRLF and LF may mix), a CR anywhere else outside
quotes is damage, inside quotes it is text. A damaged record is rejected
alone: one row read, one reject at the line of its first byte. A quoted field
left open is given back line by line when it runs past MAX_RECORD_BYTES or
the end of the file, so a stray quote costs its own line, not the rest of
the file. Memory is bounded by MAX_RECORD_BYTES whatever the input.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from socialcare_tui.errors import UserError
from socialcare_tui.ingest import framing, integrity

if TYPE_CHECKING:
    from _csv import Writer as CsvWriter

# One record (all its physical lines) longer than this is rejected, never read whole.
MAX_RECORD_BYTES = 8 << 20  # also max_line_size in sql/readers.sql (sc_csv, sc_tsv)
_READ_CHUNK = 1 << 20


@dataclass
class Repaired:
    clean: Path  # c0..cN, line — header row, then one row per good record
    rejects: Path  # line, reason, raw
    rows: int
    rejected: int

    def remove(self) -> None:
        for path in (self.clean, self.rejects):
            try:
                path.unlink()
            except OSError:
                pass


def open_binary(path: Path, compression: str) -> BinaryIO:
    """The decompressed bytes of a file, as a stream."""
    if compression == "gzip":
        return cast(BinaryIO, gzip.open(path, "rb"))
    if compression == "zstd":
        try:
            import zstandard
        except ImportError:
            raise UserError(f"{path}: reading this .zst file record by record needs the "
                            "'zstandard' package; decompress it and import the plain file") from None
        return cast(BinaryIO, io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(
            open(path, "rb"), closefd=True)))
    return open(path, "rb")


def text_encoding(head: bytes, encoding: str) -> str:
    """The codec to decode with: UTF-16 files get their byte order from the BOM, or
    from where the NUL bytes of ASCII text sit when there is none."""
    if head[:3] == codecs.BOM_UTF8:
        return "utf-8-sig"
    if head[:2] == codecs.BOM_UTF16_LE or head[:2] == codecs.BOM_UTF16_BE:
        return "utf-16"
    order = utf16_order(head)
    if order:
        return order
    return encoding


def utf16_order(head: bytes) -> str | None:
    """`utf-16-le`/`utf-16-be` when `head` (no BOM) looks like UTF-16 text: NUL bytes
    on most odd (LE) or most even (BE) positions and almost none on the others."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.6 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.6 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _stray_quote(line: str | None, delimiter: str, width: int) -> bool:
    if line is None:
        return False
    fields, reason, complete = _parse([line], delimiter)
    return complete and reason is None and fields is not None and len(fields) == width


def _check(fields: list[str], width: int) -> str | None:
    if len(fields) != width:
        return f"malformed record: {len(fields)} fields, the header has {width}"
    if any("\x00" in value for value in fields):
        return "malformed record: a NUL byte in a field"
    return None


def _parse(lines: list[str], delimiter: str) -> tuple[list[str] | None, str | None, bool]:
    """(fields, reason, complete) for the physical lines of one record."""
    body = framing.strip_line_end("".join(lines))
    if '"' not in body:  # no quotes: the fields are the pieces between delimiters
        if "\r" in body:
            return None, "malformed record: a bare carriage return inside an unquoted field", True
        return body.split(delimiter), None, True
    try:
        rows = list(csv.reader([body], delimiter=delimiter, strict=True))
    except csv.Error as err:
        if "unexpected end of data" in str(err) or "EOF" in str(err):
            return None, None, False  # a quoted field goes on on the next line
        if "new-line character" in str(err):
            return None, "malformed record: a bare carriage return inside an unquoted field", True
        return None, f"malformed record: {err}", True
    if len(rows) != 1:
        return None, "malformed record: a bare carriage return inside an unquoted field", True
    return rows[0], None, True


def repair(path: Path, compression: str, encoding: str, head: bytes, delimiter: str,
           label: str | None = None) -> tuple[list[str], Repaired]:
    """Read `path` record by record; (header names, the clean and rejects files). Messages
    name the file `label` (default: the path)."""
    where = str(path) if label is None else label
    csv.field_size_limit(MAX_RECORD_BYTES + 16)
    codec = text_encoding(head, encoding)
    clean_fd, clean_name = tempfile.mkstemp(prefix="sc-clean-", suffix=".csv")
    rej_fd, rej_name = tempfile.mkstemp(prefix="sc-rejects-", suffix=".csv")
    repaired = Repaired(Path(clean_name), Path(rej_name), 0, 0)
    try:
        with open_binary(path, compression) as raw, \
                os.fdopen(clean_fd, "w", encoding="utf-8", newline="") as clean_fh, \
                os.fdopen(rej_fd, "w", encoding="utf-8", newline="") as rej_fh:
            text = io.TextIOWrapper(raw, encoding=codec, errors="strict", newline="\n")
            lines = framing.PhysicalLines(text, MAX_RECORD_BYTES, _READ_CHUNK)
            header = _header(lines, delimiter, where)
            clean = csv.writer(clean_fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
            rejects = csv.writer(rej_fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
            clean.writerow([f"c{i}" for i in range(len(header))] + ["line"])
            rejects.writerow(["line", "reason", "raw"])
            try:
                _records(lines, delimiter, len(header), clean, rejects, repaired)
            except UnicodeDecodeError:
                raise UserError(f"{where}: line {lines.number + 1} has bytes that are not valid "
                                f"{encoding} (give the file's encoding with --encoding)") from None
    except (OSError, EOFError, zlib.error) as err:
        repaired.remove()
        raise integrity.truncated(where, str(err)) from None
    except BaseException:
        repaired.remove()
        raise
    return header, repaired


def header(path: Path, compression: str, encoding: str, head: bytes, delimiter: str,
           label: str | None = None) -> list[str]:
    """The column names of a CSV/TSV file, read with Python's csv module (messages name
    the file `label`, default the path)."""
    with open_binary(path, compression) as raw:
        text = io.TextIOWrapper(raw, encoding=text_encoding(head, encoding), errors="replace",
                                newline="\n")
        lines = framing.PhysicalLines(text, MAX_RECORD_BYTES, _READ_CHUNK)
        return _header(lines, delimiter, str(path) if label is None else label)


def _header(lines: framing.PhysicalLines, delimiter: str, where: str) -> list[str]:
    buffered: list[str] = []
    while True:
        got = lines.next()
        if got is None or got[1] is None:
            raise UserError(f"{where}: the header (line 1) cannot be read as CSV")
        buffered.append(got[1])
        fields, reason, complete = _parse(buffered, delimiter)
        if reason:
            raise UserError(f"{where}: the header (line 1) cannot be read ({reason})")
        if complete and fields is not None:
            return [f.lstrip("\ufeff") if i == 0 else f for i, f in enumerate(fields)]
        if sum(len(x) for x in buffered) > MAX_RECORD_BYTES:
            raise UserError(f"{where}: the header (line 1) cannot be read as CSV")


def _records(lines: framing.PhysicalLines, delimiter: str, width: int, clean: CsvWriter, rejects: CsvWriter,
             out: Repaired) -> None:
    while True:
        first = lines.next()
        if first is None:
            return
        start, text = first
        if text is None:
            _reject(rejects, out, start, f"malformed record: longer than {MAX_RECORD_BYTES >> 20} MiB",
                    lines.cut + "…")
            continue
        if not text.strip("\r\n"):
            continue  # a blank line is no record
        taken: list[tuple[int, str]] = [(start, text)]
        size = len(text)
        while True:
            fields, reason, complete = _parse([t for _, t in taken], delimiter)
            if complete:
                break
            nxt = lines.next()
            if nxt is None or nxt[1] is None or size + len(nxt[1]) > MAX_RECORD_BYTES:
                # an unclosed quote: this line alone is the damaged record
                lines.push_back([*taken[1:], nxt] if nxt is not None else taken[1:])
                fields, reason = None, "malformed record: a quoted field is never closed"
                taken = taken[:1]
                break
            taken.append((nxt[0], nxt[1]))
            size += len(nxt[1])
        if reason is None and fields is not None:
            reason = _check(fields, width)
        if reason is not None and len(taken) > 1 and _stray_quote(taken[1][1], delimiter, width):
            # an opening quote that should not be there took the next lines in: the
            # next line is a record of its own, so only the first line is damaged
            lines.push_back(taken[1:])
            taken = taken[:1]
            reason = "malformed record: a quote opens a field that is never closed on its line"
        raw = "".join(t for _, t in taken).rstrip("\r\n")
        if reason is not None or fields is None:
            _reject(rejects, out, start, reason or "malformed record", raw)
            continue
        clean.writerow([*fields, start])
        out.rows += 1


def _reject(rejects: CsvWriter, out: Repaired, line: int, reason: str, raw: str) -> None:
    rejects.writerow([line, reason, raw.replace("\x00", "\\0")])
    out.rejected += 1
