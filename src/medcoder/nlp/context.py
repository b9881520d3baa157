"""Assertion detection: is a mentioned condition present, negated, uncertain, past, or not the patient's?

Coding turns on this: a negated or family-history diagnosis must never become a code, an
uncertain one is coded only in inpatient settings, a historical one becomes a "personal
history of" code at most. We use medspaCy's ConText algorithm with its default English rules
plus ours in ``data/assertion_rules.v1.json``; together they form the named, versioned rule
set ``medcoder.assertion_rules.v1`` so every explanation can say which rules decided.

Speed (>= 100 notes of 500 words per second on one core): a document is tokenised once with a
blank English tokenizer (no model, no PyRuSH); sentence starts come from one token scan;
medspaCy's rules are compiled into spaCy matchers once per process and run once per document;
medspaCy's ConTextModifier/ConTextGraph then decide scopes and edges sentence by sentence,
which keeps their pairwise comparisons small (ConText itself compares every pair in the
whole document).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy
from medspacy.context import ConText, ConTextGraph, ConTextModifier, ConTextRule
from spacy.attrs import SENT_START
from spacy.lang.en import English
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from medcoder.nlp.model import Assertion, Mention

RULE_SET = "medcoder.assertion_rules.v1"
RISK_ROLE = "risk"  # a consent or risk discussion (see ``overlay_roles``)

_CATEGORY_ASSERTION = {
    "RULED_OUT": Assertion.RULED_OUT,
    "NEGATED_EXISTENCE": Assertion.NEGATED,
    "FAMILY": Assertion.FAMILY,
    "HYPOTHETICAL": Assertion.HYPOTHETICAL,
    "HISTORICAL": Assertion.HISTORICAL,
    "POSSIBLE_EXISTENCE": Assertion.POSSIBLE,
}
# When several modifiers reach one target, the first in this order wins: an excluded or absent
# condition is never coded, whoever else mentions it; family beats "history" in "family history".
_PRIORITY = (
    "RULED_OUT",
    "NEGATED_EXISTENCE",
    "FAMILY",
    "HYPOTHETICAL",
    "HISTORICAL",
    "POSSIBLE_EXISTENCE",
)
_TEMPORALITY = {Assertion.HYPOTHETICAL: "future", Assertion.HISTORICAL: "historical"}
_CURRENT_RE = re.compile(
    r"\b(?:current(?:ly)?|now|active|ongoing|today|presents?|presenting|admitted|on admission)\b",
    re.IGNORECASE,
)
_SENT_END = frozenset({".", "!", "?"})
# A sentence of more tokens is cut (medcoder.documents.sections.MAX_SENTENCE for the same
# reason): ConText relates every trigger of a sentence to every target in it, so one endless
# "sentence" would cost the square of its length.
MAX_SENTENCE_TOKENS = 400
_BULLET_START = re.compile(r"[-*\u2022#>]|\d")


@dataclass(frozen=True, slots=True)
class ContextResult:
    """The assertion for one target span and what decided it (for explanations)."""

    assertion: Assertion
    temporality: str  # current, historical, future
    trigger: str | None = None  # the text that decided it, e.g. "denies"
    trigger_start: int | None = None
    trigger_end: int | None = None
    category: str | None = None  # medspaCy category, or "SECTION" for a section-role override
    rule_set: str = RULE_SET


_RULES_PATH = Path(__file__).parent / "data" / "assertion_rules.v1.json"
_TARGET = "TARGET"


# Distinct whitespace-separated chunks primed into the tokenizer's cache (see _make_doc);
# past this many (about 40 MB with spaCy's cache entries; a month of notes meets its common
# words well before) the cache stops growing and spaCy tokenizes as it would alone.
MAX_PRIMED_CHUNKS = 100_000


@dataclass(frozen=True)
class _Compiled:
    nlp: Language
    matcher: Matcher
    phrases: PhraseMatcher
    rules: dict[int, ConTextRule]  # match id -> rule
    order: dict[int, tuple[bool, int]]  # match id -> (literal rule?, position in the list)
    primed: set[str] = field(default_factory=set)  # chunks whose tokenization was cached


def _make_doc(compiled: _Compiled, text: str) -> Doc:
    """The spaCy tokenization of ``text``, with the tokenizer's cache kept warm.

    spaCy's tokenizer caches the tokens of each whitespace-separated chunk, but stops saving
    to the cache for the rest of a text once one chunk hits a tokenizer exception ("Dr.",
    "a.m.", "'s": the flag ``has_special`` is one per call, spaCy 3.7 ``tokenizer.pyx``
    ``_tokenize_affixes``), and nearly every clinical note has one early on: two thirds of a
    note's chunks were split by regular expressions again in every note. Tokenizing each new
    chunk once on its own saves it to the cache exactly as spaCy would have (a chunk's tokens
    do not depend on its neighbours; chunks that are exceptions are still never cached), so
    the tokens are the same and later notes find their chunks in the cache.
    """
    primed = compiled.primed
    if len(primed) < MAX_PRIMED_CHUNKS:
        tokenizer = compiled.nlp.tokenizer
        for chunk in set(text.split()) - primed:
            primed.add(chunk)
            tokenizer(chunk)
    return compiled.nlp.make_doc(text)


def _expand_first(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rewrite a token pattern so its first token is a plain equality test.

    spaCy's Matcher tries every pattern at every token; a first token with ``IN`` or ``OP``
    costs a Python predicate call per token, which made medspaCy's own matcher the slowest
    step. Equivalent alternatives with a literal first token are about four times faster.
    """
    first, rest = pattern[0], pattern[1:]
    op = first.get("OP")
    if op in ("?", "*"):
        plain = {k: v for k, v in first.items() if k != "OP"}
        repeats = (1, 2) if op == "*" else (1,)
        out = _expand_first(rest) if rest else []
        for n in repeats:
            out.extend(_expand_first([plain] * n + rest))
        return out
    for attr in ("LOWER", "ORTH", "TEXT"):
        value = first.get(attr)
        if isinstance(value, dict) and set(value) == {"IN"}:
            others = {k: v for k, v in first.items() if k != attr}
            return [[{**others, attr: item}, *rest] for item in value["IN"]]
    return [pattern]


MAX_PHRASE_VARIANTS = 64


def _phrase_variants(pattern: list[dict[str, Any]]) -> list[tuple[str, ...]] | None:
    """The word sequences a token pattern of lower-case words matches, or None when it is no
    such pattern (other attributes, repeats) or stands for too many.

    Nearly all ConText rules are words, word lists (``IN``) and optional words (``OP: ?``);
    as phrases they run in spaCy's PhraseMatcher, a hash lookup per token, instead of the
    token Matcher, which tries every pattern at every token: the Matcher was two thirds of
    the assertion engine's time. A token's ``LOWER`` must be the value, in either matcher.
    """
    options: list[list[str | None]] = []
    for token in pattern:
        op = token.get("OP")
        if set(token) - {"LOWER", "OP"} or op not in (None, "?"):
            return None
        value = token.get("LOWER")
        words = value.get("IN") if isinstance(value, dict) and set(value) == {"IN"} else value
        words = [words] if isinstance(words, str) else words
        if not isinstance(words, list) or not all(
            isinstance(w, str) and w == w.lower() and w for w in words
        ):
            return None
        options.append([*words, None] if op == "?" else list(words))
    variants = [()]
    for choice in options:
        variants = [(*v, w) if w is not None else v for v in variants for w in choice]
        if len(variants) > MAX_PHRASE_VARIANTS:
            return None
    return sorted({v for v in variants if v}) or None


@lru_cache(maxsize=2)
def _compile(use_defaults: bool) -> _Compiled:
    """Load medspaCy's default rules plus ours and compile them once per process.

    This runs once in every ``medcoder code`` process, so it is part of the cold start:
    ``English()`` builds the same tokenizer as ``spacy.blank("en")`` without resolving a
    config (0.07 s less), and the matcher skips spaCy's pydantic check of each token pattern
    (0.1 s; ``tests/nlp/test_context.py`` checks every pattern instead).
    """
    nlp = English()
    nlp.max_length = 200_000_000  # tokenizer only: no parser/NER memory limit applies
    spec = json.loads(_RULES_PATH.read_text(encoding="utf-8"))
    if spec["name"] != RULE_SET:
        raise ValueError(f"{_RULES_PATH} holds {spec['name']}, expected {RULE_SET}")
    rules: list[ConTextRule] = []
    if use_defaults:
        defaults = ConText(nlp, rules=None, span_attrs=None).DEFAULT_RULES_FILEPATH
        replaced = set(spec["replaces_defaults"])
        rules.extend(r for r in ConTextRule.from_json(defaults) if r.literal not in replaced)
    rules.extend(ConTextRule.from_dict(d) for d in spec["context_rules"])
    for rule in rules:
        if rule.category == "RULED_OUT":
            rule.on_modifies = _ruled_out_reaches
    matcher = Matcher(nlp.vocab, validate=False)
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    by_id: dict[int, ConTextRule] = {}
    for i, rule in enumerate(rules):
        key = f"ctx{i}"
        by_id[nlp.vocab.strings.add(key)] = rule
        variants = _phrase_variants(rule.pattern) if isinstance(rule.pattern, list) else None
        if variants is not None:
            phrases.add(key, [Doc(nlp.vocab, words=list(words)) for words in variants])
        elif isinstance(rule.pattern, list):
            matcher.add(key, _expand_first(rule.pattern))
        elif rule.pattern is None:
            phrases.add(key, [nlp.make_doc(rule.literal.lower())])
        else:
            raise ValueError(f"regex ConText rule {rule.literal!r} is not supported")
    order = {m: (rule.pattern is None, i) for i, (m, rule) in enumerate(by_id.items())}
    return _Compiled(nlp, matcher, phrases, by_id, order)


def _ruled_out_reaches(target: Span, modifier: Span, between: Span) -> bool:
    """A trailing "ruled out" reaches back past a comma only through a list ("A, B and C").

    "Chest pain, MI ruled out": only MI was ruled out; the chest pain is real.
    """
    if target.end > modifier.start:
        return True
    words = {t.lower_ for t in between}
    return "," not in words or bool(words & {"and", "or", "nor"})


def _sentence_starts(doc: Doc, extra_starts: list[int]) -> list[int]:
    """Token indices that start a sentence: after . ! ?, blank lines, list lines, sections.

    A single newline only starts a sentence when the next line looks like a new item
    (capital, digit, bullet) or the line ended with a colon; wrapped prose stays one sentence.
    """
    starts = [0]
    extra = sorted(set(extra_starts))
    k = 0
    prev_text = ""
    before_prev = ""
    for token in doc:
        i = token.i
        text = token.text
        if i:
            new = prev_text in _SENT_END
            if not new and prev_text.isspace():
                newlines = prev_text.count("\n")
                new = newlines >= 2 or (
                    newlines == 1
                    and (
                        text[:1].isupper() or bool(_BULLET_START.match(text)) or before_prev in ":."
                    )
                )
            if k < len(extra) and extra[k] <= token.idx:
                new = True
                while k < len(extra) and extra[k] <= token.idx:
                    k += 1
            if new or i - starts[-1] >= MAX_SENTENCE_TOKENS:
                starts.append(i)
        elif extra:
            while k < len(extra) and extra[k] <= token.idx:
                k += 1
        before_prev, prev_text = prev_text, text
    return starts


def _set_sentences(doc: Doc, starts: list[int]) -> None:
    flags = numpy.full((len(doc), 1), -1, dtype="int32")
    flags[starts, 0] = 1
    doc.from_array([SENT_START], flags.astype("uint64"))


def _modifiers(
    doc: Doc, compiled: _Compiled, bounds: tuple[int, int] | None = None
) -> list[tuple[int, int, ConTextRule]]:
    """Matched triggers of the doc (or of the tokens ``bounds``), overlaps pruned so the
    longest wins ("no history of" over "history")."""
    lo, hi = bounds if bounds is not None else (0, len(doc))
    part = doc[lo:hi]
    # spaCy's Matcher answers a Span in the span's token offsets, its PhraseMatcher in the doc's.
    matches = [(m, s + lo, e + lo) for m, s, e in compiled.matcher(part)]
    matches += list(compiled.phrases(part))
    # Longest first, then leftmost; a span two rules match goes to a rule written as a token
    # pattern (words in context: "to prevent ... prophylaxis") before a bare literal
    # ("prophylaxis"), then to the rule listed first, whichever matcher found it.
    order = compiled.order
    matches.sort(key=lambda m: (m[1] - m[2], m[1], order[m[0]]))
    taken = bytearray(len(doc))
    kept = []
    for match_id, start, end in matches:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end, compiled.rules[match_id]))
    return kept


def _scope(rule: ConTextRule, start: int, end: int, sent: tuple[int, int]) -> tuple[int, int]:
    """ConText's scope: the sentence in the rule's direction, cut to ``max_scope`` tokens."""
    lo, hi = sent
    if rule.direction == "FORWARD":
        lo = end
    elif rule.direction == "BACKWARD":
        hi = start
    if rule.max_scope is not None:
        lo, hi = max(lo, start - rule.max_scope), min(hi, end + rule.max_scope)
    return lo, hi


class ContextAnnotator:
    """Decide the assertion of each target span in a text.

    The constructor only stores settings; the tokenizer and compiled rules are built on first
    use and shared by every annotator in the process.
    """

    def __init__(self, *, use_default_rules: bool = True) -> None:
        self.use_default_rules = use_default_rules
        self.rule_set = RULE_SET

    def parse(
        self, text: str, section_roles: list[tuple[int, int, str]] | None = None
    ) -> ContextParse:
        """The text tokenised once, cut into sentences, with its roles: ask it the assertion of
        any spans, as often as needed (:meth:`ContextParse.assertions`)."""
        return ContextParse(_compile(self.use_default_rules), text, section_roles)

    def annotate(
        self,
        text: str,
        spans: list[tuple[int, int]],
        section_roles: list[tuple[int, int, str]] | None = None,
    ) -> list[ContextResult]:
        """One :class:`ContextResult` per span in ``spans``, in the same order.

        ``section_roles`` are ``(start, end, role)`` ranges; a ``family`` role makes a
        non-negated mention FAMILY, a ``history`` role makes a present or uncertain mention
        HISTORICAL unless its sentence says it is current.
        """
        if not spans:
            return []
        return self.parse(text, section_roles).assertions(spans)


class ContextParse:
    """One text as ConText reads it: tokens, sentences, section roles, triggers per sentence.

    Built once per document (:attr:`medcoder.nlp.annotated.AnnotatedDocument.context`), so
    diagnoses, procedures, services, CDI and casework ask for the assertion of their own spans
    without tokenising the note again. Each :meth:`assertions` call relates its spans to the
    triggers of their sentences afresh: a ConText rule may modify only its nearest targets
    (``max_targets``), so the answer for a span depends on the other spans asked with it,
    exactly as when the spans were annotated on their own.
    """

    def __init__(
        self, compiled: _Compiled, text: str, section_roles: list[tuple[int, int, str]] | None
    ) -> None:
        self._compiled = compiled
        self.text = text
        self.roles = sorted(section_roles or [])
        self._role_starts = [r[0] for r in self.roles]
        self._triggers: dict[int, list[tuple[int, int, ConTextRule]]] = {}

    @cached_property
    def _sentences(self) -> tuple[Doc, list[int], list[tuple[int, int]]]:
        """The tokens (sentence starts set), the sentences' first tokens and their bounds;
        tokenised on first use."""
        doc = _make_doc(self._compiled, self.text)
        starts = _sentence_starts(doc, self._role_starts)
        _set_sentences(doc, starts)
        return doc, starts, list(zip(starts, [*starts[1:], len(doc)], strict=True))

    def _sentence_triggers(self, s: int) -> list[tuple[int, int, ConTextRule]]:
        found = self._triggers.get(s)
        if found is None:
            doc, _, bounds = self._sentences
            found = self._triggers[s] = _modifiers(doc, self._compiled, bounds[s])
        return found

    def assertions(self, spans: list[tuple[int, int]]) -> list[ContextResult]:
        """One :class:`ContextResult` per span, in the same order (see
        :meth:`ContextAnnotator.annotate`)."""
        if not spans:
            return []
        text, roles = self.text, self.roles
        doc, starts, bounds = self._sentences
        targets: list[Span | None] = []
        by_sentence: dict[int, tuple[list[Span], list[ConTextModifier]]] = {}
        for start, end in spans:
            if not 0 <= start < end <= len(text):
                raise ValueError(f"span {start}..{end} outside text of length {len(text)}")
            target = doc.char_span(start, end, label=_TARGET, alignment_mode="expand")
            targets.append(target)
            if target is not None:
                s = bisect_right(starts, target.start) - 1
                by_sentence.setdefault(s, ([], []))[0].append(target)
        # Triggers are looked for only in the sentences that hold a target: a modifier acts
        # within its sentence, and most sentences of a note hold no concept.
        for s in sorted(by_sentence):
            for start, end, rule in self._sentence_triggers(s):
                lo, hi = _scope(rule, start, end, bounds[s])
                by_sentence[s][1].append(ConTextModifier(rule, start, end, doc, lo, hi))
        best: dict[tuple[int, int], tuple[int, int, ConTextModifier]] = {}
        for sentence_targets, modifiers in by_sentence.values():
            if not modifiers:
                continue
            modifiers.sort(key=lambda m: m.modifier_span)
            graph = ConTextGraph(targets=sentence_targets, modifiers=modifiers)
            graph.update_scopes()
            graph.apply_modifiers()
            for target, modifier in graph.edges:
                if modifier.category not in _CATEGORY_ASSERTION:
                    continue
                m_start, m_end = modifier.modifier_span
                distance = max(m_start - target.end, target.start - m_end, 0)
                rank = (_PRIORITY.index(modifier.category), distance)
                key = (target.start, target.end)
                if key not in best or rank < best[key][:2]:
                    best[key] = (*rank, modifier)
        # A trigger that takes in the target's first words ("No history of kidney stones":
        # the index phrase starts at "history") is outside ConText's scope, which begins after
        # the trigger; it still modifies the target it runs into.
        for sentence_targets, modifiers in by_sentence.values():
            for target in sentence_targets:
                key = (target.start, target.end)
                if key in best:
                    continue
                for modifier in modifiers:
                    m_start, m_end = modifier.modifier_span
                    if (
                        m_start < target.start < m_end
                        and modifier.category in _CATEGORY_ASSERTION
                        and modifier.direction in ("FORWARD", "BIDIRECTIONAL")
                    ):
                        best[key] = (_PRIORITY.index(modifier.category), 0, modifier)
                        break
        results = []
        for (start, _end), target in zip(spans, targets, strict=True):
            found = best.get((target.start, target.end)) if target is not None else None
            if found:
                result = _from_modifier(doc, found[2])
            else:
                result = ContextResult(Assertion.PRESENT, "current")
            if roles and target is not None:
                sentence = bounds[bisect_right(starts, target.start) - 1]
                role = _role_at(roles, self._role_starts, start)
                result = _apply_role(result, role, doc[sentence[0] : sentence[1]])
            results.append(result)
        return results


def _from_modifier(doc: Doc, modifier: ConTextModifier) -> ContextResult:
    assertion = _CATEGORY_ASSERTION[modifier.category]
    m_start, m_end = modifier.modifier_span
    span = doc[m_start:m_end]
    return ContextResult(
        assertion,
        _TEMPORALITY.get(assertion, "current"),
        span.text,
        span.start_char,
        span.end_char,
        modifier.category,
    )


def _apply_role(result: ContextResult, role: str | None, sentence: Span) -> ContextResult:
    """Section roles override what the sentence alone says (a family-history list item); a
    ``risk`` range (a consent discussion, ``documents.sections.risk_discussions``) makes a
    mention hypothetical: "risks include bleeding, DVT" says nothing the patient has."""
    absent = result.assertion in (Assertion.NEGATED, Assertion.RULED_OUT)
    if role == "family" and not absent:
        return ContextResult(Assertion.FAMILY, "current", category="SECTION")
    if role == RISK_ROLE and not absent:
        return ContextResult(Assertion.HYPOTHETICAL, "future", category="RISK_DISCUSSION")
    current = role == "history" and _CURRENT_RE.search(sentence.text)
    if (
        role == "history"
        and result.assertion in (Assertion.PRESENT, Assertion.POSSIBLE)
        and not current
    ):
        return ContextResult(Assertion.HISTORICAL, "historical", category="SECTION")
    return result


def overlay_roles(
    roles: list[tuple[int, int, str]], spans: list[tuple[int, int]], role: str = "risk"
) -> list[tuple[int, int, str]]:
    """``roles`` (sorted, non-overlapping ranges) with ``spans`` cut in under ``role``.

    What :meth:`ContextAnnotator.annotate` takes as ``section_roles``: a risk discussion inside
    a plan section splits that section's range in three (plan, risk, plan).
    """
    out: list[tuple[int, int, str]] = []
    cuts = sorted(spans)
    for start, end, kind in sorted(roles):
        position = start
        for lo, hi in cuts:
            lo, hi = max(lo, start), min(hi, end)
            if lo >= hi or hi <= position:
                continue
            if lo > position:
                out.append((position, lo, kind))
            out.append((max(lo, position), hi, role))
            position = hi
        if position < end:
            out.append((position, end, kind))
    covered = [(s, e) for s, e, _ in out]
    for lo, hi in cuts:  # a risk span outside every section (no sections given)
        if not any(s < hi and lo < e for s, e in covered):
            out.append((lo, hi, role))
    return sorted(out)


def _role_at(roles: list[tuple[int, int, str]], starts: list[int], offset: int) -> str | None:
    """Role of the (sorted, non-overlapping) range holding ``offset``; a bisect, not a scan."""
    i = bisect_right(starts, offset) - 1
    if i >= 0 and offset < roles[i][1]:
        return roles[i][2]
    return None


def annotate_mentions(
    annotator: ContextAnnotator,
    text: str,
    mentions: list[Mention],
    section_roles: list[tuple[int, int, str]] | None = None,
) -> None:
    """Set ``assertion``/``temporality`` on mentions in place, one tokenisation for all.

    The deciding trigger goes into ``mention.attributes['assertion_trigger']`` so an
    explanation can quote it.
    """
    results = annotator.annotate(text, [(m.start, m.end) for m in mentions], section_roles)
    for mention, result in zip(mentions, results, strict=True):
        mention.assertion = result.assertion
        mention.temporality = result.temporality
        if result.trigger:
            mention.attributes["assertion_trigger"] = result.trigger
        if result.category:
            mention.attributes["assertion_rule"] = f"{result.rule_set}:{result.category}"
