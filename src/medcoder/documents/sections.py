"""Section and sentence recognition for clinical notes.

Where a diagnosis is written decides what it means for coding: "diabetes" under FAMILY
HISTORY is not the patient's, under PAST MEDICAL HISTORY it is history, under PLAN it is
intended. So each section gets a normalised ``kind`` and a coding ``role``.

Headers are found in the layouts real notes use: ``HEADER:`` at a line start (any case),
a known header alone on its line, numbered headers (``2. PLAN:``), and the flattened layout of
transcription exports such as mtsamples, where line breaks became commas
(``...allergies.,MEDICATIONS: , Her only...``): there only ALL-CAPS headers count, so prose
like "we discussed the plan: ..." does not split a section. Both passes are single regex scans,
linear in the text size.
"""

from __future__ import annotations

import re

from medcoder.documents.model import Document, Section, Sentence

# kind -> coding role
SECTION_KINDS: dict[str, str] = {
    "body": "patient",
    "chief_complaint": "patient",
    "reason_for_visit": "patient",
    "hpi": "patient",
    "subjective": "patient",
    "objective": "patient",
    "past_medical_history": "history",
    "past_surgical_history": "history",
    "family_history": "family",
    "social_history": "social",
    "medications": "medications",
    "allergies": "other",
    "ros": "ros",
    "physical_exam": "patient",
    "results": "patient",
    "assessment": "patient",
    "assessment_plan": "patient",
    "impression": "patient",
    "plan": "plan",
    "diagnoses": "patient",
    "admission_diagnoses": "patient",
    "discharge_diagnoses": "patient",
    "final_diagnosis": "patient",
    "preoperative_diagnosis": "patient",
    "postoperative_diagnosis": "patient",
    "procedures": "patient",
    "procedure_description": "patient",
    "hospital_course": "patient",
    "ed_course": "patient",
    "findings": "patient",
    "indications": "patient",
    "complications": "patient",
    "gross_description": "patient",
    "microscopic_description": "patient",
    "anesthesia": "other",
    "estimated_blood_loss": "other",
    "specimens": "other",
    "drains": "other",
    "comparison": "other",
    "consent": "consent",
    "instructions": "instructions",
    "disposition": "plan",
    "follow_up": "plan",
    "immunizations": "history",
    "query_response": "patient",
    "other": "other",
}

# One line per kind ("kind: name | name ..."); indented lines continue the kind above.
_SYNONYM_TABLE = """
chief_complaint: chief complaint | cc | presenting complaint | complaint
reason_for_visit: reason for visit | reason for consultation | reason for consult
    | reason for admission | reason for referral
hpi: history of present illness | history of the present illness | hpi | present illness
    | history | interval history | history of presenting illness | clinical history
    | brief history | brief history of patient | history of patient
subjective: subjective
objective: objective
past_medical_history: past medical history | pmh | medical history | past history
    | past medical/surgical history | past medical and surgical history | pmhx
    | significant past medical history
past_surgical_history: past surgical history | psh | surgical history | previous surgery
    | previous surgeries | past surgeries
family_history: family history | fh | family medical history | fhx
social_history: social history | sh | social hx | personal and social history
medications: medications | medication | meds | current medications | home medications
    | admission medications | medications on admission | discharge medications
    | outpatient medications | current meds
allergies: allergies | allergy | drug allergies | medication allergies | allergies to medications
    | allergies to medication | known allergies | drug allergy | allergic reactions
ros: review of systems | review of system | ros | systems review
physical_exam: physical exam | physical examination | exam | examination | pe
    | admission physical examination | physical findings
results: results | labs | lab | laboratory | laboratory data | lab data | laboratory results
    | lab results | data | diagnostic studies | studies | laboratory studies | imaging
    | radiology | diagnostic data | pertinent results
assessment: assessment | clinical impression
assessment_plan: assessment and plan | assessment/plan | a/p | a&p | impression and plan
    | impression/plan | assessment & plan
impression: impression | impressions
plan: plan | recommendations | recommendation | plan of care | disposition plan
diagnoses: diagnoses | diagnosis | working diagnosis
admission_diagnoses: admission diagnosis | admission diagnoses | admitting diagnosis
    | admitting diagnoses
discharge_diagnoses: discharge diagnosis | discharge diagnoses
final_diagnosis: final diagnosis | final diagnoses
preoperative_diagnosis: preoperative diagnosis | preoperative diagnoses
    | pre-operative diagnosis | pre-operative diagnoses | preop diagnosis | pre-op diagnosis
postoperative_diagnosis: postoperative diagnosis | postoperative diagnoses
    | post-operative diagnosis | post-operative diagnoses | postop diagnosis
    | post-op diagnosis
procedures: procedures | procedure | operations | procedure performed | procedures performed
    | operation performed | operations performed | name of operation | name of procedure
    | operative procedure | operation | operative procedures | title of operation
    | title of procedure
procedure_description: description of procedure | description of the procedure
    | procedure in detail | details of procedure | description of operation
    | operative technique | procedure description | procedure details | technique
    | details of operation | description of operative procedure | description | operative note
    | procedure note
hospital_course: hospital course | brief hospital course | summary of hospital course
    | course in hospital
ed_course: ed course | emergency department course | emergency room course | er course
    | course in the emergency department
findings: findings | operative findings | intraoperative findings | abnormal findings
    | gross findings | findings & indications | findings and indications
indications: indications | indication | indications for procedure | indications for operation
    | indications for surgery | indication for procedure | indication for surgery
    | indication for operation | indications of operation | indications and findings
    | reason for exam | reason for procedure | reason for examination | clinical indication
    | clinical indications
complications: complications | complication | intraoperative complications
gross_description: gross description | gross | gross examination
microscopic_description: microscopic description | microscopic | microscopic examination
anesthesia: anesthesia | anesthetic | type of anesthesia | anaesthesia
estimated_blood_loss: estimated blood loss | ebl | blood loss
specimens: specimen | specimens | specimens removed | pathology specimen
drains: drains | drain | tubes | implants
comparison: comparison | comparisons | prior studies
consent: consent | informed consent | risks and benefits | risks
instructions: instructions | discharge instructions | patient instructions
    | patient education | education
disposition: disposition | discharge disposition
follow_up: follow-up | followup | follow up | follow-up instructions | follow-up care
immunizations: immunizations | immunization | vaccinations | immunization history
query_response: query response | physician query response | response to query | addendum
"""


def _parse_synonyms(table: str) -> dict[str, str]:
    """Header name -> kind, from the readable table above."""
    names: dict[str, str] = {}
    kind = ""
    for line in table.strip().splitlines():
        if not line.startswith(" "):
            kind, line = line.split(":", 1)
        for name in line.split("|"):
            if name.strip():
                names[name.strip()] = kind
    return names


HEADER_KINDS: dict[str, str] = _parse_synonyms(_SYNONYM_TABLE)

# Sub-headings inside an exam, ROS or vitals block; they never start a new section.
_SUBHEADING_WORDS = (
    "general heent head eyes ears nose throat mouth neck lungs chest heart cardiovascular cv "
    "abdomen abd extremities ext neuro neurologic neurological skin psychiatric psych "
    "musculoskeletal msk genitourinary gu gi back rectal pelvic lymphatic constitutional "
    "respiratory gastrointestinal endocrine hematologic breasts vitals temp pulse weight "
    "height bmi bp hr rr spo2 note dr md mr mrs ms cc genitalia cardiac pulmonary abdominal "
    "extremity nodes"
)
SUBHEADINGS = frozenset(_SUBHEADING_WORDS.split()) | {"vital signs", "head and neck", "lymph nodes"}

_HEADER = re.compile(
    r"(?:^|(?<=[,.;]))[ \t]*"
    r"(?P<num>(?:\d{1,2}|[IVX]{1,4})[.)][ \t]+)?"
    r"(?P<title>[A-Za-z][A-Za-z /&'()\-]{0,58}?)"
    r"[ \t]*(?P<end>:|,(?=\S)|$)",
    re.M,
)
_SPACES = re.compile(r"\s+")
_PLURAL_NOISE = re.compile(r"\s*\((?:e?s)\)$")
_DETAIL = re.compile(r"\s(?:in detail|detail|details)$")
_ABBREVIATION_WORDS = (
    "dr mr mrs ms st mg ml mcg vs no approx pt fig jr sr prof cm mm kg lb lbs oz hr hrs min "
    "sec wk yr mo vol ref dx hx tx rx sx bid tid qid po qd hs prn am pm ie eg cf al inc dept "
    "u.s e.g i.e b.i.d t.i.d q.i.d p.o q.d h.s p.r.n a.m p.m q.h"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_BOUNDARY = re.compile(
    r"\n(?:[ \t]*\n)+[ \t\n]*"  # a blank line always ends a sentence
    r"|\n(?![ \t]*[a-z])[ \t]*"  # so does a line break, unless the text wraps mid-sentence
    r"|(?<=[.!?])[\"')\]]*[ \t]+(?=[\"'(\[]?[A-Z0-9])"  # '. ' + capital or digit
    r"|(?<=[.!?]),(?=[ \t]*\S)"  # mtsamples: flattened line break after a sentence
)
_WORD_BEFORE = re.compile(r"([A-Za-z.]+|\d+)\.\W*$")
# The longest sentence kept whole, in characters. Real sentences stay far below it (the
# longest in the mtsamples and CodiEsp notes is about 1,100); a text with no sentence breaks
# (a pasted export, a note dictated without punctuation) is cut into pieces of at most this
# length at a space, so matching and ConText, which compare the words of one sentence with
# each other, stay linear in the size of the text.
MAX_SENTENCE = 2_000


def heading_name(title: str) -> str:
    """A heading as the synonym table spells it: lower case, single spaces, no noise."""
    return _normalise_title(title)


def _normalise_title(title: str) -> str:
    """Fold spelling variants: ``DIAGNOSIS (ES)``, ``DETAILS OF THE OPERATION``, ``PREOP DX``."""
    name = _SPACES.sub(" ", title.strip().lower())
    name = _PLURAL_NOISE.sub("", name).replace(" of the ", " of ").replace(" for the ", " for ")
    if _DETAIL.search(name):
        return "description of procedure"
    return name[:-2] + "diagnosis" if name.endswith(" dx") else name


def _classify(match: re.Match[str], text: str) -> tuple[str, str] | None:
    """Decide whether a regex candidate is a header; return ``(kind, title)`` or None."""
    title = match.group("title").strip()
    name = _normalise_title(title)
    end = match.group("end")
    at_line_start = match.start() == 0 or text[match.start() - 1] == "\n"
    is_caps = title.upper() == title and any(c.isalpha() for c in title)
    if name in SUBHEADINGS:
        return None
    kind = HEADER_KINDS.get(name)
    if end == ":":
        if not at_line_start and not is_caps:
            return None
        if kind:
            return kind, title
        # An unknown ALL-CAPS "HEADER:" still ends the previous section (ANESTHESIA:, EBL:).
        letters = sum(c.isalpha() for c in title)
        return ("other", title) if is_caps and letters >= 4 else None
    if end == ",":  # "OPERATION PERFORMED,1. ..." in flattened transcriptions
        return (kind, title) if kind and is_caps else None
    # Header alone on its line: only known names, and the whole line must be the title.
    return (kind, title) if kind and at_line_start and (is_caps or len(name) > 3) else None


# Sections whose unknown ALL-CAPS sub-headings (NARES:, IMPLANT DEVICE:) belong to them.
_CONTINUED_BY_UNKNOWN = frozenset(
    {"physical_exam", "ros", "procedures", "procedure_description", "results"}
)


def find_sections(text: str) -> list[Section]:
    """Split ``text`` into contiguous sections; text before the first header is ``body``."""
    starts: list[tuple[int, str, str]] = []
    for match in _HEADER.finditer(text):
        found = _classify(match, text)
        if found is None:
            continue
        start = match.start("num") if match.group("num") else match.start("title")
        starts.append((start, match.end(), *found))
    sections: list[Section] = []
    first = starts[0][0] if starts else len(text)
    if text[:first].strip():
        sections.append(Section(kind="body", title="", start=0, end=first, role="patient"))
    previous = None
    for i, (start, header_end, kind, title) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        if kind == "other" and previous in _CONTINUED_BY_UNKNOWN:
            # "PHYSICAL EXAMINATION: ... NARES: ..." — an unknown heading inside an
            # examination, a review of systems or a procedure is one of its parts.
            kind = previous
        elif kind == "other" and _normalise_title(title).startswith("findings"):
            kind = "findings"  # FINDINGS AT OPERATION, FINDINGS AT SURGERY ...
        previous = kind
        role = SECTION_KINDS.get(kind, "other")
        sections.append(
            Section(kind, title, start, end, role=role, header_end=min(header_end, end))
        )
    if not sections and text.strip():
        sections.append(Section(kind="body", title="", start=0, end=len(text), role="patient"))
    return sections


def _is_abbreviation(text: str, period: int) -> bool:
    """True when the period at ``period`` ends an abbreviation, initial or list number."""
    window = text[max(0, period - 12) : period + 1]
    m = _WORD_BEFORE.search(window)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return True
    if m.group(1).isdigit() and len(m.group(1)) <= 2:
        before = text[max(0, period - len(m.group(1)) - 2) : period - len(m.group(1))]
        return before.strip(" \t") in ("", "\n", ",") or before.endswith(("\n", ","))
    return False


def sentences(text: str, sections: list[Section] | None = None) -> list[Sentence]:
    """Rule-based sentence spans, never crossing a section boundary.

    Boundaries: line breaks; '.', '!' or '?' followed by space and a capital or digit (not after
    abbreviations like ``Dr.``, ``mg.``, ``i.e.``, initials or list numbers); '.,' in flattened
    transcriptions. Spans are trimmed of whitespace and stray commas.
    """
    spans = sections or [Section(kind="body", title="", start=0, end=len(text))]
    result: list[Sentence] = []
    for section in spans:
        cut = section.start if section.header_end is None else section.header_end
        for m in _BOUNDARY.finditer(text, cut, section.end):
            if m.group(0)[0] != "\n" and _is_abbreviation(text, m.start() - 1):
                continue
            _append(text, cut, m.start(), section.kind, result)
            cut = m.end()
        _append(text, cut, section.end, section.kind, result)
    return result


def _append(text: str, start: int, end: int, kind: str, out: list[Sentence]) -> None:
    while start < end and text[start] in " \t\n,":
        start += 1
    while end > start and text[end - 1] in " \t\n,":
        end -= 1
    while end - start > MAX_SENTENCE:  # no break for too long: cut at the last space
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        _append(text, start, cut, kind, out)
        start = cut
        while start < end and text[start] in " \t\n,":
            start += 1
    if end > start:
        out.append(Sentence(start=start, end=end, section=kind))


# A consent or risk discussion lists what may happen, not what the patient has: "the risks
# include bleeding, infection, deep venous thrombosis", "He accepts the risks to include ...
# sepsis". A sentence is one when it names risks or possible complications and also speaks of
# discussing, explaining or accepting them; "risk factors" are the patient's real conditions.
_RISK_CUE = re.compile(
    r"(?i:\b(?:risks?(?![\s-]+(?:factors?|stratif\w*|scores?|assessment))"
    r"|(?:potential|possible)\s+(?:side\s+effects|complications?)"
    r"|complications?\s+(?:include|including|such\s+as|may\s+include))\b)"
)
_CONSENT_WORDS = re.compile(
    r"(?i:\b(?:include[sd]?|including|such\s+as|discuss\w*|expla\w*|review\w*|understand\w*"
    r"|understood|accepts?|accepted|consent\w*|benefits?|alternatives?|counsel\w*|informed)\b)"
)


def risk_discussions(text: str, sentences: list[Sentence]) -> list[tuple[int, int]]:
    """Spans of consent and risk discussions: from the first risk word to the sentence end.

    A condition named there is a possibility the patient was told about; coding, CDI and case
    review must not read it as a diagnosis (the assertion layer makes it hypothetical).
    """
    spans: list[tuple[int, int]] = []
    for sentence in sentences:
        cue = _RISK_CUE.search(text, sentence.start, sentence.end)
        # The discussion word must be the sentence's own, not the cue's: "complications
        # included acute kidney injury" reports what happened; "the risks include bleeding"
        # and "possible complications were discussed" tell what could.
        if cue and (
            _CONSENT_WORDS.search(text, sentence.start, cue.start())
            or _CONSENT_WORDS.search(text, cue.end(), sentence.end)
        ):
            spans.append((cue.start(), sentence.end))
    return spans


def segment(document: Document) -> Document:
    """Fill ``document.sections`` and ``document.sentences`` in place and return it."""
    document.sections = find_sections(document.text)
    document.sentences = sentences(document.text, document.sections)
    return document
