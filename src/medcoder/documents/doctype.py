"""What kind of clinical document a text is, from its headings and its opening words.

The document type decides what a coder does with a note: an office or emergency visit is
leveled as an E/M service and coded from its assessment; an operative report is coded from its
postoperative diagnosis and procedure statement and never leveled as a visit; a radiology or
test report gives the reason for the test and the interpreted findings, no E/M; a discharge
summary gives the principal diagnosis from its discharge diagnoses. Real documents rarely say
what they are in a field, so the type is read the way a reader recognises it: from the sections
the author wrote (POSTOPERATIVE DIAGNOSIS, HOSPITAL COURSE, GROSS DESCRIPTION ...) and the first
words (``Dear Dr.``, ``EXAM: Ultrasound ...``, ``2-D M-MODE``).

Each clue is one row of ``_CLUES`` with its weight; the type with the highest total wins, with
``unknown`` when nothing speaks. An explicit kind given by the source (HL7 TXA, FHIR
DocumentReference, the workbench upload) is taken first when it names a known type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from medcoder.documents.model import Document, Section


class DocumentType(StrEnum):
    OFFICE_VISIT = "office_visit"
    ED_VISIT = "ed_visit"
    HISTORY_AND_PHYSICAL = "history_and_physical"
    CONSULT = "consult"
    PROGRESS_NOTE = "progress_note"
    DISCHARGE_SUMMARY = "discharge_summary"
    OPERATIVE_REPORT = "operative_report"
    RADIOLOGY = "radiology"
    PATHOLOGY = "pathology"
    TEST_REPORT = "test_report"
    LETTER = "letter"
    UNKNOWN = "unknown"

    @property
    def is_visit(self) -> bool:
        """A face-to-face evaluation and management service (leveled as E/M)."""
        return self in _VISITS

    @property
    def is_report(self) -> bool:
        """A report of a test, image or specimen: coded for its reason and interpreted
        findings, never leveled as a visit."""
        return self in (DocumentType.RADIOLOGY, DocumentType.PATHOLOGY, DocumentType.TEST_REPORT)


_VISITS = frozenset(
    {
        DocumentType.OFFICE_VISIT,
        DocumentType.ED_VISIT,
        DocumentType.HISTORY_AND_PHYSICAL,
        DocumentType.CONSULT,
        DocumentType.PROGRESS_NOTE,
    }
)
T = DocumentType

# Section kinds (documents.sections) or normalised headings that point at a type, with weight.
_SECTION_CLUES: dict[str, tuple[tuple[DocumentType, int], ...]] = {
    "preoperative_diagnosis": ((T.OPERATIVE_REPORT, 4),),
    "postoperative_diagnosis": ((T.OPERATIVE_REPORT, 4),),
    "procedure_description": ((T.OPERATIVE_REPORT, 2),),
    "anesthesia": ((T.OPERATIVE_REPORT, 2),),
    "estimated_blood_loss": ((T.OPERATIVE_REPORT, 2),),
    "discharge_diagnoses": ((T.DISCHARGE_SUMMARY, 4),),
    "hospital_course": ((T.DISCHARGE_SUMMARY, 3),),
    "discharge_instructions": ((T.DISCHARGE_SUMMARY, 2),),
    "admission_diagnoses": ((T.DISCHARGE_SUMMARY, 1), (T.HISTORY_AND_PHYSICAL, 2)),
    "final_diagnosis": ((T.DISCHARGE_SUMMARY, 3),),
    "procedures": ((T.OPERATIVE_REPORT, 1),),
    "reason for consultation": ((T.CONSULT, 4),),
    "reason for consult": ((T.CONSULT, 4),),
    "reason for admission": ((T.HISTORY_AND_PHYSICAL, 4),),
    "ed course": ((T.ED_VISIT, 4),),
    "emergency department course": ((T.ED_VISIT, 4),),
    "emergency room course": ((T.ED_VISIT, 4),),
    "gross_description": ((T.PATHOLOGY, 4),),
    "microscopic_description": ((T.PATHOLOGY, 4),),
    "specimen": ((T.PATHOLOGY, 2),),
    "technique": ((T.RADIOLOGY, 2),),
    "comparison": ((T.RADIOLOGY, 3),),
    "reason for exam": ((T.RADIOLOGY, 3),),
    "reason for examination": ((T.RADIOLOGY, 3),),
    "chief_complaint": ((T.OFFICE_VISIT, 1),),
    "hpi": ((T.OFFICE_VISIT, 1),),
    "ros": ((T.OFFICE_VISIT, 1),),
    "physical_exam": ((T.OFFICE_VISIT, 1),),
    "subjective": ((T.OFFICE_VISIT, 1), (T.PROGRESS_NOTE, 1)),
    "objective": ((T.PROGRESS_NOTE, 1),),
    "assessment_plan": ((T.OFFICE_VISIT, 1),),
}

# Words in the opening of the text (first ~400 characters) or anywhere, with their weight.
_CLUES: tuple[tuple[str, re.Pattern[str], DocumentType, int], ...] = (
    ("opening", re.compile(r"\bdischarge summary\b"), T.DISCHARGE_SUMMARY, 4),
    ("anywhere", re.compile(r"\b(?:date of discharge|discharge date|discharged (?:home|to)|"
                            r"condition (?:on|at) discharge|discharge (?:condition|disposition|medications))\b"),
     T.DISCHARGE_SUMMARY, 2),
    ("opening", re.compile(r"\b(?:operative|operation|surgical) (?:report|note)\b"),
     T.OPERATIVE_REPORT, 4),
    ("opening", re.compile(r"\bprocedure note\b"), T.OPERATIVE_REPORT, 3),
    ("anywhere", re.compile(r"\btolerated (?:the|this) procedure\b|\b(?:informed )?consent was obtained\b"),
     T.OPERATIVE_REPORT, 2),
    ("anywhere", re.compile(r"\b(?:was|were) (?:brought|taken) (?:back )?to the (?:operating room|or|"
                            r"procedure room|endoscopy suite|cystoscopy suite)\b|\bprepped and draped\b|"
                            r"\bincision was made\b|\bin (?:the )?usual sterile fashion\b"),
     T.OPERATIVE_REPORT, 2),
    ("opening", re.compile(r"\b(?:established|new) patient\b|\breturns? (?:to (?:the )?clinic |today )?"
                           r"for (?:a |her |his )?follow-?up\b|\bpresents? (?:today |to (?:the )?clinic )?for\b"), T.OFFICE_VISIT, 2),
    ("opening", re.compile(r"\bconsult(?:ation)?\b"), T.CONSULT, 2),
    ("anywhere", re.compile(r"\b(?:asked|requested)(?: by [^.]{0,30})? to (?:see|evaluate)\b|"
                            r"\b(?:requested|asked for) (?:a |an )?consult(?:ation)?\b|"
                            r"\bconsult(?:ation)? (?:was )?(?:requested|by dr|from dr)|"
                            r"\bthank you for (?:this|the|allowing)[^.]{0,30}\b(?:consult|referral)"),
     T.CONSULT, 3),
    ("opening", re.compile(r"\bhistory and physical\b|\badmission (?:h&p|note|history)\b"),
     T.HISTORY_AND_PHYSICAL, 4),
    # "admits to smoking" and "to be admitted after surgery" are not admissions being written up.
    ("anywhere", re.compile(r"\b(?:is|was) (?:being )?admitted (?:today |now )?(?:to|for|with|under)\b|"
                            r"\bwe will admit\b|\badmit (?:him|her|the patient) to\b"),
     T.HISTORY_AND_PHYSICAL, 2),
    # Present tense only: "presented to the emergency room in 2019" is history in any note.
    ("anywhere", re.compile(r"\b(?:presents|is seen|seen today|comes|arrives|brought) (?:in )?to the "
                            r"(?:emergency (?:room|department)|er|ed)\b|\bin the (?:emergency (?:room|department)|"
                            r"er|ed) (?:today|tonight|this (?:morning|evening))\b|"
                            r"\b(?:ed|er|emergency department) (?:course|physician|provider)\b|\btriage\b"),
     T.ED_VISIT, 3),
    ("opening", re.compile(r"\bprogress note\b|\bhospital day\b|\bpost-?op(?:erative)? day\b|\bpod\s*#?\d"),
     T.PROGRESS_NOTE, 3),
    ("opening", re.compile(r"\b(?:x-?rays?|radiographs?|ct|cta|mri|mra|ultraso(?:und|nography)|sonogram|"
                           r"mammogra(?:m|phy)|bone scan|nuclear|pet(?:/ct)?|fluoroscop\w+|doppler study|"
                           r"views? of the|imaged|projections|tracer|contrast|opacifi\w+|urogra\w+|pyelogra\w+|"
                           r"caliceal|calyces|collecting systems?)\b"), T.RADIOLOGY, 2),
    ("opening", re.compile(r"\b(?:2-?d|m-?mode|echocardiogra\w+|electrocardiogra\w+|ekg|ecg|holter|"
                           r"stress test|treadmill|pulmonary function|spirometry|polysomnogra\w+|sleep study|"
                           r"nerve conduction|electromyogra\w+|emg|eeg|electroencephalogra\w+|"
                           r"cardiac catheterization report)\b"), T.TEST_REPORT, 3),
    ("anywhere", re.compile(r"\b(?:ejection fraction|left ventricular (?:cavity|systolic)|"
                            r"valve (?:area|gradient)|sinus rhythm at)\b"), T.TEST_REPORT, 1),
    ("opening", re.compile(r"\b(?:surgical pathology|pathology report|cytology)\b"), T.PATHOLOGY, 4),
    ("start", re.compile(r"\s*(?:re:.*\n\s*)?dear\b"), T.LETTER, 6),
    ("anywhere", re.compile(r"\b(?:sincerely|yours truly|thank you for (?:referring|the referral of))\b"),
     T.LETTER, 3),
)  # fmt: skip
_OPENING = 400
_SPECIFIC_VISITS = (T.ED_VISIT, T.CONSULT, T.HISTORY_AND_PHYSICAL, T.PROGRESS_NOTE)
# Visit sections: a report with a history and an examination is a visit, not a test report.
_VISIT_KINDS = frozenset({"hpi", "physical_exam", "ros", "chief_complaint", "subjective"})


@dataclass(frozen=True)
class TypeDecision:
    """The type and the clues that decided it (shown by ``medcoder parse`` and ``explain``)."""

    type: DocumentType
    clues: tuple[str, ...] = ()


def _given(kind: str | None) -> DocumentType | None:
    if not kind:
        return None
    name = re.sub(r"[^a-z]+", "_", kind.lower()).strip("_")
    aliases = {
        "discharge_summary": T.DISCHARGE_SUMMARY,
        "operative_note": T.OPERATIVE_REPORT,
        "operative_report": T.OPERATIVE_REPORT,
        "op_note": T.OPERATIVE_REPORT,
        "procedure_note": T.OPERATIVE_REPORT,
        "history_and_physical": T.HISTORY_AND_PHYSICAL,
        "h_p": T.HISTORY_AND_PHYSICAL,
        "consult": T.CONSULT,
        "consultation": T.CONSULT,
        "consult_note": T.CONSULT,
        "progress_note": T.PROGRESS_NOTE,
        "office_visit": T.OFFICE_VISIT,
        "office_note": T.OFFICE_VISIT,
        "clinic_note": T.OFFICE_VISIT,
        "ed_note": T.ED_VISIT,
        "ed_visit": T.ED_VISIT,
        "emergency_department_note": T.ED_VISIT,
        "radiology_report": T.RADIOLOGY,
        "radiology": T.RADIOLOGY,
        "imaging": T.RADIOLOGY,
        "pathology_report": T.PATHOLOGY,
        "pathology": T.PATHOLOGY,
        "lab_report": T.TEST_REPORT,
        "test_report": T.TEST_REPORT,
        "letter": T.LETTER,
    }
    return aliases.get(name)


def classify(text: str, sections: list[Section], *, given: str | None = None) -> TypeDecision:
    """The type of a document from its text and sections (``documents.sections``)."""
    explicit = _given(given)
    if explicit is not None:
        return TypeDecision(explicit, (f"given: {given}",))
    scores: dict[DocumentType, int] = {}
    clues: dict[DocumentType, list[str]] = {}

    def add(kind: DocumentType, weight: int, why: str) -> None:
        scores[kind] = scores.get(kind, 0) + weight
        clues.setdefault(kind, []).append(why)

    from medcoder.documents.sections import heading_name

    kinds = {s.kind for s in sections}
    names = kinds | {heading_name(s.title) for s in sections if s.title}
    for name in names:
        for doc_type, weight in _SECTION_CLUES.get(name, ()):
            add(doc_type, weight, f"section {name}")
    # The clues are searched in the lower-cased text with case-sensitive patterns, about
    # twice as fast as IGNORECASE over a whole note; the clue quoted is the text as written.
    lower = text.lower()
    folded = len(lower) == len(text)  # case folding that changes length: search as written
    searched = lower if folded else text
    opening = searched[:_OPENING]
    for where, pattern, doc_type, weight in _CLUES:
        pattern = pattern if folded else re.compile(pattern.pattern, re.I)
        if where == "start":
            found = pattern.match(searched)
        else:
            found = pattern.search(opening if where == "opening" else searched)
        if found:
            written = text[found.start() : found.end()]
            add(doc_type, weight, f"{where} '{written.strip()[:40]}'")
    visit_sections = kinds & _VISIT_KINDS
    if visit_sections:
        # A report of a test, image or specimen has no history and examination of its own.
        for report in (T.RADIOLOGY, T.TEST_REPORT, T.PATHOLOGY):
            if report in scores:
                scores[report] -= 2 * len(visit_sections)
    if not scores or max(scores.values()) <= 0:
        return TypeDecision(T.UNKNOWN)
    # Ties go to the more specific record (an H&P with an ED mention is still an H&P).
    order = list(DocumentType)
    best = max(scores, key=lambda t: (scores[t], order.index(t)))
    # History, examination and assessment headings say "a visit"; which visit is said by the
    # specific clues (an ED course, a consultation request, an admission): the office visit is
    # the default visit, not a rival of the specific ones.
    specific = [t for t in _SPECIFIC_VISITS if scores.get(t, 0) >= 2]
    if best is T.OFFICE_VISIT and specific:
        best = max(specific, key=lambda t: (scores[t], order.index(t)))
    return TypeDecision(best, tuple(clues[best]))


def document_type(document: Document) -> DocumentType:
    """The type of ``document`` (its sections are found first when missing)."""
    if not document.sections:
        from medcoder.documents.sections import segment

        segment(document)
    return classify(document.text, document.sections, given=document.kind).type
