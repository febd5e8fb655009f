"""Escalation details: the SBAR text sealed to each supervisor (ciphertext only).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "escalation_details",
        sa.Column("escalation_id", sa.String(length=36), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("posted_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("escalation_id", "recipient"),
    )


def downgrade() -> None:
    """Revert."""
    op.drop_table("escalation_details")
