"""The guideline layer: rules of the ICD-10-CM Official Guidelines applied to the candidate codes.

Each rule is one small module with an id, the guideline section it applies and one function
over the :class:`~medcoder.coding.pipeline.CodingState`; :data:`RULES` lists them in the order
they run. A rule that changes or drops a code says so on the code (``path`` and ``guidelines``,
shown by ``medcoder explain``) or in ``rejected`` with its reason, so every decision is
traceable to the rule and the guideline. A new rule goes in its own module here and in
:data:`RULES`, with a test on text written for it.
"""

from __future__ import annotations

from medcoder.coding.guidelines.base import GuidelineRule, RuleContext
from medcoder.coding.guidelines.bmi import BMI
from medcoder.coding.guidelines.chronic_pain import CHRONIC_PAIN
from medcoder.coding.guidelines.diabetes_with import DIABETES_WITH
from medcoder.coding.guidelines.encounter_reason import ENCOUNTER_REASON
from medcoder.coding.guidelines.laterality import LATERALITY
from medcoder.coding.guidelines.long_term_drugs import LONG_TERM_DRUGS
from medcoder.coding.guidelines.malignancy_history import MALIGNANCY_HISTORY
from medcoder.coding.guidelines.organisms import ORGANISMS
from medcoder.coding.guidelines.tobacco import TOBACCO
from medcoder.coding.guidelines.underdosing import UNDERDOSING
from medcoder.coding.guidelines.unspecified_superseded import UNSPECIFIED_SUPERSEDED
from medcoder.coding.guidelines.with_symptoms import WITH_SYMPTOMS

RULES: tuple[GuidelineRule, ...] = (
    WITH_SYMPTOMS,
    DIABETES_WITH,
    LATERALITY,
    UNSPECIFIED_SUPERSEDED,
    LONG_TERM_DRUGS,
    UNDERDOSING,
    TOBACCO,
    BMI,
    ORGANISMS,
    CHRONIC_PAIN,
    MALIGNANCY_HISTORY,
    ENCOUNTER_REASON,
)

__all__ = ["RULES", "GuidelineRule", "RuleContext"]
