"""CDI queries to physicians through their life: drafted (open) -> sent -> answered, declined
or expired (issue 8; the moves are ``medcoder.cdi.lifecycle.ALLOWED``, one table for the
library and the workbench).

An answer is documentation: it is stored as a document of the encounter (kind "query
response", uploaded by the physician) and coding runs again through the ``coder`` the caller
passes (the server's engine), so the code change and its source are kept on the query
(``recode``: codes before and after, and which new codes cite the answer). Every read and
change writes its audit row in the same transaction; audit details hold ids, never text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.cdi.lifecycle import ALLOWED, ProgramMetrics, QueryOutcome, QueryStatus, metrics
from medcoder.store import access, audit, review
from medcoder.store.audit import Actor
from medcoder.store.base import EncounterStatus, ReviewState, Role, utcnow
from medcoder.store.case_models import Query
from medcoder.store.encounters import add_document, load_encounter
from medcoder.store.errors import AccessDeniedError, ConflictError, InvalidError, NotFoundError
from medcoder.store.models import CodeSuggestionRow, CodingResultRow, User

STATES = tuple(s.value for s in QueryStatus)
OTHER_PREFIX = "other"  # "Other (please specify): ____" needs the physician's own words
RESPONSE_KIND = "query response"


def _physician_id(session: Session, username: str) -> int:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InvalidError(f"no user named {username!r}", field="addressed_to")
    if user.role != Role.PHYSICIAN.value or not user.active:
        raise InvalidError(
            f"{username!r} is not an active physician (role {user.role}); queries go to the "
            "physician who documented the care",
            field="addressed_to",
        )
    return user.id


def _move(query: Query, to: QueryStatus) -> None:
    current = QueryStatus(query.state)
    if to not in ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current])) or "none (closed)"
        raise ConflictError(
            f"query {query.id} is {current.value}: it cannot become {to.value} "
            f"(allowed: {allowed})",
            field="state",
        )
    query.state = to.value
    if to is QueryStatus.SENT:
        query.sent_at = utcnow()
    else:
        query.answered_at = utcnow()


def create_query(
    session: Session,
    actor: Actor,
    encounter_id: int,
    *,
    question: str,
    options: list[str],
    addressed_to: str | None,
    rule_id: str | None = None,
    code: str | None = None,
    draft: dict[str, Any] | None = None,
    lint: list[dict[str, Any]] | None = None,
) -> Query:
    """A query on the encounter: a draft (open), or sent at once when ``addressed_to`` names
    the physician (a hand-written query is written and sent in one step)."""
    load_encounter(session, encounter_id)
    access.read_encounter(session, actor, encounter_id)
    query = Query(
        encounter_id=encounter_id,
        question=question,
        options=list(options),
        asked_by=actor.user_id,
        rule_id=rule_id,
        code=code,
        draft=draft,
        lint=lint if lint is not None else None,
    )
    if addressed_to:
        _refuse_errors(query)
        query.addressed_to = _physician_id(session, addressed_to)
        query.state = QueryStatus.SENT.value
        query.sent_at = utcnow()
    session.add(query)
    session.flush()
    audit.record(session, actor, "create", "query", query.id, detail=f"encounter={encounter_id}")
    return query


def add_drafts(
    session: Session, actor: Actor, encounter_id: int, drafts: list[dict[str, Any]]
) -> tuple[list[Query], int]:
    """Store drafted queries as open ones; a draft whose rule (and code) already has an open,
    sent or answered query on the encounter is skipped. Returns the new rows and the skips."""
    load_encounter(session, encounter_id)
    existing = {
        (q.rule_id, q.code)
        for q in session.scalars(
            select(Query).where(
                Query.encounter_id == encounter_id,
                Query.state.in_(
                    (QueryStatus.OPEN.value, QueryStatus.SENT.value, QueryStatus.ANSWERED.value)
                ),
            )
        )
    }
    added: list[Query] = []
    for d in drafts:
        if (d["rule_id"], d.get("code")) in existing:
            continue
        existing.add((d["rule_id"], d.get("code")))
        added.append(
            create_query(
                session,
                actor,
                encounter_id,
                question=d["question"],
                options=d["options"],
                addressed_to=None,
                rule_id=d["rule_id"],
                code=d.get("code"),
                draft=d["draft"],
                lint=d["lint"],
            )
        )
    return added, len(drafts) - len(added)


def get_query(session: Session, actor: Actor, query_id: int) -> Query:
    query = session.get(Query, query_id)
    if query is None:
        raise NotFoundError("query", query_id)
    access.read_query(session, actor, query)
    audit.record(
        session, actor, "read", "query", query_id, detail=f"encounter={query.encounter_id}"
    )
    return query


def list_queries(session: Session, actor: Actor, encounter_id: int) -> list[Query]:
    load_encounter(session, encounter_id)
    access.read_encounter(session, actor, encounter_id)
    audit.record(session, actor, "read_queries", "encounter", encounter_id)
    stmt = select(Query).where(Query.encounter_id == encounter_id).order_by(Query.id)
    return list(session.scalars(stmt))


def worklist(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    rule_id: str | None = None,
    physician: str | None = None,
    encounter_id: int | None = None,
    addressed_to_id: int | None = None,
    limit: int = 25,
    offset: int = 0,
) -> tuple[list[Query], int]:
    """A page of queries, newest first, and how many match in all."""
    if state and state not in STATES:
        raise InvalidError(f"unknown state {state!r}; allowed: {', '.join(STATES)}", field="state")
    stmt = select(Query).where(access.query_clause(actor))
    if state:
        stmt = stmt.where(Query.state == state)
    if rule_id:
        stmt = stmt.where(Query.rule_id == rule_id)
    if encounter_id:
        stmt = stmt.where(Query.encounter_id == encounter_id)
    if addressed_to_id is not None:
        stmt = stmt.where(Query.addressed_to == addressed_to_id)
    if physician:
        stmt = stmt.join(User, User.id == Query.addressed_to).where(User.username == physician)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(Query.id.desc()).limit(limit).offset(offset)))
    audit.record(session, actor, "list", "query", None, detail=f"count={len(rows)} offset={offset}")
    return rows, total


def rule_ids(session: Session) -> list[str]:
    """The rules that have queries, for the worklist's filter (no patient data)."""
    stmt = select(Query.rule_id).where(Query.rule_id.is_not(None)).distinct()
    return sorted(r for r in session.scalars(stmt) if r)


def _refuse_errors(query: Query) -> None:
    errors = [f for f in query.lint or [] if f.get("severity") == "error"]
    if errors:
        rules = ", ".join(sorted({f.get("rule", "?") for f in errors}))
        raise ConflictError(
            f"query {query.id or '(new)'} fails the compliant-query linter ({rules}); "
            "rewrite it before sending",
            field="lint",
        )


def send_query(session: Session, actor: Actor, query_id: int, *, addressed_to: str) -> Query:
    """open -> sent to ``addressed_to``; a query the linter finds non-compliant is refused."""
    query = session.get(Query, query_id)
    if query is None:
        raise NotFoundError("query", query_id)
    access.own_query(actor, query, "send")
    _refuse_errors(query)
    to_id = _physician_id(session, addressed_to)
    _move(query, QueryStatus.SENT)
    query.addressed_to = to_id
    session.flush()
    audit.record(session, actor, "send", "query", query_id, detail=f"to={to_id}")
    return query


def _addressed(query: Query, actor: Actor, action: str) -> None:
    if query.addressed_to is not None and query.addressed_to != actor.user_id:
        raise AccessDeniedError(
            f"{action} query {query.id}: it is addressed to another physician",
            actor.role,
            ("the physician the query is addressed to",),
        )


def answer_text(options: list[str], option: str | None, text: str | None) -> str:
    """The answer as documentation: the chosen option, the physician's words, or both.

    "Other (please specify)" needs the words; an option not offered is refused (the
    physician chooses among the query's options or writes freely)."""
    words = (text or "").strip()
    if option:
        if option not in options:
            raise InvalidError(f"{option!r} is not one of this query's options", field="option")
        if option.lower().startswith(OTHER_PREFIX):
            if not words:
                raise InvalidError('"Other" needs the diagnosis in your words', field="answer")
            return words
        return f"{option}. {words}" if words else option
    if not words:
        raise InvalidError("choose an option or write an answer", field="answer")
    return words


def _codes(session: Session, encounter_id: int) -> list[str]:
    stmt = select(CodeSuggestionRow.code).where(
        CodeSuggestionRow.encounter_id == encounter_id,
        CodeSuggestionRow.state != ReviewState.REJECTED.value,
    )
    return sorted(set(session.scalars(stmt)))


def answer_query(
    session: Session,
    actor: Actor,
    query_id: int,
    *,
    answer: str,
    coder: review.Coder | None = None,
    engine_version: str = "",
) -> Query:
    """sent -> answered by the addressed physician; the answer becomes a document of the
    encounter and, with a ``coder``, coding runs again and ``recode`` records the change."""
    query = session.get(Query, query_id)
    if query is None:
        raise NotFoundError("query", query_id)
    _addressed(query, actor, "answer")
    _move(query, QueryStatus.ANSWERED)
    query.answer = answer
    query.answered_by = actor.user_id
    session.flush()
    audit.record(session, actor, "answer", "query", query_id)
    encounter = load_encounter(session, query.encounter_id)
    if encounter.status == EncounterStatus.FINALIZED.value:
        query.recode = {"skipped": f"encounter {encounter.id} was finalized; recode it by hand"}
        return query
    text = f"QUERY RESPONSE (query {query.id}):\n{answer}\n"
    document = add_document(
        session,
        actor,
        encounter,
        file_name=f"query-{query.id}-response.txt",
        text=text,
        format="text",
        raw=text.encode(),
        media_type="text/plain",
        kind=RESPONSE_KIND,
        meta={"query_id": query.id},
    )
    recode: dict[str, Any] = {"document_id": document.id}
    if coder is not None:
        before = _codes(session, encounter.id)
        result = review.code_encounter(session, actor, encounter.id, coder, engine_version)
        after = _codes(session, encounter.id)
        cited = sorted(
            {
                s.code
                for s in session.scalars(
                    select(CodeSuggestionRow).where(CodeSuggestionRow.coding_result_id == result.id)
                )
                if any(e.get("document") == f"doc{document.id}" for e in s.evidence or [])
            }
        )
        recode |= {
            "coding_result_id": result.id,
            "before": before,
            "after": after,
            "added": sorted(set(after) - set(before)),
            "removed": sorted(set(before) - set(after)),
            "from_answer": cited,
        }
    query.recode = recode
    session.flush()
    return query


def decline_query(session: Session, actor: Actor, query_id: int, *, reason: str | None) -> Query:
    """sent -> declined by the addressed physician (the reason, if given, is kept)."""
    query = session.get(Query, query_id)
    if query is None:
        raise NotFoundError("query", query_id)
    _addressed(query, actor, "decline")
    _move(query, QueryStatus.DECLINED)
    query.answer = (reason or "").strip() or None
    query.answered_by = actor.user_id
    session.flush()
    audit.record(session, actor, "decline", "query", query_id)
    return query


def expire_query(session: Session, actor: Actor, query_id: int) -> Query:
    """sent -> expired: the CDI specialist closes a query the physician did not answer."""
    query = session.get(Query, query_id)
    if query is None:
        raise NotFoundError("query", query_id)
    access.own_query(actor, query, "close")
    _move(query, QueryStatus.EXPIRED)
    session.flush()
    audit.record(session, actor, "expire", "query", query_id)
    return query


def _window(column: Any, start: dt.date | None, end: dt.date | None) -> list[Any]:
    """``column`` within [start 00:00, end + 1 day 00:00) UTC: both dates included, and
    timestamps are stored in UTC on every dialect."""
    clauses = []
    if start is not None:
        clauses.append(column >= dt.datetime.combine(start, dt.time(), dt.UTC))
    if end is not None:
        clauses.append(column < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC))
    return clauses


def query_metrics(
    session: Session, actor: Actor, *, start: dt.date | None = None, end: dt.date | None = None
) -> ProgramMetrics:
    """The CDI program metrics (``medcoder.cdi.lifecycle.metrics``) over the queries opened
    from ``start`` to ``end`` (UTC dates, both included; open-ended when None), each with its
    outcome as it stands now. The query rate's denominator is the encounters coded in the same
    period (an engine run), so a quiet month is not compared with all time.

    Audited as one ``metrics`` read: the result names physicians and rules, never patients.
    """
    if start is not None and end is not None and start > end:
        raise InvalidError(f"from {start} is after to {end}", field="from")
    usernames = dict(session.execute(select(User.id, User.username)).all())
    stmt = select(
        Query.encounter_id,
        Query.addressed_to,
        Query.rule_id,
        Query.state,
        Query.sent_at,
        Query.answered_at,
        Query.answer,
    ).where(*_window(Query.created_at, start, end))
    outcomes = [
        QueryOutcome(
            encounter_id=str(row.encounter_id),
            physician=usernames.get(row.addressed_to) if row.addressed_to else None,
            rule_id=row.rule_id,
            status=QueryStatus(row.state),
            sent_at=row.sent_at,
            closed_at=row.answered_at,
            answer=row.answer,
        )
        for row in session.execute(stmt)
    ]
    coded = session.scalar(
        select(func.count(func.distinct(CodingResultRow.encounter_id))).where(
            *_window(CodingResultRow.created_at, start, end)
        )
    )
    audit.record(
        session,
        actor,
        "metrics",
        "query",
        None,
        detail=f"from={start or ''} to={end or ''} count={len(outcomes)}",
    )
    return metrics(outcomes, encounters=int(coded or 0))
