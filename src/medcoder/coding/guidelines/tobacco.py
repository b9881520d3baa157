"""Tobacco use and dependence (I.C.5.b; Index: Smoker -> see Dependence, drug, nicotine).

A current smoker is coded F17.21- (cigarettes), F17.22- (chewing tobacco), F17.29- (other
products: vapes, e-cigarettes), F17.20- (product not stated); a former smoker gets the history
code Z87.891 (I.C.21.c.4). The social history, the history of present illness and the
assessment say it in many ways ("smokes 2 packs per day", "a pack a day for 40 years",
"continues to smoke", "quit smoking in 2010"); negations ("denies tobacco", "never smoker",
"nonsmoker") code nothing.
"""

from __future__ import annotations

import re

from medcoder.coding.guidelines.base import GuidelineRule, RuleContext
from medcoder.nlp.model import Assertion

_CURRENT = re.compile(
    r"\b(?:smokes|smoking|smoker|smoke|cigarettes?|cigs?|packs? (?:a|per) day|ppd|"
    r"pack[- ]years?|tobacco|chews|chewing|snuff|dip|vap(?:es|ing)|e-cigarettes?)\b",
    re.I,
)
_FORMER = re.compile(
    r"\b(?:former|ex-?|previous(?:ly)?|prior|past|quit|stopped|gave up|used to)\b[^.;\n]{0,30}?"
    r"\b(?:smok\w*|tobacco|cigarettes?)\b|\b(?:smok\w*|tobacco|cigarettes?)\b[^.;\n]{0,20}?"
    r"\b(?:quit|stopped)\b|\b(?:able to|has|had|did)\s+(?:stop|quit)\s+(?:smoking|tobacco)\b",
    re.I,
)
_NEVER = re.compile(
    r"\b(?:never|non-?|denies|no|does not|doesn't|negative for)\b[^.;\n]{0,20}?"
    r"\b(?:smok\w*|tobacco|cigarettes?)\b|\bnonsmoker\b|"
    r"\b(?:smok\w*|tobacco|cigarettes?)(?: use)?\s*[:\-]?\s*(?:none|never|denies|no|negative)\b",
    re.I,
)
_PRODUCT = (
    (re.compile(r"\b(?:chew\w*|snuff|dip|smokeless)\b", re.I), "F17.220"),
    (re.compile(r"\b(?:vap\w*|e-cig\w*|electronic cigarette)", re.I), "F17.290"),
    (re.compile(r"\b(?:cigarettes?|cigs?|packs?|ppd|pack[- ]years?|smok\w*)\b", re.I), "F17.210"),
)
_SECTIONS = ("social_history", "hpi", "subjective", "body", "assessment", "assessment_plan",
             "impression", "past_medical_history", "diagnoses", "discharge_diagnoses")  # fmt: skip


def _product_of_record(context: RuleContext) -> str | None:
    """The tobacco product a current-use sentence of the record names ("smoking 1.5 packs per
    day" is cigarettes), as its F17.2x code."""
    for annotated in context.annotated.values():
        for sentence in annotated.sentences:
            if sentence.section not in _SECTIONS:
                continue
            text = annotated.text[sentence.start : sentence.end]
            if not _CURRENT.search(text) or _NEVER.search(text) or _FORMER.search(text):
                continue
            found = next((c for pattern, c in _PRODUCT[:2] if pattern.search(text)), None)
            found = found or next((c for p, c in _PRODUCT[2:] if p.search(text)), None)
            if found:
                return found
    return None


def apply(context: RuleContext) -> None:
    unnamed = [s for s in context.suggestions if s.code.startswith("F17.20")]
    if unnamed:
        # "Nicotine dependence" stated, the product said elsewhere: F17.200 -> F17.210
        product = _product_of_record(context)
        if product is not None:
            for suggestion in unnamed:
                new = product[:6] + suggestion.code[6:]
                context.recode(suggestion, new, TOBACCO, "the record names the product")
        return
    if any(s.code.startswith(("F17", "Z87.891", "Z72.0")) for s in context.suggestions):
        return
    current: tuple[str, list] | None = None
    former: list | None = None
    for annotated in context.annotated.values():
        for sentence in annotated.sentences:
            if sentence.section not in _SECTIONS:
                continue
            text = annotated.text[sentence.start : sentence.end]
            found = _CURRENT.search(text)
            if found is None or _NEVER.search(text):
                continue
            start, end = sentence.start + found.start(), sentence.start + found.end()
            assertion = context.assertion_of(annotated, start, end).assertion
            if assertion in (Assertion.NEGATED, Assertion.FAMILY, Assertion.HYPOTHETICAL):
                continue
            evidence = [context.evidence(annotated, sentence.start, sentence.end)]
            if _FORMER.search(text):
                former = former or evidence
            elif current is None:
                # "a history of smoking" beside "continues to smoke" is a smoker: current
                # use anywhere in the record wins over a past mention.
                code = next((c for pattern, c in _PRODUCT if pattern.search(text)), "F17.200")
                current = (code, evidence)
    if current is not None:
        context.add(current[0], TOBACCO, current[1], "current tobacco use", "I.C.5.b")
    elif former is not None:
        context.add("Z87.891", TOBACCO, former, "former smoker", "I.C.21.c.4")


TOBACCO = GuidelineRule(
    "tobacco",
    "I.C.5.b",
    "A current smoker is coded by the product (F17.2-); a former smoker Z87.891",
    apply,
)
