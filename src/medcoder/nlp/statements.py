"""Where a coder reads diagnoses from: the statements of a note and what each one is.

A coder does not code every word of a note. The diagnoses are *stated* in a few places — the
assessment or impression, the diagnosis lists of a discharge summary or an operative report,
the impression of a radiology report — and each problem there is usually one line or one
numbered item ("2. Essential hypertension, well controlled."). Around those statements sit
text that supports them but is not itself a diagnosis: the medical reasoning under a problem
("• Medical Reasoning: he reports fatigue and dizziness..."), the one-line summary of the
patient ("58-year-old male with a history of ... who presents today with ..."), the exam,
the review of systems, the allergy and medication lists, the consent discussion.

:func:`find_statements` splits a segmented document into spans with a *role*:

- ``diagnosis``: a problem stated in a diagnostic section (one per item or line);
- ``support``: reasoning, plans and summaries inside a diagnostic section;
- ``reason``: chief complaint, reason for visit, indication for a test or procedure;
- ``narrative``: history of present illness, hospital course, untitled text;
- ``history``: past medical and surgical history; ``family``; ``social``;
- ``finding``: results and operative findings (read, not stated as diagnoses);
- ``excluded``: review of systems, examination, allergies, medications, consent and risk
  discussions, instructions, plans, anesthesia and other procedure boilerplate.

The roles come from the section kind (``documents.sections``) and the document type
(``documents.doctype``): the findings of a radiology report are its diagnostic statement, the
findings of an operative report are not.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from medcoder.documents.doctype import DocumentType
from medcoder.documents.model import Document, Section
from medcoder.documents.sections import risk_discussions

DIAGNOSIS_SECTIONS = frozenset(
    {
        "assessment",
        "assessment_plan",
        "impression",
        "diagnoses",
        "discharge_diagnoses",
        "final_diagnosis",
        "postoperative_diagnosis",
        "preoperative_diagnosis",
        "admission_diagnoses",
        "query_response",  # the physician's answer to a query is documentation of a diagnosis
    }
)
# When a note has the later statement, the earlier one is only its forerunner: a coder takes
# the postoperative diagnosis over the preoperative one, the discharge diagnoses over the
# admitting diagnosis (guideline II: the condition established after study).
SUPERSEDED_BY = {
    "preoperative_diagnosis": ("postoperative_diagnosis",),
    "admission_diagnoses": ("discharge_diagnoses", "final_diagnosis"),
}
_ROLE_OF_KIND = {
    "chief_complaint": "reason",
    "reason_for_visit": "reason",
    "indications": "reason",
    "hpi": "narrative",
    "subjective": "narrative",
    "body": "narrative",
    "hospital_course": "narrative",
    "objective": "finding",
    "other": "finding",  # an unknown heading states no diagnosis of its own
    "past_medical_history": "history",
    "past_surgical_history": "history",
    "immunizations": "history",
    "family_history": "family",
    "social_history": "social",
    "results": "finding",
    "findings": "finding",
    "gross_description": "finding",
    "microscopic_description": "finding",
    "complications": "finding",
}
# Report types state their diagnoses as findings: the impression, and the findings themselves.
_REPORT_DIAGNOSIS_KINDS = frozenset({"findings", "gross_description", "microscopic_description"})

_LABELLED_BULLET = re.compile(
    r"[ \t]*(?:[\u2022\u25cf*\-–]|\d{1,2}[.)])?[ \t]*"
    r"(?:medical reasoning|medical treatment|additional testing|patient education(?: and counseling)?|"
    r"counseling|specialist referrals?|referrals?|plan|treatment|recommendations?|"
    r"education|follow[- ]?up|disposition|instructions|patient agreements?|diagnostics?|"
    r"labs?|imaging|medications?|therapy|goals?|monitoring|testing)\s*:",
    re.I,
)
_ITEM_START = re.compile(
    r"(?:^|(?<=[\n,]))[ \t]*(?:#\s*)?(?:\d{1,2}[.)]|[\u2022\u25cf*]|-(?=\s))[ \t]+"
)
_SUMMARY = re.compile(
    r"\b\d{1,3}[- ](?:year|yr|month|week|day)s?[- ]old\b|\bpresents?(?: today)?(?: for| with)\b|"
    r"\bwho (?:presents|is here|comes)\b|\bis here (?:for|today)\b",
    re.I,
)
# Where a problem line turns into its plan: "CHF exacerbation - increase Lasix", "HTN: continue".
_PLAN_SPLIT = re.compile(r"\s+[-–—]\s+|:\s+(?=[A-Za-z])|;\s+")
_PLAN_SECTIONS = frozenset({"assessment", "assessment_plan"})
_PROBLEM_WORDS = 12  # a problem line is short: "Type 2 diabetes mellitus, uncontrolled."


@dataclass(frozen=True)
class Statement:
    """A span of a note and what a coder reads it as (see the module docstring)."""

    start: int
    end: int
    role: str
    section: str
    item: int | None = None  # order of the diagnosis statement in its note (0 = first)


def role_of_section(kind: str, doc_type: DocumentType) -> str:
    """The reading role of a whole section of ``kind`` in a document of ``doc_type``."""
    if kind in DIAGNOSIS_SECTIONS:
        return "diagnosis"
    if kind in _REPORT_DIAGNOSIS_KINDS and doc_type.is_report:
        return "diagnosis"
    return _ROLE_OF_KIND.get(kind, "excluded")


def find_statements(
    document: Document,
    doc_type: DocumentType,
    risks: list[tuple[int, int]] | None = None,
) -> list[Statement]:
    """The statements of a segmented ``document`` in text order, covering every section.

    A report (radiology, pathology, test) without an impression states its diagnoses in its
    findings, whatever their headings ("2-D M-MODE: 1. Left atrial enlargement ...").
    ``risks``: the document's consent and risk discussions when the caller has read them
    (``documents.sections.risk_discussions``).
    """
    if risks is None:
        risks = risk_discussions(document.text, document.sentences)
    statements = _statements(document, doc_type, risks, reports_by_findings=False)
    if doc_type.is_report and not any(s.role == "diagnosis" for s in statements):
        statements = _statements(document, doc_type, risks, reports_by_findings=True)
    return statements


def _statements(
    document: Document,
    doc_type: DocumentType,
    risks: list[tuple[int, int]],
    *,
    reports_by_findings: bool,
) -> list[Statement]:
    kinds = {s.kind for s in document.sections}
    ends = sorted(s.end for s in document.sentences)
    out: list[Statement] = []
    for section in document.sections:
        role = role_of_section(section.kind, doc_type)
        if reports_by_findings and role in ("finding", "narrative"):
            role = "diagnosis"
        if role == "diagnosis" and any(k in kinds for k in SUPERSEDED_BY.get(section.kind, ())):
            role = "support"
        body_start = section.header_end if section.header_end is not None else section.start
        if role != "diagnosis":
            out.append(Statement(section.start, section.end, role, section.kind))
            continue
        out.extend(_diagnosis_statements(document.text, section, body_start, ends))
    out = _cut_out(out, risks)
    item = 0
    numbered: list[Statement] = []
    for statement in out:
        if statement.role == "diagnosis":
            statement = Statement(
                statement.start, statement.end, "diagnosis", statement.section, item
            )
            item += 1
        numbered.append(statement)
    return numbered


def _cut_out(statements: list[Statement], spans: list[tuple[int, int]]) -> list[Statement]:
    """The statements with each span cut out as ``excluded``: a consent or risk discussion
    (``documents.sections.risk_discussions``) lists what could happen, not what the patient
    has (IV.C), in any section, an impression or a plan included."""
    if not spans:
        return statements
    out: list[Statement] = []
    for statement in statements:
        pieces = [statement]
        for lo, hi in spans:
            nxt = []
            for piece in pieces:
                if piece.role == "excluded" or hi <= piece.start or lo >= piece.end:
                    nxt.append(piece)
                    continue
                if piece.start < lo:
                    nxt.append(Statement(piece.start, lo, piece.role, piece.section))
                nxt.append(
                    Statement(max(lo, piece.start), min(hi, piece.end), "excluded", piece.section)
                )
                if hi < piece.end:
                    nxt.append(Statement(hi, piece.end, piece.role, piece.section))
            pieces = nxt
        out.extend(pieces)
    return out


def _diagnosis_statements(
    text: str, section: Section, body_start: int, ends: list[int]
) -> list[Statement]:
    """Split a diagnostic section into problem statements and their supporting text."""
    out: list[Statement] = []
    if body_start > section.start:
        out.append(Statement(section.start, body_start, "excluded", section.kind))  # the header
    items = _items(text, body_start, section.end)
    # An assessment written as problems (short lines, numbered or bulleted items) keeps its
    # paragraphs as their narrative; one written as prose states its problems in them.
    as_problems = section.kind in _PLAN_SECTIONS and any(
        _is_problem_line(text[lo:hi]) for lo, hi in items
    )
    for lo, hi in items:
        piece = text[lo:hi]
        stripped = piece.strip(" \t\n,")
        if not stripped:
            out.append(Statement(lo, hi, "support", section.kind))
            continue
        if _LABELLED_BULLET.match(piece):
            out.append(Statement(lo, hi, "support", section.kind))
            continue
        first_end = _first_sentence_end(text, lo, hi, ends)
        first = text[lo:first_end]
        if as_problems and not _is_problem_line(piece):
            out.append(Statement(lo, hi, "support", section.kind))
            continue
        if _SUMMARY.search(first) and len(first.split()) > 8:
            out.append(Statement(lo, hi, "support", section.kind))
            continue
        if section.kind not in _PLAN_SECTIONS or len(stripped.split()) <= _PROBLEM_WORDS:
            # An impression or a diagnosis list states a diagnosis in every sentence, and so
            # does a short problem line ("Stable. Hypertension.").
            out.extend(_sentences_as_statements(text, lo, hi, section.kind, ends))
            continue
        # In an assessment and plan, the problem is the first sentence, up to where its plan
        # starts; the rest of the item is its reasoning and plan.
        cut = _PLAN_SPLIT.search(text, lo + 3, first_end)
        stated_end = cut.start() if cut else first_end
        out.append(Statement(lo, stated_end, "diagnosis", section.kind))
        if stated_end < hi:
            out.append(Statement(stated_end, hi, "support", section.kind))
    return out


def _sentences_as_statements(
    text: str, lo: int, hi: int, kind: str, ends: list[int]
) -> list[Statement]:
    out = []
    start = lo
    while start < hi:
        end = _first_sentence_end(text, start, hi, ends)
        out.append(Statement(start, end, "diagnosis", kind))
        start = end
        while start < hi and text[start] in " \t\n,":
            start += 1
    return out


def _is_problem_line(piece: str) -> bool:
    """A problem as assessments list them: a numbered or bulleted item, or a short line."""
    stripped = piece.strip(" \t\n,")
    if not stripped:
        return False
    if _ITEM_START.match(piece) and not _LABELLED_BULLET.match(piece):
        return True
    return len(stripped.split()) <= _PROBLEM_WORDS and "\n" in piece


def _items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Problem items of a diagnostic section: numbered or bulleted items when there are any,
    else lines; a long line (a paragraph) stays whole."""
    starts = [m.start() for m in _ITEM_START.finditer(text, start, end)]
    cuts: set[int] = set(starts)
    # Line breaks separate items too ("Hypertension.\n• Medical Reasoning: ...").
    for m in re.finditer(r"\n", text[start:end]):
        cuts.add(start + m.start() + 1)
    bounds = sorted(c for c in cuts if start < c < end)
    pieces = []
    lo = start
    for cut in [*bounds, end]:
        if cut > lo:
            pieces.append((lo, cut))
        lo = cut
    return pieces


def _first_sentence_end(text: str, start: int, end: int, ends: list[int]) -> int:
    """Where the first sentence after ``start`` ends (the document's own sentence splitting,
    which knows "Mr." and "Dr." are not sentence ends), never past ``end``."""
    lead = re.match(r"[ \t\n,]*(?:#\s*)?(?:\d{1,2}[.)]|[\u2022\u25cf*\-])?[ \t]*", text[start:end])
    offset = start + (lead.end() if lead else 0)
    i = bisect_right(ends, offset)
    found = ends[i] if i < len(ends) else end
    return max(offset + 1, min(found, end)) if offset < end else end
