"""Where a note documents the procedures performed, read like a coder reads a record.

A coder codes the procedures the record says were *performed in this encounter*, from the
parts of the record that say so: the procedure statement of an operative or procedure report
(``PROCEDURE PERFORMED:``, ``OPERATION:``, ``TITLE OF OPERATION:``, ``NAME OF PROCEDURE:``)
read together with its body (the description of the procedure), the procedure list and the
hospital course of a discharge summary. History of the present illness, past history, plans,
indications and consent discussions name procedures that were done before, or are to be
done: they are not coded (a procedure is reported for the encounter in which it is done).

Documents that record no procedure of their own give no code: a pathology report describes a
specimen (the surgery is coded from its operative report), a letter reports on a patient. A
radiology report's imaging is not a significant inpatient procedure (see
:mod:`medcoder.procedures.pcs_significance`).

:func:`read_sources` returns the spans, nothing else: this module decides *where* to look,
the engine decides *what* is there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medcoder.documents.doctype import DocumentType, document_type
from medcoder.documents.model import Document, Section

Span = tuple[int, int]

# Section titles (lower case) that hold the procedure statement beyond those documents/sections
# already classifies as ``procedures``.
_STATEMENT_TITLES = frozenset(
    {
        "surgery",
        "surgery performed",
        "surgeries performed",
        "surgical procedure",
        "surgical procedures",
        "procedure done",
        "procedures done",
        "operation/procedure",
        "operations/procedures",
        "operation procedure",
        "operations procedures",
        "procedure(s)",
        "procedure(s) performed",
        "operation(s)",
        "operation(s) performed",
        "name of procedures",
        "name of operations",
        "title of operations",
        "title of procedures",
        "procedures/operations",
    }
)
_COURSE_TITLES = frozenset(
    {
        "course in the hospital",
        "course in hospital",
        "hospital course",
        "brief hospital course",
        "clinical course",
        "summary of hospital course",
        "course",
    }
)
# The diagnoses name the site and side in a few words; indications and findings are
# narrative (other organs, history) and are read as details of the operation instead.
_DIAGNOSIS_KINDS = frozenset(
    {
        "preoperative_diagnosis",
        "postoperative_diagnosis",
        "diagnoses",
        "admission_diagnoses",
        "discharge_diagnoses",
        "final_diagnosis",
        "impression",
    }
)
_DETAIL_KINDS = frozenset({"findings", "indications"})
_LETTER = re.compile(r"(?:^|[\n,]|\.\s)\s*dear\s+\w", re.M | re.I)
# A statement section written in sentences is the procedure's description ("PROCEDURE: The
# patient was taken to the operating room ..."); the first STATEMENT_MAX characters tell.
STATEMENT_MAX = 400
_PROSE = re.compile(r"\b(?:was|were|is|are|has|had)\b", re.I)
_DOCUMENT_TITLE = re.compile(r"\b(?:REPORT|NOTE|SUMMARY|CONSULT\w*|LETTER|HISTORY|DICTATION)\b")
_CAPS_TITLE = re.compile(r"^[A-Z][A-Z0-9 ,&/'\-()]{3,98}$")


@dataclass
class ProcedureSources:
    """The spans of one document that record procedures performed in this encounter."""

    kind: str  # operative, summary, record, unheaded; pathology, letter (documents/doctype)
    statement: list[Span] = field(default_factory=list)  # procedure statement bodies
    body: list[Span] = field(default_factory=list)  # descriptions of the procedure
    course: list[Span] = field(default_factory=list)  # hospital course (summaries)
    details: list[Span] = field(default_factory=list)  # implants, contrast, site, drains
    diagnosis: list[Span] = field(default_factory=list)  # pre/postop diagnosis, indications

    @property
    def codes_nothing(self) -> bool:
        return self.kind in ("pathology", "letter")

    def text_of(self, document: Document, spans: list[Span]) -> str:
        return " ".join(document.text[a:b] for a, b in spans)


def read_sources(document: Document) -> ProcedureSources:
    """Classify ``document`` for procedure coding and find its statement, body and course."""
    sections = document.sections
    titles = [s.title.strip().lower() for s in sections]
    doctype = document_type(document)
    if doctype in (DocumentType.PATHOLOGY, DocumentType.LETTER):
        return ProcedureSources(str(doctype))
    statement: list[Span] = []
    body: list[Span] = []
    course: list[Span] = []
    diagnosis: list[Span] = []
    details: list[Span] = []
    for section, title in zip(sections, titles, strict=True):
        span = _body_of(section)
        if span[0] >= span[1]:
            continue
        text = document.text[span[0] : span[1]]
        if section.kind == "procedures" or title in _STATEMENT_TITLES:
            if _is_statement(text):
                statement.append(span)
            else:
                body.append(span)
        elif section.kind == "procedure_description":
            body.append(span)
        elif section.kind == "hospital_course" or title in _COURSE_TITLES:
            course.append(span)
        elif section.kind in _DIAGNOSIS_KINDS:
            diagnosis.append(span)
        elif section.role == "other" or section.kind in _DETAIL_KINDS:
            details.append(span)
    if not statement and sections and sections[0].kind == "body":
        title = _caps_title(document, sections[0])
        if title is not None and (body or len(sections) > 1):
            statement.append(title)  # "BILATERAL SCROTAL ORCHIECTOMY,PROCEDURE:,..."
    if not statement and not body and _LETTER.search(document.text[:600]):
        return ProcedureSources("letter")  # a salutation the document type may not weigh
    if statement or body:
        kind = "operative"
    elif course:
        kind = "summary"
    elif all(s.kind == "body" for s in sections):
        kind = "unheaded"  # a short note without headings: every sentence is read
        body = [(0, len(document.text))]
    else:
        kind = "record"  # H&P, consult, visit: history and plans are not this encounter's
    if kind != "operative":
        details = []  # an H&P's or summary's other sections are not about an operation
    return ProcedureSources(kind, statement, body, course, details=details, diagnosis=diagnosis)


def _body_of(section: Section) -> Span:
    start = section.start if section.header_end is None else section.header_end
    return start, section.end


def _is_statement(text: str) -> bool:
    """A procedure statement names procedures; a long passage in sentences describes one."""
    stripped = text.strip(" ,:\n\t")
    return not _PROSE.search(stripped[:STATEMENT_MAX])


def _caps_title(document: Document, section: Section) -> Span | None:
    """An ALL-CAPS title before the first heading (transcriptions title the operation)."""
    text = document.text[section.start : section.end]
    stripped = text.strip(" ,\n\t")
    if not _CAPS_TITLE.match(stripped) or _DOCUMENT_TITLE.search(stripped):
        return None
    start = section.start + text.index(stripped)
    return start, start + len(stripped)
