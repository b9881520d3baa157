"""Long-term (current) drug therapy (I.C.21.c.3; diabetes I.C.4.a.3).

"Assign a code from Z79 if the patient is receiving a medication for an extended period as a
prophylactic measure ... or as treatment of a chronic condition." For diabetes: "If the patient
is treated with both insulin and an injectable non-insulin antidiabetic drug, assign codes
Z79.4 and Z79.85 ... If the patient is treated with both oral hypoglycemic drugs and insulin,
both code Z79.4 and code Z79.84 should be assigned." A drug class of the current medication
list gives its Z79 code (``coding/data/drug_classes.tsv``), the diabetes drugs only when a
diabetes code is reported.
"""

from __future__ import annotations

from medcoder.codesets.icd10cm_pack import display
from medcoder.codesets.systems import code_key
from medcoder.coding.drugs import drug_classes
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext
from medcoder.suggestions import CodeSuggestion, Evidence

_DIABETES_CLASSES = frozenset({"insulin", "oral_hypoglycemic", "injectable_antidiabetic"})


def apply(context: RuleContext) -> None:
    classes = drug_classes()
    coded = {code_key(s.code) for s in context.suggestions if s.system == "ICD-10-CM"}
    added: dict[str, CodeSuggestion] = {}
    for annotated in context.annotated.values():
        for med in annotated.medications:
            found = classes.get(med.drug_class)
            if not med.current or found is None or found.long_term is None:
                continue
            if found.needs and not any(c.startswith(found.needs) for c in coded):
                continue
            key = code_key(found.long_term)
            if key in coded or not context.pack.is_billable(key):
                continue
            evidence = Evidence(
                annotated.id,
                med.start,
                med.end,
                annotated.text[med.start : med.end],
                section=med.section,
                page=annotated.document.page_at(med.start),
            )
            if key in added:
                added[key].evidence.append(evidence)
                continue
            guideline = "I.C.4.a.3" if med.drug_class in _DIABETES_CLASSES else "I.C.21.c.3"
            added[key] = CodeSuggestion(
                system="ICD-10-CM",
                code=display(key),
                description=context.pack.title(key) or "",
                score=0.8,
                evidence=[evidence],
                path=[f"{LONG_TERM_DRUGS.id}: {med.name} ({med.drug_class.replace('_', ' ')})"],
                guidelines=[guideline],
            )
    context.suggestions.extend(added.values())


LONG_TERM_DRUGS = GuidelineRule(
    "long_term_drugs",
    "I.C.21.c.3",
    "A current drug taken long term gives its Z79 code (diabetes drugs with a diabetes code)",
    apply,
)
