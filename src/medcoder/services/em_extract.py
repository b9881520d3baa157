"""Read E/M facts from a note: MDM elements, total time, new vs established patient.

Every finding keeps the span of text that showed it, so the grid ``em_level`` builds can cite
its evidence. The three MDM elements are read the way a coder reads a real visit note:

* *problems* (``em_problems``): the problems the assessment/plan addresses, each placed in a
  column of the AMA table from what the text says about it;
* *data*: each unique test ordered or reviewed (a test ordered and reviewed counts once; tests
  listed under RESULTS were reviewed), each unique source of external notes ("his EKG from the
  emergency room", "outside records from ..."), an independent historian (a parent of a young
  child, a relative who answered for the patient), an independent interpretation ("Independent
  review and interpretation of MRI brain"), a discussion with an external physician;
* *risk*: prescription drug management (any prescription drug started, continued, changed or
  refilled in the plan, named by generic or brand: ``drugs``), decisions about minor or major
  surgery and endoscopy, decisions about hospitalization, social determinants limiting care,
  and the other rows of the AMA risk column.

Negation, family history and hypotheticals come from the shared ConText engine
(``em_context``): one assertion engine for diagnoses and E/M. Whatever the note leaves open
(two different total times, conflicting patient status, no problem found) is flagged for
review rather than guessed. Patient status follows the common convention: established unless
the note says new patient, first visit, establishing care, referred to this practice, or a
consultation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medcoder.documents.model import Document, Section, Span
from medcoder.documents.sections import find_sections, sentences
from medcoder.errors import UsageError
from medcoder.nlp.annotator import context_of
from medcoder.services import em_level as lv
from medcoder.services import em_terms as terms
from medcoder.services.drugs import find_drugs
from medcoder.services.em_context import NoteContext
from medcoder.services.em_problems import (
    AP_KINDS,
    Problem,
    classify,
    count_problems,
    problem_blocks,
)
from medcoder.services.em_time import find_time

if TYPE_CHECKING:  # the assertion engine (spaCy) loads on first use, not on import
    from medcoder.nlp.context import ContextParse

# --- where each element is read -------------------------------------------------------------

# Sections that record what happened before or outside this visit, or a relative's story.
_NOT_THIS_VISIT = frozenset(
    {
        "family_history",
        "past_medical_history",
        "past_surgical_history",
        "social_history",
        "medications",
        "allergies",
        "ros",
        "immunizations",
    }
)
_NARRATIVE = frozenset({"hpi", "chief_complaint", "reason_for_visit", "subjective"})
_PLAN_KINDS = AP_KINDS | {"instructions", "follow_up", "disposition", "hospital_course", "other"}

# --- data ------------------------------------------------------------------------------------

_REVIEW_CUE = re.compile(
    r"\b(?:reviewed|review(?:ing)? of|i (?:have )?(?:looked at|went over)|results?|showed|shows"
    r"|show|demonstrat\w+|reveal\w*|(?:was|were|is|are) (?:normal|abnormal|negative|positive"
    r"|elevated|low|high|unremarkable|consistent)|came back)\b",
    re.I,
)
_ORDER_CUE = re.compile(
    r"\b(?:order(?:ed|ing|s)?|obtain(?:ed|ing)?|check(?:ed|ing)?|recheck(?:ed)?|repeat(?:ed)?"
    r"|get|getting|send|sent|schedul\w+|draw(?:n)?|perform(?:ed)?|will do|plan for|taken|done"
    r"|requested|recommend(?:ed|s)?|arrange[ds]?)\b",
    re.I,
)
_NARRATIVE_CUE = re.compile(r"\b(?:reviewed|review of|order(?:ed)?)\b", re.I)

_RELATIVE = (
    r"(?:mother|father|mom|dad|parents?|spouse|wife|husband|daughter|son|caregiver|guardian"
    r"|grandmother|grandfather|sister|brother|partner|family member|ems|paramedics"
    r"|nursing (?:home|facility) staff|staff)"
)
EXTERNAL_SOURCES = (
    r"(?P<place>emergency (?:room|department)|\ber\b|\bed\b|urgent care|outside (?:facility|hospital"
    r"|clinic|records)|(?:the )?hospital|(?:his|her|their|the) (?:pcp|primary care (?:physician"
    r"|provider|doctor|office|clinic))|dr\.? [a-z]+)"
)
DATA_PHRASES: tuple[tuple[str, str], ...] = (
    (
        "external_note",
        r"(?:reviewed|review of|went over|looked at) (?:the |his |her |their )?(?:prior |outside "
        r"|external |previous |old )*(?:records?|notes?|documentation|discharge summary|chart)"
        r"(?: from (?P<source>[a-z][\w.' ]{1,40}?))?(?=[.,;\n]|$| and | which| that)",
    ),
    (
        "external_note",
        r"(?:outside|external|prior) (?:records?|notes?) from (?P<source>[a-z][\w.' ]{1,40}?)"
        r" (?:were |was )?reviewed",
    ),
    (
        "independent_historian",
        r"independent historian|(?:history|information|collateral)(?: was| is)?"
        r" (?:obtained |provided |given |taken )?(?:from|by) (?:the |his |her |their )?"
        + _RELATIVE
        + r"|\b"
        + _RELATIVE
        + r"\b[^.;]{0,40}\b(?:provides?|provided|gives?|gave|answer(?:s|ed)?|assist(?:s|ed)?"
        r" with|help(?:s|ed)? with)\b[^.;]{0,20}\b(?:history|questions)",
    ),
    (
        "independent_interpretation",
        r"independent(?:ly)? (?:review and )?interpret(?:ed|ation)|independent review"
        r"|personally (?:interpreted|reviewed|viewed|looked at) the (?:images|films|study|tracing"
        r"|scan)|my (?:own )?(?:independent )?(?:interpretation|read)\b"
        r"|i (?:have )?(?:personally )?(?:reviewed|viewed|looked at) the (?:actual )?(?:images"
        r"|films|tracing)|(?:images|films) (?:were|was) (?:personally )?reviewed by me",
    ),
    (
        "external_discussion",
        r"(?:discussed|discussion of management|spoke|conferred|talked|consulted)"
        r"(?: the case| management| care| this| the patient| him| her| (?:his|her) case)?"
        r"(?: (?:at length|in detail|today|by phone|over the phone))? with (?:dr\.? [a-z]+|doctor"
        r" [a-z]+|(?:the |his |her |their |on-call |consulting |patient's |admitting )*"
        r"(?:cardiologist|surgeon|oncologist|nephrologist|neurologist|pulmonologist|specialist"
        r"|pcp|primary care physician|consultant|hospitalist|radiologist|physician"
        r"|gastroenterologist|endocrinologist|psychiatrist|urologist|neurosurgeon"
        r"|orthopedist|pharmacist|case manager|social worker))",
    ),
)
_DATA_RES = [(kind, re.compile(p, re.I)) for kind, p in DATA_PHRASES]
# A test result from another facility's visit is an external note reviewed.
_EXTERNAL_RESULT = re.compile(
    r"\b(?:from|at|in|during) (?:the |an |his |her |their |a |that |this )?(?:recent |prior "
    r"|previous )?" + EXTERNAL_SOURCES + r"(?: visit)?\b",
    re.I,
)
_AGE = re.compile(r"\b(\d{1,2})[- ](month|year|week|day)s?[- ]old\b", re.I)
_PARENT_SAYS = re.compile(
    r"\b(?:mother|father|mom|dad|parents?|grandmother|guardian)\b[^.;]{0,20}\b(?:states?"
    r"|reports?|notes?|says|describes?|explains?|relates?)\b",
    re.I,
)

# --- risk ------------------------------------------------------------------------------------

# (risk level, kind, pattern) in the AMA table's own words, highest first.
RISK_PHRASES: tuple[tuple[lv.Level, str, str], ...] = (
    (
        lv.Level.HIGH,
        "hospitalization",
        r"decision (?:regarding|about|for|on) (?:hospitali[sz]ation|admission)"
        r"|decision to (?:admit|hospitali[sz]e)|escalation of (?:hospital-level )?care"
        r"|(?:considered|discussed) (?:admission|hospitali[sz]ation)",
    ),
    (
        lv.Level.HIGH,
        "intensive_monitoring",
        r"(?:drug therapy|therapy) requiring intensive monitoring|intensive monitoring for toxicity",
    ),
    (lv.Level.HIGH, "emergency_surgery", r"emergen(?:cy|t) (?:major )?surgery|emergent surgery"),
    (lv.Level.HIGH, "major_surgery_risk", r"elective major surgery with (?:\w+ )?risk factors"),
    (lv.Level.HIGH, "dnr_deescalation", r"\bdnr\b|do not resuscitate|de-?escalat(?:e|ion) of care"),
    (lv.Level.HIGH, "parenteral_controlled", r"parenteral controlled substances?"),
    (lv.Level.MODERATE, "prescription_drug", r"prescription drug management"),
    (
        lv.Level.MODERATE,
        "minor_surgery_risk",
        r"minor surgery with (?:\w+ )?(?:patient |procedure )?risk factors",
    ),
    (lv.Level.MODERATE, "major_surgery", r"elective major surgery without (?:\w+ )?risk factors"),
    (
        lv.Level.MODERATE,
        "sdoh",
        r"social determinants of health|\bsdoh\b|unable to afford|(?:could|can)(?:not|n't) afford"
        r"|too expensive|(?:due to|because of) (?:the )?cost|not covered by (?:\w+ )?insurance"
        r"|lack of (?:transportation|insurance)|uninsured|homeless|food insecurity",
    ),
    (lv.Level.LOW, "otc_drug", r"over[- ]the[- ]counter|\botc\b"),
    (lv.Level.LOW, "minor_surgery", r"minor surgery without (?:\w+ )?risk factors"),
    (lv.Level.LOW, "physical_therapy", r"\b(?:physical|occupational) therapy\b"),
)
_RISK_RES = [(level, kind, re.compile(p, re.I)) for level, kind, p in RISK_PHRASES]
_ADMIT = re.compile(
    r"\b(?:admit(?:ted|ting)? (?:him |her |the patient |them )?(?:to (?:the )?(?:hospital|icu"
    r"|floor|ward|service|unit|observation|inpatient|telemetry|dr\.?|medicine)|for (?:observation"
    r"|orders|further|management|iv))|(?:is|was|will be|being|be|are) admitted|admission to"
    r"|hospitali[sz](?:e|ed|ation)|transfer(?:red)? to (?:the )?"
    r"(?:hospital|er|ed|emergency (?:room|department)|icu)|sen[dt] (?:him |her |the patient |them )?"
    r"(?:directly )?to the (?:er|ed|emergency (?:room|department)|hospital))\b",
    re.I,
)
_SURGICAL_CONTEXT = re.compile(
    r"\b(?:surgery|surgical|operation|operative|procedure|post-?op\w*|orif|resection)\b", re.I
)
_MAJOR = re.compile(
    r"\b(?:surgery|surgeries|surgical (?:intervention|repair|removal|resection|management"
    r"|treatment|excision|correction)|operation|orif|open reduction(?: and internal fixation)?"
    r"|arthroplasty|joint replacement|\w+ectomy|\w{3,}plasty|resection|reconstruction|fusion"
    r"|bypass|turbt|turp|catheteri[sz]ation|angioplasty|stent placement|transplant(?:ation)?"
    r"|wide (?:local )?excision|skin graft(?:ing)?|lymph node dissection)\b",
    re.I,
)
_ENDOSCOPY = re.compile(
    r"\b(?:egd|upper endoscopy|endoscopy|colonoscopy|cystoscopy|bronchoscopy|sigmoidoscopy"
    r"|ercp)\b",
    re.I,
)
_MINOR = re.compile(
    r"\b(?:(?:cortisone|steroid|corticosteroid|joint|trigger point|epidural) (?:injection|shot)s?"
    r"|injection|aspiration|debridement|debride|excision|biopsy|incision and drainage|i ?& ?d"
    r"|cryotherapy|shave removal|punch biopsy|sutures?|laceration repair|nail avulsion"
    r"|drainage)\b",
    re.I,
)
_DECISION = re.compile(
    r"\b(?:recommend\w*|proceed\w*|schedul\w+|plan(?:ned|ning)? (?:for|to|is)|the plan|will"
    r" (?:undergo|have|perform|do|need|require|be (?:scheduled|performed|done))|wish(?:es)? to"
    r"|agree[ds]? to|consent\w*|book\w*|set up|indicated|for (?:surgery|the procedure)"
    r"|refer\w* (?:to|for)|perform(?:ed)?|going to|we will|i will|need(?:s)? (?:to|a|an)"
    r"|require[sd]?|decid\w+|declined|deferr?\w*|forego\w*|defer)\b",
    re.I,
)
# The patient's choice of a procedure named earlier: "... did choose to proceed".
_CHOSE = re.compile(
    r"\b(?:cho(?:se|ose|sen) to proceed|wish(?:es)? to proceed|elect(?:s|ed)? to proceed"
    r"|decided to proceed|would like to proceed|agree[ds]? to (?:proceed|the (?:procedure|surgery"
    r"|operation))|consent(?:ed|s)? (?:to|for) (?:the )?(?:procedure|surgery|operation))\b",
    re.I,
)
_PATIENT_RISK_FACTORS = re.compile(
    r"\b(?:diabet\w+|anticoagul\w+|warfarin|coumadin|eliquis|apixaban|xarelto|rivaroxaban"
    r"|immunosuppress\w+|immunocompromised|transplant|peripheral (?:arterial|vascular) disease"
    r"|bleeding disorder|coagulopathy)\b",
    re.I,
)
_HIGH_RISK_FACTORS = re.compile(r"\b(?:risk factors|high[- ]risk|high surgical risk)\b", re.I)
_PARENTERAL_CONTROLLED = re.compile(
    r"\b(?:morphine|hydromorphone|dilaudid|fentanyl|meperidine|demerol|ketamine|lorazepam"
    r"|ativan|midazolam|versed)\b[^.;]{0,30}\b(?:iv|im|intravenous(?:ly)?|intramuscular(?:ly)?)\b",
    re.I,
)
_MANAGE = re.compile(
    r"\b(?:continu\w+|start\w*|begin|began|initiat\w+|increas\w+|decreas\w+|reduc\w+|taper\w*"
    r"|adjust\w*|titrat\w+|prescri\w+|refill\w*|switch\w*|chang\w+|stop\w*|discontinu\w+|hold"
    r"|add\w*|resum\w+|take|taking|use|using|given|give|provided|place[ds]? (?:him|her|them|the"
    r" patient) on|put (?:him|her|them) on|try|trial|recommend\w*|advis\w+|treat\w*|dose|rx"
    r"|apply|restart\w*|wean\w*|send|sent|renew\w*|on)\b",
    re.I,
)
_OTC_SAID = re.compile(r"\botc\b|\bover[- ]the[- ]counter\b", re.I)
# "I will prescribe Lortab 5 mg": a prescription whatever the drug's name.
_PRESCRIBED = re.compile(
    r"\b(?:prescri(?:be|bed|bing|ption (?:for|of))|rx(?: for)?|refill(?:ed)? (?:of |on |his |her )?)"
    r"\s+(?:him |her |them |the patient )?(?:a |an |some |the )?(?:course of )?"
    r"(?P<drug>[A-Za-z][A-Za-z-]{3,})",
    re.I,
)
_NOT_DRUG_WORDS = terms.wordset(
    "medication medications medicine medicines something anything pain drug drugs dose regimen "
    "treatment therapy refill refills patient brace splint cast crutches sling physical "
    "course glasses orthotics boot"
)
_CURRENT_MEDICATIONS = re.compile(
    r"\bcontinue (?:with )?(?:all |his |her |their |the )?(?:current |present |home |same )?"
    r"(?:medications?|meds|medication regimen|regimen|treatment regimen)\b",
    re.I,
)

# --- time and patient status -----------------------------------------------------------------

PATIENT_STATUS_PHRASES: tuple[tuple[bool, str], ...] = (
    (
        True,
        r"\bnew patient\b|\bestablish(?:ing|es)? care\b|\bfirst (?:visit|appointment) (?:with|to|at"
        r" (?:our|this))\b|\bfirst time (?:seeing|visiting)|\binitial (?:visit|consultation"
        r"|evaluation)\b|\bnew to (?:our|this|the) (?:clinic|office|practice)\b"
        r"|\breferred (?:him |her |the patient |them )?(?:to (?:me|us|our (?:office|clinic|practice"
        r"|offices))|here)\b|\b(?:was|were|is|has been|had been|been) referred (?:from|by)\b"
        r"|\b(?:was|were|is|has been|had been) referred to (?!(?:physical|occupational)"
        r" therap|pt\b|a (?:nutritionist|dietitian)|(?:a |the )?(?:nutritionist|dietitian|therapist"
        r"|counselor))[^.;]{0,40}\b(?:by|for (?:management|evaluation|further|consultation"
        r"|assessment|treatment))\b|\bseen in consultation\b|\b(?:asked|requested) to (?:see|evaluate)"
        r"\b|\breason for consult(?:ation)?\b|\bconsultation (?:at the request|requested)\b",
    ),
    (
        False,
        r"\bestablished patient\b|\breturns? (?:to (?:the )?(?:clinic|office) )?for (?:a )?"
        r"follow[- ]?up\b|\bfollow[- ]?up visit\b|\blast seen\b|\bsince (?:i|we) last saw\b"
        r"|\b(?:i|we) last saw\b|\bat (?:her|his|their|the) last visit\b|\bwhen (?:i|we) (?:last )?"
        r"saw (?:him|her|them)\b|\breturning (?:patient|for)\b",
    ),
)
_STATUS_RES = [(new, re.compile(p, re.I)) for new, p in PATIENT_STATUS_PHRASES]


# --- result model -------------------------------------------------------------------------


@dataclass(frozen=True)
class MdmItem:
    """One finding: what it means (``kind``) and where it is."""

    kind: str
    text: str
    span: Span

    def cite(self) -> str:
        return f"{self.kind}: '{self.text}' [{self.span.start}:{self.span.end}]"


@dataclass
class EMFindings:
    """What a note shows for E/M, each item with its evidence."""

    problems: list[MdmItem] = field(default_factory=list)
    tests: dict[str, MdmItem] = field(default_factory=dict)  # unique test -> first mention
    external_notes: dict[str, MdmItem] = field(default_factory=dict)  # source -> mention
    data: list[MdmItem] = field(default_factory=list)  # historian/interpretation/discussion
    risks: list[tuple[lv.Level, MdmItem]] = field(default_factory=list)
    total_minutes: int | None = None
    time_evidence: list[MdmItem] = field(default_factory=list)
    new_patient: bool | None = None
    status_evidence: list[MdmItem] = field(default_factory=list)
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


def _evidence(kind: str, text: str, start: int, end: int) -> MdmItem:
    return MdmItem(kind, text[start:end], Span(start, end))


class _Note:
    """One note under reading: text, sections, sentences and the assertion engine."""

    def __init__(self, text: str, sections: list[Section], context: ContextParse) -> None:
        self.text = text
        self.sections = sections
        self.sentences = sentences(text, sections)
        self.ctx = NoteContext(text, context)
        self.has_ap = any(s.kind in AP_KINDS for s in sections)

    def plan_sentences(self) -> list[tuple[int, int]]:
        """Sentences where decisions are written: the assessment/plan and what follows it;
        the whole note (less history and lists) when it has no assessment/plan."""
        if self.has_ap:
            kinds = _PLAN_KINDS
            return [(s.start, s.end) for s in self.sentences if s.section in kinds]
        return [
            (s.start, s.end)
            for s in self.sentences
            if s.section not in _NOT_THIS_VISIT and s.section != "physical_exam"
        ]


def _find_problems(note: _Note, found: EMFindings) -> None:
    text = note.text
    problems = problem_blocks(text, note.sections)
    if not problems:
        if note.has_ap:
            found.needs_review.append("no problem found in the assessment/plan")
        else:
            found.needs_review.append(
                "no assessment/plan section: problems read from the rest of the note"
            )
        problems = _fallback_problems(note)
    for problem in problems:
        classify(text, problem, note.ctx)
        if problem.kind is None or problem.evidence is None:
            continue
        ev = _evidence(problem.kind, text, *problem.evidence)
        found.problems.extend([ev] * count_problems(text, problem))
    if not found.problems:
        found.needs_review.append("no problem with acuity/chronicity wording found")


def _fallback_problems(note: _Note) -> list[Problem]:
    """Without an assessment/plan: each paragraph of the note's own narrative sections
    (not history, lists or the examination) is a problem candidate."""
    kinds = {"body", "other", "chief_complaint", "reason_for_visit", "hospital_course"}
    out = []
    for section in note.sections or [Section("body", "", 0, len(note.text))]:
        if section.kind not in kinds:
            continue
        body = section.start if section.header_end is None else section.header_end
        pos = body
        for para in note.text[body : section.end].split("\n"):
            a = pos + len(para) - len(para.lstrip())
            b = pos + len(para.rstrip())
            pos += len(para) + 1
            if b > a:
                out.append(Problem((a, b), [(a, b)]))
    return out


def _test_key(text: str, m: re.Match[str], sentence: tuple[int, int]) -> str:
    """The unique test: imaging is one test per body region (knee x-ray and hip x-ray are
    two tests; "x-ray of the lumbar spine" and "back x-ray" are one)."""
    key = terms.test_key(m.group(0))
    if key in terms.IMAGING:
        window = text[max(sentence[0], m.start() - 25) : min(sentence[1], m.end() + 35)]
        part = terms.BODY_PART.search(window)
        if part:
            word = part.group(0).lower()
            return f"{key} {terms.BODY_REGION.get(word, word)}"
    return key


def _merge_imaging(tests: dict[str, MdmItem]) -> None:
    """A study named without its body part is the one named with it ("the x-ray")."""
    for key in [k for k in tests if k in terms.IMAGING]:
        if any(k.startswith(key + " ") for k in tests):
            del tests[key]
    if "x-ray" in tests and "chest x-ray" in tests:
        del tests["x-ray"]


def _find_data(note: _Note, found: EMFindings) -> None:
    text = note.text
    for sentence in note.sentences:
        kind = sentence.section
        if kind in _NOT_THIS_VISIT or kind == "physical_exam":
            continue
        span = (sentence.start, sentence.end)
        matches = list(terms.ANY_TEST.finditer(text, *span))
        if kind in _NARRATIVE or kind == "body":
            if not _NARRATIVE_CUE.search(text, *span):
                matches = []
        elif kind != "results" and not (
            _REVIEW_CUE.search(text, *span) or _ORDER_CUE.search(text, *span)
        ):
            matches = []
        keep = note.ctx.asserted([(m.start(), m.end()) for m in matches]) if matches else []
        specific = False
        for m, ok in zip(matches, keep, strict=True):
            if not ok or not note.ctx.decided(m.start(), m.end()):
                continue
            key = _test_key(text, m, span)
            if key == "labs" and (specific or len(matches) > 1):
                continue
            specific = specific or key != "labs"
            found.tests.setdefault(key, _evidence(f"test:{key}", text, m.start(), m.end()))
        if matches and kind not in _NARRATIVE:
            ext = _EXTERNAL_RESULT.search(text, *span)
            if ext and note.ctx.asserted([(ext.start(), ext.end())])[0]:
                source = _source(ext.group("place"))
                found.external_notes.setdefault(
                    source, _evidence("external_note", text, ext.start(), ext.end())
                )
    for data_kind, regex in _DATA_RES:
        for m in regex.finditer(text):
            section = _section_kind(note.sections, m.start())
            if section in ("family_history",):
                continue
            if not note.ctx.asserted([(m.start(), m.end())])[0]:
                continue
            ev = _evidence(data_kind, text, m.start(), m.end())
            if data_kind == "external_note":
                source = _source(m.group("source") or "unspecified source")
                found.external_notes.setdefault(source, ev)
            elif all(e.kind != data_kind for e in found.data):
                found.data.append(ev)
    _merge_imaging(found.tests)
    if all(e.kind != "independent_historian" for e in found.data):
        _pediatric_historian(note, found)


def _source(name: str) -> str:
    name = name.strip().lower()
    if re.fullmatch(r"emergency (?:room|department)|er|ed", name):
        return "emergency department"
    return re.sub(r"^(?:the|his|her|their) ", "", name)


def _section_kind(sections: list[Section], offset: int) -> str | None:
    return next((s.kind for s in sections if s.start <= offset < s.end), None)


def _pediatric_historian(note: _Note, found: EMFindings) -> None:
    """A young child's history comes from a parent: that parent is an independent historian."""
    age = _AGE.search(note.text[:600])
    if not age:
        return
    n, unit = int(age.group(1)), age.group(2).lower()
    if unit == "year" and n >= 12:
        return
    for m in _PARENT_SAYS.finditer(note.text):
        if _section_kind(note.sections, m.start()) in ("family_history",):
            continue
        if note.ctx.asserted([(m.start(), m.end())])[0]:
            found.data.append(_evidence("independent_historian", note.text, m.start(), m.end()))
            return


def _add_risk(found: EMFindings, level: lv.Level, kind: str, text: str, a: int, b: int) -> None:
    if all(e.kind != kind for _, e in found.risks):
        found.risks.append((level, _evidence(kind, text, a, b)))


def _find_risk(note: _Note, found: EMFindings) -> None:
    text = note.text
    plan = note.plan_sentences()
    for level, kind, regex in _RISK_RES:
        for m in regex.finditer(text):
            if _section_kind(note.sections, m.start()) == "family_history":
                continue
            if note.ctx.asserted([(m.start(), m.end())])[0]:
                _add_risk(found, level, kind, text, m.start(), m.end())
                break
    rx_in_note = any(d.prescription for d in find_drugs(text))
    for a, b in plan:
        _decisions(note, found, a, b)
        otc_said = _OTC_SAID.search(text, a, b)
        tests = [m.span() for m in terms.ANY_TEST.finditer(text, a, b)]
        for drug in find_drugs(text, a, b):
            if _measured(text, drug.start, drug.end, tests):
                continue  # "ACTH level", "cortisol": an analyte measured, not a drug given
            if not note.ctx.decided(drug.start, drug.end):
                continue
            if drug.prescription and not otc_said:
                _add_risk(found, lv.Level.MODERATE, "prescription_drug", text, drug.start, drug.end)
            else:
                _add_risk(found, lv.Level.LOW, "otc_drug", text, drug.start, drug.end)
        for m in _PRESCRIBED.finditer(text, a, b):
            if m.group("drug").lower() not in _NOT_DRUG_WORDS and note.ctx.decided(*m.span("drug")):
                _add_risk(found, lv.Level.MODERATE, "prescription_drug", text, *m.span("drug"))
        current = _CURRENT_MEDICATIONS.search(text, a, b)
        if current and rx_in_note and note.ctx.decided(current.start(), current.end()):
            _add_risk(
                found, lv.Level.MODERATE, "prescription_drug", text, current.start(), current.end()
            )
        parenteral = _PARENTERAL_CONTROLLED.search(text, a, b)
        if parenteral and note.ctx.asserted([(parenteral.start(), parenteral.end())])[0]:
            _add_risk(found, lv.Level.HIGH, "parenteral_controlled", text, *parenteral.span())


_MEASURED = re.compile(
    r"\s*(?:levels?|measurements?|titers?|tests?|testing|panels?|cultures?|assays?|counts?"
    r"|studies|antibod(?:y|ies))\b",
    re.I,
)


def _measured(text: str, start: int, end: int, tests: list[tuple[int, int]]) -> bool:
    """A drug-dictionary word used as the name of a laboratory test."""
    if any(a < end and start < b for a, b in tests):
        return True
    return bool(_MEASURED.match(text, end))


def _decisions(note: _Note, found: EMFindings, a: int, b: int) -> None:
    """Decisions about hospitalization and about surgery or endoscopy in one sentence."""
    text = note.text
    decided = _DECISION.search(text, a, b)
    admit = _ADMIT.search(text, a, b)
    if admit and not _SURGICAL_CONTEXT.search(text, a, b) and note.ctx.decided(*admit.span()):
        _add_risk(found, lv.Level.HIGH, "hospitalization", text, *admit.span())
    if not decided:
        return
    chose = _CHOSE.search(text, a, b)
    for regex, kind in ((_MAJOR, "major"), (_ENDOSCOPY, "endoscopy"), (_MINOR, "minor")):
        m = regex.search(text, a, b)
        if m and not note.ctx.decided(m.start(), m.end()):
            m = None
        if m is None and chose and note.ctx.asserted([chose.span()])[0]:
            # The procedure chosen is the one discussed just before in the same section.
            earlier = [x for x in regex.finditer(text, max(0, a - 800), a)]
            section = _section_kind(note.sections, a)
            earlier = [x for x in earlier if _section_kind(note.sections, x.start()) == section]
            m = earlier[-1] if earlier else None
        if not m:
            continue
        _add_procedure_risk(note, found, kind, m, a, b)
        return


def _add_procedure_risk(
    note: _Note, found: EMFindings, kind: str, m: re.Match[str], a: int, b: int
) -> None:
    """The AMA risk row of a decided procedure (major with or without risk factors,
    endoscopy, minor with or without patient risk factors)."""
    text = note.text
    if kind == "major":
        if _HIGH_RISK_FACTORS.search(text, a, b) or re.search(
            r"\bemergen\w+|\burgent(?:ly)?\b", text[a:b], re.I
        ):
            _add_risk(found, lv.Level.HIGH, "major_surgery_risk", text, *m.span())
        else:
            _add_risk(found, lv.Level.MODERATE, "major_surgery", text, *m.span())
    elif kind == "endoscopy":
        _add_risk(found, lv.Level.MODERATE, "endoscopy", text, *m.span())
    elif _PATIENT_RISK_FACTORS.search(text):
        _add_risk(found, lv.Level.MODERATE, "minor_surgery_risk", text, *m.span())
    else:
        _add_risk(found, lv.Level.LOW, "minor_surgery", text, *m.span())


def _find_time(note: _Note, found: EMFindings) -> None:
    time = find_time(note.text, note.sections)
    found.total_minutes = time.minutes
    found.time_evidence = [MdmItem("total_time", s.text, s.span) for s in (time.statements or [])]
    found.needs_review.extend(time.review or [])


def _find_status(note: _Note, found: EMFindings) -> None:
    votes: dict[bool, MdmItem] = {}
    text = note.text
    for new, regex in _STATUS_RES:
        for m in regex.finditer(text):
            section = _section_kind(note.sections, m.start())
            if section in ("family_history", "plan", "instructions"):
                continue
            if note.ctx.asserted([(m.start(), m.end())])[0]:
                votes[new] = _evidence(
                    "new_patient" if new else "established_patient", text, m.start(), m.end()
                )
                break
    found.status_evidence = list(votes.values())
    if len(votes) == 1:
        found.new_patient = next(iter(votes))
    elif len(votes) > 1:
        found.needs_review.append("note says both new and established patient")


def extract(note: Document | str, context: ContextParse | None = None) -> EMFindings:
    """All E/M findings of a note (a :class:`Document` or plain text). ``context``: the
    note's assertion parse when it was annotated already (coding passes the annotated
    document's)."""
    document = note if isinstance(note, Document) else Document(id="note", text=note)
    text = document.text
    sections = document.sections or find_sections(text)
    reading = _Note(text, sections, context or context_of(document))
    found = EMFindings()
    _find_problems(reading, found)
    _find_data(reading, found)
    _find_risk(reading, found)
    _find_time(reading, found)
    _find_status(reading, found)
    return found


SETTINGS = ("office", *lv.FAMILIES)


def level_note(
    note: Document | str, setting: str = "office", *, payer: str = "commercial", year: int = 2024
) -> lv.EMResult:
    """Note -> findings -> code. ``setting`` is a code family (``em_level.FAMILIES``) or
    ``office``, which takes new/established from the note itself.

    A family given by the caller wins over the note's wording, but a disagreement is
    flagged. The extraction's review flags are carried into the result.
    """
    if setting not in SETTINGS:
        raise UsageError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    return level_findings(extract(note), setting, payer=payer, year=year)


def level_findings(
    found: EMFindings, setting: str = "office", *, payer: str = "commercial", year: int = 2024
) -> lv.EMResult:
    """The code of ``setting`` (see :func:`level_note`) for findings already read."""
    review = list(found.needs_review)
    if setting == "emergency":
        result = lv.level_emergency(found.mdm(), year=max(year, 2023))
        if found.total_minutes is not None:
            result.explanation.append("documented time ignored: ED levels are MDM only")
    elif setting.startswith("office"):
        new = {"office-new": True, "office-established": False}.get(setting, found.new_patient)
        if new is None:
            new = False
            review.append("new vs established not stated: leveled as established")
        elif found.new_patient is not None and found.new_patient != new:
            review.append(f"setting {setting} disagrees with the note's patient status")
        result = lv.level_office(new, found.mdm(), found.total_minutes, year, payer=payer)
    else:
        result = lv.level_family(
            setting, found.mdm(), found.total_minutes, max(year, 2023), payer=payer
        )
    result.needs_review = review + result.needs_review
    return result
