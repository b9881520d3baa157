"""Preventive medicine visits: the annual exam is its own code family (99381-99397).

An annual physical or wellness visit is reported with the preventive medicine code for the
patient's age and status (new 99381-99387, established 99391-99397). Stable chronic illnesses
reviewed and refilled during it are part of the preventive service. When the visit also
addresses a problem significantly - a chronic illness not at goal, a new problem worked up, a
prescription started or increased - a problem-oriented office code is reported for that work
with modifier 25 (CPT preventive medicine guidelines); medcoder reports that problem-oriented
code as the visit's E/M line and names the preventive code beside it for the coder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.documents.model import Section
from medcoder.services import em_level as lv

_PREVENTIVE = re.compile(
    r"\b(?:annual|yearly|routine) (?:exam(?:ination)?|physical(?: exam(?:ination)?)?|check-?up"
    r"|wellness(?: visit| exam)?|preventive(?: visit)?|preventative(?: visit)?|visit)\b"
    r"(?! (?:follow|f/u))|\bwell(?:ness)? (?:visit|exam|child|woman|man)\b"
    r"|\bpreventi?a?t?ive (?:visit|exam|medicine|care)\b|\bcomplete physical\b",
    re.I,
)
_AGE = re.compile(
    r"\b(?P<n>\d{1,3})(?:[- ](?P<unit>year|yr|month|week|day)s?[- ]old\b| ?y\.?o\.?\b)", re.I
)
_WHERE = frozenset({"chief_complaint", "reason_for_visit", "hpi", "body", "subjective"})
# Age bands (upper bound exclusive, in years) and the last digit of the code.
_BANDS = ((1, 1), (5, 2), (12, 3), (18, 4), (40, 5), (65, 6), (200, 7))
# Problem kinds that make a problem-oriented service significant and separately identifiable.
_SIGNIFICANT = frozenset(lv.PROBLEM_KINDS) - {lv.STABLE_CHRONIC, lv.SELF_LIMITED}


@dataclass(frozen=True)
class Preventive:
    """A preventive visit: its code (None if the age is not stated) and the words that say so."""

    code: str | None
    said: str
    age_years: float | None


def preventive_visit(text: str, sections: list[Section], *, new: bool) -> Preventive | None:
    """The preventive visit a note documents in its chief complaint or opening, or None."""
    found = None
    for section in sections or [Section("body", "", 0, len(text))]:
        if section.kind not in _WHERE:
            continue
        end = section.end if section.kind != "hpi" else min(section.end, section.start + 400)
        found = _PREVENTIVE.search(text, section.start, end)
        if found:
            break
    if not found:
        return None
    age = _AGE.search(text, 0, 1500)
    years = None
    if age:
        unit = (age.group("unit") or "year").lower()
        years = int(age.group("n")) / {"month": 12, "week": 52, "day": 365}.get(unit, 1)
    code = None
    if years is not None:
        digit = next(d for bound, d in _BANDS if years < bound)
        code = f"99{38 if new else 39}{digit}"
    return Preventive(code, found.group(0), years)


def significant_problem(problem_kinds: list[str]) -> bool:
    """Whether problem-oriented work beyond the preventive service is documented (a chronic
    illness whose treatment is started or increased counts as not at goal upstream)."""
    return any(k in _SIGNIFICANT for k in problem_kinds)
