"""What a clause of a record says happened: event type, setting, actor, and header facts.

The chronology needs every clinical event, and a reviewer needs to trust why a clause was
typed the way it was, so typing is by explicit keyword lexicons (listed here, easy to audit)
rather than a model. Header lines ("MRN: 123", "Date of service: ...") are facts about the
document, not events; they give the document date, the patient identity used to spot another
patient's record mixed into the file, and the operation/admission dates that anchor
"postoperative day 2" and "hospital day 3".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.documents.model import Document
from medcoder.documents.sections import sentences

# Event types in priority order: a clause is typed by the first type whose lexicon matches,
# and keeps every matching type as a tag.
EVENT_LEXICON: dict[str, re.Pattern[str]] = {
    "outcome": re.compile(
        r"\b(?:died|expired|pronounced (?:dead|deceased)|death|cardiac arrest|arrested|"
        r"code blue|found unresponsive|anoxic|brain (?:damage|injury)|paraly[sz]ed|paralysis|"
        r"amputat\w+|permanent\w*|deteriorat\w+|autopsy|cause of death|complicat\w+|"
        r"paraplegi\w+|quadriplegi\w+)\b",
        re.I,
    ),
    "documentation": re.compile(
        r"\b(?:addendum|late entry|amended|entered late|documented late)\b", re.I
    ),
    "order": re.compile(
        r"\b(?:ordered|requested|referred|referral|order for|orders? (?:was|were) (?:placed|written))\b",
        re.I,
    ),
    "procedure": re.compile(
        r"\b(?:underwent|performed|surgery|operation|operative|\w+ectomy|\w+otomy|\w+oscopy|"
        r"\w+plasty|\w+ostomy|incision|intubat\w+|catheteri[sz]\w+|cesarean|c-section|"
        r"deliver(?:y|ed)|biopsy|repair(?:ed)?|procedure|resuscitat\w+|cpr|transfus\w+|"
        r"returned to the (?:operating room|or))\b",
        re.I,
    ),
    "medication": re.compile(
        r"\b(?:administered|given|prescribed|dose|dosage|mg|mcg|units of|infusion|"
        r"started on|medication|heparin|aspirin|insulin|morphine|hydromorphone|fentanyl|"
        r"antibiotic\w*|warfarin|oxytocin|pitocin|nitroglycerin|tpa|ceftriaxone|vancomycin)\b",
        re.I,
    ),
    "result": re.compile(
        r"\b(?:troponin|result\w*|lab(?:s|oratory)?|ct|mri|x-ray|xray|radiograph\w*|"
        r"ultrasound|ecg|ekg|cultures?|white (?:blood )?count|wbc|lactate|hemoglobin|"
        r"potassium|sodium|creatinine|glucose|pathology|imaging|scan|showed|revealed|"
        r"read as|tracing|fetal heart)\b",
        re.I,
    ),
    "communication": re.compile(
        r"\b(?:called|paged|notified|informed|told|telephoned|phoned|spoke|discussed|"
        r"message|voicemail|advised|instructed|consult(?:ed|ation)?|reported to|"
        r"not returned|no response|did not respond|consent\w*)\b",
        re.I,
    ),
    "visit": re.compile(
        r"\b(?:presented|seen|evaluated|examined|admitted|admission|arrived|triaged?|"
        r"discharged|discharge|visit|returned|transferred|follow-up|clinic|office|"
        r"emergency department|emergency room|rounded|rounds)\b",
        re.I,
    ),
    "finding": re.compile(
        r"\b(?:complain\w*|pain|fever|febrile|tachycardi\w*|hypotensi\w+|blood pressure|"
        r"bp|heart rate|pulse|temperature|oxygen saturation|spo2|vital signs?|exam\w*|"
        r"noted|found|tender\w*|swelling|bleeding|numbness|weakness|vomit\w*|nausea|"
        r"shortness of breath|diaphore\w+|distress|decelerations?|confus\w+|lethargic)\b",
        re.I,
    ),
}
ABNORMAL = re.compile(
    r"\b(?:elevated|abnormal|positive|critical|high|low|increased|decreased|mass|fracture|"
    r"perforat\w+|leak|abscess|occlu\w+|infarct\w*|st elevation|st-elevation|bleed\w*|"
    r"hemorrhag\w+|sepsis|septic|fever|febrile|tachycardi\w*|hypotensi\w+|hypoxi\w+|"
    r"decelerations?|dilated|obstruct\w+|nodule|lesion|shadow|opacity|free air|free fluid|"
    r"compression|injur\w+|worsening|deteriorat\w+|\d+\s*/\s*10 pain)\b",
    re.I,
)
_SETTINGS = [
    ("ED", re.compile(r"\b(?:emergency department|emergency room|ED|ER|triage)\b")),
    ("OR", re.compile(r"\b(?:operating room|OR|PACU|recovery room|intraoperative\w*)\b")),
    ("ICU", re.compile(r"\b(?:ICU|intensive care|critical care unit)\b", re.I)),
    ("L&D", re.compile(r"\b(?:labor and delivery|L&D|labor|delivery room)\b", re.I)),
    (
        "IP",
        re.compile(
            r"\b(?:admitted|inpatient|floor|ward|hospital room|med-surg|nursing unit)\b", re.I
        ),
    ),
    ("OP", re.compile(r"\b(?:clinic|office|outpatient|urgent care|telephone call)\b", re.I)),
    ("home", re.compile(r"\b(?:at home|home by ems|his home|her home)\b", re.I)),
    ("EMS", re.compile(r"\b(?:EMS|ambulance|paramedics?)\b")),
]
_ACTOR = re.compile(
    r"\b(?:Dr\.?\s+[A-Z][A-Za-z'-]+(?:\s+[A-Z][A-Za-z'-]+)?"
    r"|(?:Nurse|RN|NP|PA|CRNA)\s+[A-Z][A-Za-z'-]+"
    r"|[A-Z][A-Za-z'-]+,\s+(?:MD|DO|RN|NP|PA-C|CRNA)\b"
    r"|the\s+(?:emergency|attending|admitting|on-call|covering|treating)\s+(?:physician|doctor|surgeon|nurse)"
    r"|the\s+(?:surgeon|radiologist|nurse|anesthesiologist|obstetrician|cardiologist|"
    r"pharmacist|resident|hospitalist|midwife|paramedics?|primary care physician))",
)
_HEADER_LINE = re.compile(
    r"^[ \t]*(?P<label>[A-Za-z][A-Za-z .#/()-]{1,40}?)[ \t]*:[ \t]*(?P<value>[^\n]*)$", re.M
)
HEADER_LABELS = {
    "patient": "name", "patient name": "name", "name": "name", "pt name": "name",
    "mrn": "mrn", "medical record number": "mrn", "medical record #": "mrn", "mr#": "mrn",
    "dob": "dob", "date of birth": "dob", "d.o.b.": "dob",
    "date of service": "date", "dos": "date", "date": "date", "visit date": "date",
    "note date": "date", "date of note": "date", "encounter date": "date", "report date": "date",
    "admission date": "admission", "date of admission": "admission", "admit date": "admission",
    "discharge date": "discharge", "date of discharge": "discharge",
    "date of surgery": "surgery", "date of procedure": "surgery", "date of operation": "surgery",
    "procedure date": "surgery", "surgery date": "surgery",
    "author": "author", "attending": "author", "provider": "author", "signed by": "author",
    "facility": "facility", "location": "setting", "department": "setting",
    "document type": "kind", "provenance": "provenance", "note type": "kind", "sex": "sex", "age": "age",
}  # fmt: skip
_CLAUSE_SPLIT = re.compile(r";\s+")


@dataclass
class Clause:
    """A sentence or ``;``-separated part of one, with its offsets in the document text."""

    start: int
    end: int
    text: str


@dataclass
class HeaderInfo:
    """Labelled header facts of a document, each with its offsets for citation."""

    fields: dict[str, tuple[str, int, int]]  # key -> (value, value start, value end)
    spans: list[tuple[int, int]]  # header lines, not events


def header_info(document: Document, limit: int = 1500) -> HeaderInfo:
    """Labelled lines in the first ``limit`` characters (patient identity, dates, author)."""
    fields: dict[str, tuple[str, int, int]] = {}
    spans: list[tuple[int, int]] = []
    head = document.text[:limit]
    for m in _HEADER_LINE.finditer(head):
        key = HEADER_LABELS.get(m.group("label").strip().lower())
        if key is None:
            continue
        spans.append((m.start(), m.end()))
        value = m.group("value").strip()
        if value and key not in fields:
            start = m.start("value") + (len(m.group("value")) - len(m.group("value").lstrip()))
            fields[key] = (value, start, start + len(value))
    return HeaderInfo(fields, spans)


def clauses(document: Document, skip: list[tuple[int, int]] | None = None) -> list[Clause]:
    """Sentences of the document split at semicolons, header lines left out."""
    skip = skip or []
    out: list[Clause] = []
    for sentence in sentences(document.text):
        if any(s <= sentence.start < e for s, e in skip):
            continue
        cut = sentence.start
        for m in _CLAUSE_SPLIT.finditer(document.text, sentence.start, sentence.end):
            out.append(Clause(cut, m.start(), document.text[cut : m.start()]))
            cut = m.end()
        out.append(Clause(cut, sentence.end, document.text[cut : sentence.end]))
    return [c for c in out if c.text.strip()]


def event_types(text: str) -> list[str]:
    """Every event type whose lexicon matches, in priority order (first is the primary type)."""
    return [kind for kind, pattern in EVENT_LEXICON.items() if pattern.search(text)]


def setting_of(text: str) -> str | None:
    for name, pattern in _SETTINGS:
        if pattern.search(text):
            return name
    return None


def actor_of(text: str) -> str | None:
    m = _ACTOR.search(text)
    return m.group(0).strip() if m else None


def normalise_name(name: str) -> str:
    """Lower-case letters only, "Last, First" turned to "first last", for identity checks."""
    name = name.strip()
    if "," in name:
        last, first = name.split(",", 1)
        name = f"{first} {last}"
    return " ".join(re.findall(r"[a-z]+", name.lower()))
