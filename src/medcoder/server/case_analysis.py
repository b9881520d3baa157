"""Run the malpractice analysis (``medcoder.casework``) over a case stored in the workbench.

The core reads files; the workbench holds records as text in the database. This module is the
bridge: it rebuilds a :class:`medcoder.casework.Case` from the stored claim facts and records,
with each document's id set to its citation key (``cdoc<id>`` for a record filed with the case,
``doc<id>`` for a document of a linked encounter) so every citation in the result points back
at a stored record, and stores the result so pages read it without analysing again.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

import medcoder
from medcoder.casework.case import Case, Party
from medcoder.casework.synopsis import CaseReport
from medcoder.documents.model import Document
from medcoder.store import case_files as repo
from medcoder.store.audit import Actor
from medcoder.store.case_file_models import CaseAnalysis
from medcoder.store.errors import ConflictError


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _party(raw: Any) -> Party:
    if isinstance(raw, str):
        return Party(name=raw)
    return Party(**{k: raw.get(k) for k in ("name", "role", "specialty", "npi", "state")})


def _document(key: str, row: Any) -> Document:
    """The stored text as a core document; offsets must index the stored text exactly."""
    from medcoder.documents.text_reader import text_document

    document = text_document(row.text, doc_id=key, source=row.file_name)
    if document.text != row.text:  # never let normalisation shift a citation
        document = Document(id=key, text=row.text, source=row.file_name)
    document.kind = row.kind or document.kind
    document.pages = list((row.meta or {}).get("page_starts") or [])
    return document


def casework_case(session: Session, case_id: int) -> Case:
    """The stored case as the analysis pipeline reads it (claim facts + records)."""
    row = repo.load_case(session, case_id)
    details = repo.case_file(session, case_id).details or {}
    filed, linked = repo.documents(session, row)
    case = Case(
        claim_number=details.get("claim_number"),
        suit_number=details.get("suit_number"),
        claimant=_party(details["claimant"]) if details.get("claimant") else None,
        patient_name=details.get("patient_name"),
        patient_mrn=details.get("patient_mrn"),
        patient_dob=_date(details.get("patient_dob")),
        defendants=[_party(d) for d in details.get("defendants") or []],
        incident_date=_date(details.get("incident_date")),
        notice_date=_date(details.get("notice_date")),
        suit_date=_date(details.get("suit_date")),
        jurisdiction=details.get("jurisdiction"),
        venue=details.get("venue"),
        policy_start=_date(details.get("policy_start")),
        policy_end=_date(details.get("policy_end")),
        allegations_pleaded=list(details.get("allegations_pleaded") or []),
    )
    case.documents = [_document(f"cdoc{d.id}", d) for d in filed]
    case.documents += [_document(f"doc{d.id}", d) for d in linked]
    return case


def analyze_stored_case(session: Session, actor: Actor, case_id: int) -> CaseAnalysis:
    """Analyse the case's records now and store the result (audited ``analyze``)."""
    from medcoder.casework import analyze_case, render_text

    case = casework_case(session, case_id)
    if not case.documents:
        raise ConflictError(
            f"case {case_id} has no records yet; upload the claim letter and the medical "
            "records first (POST /api/cases/{id}/documents)",
            field="documents",
        )
    started = time.perf_counter()
    report = analyze_case(case)
    seconds = time.perf_counter() - started
    result = report.to_dict()
    # Citations and free text (questions, flags) name each record by its file name.
    synopsis = render_text(report, {d.id: d.source for d in case.documents})
    return repo.save_analysis(
        session,
        actor,
        case_id,
        result=_jsonable(result),
        synopsis=synopsis,
        engine_version=medcoder.__version__,
        seconds=round(seconds, 2),
    )


def record_names(session: Session, case_id: int) -> dict[str, str]:
    """Citation key -> file name for every record of the case: the stored analysis cites
    records by key, a reader knows them by file name."""
    filed, linked = repo.documents(session, repo.load_case(session, case_id))
    return {f"cdoc{d.id}": d.file_name for d in filed} | {f"doc{d.id}": d.file_name for d in linked}


def stored_report(session: Session, case_id: int) -> tuple[CaseAnalysis, CaseReport]:
    """The latest stored analysis and the report rebuilt from it (never a fresh analysis, so a
    download shows what the reviewers saw on the case page)."""
    from medcoder.casework.restore import report_from_dict

    latest = repo.latest_analysis(session, case_id)
    if latest is None:
        raise ConflictError(
            f"case {case_id} has not been analysed; run the analysis before downloading the report",
            field="analysis",
        )
    return latest, report_from_dict(latest.result)


def _jsonable(value: Any) -> Any:
    """Dates and tuples as JSON has them (the header holds ``date`` objects)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
