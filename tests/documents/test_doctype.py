"""Document types read from headings and opening words (what decides E/M and where codes come from)."""

from __future__ import annotations

import pytest

from medcoder.documents.doctype import DocumentType, classify, document_type
from medcoder.documents.model import Document
from medcoder.documents.sections import find_sections

OPERATIVE_FLATTENED = (
    "PREOPERATIVE DIAGNOSIS: , Left inguinal hernia.,POSTOPERATIVE DIAGNOSIS: , Left indirect "
    "inguinal hernia.,PROCEDURE PERFORMED: , Left inguinal herniorrhaphy with mesh.,ANESTHESIA: "
    ", General endotracheal.,ESTIMATED BLOOD LOSS: , Less than 10 mL.,PROCEDURE IN DETAIL: ,The "
    "patient was taken to the operating room and placed supine. The left groin was prepped and "
    "draped in the usual sterile fashion."
)
DISCHARGE = """DISCHARGE SUMMARY

ADMISSION DATE: 03/02/2026   DISCHARGE DATE: 03/05/2026

DISCHARGE DIAGNOSES:
1. Community-acquired pneumonia, right lower lobe.
2. Type 2 diabetes mellitus.

HOSPITAL COURSE: The patient was started on ceftriaxone and azithromycin and improved.

CONDITION ON DISCHARGE: Stable. Discharged home with her daughter.
"""
RADIOLOGY = """EXAM: CT abdomen and pelvis with contrast.
REASON FOR EXAM: Right lower quadrant pain.
COMPARISON: None.
FINDINGS: The appendix is dilated to 11 mm with periappendiceal stranding.
IMPRESSION: Acute uncomplicated appendicitis.
"""
ECHO = (
    "2-D M-MODE: , ,1.  Left ventricular cavity size is normal.,2.  Left ventricular ejection "
    "fraction of 55%.,DOPPLER: , ,1.  Trace mitral regurgitation.,IMPRESSION:, Normal study."
)
LETTER = """Re: Jane Roe, DOB 01/02/1950

Dear Dr. Alvarez,

Thank you for referring Ms. Roe, whom I saw today for her overactive bladder. ...

Sincerely,
Thomas Lee, MD
"""
ED_NOTE = (
    "CHIEF COMPLAINT:, Chest pain.,HISTORY OF PRESENT ILLNESS:, A 58-year-old man presents to "
    "the emergency department with chest pain since this morning.,PHYSICAL EXAMINATION:, Vital "
    "signs reviewed at triage.,ED COURSE:, Aspirin given. Troponin negative x2.,DISPOSITION:, "
    "Discharged home."
)
OFFICE_WITH_OLD_ED_VISIT = """CHIEF COMPLAINT

Follow-up of kidney stones.

HISTORY OF PRESENT ILLNESS

Mr. Diaz presented to the emergency room in March with left flank pain and passed a stone.
He has had no pain since.

REVIEW OF SYSTEMS

Genitourinary: Denies hematuria.

PHYSICAL EXAMINATION

Abdomen: Soft, no CVA tenderness.

ASSESSMENT AND PLAN

History of nephrolithiasis. Increase water intake. Return in 6 months.
"""
CONSULT = (
    "REASON FOR CONSULTATION:, Hematuria.,HISTORY OF PRESENT ILLNESS:, I was asked by Dr. X to "
    "see this 80-year-old man admitted with pneumonia who developed gross hematuria.,"
    "IMPRESSION:, Hematuria, likely from Foley trauma."
)


def _type(text: str, kind: str | None = None) -> DocumentType:
    return classify(text, find_sections(text), given=kind).type


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OPERATIVE_FLATTENED, DocumentType.OPERATIVE_REPORT),
        (DISCHARGE, DocumentType.DISCHARGE_SUMMARY),
        (RADIOLOGY, DocumentType.RADIOLOGY),
        (ECHO, DocumentType.TEST_REPORT),
        (LETTER, DocumentType.LETTER),
        (ED_NOTE, DocumentType.ED_VISIT),
        (CONSULT, DocumentType.CONSULT),
    ],
    ids=["operative", "discharge", "radiology", "echo", "letter", "ed", "consult"],
)
def test_type_is_read_from_headings_and_opening_words(text: str, expected: DocumentType) -> None:
    assert _type(text) is expected


def test_a_past_emergency_visit_in_the_history_does_not_make_an_office_note_an_ed_visit() -> None:
    assert _type(OFFICE_WITH_OLD_ED_VISIT) is DocumentType.OFFICE_VISIT


def test_a_kind_given_by_the_source_wins_over_the_text() -> None:
    assert (
        _type(OFFICE_WITH_OLD_ED_VISIT, kind="Discharge Summary") is DocumentType.DISCHARGE_SUMMARY
    )


def test_reports_are_never_visits_and_visits_are_not_reports() -> None:
    assert DocumentType.RADIOLOGY.is_report and not DocumentType.RADIOLOGY.is_visit
    assert DocumentType.OPERATIVE_REPORT.is_visit is False
    assert DocumentType.ED_VISIT.is_visit and not DocumentType.ED_VISIT.is_report


def test_text_without_clues_is_unknown() -> None:
    assert _type("Patient doing fine.") is DocumentType.UNKNOWN


def test_document_type_segments_a_document_that_has_no_sections_yet() -> None:
    document = Document(id="d", text=RADIOLOGY)
    assert document_type(document) is DocumentType.RADIOLOGY
    assert document.sections


CONSULT_WITH_VISIT_HEADINGS = """CHIEF COMPLAINT

Melanoma of the back.

HISTORY OF PRESENT ILLNESS

Ms. Reed is a 61-year-old woman who presents for a surgical consultation. She was referred by
her dermatologist after a shave biopsy.

REVIEW OF SYSTEMS

Constitutional: Denies weight loss.

PHYSICAL EXAMINATION

Skin: Healing biopsy site on the right upper back.

ASSESSMENT AND PLAN

Melanoma, 0.8 mm. Wide local excision recommended.
"""


def test_a_specific_visit_clue_wins_over_the_generic_visit_headings() -> None:
    assert _type(CONSULT_WITH_VISIT_HEADINGS) is DocumentType.CONSULT


def test_admits_to_is_not_an_admission() -> None:
    note = OFFICE_WITH_OLD_ED_VISIT.replace(
        "He has had no pain since.", "He admits to drinking little water. He has had no pain."
    )
    assert _type(note) is DocumentType.OFFICE_VISIT


def test_an_admission_being_written_up_is_a_history_and_physical() -> None:
    note = OFFICE_WITH_OLD_ED_VISIT.replace(
        "He has had no pain since.", "He is being admitted for a radical prostatectomy."
    )
    assert _type(note) is DocumentType.HISTORY_AND_PHYSICAL


def test_a_procedure_note_without_operative_headings_is_a_procedure_report() -> None:
    note = (
        "PROCEDURE: , Circumcision.,Signed informed consent was obtained and the infant was "
        "placed on the board.  The infant tolerated the procedure well."
    )
    assert _type(note) is DocumentType.OPERATIVE_REPORT
