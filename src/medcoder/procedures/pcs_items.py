"""Code the procedures named in one span of a note: a statement item or a sentence.

Surgical terms of :mod:`pcs_terms` (and their resolvers) are tried first, because they carry
the objective the words alone do not say (TURP is an Excision); every other procedure word
goes through the Index route (:class:`MentionFinder`). Each part is built axis by axis; when
the span's own words leave an axis open, the note is read further in a fixed order (A11: the
coder correlates the whole record with the PCS definitions): the diagnosis (the side of a
"left pleural effusion"), then the description (the side written next to the body part, the
one approach the description uses). Only what is still open becomes a query (A8).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from medcoder.nlp.tokens import STOPWORDS, tokenize
from medcoder.procedures.pcs_builder import AxisContext, PcsBuilder, PcsConstruction
from medcoder.procedures.pcs_cues import NoteCues, side_of
from medcoder.procedures.pcs_mentions import MentionFinder, PcsMention
from medcoder.procedures.pcs_resolvers import RESOLVED_TERMS
from medcoder.procedures.pcs_route import IndexRoute
from medcoder.procedures.pcs_terms import (
    TERMS,
    Part,
    ProcedureTerm,
    TermContext,
    collapse,
    fold,
)
from medcoder.procedures.pcs_vocabulary import (
    APPROACH_CUES,
    DEVICE_CUES,
    DIAGNOSTIC_CUES,
    LATERALITY,
    PcsVocabulary,
    phrase,
)

ALL_TERMS: list[ProcedureTerm] = [*TERMS, *RESOLVED_TERMS]
# A procedure word after these names the way to the operative site, a step not coded
# separately (B3.1b): "repair of rotator cuff through mini-arthrotomy".
_MEANS = re.compile(r"\b(?:through|via|using|by\s+way\s+of)\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,2}$")
# An attempted procedure is coded to what was done (B3.3), which the statement does not say.
_NOT_COMPLETED = re.compile(r"\b(?:failed|unsuccessful|attempted|aborted|abandoned)\b")
_BODY_AXES = frozenset({"Body Part", "Body System", "Body Region", "Body System / Region"})


@dataclass(frozen=True)
class ProcedureSpan:
    """Where to look for a procedure: the words ``[start, end)``, their wider context, a
    borrowed tail."""

    start: int
    end: int
    context: tuple[int, int]
    borrowed: str = ""
    item: bool = False  # a statement item: its words are the evidence, not just the term's
    description: bool = False  # a sentence of an operative description


def term_matches(text: str) -> list[tuple[ProcedureTerm, re.Match[str]]]:
    """Non-overlapping term matches in folded ``text``, earliest first, longest on ties."""
    found = []
    for term in ALL_TERMS:
        if term.unless and term.unless.search(text):
            continue
        found += [(term, m) for m in term.pattern.finditer(text) if m.group(0).strip()]
    found.sort(key=lambda tm: (tm[1].start(), -(tm[1].end() - tm[1].start())))
    kept: list[tuple[ProcedureTerm, re.Match[str]]] = []
    order = {id(t): i for i, t in enumerate(ALL_TERMS)}
    for term, m in found:
        clash = [k for k in kept if k[1].start() < m.end() and m.start() < k[1].end()]
        if not clash:
            kept.append((term, m))
        elif all(order[id(term)] < order[id(k[0])] for k in clash) and m.end() - m.start() >= max(
            k[1].end() - k[1].start() for k in clash
        ):
            kept = [k for k in kept if k not in clash] + [(term, m)]
    return sorted(kept, key=lambda tm: tm[1].start())


class ItemCoder:
    """Builds the constructions of the procedures a span names, reading the note as needed."""

    def __init__(
        self,
        vocabulary: PcsVocabulary,
        route: IndexRoute,
        builder: PcsBuilder,
        finder: MentionFinder,
    ) -> None:
        self.vocabulary = vocabulary
        self.route = route
        self.builder = builder
        self.finder = finder

    def code(
        self, text: str, span: ProcedureSpan, cues: NoteCues, *, terms_only: bool = False
    ) -> list[PcsMention]:
        """Mentions of the procedures in ``text[span.start:span.end]`` with constructions."""
        own = text[span.start : span.end] + span.borrowed
        folded = fold(own)
        context = collapse(text[span.context[0] : span.context[1]] + span.borrowed)
        mentions: list[PcsMention] = []
        covered: list[tuple[int, int]] = []
        for term, m in term_matches(folded):
            start = span.start + min(m.start(), span.end - span.start)
            end = span.start + min(m.end(), span.end - span.start)
            if end <= start:
                continue
            found = self._term(text, span, term, collapse(own), context, cues, (start, end))
            if found is not None:
                mentions.append(found)
                covered.append((start, end))
        if terms_only:
            return mentions
        for mention in self._index_words(text, span, cues):
            if any(a < mention.end and mention.start < b for a, b in covered):
                continue
            if _MEANS.search(fold(text[span.start : mention.start])):
                continue  # "repair through a mini-arthrotomy": the way in (B3.1b)
            mentions.append(mention)
        return mentions

    def _index_words(self, text: str, span: ProcedureSpan, cues: NoteCues) -> list[PcsMention]:
        """Index-route procedure words of the span, read further while an axis is open."""
        where = [(span.start, span.end)]
        around = self._with_context(text, span)
        sentence = self._with_span(text, span)
        best: dict[tuple[int, int], PcsMention] = {}
        for words in (
            around,
            *(lambda c, w=w: w(sentence(around(c))) for w in self._words(span, cues)),
        ):
            for extend in (words, lambda c, w=words: self._with_body(cues)(w(c))):
                for mention in self.finder.find(text, where, extend):
                    key = (mention.start, mention.end)
                    old = best.get(key)
                    if old is None or (
                        _extends(mention, old) and _progress(mention) > _progress(old)
                    ):
                        best[key] = mention
                if best and all(c.complete for m in best.values() for c in m.constructions):
                    return [best[k] for k in sorted(best)]
        return [best[k] for k in sorted(best)]

    # -- surgical terms ----------------------------------------------------------------------

    def _term(
        self,
        text: str,
        span: ProcedureSpan,
        term: ProcedureTerm,
        own: str,
        context: str,
        cues: NoteCues,
        where: tuple[int, int],
    ) -> PcsMention | None:
        if _NOT_COMPLETED.search(own):
            mention = PcsMention(text[where[0] : where[1]], where[0], where[1], span_of(span))
            mention.term = term.name
            mention.queries.append(
                f"{term.name} not completed: which root operation was performed (B3.3)?"
            )
            return mention
        parts, why = term.parts, term.why
        for pattern, variant, variant_why in term.variants:
            if pattern.search(context) or pattern.search(cues.body):
                parts, why = variant, variant_why
        if term.resolve is not None:
            named = self.vocabulary.devices_in(_tokens(f"{own} {context} {cues.body}"))
            resolved = term.resolve(
                TermContext(own, context, cues.diagnosis, cues.body, tuple(named))
            )
            if resolved is None:
                return None
            parts, why = resolved
        if span.item:
            where = (span.start, span.end)
        mention = PcsMention(text[where[0] : where[1]], where[0], where[1], (span.start, span.end))
        mention.term = term.name
        for part in parts:
            if part.query:
                mention.queries.append(part.query)
                continue
            ctx = self._part_context(text, span, part)
            said = f"{term.name}: {why}" if why else term.name
            if part.note:
                said += f" ({part.note})"

            def build(ctx: AxisContext, part: Part = part, said: str = said) -> PcsConstruction:
                return self._build_part(part, ctx, said, mention.text)

            built = self._complete(build(ctx), build, span, cues, ctx)
            built.guidelines += [g for g in term.guidelines if g not in built.guidelines]
            mention.constructions.append(built)
        return mention

    def _build_part(self, part: Part, ctx: AxisContext, said: str, text: str) -> PcsConstruction:
        if part.index:
            built = self.route.construct_from((part.index,), ctx, {}, text)
            if built:
                best = max(built, key=lambda c: len(c.code))
                best.notes.insert(0, said)
                return best
            return PcsConstruction("", [said], missing="Body Part")
        why = dict.fromkeys(range(1, len(part.start) + 1), said)
        built = self.builder.build(part.start, ctx, [said], why)
        return max(built, key=lambda c: len(c.code))

    def _part_context(self, text: str, span: ProcedureSpan, part: Part) -> AxisContext:
        own = _tokens(text[span.start : span.end] + span.borrowed)
        around = _tokens(text[span.context[0] : span.context[1]] + span.borrowed)
        words = self.finder.body_words(own)
        for word in part.words:
            words.update(self.finder.body_words(list(phrase(word)) or [word]))
        side = part.side or side_of(own) or side_of(around)
        approach = part.approach
        approach_words = f"{part.approach} (by definition)" if approach else None
        if approach is None:
            said = self.vocabulary.approach_for(tuple(own)) or self.vocabulary.approach_for(
                tuple(around)
            )
            cue = next((w for w in [*own, *around] if w in APPROACH_CUES), None)
            approach = said or (APPROACH_CUES[cue] if cue else None)
            approach_words = cue if cue and not said else ("the procedure's name" if said else None)
        if approach is None and part.default_approach:
            approach = part.default_approach
            approach_words = f"{approach} (usual approach of the procedure)"
        devices = list(part.devices)
        devices += [d for d in self.vocabulary.devices_in(around) if d not in devices]
        devices += [
            label
            for cue, label in DEVICE_CUES.items()
            if all(w in around for w in cue.split()) and label not in devices
        ]
        return AxisContext(
            words=frozenset(w for w in words if w not in LATERALITY),
            side=side,
            approach=approach,
            devices=tuple(devices),
            diagnostic=bool(DIAGNOSTIC_CUES & set(own)),
            approach_words=approach_words,
        )

    # -- reading further -----------------------------------------------------------------------

    def _complete(
        self,
        built: PcsConstruction,
        build: Callable[[AxisContext], PcsConstruction],
        span: ProcedureSpan,
        cues: NoteCues,
        ctx: AxisContext,
    ) -> PcsConstruction:
        """Rebuild with more of the note's words, each time also with the description's side
        and approach, while an axis is still open."""
        if built.complete:
            return built
        body = self._with_body(cues)
        tiers = [lambda c: c, *self._words(span, cues)]
        for extend in (e for w in tiers for e in (w, lambda c, w=w: body(w(c)))):
            wider = extend(ctx)
            if wider == ctx:
                continue
            again = build(wider)
            # What the span itself decided stays: the note read further only adds axes.
            if again.code.startswith(built.code) and len(again.code) > len(built.code):
                built = again
            if built.complete:
                break
        return built

    def _with_context(self, text: str, span: ProcedureSpan) -> Callable[[AxisContext], AxisContext]:
        """The approach the item's coordinated piece names ("upper endoscopy with removal
        of food impaction": the removal is endoscopic)."""
        around = _tokens(text[span.context[0] : span.context[1]])
        said = self.vocabulary.approach_for(tuple(around))

        def extend(ctx: AxisContext) -> AxisContext:
            if ctx.approach is not None or said is None:
                return ctx
            return replace(ctx, approach=said, approach_words="the procedure it is done with")

        return extend

    def _with_span(self, text: str, span: ProcedureSpan) -> Callable[[AxisContext], AxisContext]:
        """Body words of the whole span, beyond the window around the procedure word ("cup
        biopsies were taken from the right lateral wall of the bladder")."""
        words = self.finder.body_words(_tokens(text[span.start : span.end]))

        def extend(ctx: AxisContext) -> AxisContext:
            return replace(ctx, words=frozenset((set(ctx.words) | words) - LATERALITY))

        return extend

    def _words(
        self, span: ProcedureSpan, cues: NoteCues
    ) -> list[Callable[[AxisContext], AxisContext]]:
        """Where to read body words next: for a sentence of an operative description, the
        organs the statement operates on ("a biopsy was taken"); then the diagnoses."""
        diagnosis = self._with_diagnosis(cues)
        if not span.description:
            return [diagnosis]
        return [self._with_statement(cues), diagnosis]

    def _with_statement(self, cues: NoteCues) -> Callable[[AxisContext], AxisContext]:
        words = self.finder.body_words(cues.statement_words)

        def extend(ctx: AxisContext) -> AxisContext:
            return replace(ctx, words=frozenset((set(ctx.words) | words) - LATERALITY))

        return extend

    def _with_diagnosis(self, cues: NoteCues) -> Callable[[AxisContext], AxisContext]:
        def extend(ctx: AxisContext) -> AxisContext:
            words = set(ctx.words) | self.finder.body_words(cues.diagnosis_words)
            side = ctx.side or cues.diagnosis_side
            return replace(ctx, words=frozenset(words - LATERALITY), side=side)

        return extend

    def _with_body(self, cues: NoteCues) -> Callable[[AxisContext], AxisContext]:
        def extend(ctx: AxisContext) -> AxisContext:
            side = ctx.side or cues.body_side(set(ctx.words))
            approach, words = ctx.approach, ctx.approach_words
            if approach is None and cues.approach is not None:
                approach, found = cues.approach
                words = f"the description: {found!r}"
            return replace(ctx, side=side, approach=approach, approach_words=words)

        return extend


def span_of(span: ProcedureSpan) -> tuple[int, int]:
    return span.start, span.end


def _extends(new: PcsMention, old: PcsMention) -> bool:
    """Whether ``new`` keeps every character ``old`` had decided."""
    return all(any(n.code.startswith(o.code) for n in new.constructions) for o in old.constructions)


def _progress(mention: PcsMention) -> tuple[int, int]:
    """How far a mention's constructions got: complete ones, then characters decided."""
    built = mention.constructions
    return sum(c.complete for c in built), sum(len(c.code) for c in built)


def _tokens(text: str) -> list[str]:
    return [t for t, _, _ in tokenize(text) if t not in STOPWORDS]
