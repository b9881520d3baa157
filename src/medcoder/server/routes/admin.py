"""Users, API tokens and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from medcoder.server import payloads
from medcoder.server.auth import Context, CurrentContext, require
from medcoder.store import audit
from medcoder.store.errors import NotFoundError
from medcoder.store.models import AuditEvent, User
from medcoder.store.users import (
    create_token,
    create_user,
    list_tokens,
    list_users,
    revoke_token,
    set_active,
    set_password,
)

router = APIRouter(prefix="/api", tags=["users"])


@router.post("/users", status_code=201, summary="Create a user (admin)")
def add_user(body: payloads.UserIn, ctx: Context = Depends(require("admin"))) -> dict:
    user = create_user(ctx.session, body.username, body.password, body.role, body.display_name)
    audit.record(ctx.session, ctx.actor, "create", "user", user.id, detail=f"role={user.role}")
    return {"user": payloads.user(user)}


@router.get("/users", summary="List users (admin)")
def users(ctx: Context = Depends(require("admin"))) -> dict:
    return {"items": [payloads.user(u) for u in list_users(ctx.session)]}


def _user(ctx: Context, user_id: int) -> User:
    user = ctx.session.get(User, user_id)
    if user is None:
        raise NotFoundError("user", user_id)
    return user


@router.post("/users/{user_id}/disable", summary="Disable a user: ends their sessions and tokens")
def disable_user(user_id: payloads.PathId, ctx: Context = Depends(require("admin"))) -> dict:
    user = _user(ctx, user_id)
    set_active(ctx.session, user, False)
    audit.record(ctx.session, ctx.actor, "disable", "user", user.id)
    return {"user": payloads.user(user)}


@router.post("/users/{user_id}/enable", summary="Enable a disabled user")
def enable_user(user_id: payloads.PathId, ctx: Context = Depends(require("admin"))) -> dict:
    user = _user(ctx, user_id)
    set_active(ctx.session, user, True)
    audit.record(ctx.session, ctx.actor, "enable", "user", user.id)
    return {"user": payloads.user(user)}


@router.post("/users/{user_id}/password", summary="Reset a user's password (admin)")
def reset_password(
    user_id: payloads.PathId,
    body: payloads.PasswordResetIn,
    ctx: Context = Depends(require("admin")),
) -> dict:
    """The new password must pass the policy; the user's sessions and tokens all end."""
    user = _user(ctx, user_id)
    set_password(ctx.session, user, body.new_password)
    audit.record(ctx.session, ctx.actor, "password", "user", user.id, detail="reset")
    return {"user": payloads.user(user)}


@router.post("/tokens", status_code=201, summary="Create an API token for yourself")
def add_token(body: payloads.TokenIn, ctx: Context = CurrentContext) -> dict:
    bound = None if body.keep_after_logout else ctx.login
    row, token = create_token(
        ctx.session, ctx.user, body.name, expires_in_days=body.expires_in_days, session_id=bound
    )
    audit.record(ctx.session, ctx.actor, "create", "api_token", row.id)
    return {**payloads.token(row), "token": token, "note": "shown once; store it now"}


@router.get("/tokens", summary="Your API tokens (never the tokens themselves)")
def tokens(ctx: Context = CurrentContext) -> dict:
    return {"items": [payloads.token(t) for t in list_tokens(ctx.session, ctx.user.id)]}


@router.delete("/tokens/{token_id}", summary="Revoke one of your API tokens")
def delete_token(token_id: payloads.PathId, ctx: Context = CurrentContext) -> dict:
    row = revoke_token(ctx.session, ctx.user.id, token_id)
    audit.record(ctx.session, ctx.actor, "revoke", "api_token", row.id)
    return {"token": payloads.token(row)}


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
