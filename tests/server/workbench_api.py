"""Talking to the workbench in tests: users, login, upload, audit rows."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

PASSWORD = "correct-horse-battery"
NOTE = (
    "ASSESSMENT AND PLAN:\n"
    "1. Type 2 diabetes mellitus with diabetic chronic kidney disease.\n"
    "2. Essential hypertension.\n"
)


def ensure_user(app, username: str, role: str) -> None:
    from medcoder.store.models import User
    from medcoder.store.users import create_user

    with app.state.workbench.db.session() as session:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            create_user(session, username, PASSWORD, role)


def login(client: TestClient, username: str, password: str = PASSWORD):
    token = client.get("/login").json()["csrf_token"]
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    if response.status_code == 200:
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return response


def upload(client: TestClient, text: str = NOTE, name: str = "note.txt", **params):
    return client.post(
        "/api/documents",
        files={"file": (name, text.encode("utf-8"), "text/plain")},
        params=params,
    )


def audit_rows(app, **filters) -> list:
    from medcoder.store.models import AuditEvent

    with app.state.workbench.db.session() as session:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        for key, value in filters.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(stmt))


def finalize(client: TestClient, encounter_id: int):
    """Finalize the encounter at the version the client reads now (finalize checks it)."""
    version = client.get(f"/api/encounters/{encounter_id}").json()["encounter"]["version"]
    return client.post(f"/api/encounters/{encounter_id}/finalize", json={"version": version})


def share(client: TestClient, entity: str, entity_id: int, username: str) -> None:
    """Share a record with a user (minimum necessary: nobody else sees it otherwise)."""
    response = client.post(
        "/api/shares", json={"entity": entity, "entity_id": entity_id, "username": username}
    )
    assert response.status_code == 201, response.text
