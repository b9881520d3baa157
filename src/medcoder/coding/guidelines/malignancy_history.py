"""No personal history of a malignancy that is coded as current at the same site (I.C.2.d).

"When a primary malignancy has been excised or eradicated from its site and there is no
further treatment directed to that site and there is no evidence of any existing primary
malignancy at that site, a code from category Z85 ... should be used." A note that codes a
current bladder cancer (TURBT of a recurrence) and mentions the "history of bladder cancer"
reports C67.- alone: the Z85 code of the same site says the opposite of the current code.
"""

from __future__ import annotations

from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext
from medcoder.coding.neoplasm_history import history_code


def apply(context: RuleContext) -> None:
    current = {
        history_code(context.pack, code_key(s.code)): s
        for s in context.suggestions
        if code_key(s.code).startswith("C")
    }
    current.pop(None, None)
    for suggestion in list(context.suggestions):
        neoplasm = current.get(code_key(suggestion.code))
        if neoplasm is not None:
            why = f"{neoplasm.code} codes an existing malignancy of the same site"
            context.drop(suggestion, MALIGNANCY_HISTORY, why)


MALIGNANCY_HISTORY = GuidelineRule(
    "malignancy_history",
    "I.C.2.d",
    "No Z85 history code beside a current malignancy of the same site",
    apply,
)
