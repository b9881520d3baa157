"""Query lifecycle: transitions, answer -> recode with the answer as evidence, metrics."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from medcoder.cdi.drafting import DraftQuery
from medcoder.cdi.lifecycle import QueryRecord, QueryStatus, answer, clinical_answer, metrics
from medcoder.coding.engine import CodingEngine
from medcoder.documents.model import Document, Encounter
from medcoder.errors import UsageError

T0 = datetime(2026, 3, 2, 9, 0)


def record(
    rule: str = "hyponatremia.v1", physician: str = "dr.lee", qid: str = "Q1"
) -> QueryRecord:
    draft = DraftQuery(
        rule,
        "multiple_choice",
        "clinical indicators without a diagnosis",
        "sodium",
        "Please clarify the diagnosis, if any, supported by ...",
    )
    return QueryRecord(qid, draft, "ENC-1", physician, "cdi.ann", created=T0)


def test_query_moves_open_sent_answered_and_refuses_other_moves() -> None:
    q = record()
    with pytest.raises(UsageError, match="cannot become answered"):
        q.transition(QueryStatus.ANSWERED, by="dr.lee")
    q.send(by="cdi.ann", at=T0)
    assert q.status is QueryStatus.SENT
    q.decline(by="dr.lee", at=T0 + timedelta(hours=3))
    with pytest.raises(UsageError, match="closed"):
        q.send(by="cdi.ann")


def test_answer_becomes_documentation_and_recodes(built_packs: Path) -> None:
    engine = CodingEngine(setting="inpatient")
    encounter = Encounter(
        "ENC-1", [Document("note", "ASSESSMENT:\nHyperlipidemia.\n")], "inpatient"
    )
    q = record()
    q.send(by="cdi.ann", at=T0)
    change = answer(
        q,
        "Clinically: acute bronchitis.",
        encounter,
        engine.code_encounter,
        at=T0 + timedelta(hours=5),
    )
    assert q.status is QueryStatus.ANSWERED and q.agreed is True
    assert any(c.startswith("J20") for c in change.added)
    new = next(c for c in change.result.codes if c.code.startswith("J20"))
    assert new.evidence[0].document == change.answer_document.id


def test_empty_answer_is_refused(built_packs: Path) -> None:
    q = record()
    q.send(by="cdi.ann", at=T0)
    with pytest.raises(UsageError, match="empty"):
        answer(q, "  ", Encounter("ENC-1", []), CodingEngine().code_encounter)


def test_metrics_by_physician_and_rule() -> None:
    a, b, c = record(qid="A"), record(qid="B", physician="dr.kim"), record(rule="aki.v1", qid="C")
    for q in (a, b, c):
        q.send(by="cdi.ann", at=T0)
    a.transition(QueryStatus.ANSWERED, by="dr.lee", at=T0 + timedelta(hours=2))
    a.answer = "Hyponatremia"
    b.expire(at=T0 + timedelta(days=7))
    out = metrics([a, b, c], encounters=10)
    assert out.overall.sent == 3 and out.overall.answered == 1 and out.overall.expired == 1
    assert out.overall.pending == 1
    assert out.overall.response_rate == pytest.approx(1 / 3)
    assert out.by_physician["dr.lee"].agreement_rate == 1.0
    assert out.by_rule["aki.v1"].answered == 0 and out.by_rule["aki.v1"].response_rate == 0.0
    assert out.overall.query_rate == 0.1  # one encounter (ENC-1) of ten
    assert out.overall.median_hours_to_answer == 2.0


def test_response_rate_counts_declines_and_time_to_answer_does_not() -> None:
    answered, declined = record(qid="A"), record(qid="B")
    for q in (answered, declined):
        q.send(by="cdi.ann", at=T0)
    answered.transition(QueryStatus.ANSWERED, by="dr.lee", at=T0 + timedelta(hours=4))
    answered.answer = "Hyponatremia"
    declined.decline(by="dr.lee", at=T0 + timedelta(hours=1))
    out = metrics([answered, declined]).overall
    assert out.response_rate == 1.0 and out.declined == 1
    assert out.median_hours_to_answer == out.mean_hours_to_answer == 4.0
    assert out.query_rate is None  # no coded-encounter count given


def test_clinically_undetermined_is_a_response_but_not_agreement() -> None:
    qs = [record(qid=str(i)) for i in range(4)]
    for i, (q, words) in enumerate(
        zip(
            qs,
            ["Hyponatremia", "Clinically undetermined", "SIADH (other)", "Unable to determine"],
            strict=True,
        )
    ):
        q.send(by="cdi.ann", at=T0)
        q.transition(QueryStatus.ANSWERED, by="dr.lee", at=T0 + timedelta(hours=i + 1))
        q.answer = words
    out = metrics(qs).overall
    assert out.answered == 4 and out.agreed == 2 and out.agreement_rate == 0.5
    # median of an even count is the mean of the middle two (1, 2, 3, 4 hours -> 2.5)
    assert out.median_hours_to_answer == 2.5 and out.mean_hours_to_answer == 2.5
    assert not clinical_answer("  ") and clinical_answer("Finding not clinically significant")
