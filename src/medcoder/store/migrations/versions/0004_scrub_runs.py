"""Scrub runs (issue 7): an exported claim keeps the summary of the scrub run on it; its
findings keep the fix, the codes and service lines involved, and the CARC they pre-empt.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
EMPTY_LIST = sa.text("'[]'")  # rows written before this revision involve no codes or lines


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scrub", JSON_TYPE, nullable=True))
    with op.batch_alter_table("scrub_findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fix", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("codes", JSON_TYPE, nullable=False, server_default=EMPTY_LIST)
        )
        batch_op.add_column(
            sa.Column("lines", JSON_TYPE, nullable=False, server_default=EMPTY_LIST)
        )
        batch_op.add_column(sa.Column("carc", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scrub_findings", schema=None) as batch_op:
        batch_op.drop_column("carc")
        batch_op.drop_column("lines")
        batch_op.drop_column("codes")
        batch_op.drop_column("fix")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("scrub")
