"""The chronology of care: every clinical event in the file, each citing its source.

A reviewer rebuilds the timeline of a claim by hand today; here each clause that states a
clinical event becomes an :class:`Event` with its date (and how precisely the record knows
it: a day, a month, a year, approximately), time, setting, actor, type and the exact
characters it came from. Dates are resolved with a per-document anchor (the one date parser,
``medcoder.documents.dates``): a document starts from its own header date, never from the
previous document's last date, because an undated note carried onto someone else's date is
the kind of silent error that misleads an expert. A date counted from an event ("twelve hours
later", "right after the procedure") keeps that event as ``relative_to``, so an event is
placed after the one it follows even when neither has a calendar date; a symptom onset ("pain
that began on March 2") dates its own sentence but never becomes the anchor of the admission
that follows.

Court proceedings (the suit, the verdict, the appeal) are the procedural history, kept apart
from the clinical chronology: they are not care, they never date care, and a "wrongful death
damages" sentence is not a death. Anything that cannot be placed - an undated event, an
unreadable scan, a record whose header names someone else, pages that need OCR - goes into the
data-quality list, so nothing in the file is silently dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from medcoder.casework.case import Case, Citation
from medcoder.casework.extract import (
    ABNORMAL,
    LEGAL,
    PROCEDURAL_HEADING,
    actor_of,
    clauses,
    event_types,
    header_info,
    normalise_name,
    same_person,
    setting_of,
)
from medcoder.documents.dates import DateContext, DateMention, coarser, first_date, resolve
from medcoder.documents.model import Document

if TYPE_CHECKING:
    from medcoder.nlp.context import ContextParse

_LATE = re.compile(
    r"\b(?:late entry|addendum|amended|entered late|documented late|written after)\b", re.I
)
_SURGERY = re.compile(
    r"\b(?:surgery|operation|\w+ectomy|\w+otomy|\w+oscopy|\w+plasty|cesarean|c-section)\b", re.I
)
_ADMIT = re.compile(r"\badmitted\b", re.I)
_DATE_KINDS = ("absolute", "partial", "relative")
# A sentence about how things began or what came before dates itself, not what follows it.
_HISTORY = re.compile(
    r"\b(?:onset|history of|previously|in the past|ago|prior to (?:admission|presentation)|"
    r"(?:pain|symptoms?|fever|bleeding|cough|headache|problems?|complaints?|it|this|they)\s+"
    r"(?:had\s+)?(?:began|begun|started|first appeared)|since)\b",
    re.I,
)
# Clinical words that keep a legal-sounding sentence clinical only when not in a cause of
# action: "wrongful death" is a claim, "died" is an event.
_CAUSE_OF_ACTION = re.compile(r"\bwrongful death\b|\bsurvival action\b", re.I)
# Which earlier event a named reference counts from.
_REF_EVENT = {
    "surgery": re.compile(
        r"\b(?:surgery|operat\w+|\w+ectomy|\w+otomy|\w+plasty|cesarean|c-section)\b", re.I
    ),
    "operation": re.compile(r"\b(?:surgery|operat\w+|\w+ectomy|\w+otomy|\w+plasty)\b", re.I),
    "admission": re.compile(r"\b(?:admitted|admission)\b", re.I),
    "discharge": re.compile(r"\bdischarged?\b", re.I),
    "delivery": re.compile(r"\b(?:deliver\w*|born|birth|cesarean|c-section)\b", re.I),
    "birth": re.compile(r"\b(?:deliver\w*|born|birth)\b", re.I),
}
_MONTH_DAYS, _YEAR_DAYS = 28, 365

# A record's assertion parse (``nlp.context.ContextParse``): the one assertion engine.
Assertions = Callable[[Document], "ContextParse"]


@dataclass
class Event:
    """One clinical event, fact only, with the citation of the clause that states it.

    ``date_basis`` says why it has its date: ``stated`` (a date in the clause), ``relative``
    ("two days later", resolved or not), ``carried`` (an earlier date in the same document),
    ``document`` (the document's header date), or ``None`` (undated). ``precision`` is what
    the record tells of that date (``day``, ``month``, ``year``), ``approximate`` whether it
    said so loosely; ``relative_to`` is the event a relative date counts from.
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
    precision: str = "day"
    approximate: bool = False
    relative_to: str | None = None

    @property
    def dated_as(self) -> str:
        """``day``, ``month``, ``year``, ``approximate``; ``relative`` or ``undated`` without a date."""
        if self.date is None:
            return "relative" if self.relative_to else "undated"
        return "approximate" if self.approximate else self.precision

    def interval(self) -> tuple[date, date] | None:
        """The first and last day the record allows for this event."""
        if self.date is None:
            return None
        if self.approximate:
            return self.date - timedelta(days=62), self.date + timedelta(days=62)
        if self.precision == "month":
            first = self.date.replace(day=1)
            return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if self.precision == "year":
            return date(self.date.year, 1, 1), date(self.date.year, 12, 31)
        return self.date, self.date

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
            "precision": self.precision,
            "approximate": self.approximate,
            "relative_to": self.relative_to,
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
    undated: list[Event] = field(default_factory=list)  # in record order
    excluded: list[Event] = field(default_factory=list)  # from another patient's documents
    flags: list[Flag] = field(default_factory=list)
    data_quality: list[DataQualityItem] = field(default_factory=list)
    procedural: list[Event] = field(default_factory=list)  # suit, verdict, appeal

    def event(self, event_id: str) -> Event | None:
        for e in (*self.events, *self.undated, *self.excluded, *self.procedural):
            if e.id == event_id:
                return e
        return None

    def clinical(self) -> list[Event]:
        """Every clinical event, dated or not (not the procedural history)."""
        return [*self.events, *self.undated]

    def timeline(self) -> list[Event]:
        """Dated events in time order, each undated event right after the event it follows:
        the one its relative date counts from, else the one before it in its record."""
        placed = {e.id for e in self.events}
        followers: dict[str, list[Event]] = {}
        loose: list[Event] = []
        previous: dict[str, Event] = {}
        for event in sorted(self.clinical(), key=lambda e: e.sequence):
            if event.date is None:
                after = event.relative_to or (
                    previous[event.document].id if event.document in previous else None
                )
                if after is not None:
                    followers.setdefault(after, []).append(event)
                else:
                    loose.append(event)
            previous[event.document] = event
        out: list[Event] = []

        def emit(event: Event) -> None:
            out.append(event)
            for follower in followers.pop(event.id, []):
                emit(follower)

        for event in [*self.events, *loose]:
            emit(event)
        for rest in followers.values():  # anchored to an event outside the chronology
            for event in rest:
                if event.id not in placed:
                    emit(event)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "events": [e.to_dict() for e in self.events],
            "undated": [e.to_dict() for e in self.undated],
            "excluded": [e.to_dict() for e in self.excluded],
            "procedural": [e.to_dict() for e in self.procedural],
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
    out = []
    for key in ("name", "mrn", "dob"):
        if key not in identity or key not in ref:
            continue
        same = same_person(identity[key], ref[key]) if key == "name" else identity[key] == ref[key]
        if not same:
            out.append(key)
    return out


def _abnormal_flags(
    document: Document, spans: list[tuple[int, int]], assertions: Assertions | None
) -> list[bool]:
    """Whether each abnormal-word span is asserted (not negated: "no ST elevation")."""
    if not spans:
        return []
    if assertions is None:
        return [True] * len(spans)
    from medcoder.nlp.model import Assertion

    results = assertions(document).assertions(spans)
    return [
        r.assertion not in (Assertion.NEGATED, Assertion.RULED_OUT, Assertion.HYPOTHETICAL)
        for r in results
    ]


@dataclass
class _Running:
    """What relative dates of one record count from, besides the dates in ``DateContext``."""

    anchor_event: Event | None = None
    earlier: list[Event] = field(default_factory=list)  # every clinical event so far, all records


def _precision_of(days: float, anchor: str) -> str:
    unit = "year" if abs(days) >= _YEAR_DAYS else "month" if abs(days) >= _MONTH_DAYS else "day"
    return coarser(anchor, unit)


def _referenced(ref: str | None, running: _Running, own: list[Event]) -> Event | None:
    """The earlier event a relative date counts from: the one it names, else the running one."""
    if ref is None:
        return running.anchor_event
    pool = [*running.earlier, *own]
    if ref in ("recovery", "procedure"):
        hits = [e for e in pool if "procedure" in e.types]
    elif ref in _REF_EVENT:
        hits = [e for e in pool if _REF_EVENT[ref].search(e.text)]
    else:  # "colonoscopy", "biopsy", "fall", "x-ray", "cesarean section"
        word = ref.split()[0]
        hits = [e for e in pool if re.search(rf"\b{re.escape(word)}", e.text, re.I)]
    return hits[-1] if hits else None


def _dating(
    mentions: list[DateMention], ctx: DateContext, running: _Running, own: list[Event]
) -> tuple[date | None, str | None, str | None, str | None, str, bool, Event | None]:
    """``(date, basis, said, part, precision, approximate, counted_from)`` of one clause."""
    dated = [m for m in mentions if m.kind in _DATE_KINDS]
    resolved = next((m for m in mentions if m.kind in ("time", *_DATE_KINDS) and m.value), None)
    relative = next((m for m in dated if m.kind == "relative"), None)
    if (
        relative is not None
        and (relative.ref or relative.value is None)
        and (resolved is None or resolved is relative)
    ):
        source = _referenced(relative.ref, running, own)
        if source is not None:
            if relative.value is not None:
                value, precision = relative.value, relative.precision
            elif source.date is not None and relative.offset_days is not None:
                value = source.date + timedelta(days=round(relative.offset_days))
                precision = _precision_of(relative.offset_days, source.precision)
            else:
                value, precision = None, "day"
            approximate = relative.approximate or (source.approximate and value is not None)
            if value is not None:
                ctx.anchor, ctx.anchor_precision = value, precision
                ctx.anchor_approximate = approximate
            return (
                value,
                "relative",
                relative.text,
                relative.part_of_day,
                precision,
                approximate,
                source,
            )
    if resolved is not None and resolved.kind == "time":
        # "ordered at 1500 but not done until 0900 the following day": the first stated
        # moment dates the event, not a later relative date in the same clause.
        basis = "document" if resolved.value == ctx.document_date and not dated else "carried"
        return (resolved.value, basis, None, None, resolved.precision, resolved.approximate, None)
    if resolved is not None:
        basis = "stated" if resolved.kind != "relative" else "relative"
        source = running.anchor_event if resolved.kind == "relative" else None
        return (
            resolved.value, basis, resolved.text, resolved.part_of_day, resolved.precision,
            resolved.approximate, source,
        )  # fmt: skip
    if dated:  # a relative date with nothing to anchor it: undated, never guessed
        return None, None, dated[0].text, None, "day", False, None
    when = ctx.anchor
    basis = None if when is None else ("document" if when == ctx.document_date else "carried")
    return when, basis, None, None, ctx.anchor_precision, ctx.anchor_approximate, None


def _without_dates(text: str, offset: int, mentions: list[DateMention]) -> str:
    """The clause with its date expressions blanked: "right after the procedure" dates an
    event, it does not make the event a procedure."""
    chars = list(text)
    for m in mentions:
        if m.kind != "time":
            for i in range(max(0, m.start - offset), min(len(chars), m.end - offset)):
                chars[i] = " "
    return "".join(chars)


def _is_legal(text: str) -> bool:
    """A sentence about the suit, the trial or the appeal (not about care)."""
    return bool(LEGAL.search(text))


def _document_events(
    document: Document,
    ctx: DateContext,
    assertions: Assertions | None,
    sequence: int,
    running: _Running | None = None,
) -> tuple[list[Event], list[Event]]:
    """``(clinical events, procedural events)`` of one record."""
    running = running or _Running()
    running.anchor_event = None
    header = header_info(document)
    if "surgery" in header.fields:
        ctx.surgery_date = first_date(header.fields["surgery"][0]) or ctx.surgery_date
    if "admission" in header.fields:
        ctx.admission_date = first_date(header.fields["admission"][0]) or ctx.admission_date
    title = document.text.lstrip().split("\n", 1)[0]
    doc_setting = setting_of(header.fields.get("setting", ("", 0, 0))[0]) or setting_of(title)
    parts = clauses(document, header.spans)
    abnormal_spans: list[tuple[int, int, int]] = []  # (event index, start, end)
    events: list[Event] = []
    procedural: list[Event] = []
    legal_ctx = DateContext(document_date=ctx.document_date)
    in_proceedings = bool(PROCEDURAL_HEADING.match(title))
    current_setting = doc_setting  # a setting holds until a clause names another one
    for index, clause in enumerate(parts):
        if _is_title(clause.text):
            in_proceedings = bool(PROCEDURAL_HEADING.match(clause.text))
            continue
        citation = Citation(
            document.id, clause.start, clause.end, clause.text, document.page_at(clause.start)
        )
        if in_proceedings or _is_legal(clause.text):
            mentions = resolve(document.text, legal_ctx, clause.start, clause.end)
            when = next((m for m in mentions if m.kind in _DATE_KINDS and m.value), None)
            procedural.append(
                Event(
                    id=f"{document.id}#{clause.start}",
                    citation=citation,
                    type="legal",
                    types=("legal",),
                    date=when.value if when else None,
                    date_basis="stated" if when else None,
                    date_text=when.text if when else None,
                    actor=actor_of(clause.text),
                    sequence=sequence + index,
                    precision=when.precision if when else "day",
                    approximate=when.approximate if when else False,
                )
            )
            continue
        historical = bool(_HISTORY.search(clause.text))
        mentions = resolve(document.text, ctx, clause.start, clause.end, move_anchor=not historical)
        types = event_types(_without_dates(clause.text, clause.start, mentions))
        if not types:
            continue
        when, basis, said, part, precision, approximate, source = _dating(
            mentions, ctx, running, events
        )
        timed = [m for m in mentions if m.kind == "time"]
        clock = timed[0].time if timed else None
        event = Event(
            id=f"{document.id}#{clause.start}",
            citation=citation,
            type=types[0],
            types=tuple(types),
            date=when,
            time=clock if when is not None and precision == "day" else None,
            part_of_day=part,
            date_basis=basis if when is not None or source is None else "relative",
            date_text=said,
            setting=setting_of(clause.text) or current_setting,
            actor=actor_of(clause.text) or document.author,
            late_entry=bool(_LATE.search(clause.text)),
            sequence=sequence + index,
            precision=precision if when is not None else "day",
            approximate=approximate if when is not None else False,
            relative_to=source.id if source is not None else None,
        )
        current_setting = event.setting
        own_date = any(m.kind in (*_DATE_KINDS, "time") for m in mentions)
        if not historical and (own_date or running.anchor_event is None):
            running.anchor_event = event
        if when is not None and basis in ("stated", "relative"):
            if "procedure" in types and _SURGERY.search(clause.text):
                ctx.surgery_date = when
            if _ADMIT.search(clause.text):
                ctx.admission_date = when
        for m in ABNORMAL.finditer(clause.text):
            abnormal_spans.append((len(events), clause.start + m.start(), clause.start + m.end()))
        events.append(event)
    asserted = _abnormal_flags(document, [(s, e) for _, s, e in abnormal_spans], assertions)
    for (i, _, _), present in zip(abnormal_spans, asserted, strict=True):
        events[i].abnormal = events[i].abnormal or present
    running.earlier.extend(events)
    return events, procedural


def build_chronology(
    case: Case,
    *,
    assertions: Assertions | None = None,
    progress: Callable[[Document], None] | None = None,
) -> Chronology:
    """Events of every document of ``case``, in time order, with flags and data quality.

    ``assertions`` gives a record's assertion parse (:func:`medcoder.nlp.annotator.context_of`,
    or the annotated record's, shared with coding): negated abnormal findings do not count as
    abnormal; without it every abnormal word counts; ``progress`` is called once per document.
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
    running = _Running()
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
        mismatch = _mismatch(identities[i], ref)
        other = len(mismatch) >= 2  # two identifiers differ: another patient's record
        events, procedural = _document_events(
            document, ctx, assertions, sequence, _Running() if other else running
        )
        sequence += 100000
        head = Citation(
            document.id, 0, min(len(document.text), 200), document.text[:200], document.page_at(0)
        )
        if other:
            chron.excluded.extend(events)
            chron.data_quality.append(
                DataQualityItem(
                    "other_patient",
                    f"header {', '.join(mismatch)} differs from the case patient; "
                    f"{len(events)} events kept out of the chronology",
                    document.id,
                    head,
                )
            )
        else:
            if mismatch:  # one identifier differs: the examiner decides, nothing is dropped
                chron.data_quality.append(
                    DataQualityItem(
                        "identity_check",
                        f"header {mismatch[0]} differs from the case patient's; the record's "
                        f"{len(events)} events are kept: confirm it belongs to this patient",
                        document.id,
                        head,
                    )
                )
            carried.surgery_date, carried.admission_date = ctx.surgery_date, ctx.admission_date
            for event in events:
                (chron.events if event.date else chron.undated).append(event)
            chron.procedural.extend(procedural)
        if progress:
            progress(document)
    order_time = _carried_times(chron.events)
    chron.events.sort(key=lambda e: (e.date, order_time[e.id], e.sequence))
    chron.procedural.sort(key=lambda e: (e.date or date.max, e.sequence))
    for event in chron.undated:
        source = chron.event(event.relative_to) if event.relative_to else None
        if source is not None:
            message = (
                f"this {event.type} event is dated only relative to an earlier event "
                f"('{event.date_text}' after: {source.text[:80]})"
            )
        else:
            message = f"no date could be found for this {event.type} event" + (
                f" ('{event.date_text}' has no anchor)" if event.date_text else ""
            )
        chron.data_quality.append(
            DataQualityItem("undated_event", message, event.document, event.citation)
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
