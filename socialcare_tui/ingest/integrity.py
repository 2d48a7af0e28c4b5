"""Whole-file checks before and while a file is imported.

- `check_container`: a `.zst` whose frames stop short, a Parquet file without
  its footer: refused as truncated before anything is read (cheap: the zstd
  check walks block headers with seeks, Parquet looks at 8 bytes).
- `check_text_head`: a file that is mostly NUL bytes or binary is refused from
  its first MiB, so a sparse 1 GB file costs one MiB of memory and no scan.
- `hash_and_look`: the content hash the ledger keeps, and beside it a look at
  the (decompressed) text for what DuckDB's CSV reader misreads (a CR that is
  not part of a CRLF line end, CRLF mixed with LF, a NUL byte); a truncated
  `.gz` / `.zst` stream is found here. It runs on the import's hash thread.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from socialcare_tui.errors import UserError

if TYPE_CHECKING:
    from hashlib import _Hash as Hash

_CHUNK = 1 << 20
_ZSTD_MAGIC = 0xFD2FB528


def truncated(path: str | Path, detail: str = "") -> UserError:
    return UserError(f"{path} is truncated or corrupt{' (' + detail + ')' if detail else ''}; "
                     "nothing was imported from it")


def check_container(path: Path, kind: str, compression: str) -> None:
    if kind == "parquet":
        _check_parquet(path)
    elif compression == "zstd":
        _check_zstd(path)


def _check_parquet(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            start = fh.read(4)
            fh.seek(0, 2)
            size = fh.tell()
            if size < 12:
                raise truncated(path, "too short for Parquet")
            fh.seek(size - 8)
            tail = fh.read(8)
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err.strerror})") from None
    footer = int.from_bytes(tail[:4], "little")
    if start != b"PAR1":
        raise UserError(f"{path}: not a Parquet file (it does not start with PAR1)")
    if tail[4:] != b"PAR1" or footer + 12 > size:
        raise truncated(path, "the Parquet footer is missing")


def _check_zstd(path: Path) -> None:
    """Walk the zstd frames by their headers (RFC 8878) without decompressing."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(0)
            pos = 0
            while pos < size:
                pos = _zstd_frame(fh, pos, size, path)
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err.strerror})") from None


def _zstd_frame(fh: BinaryIO, pos: int, size: int, path: Path) -> int:
    fh.seek(pos)
    head = fh.read(4)
    if len(head) < 4:
        raise truncated(path)
    magic = int.from_bytes(head, "little")
    if 0x184D2A50 <= magic <= 0x184D2A5F:  # skippable frame
        length = fh.read(4)
        if len(length) < 4:
            raise truncated(path)
        end = pos + 8 + int.from_bytes(length, "little")
        if end > size:
            raise truncated(path)
        return end
    if magic != _ZSTD_MAGIC:
        raise UserError(f"{path}: not a zstd file (bad frame magic at byte {pos})")
    descriptor = fh.read(1)
    if not descriptor:
        raise truncated(path)
    d = descriptor[0]
    single_segment = (d >> 5) & 1
    checksum = (d >> 2) & 1
    dict_id = (0, 1, 2, 4)[d & 3]
    fcs = (0 if not single_segment else 1, 2, 4, 8)[d >> 6]
    header = 4 + 1 + (0 if single_segment else 1) + dict_id + fcs
    pos += header
    while True:
        if pos + 3 > size:
            raise truncated(path)
        fh.seek(pos)
        b = fh.read(3)
        value = int.from_bytes(b, "little")
        last, btype, bsize = value & 1, (value >> 1) & 3, value >> 3
        if btype == 3:
            raise truncated(path, f"a reserved block type at byte {pos}")
        pos += 3 + (1 if btype == 1 else bsize)
        if pos > size:
            raise truncated(path)
        if last:
            break
    pos += 4 if checksum else 0
    if pos > size:
        raise truncated(path)
    return pos


def check_text_head(path: str | Path, head: bytes | None, utf16: bool) -> None:
    """Refuse a text file whose first bytes are mostly NUL (not UTF-16 text)."""
    if not head or utf16:
        return
    nul = head.count(0)
    if nul > len(head) // 10:
        raise UserError(f"{path}: binary data, not text ({nul * 100 // len(head)}% NUL bytes in "
                        f"its first {len(head):,} bytes)")


@dataclass
class Look:
    content_hash: str
    damaged: bool  # a bare CR, CRLF mixed with LF or a NUL byte in the text
    lines: int = 0  # physical lines, as `grep -c ''` counts them (0: not looked at)


def hash_and_look(path: Path, compression: str, text: bool) -> Look:
    """sha256 of the file's bytes; a compressed stream is read through (so a truncated
    one is found); with `text`, a look at the decompressed text."""
    digest = hashlib.sha256()
    scan = _Scan(active=text)
    try:
        with path.open("rb") as fh:
            if compression == "none":
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
                    if text and not scan.damaged:
                        scan.feed(chunk)
            else:
                _decompressed(fh, path, compression, digest, scan)
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err.strerror})") from None
    if not text:
        return Look(digest.hexdigest(), False)
    return Look(digest.hexdigest(), scan.finish(), scan.lf + (0 if scan.ended else 1))


class _Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, fh: io.BufferedReader, digest: Hash) -> None:
        self._fh, self._digest = fh, digest

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._digest.update(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        n = self._fh.readinto(buffer)
        self._digest.update(memoryview(buffer)[:n])
        return n

    def readable(self) -> bool:
        return True


def _decompressed(fh: io.BufferedReader, path: Path, compression: str, digest: Hash, scan: _Scan) -> None:
    # (it has the read methods the decompressors call, not the whole file interface)
    source = cast(BinaryIO, _Hashing(fh, digest))
    if compression == "gzip":
        try:
            with gzip.GzipFile(fileobj=source, mode="rb") as stream:
                while chunk := stream.read(_CHUNK):
                    if not scan.damaged:
                        scan.feed(chunk)
        except (EOFError, zlib.error, gzip.BadGzipFile) as err:
            raise truncated(path, str(err)) from None
        return
    try:
        import zstandard
    except ImportError:
        while source.read(_CHUNK):  # hash only; the frame walk checked it
            pass
        return
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True)
        while chunk := reader.read(_CHUNK):
            if not scan.damaged:
                scan.feed(chunk)
    except zstandard.ZstdError as err:
        raise truncated(path, str(err)) from None


class _Scan:
    """Counts across chunks: CR, CRLF, LF and NUL bytes."""

    def __init__(self, *, active: bool = True) -> None:
        self.active = active  # inactive: fed nothing, finds nothing
        self.cr = self.crlf = self.lf = 0
        self.nul = False
        self.damaged = not active
        self.ended = True
        self._last = b""

    def feed(self, chunk: bytes) -> None:
        joined = self._last + chunk
        self.crlf += joined.count(b"\r\n")
        self.cr += chunk.count(b"\r")
        self.lf += chunk.count(b"\n")
        self.nul = self.nul or b"\x00" in chunk
        self._last = chunk[-1:]
        self.ended = chunk.endswith(b"\n")
        # a CR not before LF (a CR split from its LF by a chunk end is settled at the next chunk)
        pending = 1 if chunk.endswith(b"\r") else 0
        if self.nul or self.cr - pending > self.crlf or (self.crlf and self.lf > self.crlf):
            self.damaged = True

    def finish(self) -> bool:
        if not self.active:
            return False
        if self.damaged:
            return True
        return self.nul or self.cr > self.crlf or (self.crlf > 0 and self.lf > self.crlf)
