"""A physician query's life: open -> sent -> answered | declined | expired, and what follows.

An answer is documentation: it is added to the encounter as a signed addendum-like document
(author = the physician, kind = "query response") and coding runs again, so the code change
and its source are visible — the new code's evidence points into the answer. Metrics follow
the ACDIS/AHIMA program measures: query rate, response rate, agreement rate, time to answer,
by physician and by rule.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from medcoder.cdi.drafting import UNDETERMINED, DraftQuery
from medcoder.documents.model import Document, Encounter
from medcoder.errors import UsageError
from medcoder.suggestions import CodingResult


class QueryStatus(StrEnum):
    OPEN = "open"
    SENT = "sent"
    ANSWERED = "answered"
    DECLINED = "declined"
    EXPIRED = "expired"


ALLOWED: dict[QueryStatus, frozenset[QueryStatus]] = {
    QueryStatus.OPEN: frozenset({QueryStatus.SENT}),
    QueryStatus.SENT: frozenset({QueryStatus.ANSWERED, QueryStatus.DECLINED, QueryStatus.EXPIRED}),
    QueryStatus.ANSWERED: frozenset(),
    QueryStatus.DECLINED: frozenset(),
    QueryStatus.EXPIRED: frozenset(),
}


@dataclass
class QueryRecord:
    """One query and its history (each transition with who and when)."""

    id: str
    draft: DraftQuery
    encounter_id: str
    physician: str
    author: str
    status: QueryStatus = QueryStatus.OPEN
    created: datetime = field(default_factory=datetime.now)
    sent_at: datetime | None = None
    closed_at: datetime | None = None
    answer: str | None = None
    agreed: bool | None = None  # the physician documented the queried diagnosis
    history: list[tuple[QueryStatus, str, datetime]] = field(default_factory=list)

    def transition(self, to: QueryStatus, *, by: str, at: datetime | None = None) -> None:
        """Move to ``to`` or raise :class:`UsageError` naming the allowed moves."""
        at = at or datetime.now()
        if to not in ALLOWED[self.status]:
            allowed = ", ".join(sorted(s.value for s in ALLOWED[self.status])) or "none (closed)"
            raise UsageError(
                f"query {self.id} is {self.status.value}: cannot become {to.value} (allowed: {allowed})"
            )
        self.status = to
        self.history.append((to, by, at))
        if to is QueryStatus.SENT:
            self.sent_at = at
        else:
            self.closed_at = at

    def send(self, *, by: str, at: datetime | None = None) -> None:
        self.transition(QueryStatus.SENT, by=by, at=at)

    def decline(self, *, by: str, at: datetime | None = None) -> None:
        self.transition(QueryStatus.DECLINED, by=by, at=at)

    def expire(self, *, by: str = "system", at: datetime | None = None) -> None:
        self.transition(QueryStatus.EXPIRED, by=by, at=at)

    def outcome(self) -> QueryOutcome:
        """The facts the program metrics read (:func:`metrics`)."""
        return QueryOutcome(
            self.encounter_id,
            self.physician,
            self.draft.rule_id,
            self.status,
            self.sent_at,
            self.closed_at,
            self.answer,
        )

    def time_to_answer(self) -> timedelta | None:
        if self.sent_at and self.closed_at and self.status is QueryStatus.ANSWERED:
            return self.closed_at - self.sent_at
        return None


@dataclass
class Recode:
    """What the answer changed: codes added and removed, and the new result."""

    added: list[str]
    removed: list[str]
    result: CodingResult
    answer_document: Document


def answer(
    record: QueryRecord,
    text: str,
    encounter: Encounter,
    code: Callable[[Encounter], CodingResult],
    *,
    before: CodingResult | None = None,
    at: datetime | None = None,
) -> Recode:
    """Record the physician's answer, add it to the encounter as documentation, and recode.

    ``code`` is the coding step (e.g. ``CodingEngine.code_encounter``); the caller decides the
    setting and model. The answer document is what the new codes cite.
    """
    if not text.strip():
        raise UsageError(f"query {record.id}: the answer is empty")
    record.transition(QueryStatus.ANSWERED, by=record.physician, at=at)
    record.answer = text
    document = Document(
        id=f"query-{record.id}-response",
        text=f"QUERY RESPONSE:\n{text.strip()}\n",
        source=f"query {record.id}",
        kind="query response",
        author=record.physician,
        author_role="physician",
        created=record.closed_at,
    )
    encounter.documents.append(document)
    before = before or code(Encounter(encounter.id, encounter.documents[:-1], encounter.setting))
    after = code(encounter)
    old, new = {c.code for c in before.codes}, {c.code for c in after.codes}
    added = sorted(new - old)
    record.agreed = bool(added) and any(
        e.document == document.id for c in after.codes if c.code in added for e in c.evidence
    )
    return Recode(added, sorted(old - new), after, document)


# What a query's answer counts as in the agreement rate: choosing "Clinically undetermined"
# (or its older wordings) is a response but not a clinical determination.
UNDETERMINED_ANSWERS = (
    UNDETERMINED.lower(),
    "unable to determine",
    "undetermined",
    "cannot be determined",
)
UNADDRESSED = "(not sent)"  # by-physician key of drafts that have no physician yet
HAND_WRITTEN = "(hand-written)"  # by-rule key of queries no rule drafted

DEFINITIONS: dict[str, str] = {
    "query_rate": "queried encounters / encounters coded in the period",
    "response_rate": "(answered + declined) / sent",
    "agreement_rate": (
        'answers that chose a clinical option or wrote a diagnosis (not "Clinically '
        'undetermined", not declined) / answered'
    ),
    "time_to_answer": "sent -> answered, in hours (declined and expired queries excluded)",
}


def clinical_answer(answer: str | None) -> bool:
    """Whether an answer makes a clinical determination, the numerator of the agreement rate.

    The physician agrees with the query when they document something clinical in reply: one
    of the offered diagnoses, "Other" in their own words, "not clinically significant", or a
    free-text diagnosis. "Clinically undetermined" is a compliant answer (AHIMA/ACDIS 2022) but
    resolves nothing, so it counts as a response and not as agreement.
    """
    words = (answer or "").strip().lower()
    return bool(words) and not words.startswith(UNDETERMINED_ANSWERS)


@dataclass(frozen=True)
class QueryOutcome:
    """The facts about one query that the program metrics read, whatever holds the query
    (a :class:`QueryRecord` here, a database row in the workbench)."""

    encounter_id: str
    physician: str | None
    rule_id: str | None
    status: QueryStatus
    sent_at: datetime | None = None
    closed_at: datetime | None = None
    answer: str | None = None

    def hours_to_answer(self) -> float | None:
        """Hours from sent to answered; None for queries not answered (a decline or an expiry
        is not an answer and would distort the time physicians take to document)."""
        if self.status is not QueryStatus.ANSWERED or not self.sent_at or not self.closed_at:
            return None
        sent, closed = self.sent_at, self.closed_at
        if (sent.tzinfo is None) != (closed.tzinfo is None):  # SQLite drops the zone
            sent, closed = sent.replace(tzinfo=None), closed.replace(tzinfo=None)
        return (closed - sent).total_seconds() / 3600


@dataclass(frozen=True)
class QueryMetrics:
    """One group's program measures (overall, one physician or one rule); rates are None
    when their denominator is zero, so "no data" never reads as 0 %."""

    queries: int  # opened (drafted or written), in any state
    encounters: int  # distinct encounters queried
    query_rate: float | None
    sent: int
    answered: int
    declined: int
    expired: int
    pending: int  # sent, waiting for the physician
    response_rate: float | None
    agreed: int
    agreement_rate: float | None
    median_hours_to_answer: float | None
    mean_hours_to_answer: float | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class ProgramMetrics:
    """Overall, by physician and by rule; ``coded_encounters`` is the query rate's
    denominator (None when the caller did not say, and then every query rate is None)."""

    coded_encounters: int | None
    overall: QueryMetrics
    by_physician: dict[str, QueryMetrics]
    by_rule: dict[str, QueryMetrics]

    def to_dict(self, by: str | None = None) -> dict[str, object]:
        """JSON-ready; ``by`` ("physician" or "rule") keeps one grouping, None keeps both."""
        out: dict[str, object] = {
            "coded_encounters": self.coded_encounters,
            "overall": self.overall.to_dict(),
            "definitions": DEFINITIONS,
        }
        for name in GROUPINGS:
            if by in (None, name):
                groups = self.by_physician if name == "physician" else self.by_rule
                out[f"by_{name}"] = {k: v.to_dict() for k, v in groups.items()}
        return out


GROUPINGS = ("physician", "rule")


def summarize(group: Iterable[QueryOutcome], coded_encounters: int | None) -> QueryMetrics:
    """The measures of one group of queries (definitions in :data:`DEFINITIONS`)."""
    group = list(group)
    sent = [q for q in group if q.sent_at is not None or q.status is not QueryStatus.OPEN]
    by_status = {s: sum(q.status is s for q in group) for s in QueryStatus}
    answered = [q for q in group if q.status is QueryStatus.ANSWERED]
    agreed = sum(clinical_answer(q.answer) for q in answered)
    hours = [h for q in answered if (h := q.hours_to_answer()) is not None]
    encounters = len({q.encounter_id for q in group})
    responded = by_status[QueryStatus.ANSWERED] + by_status[QueryStatus.DECLINED]
    return QueryMetrics(
        queries=len(group),
        encounters=encounters,
        query_rate=encounters / coded_encounters if coded_encounters else None,
        sent=len(sent),
        answered=len(answered),
        declined=by_status[QueryStatus.DECLINED],
        expired=by_status[QueryStatus.EXPIRED],
        pending=by_status[QueryStatus.SENT],
        response_rate=responded / len(sent) if sent else None,
        agreed=agreed,
        agreement_rate=agreed / len(answered) if answered else None,
        median_hours_to_answer=statistics.median(hours) if hours else None,
        mean_hours_to_answer=statistics.fmean(hours) if hours else None,
    )


def metrics(
    records: Iterable[QueryRecord | QueryOutcome], *, encounters: int | None = None
) -> ProgramMetrics:
    """Program metrics overall, by physician and by rule, the ACDIS/AHIMA measures a CDI
    program reports to find where documentation or queries need attention.

    ``encounters`` is the number of encounters coded in the same period (the query rate's
    denominator); a query counts in the period its caller chose, the outcome as it stands.
    """
    outcomes = [r.outcome() if isinstance(r, QueryRecord) else r for r in records]
    by_physician: dict[str, list[QueryOutcome]] = defaultdict(list)
    by_rule: dict[str, list[QueryOutcome]] = defaultdict(list)
    for q in outcomes:
        by_physician[q.physician or UNADDRESSED].append(q)
        by_rule[q.rule_id or HAND_WRITTEN].append(q)
    return ProgramMetrics(
        coded_encounters=encounters,
        overall=summarize(outcomes, encounters),
        by_physician={k: summarize(v, encounters) for k, v in sorted(by_physician.items())},
        by_rule={k: summarize(v, encounters) for k, v in sorted(by_rule.items())},
    )
