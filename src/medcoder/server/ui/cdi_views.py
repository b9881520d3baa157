"""The CDI pages (issue 8): the CDI worklist of queries across encounters, the physician's
inbox, the program metrics page, and the query history panel of the encounter page.

Reads go through ``store.queries`` (audited like API reads); finding opportunities, sending,
answering and declining are the page's forms calling the JSON API with the CSRF header.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from medcoder.cdi.lifecycle import DEFINITIONS, ProgramMetrics
from medcoder.server.ui._dashboard import Chart, bar_chart
from medcoder.server.ui._page import PREFIX, Page, page_for, render
from medcoder.store import queries as query_repo
from medcoder.store.base import Role
from medcoder.store.case_models import Query as QueryRow
from medcoder.store.errors import InvalidError
from medcoder.store.models import User

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PAGE_SIZE = 25
INBOX_CLOSED = 20  # answered / declined queries shown under the pending ones
INBOX_LIMIT = 500
_NAME = "^[A-Za-z0-9_.@-]*$"
_RULE = "^[A-Za-z0-9_.-]*$"
_DAY = r"^(|\d{4}-\d{2}-\d{2})$"


def _usernames(page: Page) -> dict[int, str]:
    return {u.id: u.username for u in page.session.scalars(select(User))}


def _physicians(page: Page) -> list[str]:
    stmt = select(User.username).where(User.role == Role.PHYSICIAN.value, User.active.is_(True))
    return list(page.session.scalars(stmt.order_by(User.username)))


def _cdi_url(**params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    return f"{PREFIX}/cdi" + (f"?{query}" if query else "")


def _lint_errors(row: QueryRow) -> list[dict[str, Any]]:
    return [f for f in row.lint or [] if f.get("severity") == "error"]


@router.get("/cdi", name="ui_cdi")
def cdi_worklist_view(
    request: Request,
    state: str | None = Query(None, pattern="^(|open|sent|answered|declined|expired)$"),
    rule: str | None = Query(None, max_length=64, pattern=_RULE),
    physician: str | None = Query(None, max_length=64, pattern=_NAME),
    page_number: int = Query(1, alias="page", ge=1, le=100_000),
    page: Page = Depends(page_for("read")),
) -> Response:
    rows, total = query_repo.worklist(
        page.session,
        page.actor,
        state=state or None,
        rule_id=rule or None,
        physician=physician or None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    filters = {"state": state, "rule": rule, "physician": physician}
    return render(
        request,
        "cdi_worklist.html",
        {
            "items": [{"query": q, "errors": _lint_errors(q)} for q in rows],
            "total": total,
            "filters": filters,
            "states": query_repo.STATES,
            "rules": query_repo.rule_ids(page.session),
            "physicians": _physicians(page),
            "users": _usernames(page),
            "page_number": page_number,
            "pages": pages,
            "prev_url": _cdi_url(**filters, page=page_number - 1) if page_number > 1 else None,
            "next_url": _cdi_url(**filters, page=page_number + 1) if page_number < pages else None,
        },
        page=page,
    )


@router.get("/inbox", name="ui_inbox")
def inbox_view(request: Request, page: Page = Depends(page_for("answer_query"))) -> Response:
    """Queries addressed to the signed-in physician: the ones waiting for an answer, oldest
    first, then the latest ones already answered, declined or expired."""
    rows, _ = query_repo.worklist(
        page.session, page.actor, addressed_to_id=page.user.id, limit=INBOX_LIMIT
    )
    pending = [q for q in rows if q.state == "sent"][::-1]
    closed = [q for q in rows if q.state != "sent"][:INBOX_CLOSED]
    return render(
        request,
        "inbox.html",
        {"pending": pending, "closed": closed, "users": _usernames(page)},
        page=page,
    )


def _day(value: str | None, name: str) -> dt.date | None:
    """A form's YYYY-MM-DD field (empty when left blank); an impossible date is refused."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidError(f"{name} {value!r} is not a date (YYYY-MM-DD)", field=name) from None


def _metric_charts(result: ProgramMetrics) -> list[Chart]:
    """Bars the eye compares: how many queries each rule opens, how often each physician
    responds (percent of sent; physicians with nothing sent have no bar)."""
    return [
        bar_chart("Queries by rule", [(k, g.queries) for k, g in result.by_rule.items()], "rule"),
        bar_chart(
            "Response rate by physician (%)",
            [
                (k, round(g.response_rate * 100))
                for k, g in result.by_physician.items()
                if g.response_rate is not None
            ],
            "physician",
        ),
    ]


@router.get("/cdi/metrics", name="ui_cdi_metrics")
def cdi_metrics_view(
    request: Request,
    start: str | None = Query(None, alias="from", pattern=_DAY),
    end: str | None = Query(None, alias="to", pattern=_DAY),
    page: Page = Depends(page_for("query_metrics")),
) -> Response:
    """Query rate, response rate, agreement rate and time to answer, by physician and by rule,
    for the queries opened in the chosen period (the same numbers as the API and the CLI)."""
    context: dict[str, Any] = {"start": start or "", "end": end or "", "definitions": DEFINITIONS}
    try:
        result = query_repo.query_metrics(
            page.session, page.actor, start=_day(start, "from"), end=_day(end, "to")
        )
    except InvalidError as exc:
        return render(
            request, "cdi_metrics.html", {**context, "error": str(exc)}, page=page, status=422
        )
    context |= {"result": result, "charts": _metric_charts(result)}
    return render(request, "cdi_metrics.html", context, page=page)


def query_history(page: Page, encounter_id: int) -> dict[str, Any]:
    """What ``_queries.html`` needs on the encounter page: the encounter's queries (audited)
    with what each answer changed, and whether the viewer may find or send queries."""
    return {
        "queries": query_repo.list_queries(page.session, page.actor, encounter_id),
        "query_users": _usernames(page),
        "query_physicians": _physicians(page) if page.can("query") else [],
        "can_query": page.can("query"),
    }
