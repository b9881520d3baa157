"""What the provider wrote about a condition: is it specific enough to code, and does it agree
with itself?

A specificity query is asked when a condition is documented without what its code needs
("CHF": no type, no acuity; "a diabetic, on medication": no type; "overweight" with a BMI of
51: no class); a conflicting-documentation query when the record affirms and denies it, or
names values that cannot all hold (type 1 and type 2 diabetes).

A specifier counts only in the mention's own clause: the words between the list separators
around it (",", ";", ":", "and"), plus following comma-separated pieces that only add
specifiers ("Heart failure, systolic, chronic"). So in "diabetes, hypertension, chronic kidney
disease, CHF" the "chronic" of the kidney disease does not make the heart failure chronic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from medcoder.cdi.indicators import IndicatorSet
from medcoder.cdi.mentions import Mention
from medcoder.cdi.rules import ConflictCriterion, UnspecifiedCriterion

ABSENT = ("negated", "ruled_out")
_SEPARATOR = re.compile(r"[,;:\n]|(?<!\d)\.(?!\d)|\band\b|\bor\b", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
MAX_PIECE_WORDS = 6  # a following piece longer than this is another statement


@lru_cache(maxsize=512)
def words_regex(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of ``words`` as whole words, hyphens and spaces alike ("acute-on-chronic")."""
    if not words:
        return None
    forms = sorted({re.escape(w.strip()).replace(r"\ ", r"[\s-]+") for w in words}, key=len)
    return re.compile(r"(?<!\w)(?:" + "|".join(reversed(forms)) + r")(?!\w)", re.IGNORECASE)


def _from_source(m: Mention, sources: str) -> bool:
    return sources == "any" or (sources == "nursing") == m.nursing


def clause(
    text: str, m: Mention, extend: re.Pattern[str] | None, others: Sequence[Mention] = ()
) -> tuple[int, int]:
    """The clause holding ``m`` within its sentence, extended over specifier-only pieces.

    ``others`` are the document's other mentions: a following piece that names another
    condition ("chronic kidney disease") is never read as this one's specifier.
    """
    lo, hi = m.sentence or (max(0, m.start - 200), min(len(text), m.end + 200))
    left = lo
    for sep in _SEPARATOR.finditer(text, lo, m.start):
        left = sep.end()
    right = hi
    sep = _SEPARATOR.search(text, m.end, hi)
    if sep:
        right = sep.start()
    while extend is not None and right < hi:
        nxt = _SEPARATOR.search(text, right + 1, hi)
        end = nxt.start() if nxt else hi
        piece = text[right:end]
        if len(_WORDS.findall(piece)) > MAX_PIECE_WORDS or not extend.search(piece):
            break
        foreign = [
            o for o in others if right <= o.start < end and not extend.fullmatch(o.text.strip())
        ]
        if foreign:
            break
        right = end
    return left, right


def _excluded(text: str, span: tuple[int, int], not_when: tuple[str, ...]) -> bool:
    pattern = words_regex(not_when)
    return bool(pattern and pattern.search(text, *span))


def _condition_mentions(
    c: UnspecifiedCriterion | ConflictCriterion, found: IndicatorSet
) -> list[tuple[Mention, tuple[int, int]]]:
    """The condition's mentions (the patient's own, from the right source) with their clause."""
    extend = words_regex(c.specifier_words)
    out = []
    for m in found.mentions_of(c.condition):
        if not m.patients or not _from_source(m, c.sources):
            continue
        text = found.texts.get(m.document, "")
        others = [o for o in found.mentions if o.document == m.document and o.start >= m.end]
        span = clause(text, m, extend, others)
        if not _excluded(text, span, tuple(c.not_when)):
            out.append((m, span))
    return out


def unspecified(
    c: UnspecifiedCriterion, found: IndicatorSet
) -> tuple[list[Mention], list[str]] | None:
    """The mentions documenting the condition and the specifier groups no mention names.

    None when the condition is not documented as the criterion accepts, or when the mentions
    together name every group (the record already supports a specific code).
    """
    mentions = [
        (m, span) for m, span in _condition_mentions(c, found) if m.assertion in c.assertions
    ]
    if not mentions:
        return None
    named: set[str] = set()
    for m, span in mentions:
        text = found.texts.get(m.document, "")
        for group, words in c.specifiers.items():
            pattern = words_regex(tuple(words))
            if pattern and pattern.search(text, *span):
                named.add(group)
    missing = [g for g in c.specifiers if g not in named]
    if c.specifiers and not missing:
        return None
    return [m for m, _ in mentions], missing


def conflicts(c: ConflictCriterion, found: IndicatorSet) -> list[Mention]:
    """Two mentions that disagree: one affirms and one denies the condition, or they name
    exclusive values; empty when the documentation agrees."""
    said = found.mentions_of(c.condition, asserted=False)
    if len({(m.document, m.sentence) for m in said}) < 2:
        return []  # a conflict takes two statements; no need to assert a lone one
    mentions = _condition_mentions(c, found)
    affirmed = [(m, s) for m, s in mentions if m.assertion in c.assertions]
    denied = [m for m, _ in mentions if m.assertion in ABSENT]
    for m, _ in affirmed:
        for d in denied:
            if (d.document, d.sentence) != (m.document, m.sentence):
                return [m, d]
    first_by_value: dict[int, Mention] = {}
    for m, span in affirmed:
        text = found.texts.get(m.document, "")
        for i, values in enumerate(c.exclusive):
            pattern = words_regex(tuple(values))
            if pattern and pattern.search(text, *span):
                first_by_value.setdefault(i, m)
    if len(first_by_value) >= 2:
        return list(first_by_value.values())[:2]
    return []


def one_per_sentence(mentions: Iterable[Mention]) -> list[Mention]:
    seen: dict[tuple[str, tuple[int, int] | None], Mention] = {}
    for m in mentions:
        seen.setdefault((m.document, m.sentence), m)
    return list(seen.values())
