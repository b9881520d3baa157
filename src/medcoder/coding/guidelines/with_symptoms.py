"""Conditions the classification links with "with" (I.A.15) through its own notes.

A code titled "X without Y" has a sibling "X with Y" whose "use additional code" note lists
what Y means ("Benign prostatic hyperplasia with lower urinary tract symptoms": use
additional code for urinary retention R33.8, nocturia R35.1, ...). When the record also
codes one of those conditions, the two are linked (the classification presumes it, I.A.15):
the "with" code replaces the "without" code, and the linked condition takes the exact code
the note names (retention R33.9 becomes R33.8 as N40.1 asks).
"""

from __future__ import annotations

from medcoder.codesets.icd10cm_tabular import key_in_range
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import Rule, RuleContext
from medcoder.nlp.model import Assertion

_NOT_READ = frozenset({"excluded", "family", "support"})


def _with_sibling(context: RuleContext, key: str) -> str | None:
    title = (context.pack.title(key) or "").lower()
    if " without " not in f" {title} ":
        return None
    wanted = title.replace("without", "with", 1)
    parent = key[:-1]
    for sibling in context.pack.children(parent):
        if sibling != key and (context.pack.title(sibling) or "").lower() == wanted:
            return sibling
    return None


def _referenced(context: RuleContext, key: str) -> list[tuple[str, str]]:
    out = []
    for note in context.pack.notes(key, kinds=("useAdditionalCode",)):
        out.extend(note.references)
    return out


def _mentioned(context: RuleContext, ranges: list[tuple[str, str]]):  # noqa: ANN202
    """A present mention of the record naming a condition of the note's list (the history of
    the illness says "presented with urinary retention" even when the assessment does not)."""
    for annotated, mention in context.all_mentions():
        if mention.assertion is not Assertion.PRESENT or mention.reading in _NOT_READ:
            continue
        for code in mention.codes:
            for lo, hi in ranges:
                if key_in_range(code, lo, hi) or (lo == hi and lo[:3] == code[:3]):
                    target = code if key_in_range(code, lo, hi) else lo
                    return target, context.evidence(annotated, mention.start, mention.end)
    return None


def apply(context: RuleContext) -> None:
    for suggestion in list(context.suggestions):
        key = code_key(suggestion.code)
        sibling = _with_sibling(context, key)
        if sibling is None:
            continue
        ranges = _referenced(context, sibling)
        if not any(
            key_in_range(code_key(o.code), lo, hi) or (lo == hi and lo[:3] == code_key(o.code)[:3])
            for o in context.suggestions
            for lo, hi in ranges
        ):
            found = _mentioned(context, ranges)
            if found is not None:
                target, evidence = found
                context.add(target, WITH_SYMPTOMS, [evidence], f"what {sibling} is 'with'")
        for other in context.suggestions:
            other_key = code_key(other.code)
            if other is suggestion or other.system != "ICD-10-CM":
                continue
            exact = next((lo for lo, hi in ranges if key_in_range(other_key, lo, hi)), None)
            same_category = next(
                (lo for lo, hi in ranges if lo == hi and lo[:3] == other_key[:3]), None
            )
            target = exact or same_category
            if target is None:
                continue
            why = f"{suggestion.code} with {other.code}: linked by the classification"
            context.recode(suggestion, sibling, WITH_SYMPTOMS, why)
            if exact is None and context.pack.is_billable(target):
                context.recode(other, target, WITH_SYMPTOMS, f"the code {suggestion.code} asks for")
            break


WITH_SYMPTOMS = Rule(
    "with_symptoms",
    "I.A.15",
    "'X without Y' becomes 'X with Y' when the record codes what Y's notes list",
    apply,
)
