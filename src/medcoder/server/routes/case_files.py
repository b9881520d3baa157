"""Malpractice case files: claim facts, records, analysis, classification, synopsis report.

Claims examiners and attorneys read everything here and comment (``/api/comments``); filing
records and running the analysis is for coders and managers (``manage_cases``); confirming or
changing the NPDB classification is the examiner's call (``classify_case``). Nobody changes the
codes here: they are the engine's, and corrections go through the synopsis report's review.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from medcoder.casework.classify import ALLEGATION_GROUPS, ALLEGATIONS, SEVERITY
from medcoder.server import payloads
from medcoder.server.auth import Context, require
from medcoder.server.case_analysis import analyze_stored_case, record_names, stored_report
from medcoder.server.routes.documents import _UPLOAD_BODY
from medcoder.server.uploads import Upload, read_document, read_upload
from medcoder.store import access
from medcoder.store import case_files as repo
from medcoder.store import reports as report_repo
from medcoder.store.case_file_models import CaseAnalysis, CaseDocument, CaseFile
from medcoder.store.errors import ConflictError, InvalidError

router = APIRouter(prefix="/api/cases", tags=["cases"])

#: Contributing-factor codes of ``medcoder.casework.classify.suggest_factors``.
FACTORS = {
    "clinical_judgment": "Clinical judgment",
    "communication": "Communication",
    "documentation": "Documentation",
    "technical_skill": "Technical skill",
    "clinical_systems": "Clinical systems",
    "patient_factors": "Patient factors",
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartyIn(_In):
    name: str = Field(..., min_length=1, max_length=255)
    role: str = Field("", max_length=64)
    specialty: str | None = Field(None, max_length=128)
    npi: str | None = Field(None, pattern=r"^\d{10}$")
    state: str | None = Field(None, max_length=2)


class CaseDetailsIn(_In):
    """The claim facts (the fields of a ``case.json`` manifest)."""

    claim_number: str | None = Field(None, max_length=64)
    suit_number: str | None = Field(None, max_length=64)
    claimant: str | None = Field(None, max_length=255)
    patient_name: str | None = Field(None, max_length=255)
    patient_mrn: str | None = Field(None, max_length=64)
    patient_dob: dt.date | None = None
    defendants: list[PartyIn] = Field(default_factory=list, max_length=50)
    incident_date: dt.date | None = None
    notice_date: dt.date | None = None
    suit_date: dt.date | None = None
    jurisdiction: str | None = Field(None, max_length=128)
    venue: str | None = Field(None, max_length=255)
    policy_start: dt.date | None = None
    policy_end: dt.date | None = None
    allegations_pleaded: list[str] = Field(default_factory=list, max_length=50)
    version: int | None = Field(None, ge=1, le=payloads.ID_MAX)

    @model_validator(mode="after")
    def _policy_in_order(self) -> CaseDetailsIn:
        if self.policy_start and self.policy_end and self.policy_end < self.policy_start:
            raise ValueError(
                f"policy_end {self.policy_end} is before policy_start {self.policy_start}"
            )
        return self


class CaseStatusIn(_In):
    """Close a case once it is worked, or reopen it."""

    status: Literal["open", "closed"]


class ClassificationIn(_In):
    """The examiner's decision: the suggestion confirmed, or changed to other NPDB codes."""

    status: Literal["confirmed", "changed"]
    allegation_group: int = Field(..., description="NPDB ALGNNATR allegation group")
    allegation: int = Field(..., description="NPDB specific allegation (ALEGATN1)")
    severity: int = Field(..., description="NPDB/NAIC outcome severity 1-10")
    contributing_factors: list[str] = Field(default_factory=list, max_length=len(FACTORS))
    note: str | None = Field(None, max_length=2000)
    version: int | None = Field(None, ge=1, le=payloads.ID_MAX)


def _check_classification(body: ClassificationIn) -> None:
    for field, value, table in (
        ("allegation_group", body.allegation_group, ALLEGATION_GROUPS),
        ("allegation", body.allegation, ALLEGATIONS),
        ("severity", body.severity, SEVERITY),
    ):
        if value not in table:
            allowed = ", ".join(str(k) for k in table)
            raise InvalidError(
                f"{field} {value} is not an NPDB code; allowed: {allowed}", field=field
            )
    unknown = [f for f in body.contributing_factors if f not in FACTORS]
    if unknown:
        raise InvalidError(
            f"unknown contributing factor(s) {', '.join(unknown)}; allowed: {', '.join(FACTORS)}",
            field="contributing_factors",
        )


def case_document(d: CaseDocument, *, text: bool = False) -> dict:
    out = {
        "id": d.id,
        "key": f"cdoc{d.id}",
        "case_id": d.case_id,
        "file_name": d.file_name,
        "format": d.format,
        "kind": d.kind,
        "size_bytes": d.size_bytes,
        "sha256": d.sha256,
        "chars": len(d.text),
        "meta": d.meta,
    }
    if text:
        out["text"] = d.text
    return out


def case_file(row: CaseFile) -> dict:
    return {"details": row.details, "classification": row.classification, "version": row.version}


def analysis(row: CaseAnalysis | None, *, result: bool = False) -> dict | None:
    if row is None:
        return None
    out = {
        "id": row.id,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "engine_version": row.engine_version,
        "seconds": row.seconds,
        "events": len(row.result.get("chronology", {}).get("events", [])),
        "issues": len(row.result.get("issues", [])),
        "codes": len(row.result.get("codes", [])),
        "data_quality": len(row.result.get("chronology", {}).get("data_quality", [])),
    }
    if result:
        out["result"] = row.result
    return out


@router.get("", summary="Cases, newest first (paged)")
def list_cases(
    status: str | None = Query(None, max_length=16),
    limit: int = Query(25, ge=1, le=200),
    offset: int = Query(0, ge=0, le=payloads.ID_MAX),
    ctx: Context = Depends(require("read")),
) -> dict:
    rows, total = repo.list_cases(ctx.session, ctx.actor, status=status, limit=limit, offset=offset)
    return {"items": [payloads.case(c) for c in rows], "total": total}


@router.get("/{case_id}/file", summary="A case's claim facts, records and latest analysis")
def get_case_file(case_id: payloads.PathId, ctx: Context = Depends(require("read"))) -> dict:
    from medcoder.store import casework

    case = casework.get_case(ctx.session, ctx.actor, case_id)  # audited read
    filed, linked = repo.documents(ctx.session, case)
    return {
        "case": payloads.case(case),
        **case_file(repo.case_file(ctx.session, case_id)),
        "documents": [case_document(d) for d in filed]
        + [{**payloads.document(d), "key": f"doc{d.id}"} for d in linked],
        "analysis": analysis(repo.latest_analysis(ctx.session, case_id), result=True),
    }


@router.put("/{case_id}/details", summary="Set the claim facts (claim, parties, dates, policy)")
def put_details(
    case_id: payloads.PathId,
    body: CaseDetailsIn,
    ctx: Context = Depends(require("manage_cases")),
) -> dict:
    access.check_case(ctx.session, ctx.actor, case_id)  # members only
    details = body.model_dump(mode="json", exclude={"version"}, exclude_none=True)
    row = repo.set_details(ctx.session, ctx.actor, case_id, details, body.version)
    return case_file(row)


@router.post(
    "/{case_id}/documents",
    status_code=201,
    summary="File a record with the case (text, PDF, HL7 v2, FHIR), max 10 MB",
    openapi_extra=_UPLOAD_BODY,
)
def upload(
    case_id: payloads.PathId,
    kind: str | None = Query(None, max_length=128, description="Record kind label"),
    ctx: Context = Depends(require("manage_cases")),  # authenticate before reading the body
    upload: Upload = Depends(read_upload),
) -> dict:
    access.check_case(ctx.session, ctx.actor, case_id)  # members only
    outcome = read_document(upload)
    stored = [
        repo.add_document(
            ctx.session,
            ctx.actor,
            case_id,
            **upload.document_fields(document, outcome, kind, page_starts=list(document.pages)),
        )
        for document in outcome.documents
    ]
    return {"case_id": case_id, "documents": [case_document(d) for d in stored]}


@router.get("/{case_id}/documents/{key}", summary="A record of the case by its citation key")
def get_document(
    case_id: payloads.PathId,
    key: str = Path(..., pattern=r"^c?doc\d{1,10}$"),
    ctx: Context = Depends(require("read")),
) -> dict:
    row = repo.get_document(ctx.session, ctx.actor, case_id, key)
    if isinstance(row, CaseDocument):
        return {"document": case_document(row, text=True)}
    return {"document": {**payloads.document(row, text=True), "key": key}}


@router.post("/{case_id}/analyze", summary="Analyse the case's records now (chronology, codes)")
def analyze(case_id: payloads.PathId, ctx: Context = Depends(require("manage_cases"))) -> dict:
    access.check_case(ctx.session, ctx.actor, case_id)  # members only
    row = analyze_stored_case(ctx.session, ctx.actor, case_id)
    return {"analysis": analysis(row)}


@router.post("/{case_id}/status", summary="Close or reopen the case")
def set_status(
    case_id: payloads.PathId,
    body: CaseStatusIn,
    ctx: Context = Depends(require("manage_cases")),
) -> dict:
    access.check_case(ctx.session, ctx.actor, case_id)  # members only
    return {"case": payloads.case(repo.set_status(ctx.session, ctx.actor, case_id, body.status))}


#: Media type of each report download.
REPORT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@router.get(
    "/{case_id}/report.{fmt}",
    summary="Download the case summary report (HTML or PDF) rendered from the latest analysis",
    response_class=Response,
    responses={200: {"content": {t.split(";")[0]: {} for t in REPORT_TYPES.values()}}},
)
def download_report(
    case_id: payloads.PathId,
    fmt: Literal["html", "pdf"] = Path(..., description="html or pdf"),
    ctx: Context = Depends(require("read")),
) -> Response:
    """Whoever may read the case may take its report away; the download is audited
    (``export``) besides the read, since it carries the patient's facts out of the workbench."""
    from medcoder.casework.render import render_html, render_pdf
    from medcoder.store import casework

    case = casework.get_case(ctx.session, ctx.actor, case_id)  # audited read
    analysis_row, report = stored_report(ctx.session, case_id)
    names = record_names(ctx.session, case_id)
    content: str | bytes = render_pdf(report, names) if fmt == "pdf" else render_html(report, names)
    repo.record_export(ctx.session, ctx.actor, case, analysis_row, fmt)
    return Response(
        content,
        media_type=REPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="case-{case_id}-report.{fmt}"'},
    )


@router.post(
    "/{case_id}/classification",
    summary="Confirm or change the NPDB allegation, severity and contributing factors",
)
def classify(
    case_id: payloads.PathId,
    body: ClassificationIn,
    ctx: Context = Depends(require("classify_case")),
) -> dict:
    access.check_case(ctx.session, ctx.actor, case_id)  # members only
    _check_classification(body)
    if repo.latest_analysis(ctx.session, case_id) is None:
        raise ConflictError(
            f"case {case_id} has not been analysed; run the analysis before classifying",
            field="analysis",
        )
    decision = body.model_dump(exclude={"version"})
    decision["allegation_label"] = ALLEGATIONS[body.allegation]
    decision["group_label"] = ALLEGATION_GROUPS[body.allegation_group]
    decision["severity_label"] = SEVERITY[body.severity]
    row = repo.classify(ctx.session, ctx.actor, case_id, decision, body.version)
    return case_file(row)


@router.post(
    "/{case_id}/report",
    summary="Create the case's synopsis report from the latest analysis, or return it",
)
def synopsis_report(
    case_id: payloads.PathId, ctx: Context = Depends(require("write_report"))
) -> dict:
    access.check_case(ctx.session, ctx.actor, case_id)  # members only
    existing = repo.synopsis_report(ctx.session, case_id)
    if existing is not None:
        return {"report": payloads.report(existing), "created": False}
    latest = repo.latest_analysis(ctx.session, case_id)
    if latest is None:
        raise ConflictError(
            f"case {case_id} has not been analysed; the synopsis is written from an analysis",
            field="analysis",
        )
    report = report_repo.create_report(
        ctx.session, ctx.actor, title=repo.SYNOPSIS_TITLE, body=latest.synopsis, case_id=case_id
    )
    return {"report": payloads.report(report), "created": True}
