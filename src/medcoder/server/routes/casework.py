"""Comments with @mentions, and cases (CDI queries: ``routes.queries``)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from medcoder.server import payloads
from medcoder.server.auth import Context, require
from medcoder.store import casework as repo

router = APIRouter(prefix="/api")


@router.post("/comments", status_code=201, tags=["comments"], summary="Comment; @name mentions")
def add_comment(body: payloads.CommentIn, ctx: Context = Depends(require("comment"))) -> dict:
    row = repo.add_comment(ctx.session, ctx.actor, **body.model_dump())
    return {"comment": payloads.comment(row)}


@router.get("/comments", tags=["comments"], summary="Comments on an encounter, report or case")
def comments(
    target_type: Literal["encounter", "report", "case"],
    target_id: int = Query(..., ge=1, le=payloads.ID_MAX),
    ctx: Context = Depends(require("read")),
) -> dict:
    rows = repo.list_comments(ctx.session, ctx.actor, target_type=target_type, target_id=target_id)
    return {"items": [payloads.comment(c) for c in rows]}


@router.post("/cases", status_code=201, tags=["cases"], summary="Open a case")
def add_case(body: payloads.CaseIn, ctx: Context = Depends(require("manage_cases"))) -> dict:
    return {"case": payloads.case(repo.create_case(ctx.session, ctx.actor, **body.model_dump()))}


@router.get("/cases/{case_id}", tags=["cases"], summary="A case")
def get_case(case_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    return {"case": payloads.case(repo.get_case(ctx.session, ctx.actor, case_id))}
