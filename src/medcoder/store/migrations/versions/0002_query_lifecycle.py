"""CDI query lifecycle (issue 8): the rule and draft behind a query, its lint findings, when it
was sent and closed, and what the answer changed in the coding.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("queries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("code", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("draft", JSON_TYPE, nullable=True))
        batch_op.add_column(sa.Column("lint", JSON_TYPE, nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("recode", JSON_TYPE, nullable=True))
        batch_op.create_index("ix_queries_state", ["state", "addressed_to"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("queries", schema=None) as batch_op:
        batch_op.drop_index("ix_queries_state")
        for column in ("recode", "sent_at", "lint", "draft", "code", "rule_id"):
            batch_op.drop_column(column)
