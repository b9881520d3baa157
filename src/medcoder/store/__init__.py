"""The workbench store: SQLAlchemy models, migrations and repository functions.

::

    from medcoder.store import Database
    db = Database()            # sqlite:///<data dir>/workbench.db, or a PostgreSQL URL
    db.migrate()               # alembic upgrade head
    with db.session() as session:
        ...

Repository modules (``encounters``, ``review``, ``reports``, ``casework``, ``users``) take a
session and an :class:`Actor` and write their audit rows into the same transaction.
"""

from __future__ import annotations

from medcoder.store.audit import Actor
from medcoder.store.base import (
    Base,
    EncounterStatus,
    QueryState,
    ReportState,
    ReviewState,
    Role,
)
from medcoder.store.database import Database, default_url, upgrade
from medcoder.store.errors import (
    AccessDeniedError,
    ConflictError,
    InvalidError,
    NotFoundError,
    StoreError,
)

__all__ = [
    "AccessDeniedError",
    "Actor",
    "Base",
    "ConflictError",
    "Database",
    "EncounterStatus",
    "InvalidError",
    "NotFoundError",
    "QueryState",
    "ReportState",
    "ReviewState",
    "Role",
    "StoreError",
    "default_url",
    "upgrade",
]
