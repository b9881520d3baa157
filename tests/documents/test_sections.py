"""Section and sentence recognition."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from medcoder.documents.model import Document
from medcoder.documents.sections import find_sections, risk_discussions, segment, sentences

NOTE = """Synthetic clinic note

CHIEF COMPLAINT: Cough.
History of Present Illness:
72-year-old with cough for 3 days. Seen by Dr. Smith on 1/2. Takes 5 mg. daily.

PAST MEDICAL HISTORY:
Hypertension.
Family history: Mother with breast cancer.
SOCIAL HISTORY: Former smoker.
Medications
Lisinopril 10 mg daily.
REVIEW OF SYSTEMS: Negative except as above.
2. Physical Exam:
Lungs: crackles at right base.
Assessment and Plan:
Pneumonia, i.e. lobar. Start antibiotics.
PLAN:
Follow up in 1 week.
"""


def _kinds(text):
    return [(s.kind, s.role) for s in find_sections(text)]


def test_common_headers_get_kind_and_role():
    assert _kinds(NOTE) == [
        ("body", "patient"),
        ("chief_complaint", "patient"),
        ("hpi", "patient"),
        ("past_medical_history", "history"),
        ("family_history", "family"),
        ("social_history", "social"),
        ("medications", "medications"),
        ("ros", "ros"),
        ("physical_exam", "patient"),
        ("assessment_plan", "patient"),
        ("plan", "plan"),
    ]


def test_sections_are_contiguous_and_titles_kept():
    sections = find_sections(NOTE)
    assert sections[0].start == 0
    for a, b in zip(sections, sections[1:], strict=False):
        assert a.end == b.start
    assert sections[-1].end == len(NOTE)
    numbered = next(s for s in sections if s.kind == "physical_exam")
    assert NOTE[numbered.start :].startswith("2. Physical Exam:")
    assert numbered.title == "Physical Exam"
    lungs = NOTE.index("Lungs:")
    assert Document(id="x", text=NOTE, sections=sections).section_at(lungs).kind == "physical_exam"


def test_mtsamples_flattened_layout_with_comma_after_colon():
    text = (
        "HISTORY OF PRESENT ILLNESS:,The patient has chest pain.,PAST SURGICAL HISTORY: , "
        "Appendectomy.,FAMILY HISTORY:  ,Father with CAD.,Neck:  Supple.,IMPRESSION:,  "
        "Angina.,PROCEDURE PERFORMED,1.  Catheterization.,ANESTHESIA: , Local."
    )
    kinds = [s.kind for s in find_sections(text)]
    assert kinds == [
        "hpi",
        "past_surgical_history",
        "family_history",
        "impression",
        "procedures",
        "anesthesia",
    ]


@pytest.mark.parametrize(
    "header, kind",
    [
        ("DISCHARGE DIAGNOSES:", "discharge_diagnoses"),
        ("FINAL DIAGNOSIS:", "final_diagnosis"),
        ("PREOPERATIVE DIAGNOSIS (ES):", "preoperative_diagnosis"),
        ("Postoperative diagnoses:", "postoperative_diagnosis"),
        ("OPERATIONS:", "procedures"),
        ("HOSPITAL COURSE:", "hospital_course"),
        ("FINDINGS:", "findings"),
        ("INDICATIONS:", "indications"),
        ("DESCRIPTION OF PROCEDURE:", "procedure_description"),
        ("PROCEDURE IN DETAIL:", "procedure_description"),
        ("LABS:", "results"),
        ("Results:", "results"),
        ("Diagnoses:", "diagnoses"),
        ("IMPRESSION", "impression"),
        ("HPI:", "hpi"),
        ("PSH:", "past_surgical_history"),
        ("Allergies:", "allergies"),
    ],
)
def test_header_variants(header, kind):
    sections = find_sections(f"Intro line.\n{header}\nSome text.\n")
    assert [s.kind for s in sections] == ["body", kind]


def test_prose_with_colon_mid_line_is_not_a_header():
    text = "The patient and I discussed the plan: rest and fluids.\nAssessment: stable."
    assert [s.kind for s in find_sections(text)] == ["body", "assessment"]


def test_text_without_headers_is_one_body_section():
    assert [(s.kind, s.start, s.end) for s in find_sections("Just text.")] == [("body", 0, 10)]
    assert find_sections("") == []


def test_sentences_split_on_newlines_and_periods_but_not_abbreviations():
    doc = segment(Document(id="n", text=NOTE))
    spans = [NOTE[s.start : s.end] for s in doc.sentences]
    assert "72-year-old with cough for 3 days." in spans
    assert "Seen by Dr. Smith on 1/2." in spans
    assert "Takes 5 mg. daily." in spans
    assert "Pneumonia, i.e. lobar." in spans
    assert "Start antibiotics." in spans
    assert not any(s.startswith(("CHIEF COMPLAINT", "PLAN:")) for s in spans)  # headers excluded
    hpi = next(s for s in doc.sentences if NOTE[s.start : s.end].startswith("72-year"))
    assert hpi.section == "hpi"


def test_sentences_in_mtsamples_layout_keep_numbered_items_whole():
    text = "PLAN:,1.  She will try Zyrtec.  Another option is loratadine.,2.  Nasonex given."
    spans = [text[s.start : s.end] for s in sentences(text, find_sections(text))]
    assert spans == [
        "1.  She will try Zyrtec.",
        "Another option is loratadine.",
        "2.  Nasonex given.",
    ]


def test_segmentation_of_one_megabyte_finds_every_repeated_section():
    """A 1 MB transcription is segmented whole (its speed is measured by
    benchmarks/bench_documents.py, never asserted here)."""
    block = NOTE + "ASSESSMENT:,  Allergic rhinitis. She has used Allegra also.,PLAN:,1.  Try it.\n"
    copies = 1_000_000 // len(block)
    text = block * copies
    doc = segment(Document(id="big", text=text))
    assessments = [s for s in doc.sections if s.kind == "assessment"]
    assert len(assessments) == copies
    assert doc.sentences[-1].end <= len(text)


@pytest.mark.shared_data
def test_real_mtsamples_transcriptions_have_sections(shared_data):
    path = shared_data / "mtsamples" / "mtsamples_first401.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if len(row) > 4 and row[4].strip()][:20]
    assert len(rows) == 20
    found = Counter()
    for row in rows:
        doc = segment(Document(id=row[0], text=row[4]))
        kinds = {s.kind for s in doc.sections}
        assert doc.sentences
        assert doc.sections[0].start == 0 and doc.sections[-1].end == len(row[4])
        found.update(kinds)
        if kinds - {"body", "other"}:
            found["any_known"] += 1
        clinical = {"hpi", "assessment", "assessment_plan", "impression", "plan", "subjective"}
        surgical = {"preoperative_diagnosis", "postoperative_diagnosis", "procedures"}
        if kinds & (clinical | surgical):
            found["clinical_or_surgical"] += 1
    # Some samples (echo reports, bare operative narratives) have no standard header at all.
    assert found["any_known"] >= 16
    assert found["clinical_or_surgical"] >= 14
    assert found["hpi"] >= 3  # the first samples are mostly operative notes


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("EMERGENCY DEPARTMENT COURSE", "ed_course"),
        ("ED COURSE", "ed_course"),
        ("HOSPITAL COURSE", "hospital_course"),
        ("ALLERGIES TO MEDICATIONS", "allergies"),
        ("DRUG ALLERGY", "allergies"),
    ],
)
def test_an_ed_course_is_told_before_admission_and_allergy_headers_are_allergies(header, kind):
    """What happened in the emergency department precedes the inpatient order (POA Y)."""
    (section,) = find_sections(f"{header}: , Details follow here.")
    assert section.kind == kind


RISK_NOTE = (
    "IMPRESSION/PLAN:,  I have explained to him the risks and potential complications of "
    "laparoscopic gastric bypass in detail and these include bleeding, infection, deep venous "
    "thrombosis, pulmonary embolism, and possible bowel obstruction.  He understands.  He has "
    "a history of deep venous thrombosis.,PROCEDURE: , He accepts all treatment-associated "
    "risks to include but not be limited to bleeding requiring transfusion; infection; sepsis; "
    "heart attack; stroke.  Risk factors include diabetes and smoking, which were discussed."
)


def test_risk_discussions_run_from_the_risk_words_to_the_sentence_end():
    document = segment(Document(id="n", text=RISK_NOTE))
    spans = [RISK_NOTE[s:e] for s, e in risk_discussions(RISK_NOTE, document.sentences)]
    assert spans[0].startswith("risks and potential complications") and "pulmonary" in spans[0]
    assert spans[1].startswith("risks to include") and "sepsis; heart attack" in spans[1]
    assert len(spans) == 2  # "He has a history of DVT" and "Risk factors include" are real


def test_a_risk_without_a_discussion_is_not_a_consent_passage():
    text = "So the patient is at low to no risk of prostate cancer at this time."
    assert risk_discussions(text, sentences(text)) == []


def test_complications_reported_as_they_happened_are_no_risk_discussion():
    """ "Complications include ..." in a course reports what happened (coded, Section III);
    the discussion word must be the sentence's own, not the cue's "include" or "such as"."""
    text = (
        "HOSPITAL COURSE: Admitted to the intensive care unit for 6 days. Complications "
        "include acute kidney injury and aspiration pneumonia. A 75-year-old woman with "
        "type 2 diabetes with chronic complications such as polyneuropathy was scheduled "
        "for knee replacement. Possible complications such as bleeding and infection were "
        "discussed with the patient."
    )
    spans = [text[s:e] for s, e in risk_discussions(text, sentences(text))]
    assert spans == [
        "Possible complications such as bleeding and infection were discussed with the patient."
    ]
