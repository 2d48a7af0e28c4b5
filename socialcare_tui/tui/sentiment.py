"""A customer message's sentiment label for the Conversation screen, with the words
that scored: the same lexicon score as the `sentiment` KPI's SQL (kpi/sql/customer_voice.sql),
recomputed here for one message only because the SQL gives no per-word detail.

Tokens as the SQL: split on whitespace, strip surrounding punctuation unless that
leaves two characters or fewer (an emoticon), look up in lower case in the VADER
lexicon file (lower-case entries, the last of a repeated token wins); the sum `s`
becomes `s / sqrt(s*s + 15)`; positive >= 0.05, negative <= -0.05.
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass
from functools import lru_cache

POSITIVE, NEGATIVE = 0.05, -0.05
_PUNCT = re.escape(string.punctuation)
_STRIP = re.compile(f"^[{_PUNCT}]+|[{_PUNCT}]+$")


@dataclass(frozen=True)
class Sentiment:
    label: str  # positive | neutral | negative
    score: float
    words: tuple[tuple[str, float], ...]  # (lexicon token, valence), in text order

    def describe(self, limit: int = 6) -> str:
        """`negative −0.46: late −1.1, angry −2.3` (the words that scored)."""
        sign = "−" if self.score < 0 else "+" if self.score > 0 else ""
        text = f"{self.label} {sign}{abs(self.score):.2f}"
        if self.words:
            shown = ", ".join(f"{w} {'−' if v < 0 else '+'}{abs(v):g}" for w, v in self.words[:limit])
            more = f", +{len(self.words) - limit} more" if len(self.words) > limit else ""
            text += f": {shown}{more}"
        return text


@lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    from socialcare_tui.store.lexicon import lexicon_path

    table: dict[str, float] = {}
    with open(lexicon_path(), encoding="utf-8") as file:
        for line in file:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0] == parts[0].lower():
                try:
                    table[parts[0]] = float(parts[1])
                except ValueError:
                    continue
    return table


def token(word: str) -> str:
    stripped = _STRIP.sub("", word)
    return (word if len(stripped) <= 2 else stripped).lower()


def score(text: str | None, given: float | None = None) -> Sentiment:
    """The label of one message; `given` is its own sentiment column, which wins (as in SQL)."""
    if given is not None:
        return Sentiment(_label(given), float(given), ())
    table = lexicon()
    words = []
    for word in (text or "").strip().split():
        key = token(word)
        valence = table.get(key)
        if valence is not None:
            words.append((key, valence))
    total = sum(v for _, v in words)
    normalised = total / math.sqrt(total * total + 15)
    return Sentiment(_label(normalised), normalised, tuple(words))


def _label(value: float) -> str:
    return "positive" if value >= POSITIVE else "negative" if value <= NEGATIVE else "neutral"
