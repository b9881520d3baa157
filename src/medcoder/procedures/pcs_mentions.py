"""Procedure words in a span of text, each with the axis context around it.

A procedure word is an Index main term or a note alias (:class:`PcsVocabulary`); its context
is the words within :data:`WINDOW` tokens (body words, the nearest side word, approach and
device cues) and, for a generic removal verb, the object it takes out (B3.1a). The Index
route (:class:`IndexRoute`) turns each into constructions.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from medcoder.nlp.tokens import STOPWORDS, tokenize
from medcoder.procedures.pcs_builder import AxisContext, PcsConstruction
from medcoder.procedures.pcs_objects import RemovalObject, removal_object
from medcoder.procedures.pcs_route import IndexRoute
from medcoder.procedures.pcs_vocabulary import (
    APPROACH_CUES,
    BILATERAL_CUES,
    BODY_SYNONYMS,
    DEVICE_CUES,
    DIAGNOSTIC_CUES,
    DISCONTINUED_CUES,
    GENERIC_VERBS,
    NO_CONTRAST,
    PARTIAL_CUES,
    REMOVAL_VERBS,
    SOLID_MATTER,
    PcsVocabulary,
    root_words,
)

WINDOW = 6  # tokens either side of a procedure word that may name its body part or approach
# Position words of notes and the words PCS body-part labels use for the same position.
POSITION_WORDS = {"distal": "lower", "proximal": "upper", "mid": "middle"}
# Words (as the tokenizer normalises them) that make a procedure word an instrument's name.
INSTRUMENTS = frozenset(
    {"scissor", "forceps", "clamp", "clamps", "knife", "knive", "blade", "retractor", "needle"}
    | {"set", "tray", "kit"}
)
Extend = Callable[[AxisContext], AxisContext]
Token = tuple[str, int, int]


@dataclass
class PcsMention:
    """A procedure word in a note and what the engine made of it."""

    text: str
    start: int
    end: int
    sentence: tuple[int, int]
    constructions: list[PcsConstruction] = field(default_factory=list)
    assertion: str = "present"
    generic: bool = False  # a verb naming a root operation only ("removed"), see B3.2
    term: str = ""  # the surgical term (pcs_terms) that named it, if any
    queries: list[str] = field(default_factory=list)  # what the note must say to code it
    source: str = "sentence"  # statement, description, course, sentence


class MentionFinder:
    """Finds procedure words and builds their constructions through the Index route."""

    def __init__(self, vocabulary: PcsVocabulary, route: IndexRoute) -> None:
        self.vocabulary = vocabulary
        self.route = route
        self._cached: tuple[str, list[Token]] | None = None

    def _tokens(self, text: str) -> list[Token]:
        if self._cached is None or self._cached[0] is not text:
            self._cached = (text, [t for t in tokenize(text) if t[0] not in STOPWORDS])
        return self._cached[1]

    def find(
        self,
        text: str,
        spans: Iterable[tuple[int, int]],
        extend: Extend | None = None,
    ) -> list[PcsMention]:
        """Procedure words in each span of ``text`` (a span is read like a sentence).

        ``extend`` may add what the rest of the note says (body words of the diagnosis, the
        side) to the axis context of each mention before its code is built.
        """
        tokens = self._tokens(text)
        starts = [t[1] for t in tokens]
        found: list[PcsMention] = []
        for span_start, span_end in spans:
            lo = bisect_right(starts, span_start - 1)
            hi = bisect_right(starts, span_end - 1)
            i = lo
            while i < hi:
                hit = self._trigger_at(tokens, i, hi)
                if hit is None:
                    i += 1
                    continue
                key, length = hit
                if i + length < hi and tokens[i + length][0] in INSTRUMENTS:
                    i += length  # "tenotomy scissors", "biopsy forceps": an instrument
                    continue
                mention = PcsMention(
                    text[tokens[i][1] : tokens[i + length - 1][2]],
                    tokens[i][1],
                    tokens[i + length - 1][2],
                    (span_start, span_end),
                )
                ctx, cues = self._context(tokens, i, i + length, lo, hi)
                if extend is not None:
                    ctx = extend(ctx)
                mention.generic = key in GENERIC_VERBS
                if key in REMOVAL_VERBS:
                    found_object = removal_object(
                        text, mention.start, mention.end, mention.sentence
                    )
                    if not found_object.words and cues["solid"]:
                        found_object = RemovalObject("solid", "")
                    cues["object"] = found_object
                mention.constructions = self.route.construct(key, ctx, cues, mention.text)
                if mention.constructions:
                    found.append(mention)
                i += length
        return found

    def body_words(self, window: list[str]) -> set[str]:
        """Words an axis label may be matched against: each word, its organ noun, the body
        part key's and the Index's *use* targets, the organ a procedure root names, and the
        PCS position words (``distal`` esophagus is the lower esophagus)."""
        words: set[str] = set()
        for k, word in enumerate(window):
            words.add(BODY_SYNONYMS.get(word, word))
            words.update(root_words(word))
            if word in POSITION_WORDS:
                words.add(POSITION_WORDS[word])
            if k + 1 < len(window):
                pair = (word, window[k + 1])
                words.update(self.vocabulary.body_synonyms.get(pair, ()))
            words.update(self.vocabulary.body_synonyms.get((word,), ()))
        return words

    def _trigger_at(
        self, tokens: list[tuple[str, int, int]], i: int, hi: int
    ) -> tuple[tuple[str, ...], int] | None:
        words = [BODY_SYNONYMS.get(t[0], t[0]) for t in tokens[i : min(hi, i + 6)]]
        for key in self.vocabulary.by_first.get(words[0], ()):
            if tuple(words[: len(key)]) == key:
                return key, len(key)
        return None

    def _context(
        self,
        tokens: list[tuple[str, int, int]],
        i: int,
        j: int,
        lo: int,
        hi: int,
    ) -> tuple[AxisContext, dict[str, object]]:
        """Words, side, approach and device cues within :data:`WINDOW` tokens of a mention."""
        a, b = max(lo, i - WINDOW), min(hi, j + WINDOW)
        window = [t[0] for t in tokens[a:b]]
        words = self.body_words(window)
        side, distance = None, WINDOW + 1
        for k in range(a, b):
            word = tokens[k][0]
            if word in ("right", "left") or word in BILATERAL_CUES:
                gap = i - k if k < i else k - j + 1
                if gap < distance:
                    side, distance = ("bilateral" if word in BILATERAL_CUES else word), gap
        mention_words = tuple(t[0] for t in tokens[i:j])
        approach = self.vocabulary.approach_for(mention_words)
        approach_words = " ".join(mention_words) if approach else None
        if approach is None:
            for k, word in enumerate(window):
                pair = f"{word} {window[k + 1]}" if k + 1 < len(window) else ""
                approach = APPROACH_CUES.get(pair) or APPROACH_CUES.get(word)
                if approach:
                    approach_words = pair if pair in APPROACH_CUES else word
                    break
        devices = tuple(
            label for cue, label in DEVICE_CUES.items() if all(w in words for w in cue.split())
        )
        sentence_words = {t[0] for t in tokens[lo:hi]}
        ctx = AxisContext(
            words=frozenset(w for w in words if w not in ("right", "left", "bilateral")),
            side=side,
            approach=approach,
            devices=devices,
            diagnostic=bool(DIAGNOSTIC_CUES & set(mention_words)),
            no_contrast=any(all(w in window for w in cue) for cue in NO_CONTRAST),
            approach_words=approach_words,
        )
        cues = {
            "partial": bool(PARTIAL_CUES & words),
            "solid": bool(SOLID_MATTER & words),
            "discontinued": bool(DISCONTINUED_CUES & sentence_words),
            "mention": mention_words,
            "before": tokens[i - 1][0] if i > lo else "",
        }
        return ctx, cues
