"""Evidence requests a VMA declined keep the reason code.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("evidence_requests") as batch:
        batch.add_column(sa.Column("decline_reason", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("evidence_requests") as batch:
        batch.drop_column("decline_reason")
