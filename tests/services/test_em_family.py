"""Which E/M family a document gets: by its type and the setting; none for non-visits."""

from __future__ import annotations

from datetime import date

import pytest

from medcoder.documents.doctype import DocumentType as T
from medcoder.documents.model import Document
from medcoder.services.em_family import choose_family
from medcoder.services.service_codes import service_codes

ON = date(2025, 3, 4)


@pytest.mark.parametrize(
    ("doc_type", "setting", "family"),
    [
        (T.OFFICE_VISIT, "outpatient", "office"),
        (T.PROGRESS_NOTE, "outpatient", "office"),
        (T.ED_VISIT, "outpatient", "emergency"),
        (T.OFFICE_VISIT, "emergency", "emergency"),
        (T.HISTORY_AND_PHYSICAL, "inpatient", "hospital-initial"),
        (T.HISTORY_AND_PHYSICAL, "outpatient", "hospital-initial"),
        (T.PROGRESS_NOTE, "inpatient", "hospital-subsequent"),
        (T.PROGRESS_NOTE, "observation", "hospital-subsequent"),
        (T.OFFICE_VISIT, "inpatient", "hospital-initial"),
        (T.CONSULT, "outpatient", "office-new"),
        (T.CONSULT, "inpatient", "hospital-initial"),
    ],
)
def test_family_follows_document_type_and_setting(doc_type, setting, family):
    assert choose_family(doc_type, setting).family == family


@pytest.mark.parametrize(
    "doc_type",
    [
        T.RADIOLOGY,
        T.PATHOLOGY,
        T.TEST_REPORT,
        T.OPERATIVE_REPORT,
        T.LETTER,
        T.DISCHARGE_SUMMARY,
        T.UNKNOWN,
    ],
)
@pytest.mark.parametrize("setting", ["outpatient", "emergency", "inpatient"])
def test_documents_that_are_not_visits_get_no_em(doc_type, setting):
    choice = choose_family(doc_type, setting)
    assert choice.family is None and choice.notes[0].startswith("no E/M")


def test_consultation_codes_only_where_the_payer_accepts_them():
    office = choose_family(T.CONSULT, "outpatient")
    assert office.family == "office-new" and office.consult_alternative == "consult-office"
    assert choose_family(T.CONSULT, "outpatient", consults=True).family == "consult-office"
    assert choose_family(T.CONSULT, "inpatient", consults=True).family == "consult-inpatient"


CONSULT_NOTE = """REASON FOR CONSULTATION

Right hip pain after a fall.

HISTORY OF PRESENT ILLNESS

I was asked by Dr. Okafor to see this 81-year-old woman who fell at home last night. She is on
apixaban for atrial fibrillation.

RESULTS

X-ray of the right hip obtained today shows a displaced femoral neck fracture. CBC and BMP were
reviewed.

ASSESSMENT AND PLAN

Displaced right femoral neck fracture.
• Medical Reasoning: She needs operative fixation. Apixaban was held this morning.
• Medical Treatment: We will proceed with hemiarthroplasty tomorrow; consent obtained.
"""


def test_consultation_reports_the_office_code_and_names_the_consult_code():
    result = service_codes(Document("c1", CONSULT_NOTE), on=ON, systems=("CPT",))
    (em,) = result.codes
    assert em.code == "99204"  # new patient, moderate MDM
    assert any("99244" in line for line in em.path)
    accepted = service_codes(Document("c1", CONSULT_NOTE), on=ON, systems=("CPT",), consults=True)
    assert [c.code for c in accepted.codes] == ["99244"]


def test_consult_in_the_hospital_is_initial_hospital_care_or_inpatient_consult():
    result = service_codes(
        Document("c1", CONSULT_NOTE), setting="inpatient", on=ON, systems=("CPT",)
    )
    assert [c.code for c in result.codes] == ["99222"]
    inpatient_consult = service_codes(
        Document("c1", CONSULT_NOTE), setting="inpatient", on=ON, systems=("CPT",), consults=True
    )
    assert [c.code for c in inpatient_consult.codes] == ["99254"]


PROGRESS = """PROGRESS NOTE - HOSPITAL DAY 3

SUBJECTIVE: Breathing easier overnight. Ate breakfast.
OBJECTIVE: Afebrile. Sat 95% on 2 L. Crackles at the right base, improved.
Labs: WBC 11.2 down from 15.8. BMP reviewed, creatinine 1.1.
ASSESSMENT AND PLAN:
1. Community-acquired pneumonia, improving. Continue ceftriaxone 1 g IV daily; switch to oral
cefpodoxime tomorrow if afebrile.
2. Type 2 diabetes, glucose 220-260 on steroids. Increase insulin glargine to 24 units at bedtime.
"""


def test_hospital_progress_note_is_subsequent_care():
    result = service_codes(Document("p1", PROGRESS), setting="inpatient", on=ON, systems=("CPT",))
    assert [c.code for c in result.codes] == ["99232"]  # moderate: diabetes not at goal, Rx


@pytest.mark.parametrize(
    ("minutes", "codes"),
    [(55, ["99233"]), (70, ["99233", "99418"])],  # 99233 from 50 min, 99418 from 65
)
def test_hospital_time_thresholds_choose_the_level(minutes, codes):
    note = (
        PROGRESS + f"Total time on the unit today {minutes} minutes, including a family meeting.\n"
    )
    result = service_codes(Document("p1", note), setting="inpatient", on=ON, systems=("CPT",))
    assert [c.code for c in result.codes] == codes
