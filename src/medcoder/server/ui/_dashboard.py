"""The manager dashboard's numbers, and bar charts laid out here so the template only draws.

Accuracy follows issue 7: engine codes accepted / (accepted + rejected + edited), over codes a
coder has decided; codes a coder added are the engine's misses and are counted apart.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.store.base import EncounterStatus, ReportState, ReviewState
from medcoder.store.case_models import Report
from medcoder.store.models import CodeSuggestionRow, EncounterRow

CHART_WIDTH = 460
LABEL_WIDTH = 130
BAR_HEIGHT = 22
BAR_GAP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    css: str


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(title: str, values: list[tuple[str, int]], css_prefix: str) -> Chart:
    room = CHART_WIDTH - LABEL_WIDTH - 50  # leave space for the value after the bar
    top = max((v for _, v in values), default=0) or 1
    bars = [
        Bar(
            label,
            value,
            i * (BAR_HEIGHT + BAR_GAP),
            round(room * value / top),
            f"{css_prefix}-{label.replace(' ', '_')}",
        )
        for i, (label, value) in enumerate(values)
    ]
    return Chart(title, bars, CHART_WIDTH, max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP))


def _counts(session: Session, column, keys: list[str]) -> dict[str, int]:  # noqa: ANN001
    rows = dict(session.execute(select(column, func.count()).group_by(column)).all())
    return {k: int(rows.get(k, 0)) for k in keys}


def _hours(started, ended) -> float:  # noqa: ANN001 - datetimes, aware or naive alike
    if (started.tzinfo is None) != (ended.tzinfo is None):
        started, ended = started.replace(tzinfo=None), ended.replace(tzinfo=None)
    return (ended - started).total_seconds() / 3600


def dashboard(session: Session) -> dict:
    statuses = _counts(session, EncounterRow.status, [s.value for s in EncounterStatus])
    settings = _counts(session, EncounterRow.setting, ["inpatient", "outpatient", "abstraction"])
    reports = _counts(session, Report.state, [s.value for s in ReportState])
    engine = select(CodeSuggestionRow.state, func.count()).where(
        CodeSuggestionRow.coding_result_id.is_not(None)
    )
    decided = dict(session.execute(engine.group_by(CodeSuggestionRow.state)).all())
    review = {s.value: int(decided.get(s.value, 0)) for s in ReviewState if s != ReviewState.ADDED}
    review["added"] = int(
        session.scalar(
            select(func.count()).where(CodeSuggestionRow.state == ReviewState.ADDED.value)
        )
        or 0
    )
    judged = review["accepted"] + review["rejected"] + review["edited"]
    finished = session.execute(
        select(EncounterRow.created_at, EncounterRow.finalized_at).where(
            EncounterRow.finalized_at.is_not(None)
        )
    ).all()
    hours = [_hours(a, b) for a, b in finished]
    return {
        "statuses": statuses,
        "settings": settings,
        "reports": reports,
        "review": review,
        "accuracy": review["accepted"] / judged if judged else None,
        "judged": judged,
        "turnaround": {
            "count": len(hours),
            "mean_hours": statistics.fmean(hours) if hours else None,
            "median_hours": statistics.median(hours) if hours else None,
        },
        "charts": [
            bar_chart("Encounters by status", list(statuses.items()), "status"),
            bar_chart(
                "Engine codes by review outcome",
                [(k, review[k]) for k in ("accepted", "edited", "rejected", "suggested")],
                "review",
            ),
            bar_chart(
                "Reports by state", [(k.replace("_", " "), v) for k, v in reports.items()], "report"
            ),
        ],
    }
