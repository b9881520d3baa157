"""Code sets by date of service (issue 22): each coding run keeps the version of each code set
it coded with ({"ICD-10-CM": "FY2026", "ICD-10-PCS": "FY2023", ...}), shown on the encounter.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("coding_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_sets", JSON_TYPE, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coding_results", schema=None) as batch_op:
        batch_op.drop_column("code_sets")
