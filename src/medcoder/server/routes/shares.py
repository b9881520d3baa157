"""Sharing a record with a named user: the explicit, audited act that widens minimum
necessary (``medcoder.store.access``). A case's shares are its members."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from medcoder.server import payloads
from medcoder.server.auth import Context, require
from medcoder.store import access
from medcoder.store.models import RecordShare

router = APIRouter(prefix="/api/shares", tags=["sharing"])


def _share(row: RecordShare) -> dict:
    return {
        "id": row.id,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "user_id": row.user_id,
        "granted_by": row.granted_by,
        "created_at": row.created_at.isoformat() if row.created_at else None,
    }


@router.post("", status_code=201, summary="Share an encounter, case or report with a user")
def add_share(body: payloads.ShareIn, ctx: Context = Depends(require("share"))) -> dict:
    """By whoever works the record (an encounter's assignee, a case's member, a report's
    author) or a manager; audited ``share``."""
    row = access.share(ctx.session, ctx.actor, body.entity, body.entity_id, body.username)
    return {"share": _share(row)}


@router.get("", summary="Who a record is shared with (a case: its members)")
def list_shares(
    entity: Literal["encounter", "case", "report"],
    entity_id: int = Query(..., ge=1, le=payloads.ID_MAX),
    ctx: Context = Depends(require("read")),
) -> dict:
    rows = access.shares(ctx.session, ctx.actor, entity, entity_id)
    return {"items": [_share(r) for r in rows]}


@router.delete("/{share_id}", summary="Stop sharing (audited)")
def delete_share(share_id: payloads.PathId, ctx: Context = Depends(require("share"))) -> dict:
    return {"share": _share(access.unshare(ctx.session, ctx.actor, share_id))}
