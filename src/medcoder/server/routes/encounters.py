"""Encounters: create, read, code, review their codes, finalize; and the worklist."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Depends, Query, Response

import medcoder
from medcoder.server import payloads, scrub
from medcoder.server.auth import Context, Trip, one_trip, require, workbench
from medcoder.server.claim_export import claim_model, write_837p_text
from medcoder.server.turns import coding_turn
from medcoder.store import access, audit, review, scrubs
from medcoder.store import encounters as repo
from medcoder.store.base import EncounterStatus
from medcoder.store.casework import add_comment
from medcoder.store.errors import ConflictError

router = APIRouter(prefix="/api", tags=["encounters"])


@router.post("/encounters", status_code=201, summary="Create an encounter")
def add_encounter(
    body: payloads.EncounterIn, ctx: Context = Depends(require("create_encounter"))
) -> dict:
    encounter = repo.create_encounter(ctx.session, ctx.actor, **body.model_dump())
    return {"encounter": payloads.encounter(encounter, detail=True)}


@router.get("/encounters/{encounter_id}", summary="An encounter with its documents and codes")
def get_encounter(encounter_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    encounter = repo.get_encounter(ctx.session, ctx.actor, encounter_id)
    return {"encounter": payloads.encounter(encounter, detail=True)}


@router.post("/encounters/{encounter_id}/code", summary="Run the coding engine")
def code_encounter(
    encounter_id: payloads.PathId,
    _turn: None = Depends(coding_turn, scope="function"),  # before the session: see turns.py
    ctx: Context = Depends(require("code")),
) -> dict:
    bench = workbench(ctx.request)
    access.work_encounter(
        ctx.session, ctx.actor, repo.load_encounter(ctx.session, encounter_id, for_update=True)
    )
    result = review.code_encounter(
        ctx.session, ctx.actor, encounter_id, bench.coder, medcoder.__version__
    )
    encounter = repo.load_encounter(ctx.session, encounter_id)
    return {
        "coding_result": {
            "id": result.id,
            "warnings": result.warnings,
            "engine_version": result.engine_version,
        },
        "encounter": payloads.encounter(encounter, detail=True),
    }


@router.post("/encounters/{encounter_id}/codes", status_code=201, summary="Add a code")
def add_code(
    encounter_id: payloads.PathId, body: payloads.AddCodeIn, ctx: Context = Depends(require("code"))
) -> dict:
    suggestion = review.add_code(
        ctx.session,
        ctx.actor,
        encounter_id,
        code=body.code,
        reason=body.reason,
        validator=workbench(ctx.request).validator,
    )
    return {"suggestion": payloads.suggestion(suggestion)}


@router.post("/encounters/{encounter_id}/finalize", summary="Finalize a fully reviewed encounter")
def finalize(
    encounter_id: payloads.PathId,
    body: payloads.FinalizeIn,
    ctx: Context = Depends(require("code")),
) -> dict:
    """Needs the encounter ``version`` the coder reviewed: a code changed since -> 409."""
    encounter = review.finalize(ctx.session, ctx.actor, encounter_id, version=body.version)
    return {"encounter": payloads.encounter(encounter, detail=True)}


@router.post(
    "/encounters/{encounter_id}/reopen",
    summary="Reopen a finalized encounter (manager; reason required, audited)",
)
def reopen(
    encounter_id: payloads.PathId,
    body: payloads.ReopenIn,
    ctx: Context = Depends(require("reopen")),
) -> dict:
    """Finalized codes change only after this: the encounter goes back to ``coded``, the
    reason is kept as a comment on it, and it must be finalized again."""
    encounter = review.reopen(
        ctx.session, ctx.actor, encounter_id, reason=body.reason, version=body.version
    )
    add_comment(
        ctx.session,
        ctx.actor,
        target_type="encounter",
        target_id=encounter_id,
        body=f"Reopened after finalization: {body.reason}",
    )
    return {"encounter": payloads.encounter(encounter, detail=True)}


@router.post(
    "/encounters/{encounter_id}/assign",
    summary="Assign an encounter: take one from the pool, give yours back (manager: anyone)",
)
def assign(
    encounter_id: payloads.PathId,
    body: payloads.AssignIn,
    ctx: Context = Depends(require("assign")),
) -> dict:
    encounter = repo.load_encounter(ctx.session, encounter_id, for_update=True)
    access.assign(ctx.session, ctx.actor, encounter, body.assignee, version=body.version)
    return {"encounter": payloads.encounter(encounter)}


@router.get(
    "/encounters/{encounter_id}/scrub",
    summary="Scrub findings on the encounter's final codes",
    description="The claim scrubber (medcoder.edits) on the claim built from the final codes, "
    "the same claim model the 837P export writes. Rules on claim data typed in at export "
    "(NPIs, member id, addresses; age edits without a birth date) are listed under "
    "`deferred`; the export scrubs the full claim and stores the run (`last_export`).",
)
def scrub_encounter(encounter_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    encounter = repo.load_encounter(ctx.session, encounter_id)
    access.read_encounter(ctx.session, ctx.actor, encounter_id)
    result = scrub.scrub_codes(workbench(ctx.request).scrubber, encounter)
    audit.record(
        ctx.session,
        ctx.actor,
        "read",
        "encounter",
        encounter_id,
        detail=f"scrub findings={len(result['findings'])}",
    )
    last = scrubs.last_export(ctx.session, encounter_id)
    return {"scrub": result, "last_export": scrub.exported(last) if last else None}


@router.post(
    "/encounters/{encounter_id}/claim",
    summary="The 837P of a finalized encounter",
    description="Writes the 837P, scrubs the claim as exported and stores both (the scrub "
    "run's findings: `GET /api/encounters/{id}/scrub`, `last_export`). Findings do not block "
    "the download; the `X-Scrub-Findings` and `X-Scrub-Blocking` headers count them.",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "The 837P interchange"}},
)
def export_claim(
    encounter_id: payloads.PathId,
    body: payloads.ClaimIn,
    ctx: Context = Depends(require("export_claim")),
) -> Response:
    encounter = repo.load_encounter(ctx.session, encounter_id)
    access.work_encounter(ctx.session, ctx.actor, encounter)
    if encounter.status != EncounterStatus.FINALIZED:
        raise ConflictError(
            f"encounter {encounter_id} is not finalized; finalize it before exporting a claim",
            field="encounter_id",
        )
    data = body.model_dump(exclude={"submitter_phone"}, exclude_unset=True)
    claim = claim_model(encounter, data)
    text = write_837p_text(claim, submitter_phone=body.submitter_phone)
    report = scrub.scrub_export(workbench(ctx.request).scrubber, encounter, claim)
    stored = scrubs.record_export(
        ctx.session,
        ctx.actor,
        encounter_id,
        payload=claim.model_dump(mode="json"),
        x12=text,
        total_charge=sum((line.charge for line in claim.lines or ()), Decimal(0)),
        report=report,
    )
    return Response(
        text,
        media_type="text/plain",
        headers={
            "Content-Disposition": f'attachment; filename="encounter-{encounter_id}.837"',
            "X-Claim-Id": str(stored.id),
            "X-Scrub-Findings": str(len(report["findings"])),
            "X-Scrub-Blocking": str(report["blocking"]),
        },
    )


# The review actions take one trip through the thread pool (auth.Trip): they are the calls
# coders make all day, and the ones with a latency target (issue 7: p95 <= 100 ms).
@router.post("/suggestions/{suggestion_id}/accept", tags=["review"], summary="Accept a code")
async def accept(
    suggestion_id: payloads.PathId,
    body: payloads.Versioned,
    trip: Trip = Depends(one_trip("code")),
) -> dict:
    def work(ctx: Context) -> dict:
        row = review.accept(ctx.session, ctx.actor, suggestion_id, version=body.version)
        return {"suggestion": payloads.suggestion(row)}

    return await trip.run(work)


@router.post(
    "/suggestions/{suggestion_id}/reject",
    tags=["review"],
    summary="Reject a code (reason required)",
)
async def reject(
    suggestion_id: payloads.PathId,
    body: payloads.RejectIn,
    trip: Trip = Depends(one_trip("code")),
) -> dict:
    def work(ctx: Context) -> dict:
        row = review.reject(
            ctx.session, ctx.actor, suggestion_id, reason=body.reason, version=body.version
        )
        return {"suggestion": payloads.suggestion(row)}

    return await trip.run(work)


@router.post(
    "/suggestions/{suggestion_id}/edit", tags=["review"], summary="Replace a code with a valid one"
)
async def edit(
    suggestion_id: payloads.PathId,
    body: payloads.EditIn,
    trip: Trip = Depends(one_trip("code")),
) -> dict:
    validator = workbench(trip.request).validator

    def work(ctx: Context) -> dict:
        row = review.edit(
            ctx.session,
            ctx.actor,
            suggestion_id,
            code=body.code,
            reason=body.reason,
            version=body.version,
            validator=validator,
        )
        return {"suggestion": payloads.suggestion(row)}

    return await trip.run(work)


@router.get("/worklist", tags=["worklist"], summary="Encounters to work, filtered and paged")
def worklist(
    status: str | None = Query(None, pattern="^(open|coded|finalized)$"),
    setting: str | None = Query(None, pattern="^(inpatient|outpatient|abstraction)$"),
    assignee: str | None = Query(None, max_length=64),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=payloads.ID_MAX),
    ctx: Context = Depends(require("read")),
) -> dict:
    rows, total = repo.worklist(
        ctx.session,
        ctx.actor,
        status=status,
        setting=setting,
        assignee=assignee,
        limit=limit,
        offset=offset,
    )
    return {
        "items": [payloads.encounter(e) for e in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }
