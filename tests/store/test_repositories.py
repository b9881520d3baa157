"""Repository functions: users and tokens, review with optimistic locking, report diffs,
mentions, and the audit row written in the same transaction as the change."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from medcoder.store import (
    Actor,
    ConflictError,
    InvalidError,
    NotFoundError,
    casework,
    encounters,
    reports,
    review,
    users,
)
from medcoder.store.errors import AccessDeniedError
from medcoder.store.models import AuditEvent, CodeSuggestionRow, EncounterRow

CODER = Actor(1, "coder", "coder", "10.0.0.1")


@pytest.fixture(autouse=True)
def _coder_user(db) -> None:
    """User 1, the CODER actor, so reviewer and author foreign keys resolve."""
    with db.session() as session:
        assert users.create_user(session, "coder", "long enough password", "coder").id == 1


def test_passwords_are_argon2_and_checked(db):
    with db.session() as session:
        user = users.create_user(session, "ann", "long enough password", "coder")
        assert user.password_hash.startswith("$argon2id$")
        assert users.authenticate(session, "ann", "long enough password") is user
        assert users.authenticate(session, "ann", "wrong") is None
        assert users.authenticate(session, "nobody", "wrong") is None
        with pytest.raises(InvalidError):
            users.create_user(session, "bob", "short", "coder")
        with pytest.raises(InvalidError):
            users.create_user(session, "../bob", "long enough password", "coder")


def test_tokens_are_stored_hashed(db):
    with db.session() as session:
        user = users.create_user(session, "ann", "long enough password", "coder")
        row, token = users.create_token(session, user, "feed")
        assert token not in row.token_hash and len(row.token_hash) == 64
        assert users.user_for_token(session, token) is user
        row.revoked = True
        assert users.user_for_token(session, token) is None


class _Result:
    def __init__(self, codes):
        self.codes, self.warnings, self.rejected = codes, [], []


class _Code:
    def __init__(self, code):
        self.system, self.code, self.description, self.score = "ICD-10-CM", code, code, 0.9
        self.evidence, self.poa, self.principal = [], None, False


def _coded(db) -> int:
    with db.session() as session:
        enc = encounters.create_encounter(session, CODER, setting="inpatient")
        encounters.add_document(
            session, CODER, enc, file_name="n.txt", text="t", format="text", raw=b"t"
        )
        review.code_encounter(
            session, CODER, enc.id, lambda _e: _Result([_Code("E11.9"), _Code("I10")]), "test"
        )
        return enc.id


def test_review_with_optimistic_locking(db):
    eid = _coded(db)
    with db.session() as session:
        first = session.scalars(select(CodeSuggestionRow).order_by(CodeSuggestionRow.id)).first()
        review.accept(session, CODER, first.id, version=1)
        assert first.version == 2
        with pytest.raises(ConflictError):
            review.reject(session, CODER, first.id, reason="x", version=1)
    # A concurrent writer that read version 2 loses when the row moved on underneath it.
    with db.session() as one, pytest.raises(StaleDataError), db.session() as two:
        a = one.get(CodeSuggestionRow, first.id)
        b = two.get(CodeSuggestionRow, first.id)
        a.reason = "first"
        one.flush()
        one.commit()
        b.reason = "second"
        two.flush()
    with db.session() as session:
        with pytest.raises(ConflictError):
            review.finalize(session, CODER, eid, version=None)  # I10 is unreviewed
        assert session.get(EncounterRow, eid).status == "coded"


def test_recoding_keeps_decisions(db):
    eid = _coded(db)
    with db.session() as session:
        first = session.scalars(
            select(CodeSuggestionRow).where(CodeSuggestionRow.code == "E11.9")
        ).one()
        review.reject(session, CODER, first.id, reason="ruled out", version=1)
        review.code_encounter(session, CODER, eid, lambda _e: _Result([_Code("E11.9")]), "test")
        states = sorted((s.code, s.state) for s in session.scalars(select(CodeSuggestionRow)))
    assert states == [("E11.9", "rejected")]


def test_rollback_takes_the_audit_row_with_it(db):
    with pytest.raises(NotFoundError), db.session() as session:
        encounters.create_encounter(session, CODER)
        encounters.get_patient(session, CODER, 12345)
    with db.session() as session:
        assert session.scalars(select(AuditEvent)).all() == []  # no half-written request
        assert session.scalars(select(EncounterRow)).all() == []


def test_report_transitions_are_role_checked_and_diffs_tracked(db):
    with db.session() as session:
        report = reports.create_report(session, CODER, title="R", body="a\nb\n")
        with pytest.raises(AccessDeniedError):
            reports.transition(
                session,
                Actor(1, "p", "physician", None),
                report.id,
                to="physician_review",
                version=report.version,
            )
        with pytest.raises(InvalidError):
            reports.transition(session, CODER, report.id, to="published", version=None)
        row = reports.add_version(
            session, CODER, report.id, body="a\nc\n", note=None, version=report.version
        )
        assert row.number == 2 and "-b\n+c" in row.diff


def test_mentions_are_existing_users_in_order(db):
    with db.session() as session:
        users.create_user(session, "ann", "long enough password", "coder")
        users.create_user(session, "bob.b", "long enough password", "cdi")
        found = casework.parse_mentions(session, "@bob.b, see @ann and @ann; @ghost; a@ann.org")
    assert found == ["bob.b", "ann"]
