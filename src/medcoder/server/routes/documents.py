"""Uploading documents, and patients."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from medcoder.server import payloads
from medcoder.server.auth import Context, require
from medcoder.server.uploads import DOCUMENT_TYPES, Upload, read_document, read_upload
from medcoder.store import access
from medcoder.store import encounters as repo

router = APIRouter(prefix="/api", tags=["documents"])

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            **{t: {"schema": {"type": "string", "format": "binary"}} for t in DOCUMENT_TYPES},
        },
    }
}


@router.post(
    "/documents",
    status_code=201,
    summary="Upload a document (text, PDF, HL7 v2, FHIR), max 10 MB",
    openapi_extra=_UPLOAD_BODY,
)
def upload_document(
    encounter_id: int | None = Query(
        None, ge=1, le=payloads.ID_MAX, description="Add to this encounter"
    ),
    setting: str = Query(
        "outpatient",
        pattern="^(?i:inpatient|outpatient|emergency|observation|abstraction)$",
        description="Setting of the new encounter when none is given",
    ),
    kind: str | None = Query(None, max_length=128, description="Document kind label"),
    filename: str | None = Query(
        None, max_length=255, description="File name for a raw-body upload"
    ),
    ctx: Context = Depends(require("upload")),  # authenticate before reading the body
    upload: Upload = Depends(read_upload),
) -> dict:
    encounter = None
    if encounter_id is not None:  # may the caller add to it? (before reading the upload)
        encounter = repo.load_encounter(ctx.session, encounter_id)
        if ctx.user.role == "coder":
            access.work_encounter(ctx.session, ctx.actor, encounter)
        else:  # a CDI specialist adds documentation without taking the coding work
            access.read_encounter(ctx.session, ctx.actor, encounter_id)
    # Read before storing anything: an unreadable document stores nothing (the request's
    # transaction, a pool encounter taken above included, is rolled back).
    outcome = read_document(upload)
    if encounter is None:
        patient_id = None
        if outcome.patient is not None and (outcome.patient.id or outcome.patient.name):
            patient_id = repo.create_patient(
                ctx.session,
                ctx.actor,
                external_id=outcome.patient.id,
                name=outcome.patient.name,
                birth_date=outcome.patient.birth_date,
                sex=outcome.patient.sex,
            ).id
        service_date = outcome.encounter.service_date if outcome.encounter else None
        encounter = repo.create_encounter(
            ctx.session,
            ctx.actor,
            setting=setting,
            patient_id=patient_id,
            service_date=service_date,
        )
    stored = []
    for document in outcome.documents:
        stored.append(
            repo.add_document(
                ctx.session,
                ctx.actor,
                encounter,
                **upload.document_fields(document, outcome, kind, source_id=document.id),
            )
        )
    return {"encounter_id": encounter.id, "documents": [payloads.document(d) for d in stored]}


@router.get("/documents/{document_id}", summary="A document with its text")
def get_document(document_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    return {
        "document": payloads.document(
            repo.get_document(ctx.session, ctx.actor, document_id), text=True
        )
    }


@router.post("/patients", status_code=201, tags=["patients"], summary="Create a patient")
def add_patient(
    body: payloads.PatientIn, ctx: Context = Depends(require("create_encounter"))
) -> dict:
    patient = repo.create_patient(ctx.session, ctx.actor, **body.model_dump())
    return {"patient": payloads.patient(patient)}


@router.get("/patients/{patient_id}", tags=["patients"], summary="A patient")
def get_patient(patient_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    return {"patient": payloads.patient(repo.get_patient(ctx.session, ctx.actor, patient_id))}
