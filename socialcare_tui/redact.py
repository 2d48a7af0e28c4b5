"""Stable pseudonyms for customer identifiers, for screens shared on a wall or a call.

`redact(value)` replaces, in free text, `@handles`, e-mail addresses and phone
numbers with `cust-` + a short hash; `redact(value, customer=True)` replaces the whole
value (a customer id or the author of an inbound message). The same customer gives
the same pseudonym everywhere: `@Ann_B` in a tweet, `ann_b` as an author and
`+44 7700 900153` / `+447700900153` are normalised before hashing.

The hash is keyed with a fixed key, so pseudonyms are stable across runs and exports.
That hides who wrote; it is not anonymisation (anyone with the data can recompute them).
Patterns start only at a word boundary, so a 5000-character word costs linear time.
"""

from __future__ import annotations

import hashlib
import re

PREFIX = "cust-"
_KEY = b"socialcare-tui redact v1"

EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
HANDLE = re.compile(r"(?<![\w@])@\w{1,64}")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{5,22}\d(?!\w)")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}:\d{2}")
_DIGITS = re.compile(r"\D")


def pseudonym(identifier: str) -> str:
    """`cust-` + 8 hex digits of a keyed hash of the normalised identifier."""
    digest = hashlib.blake2b(_normal(identifier).encode("utf-8"), key=_KEY, digest_size=4)
    return PREFIX + digest.hexdigest()


def _normal(identifier: str) -> str:
    text = identifier.strip()
    if _is_phone(text):
        return "tel:" + _DIGITS.sub("", text)
    return text.lstrip("@").casefold()


def _is_phone(text: str) -> bool:
    digits = len(_DIGITS.sub("", text))
    return (7 <= digits <= 15 and PHONE.fullmatch(text) is not None
            and _DATE.search(text) is None)


def _phone(match: re.Match) -> str:
    text = match.group(0)
    return pseudonym(text) if _is_phone(text) else text


def redact(value: object, *, customer: bool = False) -> str:
    """`value` with customer identifiers replaced (see the module doc); '' for None."""
    if value is None:
        return ""
    text = str(value)
    if customer:
        return pseudonym(text) if text.strip() else text
    text = EMAIL.sub(lambda m: pseudonym(m.group(0)), text)
    text = HANDLE.sub(lambda m: "@" + pseudonym(m.group(0)), text)
    return PHONE.sub(_phone, text)


def redact_row(row: dict, *, customer_fields=("customer",), text_fields=("text", "last_message")) -> dict:
    """A copy of a result row with its customer and free-text fields redacted (for exports)."""
    out = dict(row)
    for name in customer_fields:
        if out.get(name) is not None:
            out[name] = redact(out[name], customer=True)
    for name in text_fields:
        if out.get(name) is not None:
            out[name] = redact(out[name])
    return out
