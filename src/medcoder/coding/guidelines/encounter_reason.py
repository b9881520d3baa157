"""Encounter-reason Z codes (I.C.21.c.8 follow-up, I.C.21.c.13 routine examinations, IV.P).

- Follow-up (Z09) "implies that the condition has been fully treated and no longer exists": it
  is not reported beside a current condition the visit manages ("Follow-up" as the chief
  complaint of a visit for diabetes is the diabetes visit).
- A routine or annual examination is reported with Z00.00/Z00.01 (adult) or Z00.129/Z00.121
  (child), first-listed; "with abnormal findings" when the visit codes a condition it found or
  manages (I.C.21.c.13: "should a diagnosis or condition be discovered ... code ... with
  abnormal findings"), each finding coded as well.
"""

from __future__ import annotations

import re

from medcoder.codesets.icd10cm_pack import display
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext
from medcoder.suggestions import CodeSuggestion, Evidence

# "Annual visit" alone is not a routine examination (a yearly follow-up of chronic problems
# is a problem-oriented visit); an annual *physical* or *exam*, a wellness or preventive visit is.
_ROUTINE = re.compile(
    r"\b(?:annual|yearly|routine)\b[^.\n]{0,30}?\b(?:physical|exam|examination|check-?up)\b|"
    r"\b(?:preventive|preventative|wellness)\b[^.\n]{0,20}?\b(?:visit|exam\w*|physical|care)\b|"
    r"\bwell[- ](?:child|adult|woman|man) (?:visit|check|exam)\w*\b|\bcomplete physical\b",
    re.I,
)
_AGE = re.compile(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b", re.I)
_REASON_SECTIONS = ("chief_complaint", "reason_for_visit", "hpi", "subjective", "body")
# In the history of the illness the examination is this visit's reason only when the note
# says the patient came for it ("presents for his annual exam"); "the test was done as part
# of a routine physical" tells how an earlier finding was made.
_NARRATIVE = ("hpi", "subjective", "body")
_CAME_FOR = re.compile(
    r"\b(?:presents?|presenting|here|is seen|seen|comes?|coming|came|returns?|scheduled)\b"
    r"[^.\n]{0,40}?\bfor\b[^.\n]{0,25}$",
    re.I,
)


def _current(suggestion: CodeSuggestion) -> bool:
    key = code_key(suggestion.code)
    return suggestion.system == "ICD-10-CM" and not key.startswith("Z")


def _routine_exam(context: RuleContext) -> tuple[object, re.Match[str]] | None:
    for annotated in context.annotated.values():
        for section in annotated.sections:
            if section.kind not in _REASON_SECTIONS:
                continue
            body_start = section.header_end if section.header_end is not None else section.start
            found = _ROUTINE.search(annotated.text, body_start, min(section.end, body_start + 400))
            if found and section.kind in _NARRATIVE:
                before = annotated.text[max(body_start, found.start() - 80) : found.start()]
                if not _CAME_FOR.search(before):
                    continue
            if found:
                return annotated, found
    return None


def apply(context: RuleContext) -> None:
    current = [s for s in context.suggestions if _current(s)]
    for suggestion in list(context.suggestions):
        if code_key(suggestion.code) == "Z09" and current:
            context.drop(
                suggestion,
                ENCOUNTER_REASON,
                f"follow-up after completed treatment, but the visit manages {current[0].code}",
            )
    found = _routine_exam(context)
    if found is None or any(code_key(s.code).startswith("Z00") for s in context.suggestions):
        return
    annotated, match = found
    age = _AGE.search(annotated.text[:2000])
    child = age is not None and int(age.group(1)) < 18
    abnormal = bool(current)
    key = ("Z00121" if abnormal else "Z00129") if child else ("Z0001" if abnormal else "Z0000")
    if not context.pack.is_billable(key):
        return
    section = annotated.section_at(match.start())
    evidence = Evidence(
        annotated.id,
        match.start(),
        match.end(),
        match.group(0),
        section=section.kind if section else None,
    )
    context.suggestions.insert(
        0,
        CodeSuggestion(
            system="ICD-10-CM",
            code=display(key),
            description=context.pack.title(key) or "",
            score=0.85,
            evidence=[evidence],
            path=[
                f"{ENCOUNTER_REASON.id}: routine examination"
                + (" with abnormal findings (conditions coded at this visit)" if abnormal else "")
            ],
            guidelines=["I.C.21.c.13", "IV.P"],
            principal=True,
        ),
    )


ENCOUNTER_REASON = GuidelineRule(
    "encounter_reason",
    "I.C.21.c.8",
    "Follow-up only after completed treatment; a routine examination is first-listed",
    apply,
)
