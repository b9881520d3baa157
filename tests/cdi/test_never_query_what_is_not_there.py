"""No query is ever about a condition the patient does not have: negated, hypothetical, a risk
from a consent discussion, an allergy-list entry or a family member's. The shipped rules run on
invented notes that name such conditions in the ways real transcriptions do."""

from __future__ import annotations

import pytest
from cdi_cases import coding, note

from medcoder.cdi import find

CONSENT = (
    "IMPRESSION/PLAN:,  I have explained to him the risks and potential complications of "
    "laparoscopic gastric bypass in detail and these include bleeding, infection, deep venous "
    "thrombosis, pulmonary embolism, sepsis, heart failure, respiratory failure, anemia "
    "requiring transfusion, and possible bowel obstruction among other potential complications."
    "  He understands.  He wants to proceed."
)
ACCEPTS = (
    "PROCEDURE: , He accepts all treatment-associated risks to include but not be limited to "
    "bleeding requiring transfusion; infection; sepsis; urosepsis; heart attack; stroke; "
    "renal failure; malnutrition.  The patient was taken to the operating room."
)
NEGATED = (
    "IMPRESSION: , The patient with a penile laceration.  No other evidence of secondary "
    "bacterial infection or sepsis at this time.  He denies diabetes, congestive heart failure "
    "and kidney disease.  No anemia."
)
HYPOTHETICAL = (
    "PLAN:,1.  Monitor H&H to determine if he needs any transfusion at this time.,"
    "2.  Return if he develops heart failure or respiratory failure symptoms."
)
FAMILY = (
    "FAMILY HISTORY: , Obesity, heart disease, congestive heart failure and diabetes in his "
    "mother.  Brother with chronic kidney disease and anemia."
)
ALLERGIES = "ALLERGIES: , PENICILLIN and ADHESIVE TAPE.,SOCIAL HISTORY: , Lives alone."


@pytest.mark.parametrize(
    "text",
    [CONSENT, ACCEPTS, NEGATED, HYPOTHETICAL, FAMILY, ALLERGIES],
    ids=["consent-risks", "accepted-risks", "negated", "hypothetical", "family", "allergies"],
)
@pytest.mark.parametrize("setting", ["inpatient", "outpatient"])
def test_no_shipped_rule_queries_a_condition_the_patient_does_not_have(text, setting):
    assert [o.rule_id for o in find(note(text), setting)] == []


def test_an_engine_code_found_only_in_an_allergy_list_or_a_risk_raises_nothing():
    """The coding engine may code 'ADHESIVE' as adhesions; CDI never asks about it."""
    text = ALLERGIES + ",HOSPITAL COURSE: , Uneventful."
    document = note(text)
    result = coding(document, ("K66.0", "ADHESIVE", "allergies"))
    assert find(document, "inpatient", coding=result) == []


def test_a_real_condition_beside_a_consent_discussion_is_still_asked():
    text = "PAST MEDICAL HISTORY: , He is a diabetic, on medication.," + CONSENT
    assert {o.rule_id for o in find(note(text), "outpatient")} == {"diabetes_type.v1"}
