"""Which diagnosis is listed first depends on what the document is a record of: a
consultation answers the question the consultant was asked and a test report the indication
for the test (IV.G, IV.K); a visit or a stay lists its own assessment first."""

from __future__ import annotations

from pathlib import Path

import pytest

import medcoder


@pytest.fixture(autouse=True)
def _packs(built_packs: Path) -> None:
    """The built-in tabular and the synthetic index."""


def _codes(text: str, setting: str) -> list[str]:
    return [c.code for c in medcoder.code(text, setting=setting, systems="icd10cm").codes]


CONSULT = (
    "REASON FOR CONSULTATION:,  Penile cellulitis.,HISTORY OF PRESENT ILLNESS: , The patient is "
    "a 61-year-old man admitted two days ago with community-acquired pneumonia, seen at the "
    "request of Dr. X for swelling and redness of the penis that began yesterday.  He has a "
    "history of hypertension on lisinopril.,PHYSICAL EXAMINATION:,GENITOURINARY:  Erythema and "
    "edema of the penile shaft without fluctuance.,ASSESSMENT AND PLAN:,1.  Pneumonia, on "
    "ceftriaxone per primary team.,2.  Hypertension.,3.  Penile cellulitis.  Continue "
    "ceftriaxone; warm compresses; we will follow along.,Thank you for this consultation."
)


def test_a_consultation_lists_the_reason_for_consultation_first_IV_G() -> None:
    codes = _codes(CONSULT, "inpatient")
    assert codes[0] == "N48.22"
    assert {"J18.9", "I10"} <= set(codes)


def test_the_same_problems_in_an_admission_note_keep_the_assessment_order_II() -> None:
    admission = CONSULT.replace("REASON FOR CONSULTATION:", "CHIEF COMPLAINT:").replace(
        "Thank you for this consultation.", "Admit to medicine."
    )
    admission = admission.replace(", seen at the request of Dr. X for", " and has")
    assert _codes(admission, "inpatient")[0] == "J18.9"


SCROTAL_ULTRASOUND = (
    "EXAM: , Ultrasound examination of the scrotum.,REASON FOR EXAM: , Scrotal pain.,FINDINGS:  ,"
    "Duplex and color flow imaging of the scrotum and testicles was performed.  The right "
    "testicle measures 4.9 x 2.6 x 3.1 cm with normal Doppler flow.  There is a small "
    "hydrocele on the left.  No intratesticular mass or torsion.,IMPRESSION:  ,Small left "
    "hydrocele, nonspecific; otherwise unremarkable examination."
)


def test_a_test_report_lists_the_reason_for_the_test_first_IV_K() -> None:
    codes = _codes(SCROTAL_ULTRASOUND, "outpatient")
    assert codes[:2] == ["N50.82", "N43.3"]


ECHO = (
    "ECHOCARDIOGRAM REPORT,INDICATION: , Murmur.,2-D M-MODE: , ,1.  Normal size right and left "
    "ventricle.,2.  Normal LV systolic function with ejection fraction of 60%.,DOPPLER: , ,1.  "
    "Mild mitral regurgitation.,2.  Trace aortic and tricuspid regurgitation."
)


def test_trace_regurgitation_in_a_test_report_is_a_normal_variant_not_a_diagnosis_IV_K() -> None:
    codes = _codes(ECHO, "outpatient")
    assert "I34.0" in codes
    assert not {"I35.1", "I07.1"} & set(codes)


def test_a_trace_finding_is_still_coded_when_a_physician_assesses_it() -> None:
    note = "ASSESSMENT AND PLAN:\n1. Trace aortic regurgitation, follow with yearly echo.\n"
    assert _codes(note, "outpatient") == ["I35.1"]


DISCHARGE_WITHOUT_DIAGNOSES = (
    "HISTORY OF PRESENT ILLNESS:,  The patient is a 58-year-old man who presents to the "
    "emergency room with acute cholecystitis and was taken to the operating room.,PAST MEDICAL "
    "HISTORY: , Significant for hypertension and asthma.,ALLERGIES:  ,No known drug allergies."
    ",HOSPITAL COURSE: , Laparoscopic cholecystectomy was uneventful.  He tolerated a diet and "
    "is being prepared for discharge home.,DISPOSITION:, Home."
)


def test_a_stay_without_a_final_diagnosis_is_principally_what_occasioned_the_admission_II() -> None:
    # No discharge diagnosis section: the HPI's presenting condition, not a past history item
    codes = _codes(DISCHARGE_WITHOUT_DIAGNOSES, "inpatient")
    assert codes[0] == "K81.0"
    assert {"I10", "J45.909"} <= set(codes)
