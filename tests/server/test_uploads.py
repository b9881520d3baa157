"""Uploads: limits, content types, hostile file names and text, and all-or-nothing storage."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from workbench_api import audit_rows, upload

from medcoder.server.uploads import safe_file_name


@pytest.fixture
def app_options():
    return {"max_upload_bytes": 4096}  # keeps the oversize bodies small and the test fast


def _count(app, model) -> int:
    with app.state.workbench.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_oversize_upload_is_413(client_for):
    coder = client_for("coder")
    r = upload(coder, "x" * 5000)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    big = coder.post(
        "/api/documents", content=b"y" * 200_000, headers={"content-type": "text/plain"}
    )
    assert big.status_code == 413


def test_wrong_content_type_is_415(client_for):
    coder = client_for("coder")
    r = coder.post("/api/documents", content=b"<html>", headers={"content-type": "text/html"})
    assert r.status_code == 415 and r.json()["error"]["field"] == "content-type"
    part = coder.post("/api/documents", files={"file": ("a.png", b"\x89PNG", "image/png")})
    assert part.status_code == 415


def test_raw_body_upload(client_for):
    coder = client_for("coder")
    r = coder.post(
        "/api/documents",
        content=b"Chest pain.",
        params={"filename": "visit.txt"},
        headers={"content-type": "text/plain; charset=utf-8"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["documents"][0]["file_name"] == "visit.txt"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\x.txt", "x.txt"),
        ("/abs/path/note.txt", "note.txt"),
        ("....", "upload.txt"),
        ("<script>alert(1)</script>.txt", "script_.txt"),
        ("note\x00.txt", "note_.txt"),
        ("", "upload.txt"),
    ],
)
def test_safe_file_name(name, expected):
    assert safe_file_name(name) == expected


def test_path_traversal_name_is_only_a_label(client_for, tmp_path, monkeypatch):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    coder = client_for("coder")
    r = upload(coder, name="../../../../tmp/evil.txt")
    assert r.status_code == 201
    assert r.json()["documents"][0]["file_name"] == "evil.txt"
    assert list(work.iterdir()) == []  # nothing written to disk
    assert not any(p.name == "evil.txt" for p in tmp_path.rglob("*"))


def test_injection_strings_are_stored_verbatim(client_for):
    coder = client_for("coder")
    hostile = 'Robert\'); DROP TABLE documents;-- <img src=x onerror=alert(1)> "quoted"'
    r = upload(coder, hostile + "\nType 2 diabetes.")
    doc_id = r.json()["documents"][0]["id"]
    body = coder.get(f"/api/documents/{doc_id}")
    assert body.headers["content-type"].startswith("application/json")
    assert body.headers["x-content-type-options"] == "nosniff"
    assert body.json()["document"]["text"].startswith(hostile)
    comment = coder.post(
        "/api/comments",
        json={"target_type": "encounter", "target_id": r.json()["encounter_id"], "body": hostile},
    )
    assert comment.json()["comment"]["body"] == hostile


def test_unreadable_document_stores_nothing(client_for, app):
    from medcoder.store.models import DocumentRow, EncounterRow

    coder = client_for("coder")
    before = (_count(app, EncounterRow), _count(app, DocumentRow))
    r = coder.post(
        "/api/documents", content=b"%PDF-1.4 broken", headers={"content-type": "application/pdf"}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unreadable_document"
    assert (_count(app, EncounterRow), _count(app, DocumentRow)) == before
    assert not audit_rows(app, action="create", entity="encounter")


def test_failure_after_writes_rolls_back(client_for, app):
    """An encounter created in the request disappears when a later step fails."""
    from medcoder.store.models import EncounterRow

    coder = client_for("coder")
    r = upload(coder, encounter_id=999)
    assert r.status_code == 404
    assert _count(app, EncounterRow) == 0


def test_no_phi_in_logs(client_for, caplog):
    caplog.set_level("DEBUG")
    coder = client_for("coder")
    secret = "Zebulon Quixotic-Marchbanks has sepsis"
    r = upload(coder, secret)
    coder.get(f"/api/documents/{r.json()['documents'][0]['id']}")
    coder.post(
        "/api/documents",
        content=b"%PDF-1.4 " + secret.encode(),
        headers={"content-type": "application/pdf"},
    )
    assert "Zebulon" not in caplog.text
    assert "/api/documents" in caplog.text  # the request log is there, with ids only
