"""MDM read from the layouts real visit notes use (dictated headings with Medical Reasoning /
Medical Treatment / Additional Testing bullets, numbered transcriptions, narrative plans).

Every note here is written for the test; none is copied from a data set.
"""

from __future__ import annotations

from datetime import date

import pytest

from medcoder.documents.model import Document
from medcoder.documents.sections import segment
from medcoder.services.drugs import find_drugs
from medcoder.services.em_extract import extract
from medcoder.services.em_level import Level
from medcoder.services.service_codes import service_codes

ON = date(2025, 3, 4)


def _doc(text: str) -> Document:
    return segment(Document("note", text))


def _em(text: str, **kw) -> str | None:
    result = service_codes(Document("note", text), on=ON, systems=("CPT",), **kw)
    return result.em.code if result.em else None


DICTATED = """CHIEF COMPLAINT

Follow-up of chronic problems.

HISTORY OF PRESENT ILLNESS

Linda Park is a 58-year-old female with hypertension, type 2 diabetes and hypothyroidism who
presents for follow-up. She admits to some dietary indiscretion over the holidays.

RESULTS

Hemoglobin A1c is 8.6, up from 7.4. TSH is normal.

ASSESSMENT AND PLAN

Linda Park is a 58-year-old female with hypertension, type 2 diabetes and hypothyroidism who
presents for follow-up.

Type 2 diabetes.
• Medical Reasoning: Her A1c is not at goal after the holidays.
• Medical Treatment: Increase metformin to 1000 mg twice daily.
• Additional Testing: Repeat hemoglobin A1c in 3 months.

Hypertension.
• Medical Reasoning: Blood pressure is well controlled at home.
• Medical Treatment: Continue lisinopril 20 mg daily.

Hypothyroidism.
• Medical Reasoning: Stable on her current dose.
• Medical Treatment: Continue Synthroid 75 mcg daily.

Patient Agreements: The patient understands and agrees with the recommended medical treatment plan.
"""


def test_each_dictated_heading_is_one_problem_and_the_summary_line_is_none():
    found = extract(_doc(DICTATED))
    assert [p.kind for p in found.problems] == [
        "chronic_exacerbation",
        "stable_chronic",
        "stable_chronic",
    ]


def test_results_section_tests_are_reviewed_and_a_repeat_is_the_same_test():
    assert sorted(extract(_doc(DICTATED)).tests) == ["hba1c", "thyroid"]


def test_continue_a_prescription_drug_by_brand_is_prescription_drug_management():
    found = extract(_doc(DICTATED))
    assert found.mdm().risk.level == Level.MODERATE
    assert {e.text for _, e in found.risks} >= {"metformin"}


def test_admits_to_dietary_indiscretion_is_not_a_hospital_admission():
    found = extract(_doc(DICTATED))
    assert all(e.kind != "hospitalization" for _, e in found.risks)
    assert _em(DICTATED) == "99214"


def test_negated_control_is_a_chronic_illness_not_at_goal():
    note = DICTATED.replace(
        "Blood pressure is well controlled at home.", "Blood pressure is not well controlled."
    ).replace("Her A1c is not at goal after the holidays.", "Her A1c is at goal.")
    note = note.replace("Increase metformin", "Continue metformin")
    kinds = [p.kind for p in extract(_doc(note)).problems]
    assert kinds[1] == "chronic_exacerbation"


INJURY_VISIT = """CHIEF COMPLAINT

Right ankle pain.

HISTORY OF PRESENT ILLNESS

Tom Baker is a 31-year-old male who rolled his right ankle playing basketball yesterday.

PHYSICAL EXAM

MSK: Swelling and tenderness over the anterior talofibular ligament. No bony tenderness.

RESULTS

X-rays of the right ankle were obtained and reviewed today. No fracture.

ASSESSMENT

Right ankle sprain.

PLAN

I advised rest, ice and elevation. He can take ibuprofen as needed for pain. He was given an
ankle brace and will follow up in 2 weeks. If he is not improving we may consider an MRI.
"""


def test_sprain_with_an_x_ray_and_otc_drug_is_low():
    found = extract(_doc(INJURY_VISIT))
    assert [p.kind for p in found.problems] == ["acute_uncomplicated"]
    assert list(found.tests) == ["x-ray ankle"]  # the MRI is only considered
    assert found.mdm().risk.level == Level.LOW
    assert _em(INJURY_VISIT) == "99213"


def test_fracture_with_a_decision_for_surgery_is_a_complicated_injury_and_moderate_risk():
    note = INJURY_VISIT.replace("No fracture.", "Displaced bimalleolar fracture.").replace(
        "Right ankle sprain.", "Right bimalleolar ankle fracture."
    )
    note = note.replace(
        "If he is not improving we may consider an MRI.",
        "I have recommended that we proceed with an ORIF of the right ankle and he wishes to "
        "proceed.",
    )
    found = extract(_doc(note))
    assert [p.kind for p in found.problems] == ["acute_complicated_injury"]
    assert found.mdm().risk.level == Level.MODERATE
    assert _em(note) == "99214"


def test_surgery_only_possible_later_is_not_a_decision():
    note = INJURY_VISIT.replace(
        "If he is not improving we may consider an MRI.",
        "If he does not improve, surgical reconstruction may be needed in the future.",
    )
    assert all("surgery" not in e.kind for _, e in extract(_doc(note)).risks)


def test_elective_surgery_with_an_overnight_admission_is_not_a_hospitalization_decision():
    note = INJURY_VISIT.replace(
        "If he is not improving we may consider an MRI.",
        "We will proceed with an ORIF, which will require him to be admitted to the hospital "
        "overnight after the procedure.",
    )
    kinds = {e.kind for _, e in extract(_doc(note)).risks}
    assert "hospitalization" not in kinds and "major_surgery" in kinds


TRANSCRIBED_NEW = (
    "CHIEF COMPLAINT:, Microscopic hematuria.,HISTORY OF PRESENT ILLNESS:, The patient is a "
    "59-year-old man who was referred by his primary care physician for evaluation of "
    "microscopic hematuria found on a routine urinalysis.  He smoked for 30 years.,"
    "LABORATORY DATA:, Urinalysis today shows 10-20 RBCs per high-power field.  Creatinine "
    "from his primary care office was 1.0.,IMPRESSION:, Microscopic hematuria, etiology "
    "unclear, smoker.,PLAN:, We will obtain a CT urogram and urine cytology and schedule a "
    "cystoscopy."
)


def test_referred_by_the_pcp_is_a_new_patient():
    assert extract(_doc(TRANSCRIBED_NEW)).new_patient is True


def test_outgoing_referral_does_not_make_the_patient_new():
    note = DICTATED.replace(
        "Continue Synthroid 75 mcg daily.",
        "Continue Synthroid 75 mcg daily. She will be referred to a dietitian.",
    )
    assert extract(_doc(note)).new_patient is None


def test_transcribed_undiagnosed_problem_with_workup_and_endoscopy_decision():
    found = extract(_doc(TRANSCRIBED_NEW))
    assert [p.kind for p in found.problems] == ["undiagnosed_uncertain_prognosis"]
    assert {"urinalysis", "renal function", "ct"} <= set(found.tests)
    assert "primary care physician" in found.external_notes or found.external_notes
    assert found.mdm().risk.level == Level.MODERATE  # cystoscopy decided
    assert _em(TRANSCRIBED_NEW) == "99204"


def test_imaging_counts_once_per_body_region():
    text = (
        "RESULTS\n\nX-ray of the lumbar spine reviewed. Back x-rays from 2019 also reviewed. "
        "Knee x-ray reviewed.\n"
    )
    assert sorted(extract(_doc(text)).tests) == ["x-ray knee", "x-ray spine"]


def test_a_result_from_the_emergency_department_is_an_external_note():
    text = (
        "ASSESSMENT AND PLAN\n\nChest pain.\n• Medical Reasoning: His EKG from the emergency "
        "room was normal. I suspect musculoskeletal pain.\n"
    )
    assert list(extract(_doc(text)).external_notes) == ["emergency department"]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        (
            "Independent review and interpretation of MRI brain: a 2 cm mass.",
            "independent_interpretation",
        ),
        (
            "I personally reviewed the images, which show a nondisplaced fracture.",
            "independent_interpretation",
        ),
        (
            "The patient is a poor historian; his daughter answered most of the questions.",
            "independent_historian",
        ),
        ("The patient is discussed with Dr. Lowe, who will admit him.", "external_discussion"),
    ],
)
def test_data_categories_in_real_wording(sentence, kind):
    assert kind in [e.kind for e in extract(_doc(sentence + "\n")).data]


def test_a_young_childs_parent_is_an_independent_historian():
    note = (
        "HISTORY OF PRESENT ILLNESS\n\nMaya is a 3-year-old girl with ear pain for two days. Her "
        "mother reports a fever of 101 at home.\n\nASSESSMENT AND PLAN\n\nLeft acute otitis media.\n"
        "• Medical Treatment: Amoxicillin 400 mg twice daily for 10 days.\n"
    )
    assert [e.kind for e in extract(_doc(note)).data] == ["independent_historian"]


@pytest.mark.parametrize(
    ("text", "generic", "prescription"),
    [
        ("Continue Norvasc 10 mg daily.", "amlodipine", True),
        ("Start Lasix 40 mg once daily.", "furosemide", True),
        ("I will prescribe Lortab 5 mg every 6 hours.", "hydrocodone/acetaminophen", True),
        ("Motrin 800 mg three times a day.", "ibuprofen", True),
        ("Motrin 200 mg as needed.", "ibuprofen", False),
        ("Tylenol as needed for pain.", "acetaminophen", False),
        ("Naprosyn twice daily with food.", "naproxen", True),
    ],
)
def test_drugs_by_brand_or_generic_and_prescription_strength(text, generic, prescription):
    (drug,) = find_drugs(text)
    assert (drug.name, drug.prescription) == (generic, prescription)


def test_an_analyte_named_like_a_drug_is_not_drug_management():
    note = (
        "ASSESSMENT AND PLAN\n\nAdrenal nodule.\n• Additional Testing: Check an ACTH level and "
        "a serum cortisol.\n"
    )
    assert all(e.kind != "prescription_drug" for _, e in extract(_doc(note)).risks)


ANNUAL = """CHIEF COMPLAINT

Annual exam.

HISTORY OF PRESENT ILLNESS

Carl Young is a 52-year-old male who presents for his annual physical. He has hypertension
controlled on losartan.

ASSESSMENT AND PLAN

Annual exam.
• Additional Testing: Routine blood work ordered.

Hypertension.
• Medical Reasoning: Well controlled.
• Medical Treatment: Continue losartan 50 mg daily; refill provided.
"""


def test_annual_exam_with_stable_problems_is_the_preventive_code():
    assert _em(ANNUAL) == "99396"  # established, age 40-64


def test_annual_exam_with_a_problem_not_at_goal_reports_the_problem_code():
    note = ANNUAL.replace("Well controlled.", "Uncontrolled, 168/96 today.").replace(
        "Continue losartan 50 mg daily", "Increase losartan to 100 mg daily"
    )
    result = service_codes(Document("a", note), on=ON, systems=("CPT",))
    assert result.em.code == "99214"
    assert any("99396" in w and "25" in w for w in result.warnings)


ED_NOTE = """CHIEF COMPLAINT: Shortness of breath.
HISTORY OF PRESENT ILLNESS: A 71-year-old woman with COPD presents to the emergency department
with two days of worsening dyspnea and productive cough. History is obtained from her husband,
as she is too short of breath to talk in sentences.
ED COURSE: Chest x-ray, CBC, BMP and a venous blood gas were reviewed. She received
methylprednisolone 125 mg IV and three DuoNeb treatments without improvement.
ASSESSMENT AND PLAN:
1. COPD with severe exacerbation and hypercapnia.
Case discussed with Dr. Shah, hospitalist. She will be admitted to the step-down unit.
"""


def test_ed_visit_with_admission_is_99285():
    assert _em(ED_NOTE, setting="outpatient") == "99285"


@pytest.mark.parametrize(
    "report",
    [
        "EXAM: CT abdomen and pelvis with contrast.\nREASON FOR EXAM: Pain.\nFINDINGS: "
        "Appendix dilated to 12 mm.\nIMPRESSION: Acute appendicitis.\n",
        "PREOPERATIVE DIAGNOSIS: Right inguinal hernia.\nPOSTOPERATIVE DIAGNOSIS: Same.\n"
        "PROCEDURE: Right inguinal hernia repair with mesh.\nThe patient was prepped and draped "
        "in the usual sterile fashion.\n",
        "DISCHARGE SUMMARY\nDISCHARGE DIAGNOSES:\n1. Pneumonia.\nHOSPITAL COURSE: Treated with "
        "ceftriaxone and improved. Discharged home.\n",
        "PROCEDURE: Circumcision.\nSigned informed consent was obtained. The infant tolerated "
        "the procedure well.\n",
    ],
    ids=["radiology", "operative", "discharge", "procedure-note"],
)
def test_reports_and_procedure_notes_get_no_em(report):
    assert _em(report) is None


def test_a_conditional_not_improved_is_not_a_chronic_illness_not_at_goal():
    note = DICTATED.replace(
        "Blood pressure is well controlled at home.",
        "Blood pressure is well controlled. If his readings have not improved in a month we will "
        "add a second agent.",
    )
    assert [p.kind for p in extract(_doc(note)).problems][1] == "stable_chronic"
