"""CDI opportunities: rules evaluated against a document's indicators and its coding result.

:func:`find` is the one entry point: a document (or an encounter) and its setting in, the
opportunities out, each with a compliant draft. An opportunity is raised only when (a) the rule
applies to the setting, (b) the diagnosis it looks for is neither coded nor documented by a
provider (AHIMA/ACDIS 2022: do not query when the record already supports the code), and (c)
every required criteria group is met by clinical indicators that can be cited, and no
``absent`` group is. No indicators, no opportunity: a query without clinical indicators is
non-compliant, so none is ever drafted.

The 2022 brief's reasons to query are all rule data: indicators without a diagnosis,
specificity (a condition documented without what its code needs: ``unspecified`` criteria),
clinical validation (a documented diagnosis whose supporting indicators are ``absent``),
conflicting documentation (``conflict`` criteria) and present on admission (``poa_unclear``).
A phrase counts only as its assertion allows (never negated, hypothetical, a consent risk, in
an allergy list or the family history: :mod:`medcoder.cdi.mentions`).

Values that could not serve (no unit, impossible, undated where the rule compares dates) are
listed on the opportunity with their reasons, never dropped silently.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from medcoder.cdi.documented import conflicts, one_per_sentence, unspecified, words_regex
from medcoder.cdi.drafting import DraftQuery, draft_query
from medcoder.cdi.indicators import ExcludedValue, Indicator, IndicatorSet, collect_indicators
from medcoder.cdi.mentions import NOT_THE_PATIENTS, PhraseHit
from medcoder.cdi.rules import (
    CodeCriterion,
    ConflictCriterion,
    CriteriaGroup,
    KeywordCriterion,
    MeasurementCriterion,
    PoaCriterion,
    Rule,
    RuleSet,
    TrendCriterion,
    UnspecifiedCriterion,
    default_rules,
)
from medcoder.documents.model import Document, Encounter, Setting
from medcoder.suggestions import CodeSuggestion, CodingResult, Evidence

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip
MAX_CITED_MENTIONS = 3  # per criterion: enough to show the pattern, not the whole chart
# POA is undetermined when the engine gave no indicator, "U" (documentation insufficient) or
# "W" (clinically undetermined); "Y", "N" and "1" (exempt) are answers already (CMS POA
# reporting guidelines, ICD-10-CM Appendix I).
UNDETERMINED_POA = ("", "U", "W")
POA_SYSTEM = "ICD-10-CM"  # POA indicators are reported for diagnoses only, never procedures
CODED_ASSERTIONS = ("present", "possible")  # engine evidence a code criterion may cite


@dataclass
class Opportunity:
    """A query worth asking: the rule, the indicators behind it, what was left out, the draft."""

    rule_id: str
    title: str
    document: str
    indicators: list[Indicator]
    excluded: list[ExcludedValue] = field(default_factory=list)
    query: DraftQuery | None = None
    code: str | None = None  # the coded diagnosis a per-code (POA) query is about
    topic: str = ""
    reason: str = ""
    missing: list[str] = field(default_factory=list)  # what a specificity query asks for

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "title": self.title,
            "topic": self.topic,
            "reason": self.reason,
            "document": self.document,
            "code": self.code,
            "missing": list(self.missing),
            "indicators": [_indicator_dict(i) for i in self.indicators],
            "excluded": [_excluded_dict(e) for e in self.excluded],
            "query": self.query.to_dict() if self.query else None,
        }


def _moment(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _indicator_dict(i: Indicator) -> dict[str, object]:
    return {
        "kind": i.kind, "name": i.name, "value": i.value, "unit": i.unit,
        "date": _moment(i.observed_at), "document": i.document, "start": i.start, "end": i.end,
        "text": i.text, "section": i.section,
    }  # fmt: skip


def _excluded_dict(e: ExcludedValue) -> dict[str, object]:
    return {
        "name": e.name, "value": e.value, "unit": e.unit, "date": _moment(e.observed_at),
        "document": e.document, "start": e.start, "end": e.end, "text": e.text,
        "reason": e.reason,
    }  # fmt: skip


@dataclass
class _Outcome:
    met: bool
    support: list[Indicator] = field(default_factory=list)
    excluded: list[ExcludedValue] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class _Context:
    rule: Rule
    found: IndicatorSet
    codes: list[CodeSuggestion]


def _undated(values: Iterable[Indicator], rule: Rule) -> list[ExcludedValue]:
    reason = f"no date: rule {rule.id} compares values by date"
    return [
        ExcludedValue(v.name, v.text, reason, v.document, v.value, v.unit, v.start, v.end)
        for v in values
        if v.observed_at is None
    ]


def _distinct(values: Iterable[Indicator]) -> list[Indicator]:
    seen: dict[tuple[object, ...], Indicator] = {}
    for v in values:
        seen.setdefault(v.draw_key, v)
    return list(seen.values())


def _measurement(c: MeasurementCriterion, ctx: _Context) -> _Outcome:
    values = ctx.found.values(c.analyte)
    excluded = _undated(values, ctx.rule) if c.require_date else []
    if c.require_date:
        values = [v for v in values if v.observed_at is not None]
    compare = _COMPARE[c.comparator]
    hits = _distinct(v for v in values if v.value is not None and compare(v.value, c.value))
    return _Outcome(len(hits) >= c.min_count, hits, excluded)


def _hours(moment: datetime | date) -> float:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return moment.timestamp() / 3600


def _trend(c: TrendCriterion, ctx: _Context) -> _Outcome:
    """The largest qualifying change from an earlier draw to a later one (KDIGO style)."""
    values = _distinct(v for v in ctx.found.values(c.analyte) if v.value is not None)
    excluded: list[ExcludedValue] = []
    if c.within_hours is not None:
        excluded = _undated(values, ctx.rule)
        values = [v for v in values if v.observed_at is not None]
    if values and all(v.observed_at is not None for v in values):
        values.sort(key=lambda v: _hours(v.observed_at))  # type: ignore[arg-type]
    best: tuple[float, Indicator, Indicator] | None = None
    for i, first in enumerate(values):
        for later in values[i + 1 :]:
            if c.within_hours is not None:
                gap = _hours(later.observed_at) - _hours(first.observed_at)  # type: ignore[arg-type]
                if gap < 0 or gap > c.within_hours:
                    continue
            a, b = first.value or 0.0, later.value or 0.0
            change = b - a if c.direction == "rise" else a - b
            if change <= 0:
                continue
            if c.min_change is not None:
                ok, score = change >= c.min_change - 1e-9, change
            else:
                base, new = (a, b) if c.direction == "rise" else (b, a)
                score = new / base if base > 0 else 0.0
                ok = score >= (c.min_ratio or 0) - 1e-9
            if ok and (best is None or score > best[0]):
                best = (score, first, later)
    if best is None:
        return _Outcome(False, [], excluded)
    return _Outcome(True, [best[1], best[2]], excluded)


def _cited(kind: str, m: PhraseHit) -> Indicator:
    return Indicator(
        kind, m.keyword, m.text, m.document, m.start, m.end, context=m.context,
        nursing=m.nursing, section=m.section,
    )  # fmt: skip


def _keyword(c: KeywordCriterion, ctx: _Context) -> _Outcome:
    mentions = [
        m
        for m in ctx.found.mentions_of(c.keywords)
        if m.counts(c.assertions) and (c.sources == "any" or (c.sources == "nursing") == m.nursing)
    ]
    support = [_cited(c.kind, m) for m in mentions[:MAX_CITED_MENTIONS]]
    return _Outcome(bool(support), support)


def _unspecified(c: UnspecifiedCriterion, ctx: _Context) -> _Outcome:
    found = unspecified(c, ctx.found)
    if found is None:
        return _Outcome(False)
    mentions, missing = found
    cited = [_cited("documented", m) for m in one_per_sentence(mentions)[:MAX_CITED_MENTIONS]]
    return _Outcome(True, cited, [], missing)


def _conflict(c: ConflictCriterion, ctx: _Context) -> _Outcome:
    pair = conflicts(c, ctx.found)
    return _Outcome(bool(pair), [_cited("documented", m) for m in pair])


def _usable(e: Evidence) -> bool:
    return e.section not in NOT_THE_PATIENTS and e.assertion in CODED_ASSERTIONS


def _code_indicator(code: CodeSuggestion, found: IndicatorSet) -> Indicator | None:
    """The documentation behind a coded diagnosis, cited as an indicator (its evidence)."""
    evidence = [e for e in code.evidence if _usable(e)]
    if not evidence:
        return None
    e = evidence[0]
    context = e.text
    text = found.texts.get(e.document)
    if e.sentence and text:
        context = text[e.sentence[0] : e.sentence[1]]
    return Indicator(
        "code", code.code, e.text, e.document, e.start, e.end, context=context, section=e.section
    )


@cache
def _bare_prefixes(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.replace(".", "").upper() for p in prefixes)


def _matches(code: str, prefixes: Iterable[str]) -> bool:
    """``code`` falls under one of the code prefixes (dots and case ignored)."""
    return code.replace(".", "").upper().startswith(_bare_prefixes(tuple(prefixes)))


def _code(c: CodeCriterion, ctx: _Context) -> _Outcome:
    named = words_regex(tuple(c.evidence_words))
    support = [
        i
        for code in ctx.codes
        if _matches(code.code, c.codes)
        and (i := _code_indicator(code, ctx.found))
        and (named is None or named.search(i.text))
    ]
    return _Outcome(bool(support), support)


_EVALUATORS: dict[type, Callable[[object, _Context], _Outcome]] = {
    MeasurementCriterion: _measurement,  # type: ignore[dict-item]
    TrendCriterion: _trend,  # type: ignore[dict-item]
    KeywordCriterion: _keyword,  # type: ignore[dict-item]
    CodeCriterion: _code,  # type: ignore[dict-item]
    UnspecifiedCriterion: _unspecified,  # type: ignore[dict-item]
    ConflictCriterion: _conflict,  # type: ignore[dict-item]
}


def _group(group: CriteriaGroup, ctx: _Context) -> _Outcome:
    labels: set[str] = set()
    out = _Outcome(False)
    for criterion in group.any_of:
        evaluate = _EVALUATORS.get(type(criterion))
        if evaluate is None:
            continue
        result = evaluate(criterion, ctx)
        out.excluded.extend(result.excluded)
        if result.met and result.support:
            labels.add(criterion.key)
            out.support.extend(result.support)
            out.missing.extend(m for m in result.missing if m not in out.missing)
    out.met = len(labels) >= group.min_met
    return out


def _unspecified_spans(rule: Rule, found: IndicatorSet) -> set[tuple[str, int, int]]:
    """Where the rule's condition is documented without its specifiers."""
    spans: set[tuple[str, int, int]] = set()
    for c in rule.criteria_flat():
        if isinstance(c, UnspecifiedCriterion) and (result := unspecified(c, found)):
            spans.update((m.document, m.start, m.end) for m in result[0])
    return spans


def _supports(code: CodeSuggestion, unspecified_at: set[tuple[str, int, int]]) -> bool:
    """A code is supported by evidence that is the patient's and is not the very unspecified
    documentation the query is about ("anemia, gastrointestinal bleeding" matched to D50.0
    does not document a type of anemia)."""
    return any(
        _usable(e)
        and not any(d == e.document and s < e.end and e.start < t for d, s, t in unspecified_at)
        for e in code.evidence
    )


def _already_there(rule: Rule, ctx: _Context) -> bool:
    """Coded, or documented by a provider: the record supports the code, so no query."""
    coded = [c for c in ctx.codes if _matches(c.code, rule.diagnosis.coded_prefixes)]
    if coded:
        unspecified_at = _unspecified_spans(rule, ctx.found)
        if any(_supports(code, unspecified_at) for code in coded):
            return True
    if not rule.diagnosis.documented_phrases:
        return False
    mentions = ctx.found.mentions_of(rule.diagnosis.documented_phrases)
    return any(m.counts(rule.diagnosis.assertions) and not m.nursing for m in mentions)


def _unique(items: Iterable[Indicator]) -> list[Indicator]:
    seen: dict[tuple[object, ...], Indicator] = {}
    for i in items:
        seen.setdefault((i.kind, i.name, i.document, i.start, i.end, i.observed_at, i.value), i)
    return list(seen.values())


def _unique_excluded(items: Iterable[ExcludedValue]) -> list[ExcludedValue]:
    seen: dict[tuple[object, ...], ExcludedValue] = {}
    for e in items:
        seen.setdefault((e.document, e.start, e.end, e.name, e.value), e)
    return list(seen.values())


def _evaluate(rule: Rule, ctx: _Context, encounter_id: str) -> Opportunity | None:
    support: list[Indicator] = []
    missing: list[str] = []
    excluded = list(ctx.found.excluded_for(rule.analytes))
    for group in rule.criteria:
        outcome = _group(group, ctx)
        if group.absent:
            if outcome.met:
                return None  # the indicators that would support the diagnosis are there
            continue
        if not outcome.met:
            if group.optional:
                continue
            return None
        support.extend(outcome.support)
        excluded.extend(outcome.excluded)
        missing.extend(m for m in outcome.missing if m not in missing)
    support = _unique(support)
    if not support:
        return None
    query = draft_query(rule, support, found=ctx.found, encounter_id=encounter_id, missing=missing)
    return Opportunity(
        rule.id, rule.title, encounter_id, support, _unique_excluded(excluded), query,
        topic=rule.topic, reason=rule.query.reason, missing=missing,
    )  # fmt: skip


def poa_undetermined(code: CodeSuggestion) -> bool:
    """A diagnosis whose POA indicator is still open: no value, "U" or "W", with evidence to
    cite. Procedure codes carry no POA, so they never raise a POA query."""
    return (
        code.system.upper() == POA_SYSTEM
        and (code.poa or "").upper() in UNDETERMINED_POA
        and bool(code.evidence)
    )


def _timing_stated(e: Evidence, c: PoaCriterion, found: IndicatorSet) -> bool:
    """The sentence (else the line) of ``e`` dates the onset: "admitted with", "chronic",
    "developed on day 3", "postoperative day 2"; asserted any way, the words date it."""
    phrases = [*c.evident_phrases, *c.onset_phrases]
    if not phrases:
        return False
    text = found.texts.get(e.document, "")
    line = (text.rfind("\n", 0, e.start) + 1, (text.find("\n", e.end) + 1 or len(text) + 1) - 1)
    lo, hi = e.sentence or line
    mentions = found.mentions_of(phrases, asserted=False)
    return any(m.document == e.document and lo <= m.start < hi for m in mentions)


def _poa_unclear(rule: Rule, ctx: _Context, encounter_id: str) -> list[Opportunity]:
    """One POA query per coded diagnosis whose onset the record genuinely leaves open.

    It must be documented only where the stay after admission is told (the hospital course),
    never in what was known at admission, with no words dating its onset; the query cites where
    it is first documented and where it is not (the timing evidence).
    """
    out = []
    for c in (c for c in rule.criteria_flat() if isinstance(c, PoaCriterion)):
        for code in ctx.codes:
            if not poa_undetermined(code) or _matches(code.code, c.exempt_prefixes):
                continue
            evidence = [e for e in code.evidence if _usable(e)]
            if not evidence or any(e.section in c.evident_sections for e in evidence):
                continue
            if not all(e.section in c.after_admission_sections for e in evidence):
                continue
            if any(_timing_stated(e, c, ctx.found) for e in evidence):
                continue
            indicator = _code_indicator(code, ctx.found)
            if indicator is None:
                continue
            first = evidence[0]
            where = (first.section or "").replace("_", " ")
            timing = Indicator(
                "timing", "first documented", f"first documented in the {where}", first.document,
                first.start, first.end, section=first.section,
                context=f"first documented in the {where}; not documented in the history, "
                "chief complaint or admission diagnoses, and no onset stated",
            )  # fmt: skip
            query = draft_query(
                rule, [indicator, timing], found=ctx.found, documented=indicator.text,
                encounter_id=encounter_id,
            )  # fmt: skip
            out.append(
                Opportunity(
                    rule.id, rule.title, encounter_id, [indicator, timing], [], query, code.code,
                    topic=rule.topic, reason=rule.query.reason,
                )
            )  # fmt: skip
    return out


def find(
    document: Document | Encounter,
    setting: str | Setting | None = None,
    *,
    coding: CodingResult | None = None,
    rules: RuleSet | Iterable[Rule] | None = None,
) -> list[Opportunity]:
    """The query opportunities of one document (or annotated document), or of every document
    of an encounter.

    ``setting`` decides which rules apply (POA only for inpatient records); it defaults to the
    encounter's own setting and, for a lone document, to inpatient, where every rule may
    apply. ``coding`` is what the engine (or a coder) coded: a rule whose diagnosis is coded
    asks nothing, and code criteria and POA checks read it. Documents without sections are
    segmented first (:func:`medcoder.documents.sections.segment`).
    """
    annotated = None
    if not isinstance(document, Document | Encounter) and isinstance(
        getattr(document, "document", None), Document
    ):
        annotated = document  # the pipeline's AnnotatedDocument: its document, its dates
        document = document.document
    if setting is None:
        setting = str(document.setting) if isinstance(document, Encounter) else "inpatient"
    setting = str(setting)
    if rules is None:
        rules = default_rules()
    elif not isinstance(rules, RuleSet):
        rules = RuleSet(rules)  # a RuleSet keeps its compiled keywords; a list is wrapped
    documents = document.documents if isinstance(document, Encounter) else [annotated or document]
    found = collect_indicators(documents, keywords=rules.keywords)
    codes = list(coding.codes) if coding else []
    out: list[Opportunity] = []
    for rule in rules:
        if setting not in rule.settings:
            continue
        ctx = _Context(rule, found, codes)
        if _already_there(rule, ctx):
            continue
        if rule.per_code:
            out.extend(_poa_unclear(rule, ctx, document.id))
        elif opportunity := _evaluate(rule, ctx, document.id):
            out.append(opportunity)
    return out


def find_opportunities(
    document: Document | Encounter,
    coding_result: CodingResult | None,
    rules: RuleSet | Iterable[Rule] | None = None,
    *,
    setting: str | None = None,
) -> list[Opportunity]:
    """:func:`find` with the coding result first (the workbench's and older callers' order)."""
    return find(document, setting, coding=coding_result, rules=rules)
