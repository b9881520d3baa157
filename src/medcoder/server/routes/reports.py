"""Reports: create, read, move through review, and revise with tracked diffs."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from medcoder.server import payloads
from medcoder.server.auth import Context, require
from medcoder.store import reports as repo

router = APIRouter(prefix="/api/reports", tags=["reports"])


@router.post("", status_code=201, summary="Create a report (state draft, version 1)")
def add_report(body: payloads.ReportIn, ctx: Context = Depends(require("write_report"))) -> dict:
    report = repo.create_report(ctx.session, ctx.actor, **body.model_dump())
    return {"report": payloads.report(report, versions=True)}


@router.get("/{report_id}", summary="A report with its versions and diffs")
def get_report(report_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    return {
        "report": payloads.report(repo.get_report(ctx.session, ctx.actor, report_id), versions=True)
    }


@router.post(
    "/{report_id}/transition",
    summary="Move a report to its next state (409 if the version is stale)",
)
def transition(
    report_id: payloads.PathId,
    body: payloads.TransitionIn,
    ctx: Context = Depends(require("transition_report")),
) -> dict:
    report = repo.transition(ctx.session, ctx.actor, report_id, to=body.to, version=body.version)
    return {"report": payloads.report(report)}


@router.post(
    "/{report_id}/versions",
    status_code=201,
    summary="Revise a report's text; stores a unified diff",
)
def add_version(
    report_id: payloads.PathId,
    body: payloads.ReportVersionIn,
    ctx: Context = Depends(require("write_report")),
) -> dict:
    row = repo.add_version(
        ctx.session, ctx.actor, report_id, body=body.body, note=body.note, version=body.version
    )
    report = repo.load_report(ctx.session, report_id)
    return {"version": payloads.report_version(row), "report": payloads.report(report)}
