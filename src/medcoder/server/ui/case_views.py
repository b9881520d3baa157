"""The case pages of the workbench (issue 9 point 7): the case list, and a case with its claim
facts, records, cited chronology, issues, NPDB classification, codes, data quality and the
synopsis report that goes through physician review.

Pages render the stored analysis (``case_analyses.result``), never re-run it on GET. Every
citation is a link to ``?doc=KEY&start=S&end=E``: the source pane shows that record with the
cited characters marked, using the same segments and ``_document.html`` as the encounter
view, so a reviewer checks each fact against the record in one click (static/case.js swaps the
pane in place; without script the link reloads the page with the same result).
"""

from __future__ import annotations

import math
from datetime import date, time
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from medcoder.casework.classify import ALLEGATION_GROUPS, ALLEGATIONS, SEVERITY
from medcoder.casework.dates import describe
from medcoder.casework.render import name_documents
from medcoder.casework.restore import chronology as chronology_from_dict
from medcoder.server.routes.case_files import FACTORS
from medcoder.server.ui._highlight import segments
from medcoder.server.ui._page import PREFIX, Page, page_for, render
from medcoder.store import case_files as repo
from medcoder.store import casework as case_repo
from medcoder.store.models import User

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PAGE_SIZE = 25
CITED = 1  # the one "code" id the source pane's segments mark as focused
_KEY = r"^(|c?doc\d{1,10})$"


def _when(event: dict) -> str:
    """``03/14/2021 03:15``, ``March 2016``, ``about July 2007`` or ``undated (...)``: as
    precisely as the record states it, the way the PDF prints it."""
    return describe(
        date.fromisoformat(event["date"]) if event.get("date") else None,
        precision=event.get("precision") or "day",
        approximate=bool(event.get("approximate")),
        clock=time.fromisoformat(event["time"]) if event.get("time") else None,
        part_of_day=event.get("part_of_day"),
        said=event.get("date_text"),
    )


class _Citations:
    """Builds citation links for one case: label from the record's name, URLs to the pane."""

    def __init__(self, case_id: int, names: dict[str, str]) -> None:
        self.case_id = case_id
        self.names = names
        #: Generated text (questions, flag and data-quality messages) names records by key.
        self.named = name_documents(names)

    def __call__(self, cite: dict | None) -> dict | None:
        if not cite:
            return None
        query = urlencode({"doc": cite["document"], "start": cite["start"], "end": cite["end"]})
        page = f" p.{cite['page']}" if cite.get("page") else ""
        return {
            **cite,
            "label": self.names.get(cite["document"], cite["document"]) + page,
            "href": f"{PREFIX}/cases/{self.case_id}?{query}#source",
            "pane": f"{PREFIX}/cases/{self.case_id}/source?{query}",
        }


def _chronology(result: dict, cite: _Citations) -> dict:
    chron = result.get("chronology") or {}
    flagged: dict[str, list[str]] = {}
    for flag in chron.get("flags") or []:
        for event_id in flag["events"]:
            flagged.setdefault(event_id, []).append(flag["kind"])
    critical = set(result.get("critical_events") or [])

    def row(event: dict) -> dict:
        return {
            **event,
            "when": _when(event),
            "flags": sorted(set(flagged.get(event["id"], []))),
            "critical": event["id"] in critical,
            "cite": cite(event["citation"]),
        }

    events = [row(e) for e in chron.get("events") or []]
    undated = [row(e) for e in chron.get("undated") or []]
    by_id = {e["id"]: e for e in (*events, *undated)}
    order = [e.id for e in chronology_from_dict(chron).timeline()]
    return {
        "events": events,
        "undated": undated,
        "timeline": [by_id[i] for i in order if i in by_id],
        "procedural": [row(e) for e in chron.get("procedural") or []],
        "by_id": by_id,
        "flags": [
            {
                **f,
                "message": cite.named(f["message"]),
                "cites": [cite(e["citation"]) for e in events if e["id"] in f["events"]],
            }
            for f in chron.get("flags") or []
        ],
        "data_quality": [
            {
                **d,
                "message": cite.named(d["message"]),
                "cite": cite(d.get("citation")),
                "source_name": cite.names.get(d["source"], d["source"]),
            }
            for d in chron.get("data_quality") or []
        ],
    }


def _suggestions(result: dict, cite: _Citations) -> dict:
    raw = result.get("classification") or {}

    def one(s: dict | None) -> dict | None:
        return {**s, "cites": [cite(c) for c in s.get("evidence") or []]} if s else None

    return {
        "allegations": [one(a) for a in raw.get("allegations") or []],
        "severity": one(raw.get("severity")),
        "factors": [one(f) for f in raw.get("contributing_factors") or []],
    }


def _proposal(suggested: dict, decided: dict) -> dict:
    """What the examiner's form starts from: their last decision, else the top suggestions."""
    if decided:
        return decided
    top = suggested["allegations"][0] if suggested["allegations"] else None
    severity = suggested["severity"]
    return {
        "status": "confirmed",
        "allegation_group": int(top["group_code"]) if top else 90,
        "allegation": int(top["code"]) if top else 899,
        "severity": int(severity["code"]) if severity else 10,
        "contributing_factors": [f["code"] for f in suggested["factors"]],
    }


def _source(page: Page, case_id: int, key: str, start: int | None, end: int | None) -> dict | None:
    """The record to show in the source pane, the cited span marked (read is audited)."""
    if not key:
        return None
    row = repo.get_document(page.session, page.actor, case_id, key)
    spans = [(start, end, CITED)] if start is not None and end is not None and end > start else []
    return {
        "key": key,
        "item": {"document": row, "segments": segments(row.text, spans)},
        "cited": bool(spans),
    }


@router.get("/cases", name="ui_cases")
def cases_view(
    request: Request,
    status: str | None = Query(None, pattern="^(|open|closed)$"),
    page_number: int = Query(1, alias="page", ge=1, le=100_000),
    page: Page = Depends(page_for("read")),
) -> Response:
    rows, total = repo.list_cases(
        page.session,
        page.actor,
        status=status or None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    items = []
    for case in rows:
        filed, linked = repo.documents(page.session, case)
        synopsis = repo.synopsis_report(page.session, case.id)
        items.append(
            {
                "case": case,
                "details": repo.case_file(page.session, case.id).details,
                "documents": len(filed) + len(linked),
                "analysis": repo.latest_analysis(page.session, case.id),
                "synopsis": synopsis,
            }
        )

    def url(n: int) -> str:
        return f"{PREFIX}/cases?" + urlencode({"status": status or "", "page": n})

    return render(
        request,
        "cases.html",
        {
            "items": items,
            "total": total,
            "status": status,
            "page_number": page_number,
            "pages": pages,
            "prev_url": url(page_number - 1) if page_number > 1 else None,
            "next_url": url(page_number + 1) if page_number < pages else None,
        },
        page=page,
    )


@router.get("/cases/{case_id}", name="ui_case")
def case_view(
    request: Request,
    case_id: int,
    doc: str = Query("", pattern=_KEY),
    start: int | None = Query(None, ge=0, le=100_000_000),
    end: int | None = Query(None, ge=0, le=100_000_000),
    page: Page = Depends(page_for("read")),
) -> Response:
    case = case_repo.get_case(page.session, page.actor, case_id)  # audited read
    file = repo.case_file(page.session, case_id)
    filed, linked = repo.documents(page.session, case)
    records = [{"key": f"cdoc{d.id}", "row": d, "linked": False} for d in filed] + [
        {"key": f"doc{d.id}", "row": d, "linked": True} for d in linked
    ]
    cite = _Citations(case_id, {r["key"]: r["row"].file_name for r in records})
    analysis = repo.latest_analysis(page.session, case_id)
    result = analysis.result if analysis else {}
    chronology = _chronology(result, cite)
    suggested = _suggestions(result, cite)
    issues = [
        {
            **i,
            "point": chronology["by_id"].get(i.get("inflection_point") or ""),
            "count": len(i["events"]),
        }
        for i in result.get("issues") or []
    ]
    codes = [{**c, "cites": [cite(x) for x in c["citations"]]} for c in result.get("codes") or []]
    key = doc or (records[0]["key"] if records else "")
    source = _source(page, case_id, key, start, end) if key else None
    users = {u.id: u.username for u in page.session.scalars(select(User))}
    comments = case_repo.list_comments(
        page.session, page.actor, target_type="case", target_id=case_id
    )
    return render(
        request,
        "case.html",
        {
            "case": case,
            "details": file.details,
            "file_version": file.version,
            "decided": file.classification,
            "records": records,
            "analysis": analysis,
            "result": result,
            "chronology": chronology,
            "suggested": suggested,
            "proposal": _proposal(suggested, file.classification),
            "suggestion_default": _proposal(suggested, {}),
            "issues": issues,
            "codes": codes,
            "questions": [
                {**q, "text": cite.named(q["text"])} for q in result.get("open_questions") or []
            ],
            "cite": cite,
            "source": source,
            "reports": repo.reports(page.session, case_id),
            "synopsis": repo.synopsis_report(page.session, case_id),
            "comments": comments,
            "users": users,
            "groups": ALLEGATION_GROUPS,
            "allegations": ALLEGATIONS,
            "severities": SEVERITY,
            "factors": FACTORS,
        },
        page=page,
    )


@router.get("/cases/{case_id}/source", name="ui_case_source")
def case_source_partial(
    request: Request,
    case_id: int,
    doc: str = Query(..., pattern=r"^c?doc\d{1,10}$"),
    start: int | None = Query(None, ge=0, le=100_000_000),
    end: int | None = Query(None, ge=0, le=100_000_000),
    page: Page = Depends(page_for("read")),
) -> Response:
    """The source pane alone, swapped in by static/case.js when a citation is clicked."""
    source = _source(page, case_id, doc, start, end)
    return render(request, "_case_source.html", {"source": source, "case_id": case_id}, page=page)
