"""Diabetes "with" the complications its own codes ask to be identified (I.A.15, I.C.4.a).

"The classification presumes a causal relationship between diabetes and the conditions
specifically listed in the Alphabetic Index under 'with'". The Tabular names those conditions
in its notes: E11.621 "Type 2 diabetes mellitus with foot ulcer" says "use additional code to
identify site of ulcer (L97.4-, L97.5-)". When the record codes diabetes and one of the
conditions a code of the same category asks to identify, the two are linked: "diabetes
without complications" becomes the combination code, any other diabetes code keeps its place
and the combination is added (as many E08-E13 codes as the complications need, I.C.4.a). The
narrowest note wins (L97.5- is a foot ulcer, E11.621, before any skin ulcer, E11.622). A
condition the record attributes to another cause ("ulcer due to venous stasis") is not linked.
"""

from __future__ import annotations

from functools import lru_cache

from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.codesets.icd10cm_tabular import key_in_range
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext

_DIABETES = ("E08", "E09", "E10", "E11", "E13")


@lru_cache(maxsize=16)
def _notes_of(pack: ICD10CMPack, category: str) -> tuple[tuple[str, str, str], ...]:
    """(code, lo, hi) of each condition a billable code of ``category`` asks to identify,
    narrowest first."""
    rows = [
        (code, lo, hi)
        for code in pack.billable_keys()
        if code.startswith(category)
        for note in pack.notes(code, kinds=("useAdditionalCode",))
        for lo, hi in note.references
        if not lo.startswith("Z")
    ]
    return tuple(sorted(rows, key=lambda r: (r[1] != r[2], -len(r[1]), r[0])))


def _combination(context: RuleContext, category: str, other: str) -> str | None:
    """The code of ``category`` whose "use additional code" note names ``other``."""
    return next(
        (code for code, lo, hi in _notes_of(context.pack, category) if key_in_range(other, lo, hi)),
        None,
    )


def _attributed_elsewhere(context: RuleContext, suggestion) -> bool:  # noqa: ANN001
    return any(relation == "due_to" for _, relation, _ in context.links_of(suggestion))


def apply(context: RuleContext) -> None:
    for diabetes in [s for s in context.suggestions if code_key(s.code).startswith(_DIABETES)]:
        key = code_key(diabetes.code)
        for other in list(context.suggestions):
            other_key = code_key(other.code)
            if other is diabetes or other_key.startswith(("Z", *_DIABETES)):
                continue
            combination = _combination(context, key[:3], other_key)
            if combination is None or any(
                code_key(s.code) == combination for s in context.suggestions
            ):
                continue
            if _attributed_elsewhere(context, other):
                continue
            why = f"diabetes with {other.code}: linked by the classification"
            if "without complications" in (context.pack.title(key) or "").lower():
                context.recode(diabetes, combination, DIABETES_WITH, why)
                key = code_key(diabetes.code)
            else:
                context.add(combination, DIABETES_WITH, list(other.evidence), why)


DIABETES_WITH = GuidelineRule(
    "diabetes_with",
    "I.C.4.a",
    "Diabetes with a complication its codes ask to identify is the combination code",
    apply,
)
