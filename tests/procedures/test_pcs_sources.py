"""Where a note records the procedures performed in this encounter (pcs_sources)."""

from __future__ import annotations

from medcoder.documents.model import Document
from medcoder.documents.sections import segment
from medcoder.documents.text_reader import text_document
from medcoder.procedures.pcs_sources import read_sources


def make_note(text: str) -> Document:
    return segment(text_document(text, doc_id="note", source="note"))


OPERATIVE = (
    "PREOPERATIVE DIAGNOSIS: , Left inguinal hernia.,POSTOPERATIVE DIAGNOSIS: , Same.,"
    "PROCEDURE PERFORMED: , Left inguinal herniorrhaphy.,ANESTHESIA: , General.,"
    "PROCEDURE: , The patient was taken to the operating room and placed supine. An oblique "
    "incision was made in the left groin and carried down to the external oblique "
    "aponeurosis. The sac was ligated and excised. The floor was repaired with interrupted "
    "sutures. The patient was taken to recovery in stable condition."
)


def test_statement_heading_is_the_statement_and_prose_procedure_heading_the_description() -> None:
    note = make_note(OPERATIVE)
    sources = read_sources(note)
    assert sources.kind == "operative"
    (statement,) = sources.statement
    assert note.text[statement[0] : statement[1]].strip(" ,") == "Left inguinal herniorrhaphy."
    (body,) = sources.body
    assert note.text[body[0] : body[1]].lstrip(" ,").startswith("The patient was taken")
    assert len(sources.diagnosis) == 2


def test_pathology_report_records_no_procedure_of_its_own() -> None:
    note = make_note(
        "SPECIMEN: , Prostate and seminal vesicles.,PROCEDURE: , Radical prostatectomy.,"
        "GROSS DESCRIPTION: , The specimen consists of a prostate weighing 45 grams.,"
        "MICROSCOPIC DESCRIPTION: , Sections show adenocarcinoma, Gleason 3+4."
    )
    sources = read_sources(note)
    assert sources.kind == "pathology" and sources.codes_nothing


def test_operative_report_listing_a_specimen_is_still_an_operative_report() -> None:
    note = make_note(
        "PROCEDURE PERFORMED: , Cystoscopy with bladder biopsy.,SPECIMEN: , Bladder biopsy.,"
        "DESCRIPTION OF PROCEDURE: , The cystoscope was passed into the bladder."
    )
    assert read_sources(note).kind == "operative"


def test_letter_records_no_procedure_of_its_own() -> None:
    note = make_note(
        "RE: Sample Patient\nDear Dr. Sample:\nThank you for referring Mr. Sample, whom I saw "
        "today after his vasectomy five years ago. He wishes to discuss a reversal."
    )
    assert read_sources(note).kind == "letter"


def test_discharge_summary_course_is_read_and_history_is_not() -> None:
    note = make_note(
        "ADMITTING DIAGNOSIS: , Urinary retention.,HISTORY: , He had a cholecystectomy in "
        "2001.,COURSE IN THE HOSPITAL: , He underwent a transurethral resection of the "
        "prostate on the second day.,DISCHARGE DIAGNOSIS: , Benign prostatic hyperplasia."
    )
    sources = read_sources(note)
    assert sources.kind == "summary"
    (course,) = sources.course
    assert "transurethral" in note.text[course[0] : course[1]]
    assert not sources.statement and not sources.body


def test_history_and_physical_without_a_statement_reads_nothing() -> None:
    note = make_note(
        "CHIEF COMPLAINT: , Hematuria.,HISTORY OF PRESENT ILLNESS: , He underwent a TURP in "
        "2015.,PLAN: , Cystoscopy next week."
    )
    sources = read_sources(note)
    assert sources.kind == "record"
    assert not (sources.statement or sources.body or sources.course)


def test_capitalised_title_before_the_first_heading_is_the_statement() -> None:
    note = make_note(
        "BILATERAL VASECTOMY,PROCEDURE:,: The patient was placed supine and the scrotum was "
        "prepped. The vas was isolated on each side, divided and ligated."
    )
    sources = read_sources(note)
    (statement,) = sources.statement
    assert note.text[statement[0] : statement[1]] == "BILATERAL VASECTOMY"
