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

from medcoder.casework.sentences import split_sentences
from medcoder.documents.dates import date_spans
from medcoder.documents.model import Document

# Event types in priority order: a clause is typed by the first type whose lexicon matches,
# and keeps every matching type as a tag. "incident" is what happened to the patient in care
# (a fall, an object left behind, a drug given in error), kept apart from the outcome.
EVENT_LEXICON: dict[str, re.Pattern[str]] = {
    "outcome": re.compile(
        r"\b(?:died|dies|expired|pronounced (?:dead|deceased)|death|cardiac arrest|arrested|"
        r"code blue|code was called|found unresponsive|unresponsive|anoxic|brain (?:damage|injury)|"
        r"paraly[sz]ed|paralysis|amputat\w+|permanent\w*|deteriorat\w+|autopsy|cause of death|"
        r"complicat\w+|paraplegi\w+|quadriplegi\w+|colostomy|ileostomy|toxicity|intoxication|"
        r"overdosed?|perforat\w+|hemorrhag\w+|anemi\w+|disab\w+|injur(?:y|ies|ed))\b",
        re.I,
    ),
    "incident": re.compile(
        r"\b(?:fell|falls?|fallen|slipped|tripped|found on the floor|"
        r"(?:left|retained|remained) (?:inside|in) (?:her|him|the patient)|retained|foreign body|"
        r"wrong (?:patient|site|side|drug|dose|medication|level)|prescribed for (?:another|a different)|"
        r"intended for (?:another|a different)|in error|by mistake|mistaken(?:ly)?)\b",
        re.I,
    ),
    "documentation": re.compile(
        r"\b(?:addendum|late entry|amended|entered late|documented late)\b", re.I
    ),
    "order": re.compile(
        r"\b(?:ordered|orders?|requested|referred|referral|order for|"
        r"orders? (?:was|were) (?:placed|written))\b",
        re.I,
    ),
    "procedure": re.compile(
        r"\b(?:underwent|performed|surgery|surgeries|operation|operative|operated|\w+ectomy|"
        r"\w+otomy|\w+oscopy|\w+plasty|\w+ostomy|incision|intubat\w+|catheteri[sz]\w+|"
        r"cesarean|c-section|deliver(?:y|ed)|biopsy|repair(?:ed)?|procedures?|resuscitat\w+|cpr|"
        r"transfus\w+|aspirat\w+|returned to the (?:operating room|or))\b",
        re.I,
    ),
    "medication": re.compile(
        r"\b(?:administered|given|gave|prescribed|dose|dosage|mg|mcg|milligrams?|units of|"
        r"infusion|started on|medications?|medicine|heparin|aspirin|insulin|morphine|"
        r"hydromorphone|fentanyl|narcan|naloxone|antibiotic\w*|warfarin|oxytocin|pitocin|"
        r"nitroglycerin|tpa|ceftriaxone|vancomycin|dilantin|phenytoin|pharmacist|pharmacy)\b",
        re.I,
    ),
    "result": re.compile(
        r"\b(?:troponin|results?|lab(?:s|oratory)?|ct|cts|mri|x-rays?|xrays?|radiographs?|"
        r"ultrasounds?|mammograms?|mammography|ecg|ekg|cultures?|white (?:blood )?count|wbc|"
        r"lactate|hemoglobin|potassium|sodium|creatinine|glucose|pathology|imaging|scans?|"
        r"showed|revealed|read (?:\w+ )*as|tracing|fetal heart|diagnos(?:ed|is)|found)\b",
        re.I,
    ),
    "communication": re.compile(
        r"\b(?:called|paged|notified|informed|told|telephoned|phoned|spoke|discussed|"
        r"message|voicemail|advised|instructed|consult(?:ed|ation)?|reported|report|"
        r"not returned|no response|did not respond|consent\w*|asked|request)\b",
        re.I,
    ),
    "visit": re.compile(
        r"\b(?:presented|seen|saw|evaluated|examined|admitted|admission|arrived|triaged?|"
        r"discharged|discharge|visit|returned|transferred|follow-up|clinic|office|came (?:to|back)|"
        r"went to|brought to|taken to|emergency department|emergency room|rounded|rounds|"
        r"attended|resident of|lived at)\b",
        re.I,
    ),
    "finding": re.compile(
        r"\b(?:complain\w*|pain|fever|febrile|tachycardi\w*|hypotensi\w+|blood pressure|"
        r"bp|heart rate|pulse|temperature|oxygen saturation|spo2|vital signs?|exam\w*|"
        r"noted|found|felt|tender\w*|swelling|bleed\w*|numbness|weakness|vomit\w*|nausea|"
        r"shortness of breath|diaphore\w+|distress|decelerations?|confus\w+|lethargic|lump|"
        r"mass|cyst|nodule|symptoms?|red|bruis\w+|hallucinat\w+|pregnant|ruptured membranes)\b",
        re.I,
    ),
}
ABNORMAL = re.compile(
    r"\b(?:elevated|abnormal|positive|critical|high|low|increased|decreased|mass|fracture|"
    r"perforat\w+|leak|abscess|occlu\w+|infarct\w*|st elevation|st-elevation|bleed\w*|"
    r"hemorrhag\w+|sepsis|septic|fever|febrile|tachycardi\w*|hypotensi\w+|hypoxi\w+|"
    r"decelerations?|dilated|obstruct\w+|nodule|lesion|shadow|opacity|free air|free fluid|"
    r"compression|injur\w+|worsening|deteriorat\w+|\d+\s*/\s*10 pain|lump|severe|intense|"
    r"unresponsive|anemi\w+|dissection|sponge)\b",
    re.I,
)
# Court and claim proceedings: the procedural history, never clinical events. "Complaint of
# pain" and "chief complaint" are clinical; "wrongful death" is a cause of action, not a death.
LEGAL = re.compile(
    r"\b(?:sued|sues|suing|lawsuit|suits?\b(?! of)|filed (?:a |an |this |the )?(?:suit|complaint|petition|"
    r"claim|action|appeal)|complaint(?! of)(?<!chief complaint)|petition(?:ed|er)?|jury|juror|"
    r"verdict|judgment|trial court|(?:district|circuit|superior|county|high|supreme|appellate|"
    r"trial|chancery|municipal|city|family|probate) court|court of (?:appeals?|civil appeals)|"
    r"appeal(?:ed|s|ing)?|appellant|appellee|affirm(?:ed|s|ing)?|revers(?:ed|es|ing)|"
    r"remand(?:ed|s)?|damages|awarded|settle(?:d|ment|s)|review panel|motion(?:s)? (?:to|for)|"
    r"moved (?:for|to dismiss)|res ipsa|expert (?:report|affidavit)s?|affidavits?|deposition|"
    r"mistrial|new trial|statute of limitations|wrongful death|liability was tried|"
    r"summary judgment|dismissed the (?:claim|suit|case|complaint|action)|was tried|trial on)\b",
    re.I,
)
# Headings under which every sentence is procedural, whatever it says.
PROCEDURAL_HEADING = re.compile(
    r"^\s*(?:procedural (?:history|background|posture)|course of proceedings|proceedings below|"
    r"litigation|the (?:lawsuit|litigation)|trial|appeal)\s*:?\s*$",
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
    "document type": "kind", "provenance": "provenance", "source": "provenance",
    "citation": "provenance", "note type": "kind", "sex": "sex", "age": "age",
}  # fmt: skip
_CLAUSE_SPLIT = re.compile(r";\s+")
_CONJUNCTION = re.compile(r",?\s+(?:and then|and|but|then)\s+(?=\S)", re.I)


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
    """Sentences of the document split at semicolons, header lines left out.

    A sentence that joins two events on different days ("admitted for observation and
    discharged the next morning", "ordered at 1500 but not performed until the following day")
    is also cut before the conjunction that introduces the later date, so each event keeps its
    own date instead of the first one the sentence names.
    """
    skip = skip or []
    text = document.text
    out: list[Clause] = []
    for start, end in split_sentences(text):
        if any(s <= start < e for s, e in skip):
            continue
        cut = start
        for m in _CLAUSE_SPLIT.finditer(text, start, end):
            out.extend(_by_date(text, cut, m.start()))
            cut = m.end()
        out.extend(_by_date(text, cut, end))
    return [c for c in out if c.text.strip()]


def _by_date(text: str, start: int, end: int) -> list[Clause]:
    """``text[start:end]`` cut at a conjunction that introduces a date of its own.

    "...admitted her for observation and she was discharged the next morning" becomes two
    events; clock times never cut ("arrived at 0140 and operated at 0212" is one event).
    """
    cuts: list[tuple[int, int]] = []  # (end of one clause, start of the next)
    boundary = start
    for s, e, rule in date_spans(text, start, end, times=True):
        if rule not in ("time", "md_short"):
            join = _CONJUNCTION.search(text, boundary, s)
            first = cuts[-1][1] if cuts else start
            if join and len(text[first : join.start()].split()) >= 3:
                cuts.append((join.start(), join.end()))
        boundary = e
    out: list[Clause] = []
    cut = start
    for stop, resume in cuts:
        out.append(Clause(cut, stop, text[cut:stop]))
        cut = resume
    out.append(Clause(cut, end, text[cut:end]))
    return out


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


_DESCRIPTOR = re.compile(
    r"\d|\b(?:year|years|yo|y/o|old|woman|man|male|female|boy|girl|infant|child|baby|minor|"
    r"deceased|decedent|patient|pt|plaintiff|claimant|mrs?|ms|miss|dr|jr|sr|ii|iii)\b",
    re.I,
)


def normalise_name(name: str) -> str:
    """Lower-case name words only, for identity checks.

    "Last, First" becomes "first last"; what a header adds after the name ("Deloris Lucas,
    51-year-old woman", "Curtis, Mary (deceased)") is a description, not part of the name.
    """
    name = re.sub(r"\([^)]*\)", " ", name.strip())
    parts = [p.strip() for p in name.split(",") if p.strip()]
    names = [p for p in parts if not _DESCRIPTOR.search(p)] or parts[:1]
    if len(names) >= 2:
        names = [names[1], names[0]]  # "Last, First"
    words = re.findall(r"[a-z][a-z'-]*", " ".join(names).lower())
    return " ".join(w for w in words if not _DESCRIPTOR.fullmatch(w))


def same_person(a: str, b: str) -> bool:
    """Two normalised names for one person: equal, or one's words all in the other's (a middle
    name or initial written in one record only), first and last names agreeing."""
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return False
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if short[0] != long_[0] or short[-1] != long_[-1]:
        return False
    rest = long_[1:-1]
    return all(any(r.startswith(w[0]) for r in rest) for w in short[1:-1])
