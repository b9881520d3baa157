"""Inpatient specifics: principal diagnosis (UHDDS, guideline II) and POA (appendix I).

Principal diagnosis: the condition established after study to be chiefly responsible for the
admission. From the documentation: the first diagnosis of the discharge/final diagnoses, else
the condition of the chief complaint and HPI; a symptom is not principal when a related
definitive diagnosis is coded (II.A), nor is a manifestation code ("in diseases classified
elsewhere", I.A.13) or a history/status code.

POA (present on admission): Y when the condition is documented in what was known at admission
(chief complaint, HPI, past history, admission diagnoses, emergency department); N when the
documentation says it developed during the stay (hospital-acquired, postoperative,
"developed"); U otherwise — documentation insufficient, which is a query opportunity
(appendix I: "U" is for when the documentation does not say).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from medcoder.coding.guidelines.underdosing import is_underdosing
from medcoder.suggestions import CodeSuggestion

ADMISSION_SECTIONS = frozenset(
    {
        "chief_complaint",
        "reason_for_visit",
        "hpi",
        "past_medical_history",
        "past_surgical_history",
        "admission_diagnoses",
        "preoperative_diagnosis",
        # what an operation was done for was there before it (the finding at surgery included)
        "postoperative_diagnosis",
        "indications",
        "body",
        "physical_exam",
        "results",
    }
)
# Where a note states what occasioned the admission (II: the condition "chiefly responsible
# for occasioning the admission"); the past history and the exam list what the patient has.
REASON_SECTIONS = frozenset(
    {
        "chief_complaint",
        "reason_for_visit",
        "hpi",
        "admission_diagnoses",
        "preoperative_diagnosis",
    }
)
FINAL_SECTIONS = (
    "discharge_diagnoses",
    "final_diagnosis",
    "diagnoses",
    "assessment",
    "assessment_plan",
    "impression",
    "postoperative_diagnosis",
)
_DEVELOPED = re.compile(
    r"\b(hospital[- ]acquired|nosocomial|post-?operative(ly)?|developed|new onset during|"
    r"during (the|his|her) (stay|admission|hospitalization)|on hospital day)\b",
    re.I,
)


_STATED_POA = re.compile(
    r"\b(?P<not>not\s+)?present\s+on\s+admission\b|\b(?P<poa>POA)\b(?!\s*[:=]?\s*(?:U|W|N)\b)",
    re.I,
)


def assign_poa(
    suggestions: list[CodeSuggestion],
    texts: dict[str, str],
    chronic: Callable[[str], bool] | None = None,
    at_admission_documents: frozenset[str] = frozenset(),
) -> None:
    """Set ``poa`` on each suggestion from where and how its evidence is written.

    ``chronic(code)``: conditions chronic by nature, which the POA reporting guidelines
    answer "Y" even when diagnosed after admission (the condition was present before it).
    ``at_admission_documents``: ids of the documents written at admission (the H&P, the ED
    record), whose assessment states what the patient had on arrival."""
    for sug in suggestions:
        if sug.system != "ICD-10-CM":
            continue
        developed = any(
            _DEVELOPED.search(texts.get(e.document, "")[slice(*(e.sentence or (e.start, e.end)))])
            for e in sug.evidence
        )
        at_admission = any(
            e.section in ADMISSION_SECTIONS or e.document in at_admission_documents
            for e in sug.evidence
        )
        said = " ".join(
            texts.get(e.document, "")[slice(*(e.sentence or (e.start, e.end)))]
            for e in sug.evidence
        )
        stated = _STATED_POA.search(said)
        if stated is not None:
            # the provider says it: "sepsis ..., present on admission" (Appendix I)
            sug.poa = "N" if stated.group("not") else "Y"
        elif developed and not at_admission:
            sug.poa = "N"
        elif at_admission or (not developed and chronic is not None and chronic(sug.code)):
            sug.poa = "Y"
        else:
            sug.poa = "U"


def _principal_rank(sug: CodeSuggestion, stated: int | None = None) -> tuple:
    in_final = [e.start for e in sug.evidence if e.section in FINAL_SECTIONS]
    in_reason = any(e.section in REASON_SECTIONS for e in sug.evidence)
    in_admission = any(e.section in ADMISSION_SECTIONS for e in sug.evidence)
    return (
        0 if stated is not None else 1,
        stated if stated is not None else 0,  # the first problem the note states
        0 if in_final else 1,
        min(in_final) if in_final else 0,  # first listed in the final diagnostic statement
        0 if in_reason else 1 if in_admission else 2,
        -sug.score,
    )


def choose_principal(
    suggestions: list[CodeSuggestion],
    stated_order=None,  # noqa: ANN001
    *,
    prefer_definitive: bool = True,
) -> CodeSuggestion | None:
    """Mark and return the principal (inpatient, UHDDS) or first-listed (outpatient, IV.G)
    diagnosis, or None when nothing qualifies.

    ``prefer_definitive``: inpatient (II.A). ``stated_order(suggestion)`` gives where the note states the diagnosis among its problems
    (0 = first): the provider lists the condition chiefly responsible first."""
    candidates = [
        s
        for s in suggestions
        if s.system == "ICD-10-CM"
        and not s.code.startswith("Z")
        and not is_underdosing(s.code)  # I.C.19.e.5.c: never principal or first-listed
        and "in diseases classified elsewhere" not in s.description.lower()
    ]
    from medcoder.coding.reading import is_symptom

    # II.A: a symptom is not principal when a definitive diagnosis is established; in an
    # outpatient visit the first-listed is the reason for the visit as stated (IV.D), which
    # may be a symptom.
    definitive = [s for s in candidates if not is_symptom(s.code)]
    pool = (definitive or candidates) if prefer_definitive else candidates
    if not pool:
        return None
    principal = min(
        pool, key=lambda s: _principal_rank(s, stated_order(s) if stated_order else None)
    )
    principal.principal = True
    principal.guidelines.append("II")
    return principal


def etiology_first(
    principal: CodeSuggestion, suggestions: list[CodeSuggestion], notes_of
) -> CodeSuggestion:  # noqa: ANN001 - notes_of(code) -> list[Note] of "use additional code"
    """If another reported code says "use additional code" for the principal, that code is
    sequenced first (I.A.13; I.C.9.a.3: I13 before the I50 heart failure code)."""
    from medcoder.codesets.icd10cm_tabular import key_in_range
    from medcoder.codesets.systems import code_key

    key = code_key(principal.code)
    for other in suggestions:
        if other is principal or other.system != "ICD-10-CM":
            continue
        for note in notes_of(other.code):
            if any(key_in_range(key, lo, hi) for lo, hi in note.references):
                principal.principal = False
                other.principal = True
                other.guidelines.append("I.A.13")
                return other
    return principal
