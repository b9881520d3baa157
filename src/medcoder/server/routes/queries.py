"""CDI queries: find opportunities on an encounter, send a drafted query to a physician, the
physician answers (coding runs again on the answer) or declines, CDI closes unanswered ones."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query

import medcoder
from medcoder.server import payloads
from medcoder.server.auth import Context, require, workbench
from medcoder.server.opportunities import drafted_queries
from medcoder.store import encounters as encounter_repo
from medcoder.store import queries as repo

router = APIRouter(prefix="/api", tags=["queries"])


@router.post(
    "/encounters/{encounter_id}/queries", status_code=201, summary="Ask a physician a CDI query"
)
def add_query(
    encounter_id: payloads.PathId, body: payloads.QueryIn, ctx: Context = Depends(require("query"))
) -> dict:
    row = repo.create_query(ctx.session, ctx.actor, encounter_id, **body.model_dump())
    return {"query": payloads.query(row)}


@router.get("/encounters/{encounter_id}/queries", summary="An encounter's queries")
def queries(encounter_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    return {
        "items": [
            payloads.query(q) for q in repo.list_queries(ctx.session, ctx.actor, encounter_id)
        ]
    }


@router.post(
    "/encounters/{encounter_id}/opportunities",
    status_code=201,
    summary="Find query opportunities; each becomes an open, drafted and linted query",
)
def find_opportunities(
    encounter_id: payloads.PathId, ctx: Context = Depends(require("query"))
) -> dict:
    encounter = encounter_repo.get_encounter(ctx.session, ctx.actor, encounter_id)
    drafts = drafted_queries(encounter)
    added, skipped = repo.add_drafts(ctx.session, ctx.actor, encounter_id, drafts)
    return {"items": [payloads.query(q) for q in added], "found": len(drafts), "skipped": skipped}


@router.get("/queries", summary="Queries across encounters, filtered and paged")
def worklist(
    state: str | None = Query(None, pattern="^(open|sent|answered|declined|expired)$"),
    rule: str | None = Query(None, max_length=64),
    physician: str | None = Query(None, max_length=64),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=payloads.ID_MAX),
    ctx: Context = Depends(require("read")),
) -> dict:
    rows, total = repo.worklist(
        ctx.session,
        ctx.actor,
        state=state,
        rule_id=rule,
        physician=physician,
        limit=limit,
        offset=offset,
    )
    return {"items": [payloads.query(q) for q in rows], "total": total}


@router.get("/queries/metrics", summary="CDI program metrics, overall and by physician or rule")
def metrics(
    start: dt.date | None = Query(None, alias="from", description="First day (UTC), YYYY-MM-DD."),
    end: dt.date | None = Query(None, alias="to", description="Last day (UTC), included."),
    by: str | None = Query(None, pattern="^(physician|rule)$", description="One grouping only."),
    ctx: Context = Depends(require("query_metrics")),
) -> dict:
    """Query rate, response rate, agreement rate and time to answer over the queries opened in
    the period (definitions in the reply's ``definitions``)."""
    result = repo.query_metrics(ctx.session, ctx.actor, start=start, end=end)
    return {"from": start, "to": end, **result.to_dict(by)}


@router.get("/queries/{query_id}", summary="A query")
def get_query(query_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    return {"query": payloads.query(repo.get_query(ctx.session, ctx.actor, query_id))}


@router.post("/queries/{query_id}/send", summary="Send a drafted query to a physician")
def send(
    query_id: payloads.PathId, body: payloads.SendIn, ctx: Context = Depends(require("query"))
) -> dict:
    row = repo.send_query(ctx.session, ctx.actor, query_id, addressed_to=body.addressed_to)
    return {"query": payloads.query(row)}


@router.post("/queries/{query_id}/answer", summary="Answer a query (physician); coding runs again")
def answer(
    query_id: payloads.PathId,
    body: payloads.AnswerIn,
    ctx: Context = Depends(require("answer_query")),
) -> dict:
    row = repo.get_query(ctx.session, ctx.actor, query_id)
    text = repo.answer_text(row.options or [], body.option, body.answer)
    row = repo.answer_query(
        ctx.session,
        ctx.actor,
        query_id,
        answer=text,
        coder=workbench(ctx.request).coder,
        engine_version=medcoder.__version__,
    )
    return {"query": payloads.query(row)}


@router.post("/queries/{query_id}/decline", summary="Decline a query (physician)")
def decline(
    query_id: payloads.PathId,
    body: payloads.DeclineIn,
    ctx: Context = Depends(require("answer_query")),
) -> dict:
    row = repo.decline_query(ctx.session, ctx.actor, query_id, reason=body.reason)
    return {"query": payloads.query(row)}


@router.post("/queries/{query_id}/expire", summary="Close a query left unanswered (CDI)")
def expire(query_id: payloads.PathId, ctx: Context = Depends(require("query"))) -> dict:
    row = repo.expire_query(ctx.session, ctx.actor, query_id)
    return {"query": payloads.query(row)}
