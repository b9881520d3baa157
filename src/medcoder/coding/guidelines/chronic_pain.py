"""Chronic pain (I.C.6.b.1.(b), I.C.6.b.4).

"If the pain is not specified as acute or chronic, post-thoracotomy, postprocedural, or
neoplasm-related, do not assign codes from category G89"; and when the site code does not
convey that the pain is chronic, G89.29 is reported with it ("Chronic back pain": M54.9 and
G89.29; the reason for the visit first). A pain code whose mention is documented as chronic
gets G89.29 beside it.
"""

from __future__ import annotations

from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext

# Site pain codes that do not say the pain is chronic (M54 dorsalgia, joint and limb pain).
_SITE_PAIN = ("M542", "M545", "M546", "M549", "M2550", "M255", "M796", "R10", "R07", "R51")


def apply(context: RuleContext) -> None:
    if any(code_key(s.code).startswith("G89") for s in context.suggestions):
        return
    for suggestion in list(context.suggestions):
        if not code_key(suggestion.code).startswith(_SITE_PAIN):
            continue
        chronic = [
            m for m in context.mentions_of(suggestion, described=True) if m.acuity == "chronic"
        ]
        if chronic:
            annotated = context.annotated[chronic[0].document_id]
            evidence = [context.evidence(annotated, chronic[0].start, chronic[0].end)]
            context.add(
                "G89.29", CHRONIC_PAIN, evidence, f"{suggestion.code} documented as chronic"
            )
            return


CHRONIC_PAIN = GuidelineRule(
    "chronic_pain",
    "I.C.6.b.1",
    "Pain documented as chronic gets G89.29 beside its site code",
    apply,
)
