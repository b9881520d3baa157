"""The workbench pages, one view per page (STYLE: Datasette, ``encounter_view`` <->
``encounter.html``). Views read through the store's repository functions, so page reads are
audited like API reads; every change is made by the page's buttons calling the JSON API.
"""

from __future__ import annotations

import json
import math

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import and_, or_, select

from medcoder.server.auth import workbench
from medcoder.server.claim_export import claim_template, final_diagnoses
from medcoder.server.permissions import PERMISSIONS
from medcoder.server.sessions import CSRF_COOKIE, SESSION_COOKIE, new_csrf_token
from medcoder.server.ui._claim import FINAL, claim_preview
from medcoder.server.ui._dashboard import dashboard
from medcoder.server.ui._diff import diff_lines
from medcoder.server.ui._highlight import segments, spans_for
from medcoder.server.ui._page import PREFIX, CurrentPage, Page, page_for, render, secure_cookies
from medcoder.server.ui.cdi_views import query_history
from medcoder.server.ui.scrub_views import scrub_context
from medcoder.store import access, audit
from medcoder.store import encounters as encounter_repo
from medcoder.store import reports as report_repo
from medcoder.store.base import ReportState, ReviewState
from medcoder.store.case_models import Report
from medcoder.store.models import AuditEvent, CodingResultRow, User
from medcoder.store.users import list_tokens

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PAGE_SIZE = 25
STATUSES = ("open", "coded", "finalized")
SETTINGS = encounter_repo.SETTINGS
TRANSITION_LABELS = {
    ReportState.PHYSICIAN_REVIEW: "Send for physician review",
    ReportState.CORRECTIONS: "Return for corrections",
    ReportState.APPROVED: "Approve",
    ReportState.SUBMITTED: "Submit to management",
}
QUIET_ACTIONS = ("read", "list")  # left out of the activity panels


def _safe_next(next_url: str | None) -> str:
    """Only a page of ours: never an absolute or protocol-relative URL (open redirect)."""
    if next_url and next_url.startswith(f"{PREFIX}/") and not next_url.startswith("//"):
        return next_url
    return f"{PREFIX}/"  # the worklist, or an admin's account page


@router.get("", name="ui_home")
@router.get("/", name="ui_home_slash")
def home_view(request: Request) -> RedirectResponse:
    """The worklist; an admin, who holds no patient data, lands on the account page."""
    bench = workbench(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    data = bench.signer.load(cookie) if cookie else None
    with bench.db.sessions() as session:
        role = session.scalar(select(User.role).where(User.id == data.user_id)) if data else None
    target = "account" if role == "admin" else "worklist"
    return RedirectResponse(f"{PREFIX}/{target}", status_code=303)


@router.get("/login", name="ui_login")
def login_view(request: Request, next: str | None = Query(None, max_length=2000)) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    response = render(request, "login.html", {"csrf_token": token, "next": _safe_next(next)})
    # Readable by ui.js and sent back in the form: the login route's double-submit check.
    response.set_cookie(
        CSRF_COOKIE, token, httponly=False, secure=secure_cookies(request), samesite="lax"
    )
    return response


@router.get("/forbidden", name="ui_forbidden")
def forbidden_view(
    request: Request, need: str = Query("", max_length=64), page: Page = CurrentPage
) -> Response:
    """For any signed-in user: it must never need a permission itself (an admin, who has no
    ``read``, was sent here from here until the browser gave up, auditing each refusal)."""
    roles = [r.value for r in PERMISSIONS.get(need, ())]
    return render(request, "forbidden.html", {"need": need, "roles": roles}, page=page, status=403)


def _worklist_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    return f"{PREFIX}/worklist" + (f"?{query}" if query else "")


@router.get("/worklist", name="ui_worklist")
def worklist_view(
    request: Request,
    status: str | None = Query(None, pattern="^(|open|coded|finalized)$"),
    setting: str | None = Query(None, pattern="^(|inpatient|outpatient|abstraction)$"),
    assignee: str | None = Query(None, max_length=64, pattern="^[A-Za-z0-9_.@-]*$"),
    page_number: int = Query(1, alias="page", ge=1, le=100_000),
    page: Page = Depends(page_for("read")),
) -> Response:
    rows, total = encounter_repo.worklist(
        page.session,
        page.actor,
        status=status or None,
        setting=setting or None,
        assignee=assignee or None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    filters = {"status": status, "setting": setting, "assignee": assignee}
    items = [
        {
            "encounter": e,
            "documents": len(e.documents),
            "to_review": sum(s.state == ReviewState.SUGGESTED for s in e.suggestions),
            "codes": len(e.suggestions),
        }
        for e in rows
    ]
    return render(
        request,
        "worklist.html",
        {
            "items": items,
            "total": total,
            "filters": filters,
            "statuses": STATUSES,
            "settings": SETTINGS,
            "page_number": page_number,
            "pages": pages,
            "prev_url": _worklist_url(**filters, page=page_number - 1) if page_number > 1 else None,
            "next_url": _worklist_url(**filters, page=page_number + 1)
            if page_number < pages
            else None,
        },
        page=page,
    )


def _activity(page: Page, clause) -> list[AuditEvent]:  # noqa: ANN001 - a SQL condition
    stmt = (
        select(AuditEvent)
        .where(clause, AuditEvent.outcome == "ok", AuditEvent.action.not_in(QUIET_ACTIONS))
        .order_by(AuditEvent.id.desc())
        .limit(50)
    )
    return list(page.session.scalars(stmt))


def _codes_context(page: Page, encounter) -> dict:  # noqa: ANN001 - store EncounterRow
    codes = list(encounter.suggestions)
    pending = [s for s in codes if s.state == ReviewState.SUGGESTED]
    reviewers = {u.id: u.username for u in page.session.scalars(select(User))}
    return {
        "encounter": encounter,
        "codes": codes,
        "pending": len(pending),
        "finalized": encounter.status == "finalized",
        "can_code": page.can("code") and encounter.status != "finalized",
        "reviewers": reviewers,
        "final_count": sum(s.state in FINAL for s in codes),
    }


@router.get("/encounters/{encounter_id}", name="ui_encounter")
def encounter_view(
    request: Request,
    encounter_id: int,
    focus: int | None = Query(None, ge=1),
    page: Page = Depends(page_for("read")),
) -> Response:
    encounter = encounter_repo.get_encounter(page.session, page.actor, encounter_id)
    documents = [
        {"document": d, "segments": segments(d.text, spans_for(d.id, encounter.suggestions))}
        for d in encounter.documents
    ]
    last_run = page.session.scalar(
        select(CodingResultRow)
        .where(CodingResultRow.encounter_id == encounter_id)
        .order_by(CodingResultRow.id.desc())
    )
    reports = list(page.session.scalars(select(Report).where(Report.encounter_id == encounter_id)))
    key = str(encounter_id)
    activity = _activity(
        page,
        or_(
            and_(AuditEvent.entity == "encounter", AuditEvent.entity_id == key),
            and_(
                AuditEvent.entity.in_(("suggestion", "document")),
                AuditEvent.detail == f"encounter={key}",
            ),
        ),
    )
    return render(
        request,
        "encounter.html",
        {
            **_codes_context(page, encounter),
            "documents": documents,
            "focus": focus,
            "last_run": last_run,
            "reports": reports,
            "activity": activity,
            **_claim_context(encounter),
            "claim_template": json.dumps(claim_template(encounter), indent=2),
            "claim_diagnoses": final_diagnoses(encounter),
            "can_upload": page.can("upload") and encounter.status != "finalized",
            "can_write_report": page.can("write_report"),
            "settings": SETTINGS,
            **query_history(page, encounter_id),
            **scrub_context(page, encounter),
        },
        page=page,
    )


@router.get("/encounters/{encounter_id}/codes", name="ui_encounter_codes")
def encounter_codes_view(
    request: Request, encounter_id: int, page: Page = Depends(page_for("read"))
) -> Response:
    """The codes panel alone, swapped in by ui.js after a review action."""
    encounter = encounter_repo.get_encounter(page.session, page.actor, encounter_id)
    return render(request, "_codes.html", _codes_context(page, encounter), page=page)


def _claim_context(encounter) -> dict:  # noqa: ANN001 - medcoder.store.models.EncounterRow
    claim = claim_preview(encounter)
    return {"claim": claim, "claim_json": json.dumps(claim, indent=2)}


@router.get("/encounters/{encounter_id}/claim", name="ui_claim_preview")
def claim_preview_fragment(
    request: Request, encounter_id: int, page: Page = Depends(page_for("read"))
) -> Response:
    """The claim preview panel alone, swapped in by ui.js after a review action."""
    encounter = encounter_repo.get_encounter(page.session, page.actor, encounter_id)
    context = {"encounter": encounter, "claim_fragment": True, **_claim_context(encounter)}
    return render(request, "_claim_preview.html", context, page=page)


@router.get("/encounters/{encounter_id}/claim.json", name="ui_claim")
def claim_view(encounter_id: int, page: Page = Depends(page_for("read"))) -> Response:
    encounter = encounter_repo.get_encounter(page.session, page.actor, encounter_id)
    audit.record(page.session, page.actor, "export", "claim", encounter_id, detail="preview")
    return Response(
        json.dumps(claim_preview(encounter), indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="claim-preview-{encounter_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/reports", name="ui_reports")
def reports_view(
    request: Request,
    state: str | None = Query(None, max_length=32),
    page: Page = Depends(page_for("read")),
) -> Response:
    stmt = select(Report).where(access.report_clause(page.actor)).order_by(Report.id.desc())
    stmt = stmt.limit(200)
    if state:
        stmt = stmt.where(Report.state == state)
    reports = list(page.session.scalars(stmt))
    audit.record(page.session, page.actor, "list", "report", None, detail=f"count={len(reports)}")
    return render(
        request,
        "reports.html",
        {"reports": reports, "state": state, "states": [s.value for s in ReportState]},
        page=page,
    )


def _transitions(page: Page, report: Report) -> list[dict]:
    current = ReportState(report.state)
    return [
        {"to": to.value, "label": TRANSITION_LABELS[to]}
        for (frm, to), roles in report_repo.TRANSITIONS.items()
        if frm is current and page.user.role in roles
    ]


@router.get("/reports/{report_id}", name="ui_report")
def report_view(
    request: Request, report_id: int, page: Page = Depends(page_for("read"))
) -> Response:
    report = report_repo.get_report(page.session, page.actor, report_id)
    authors = {u.id: u.username for u in page.session.scalars(select(User))}
    texts = [v.body for v in report.versions]
    versions = [
        {"version": v, "diff": diff_lines(texts[i - 1], v.body) if i else []}
        for i, v in enumerate(report.versions)
    ][::-1]
    activity = _activity(
        page, and_(AuditEvent.entity == "report", AuditEvent.entity_id == str(report_id))
    )
    editable = (
        ReportState(report.state) in report_repo.EDITABLE and page.user.role in report_repo.WRITERS
    )
    waiting = [
        r.value
        for (frm, _), roles in report_repo.TRANSITIONS.items()
        if frm.value == report.state
        for r in roles
    ]
    return render(
        request,
        "report.html",
        {
            "report": report,
            "body": report.versions[-1].body if report.versions else "",
            "versions": versions,
            "authors": authors,
            "transitions": _transitions(page, report),
            "waiting_on": sorted(set(waiting)),
            "editable": editable,
            "activity": activity,
        },
        page=page,
    )


@router.get("/account", name="ui_account")
def account_view(request: Request, page: Page = CurrentPage) -> Response:
    tokens = list_tokens(page.session, page.user.id)
    return render(request, "account.html", {"tokens": tokens, "active": "account"}, page=page)


@router.get("/dashboard", name="ui_dashboard")
def dashboard_view(request: Request, page: Page = Depends(page_for("dashboard"))) -> Response:
    numbers = dashboard(page.session)
    audit.record(page.session, page.actor, "read", "dashboard", None)
    return render(request, "dashboard.html", numbers, page=page)
