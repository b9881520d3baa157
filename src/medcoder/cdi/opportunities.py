"""CDI opportunities: rules evaluated against a document's indicators and its coding result.

An opportunity is raised only when (a) the rule applies to the setting, (b) the diagnosis it
looks for is neither coded nor documented by a provider (AHIMA/ACDIS 2022: do not query when
the record already supports the code), and (c) every criteria group is met by clinical
indicators that can be cited. No indicators, no opportunity: a query without clinical
indicators is non-compliant, so none is ever drafted.

Values that could not serve (no unit, impossible, undated where the rule compares dates) are
listed on the opportunity with their reasons, never dropped silently.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from medcoder.cdi.drafting import DraftQuery, draft_query
from medcoder.cdi.indicators import ExcludedValue, Indicator, IndicatorSet, collect_indicators
from medcoder.cdi.rules import (
    CodeCriterion,
    CriteriaGroup,
    KeywordCriterion,
    MeasurementCriterion,
    PoaCriterion,
    Rule,
    RuleSet,
    TrendCriterion,
    default_rules,
)
from medcoder.documents.model import Document, Encounter
from medcoder.suggestions import CodeSuggestion, CodingResult

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip
MAX_CITED_MENTIONS = 5  # per keyword criterion: enough to show the pattern, not the whole chart
# POA is undetermined when the engine gave no indicator, "U" (documentation insufficient) or
# "W" (clinically undetermined); "Y", "N" and "1" (exempt) are answers already (CMS POA
# reporting guidelines, ICD-10-CM Appendix I).
UNDETERMINED_POA = ("", "U", "W")
POA_SYSTEM = "ICD-10-CM"  # POA indicators are reported for diagnoses only, never procedures


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

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "title": self.title,
            "document": self.document,
            "code": self.code,
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
        "text": i.text,
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


def _keyword(c: KeywordCriterion, ctx: _Context) -> _Outcome:
    mentions = [
        m
        for m in ctx.found.mentions_of(c.keywords)
        if not m.negated and (c.sources == "any" or (c.sources == "nursing") == m.nursing)
    ]
    support = [
        Indicator(
            c.kind, m.keyword, m.text, m.document, m.start, m.end, context=m.context,
            nursing=m.nursing,
        )
        for m in mentions[:MAX_CITED_MENTIONS]
    ]  # fmt: skip
    return _Outcome(bool(support), support)


def _code_indicator(code: CodeSuggestion, found: IndicatorSet) -> Indicator | None:
    """The documentation behind a coded diagnosis, cited as an indicator (its evidence)."""
    if not code.evidence:
        return None
    e = code.evidence[0]
    context = e.text
    text = found.texts.get(e.document)
    if e.sentence and text:
        context = text[e.sentence[0] : e.sentence[1]]
    return Indicator("code", code.code, e.text, e.document, e.start, e.end, context=context)


@cache
def _bare_prefixes(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.replace(".", "").upper() for p in prefixes)


def _matches(code: str, prefixes: Iterable[str]) -> bool:
    """``code`` falls under one of the code prefixes (dots and case ignored)."""
    return code.replace(".", "").upper().startswith(_bare_prefixes(tuple(prefixes)))


def _code(c: CodeCriterion, ctx: _Context) -> _Outcome:
    support = [
        i
        for code in ctx.codes
        if _matches(code.code, c.codes) and (i := _code_indicator(code, ctx.found))
    ]
    return _Outcome(bool(support), support)


_EVALUATORS: dict[type, Callable[[object, _Context], _Outcome]] = {
    MeasurementCriterion: _measurement,  # type: ignore[dict-item]
    TrendCriterion: _trend,  # type: ignore[dict-item]
    KeywordCriterion: _keyword,  # type: ignore[dict-item]
    CodeCriterion: _code,  # type: ignore[dict-item]
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
    out.met = len(labels) >= group.min_met
    return out


def _already_there(rule: Rule, ctx: _Context) -> bool:
    """Coded, or documented by a provider: the record supports the code, so no query."""
    if any(_matches(code.code, rule.diagnosis.coded_prefixes) for code in ctx.codes):
        return True
    if not rule.diagnosis.documented_phrases:
        return False
    mentions = ctx.found.mentions_of(rule.diagnosis.documented_phrases)
    return any(not m.negated and not m.nursing for m in mentions)


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
    excluded = list(ctx.found.excluded_for(rule.analytes))
    for group in rule.criteria:
        outcome = _group(group, ctx)
        if not outcome.met:
            return None
        support.extend(outcome.support)
        excluded.extend(outcome.excluded)
    support = _unique(support)
    if not support:
        return None
    query = draft_query(rule, support, found=ctx.found, encounter_id=encounter_id)
    return Opportunity(
        rule.id, rule.title, encounter_id, support, _unique_excluded(excluded), query
    )


def _poa_unclear(rule: Rule, ctx: _Context, encounter_id: str) -> list[Opportunity]:
    """One POA query per coded diagnosis whose POA is unknown and not evident in the text."""
    criteria = [c for c in rule.criteria_flat() if isinstance(c, PoaCriterion)]
    out = []
    for code in ctx.codes:
        if not poa_undetermined(code):
            continue
        for c in criteria:
            if _matches(code.code, c.exempt_prefixes):
                break
            if any(e.section in c.evident_sections for e in code.evidence):
                break
            if _poa_evident(code, c, ctx.found):
                break
        else:
            indicator = _code_indicator(code, ctx.found)
            if indicator is None:
                continue
            query = draft_query(
                rule, [indicator], found=ctx.found, documented=indicator.text,
                encounter_id=encounter_id,
            )  # fmt: skip
            out.append(
                Opportunity(rule.id, rule.title, encounter_id, [indicator], [], query, code.code)
            )
    return out


def poa_undetermined(code: CodeSuggestion) -> bool:
    """A diagnosis whose POA indicator is still open: no value, "U" or "W", with evidence to
    cite. Procedure codes carry no POA, so they never raise a POA query."""
    return (
        code.system.upper() == POA_SYSTEM
        and (code.poa or "").upper() in UNDETERMINED_POA
        and bool(code.evidence)
    )


def _poa_evident(code: CodeSuggestion, c: PoaCriterion, found: IndicatorSet) -> bool:
    if not c.evident_phrases:
        return False
    mentions = found.mentions_of(c.evident_phrases)
    for e in code.evidence:
        text = found.texts.get(e.document, "")
        line = (text.rfind("\n", 0, e.start) + 1, (text.find("\n", e.end) + 1 or len(text) + 1) - 1)
        lo, hi = e.sentence or line  # the sentence, else the line holding the evidence
        if any(m.document == e.document and lo <= m.start < hi and not m.negated for m in mentions):
            return True
    return False


def find_opportunities(
    document: Document | Encounter,
    coding_result: CodingResult | None,
    rules: RuleSet | Iterable[Rule] | None = None,
    *,
    setting: str | None = None,
) -> list[Opportunity]:
    """Opportunities for one document (or every document of an encounter), by rule id.

    ``coding_result`` is what the engine coded: a rule whose diagnosis is coded asks nothing,
    and code criteria (``I50.9`` coded) and POA checks read it. ``setting`` defaults to the
    encounter's own setting (an outpatient encounter never gets an inpatient-only query such
    as POA), and to inpatient for a lone document, where every rule may apply.
    """
    if setting is None:
        setting = str(document.setting) if isinstance(document, Encounter) else "inpatient"
    rules = default_rules() if rules is None else RuleSet(rules)
    documents = document.documents if isinstance(document, Encounter) else [document]
    found = collect_indicators(documents, keywords=rules.keywords)
    codes = list(coding_result.codes) if coding_result else []
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
