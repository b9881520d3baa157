"""Coding an encounter and reviewing its codes: accept, reject, edit, add, finalize, reopen.

The engine is passed in (``coder``) rather than imported here, so tests can stub it and the
store never decides how coding is done. Each review action checks the caller's expected
``version`` (optimistic locking) and refuses to touch a finalized encounter.

Final means final (issue 18, finding 2): every change to an encounter's codes first locks the
encounter row (``SELECT ... FOR UPDATE``, re-read from the database, never from the session's
cache) and checks it is not finalized, then bumps the encounter's version in an update that
only applies while it is still not finalized. So a change racing a finalize either lands
before it (and the finalize, which checks the version the coder reviewed, is refused) or is
refused after it; only a manager's audited :func:`reopen` opens a finalized encounter again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, contains_eager

from medcoder.store import access, audit
from medcoder.store.audit import Actor
from medcoder.store.base import EncounterStatus, ReviewState, utcnow
from medcoder.store.encounters import check_version, load_encounter, require_open
from medcoder.store.errors import ConflictError, InvalidError, NotFoundError
from medcoder.store.models import CodeSuggestionRow, CodingResultRow, EncounterRow

Coder = Callable[[EncounterRow], object]  # returns a medcoder.suggestions.CodingResult


def code_encounter(
    session: Session, actor: Actor, encounter_id: int, coder: Coder, engine_version: str
) -> CodingResultRow:
    """Run the engine and store its suggestions.

    Unreviewed suggestions of an earlier run are replaced; reviewed ones are kept, and the new
    run does not suggest a code again that a coder has already decided on.
    """
    encounter = load_encounter(session, encounter_id, for_update=True)
    require_open(encounter)
    if not encounter.documents:
        raise ConflictError(
            f"encounter {encounter_id} has no documents; upload one first", field="encounter_id"
        )
    result = coder(encounter)
    session.execute(
        delete(CodeSuggestionRow).where(
            CodeSuggestionRow.encounter_id == encounter_id,
            CodeSuggestionRow.state == ReviewState.SUGGESTED.value,
        )
    )
    decided = {
        (s.system, s.code)
        for s in session.scalars(
            select(CodeSuggestionRow).where(CodeSuggestionRow.encounter_id == encounter_id)
        )
    }
    row = CodingResultRow(
        encounter_id=encounter_id,
        setting=encounter.setting,
        engine_version=engine_version,
        warnings=list(getattr(result, "warnings", [])),
        rejected=[r.to_dict() for r in getattr(result, "rejected", [])],
        code_sets=dict(getattr(result, "code_sets", {}) or {}),
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    for suggestion in getattr(result, "codes", []):
        if (suggestion.system, suggestion.code) in decided:
            continue
        session.add(
            CodeSuggestionRow(
                encounter_id=encounter_id,
                coding_result_id=row.id,
                system=suggestion.system,
                code=suggestion.code,
                description=suggestion.description,
                score=float(suggestion.score),
                evidence=[e.to_dict() for e in suggestion.evidence],
                poa=suggestion.poa,
                principal=bool(suggestion.principal),
            )
        )
    encounter.status = EncounterStatus.CODED.value
    session.flush()
    session.expire(encounter, ["suggestions"])
    audit.record(session, actor, "code", "encounter", encounter_id, detail=f"result={row.id}")
    return row


def _load_suggestion(session: Session, actor: Actor, suggestion_id: int) -> CodeSuggestionRow:
    # The code and its encounter in one read, the encounter row locked and both read from
    # the database: a review action is that read, two updates (the code, the encounter's
    # version) and its audit row.
    suggestion = session.scalar(
        select(CodeSuggestionRow)
        .join(CodeSuggestionRow.encounter)
        .options(contains_eager(CodeSuggestionRow.encounter))
        .where(CodeSuggestionRow.id == suggestion_id)
        .with_for_update(of=EncounterRow)
        .execution_options(populate_existing=True)
    )
    if suggestion is None:
        raise NotFoundError("suggestion", suggestion_id)
    encounter = suggestion.encounter
    access.work_encounter(session, actor, encounter)
    require_open(encounter)
    return suggestion


def _codes_changed(session: Session, encounter: EncounterRow) -> None:
    """Bump the encounter's version, unless it was finalized meanwhile (then 409): a finalize
    based on the version before this change is refused. One atomic ``UPDATE ... SET version =
    version + 1 WHERE status <> finalized``, so two codes of one encounter reviewed at once
    do not refuse each other, while a finalize between the read and the write still wins."""
    bumped = session.execute(
        update(EncounterRow)
        .where(
            EncounterRow.id == encounter.id,
            EncounterRow.status != EncounterStatus.FINALIZED.value,
        )
        .values(version=EncounterRow.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if bumped != 1:
        raise ConflictError(
            f"encounter {encounter.id} was finalized meanwhile; its codes can no longer change",
            field="encounter_id",
        )
    session.expire(encounter, ["version"])


def _decide(
    session: Session,
    actor: Actor,
    suggestion: CodeSuggestionRow,
    state: ReviewState,
    reason: str | None,
) -> CodeSuggestionRow:
    suggestion.state = state.value
    suggestion.reason = reason
    suggestion.reviewer_id = actor.user_id
    suggestion.reviewed_at = utcnow()
    session.flush()  # bumps its version; raises StaleDataError if a concurrent writer won
    _codes_changed(session, suggestion.encounter)
    action = {"accepted": "accept", "rejected": "reject", "edited": "edit"}[state.value]
    audit.record(
        session,
        actor,
        action,
        "suggestion",
        suggestion.id,
        detail=f"encounter={suggestion.encounter_id}",
    )
    return suggestion


def accept(
    session: Session, actor: Actor, suggestion_id: int, *, version: int | None
) -> CodeSuggestionRow:
    suggestion = _load_suggestion(session, actor, suggestion_id)
    check_version("suggestion", suggestion.version, version)
    return _decide(session, actor, suggestion, ReviewState.ACCEPTED, None)


def reject(
    session: Session, actor: Actor, suggestion_id: int, *, reason: str, version: int | None
) -> CodeSuggestionRow:
    if not reason or not reason.strip():
        raise InvalidError("a reason is required to reject a code", field="reason")
    suggestion = _load_suggestion(session, actor, suggestion_id)
    check_version("suggestion", suggestion.version, version)
    return _decide(session, actor, suggestion, ReviewState.REJECTED, reason.strip())


Validator = Callable[[str, date | None], tuple[str, str, str | None]]
"""``(code, on) -> (display code, system, title)``; raises InvalidError when not reportable."""


def edit(
    session: Session,
    actor: Actor,
    suggestion_id: int,
    *,
    code: str,
    reason: str | None,
    version: int | None,
    validator: Validator,
) -> CodeSuggestionRow:
    suggestion = _load_suggestion(session, actor, suggestion_id)
    check_version("suggestion", suggestion.version, version)
    display, system, title = validator(code, suggestion.encounter.service_date)
    if suggestion.original_code is None:
        suggestion.original_code = suggestion.code
    suggestion.code, suggestion.system, suggestion.description = display, system, title
    return _decide(session, actor, suggestion, ReviewState.EDITED, reason)


def add_code(
    session: Session,
    actor: Actor,
    encounter_id: int,
    *,
    code: str,
    reason: str | None,
    validator: Validator,
) -> CodeSuggestionRow:
    encounter = load_encounter(session, encounter_id, for_update=True)
    access.work_encounter(session, actor, encounter)
    require_open(encounter)
    display, system, title = validator(code, encounter.service_date)
    exists = session.scalar(
        select(CodeSuggestionRow.id).where(
            CodeSuggestionRow.encounter_id == encounter_id,
            CodeSuggestionRow.code == display,
            CodeSuggestionRow.system == system,
        )
    )
    if exists is not None:
        raise ConflictError(
            f"{system} {display} is already on encounter {encounter_id} (suggestion {exists})",
            field="code",
        )
    suggestion = CodeSuggestionRow(
        encounter_id=encounter_id,
        system=system,
        code=display,
        description=title,
        state=ReviewState.ADDED.value,
        reason=reason,
        reviewer_id=actor.user_id,
        reviewed_at=utcnow(),
    )
    session.add(suggestion)
    session.flush()
    _codes_changed(session, encounter)
    audit.record(
        session, actor, "add", "suggestion", suggestion.id, detail=f"encounter={encounter_id}"
    )
    return suggestion


def finalize(session: Session, actor: Actor, encounter_id: int, *, version: int) -> EncounterRow:
    """Finalize the encounter as reviewed at ``version``: refused (409) if any code changed
    since, or if a code is still unreviewed."""
    encounter = load_encounter(session, encounter_id, for_update=True)
    access.work_encounter(session, actor, encounter)
    require_open(encounter)
    check_version("encounter", encounter.version, version)
    pending = [s.id for s in encounter.suggestions if s.state == ReviewState.SUGGESTED.value]
    if pending:
        raise ConflictError(
            f"encounter {encounter_id} has {len(pending)} unreviewed code(s) "
            f"(suggestions {', '.join(map(str, pending[:10]))}); accept, reject or edit them first",
            field="encounter_id",
        )
    encounter.status = EncounterStatus.FINALIZED.value
    encounter.finalized_at = utcnow()
    encounter.finalized_by = actor.user_id
    session.flush()
    audit.record(session, actor, "finalize", "encounter", encounter_id)
    return encounter


def reopen(
    session: Session, actor: Actor, encounter_id: int, *, reason: str, version: int
) -> EncounterRow:
    """A manager opens a finalized encounter again (status coded), with the reason audited;
    the codes can then change and the encounter must be finalized again."""
    encounter = load_encounter(session, encounter_id, for_update=True)
    if encounter.status != EncounterStatus.FINALIZED.value:
        raise ConflictError(
            f"encounter {encounter_id} is {encounter.status}, not finalized", field="status"
        )
    check_version("encounter", encounter.version, version)
    if not reason.strip():
        raise InvalidError("a reason is required to reopen a finalized encounter", field="reason")
    encounter.status = EncounterStatus.CODED.value
    encounter.finalized_at = None
    encounter.finalized_by = None
    session.flush()
    audit.record(
        session, actor, "reopen", "encounter", encounter_id, detail=f"version={encounter.version}"
    )
    return encounter
