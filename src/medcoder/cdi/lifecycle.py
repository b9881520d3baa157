"""A physician query's life: open -> sent -> answered | declined | expired, and what follows.

An answer is documentation: it is added to the encounter as a signed addendum-like document
(author = the physician, kind = "query response") and coding runs again, so the code change
and its source are visible — the new code's evidence points into the answer. Metrics follow
the ACDIS/AHIMA program measures: query rate, response rate, agreement rate, time to answer,
by physician and by rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from medcoder.cdi.drafting import DraftQuery
from medcoder.coding.suggestion import CodingResult
from medcoder.documents.model import Document, Encounter
from medcoder.errors import UsageError


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


@dataclass(frozen=True)
class QueryMetrics:
    queries: int
    sent: int
    answered: int
    response_rate: float | None
    agreement_rate: float | None
    median_hours_to_answer: float | None


def metrics(records: Iterable[QueryRecord], *, encounters: int | None = None) -> dict[str, object]:
    """Program metrics overall, by physician and by rule (query rate needs ``encounters``)."""
    records = list(records)

    def summarize(group: list[QueryRecord]) -> QueryMetrics:
        sent = [r for r in group if r.sent_at is not None]
        answered = [r for r in sent if r.status is QueryStatus.ANSWERED]
        hours = sorted(t.total_seconds() / 3600 for r in answered if (t := r.time_to_answer()))
        agreed = [r for r in answered if r.agreed]
        return QueryMetrics(
            queries=len(group),
            sent=len(sent),
            answered=len(answered),
            response_rate=len(answered) / len(sent) if sent else None,
            agreement_rate=len(agreed) / len(answered) if answered else None,
            median_hours_to_answer=hours[len(hours) // 2] if hours else None,
        )

    by_physician: dict[str, list[QueryRecord]] = defaultdict(list)
    by_rule: dict[str, list[QueryRecord]] = defaultdict(list)
    for r in records:
        by_physician[r.physician].append(r)
        by_rule[r.draft.rule_id].append(r)
    return {
        "overall": summarize(records),
        "query_rate": len({r.encounter_id for r in records}) / encounters if encounters else None,
        "by_physician": {k: summarize(v) for k, v in sorted(by_physician.items())},
        "by_rule": {k: summarize(v) for k, v in sorted(by_rule.items())},
    }
