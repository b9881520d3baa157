"""Conditions the classification links with "with" (I.A.15) through its own notes.

A code titled "X without Y" has a sibling "X with Y" whose "use additional code" note lists
what Y means ("Benign prostatic hyperplasia with lower urinary tract symptoms": use
additional code for urinary retention R33.8, nocturia R35.1, ...). When the record also
codes one of those conditions, the two are linked (the classification presumes it, I.A.15):
the "with" code replaces the "without" code, and the linked condition takes the exact code
the note names (retention R33.9 becomes R33.8 as N40.1 asks). A condition the note names in
words only ("urinary obstruction (N13.8)") is read as one of its list when the record states
the two together ("enlarged prostate with bladder neck obstruction": the index sends
"Obstruction, bladder-neck, due to hyperplasia" to "Hyperplasia, prostate") and the condition
is the note's item (the same head noun): it takes the item's code.
"""

from __future__ import annotations

import re

from medcoder.codesets.icd10cm_tabular import key_in_range
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext
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


def _named_items(context: RuleContext, key: str) -> list[tuple[str, str]]:
    """(head noun, code) of each single-code item of ``key``'s "use additional code" note:
    "urinary obstruction (N13.8)" gives ("obstruction", "N138")."""
    out = []
    for note in context.pack.notes(key, kinds=("useAdditionalCode",)):
        words = re.findall(r"[a-z]+", note.text.split("(")[0].lower())
        for lo, hi in note.references:
            if words and lo == hi and context.pack.is_billable(lo):
                out.append((words[-1], lo))
    return out


def _stated_with(context: RuleContext, first, second) -> bool:  # noqa: ANN001
    """Whether the record states the two suggestions together ("X with Y", "Y due to X")."""
    spans = {(e.document, e.start, e.end) for e in second.evidence}
    return any((doc, m.start, m.end) in spans for doc, _, m in context.links_of(first))


def _item_in_words(context: RuleContext, suggestion, other, items) -> str | None:  # noqa: ANN001
    """The note's item that ``other`` is, in words, when the record links the two."""
    if not items or not _stated_with(context, suggestion, other):
        return None
    heads = {
        w[-1] for m in context.mentions_of(other) if (w := re.findall(r"[a-z]+", m.text.lower()))
    }
    return next((code for head, code in items if head in heads), None)


def _mentioned(context: RuleContext, ranges: list[tuple[str, str]], suggestion):  # noqa: ANN001, ANN202
    """A present mention of the record naming a condition of the note's list (the history of
    the illness says "presented with urinary retention" even when the assessment does not),
    or one stated in the same sentence as the condition itself ("Benign prostatic hyperplasia
    with nocturia" in the past history: the history is the condition's, and it is current)."""
    sentences = {(e.document, e.sentence) for e in suggestion.evidence if e.sentence}
    for annotated, mention in context.all_mentions():
        if mention.reading in _NOT_READ:
            continue
        same_statement = (
            annotated.id,
            (mention.sentence_start, mention.sentence_end),
        ) in sentences and mention.assertion is Assertion.HISTORICAL
        if mention.assertion is not Assertion.PRESENT and not same_statement:
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
            found = _mentioned(context, ranges, suggestion)
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
                target = _item_in_words(context, suggestion, other, _named_items(context, sibling))
                exact = None
            if target is None:
                continue
            why = f"{suggestion.code} with {other.code}: linked by the classification"
            context.recode(suggestion, sibling, WITH_SYMPTOMS, why)
            if exact is None and context.pack.is_billable(target):
                context.recode(other, target, WITH_SYMPTOMS, f"the code {suggestion.code} asks for")
            break


WITH_SYMPTOMS = GuidelineRule(
    "with_symptoms",
    "I.A.15",
    "'X without Y' becomes 'X with Y' when the record codes what Y's notes list",
    apply,
)
