"""The document model every later stage reads.

A :class:`Document` is text with stable character offsets plus what is known about where it
came from. Readers (plain text, PDF, HL7 v2, FHIR) all produce this one model; sections,
sentences and lab results are spans into ``Document.text`` so that every code can cite the
exact characters that support it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Setting(StrEnum):
    """Coding setting of an encounter; decides which conventions apply (guidelines II-IV).

    The one spelling of a setting in medcoder: every entry point parses user input with
    :meth:`parse`, so ``"Inpatient"`` and ``" inpatient "`` mean the same everywhere and an
    unknown name fails once, at the door, with the list of valid names.
    """

    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    EMERGENCY = "emergency"
    OBSERVATION = "observation"
    ABSTRACTION = "abstraction"

    @classmethod
    def parse(cls, value: Setting | str) -> Setting:
        """The setting named by ``value`` (any case, surrounding spaces ignored)."""
        if isinstance(value, cls):
            return value
        name = str(value).strip().lower()
        try:
            return cls(name)
        except ValueError:
            from medcoder.errors import UsageError

            names = ", ".join(s.value for s in cls)
            raise UsageError(f"unknown setting {value!r}; use one of {names}") from None

    @property
    def is_inpatient(self) -> bool:
        """Inpatient rules (section II/III): principal diagnosis, POA, uncertain diagnoses
        coded as established, ICD-10-PCS procedures."""
        return self is Setting.INPATIENT


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into a document's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span {self.start}..{self.end}")


@dataclass
class Section:
    """A titled part of a note (HPI, assessment, family history, ...).

    ``kind`` is the normalised section name (see ``documents.sections.SECTION_KINDS``);
    ``role`` says what a diagnosis found there means for coding: ``patient`` (the patient's
    current problem), ``history`` (past history), ``family`` (not the patient's), ``plan``
    (intended, not yet done), ``other``. ``header_end`` is where the header text (title and
    colon) ends, so the section body is ``[header_end, end)``; ``None`` for untitled sections.
    """

    kind: str
    title: str
    start: int
    end: int
    role: str = "patient"
    header_end: int | None = None


@dataclass
class Sentence:
    start: int
    end: int
    section: str | None = None


@dataclass
class LabResult:
    """A measured value: lab test or vital sign, with its unit normalised where known."""

    name: str  # analyte as normalised (``sodium``, ``creatinine``, ``spo2``...)
    value: float | None
    unit: str | None
    raw_text: str = ""
    start: int | None = None
    end: int | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    reference_text: str | None = None
    abnormal_flag: str | None = None  # H, L, HH, LL, A, N ...
    observed_at: datetime | date | None = None
    normalized_value: float | None = None
    normalized_unit: str | None = None
    source_code: str | None = None  # LOINC or local code where the source gave one
    excluded_reason: str | None = None  # why it must not serve as a clinical indicator


@dataclass
class Document:
    """One clinical document.

    ``id`` is stable within an encounter (for files: the file name without extension);
    ``text`` is the normalised text every offset points into; ``pages`` holds the start
    offset of each page for formats that have pages (PDF), so a citation can give a page.
    """

    id: str
    text: str
    source: str = ""  # file path, URL or message id
    format: str = "text"  # text, pdf, hl7v2, fhir
    kind: str | None = None  # discharge summary, operative note, lab report ...
    author: str | None = None
    author_role: str | None = None
    created: datetime | date | None = None
    language: str | None = None
    sections: list[Section] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    results: list[LabResult] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, object] = field(default_factory=dict)

    def section_at(self, offset: int) -> Section | None:
        """The section containing ``offset`` (sections are sorted and do not overlap)."""
        starts = [s.start for s in self.sections]
        i = bisect_right(starts, offset) - 1
        if i >= 0 and offset < self.sections[i].end:
            return self.sections[i]
        return None

    def page_at(self, offset: int) -> int | None:
        """1-based page number of ``offset`` for paged documents, else ``None``."""
        if not self.pages:
            return None
        page = 0
        for i, start in enumerate(self.pages):
            if start <= offset:
                page = i
            else:
                break
        return page + 1


@dataclass
class Patient:
    id: str | None = None
    birth_date: date | None = None
    sex: str | None = None  # F, M, U
    age: int | None = None
    name: str | None = None  # kept out of logs


@dataclass
class Encounter:
    """The documents of one stay or visit, with what decides the coding conventions."""

    id: str
    documents: list[Document] = field(default_factory=list)
    setting: Setting = Setting.OUTPATIENT
    admission_date: date | None = None
    discharge_date: date | None = None
    patient: Patient = field(default_factory=Patient)
    warnings: list[str] = field(default_factory=list)

    @property
    def service_date(self) -> date | None:
        """The date that picks the code sets: the discharge date of an inpatient stay (a stay
        across 1 October is coded and billed in the fiscal year of discharge), the visit's
        date otherwise."""
        return date_of_service(self.setting, self.admission_date, self.discharge_date)


def date_of_service(
    setting: Setting | str, admission: date | None, discharge: date | None
) -> date | None:
    """The date of service rule, written once: inpatient stays take the discharge date (the
    code set in force at discharge applies to the whole claim), every other setting its
    service (admission/visit) date; either falls back to the other when missing."""
    if Setting.parse(setting) is Setting.INPATIENT:
        return discharge or admission
    return admission or discharge
