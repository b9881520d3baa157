"""Users, API tokens and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from medcoder.server import payloads
from medcoder.server.auth import Context, CurrentContext, require
from medcoder.store import audit
from medcoder.store.models import AuditEvent
from medcoder.store.users import create_token, create_user, list_users

router = APIRouter(prefix="/api", tags=["users"])


@router.post("/users", status_code=201, summary="Create a user (admin)")
def add_user(body: payloads.UserIn, ctx: Context = Depends(require("admin"))) -> dict:
    user = create_user(ctx.session, body.username, body.password, body.role, body.display_name)
    audit.record(ctx.session, ctx.actor, "create", "user", user.id, detail=f"role={user.role}")
    return {"user": payloads.user(user)}


@router.get("/users", summary="List users (admin)")
def users(ctx: Context = Depends(require("admin"))) -> dict:
    return {"items": [payloads.user(u) for u in list_users(ctx.session)]}


@router.post("/tokens", status_code=201, summary="Create an API token for yourself")
def add_token(body: payloads.TokenIn, ctx: Context = CurrentContext) -> dict:
    row, token = create_token(
        ctx.session, ctx.user, body.name, expires_in_days=body.expires_in_days
    )
    audit.record(ctx.session, ctx.actor, "create", "api_token", row.id)
    return {
        "id": row.id,
        "name": row.name,
        "token": token,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "note": "shown once; store it now",
    }


@router.get("/audit", tags=["audit"], summary="Read the audit log (manager, admin)")
def audit_log(
    entity: str | None = Query(None, max_length=64),
    entity_id: str | None = Query(None, max_length=64),
    username: str | None = Query(None, max_length=64),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=payloads.ID_MAX),
    ctx: Context = Depends(require("audit")),
) -> dict:
    stmt = select(AuditEvent)
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if username:
        stmt = stmt.where(AuditEvent.username == username)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = ctx.session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset))
    items = [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "user_id": r.user_id,
            "username": r.username,
            "action": r.action,
            "entity": r.entity,
            "entity_id": r.entity_id,
            "outcome": r.outcome,
            "client": r.client,
            "detail": r.detail,
        }
        for r in rows
    ]
    return {"items": items, "total": total, "limit": limit, "offset": offset}
