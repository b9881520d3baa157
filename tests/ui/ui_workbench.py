"""Talking to the workbench with its pages in tests: the app, users, audit rows.

The pages are wired the way ``create_app`` is asked to wire them (see medcoder.server.ui).
"""

from __future__ import annotations

from sqlalchemy import select

PASSWORD = "correct-horse-battery"
NOTE = (
    "ASSESSMENT AND PLAN:\n"
    "1. Type 2 diabetes mellitus with diabetic chronic kidney disease.\n"
    "2. Essential hypertension.\n"
)


def build_app(db_url: str, **options):
    from medcoder.server import create_app

    return create_app(db_url, secret="test-secret", **options)


def ensure_user(app, username: str, role: str) -> None:
    from medcoder.store.models import User
    from medcoder.store.users import create_user

    with app.state.workbench.db.session() as session:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            create_user(session, username, PASSWORD, role)


def audit_rows(app, **filters) -> list:
    from medcoder.store.models import AuditEvent

    with app.state.workbench.db.session() as session:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        for key, value in filters.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(stmt))


def finalize(client, encounter_id: int):
    """Finalize the encounter at the version the client reads now (finalize checks it)."""
    version = client.get(f"/api/encounters/{encounter_id}").json()["encounter"]["version"]
    return client.post(f"/api/encounters/{encounter_id}/finalize", json={"version": version})


def share(client, entity: str, entity_id: int, username: str) -> None:
    """Share a record with a user (minimum necessary: nobody else sees it otherwise)."""
    response = client.post(
        "/api/shares", json={"entity": entity, "entity_id": entity_id, "username": username}
    )
    assert response.status_code == 201, response.text
