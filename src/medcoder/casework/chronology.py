"""The chronology of care: every dated clinical event in the file, each citing its source.

A reviewer rebuilds the timeline of a claim by hand today; here each clause that states a
clinical event becomes an :class:`Event` with its date, time, setting, actor, type and the
exact characters it came from. Dates are resolved with a per-document anchor (see
``dates.py``): a document starts from its own header date, never from the previous
document's last date, because an undated note carried onto someone else's date is the
kind of silent error that misleads an expert. Anything that cannot be placed - an undated
event, an unreadable scan, another patient's record, pages that need OCR - goes into the
data-quality list, so nothing in the file is silently dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from medcoder.casework.case import Case, Citation
from medcoder.casework.dates import DateContext, first_date, resolve
from medcoder.casework.extract import (
    ABNORMAL,
    actor_of,
    clauses,
    event_types,
    header_info,
    normalise_name,
    setting_of,
)
from medcoder.documents.model import Document

_LATE = re.compile(
    r"\b(?:late entry|addendum|amended|entered late|documented late|written after)\b", re.I
)
_SURGERY = re.compile(
    r"\b(?:surgery|operation|\w+ectomy|\w+otomy|\w+oscopy|\w+plasty|cesarean|c-section)\b", re.I
)
_ADMIT = re.compile(r"\badmitted\b", re.I)
_DATE_KINDS = ("absolute", "partial", "relative")


@dataclass
class Event:
    """One clinical event, fact only, with the citation of the clause that states it.

    ``date_basis`` says why it has its date: ``stated`` (a date in the clause), ``relative``
    ("two days later", resolved), ``carried`` (an earlier date in the same document),
    ``document`` (the document's header date), or ``None`` (undated).
    """

    id: str
    citation: Citation
    type: str
    types: tuple[str, ...]
    date: date | None = None
    time: time | None = None
    part_of_day: str | None = None
    date_basis: str | None = None
    date_text: str | None = None
    setting: str | None = None
    actor: str | None = None
    abnormal: bool = False
    late_entry: bool = False
    sequence: int = 0

    @property
    def text(self) -> str:
        return self.citation.quote

    @property
    def document(self) -> str:
        return self.citation.document

    @property
    def when(self) -> datetime | None:
        if self.date is None:
            return None
        return datetime.combine(self.date, self.time or time(0, 0))

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "part_of_day": self.part_of_day,
            "date_basis": self.date_basis,
            "date_text": self.date_text,
            "type": self.type,
            "types": list(self.types),
            "setting": self.setting,
            "actor": self.actor,
            "abnormal": self.abnormal,
            "late_entry": self.late_entry,
            "citation": self.citation.to_dict(),
        }


@dataclass
class Flag:
    """A conflict or gap a reviewer must look at, with the events that show it."""

    kind: str  # result_not_acted_on, order_not_carried_out, delay, late_entry, contradictory_dates, gap_in_care
    message: str
    events: list[str]
    hours: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "message": self.message,
            "events": self.events,
            "hours": self.hours,
        }


@dataclass
class DataQualityItem:
    """Something in the file that could not be placed on the timeline, and why."""

    kind: str  # undated_event, unreadable_document, other_patient, needs_ocr, contradictory_dates
    message: str
    source: str
    citation: Citation | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "message": self.message,
            "source": self.source,
            "citation": self.citation.to_dict() if self.citation else None,
        }


@dataclass
class Chronology:
    events: list[Event] = field(default_factory=list)  # dated, in time order
    undated: list[Event] = field(default_factory=list)
    excluded: list[Event] = field(default_factory=list)  # from another patient's documents
    flags: list[Flag] = field(default_factory=list)
    data_quality: list[DataQualityItem] = field(default_factory=list)

    def event(self, event_id: str) -> Event | None:
        for e in (*self.events, *self.undated, *self.excluded):
            if e.id == event_id:
                return e
        return None

    def to_dict(self) -> dict[str, object]:
        return {
            "events": [e.to_dict() for e in self.events],
            "undated": [e.to_dict() for e in self.undated],
            "excluded": [e.to_dict() for e in self.excluded],
            "flags": [f.to_dict() for f in self.flags],
            "data_quality": [d.to_dict() for d in self.data_quality],
        }


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def document_date(document: Document) -> date | None:
    """The document's own date: a labelled header date, else the reader's ``created``."""
    fields = header_info(document).fields
    for key in ("date", "surgery", "admission", "discharge"):
        if key in fields:
            found = first_date(fields[key][0])
            if found:
                return found
    return _as_date(document.created)


def _identity(document: Document) -> dict[str, str]:
    fields = header_info(document).fields
    out: dict[str, str] = {}
    if "name" in fields:
        out["name"] = normalise_name(fields["name"][0])
    if "mrn" in fields:
        out["mrn"] = re.sub(r"\W", "", fields["mrn"][0]).lower()
    if "dob" in fields:
        dob = first_date(fields["dob"][0])
        if dob:
            out["dob"] = dob.isoformat()
    return out


def _reference_identity(case: Case, identities: list[dict[str, str]]) -> dict[str, str]:
    """The case patient: from the manifest where given, else the most common header value."""
    ref: dict[str, str] = {}
    if case.patient_name:
        ref["name"] = normalise_name(case.patient_name)
    if case.patient_mrn:
        ref["mrn"] = re.sub(r"\W", "", case.patient_mrn).lower()
    if case.patient_dob:
        ref["dob"] = case.patient_dob.isoformat()
    for key in ("name", "mrn", "dob"):
        values = Counter(i[key] for i in identities if key in i)
        if key not in ref and values:
            ref[key] = values.most_common(1)[0][0]
    return ref


def _mismatch(identity: dict[str, str], ref: dict[str, str]) -> list[str]:
    return [
        k for k in ("name", "mrn", "dob") if k in identity and k in ref and identity[k] != ref[k]
    ]


def _abnormal_flags(
    document: Document, spans: list[tuple[int, int]], annotator: object | None
) -> list[bool]:
    """Whether each abnormal-word span is asserted (not negated: "no ST elevation")."""
    if not spans:
        return []
    if annotator is None:
        return [True] * len(spans)
    from medcoder.nlp.model import Assertion

    results = annotator.annotate(document.text, spans)  # type: ignore[attr-defined]
    return [
        r.assertion not in (Assertion.NEGATED, Assertion.RULED_OUT, Assertion.HYPOTHETICAL)
        for r in results
    ]


def _document_events(
    document: Document, ctx: DateContext, annotator: object | None, sequence: int
) -> list[Event]:
    header = header_info(document)
    if "surgery" in header.fields:
        ctx.surgery_date = first_date(header.fields["surgery"][0]) or ctx.surgery_date
    if "admission" in header.fields:
        ctx.admission_date = first_date(header.fields["admission"][0]) or ctx.admission_date
    title = document.text.lstrip().split("\n", 1)[0]
    doc_setting = setting_of(header.fields.get("setting", ("", 0, 0))[0]) or setting_of(title)
    parts = clauses(document, header.spans)
    abnormal_spans: list[tuple[int, int, int]] = []  # (clause index, start, end)
    events: list[Event] = []
    current_setting = doc_setting  # a setting holds until a clause names another one
    for index, clause in enumerate(parts):
        mentions = resolve(document.text, ctx, clause.start, clause.end)
        types = event_types(clause.text)
        if not types or _is_title(clause.text):
            continue
        dated = [m for m in mentions if m.kind in _DATE_KINDS]
        timed = [m for m in mentions if m.kind == "time"]
        resolved = next((m for m in mentions if m.kind in ("time", *_DATE_KINDS) and m.value), None)
        if resolved is not None and resolved.kind == "time":
            # "ordered at 1500 but not done until 0900 the following day": the first stated
            # moment dates the event, not a later relative date in the same clause.
            when, basis, said, part = resolved.value, "carried", None, None
            if when == ctx.document_date and not dated:
                basis = "document"
        elif resolved is not None:
            when, basis, said = (
                resolved.value,
                "stated" if resolved.kind != "relative" else "relative",
                resolved.text,
            )
            part = resolved.part_of_day
        elif dated:  # a relative date with nothing to anchor it: undated, never guessed
            when, basis, said, part = None, None, dated[0].text, None
        else:
            when = ctx.anchor
            basis = (
                None if when is None else ("document" if when == ctx.document_date else "carried")
            )
            said, part = None, None
        clock = timed[0].time if timed else None
        citation = Citation(
            document.id, clause.start, clause.end, clause.text, document.page_at(clause.start)
        )
        event = Event(
            id=f"{document.id}#{clause.start}",
            citation=citation,
            type=types[0],
            types=tuple(types),
            date=when,
            time=clock if when is not None else None,
            part_of_day=part,
            date_basis=basis,
            date_text=said,
            setting=setting_of(clause.text) or current_setting,
            actor=actor_of(clause.text) or document.author,
            late_entry=bool(_LATE.search(clause.text)),
            sequence=sequence + index,
        )
        current_setting = event.setting
        if when is not None and basis in ("stated", "relative"):
            if "procedure" in types and _SURGERY.search(clause.text):
                ctx.surgery_date = when
            if _ADMIT.search(clause.text):
                ctx.admission_date = when
        for m in ABNORMAL.finditer(clause.text):
            abnormal_spans.append((len(events), clause.start + m.start(), clause.start + m.end()))
        events.append(event)
    asserted = _abnormal_flags(document, [(s, e) for _, s, e in abnormal_spans], annotator)
    for (i, _, _), present in zip(abnormal_spans, asserted, strict=True):
        events[i].abnormal = events[i].abnormal or present
    return events


def build_chronology(
    case: Case,
    *,
    annotator: object | None = None,
    progress: Callable[[Document], None] | None = None,
) -> Chronology:
    """Events of every document of ``case``, in time order, with flags and data quality.

    ``annotator`` is a :class:`medcoder.nlp.context.ContextAnnotator` (negated abnormal
    findings do not count as abnormal); ``progress`` is called once per document.
    """
    from medcoder.casework.checks import run_checks

    chron = Chronology()
    for bad in case.unreadable:
        chron.data_quality.append(
            DataQualityItem(
                "unreadable_document", f"record could not be read: {bad.problem}", bad.source
            )
        )
    identities = [_identity(d) for d in case.documents]
    ref = _reference_identity(case, identities)
    dated_docs = [(document_date(d), i, d) for i, d in enumerate(case.documents)]
    dated_docs.sort(key=lambda t: (t[0] or date.max, t[1]))
    carried = DateContext()
    sequence = 0
    for doc_date, i, document in dated_docs:
        for warning in document.warnings:
            if "OCR" in warning:
                chron.data_quality.append(
                    DataQualityItem("needs_ocr", warning, document.source or document.id)
                )
        ctx = DateContext(
            anchor=doc_date,
            document_date=doc_date,
            surgery_date=carried.surgery_date,
            admission_date=carried.admission_date,
        )
        events = _document_events(document, ctx, annotator, sequence)
        sequence += 100000
        mismatch = _mismatch(identities[i], ref)
        if mismatch:
            chron.excluded.extend(events)
            chron.data_quality.append(
                DataQualityItem(
                    "other_patient",
                    f"header {', '.join(mismatch)} differs from the case patient; "
                    f"{len(events)} events kept out of the chronology",
                    document.id,
                    Citation(
                        document.id,
                        0,
                        min(len(document.text), 200),
                        document.text[:200],
                        document.page_at(0),
                    ),
                )
            )
        else:
            carried.surgery_date, carried.admission_date = ctx.surgery_date, ctx.admission_date
            for event in events:
                (chron.events if event.date else chron.undated).append(event)
        if progress:
            progress(document)
    order_time = _carried_times(chron.events)
    chron.events.sort(key=lambda e: (e.date, order_time[e.id], e.sequence))
    for event in chron.undated:
        chron.data_quality.append(
            DataQualityItem(
                "undated_event",
                f"no date could be found for this {event.type} event"
                + (f" ('{event.date_text}' has no anchor)" if event.date_text else ""),
                event.document,
                event.citation,
            )
        )
    run_checks(chron)
    return chron


def _is_title(text: str) -> bool:
    """A heading line ("EMERGENCY DEPARTMENT NOTE") names the document; it is not an event."""
    stripped = text.strip()
    return len(stripped) < 80 and stripped.isupper() and not any(c.isdigit() for c in stripped)


def _carried_times(events: list[Event]) -> dict[str, time]:
    """Order untimed events after the last timed event before them in the same document."""
    last: dict[tuple[str, date | None], time] = {}
    out: dict[str, time] = {}
    for event in sorted(events, key=lambda e: e.sequence):
        key = (event.document, event.date)
        if event.time:
            last[key] = event.time
        out[event.id] = event.time or last.get(key, time(0, 0))
    return out
