"""Record framing: where the records of CSV, TSV and JSON Lines text begin and end.

Lines end at LF; a CR just before the LF belongs to the line end (CRLF and LF
may mix), so line numbers are what `grep -n` counts. A JSON Lines record is
one line. A CSV/TSV record ends at the first LF outside quotes: with `"` as
quote and `""` as escaped quote, a LF is outside quotes when an even number of
quote characters came before it in the record ("quote parity"). The follower
frames appended bytes with these rules; the record-level path
(`records.py`) reads physical lines through `PhysicalLines` and leaves the
quotes to Python's csv module, which agrees with parity on well-formed text
and says what is wrong with the rest.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterable, Sequence

LF = b"\n"
QUOTE = b'"'


def complete_end(data: bytes, *, quoted: bool) -> int:
    """Length of the longest prefix of `data` made of complete records (0: none)."""
    pos = data.rfind(LF)
    while pos >= 0 and quoted and data.count(QUOTE, 0, pos) % 2:
        pos = data.rfind(LF, 0, pos)  # that newline is inside a quoted field
    return pos + 1


def split(body: bytes, *, quoted: bool) -> list[bytes]:
    """The records of `body` (complete records: it ends with a LF), each with its line
    end, blank ones too, so that record i is line i after where `body` starts."""
    lines = [line + LF for line in body.split(LF)[:-1]]
    if not quoted:
        return lines
    records: list[bytes] = []
    current, quotes = b"", 0
    for line in lines:
        current += line
        quotes += line.count(QUOTE)
        if quotes % 2 == 0:
            records.append(current)
            current, quotes = b"", 0
    if current:
        records.append(current)
    return records


def first_record(data: bytes) -> bytes:
    """The first complete CSV record of `data` (a header), line end included; b"" if none."""
    end = quotes = 0
    while (newline := data.find(LF, end)) >= 0:
        quotes += data.count(QUOTE, end, newline)
        end = newline + 1
        if quotes % 2 == 0:
            return data[:end]
    return b""


def to_lf(record: bytes) -> bytes:
    """A record ending in LF, whatever line end it was written with (one line end per
    text: a CRLF header over LF rows reads as a CSV of inconsistent layout)."""
    return record[:-2] + LF if record.endswith(b"\r\n") else record


def lines_in(records: Iterable[bytes]) -> int:
    """Physical lines in `records` (a quoted CSV value may span lines): line numbers
    count these, as `grep -n` does and as the record-level path numbers records."""
    return sum(record.count(LF) for record in records)


def strip_line_end(text: str) -> str:
    """A line or record without its line end (CRLF or LF)."""
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text


class PhysicalLines:
    """The lines of a text split on LF only (ends kept), numbered from 1, with push-back;
    a line longer than `limit` characters comes back as None (its text skipped, its
    start kept in `cut`)."""

    def __init__(self, text: io.TextIOBase, limit: int, chunk: int = 1 << 20) -> None:
        self._text = text
        self._limit = limit
        self._chunk = chunk
        self._back: deque[tuple[int, str | None]] = deque()
        self.number = 0
        self.cut = ""

    def next(self) -> tuple[int, str | None] | None:
        if self._back:
            return self._back.popleft()
        line = self._text.readline(self._limit)
        if not line:
            return None
        self.number += 1
        if len(line) >= self._limit and not line.endswith("\n"):
            self.cut = line[:200]
            while True:  # skip the rest of the overlong line
                more = self._text.readline(self._chunk)
                if not more or more.endswith("\n"):
                    break
            return self.number, None
        return self.number, line

    def push_back(self, lines: Sequence[tuple[int, str | None]]) -> None:
        self._back.extendleft(reversed(lines))
