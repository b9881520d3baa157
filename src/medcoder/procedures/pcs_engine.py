"""ICD-10-PCS coding of operative notes, procedure notes and hospital courses.

Per sentence: find procedure words (index main terms and note aliases), drop the ones said
not to have happened (negated, planned: they are not procedures of this stay), walk the index
from the word to a code prefix using the body words around it, choose the root operation by
its definition where the index offers several (Excision or Resection, Drainage or
Extirpation), and complete the code axis by axis with :class:`PcsBuilder`. Constructions that
stop short are reported as their valid prefix and kept, with the missing axis, in
:attr:`PcsResult.incomplete` for physician queries.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from medcoder.codesets.icd10pcs import PcsData
from medcoder.codesets.icd10pcs_index import PcsIndexTerm
from medcoder.documents.model import Document, Setting
from medcoder.documents.sections import segment
from medcoder.nlp.context import ContextAnnotator
from medcoder.nlp.model import Assertion
from medcoder.nlp.tokens import STOPWORDS, tokenize
from medcoder.procedures.pcs_axes import axis_account, start_reasons
from medcoder.procedures.pcs_builder import AxisContext, PcsBuilder, PcsConstruction
from medcoder.procedures.pcs_objects import RemovalObject, removal_object
from medcoder.procedures.pcs_vocabulary import (
    APPROACH_CUES,
    BILATERAL_CUES,
    BODY_SYNONYMS,
    DEVICE_CUES,
    DIAGNOSTIC_CUES,
    DIRECT_STARTS,
    DISCONTINUED_CUES,
    GENERIC_VERBS,
    NO_CONTRAST,
    NOT_PROCEDURE_BEFORE,
    PARTIAL_CUES,
    REMOVAL_VERBS,
    SOLID_MATTER,
    WEAK_TRIGGERS,
    PcsVocabulary,
    phrase,
    root_words,
)
from medcoder.suggestions import CodeSuggestion, Evidence, Rejected

SYSTEM = "ICD-10-PCS"
WINDOW = 6  # tokens either side of a procedure word that may name its body part or approach
_NOT_DONE = re.compile(
    r"\b(?:not\s+(?:been\s+)?(?:performed|done|carried\s+out|undergone|possible|feasible)"
    r"|declined|refused|deferred|cancel+ed|contraindicated|no\s+indication)\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:plan(?:s|ned)?\s+(?:to|for)|scheduled\s+for|will\s+(?:be|undergo)|to\s+be\s+"
    r"(?:performed|done)|recommended|candidate\s+for|consider(?:ed|ing)?|awaiting|pending)\b",
    re.IGNORECASE,
)
_DROP = {Assertion.NEGATED, Assertion.HYPOTHETICAL, Assertion.RULED_OUT, Assertion.FAMILY}


@dataclass
class _Lead:
    """A code prefix the index leads to from one procedure word, with the way there."""

    code: str
    path: list[str]
    words: int = 0  # body words the index subterms matched (more is more specific)


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


@dataclass
class PcsResult:
    """Codes of one document plus the constructions documentation left incomplete."""

    document: str
    codes: list[CodeSuggestion]
    incomplete: list[PcsConstruction]
    mentions: list[PcsMention]
    rejected: list[Rejected] = field(default_factory=list)


def load_pcs(on: date | None = None) -> PcsData:
    """The PCS pack in force on ``on`` (the newest when ``None``), read once per process."""
    return _load(on)


@lru_cache(maxsize=4)
def _load(on: date | None) -> PcsData:
    from medcoder.codesets import pack_store, registry
    from medcoder.codesets.icd10pcs import read_pcs

    info = registry.choose("icd10pcs", on, SYSTEM)
    return read_pcs(pack_store.open_pack(info.path))


class PcsEngine:
    """Procedure coder: ``PcsEngine(setting="inpatient").code_document(document)``.

    ``prefix_length`` cuts incomplete constructions to that many characters when reported
    (4 gives CodiEsp's body-part prefixes); ``None`` reports the longest valid prefix.
    Historical procedures are coded only in the ``abstraction`` setting, which codes every
    procedure a case report mentions.
    """

    def __init__(
        self,
        setting: str | Setting = Setting.INPATIENT,
        *,
        data: PcsData | None = None,
        on: date | None = None,
        prefix_length: int | None = None,
        min_prefix: int = 4,
    ) -> None:
        self.setting = Setting(setting)
        self.data = data if data is not None else load_pcs(on)
        self.vocabulary = PcsVocabulary.build(self.data)
        self.builder = PcsBuilder(self.data.tables)
        self.prefix_length = prefix_length
        self.min_prefix = min_prefix
        self.context = ContextAnnotator()

    def code_document(self, document: Document) -> list[CodeSuggestion]:
        """Suggested PCS codes (complete codes and reported prefixes), best first."""
        return self.analyze(document).codes

    def analyze(self, document: Document) -> PcsResult:
        if not document.sentences:
            segment(document)
        mentions = self._mentions(document)
        self._assert(document, mentions)
        best: dict[str, CodeSuggestion] = {}
        incomplete: list[PcsConstruction] = []
        rejected: list[Rejected] = []
        # Specific procedure words first, generic verbs after: a verb that only restates a
        # procedure already found is folded into it (B3.2), never coded a second time.
        for generic in (False, True):
            for mention in mentions:
                if mention.generic is not generic:
                    continue
                if mention.assertion != "present" and not self._keeps(mention.assertion):
                    continue
                for item in mention.constructions:
                    if not item.complete:
                        incomplete.append(item)
                    if len(item.code) < self.min_prefix:
                        continue
                    suggestion = self._suggest(document, mention, item)
                    old = best.get(suggestion.code)
                    if old is None and generic:
                        old = _same_procedure(suggestion, best.values())
                        if old is not None:
                            old.path.append(
                                f"B3.2: {mention.text!r} ({suggestion.code}) describes the same "
                                f"procedure on the same body part: coded once"
                            )
                            rejected.append(_folded(suggestion, old))
                            if not item.complete:
                                incomplete.remove(item)
                    if old is None:
                        best[suggestion.code] = suggestion
                    else:  # same code twice: coded once (B3.2 codes distinct body parts)
                        old.evidence += suggestion.evidence
                        old.score = max(old.score, suggestion.score)
        codes = sorted(best.values(), key=lambda s: -s.score)
        return PcsResult(document.id, codes, incomplete, mentions, rejected)

    def _keeps(self, assertion: str) -> bool:
        return assertion == Assertion.HISTORICAL and self.setting == Setting.ABSTRACTION

    # -- finding procedure words -------------------------------------------------------

    def _mentions(self, document: Document) -> list[PcsMention]:
        text = document.text
        tokens = [t for t in tokenize(text) if t[0] not in STOPWORDS]
        starts = [t[1] for t in tokens]
        found: list[PcsMention] = []
        for sentence in document.sentences:
            lo = bisect_right(starts, sentence.start - 1)
            hi = bisect_right(starts, sentence.end - 1)
            i = lo
            while i < hi:
                hit = self._trigger_at(tokens, i, hi)
                if hit is None:
                    i += 1
                    continue
                key, length = hit
                mention = PcsMention(
                    text[tokens[i][1] : tokens[i + length - 1][2]],
                    tokens[i][1],
                    tokens[i + length - 1][2],
                    (sentence.start, sentence.end),
                )
                ctx, cues = self._context(tokens, i, i + length, lo, hi)
                mention.generic = key in GENERIC_VERBS
                if key in REMOVAL_VERBS:
                    found_object = removal_object(
                        text, mention.start, mention.end, mention.sentence
                    )
                    if not found_object.words and cues["solid"]:
                        found_object = RemovalObject("solid", "")
                    cues["object"] = found_object
                mention.constructions = self._construct(key, ctx, cues, mention.text)
                if mention.constructions:
                    found.append(mention)
                i += length
        return found

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
        words: set[str] = set()
        for k, word in enumerate(window):
            words.add(BODY_SYNONYMS.get(word, word))
            words.update(root_words(word))
            if k + 1 < len(window):
                pair = (word, window[k + 1])
                words.update(self.vocabulary.body_synonyms.get(pair, ()))
            words.update(self.vocabulary.body_synonyms.get((word,), ()))
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

    # -- from index to code ---------------------------------------------------------------

    def _construct(
        self, key: tuple[str, ...], ctx: AxisContext, cues: dict[str, object], text: str
    ) -> list[PcsConstruction]:
        index = self.data.index
        if index is None:
            return []
        leads: list[_Lead] = []
        titles = self.vocabulary.triggers[key].terms
        found_object: RemovalObject | None = cues.get("object")  # type: ignore[assignment]
        if found_object is not None:
            titles = found_object.operations(key)  # B3.1a: the objective decides
        for title in titles:
            if title in DIRECT_STARTS:
                start, approach, device = DIRECT_STARTS[title]
                ctx = replace(
                    ctx,
                    approach=approach or ctx.approach,
                    approach_words=text if approach else ctx.approach_words,
                    devices=(device, *ctx.devices) if device else ctx.devices,
                )
                said = f"{text!r} names {start}"
                why = dict.fromkeys(range(1, len(start) + 1), said)
                return self.builder.build(start, ctx, [said], why)
            for term in index.lookup(title):
                leads += self._walk(term, ctx, [f"index: {term.title}"], 0)
        if key in WEAK_TRIGGERS:
            if cues["before"] in NOT_PROCEDURE_BEFORE:
                return []
            leads = [lead for lead in leads if lead.words]
        lead = self._choose(leads, ctx, cues, text)
        if lead is None:
            return []
        if found_object is not None:
            lead.path.insert(len(lead.path), found_object.reason(text))
        return self.builder.build(lead.code, ctx, lead.path, start_reasons(lead.code, lead.path))

    def _walk(self, term: PcsIndexTerm, ctx: AxisContext, path: list[str], depth: int) -> list:
        """Leads below ``term`` whose subterm titles the mention's words name."""
        leads: list[_Lead] = []
        ref = term.reference
        if ref is not None and ref.kind == "see" and depth < 3:
            if ref.code:
                leads.append(_Lead(ref.code, [*path, f"see {ref.target} {ref.code}"]))
            else:
                main, _, sub = ref.target.partition(",")
                main = re.sub(r"\s+with\s.*$", "", main).strip()
                for target in self.data.index.lookup(main):  # type: ignore[union-attr]
                    found = self._walk(target, ctx, [*path, f"see {ref.target}"], depth + 1)
                    leads += [lead for lead in found if lead.words or not sub.strip()]
        titled = [c for c in term.children if c.title]
        matched = []
        for child in titled:
            words = _title_words(child.title)
            plain = [w for w in words if w not in ("right", "left", "bilateral")]
            sides = [w for w in words if w in ("right", "left", "bilateral")]
            if plain and all(w in ctx.words for w in plain) and (not sides or ctx.side in sides):
                matched.append((len(plain) + len(sides), child))
            elif not plain and sides and ctx.side in sides:
                matched.append((1, child))
        if matched:
            top = max(n for n, _ in matched)
            for n, child in matched:
                if n == top:
                    below = self._walk(child, ctx, [*path, child.title], depth)
                    for lead in below:
                        lead.words += n
                    leads += below or self._subtree_prefix(child, path)
        elif term.code:
            leads.append(_Lead(term.code, [*path, f"code {term.code}"]))
        for child in term.children:
            if not child.title:
                leads += self._walk(child, ctx, path, depth)
        if not leads and term.code:
            leads.append(_Lead(term.code, [*path, f"code {term.code}"]))
        return leads

    def _subtree_prefix(self, term: PcsIndexTerm, path: list[str]) -> list[_Lead]:
        """The prefix all codes under a subterm share, when its own subterms did not match."""
        codes = [c for c in term.code_prefixes() if len(c) >= 3]
        if term.code:
            return [_Lead(term.code, [*path, term.title, f"code {term.code}"])]
        if not codes:
            return []
        common = codes[0]
        for code in codes[1:]:
            while not code.startswith(common):
                common = common[:-1]
        if len(common) < 3:
            return []
        return [_Lead(common, [*path, term.title, f"prefix {common} shared by its subterms"])]

    def _choose(
        self, leads: list[_Lead], ctx: AxisContext, cues: dict[str, object], text: str
    ) -> _Lead | None:
        """One lead per mention: the root operation the definitions make right."""
        if not leads:
            return None
        ops = {lead.code[:3]: lead for lead in leads}
        op_chars = {lead.code[2] for lead in leads if lead.code[0] == "0"}
        note = None
        want = None
        if {"B", "T"} <= op_chars:
            if cues["partial"] or ctx.diagnostic:
                want, note = "B", "Excision (a portion of a body part)"
            else:
                want, note = "T", "Resection (all of a body part)"
        elif ctx.diagnostic and {"9", "B", "D"} & op_chars:
            want = "9" if "aspiration" in ctx.words or "fluid" in ctx.words else "B"
            if "marrow" in ctx.words and "D" in op_chars:
                want = "D"
            note = {"9": "Drainage", "B": "Excision", "D": "Extraction"}[want]
            note += " with qualifier Diagnostic (biopsy)"
        elif {"9", "C"} <= op_chars:
            want, note = ("C", "Extirpation (solid matter)") if cues["solid"] else ("9", "Drainage")
        if want is not None:
            leads = [lead for lead in leads if lead.code[0] != "0" or lead.code[2] == want]
            if not leads:
                return None
        lead = max(leads, key=lambda lead: (lead.words, len(lead.code)))
        lead.path = list(lead.path)
        if note:
            lead.path.append(f"operation: {note} from {text!r}")
            lead.path.append("B3.1a: root operation by its full definition")
        elif lead.code[0] == "0" and len(lead.code) >= 3:
            name = self.data.tables.tables.get(lead.code[:3])
            if name is not None:
                lead.path.append(f"operation: {name.labels[2]} from {text!r}")
        if cues["discontinued"] and lead.code[0] == "0" and len(lead.code) >= 4:
            inspection = lead.code[:2] + "J" + lead.code[3]
            if self.data.tables.is_valid_prefix(inspection):
                lead = _Lead(inspection, [*lead.path, "B3.3: discontinued -> Inspection"])
        if len(ops) > 1 and not note:
            lead.path.append(f"other index leads: {', '.join(sorted(ops))}")
        return lead

    # -- assertion and output -------------------------------------------------------------

    def _assert(self, document: Document, mentions: list[PcsMention]) -> None:
        """Negated and planned procedures are not coded; history only when abstracting."""
        if not mentions:
            return
        roles = [(s.start, s.end, s.role) for s in document.sections]
        results = self.context.annotate(
            document.text, [(m.start, m.end) for m in mentions], roles or None
        )
        text = document.text
        for mention, result in zip(mentions, results, strict=True):
            after = text[mention.end : mention.sentence[1]]
            before = text[mention.sentence[0] : mention.start]
            assertion = result.assertion
            if assertion == Assertion.NEGATED and result.trigger_end is not None:
                gap = text[result.trigger_end : mention.start]
                if result.trigger_end <= mention.start and len(phrase(gap)) > 1:
                    assertion = Assertion.PRESENT  # "no metastasis in the CT": CT was done
            if _NOT_DONE.search(after[:60]) or _NOT_DONE.search(before[-40:]):
                assertion = Assertion.NEGATED
            elif _PLANNED.search(before[-50:]) or _PLANNED.search(after[:30]):
                assertion = Assertion.HYPOTHETICAL
            if assertion in _DROP:
                mention.assertion = str(assertion)
            elif assertion == Assertion.HISTORICAL:
                mention.assertion = "historical"

    def _suggest(
        self, document: Document, mention: PcsMention, item: PcsConstruction
    ) -> CodeSuggestion:
        code = item.reported(self.prefix_length)
        tables = self.data.tables
        if item.complete:
            description = tables.describe(code).title
            score = 0.9
        else:
            labels = [tables.tables[code[:3]].labels[2]] if len(code) >= 3 else []
            if len(code) >= 4:
                labels.append(tables.values_for(code[:3]).get(code[3], ""))
            description = ", ".join(x for x in labels if x) + f" (incomplete: {item.missing})"
            score = 0.6
        if mention.assertion == "historical":
            score *= 0.6
        section = document.section_at(mention.start)
        evidence = Evidence(
            document.id,
            mention.start,
            mention.end,
            mention.text,
            section.kind if section else None,
            mention.assertion,
            document.page_at(mention.start),
            mention.sentence,
        )
        path = list(item.notes)
        if not item.complete:
            path.append(f"missing axis: {item.missing}; choices: {sorted(item.choices)}")
        suggestion = CodeSuggestion(
            SYSTEM, code, description, score, [evidence], path, sorted(set(item.guidelines))
        )
        suggestion.explanation = axis_account(item, tables, code).to_dict()
        return suggestion


_TAKING_OUT = frozenset("BCDT")  # Excision, Extirpation, Extraction, Resection


def _same_procedure(
    suggestion: CodeSuggestion, kept: Iterable[CodeSuggestion]
) -> CodeSuggestion | None:
    """A kept code for the same act as a generic verb's code, or None (B3.2).

    B3.2 codes a root operation more than once only for distinct body parts or distinct
    objectives. A verb such as "removed" whose code takes something out of the same body
    part (section, body system and body part equal) as a specific procedure word describes
    that procedure again. A biopsy followed by a definitive procedure is two procedures
    (B3.4b), so a diagnostic code is never folded.
    """
    code = suggestion.code
    if len(code) < 4 or code[0] != "0" or code[2] not in _TAKING_OUT or code[6:7] == "X":
        return None
    for other in kept:
        c = other.code
        same_part = len(c) >= 4 and (c[0], c[1], c[3]) == (code[0], code[1], code[3])
        if same_part and c[2] in _TAKING_OUT:
            return other
    return None


def _folded(suggestion: CodeSuggestion, into: CodeSuggestion) -> Rejected:
    return Rejected(
        suggestion.code,
        suggestion.description,
        f"same procedure as {into.code} (same body part, one objective): coded once",
        "B3.2",
        list(suggestion.evidence),
    )


@lru_cache(maxsize=50_000)
def _title_words(title: str) -> tuple[str, ...]:
    return phrase(title)
