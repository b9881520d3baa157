"""Candidate CPT procedures from the user's licensed CPT file, with supported modifiers.

medcoder ships no CPT descriptors (AMA copyright), so this works only when the user imported
their own file (``medcoder data import --cpt``); without one it says so and does nothing.

Matching is token overlap within a sentence, as the ICD matcher does it: normalised words in
any order, weighted by rarity (a descriptor's rare words decide, "procedure" barely counts),
and a candidate needs most of its descriptor's weight. Mentions that are negated, planned or
historical are not procedures done today.

Modifiers are added only from what the note states (docs/domain.md §1): RT/LT/50 from
laterality, XS for a documented separate site (never 59 with an X modifier, and XS only when no
anatomic modifier says it), 76/77 for a stated repeat, 78/79 for a stated return to the OR or
unrelated service in the global period, 26/TC for a stated professional/technical component.
Modifier 25 on the E/M is decided by the caller, which sees both.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from medcoder.codesets import pack_store, registry
from medcoder.codesets.cpt import EM_CODES, CptCode, read_cpt
from medcoder.documents.model import Document
from medcoder.documents.sections import find_sections, sentences
from medcoder.nlp.annotator import context_of
from medcoder.nlp.attributes import extract_attributes
from medcoder.nlp.model import Assertion
from medcoder.nlp.tokens import STOPWORDS, tokenize
from medcoder.suggestions import CodeSuggestion, Evidence

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse


def _wordset(text: str) -> frozenset[str]:
    """A word table written as prose-width text (one long list would be unreadable)."""
    return frozenset(text.split())


MIN_COVERAGE = 0.75
"""Share of a descriptor's word weight a sentence must hold for the code to be a candidate."""

# Descriptor words that do not identify a procedure.
_FILLER = _wordset(
    "eg ie including includes each additional separate procedure procedures list code "
    "addition primary single simple first when performed any all other than without with "
    "per one more up cm"
)
_SKIP_ROLES = {"history", "family", "social", "medications", "plan", "ros", "other"}

# (modifier, pattern) read from the sentence of the procedure.
_SENTENCE_MODIFIERS = (
    ("XS", r"\b(?:separate|distinct|different) (?:anatomic(?:al)? )?(?:site|incision|lesion"
     r"|organ|structure)\b"),
    ("77", r"\brepeat(?:ed)?\b[^.]{0,60}\b(?:by|from) (?:another|a different) (?:physician"
     r"|provider|surgeon)\b"),
    ("76", r"\brepeat(?:ed)?\b"),
)  # fmt: skip
# (modifier, pattern) read from the whole note: they describe the encounter.
_NOTE_MODIFIERS = (
    ("78", r"\b(?:unplanned )?return(?:ed)? to the (?:or|operating room)\b"),
    ("79", r"\bunrelated to the (?:prior|previous|original|earlier) (?:surgery|procedure"
     r"|operation)\b|\bunrelated procedure during the (?:global|postoperative) period\b"),
    ("26", r"\bprofessional component(?: only)?\b|\binterpretation only\b"),
    ("TC", r"\btechnical component(?: only)?\b"),
)  # fmt: skip
_SENTENCE_RES = [(m, re.compile(p, re.I)) for m, p in _SENTENCE_MODIFIERS]
_NOTE_RES = [(m, re.compile(p, re.I)) for m, p in _NOTE_MODIFIERS]
_LATERALITY = {"right": "RT", "left": "LT", "bilateral": "50"}


def _is_procedure(code: str) -> bool:
    """E/M (992xx-994xx) and Category II (F) codes are not procedures matched from text."""
    return code not in EM_CODES and not code.endswith("F") and not code.startswith(("992", "993"))


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(t, s, e) for t, s, e in tokenize(text) if t not in STOPWORDS and t not in _FILLER]


@dataclass
class CptIndex:
    """Descriptor words -> codes, with each word's weight (rarer words weigh more)."""

    version: str
    codes: dict[str, CptCode]
    words: dict[str, frozenset[str]] = field(default_factory=dict)
    by_word: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    weight: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, codes: dict[str, CptCode], version: str = "") -> CptIndex:
        index = cls(version, codes)
        for code, row in codes.items():
            if not _is_procedure(code):
                continue
            text = re.sub(r"\([^)]*\)", " ", row.description)
            words = frozenset(t for t, _, _ in _tokens(text) if not t.isdigit())
            if words:
                index.words[code] = words
                for word in words:
                    index.by_word[word].add(code)
        df = Counter(w for words in index.words.values() for w in words)
        total = max(len(index.words), 1)
        index.weight = {w: 1.0 + math.log(total / n) for w, n in df.items()}
        return index

    def coverage(self, code: str, present: set[str]) -> float:
        words = self.words[code]
        have = sum(self.weight[w] for w in words if w in present)
        return have / sum(self.weight[w] for w in words)


_CACHE: dict[tuple, CptIndex] = {}


def load_cpt_index(on: date | None) -> tuple[CptIndex | None, list[str]]:
    """The user's CPT pack in force on ``on`` (the nearest, with a warning, if none is)."""
    packs = registry.list_packs("cpt")
    if not packs:
        return None, [
            "no licensed CPT file imported (`medcoder data import --cpt FILE`): CPT procedure "
            "codes not suggested and E/M descriptors left empty"
        ]
    # the pack in force, else the nearest installed with a warning naming it (never refuse)
    resolved = registry.resolve("cpt", on, "CPT")
    info = resolved.info
    warnings = [resolved.warning] if resolved.warning else []
    key = (info.path, info.path.stat().st_mtime_ns)
    if key not in _CACHE:
        conn = pack_store.open_pack(info.path)
        try:
            _CACHE[key] = CptIndex.build(read_cpt(conn), info.version)
        finally:
            conn.close()
    return _CACHE[key], warnings


@dataclass
class ProcedureMatch:
    code: str
    start: int
    end: int
    coverage: float
    sentence: tuple[int, int]
    matched: frozenset[str]


def _sentence_matches(text: str, lo: int, hi: int, index: CptIndex) -> list[ProcedureMatch]:
    """Best candidates of one sentence; a code whose words are a subset of a better one's is
    dropped (the longer descriptor is the more specific procedure)."""
    words = [(t, lo + s, lo + e) for t, s, e in _tokens(text[lo:hi])]
    present = {t for t, _, _ in words}
    codes = {c for t in present for c in index.by_word.get(t, ())}
    found = []
    for code in codes:
        cover = index.coverage(code, present)
        if cover >= MIN_COVERAGE:
            matched = index.words[code] & present
            spans = [(s, e) for t, s, e in words if t in matched]
            found.append(
                ProcedureMatch(code, spans[0][0], spans[-1][1], cover, (lo, hi), frozenset(matched))
            )
    found.sort(key=lambda m: (-len(m.matched), -m.coverage, m.code))
    kept: list[ProcedureMatch] = []
    for m in found:
        if any(m.matched <= k.matched and m.coverage <= k.coverage for k in kept):
            continue
        kept.append(m)
    return kept


def _modifiers(text: str, m: ProcedureMatch, note_mods: list[tuple[str, str]]) -> list[tuple]:
    """(modifier, why) the documentation supports for one procedure match."""
    out: list[tuple[str, str]] = []
    attrs = extract_attributes(text, m.start, m.end, m.sentence)
    if attrs.laterality:
        site = f" {attrs.body_site}" if attrs.body_site else ""
        out.append((_LATERALITY[attrs.laterality], f'"{attrs.laterality}{site}"'))
    sentence = text[m.sentence[0] : m.sentence[1]]
    for mod, regex in _SENTENCE_RES:
        hit = regex.search(sentence)
        if not hit:
            continue
        if mod == "XS" and attrs.laterality:
            continue  # an anatomic modifier already names the site (DOMAIN 1.1, XS scope)
        if mod == "76" and any(o[0] == "77" for o in out):
            continue
        out.append((mod, f'"{hit.group()}"'))
    return out + note_mods


def _returned_to_or(text: str, m: ProcedureMatch, trigger: str | None) -> bool:
    """ConText reads "return" as hypothetical ("return if worse"); "return to the OR" is not."""
    sentence = text[m.sentence[0] : m.sentence[1]]
    return (trigger or "").lower().startswith("return") and bool(_NOTE_RES[0][1].search(sentence))


def cpt_procedure_suggestions(
    document: Document, *, on: date | None = None, context: ContextParse | None = None
) -> tuple[list[CodeSuggestion], list[str]]:
    """Procedure candidates from the user's CPT file, modifiers in the path."""
    index, warnings = load_cpt_index(on)
    if index is None:
        return [], warnings
    text = document.text
    sections = document.sections or find_sections(text)
    roles = [(s.start, s.end, s.role) for s in sections]
    matches: list[ProcedureMatch] = []
    for sentence in sentences(text, sections):
        role = next((r for a, b, r in roles if a <= sentence.start < b), None)
        if role in _SKIP_ROLES:
            continue
        matches.extend(_sentence_matches(text, sentence.start, sentence.end, index))
    results = (context or context_of(document)).assertions([(m.start, m.end) for m in matches])
    note_mods = [(mod, f'"{hit.group()}"') for mod, r in _NOTE_RES if (hit := r.search(text))]
    if {"78", "79"} <= {m for m, _ in note_mods}:
        warnings.append("note states both a related return to the OR (78) and an unrelated "
                        "procedure (79): choose one")  # fmt: skip
    if {"26", "TC"} <= {m for m, _ in note_mods}:
        warnings.append("note states both professional (26) and technical (TC) components")
    out: dict[tuple[str, tuple[str, ...]], CodeSuggestion] = {}
    for m, ctx in zip(matches, results, strict=True):
        if ctx.assertion is not Assertion.PRESENT and not _returned_to_or(text, m, ctx.trigger):
            continue
        mods = _modifiers(text, m, note_mods)
        names = tuple(dict.fromkeys(mod for mod, _ in mods))
        key = (m.code, names)
        section = document.section_at(m.start)
        evidence = Evidence(
            document.id, m.start, m.end, text[m.start : m.end], section.kind if section else None
        )
        if key in out:
            out[key].evidence.append(evidence)
            continue
        path = [
            f"descriptor words matched: {', '.join(sorted(m.matched))} "
            f"({m.coverage:.0%} of the descriptor's weight)"
        ]
        path += [f"modifier {mod}: {why}" for mod, why in mods]
        if names:
            path.append(f"modifiers: {', '.join(names)}")
        out[key] = CodeSuggestion(
            "CPT",
            m.code,
            index.codes[m.code].description,
            round(0.4 + 0.5 * m.coverage, 4),
            evidence=[evidence],
            path=path,
        )
    return list(out.values()), warnings
