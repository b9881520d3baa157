"""The infectious agent of an infection (I.C.1.b via the Tabular's "use additional code
(B95-B97) to identify infectious agent").

When a reported infection's note asks for the agent and the record names it ("cultures grew
Staph", "E. coli UTI", "MRSA"), the agent's B95-B97 code is added. Organisms are read from
the text by name; a negated or hypothetical organism ("rule out MRSA") adds nothing.
"""

from __future__ import annotations

import re

from medcoder.codesets.icd10cm_tabular import key_in_range
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext
from medcoder.nlp.model import Assertion

# Most specific first: the first pattern that matches a sentence names its agent.
_ORGANISMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), code)
    for p, code in (
        (r"\bMRSA\b|methicillin[- ]resistant staph", "B95.62"),
        (r"\bMSSA\b|methicillin[- ](?:susceptible|sensitive) staph", "B95.61"),
        (r"\bstaph(?:ylococcus|ylococcal)?\.? aureus\b", "B95.61"),
        (r"\bstaph(?:ylococcus|ylococcal|ylococci)?\b", "B95.8"),
        (r"\bgroup a strep|\bstreptococcus pyogenes\b", "B95.0"),
        (r"\bgroup b strep|\bstreptococcus agalactiae\b", "B95.1"),
        (r"\benterococc\w*", "B95.2"),
        (r"\b(?:strep(?:tococcus)?\.? pneumoniae|pneumococc\w*)", "B95.3"),
        (r"\bstrep(?:tococcus|tococcal|tococci)?\b", "B95.5"),
        (r"\b(?:e\.? ?coli|escherichia coli)\b", "B96.20"),
        (r"\bklebsiella\b", "B96.1"),
        (r"\bproteus\b", "B96.4"),
        (r"\bpseudomonas\b", "B96.5"),
        (r"\b(?:h\.? ?influenzae|haemophilus influenzae)\b", "B96.3"),
    )
)


def _asks_for_agent(context: RuleContext, code: str) -> bool:
    for note in context.pack.notes(code, kinds=("useAdditionalCode",)):
        if any(
            key_in_range("B95", lo, hi) or key_in_range("B96", lo, hi) for lo, hi in note.references
        ):
            return True
    return False


def apply(context: RuleContext) -> None:
    infections = [
        s
        for s in context.suggestions
        if s.system == "ICD-10-CM" and _asks_for_agent(context, s.code)
    ]
    if not infections or any(
        code_key(s.code).startswith(("B95", "B96", "B97")) for s in context.suggestions
    ):
        return
    for annotated in context.annotated.values():
        for sentence in annotated.sentences:
            text = annotated.text[sentence.start : sentence.end]
            for pattern, code in _ORGANISMS:
                found = pattern.search(text)
                if found is None:
                    continue
                start, end = sentence.start + found.start(), sentence.start + found.end()
                assertion = context.assertion_of(annotated, start, end).assertion
                if assertion is not Assertion.PRESENT and assertion is not Assertion.HISTORICAL:
                    break  # a culture to rule it out, a negated or family organism
                evidence = [context.evidence(annotated, start, end)]
                context.add(code, ORGANISMS, evidence, f"agent of {infections[0].code}", "I.C.1.b")
                return


ORGANISMS = GuidelineRule(
    "organisms",
    "I.C.1.b",
    "An infection whose code asks for its agent gets the documented organism (B95-B97)",
    apply,
)
