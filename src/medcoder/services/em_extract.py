"""Read E/M facts from a note: MDM elements, total time, new vs established patient.

Every finding comes from a phrase table below (data, not code) and keeps the span of text
that matched, so the grid ``em_level`` builds can cite its evidence. The tables follow the
wording of the AMA MDM table (docs/domain.md §4) plus common clinical paraphrases; what the
tables cannot settle (two different total times, conflicting patient status, no problem
found) is flagged for review rather than guessed.

Problems are counted in the assessment/plan: one problem per numbered item (or per sentence
when the assessment is not numbered), classified by the most severe phrase in it. Data items
are counted once each: a test ordered and reviewed is one unique test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medcoder.documents.model import Document, Section, Span
from medcoder.documents.sections import find_sections, sentences
from medcoder.errors import UsageError
from medcoder.services import em_level as lv

# --- phrase tables ------------------------------------------------------------------------

# (problem kind, pattern), most severe first: an item takes the first kind that matches.
PROBLEM_PHRASES: tuple[tuple[str, str], ...] = (
    (lv.THREAT_TO_LIFE, r"threat(?:ens?|ening)? to (?:life|bodily function)|life[- ]threatening"),
    (
        lv.CHRONIC_SEVERE_EXACERBATION,
        r"severe (?:exacerbation|progression|side effects?)|severely (?:exacerbated|progressing)",
    ),
    (
        lv.CHRONIC_EXACERBATION,
        r"exacerbation|progression|progressing|worsening|poorly controlled|uncontrolled"
        r"|not at (?:treatment )?goal|(?:treatment|medication) side effects?",
    ),
    (lv.UNDIAGNOSED_UNCERTAIN, r"undiagnosed new problem|uncertain prognosis"),
    (lv.ACUTE_SYSTEMIC, r"(?:acute )?illness with systemic symptoms|systemic symptoms"),
    (lv.ACUTE_COMPLICATED_INJURY, r"acute complicated injury|complicated injury"),
    (
        lv.ACUTE_NEEDS_HOSPITAL_CARE,
        r"acute uncomplicated illness requiring (?:hospital|observation)",
    ),
    (lv.STABLE_ACUTE, r"stable acute illness"),
    (
        lv.ACUTE_UNCOMPLICATED,
        r"acute(?:,)? uncomplicated|uncomplicated (?:acute )?(?:illness|injury)",
    ),
    (
        lv.STABLE_CHRONIC,
        r"stable chronic|chronic(?: illness)?,? (?:and )?stable|well[- ]controlled"
        r"|at (?:treatment )?goal",
    ),
    (lv.SELF_LIMITED, r"self[- ]limit(?:ed|ing)|minor problem"),
)
# "two stable chronic illnesses" in one sentence counts as two problems.
_COUNTED_CHRONIC = re.compile(r"\b(two|three|four|2|3|4) stable chronic illnesses\b", re.I)

# Tests the data element can count, one line per unique test: "test: name | name ...".
# Names are regular expressions without "|" (CT of any body part is one CT).
_TEST_TABLE = """
cbc: cbc | complete blood count
cmp: cmp | comprehensive metabolic panel
bmp: bmp | basic metabolic panel
hba1c: a1c | hemoglobin a1c | hba1c
urinalysis: urinalysis | ua
blood culture: blood cultures?
chest x-ray: chest x-ray | chest xray | cxr
ct: ct(?: scan)?(?: of the \\w+)?
rapid strep: rapid strep(?: test)?
influenza test: influenza swab | influenza test
covid test: covid(?:-19)? test
tsh | lipid panel | urine culture | x-ray | mri | ultrasound | mammogram | bnp | lithium level
ecg: ecg | ekg
troponin | lipase | d-dimer | inr | psa | lactate | blood gas
"""
TEST_NAMES: dict[str, str] = {
    name.strip(): (test or name.strip())
    for line in _TEST_TABLE.strip().splitlines()
    for test, _, names in [line.partition(": ") if ": " in line else ("", "", line)]
    for name in names.split("|")
}
_TEST_RE = re.compile(r"\b(?:" + "|".join(sorted(TEST_NAMES, key=len, reverse=True)) + r")\b", re.I)
_TEST_CUE = re.compile(
    r"\b(?:order(?:ed|ing)?|obtain(?:ed)?|check(?:ed)?|reviewed|review of|results?|sent"
    r"|will get|drawn)\b",
    re.I,
)

# (data kind, pattern). External notes capture their source so each source counts once.
DATA_PHRASES: tuple[tuple[str, str], ...] = (
    (
        "external_note",
        r"(?:reviewed|review of) (?:the )?(?:prior |outside |external )+(?:records?|notes?)"
        r"(?: from (?P<source>[a-z][\w.' ]{1,40}?))?(?=[.,;\n]|$| and )",
    ),
    (
        "external_note",
        r"(?:outside|external) (?:records?|notes?) from (?P<source>[a-z][\w.' ]{1,40}?)"
        r" (?:were |was )?reviewed",
    ),
    (
        "independent_historian",
        r"independent historian|(?:history|collateral)(?: was)? (?:obtained |provided |given )?"
        r"(?:from|by) (?:the |his |her |their )?(?:mother|father|parents?|spouse|wife|husband"
        r"|daughter|son|caregiver|guardian|ems|paramedics|nursing home staff)",
    ),
    (
        "independent_interpretation",
        r"independent(?:ly)? interpret(?:ed|ation)|personally (?:interpreted|reviewed the images)"
        r"|my (?:own )?(?:independent )?(?:interpretation|read)\b",
    ),
    (
        "external_discussion",
        r"(?:discussed|discussion of management|spoke|conferred|talked)"
        r"(?: the case| management| care)? with (?:dr\.? [a-z]+|(?:the |his |her |their |on-call "
        r"|consulting |patient's )*(?:cardiologist|surgeon|oncologist|nephrologist|neurologist"
        r"|pulmonologist|specialist|pcp|primary care physician|consultant|hospitalist"
        r"|radiologist|physician|gastroenterologist|endocrinologist|psychiatrist))",
    ),
)

# Drugs sold over the counter: managing them is low risk, not prescription drug management.
OTC_DRUGS: tuple[str, ...] = (
    "acetaminophen",
    "ibuprofen",
    "naproxen",
    "loratadine",
    "cetirizine",
    "fexofenadine",
    "guaifenesin",
    "diphenhydramine",
    "docusate",
    "saline",
)

# (risk level, kind, pattern), highest first.
RISK_PHRASES: tuple[tuple[lv.Level, str, str], ...] = (
    (
        lv.Level.HIGH,
        "hospitalization",
        r"decision (?:regarding|about|for|on) (?:hospitali[sz]ation|admission)"
        r"|decision to (?:admit|hospitali[sz]e)|admit(?:ted)? to (?:the )?(?:hospital|icu"
        r"|inpatient)|escalation of (?:hospital-level )?care"
        r"|(?:considered|discussed) (?:admission|hospitali[sz]ation)",
    ),
    (
        lv.Level.HIGH,
        "intensive_monitoring",
        r"(?:drug therapy|therapy) requiring intensive monitoring|intensive monitoring for toxicity",
    ),
    (lv.Level.HIGH, "emergency_surgery", r"emergency (?:major )?surgery|emergent surgery"),
    (lv.Level.HIGH, "major_surgery_risk", r"elective major surgery with (?:\w+ )?risk factors"),
    (
        lv.Level.HIGH,
        "dnr_deescalation",
        r"\bdnr\b|do not resuscitate|de-?escalat(?:e|ion) of care",
    ),
    (lv.Level.HIGH, "parenteral_controlled", r"parenteral controlled substances?"),
    (lv.Level.MODERATE, "prescription_drug", r"prescription drug management|\bprescrib(?:ed|e)\b"),
    (
        lv.Level.MODERATE,
        "prescription_drug",
        r"\b(?:start(?:ed)?|increase[ds]?|decrease[ds]?|adjust(?:ed)?|titrat(?:e|ed)|refill(?:ed)?"
        r"|continue[ds]?|switch(?:ed)? to)\s+(?!(?:" + "|".join(OTC_DRUGS) + r")\b)"
        r"[a-z][\w-]+ \d+(?:\.\d+)?\s?(?:mg|mcg|units)\b",
    ),
    (
        lv.Level.MODERATE,
        "minor_surgery_risk",
        r"minor surgery with (?:\w+ )?(?:patient |procedure )?risk factors",
    ),
    (lv.Level.MODERATE, "major_surgery", r"elective major surgery without (?:\w+ )?risk factors"),
    (
        lv.Level.MODERATE,
        "sdoh",
        r"social determinants of health|\bsdoh\b|unable to afford|lack of transportation"
        r"|uninsured|homeless",
    ),
    (
        lv.Level.LOW,
        "otc_drug",
        r"over[- ]the[- ]counter|\botc\b|\b(?:" + "|".join(OTC_DRUGS) + r")\b",
    ),
    (lv.Level.LOW, "minor_surgery", r"minor surgery without (?:\w+ )?risk factors"),
)

TIME_PHRASES: tuple[str, ...] = (
    r"\bi spent (?:a total of )?(?P<n>\d{1,3}(?:\.\d)?) (?P<u>minutes?|mins?|hours?)",
    r"\btotal (?:\w+ )?time(?: spent)?(?: was| of|:)? (?:\w+ )?(?P<n>\d{1,3}(?:\.\d)?) "
    r"(?P<u>minutes?|mins?|hours?)",
    r"\bspent a total of (?P<n>\d{1,3}(?:\.\d)?) (?P<u>minutes?|mins?|hours?)",
    r"\b(?P<n>\d{1,3}) (?P<u>minutes?|mins?) (?:of )?total time",
)

PATIENT_STATUS_PHRASES: tuple[tuple[bool, str], ...] = (
    (True, r"\bnew patient\b|establish(?:ing|es)? care|first visit|initial visit"),
    (False, r"\bestablished patient\b|returns? for follow[- ]up|follow[- ]up visit|last seen"),
)

_NEGATION = re.compile(r"\b(?:no|not|without|denies|negative for|none)\b[^.;,]{0,25}$", re.I)
_ITEM = re.compile(r"(?m)^[ \t]*(?:\d{1,2}[.)]|#\d*|[-*\u2022])[ \t]+")
_AP_KINDS = {"assessment", "assessment_plan", "impression", "plan", "diagnoses"}
_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4}


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_PROBLEM_RES = [(kind, _compile(p)) for kind, p in PROBLEM_PHRASES]
_DATA_RES = [(kind, _compile(p)) for kind, p in DATA_PHRASES]
_RISK_RES = [(level, kind, _compile(p)) for level, kind, p in RISK_PHRASES]
_TIME_RES = [_compile(p) for p in TIME_PHRASES]
_STATUS_RES = [(new, _compile(p)) for new, p in PATIENT_STATUS_PHRASES]


# --- result model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One phrase match: what it means (``kind``) and where it is."""

    kind: str
    text: str
    span: Span

    def cite(self) -> str:
        return f"{self.kind}: '{self.text}' [{self.span.start}:{self.span.end}]"


@dataclass
class EMFindings:
    """What a note shows for E/M, each item with its evidence."""

    problems: list[Evidence] = field(default_factory=list)
    tests: dict[str, Evidence] = field(default_factory=dict)  # unique test -> first mention
    external_notes: dict[str, Evidence] = field(default_factory=dict)  # source -> mention
    data: list[Evidence] = field(default_factory=list)  # historian/interpretation/discussion
    risks: list[tuple[lv.Level, Evidence]] = field(default_factory=list)
    total_minutes: int | None = None
    time_evidence: list[Evidence] = field(default_factory=list)
    new_patient: bool | None = None
    status_evidence: list[Evidence] = field(default_factory=list)
    needs_review: list[str] = field(default_factory=list)

    def mdm(self) -> lv.MDM:
        problems = lv.ProblemLevel.from_kinds(
            [e.kind for e in self.problems], [e.cite() for e in self.problems]
        )
        kinds = {e.kind for e in self.data}
        data = lv.DataLevel(
            unique_tests=len(self.tests),
            external_notes=len(self.external_notes),
            independent_historian="independent_historian" in kinds,
            independent_interpretation="independent_interpretation" in kinds,
            external_discussion="external_discussion" in kinds,
            evidence=tuple(
                e.cite() for e in [*self.tests.values(), *self.external_notes.values(), *self.data]
            ),
        )
        top = max((level for level, _ in self.risks), default=lv.Level.STRAIGHTFORWARD)
        risk = lv.RiskLevel(top, tuple(e.cite() for level, e in self.risks if level == top))
        return lv.MDM(problems, data, risk)


# --- extraction ---------------------------------------------------------------------------


def _negated(text: str, start: int, floor: int) -> bool:
    return bool(_NEGATION.search(text[max(floor, start - 40) : start]))


def _evidence(kind: str, text: str, start: int, end: int) -> Evidence:
    return Evidence(kind, text[start:end], Span(start, end))


def _problem_items(text: str, section: Section) -> list[tuple[int, int]]:
    """Numbered/bulleted items of an assessment, else its sentences."""
    body = section.start if section.header_end is None else section.header_end
    marks = [m.start() for m in _ITEM.finditer(text, body, section.end)]
    if marks:
        bounds = [body, *marks, section.end]
        return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]
    return [(s.start, s.end) for s in sentences(text, [section])]


def _find_problems(text: str, sections: list[Section], found: EMFindings) -> None:
    ap = [s for s in sections if s.kind in _AP_KINDS]
    if not ap:
        found.needs_review.append("no assessment/plan section: problems read from the whole note")
        ap = sections
    for section in ap:
        for start, end in _problem_items(text, section):
            counted = _COUNTED_CHRONIC.search(text, start, end)
            if counted:
                word = counted.group(1).lower()
                n = _WORD_NUMBERS.get(word) or int(word)
                ev = _evidence(lv.STABLE_CHRONIC, text, counted.start(), counted.end())
                found.problems.extend([ev] * n)
                continue
            for kind, regex in _PROBLEM_RES:
                hit = next(
                    (
                        m
                        for m in regex.finditer(text, start, end)
                        if not _negated(text, m.start(), start)
                    ),
                    None,
                )
                if hit:
                    found.problems.append(_evidence(kind, text, hit.start(), hit.end()))
                    break
    if not found.problems:
        found.needs_review.append("no problem with acuity/chronicity wording found")


def _find_data(text: str, sections: list[Section], found: EMFindings) -> None:
    for sentence in sentences(text, sections):
        if sentence.section == "family_history":  # a relative's tests are not this visit's data
            continue
        cue = _TEST_CUE.search(text, sentence.start, sentence.end)
        if not cue or _negated(text, cue.start(), sentence.start):
            continue
        for m in _TEST_RE.finditer(text, sentence.start, sentence.end):
            name = next(
                (v for k, v in TEST_NAMES.items() if re.fullmatch(k, m.group(0), re.I)), m.group(0)
            )
            if name not in found.tests and not _negated(text, m.start(), sentence.start):
                found.tests[name] = _evidence(f"test:{name}", text, m.start(), m.end())
    for kind, regex in _DATA_RES:
        for m in regex.finditer(text):
            if _negated(text, m.start(), 0):
                continue
            ev = _evidence(kind, text, m.start(), m.end())
            if kind == "external_note":
                source = (m.group("source") or "unspecified source").strip().lower()
                found.external_notes.setdefault(source, ev)
            elif all(e.kind != kind for e in found.data):
                found.data.append(ev)


def _find_risk(text: str, found: EMFindings) -> None:
    for level, kind, regex in _RISK_RES:
        for m in regex.finditer(text):
            if not _negated(text, m.start(), 0):
                found.risks.append((level, _evidence(kind, text, m.start(), m.end())))
                break


def _find_time(text: str, found: EMFindings) -> None:
    values: dict[int, Evidence] = {}
    for regex in _TIME_RES:
        for m in regex.finditer(text):
            amount = float(m.group("n"))
            minutes = round(amount * 60) if m.group("u").lower().startswith("hour") else int(amount)
            ev = _evidence("total_time", text, m.start(), m.end())
            if all(
                not (e.span.start < ev.span.end and ev.span.start < e.span.end)
                for e in values.values()
            ):
                values.setdefault(minutes, ev)
    found.time_evidence = list(values.values())
    if len(values) == 1:
        found.total_minutes = next(iter(values))
    elif len(values) > 1:
        listed = ", ".join(str(v) for v in sorted(values))
        found.needs_review.append(
            f"contradictory total times ({listed} minutes): time not used; the level is by MDM "
            "until the note states one total time for the date"
        )


def _find_status(text: str, found: EMFindings) -> None:
    votes: dict[bool, Evidence] = {}
    for new, regex in _STATUS_RES:
        m = regex.search(text)
        if m and not _negated(text, m.start(), 0):
            votes[new] = _evidence(
                "new_patient" if new else "established_patient", text, m.start(), m.end()
            )
    found.status_evidence = list(votes.values())
    if len(votes) == 1:
        found.new_patient = next(iter(votes))
    elif len(votes) > 1:
        found.needs_review.append("note says both new and established patient")


def extract(note: Document | str) -> EMFindings:
    """All E/M findings of a note (a :class:`Document` or plain text)."""
    text = note.text if isinstance(note, Document) else note
    sections = (
        note.sections if isinstance(note, Document) and note.sections else find_sections(text)
    )
    found = EMFindings()
    _find_problems(text, sections, found)
    _find_data(text, sections, found)
    _find_risk(text, found)
    _find_time(text, found)
    _find_status(text, found)
    return found


SETTINGS = ("office", "office-new", "office-established", "emergency")


def level_note(
    note: Document | str, setting: str = "office", *, payer: str = "commercial", year: int = 2024
) -> lv.EMResult:
    """Note -> findings -> code. ``office`` takes new/established from the note itself.

    A setting given by the caller wins over the note's wording, but a disagreement is
    flagged. The extraction's review flags are carried into the result.
    """
    if setting not in SETTINGS:
        raise UsageError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    found = extract(note)
    review = list(found.needs_review)
    if setting == "emergency":
        result = lv.level_emergency(found.mdm(), year=max(year, 2023))
        if found.total_minutes is not None:
            result.explanation.append("documented time ignored: ED levels are MDM only")
    else:
        new = {"office-new": True, "office-established": False}.get(setting, found.new_patient)
        if new is None:
            new = False
            review.append("new vs established not stated: leveled as established")
        elif found.new_patient is not None and found.new_patient != new:
            review.append(f"setting {setting} disagrees with the note's patient status")
        result = lv.level_office(new, found.mdm(), found.total_minutes, year, payer=payer)
    result.needs_review = review + result.needs_review
    return result
