"""Find vocabulary phrases in text, in any word order, within a sentence.

Documentation rarely repeats a code title word for word ("renal calculus" for "calculus of
kidney"), so a phrase matches when all its normalised content words occur in one sentence
close together. Each sentence is checked only against the phrases keyed by one of its words
(the phrase's rarest word), which keeps matching linear in the length of the text.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter

from medcoder.nlp.tokens import STOPWORDS, tokenize
from medcoder.nlp.vocabulary import Entry, Vocabulary

_LINK_WORDS = frozenset({"with"})
_LIST_NUMBER = re.compile(r"\s*\(?\d{1,2}[.)]\s+")


@cache
def bare_words() -> frozenset[str]:
    """Words that, standing alone, are not reported as a condition (``data/bare_terms.tsv``:
    each with the reason): "under general anesthesia" is a procedure, not R20.0. They still
    count inside longer phrases ("anesthesia of skin")."""
    path = resources.files("medcoder.nlp") / "data" / "bare_terms.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return frozenset(t for row in rows for t, _, _ in tokenize(row["word"]))


@dataclass
class Match:
    entry: Entry
    start: int  # character offsets of the covered text
    end: int
    positions: frozenset[int]  # token indices within the sentence
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True, slots=True)
class _Bucket:
    """The phrases of one key word: those of that word alone, and the rest by second word."""

    alone: list[tuple[int, Entry, frozenset[str]]]
    by_second: dict[str, list[tuple[int, Entry, frozenset[str]]]]

    def candidates(self, present: Collection[str]) -> list[tuple[int, Entry, frozenset[str]]]:
        """``(order, entry, words)`` of the phrases whose second word is ``present``, in the
        bucket's order (which decides between equally good matches)."""
        by_second = self.by_second
        if not by_second:
            return self.alone
        if len(by_second) <= len(present):
            groups = [group for word, group in by_second.items() if word in present]
        else:
            groups = [group for word in present if (group := by_second.get(word))]
        if not groups:
            return self.alone
        if len(groups) == 1 and not self.alone:
            return groups[0]
        found = list(self.alone)
        for group in groups:
            found.extend(group)
        found.sort(key=itemgetter(0))
        return found


_NO_PHRASES = _Bucket([], {})


class ConceptMatcher:
    """Matches a :class:`Vocabulary` against sentences.

    ``slack`` is how many extra words may sit between the words of a phrase, beyond the
    phrase's own length (clinical text inserts modifiers: "chronic *renal* kidney ...").
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        *,
        slack: int = 3,
        lexicon: object = None,
        bare: frozenset[str] = frozenset(),
    ) -> None:
        self.vocabulary = vocabulary
        self.slack = slack
        self.lexicon = lexicon
        self.bare = bare
        self._buckets: dict[str, _Bucket] = {}

    def _bucket(self, token: str) -> _Bucket:
        """The phrases keyed by ``token`` with the set of their words (built once), split by
        their rarest other word: a sentence then checks only the phrases whose second word
        it also holds (a body-part key such as "knee" keys hundreds of injury titles)."""
        bucket = self._buckets.get(token)
        if bucket is None:
            entries = self.vocabulary.by_key.get(token, ())
            if not entries:  # most words of a note key no phrase: one shared empty bucket
                self._buckets[token] = _NO_PHRASES
                return _NO_PHRASES
            frequency = self.vocabulary.frequency
            alone: list[tuple[int, Entry, frozenset[str]]] = []
            by_second: dict[str, list[tuple[int, Entry, frozenset[str]]]] = defaultdict(list)
            for i, entry in enumerate(entries):
                needed = frozenset(entry.tokens)
                others = needed - {token}
                if not others:
                    alone.append((i, entry, needed))
                    continue
                second = min(others, key=lambda t: (frequency.get(t, 0), t))
                by_second[second].append((i, entry, needed))
            bucket = self._buckets[token] = _Bucket(alone, dict(by_second))
        return bucket

    def _expansions(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """Unambiguous abbreviations of the text with the words they stand for (HTN ->
        hypertension), so phrases match whether the author abbreviated or not."""
        if self.lexicon is None:
            return []
        return [
            (m.start, m.end, tuple(t for t, _, _ in tokenize(m.entry.expansion)))
            for m in self.lexicon.find(text)
            if not m.entry.ambiguous
        ]

    def match_sentence(
        self,
        text: str,
        start: int,
        end: int,
        expansions: list[tuple[int, int, tuple[str, ...]]] = (),
        context: frozenset[str] = frozenset(),
    ) -> list[Match]:
        """Matches of one sentence. ``context``: facts of the whole document that phrases may
        require as tokens ("sex=male" for "Hypogonadism, male"), held without a position."""
        list_number = _LIST_NUMBER.match(text, start, end)
        if list_number:  # "2. Chronic kidney disease": the 2 is the list's, not a stage
            start = list_number.end()
        words = [(t, s + start, e + start) for t, s, e in tokenize(text[start:end])]
        abbreviations: set[tuple[int, int]] = set()
        if expansions:
            inside = [x for x in expansions if start <= x[0] < end]
            words = _expand(words, inside)
            abbreviations = {(s, e) for s, e, _ in inside}
        where: dict[str, list[int]] = defaultdict(list)
        # rank[i]: content words up to and including word i (the width of a span in one step)
        rank: list[int] = []
        seen = 0
        for i, (t, _, _) in enumerate(words):
            if t not in STOPWORDS:
                where[t].append(i)
                seen += 1
            rank.append(seen)
        present = where.keys() | context if context else where.keys()
        found: list[Match] = []
        for token, places in where.items():
            for _, entry, needed in self._bucket(token).candidates(present):
                if not needed <= present:
                    continue
                if len(entry.tokens) == 1 and token in self.bare:
                    continue
                for anchor in places:
                    chosen = _choose(entry, token, anchor, where, context)
                    if abbreviations and _splits_abbreviations(chosen, words, abbreviations, text):
                        # the same words may stand outside the abbreviation: "acute on chronic
                        # systolic (HFrEF) heart failure" has its own "heart failure"
                        inside = {i for i, (_, s, e) in enumerate(words) if (s, e) in abbreviations}
                        if anchor not in inside:
                            chosen = _choose(entry, token, anchor, where, context, inside)
                    lo, hi = min(chosen), max(chosen)
                    width = rank[hi] - (rank[lo - 1] if lo else 0)
                    if abbreviations and hi - lo >= len(chosen):
                        width = _written_width(words, lo, hi, chosen, abbreviations)
                    if (
                        width <= len(entry.tokens) + self.slack
                        and not _listed_apart(entry, chosen, words, text)
                        and not _splits_abbreviations(chosen, words, abbreviations, text)
                    ):
                        # "with" links words but is not a finding: {cholelithiasis, with,
                        # cholecystitis} must still yield to {acute, cholecystitis, cholelithiasis}.
                        core = frozenset(p for p in chosen if words[p][0] not in _LINK_WORDS)
                        found.append(Match(entry, words[lo][1], words[hi][2], core, start, end))
                        break
        return _one_reading(_most_specific(found), words)

    def match(
        self,
        text: str,
        sentences: list[tuple[int, int]],
        context: frozenset[str] = frozenset(),
    ) -> list[Match]:
        expansions = self._expansions(text)
        out: list[Match] = []
        for s, e in sentences:
            out.extend(self.match_sentence(text, s, e, expansions, context))
        return out


def _written_width(
    words: list[tuple[str, int, int]],
    lo: int,
    hi: int,
    chosen: set[int],
    abbreviations: set[tuple[int, int]],
) -> int:
    """Content words from ``lo`` to ``hi`` as written: an abbreviation the phrase does not
    use is one word, not its expansion's five ("systolic (HFrEF) heart failure")."""
    width, skipped = 0, set()
    for i in range(lo, hi + 1):
        token, s, e = words[i]
        if token in STOPWORDS:
            continue
        if (s, e) in abbreviations and i not in chosen:
            if (s, e) not in skipped:
                skipped.add((s, e))
                width += 1
            continue
        width += 1
    return width


def _choose(
    entry: Entry,
    token: str,
    anchor: int,
    where: dict[str, list[int]],
    context: frozenset[str],
    avoid: set[int] | None = None,
) -> set[int]:
    """The word positions of ``entry`` nearest ``anchor`` (outside ``avoid`` where the
    sentence has the word elsewhere too)."""
    chosen = {anchor}
    for t in entry.tokens:
        if t == token or (t in context and t not in where):
            continue
        places = where[t]
        if avoid:
            places = [p for p in places if p not in avoid] or places
        chosen.add(_nearest(places, anchor))
    return chosen


def _nearest(places: list[int], anchor: int) -> int:
    """The place closest to ``anchor`` in an ascending list, the earlier one on a tie (what
    ``min(places, key=distance)`` gives, in log time: a sentence may repeat a word often)."""
    i = bisect_left(places, anchor)
    if i == 0:
        return places[0]
    if i == len(places) or anchor - places[i - 1] <= places[i] - anchor:
        return places[i - 1]
    return places[i]


def _expand(
    words: list[tuple[str, int, int]], expansions: list[tuple[int, int, tuple[str, ...]]]
) -> list[tuple[str, int, int]]:
    """Replace the words of each abbreviation by its expansion, all pointing at its span."""
    if not expansions:
        return words
    out: list[tuple[str, int, int]] = []
    spans = sorted(expansions)
    i = 0
    for word in words:
        while i < len(spans) and spans[i][1] <= word[1]:
            i += 1
        if i < len(spans) and spans[i][0] <= word[1] < spans[i][1]:
            s, e, tokens = spans[i]
            if word[1] == s or not out or out[-1][1] != s:
                out.extend((t, s, e) for t in tokens)
            continue
        out.append(word)
    return out


def _most_specific(matches: list[Match]) -> list[Match]:
    """Drop a match whose words all belong to a longer match (the longer one is more specific)."""
    matches.sort(key=lambda m: (-len(m.positions), m.entry.rank))
    kept: list[Match] = []
    for m in matches:
        if any(m.positions < k.positions or (m.positions == k.positions) for k in kept):
            continue
        kept.append(m)
    return kept


_COORDINATORS = frozenset({"and", "or", "plus", "&"})
_LIST_JOIN = re.compile(r"\b(?:and|or)\b", re.I)


def _listed_apart(
    entry: Entry,
    chosen: set[int],
    words: list[tuple[str, int, int]],
    text: str,
) -> bool:
    """Whether the phrase's words are items of a list ("a history of arthritis, hypertension,
    and diabetes type 2"): between two of its words the text has a list's separators, two
    commas or a comma with "and"/"or". Listed conditions are separate conditions, not the
    index's combination of them; "nausea and vomiting" is one phrase and stays whole."""
    positions = sorted(chosen)
    for a, b in zip(positions, positions[1:], strict=False):
        gap = text[words[a][2] : words[b][1]]
        commas = gap.count(",")
        if commas >= 2 or (commas and _LIST_JOIN.search(gap)):
            return True
        # "tubal ligation and removal of a large mole": words on the two sides of "and" that
        # each sit in a phrase of their own are two things, not the index's "tubal mole"; two
        # words joined by "and" ("hypoxic and hypercapnic respiratory failure") modify one noun.
        if (
            _LIST_JOIN.search(gap)
            and sum(
                1 for t, _, _ in words[a + 1 : b] if t not in STOPWORDS and t not in _COORDINATORS
            )
            >= 3
        ):
            return True
    return False


def _splits_abbreviations(
    chosen: set[int],
    words: list[tuple[str, int, int]],
    abbreviations: set[tuple[int, int]],
    text: str | None = None,
) -> bool:
    """Whether a phrase breaks an abbreviation apart: each names a whole concept, so a phrase
    takes its words from one abbreviation at most ("COPD and CHF" is not "pulmonary heart
    disease") and takes most of them ("respiratory failure due to COPD" is not chronic
    respiratory failure: the "chronic" is the COPD's)."""
    if not abbreviations:
        return False
    used: dict[tuple[int, int], int] = defaultdict(int)
    for p in chosen:
        span = (words[p][1], words[p][2])
        if span in abbreviations:
            used[span] += 1
    if len(used) > 1:
        return True
    for span, n in used.items():
        size = sum(1 for _, s, e in words if (s, e) == span)
        if 2 * n < size:
            return True
    if used and text is not None:
        # an abbreviation ends at a list's comma: "COPD, hypertension" is not "pulmonary
        # hypertensive disease"
        ((a, b),) = used
        for p in chosen:
            s, e = words[p][1], words[p][2]
            if (s, e) not in abbreviations and "," in text[min(b, e) : max(a, s)]:
                return True
    return False


def _main_term(match: Match) -> str | None:
    """The index main term a match was reached by ("Fracture, traumatic, wrist" ->
    "fracture"); None for tabular titles and inclusion terms."""
    if match.entry.source not in ("index", "see_also"):
        return None
    return match.entry.text.split(",")[0].split("(")[0].strip().lower()


def _one_reading(matches: list[Match], words: list[tuple[str, int, int]]) -> list[Match]:
    """Two index paths of one main term over shared words are two readings of one condition:
    "right wrist Colles fracture" is a Colles fracture, not also a fracture of the wrist, and
    "aortic stenosis with an aortic valve area of 0.5" is aortic stenosis, not also valve
    stenosis. Readings ending on the same word are one condition too ("wrist Colles
    fracture", reached once by the index and once by a tabular title). The reading whose
    words sit closest together wins (a coder reads the modifier next to the noun first).
    Coordinated modifiers name separate conditions and are all kept:
    "tibia and fibula fractures"."""
    if len(matches) < 2:
        return matches

    def width(m: Match) -> int:
        return max(m.positions) - min(m.positions)

    kept: list[Match] = []
    for m in sorted(matches, key=lambda m: (width(m), -len(m.positions), m.entry.rank)):
        head = _main_term(m)
        clash = False
        for k in kept:
            same = (head is not None and _main_term(k) == head) or max(k.positions) == max(
                m.positions
            )
            if not same or not (m.positions & k.positions):
                continue
            differing = (m.positions - k.positions) | (k.positions - m.positions)
            lo, hi = (min(differing), max(differing)) if differing else (0, 0)
            if not {words[i][0] for i in range(lo, hi + 1)} & _COORDINATORS:
                clash = True
                break
        if not clash:
            kept.append(m)
    return kept
