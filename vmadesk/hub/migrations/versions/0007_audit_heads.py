"""Each console's highest audit-chain head, and when a summary's head went backwards.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "audit_heads",
        sa.Column("vma", sa.String(length=32), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("went_back_at", sa.BigInteger(), nullable=True),
        sa.Column("went_back_seq", sa.BigInteger(), nullable=True),
    )


def downgrade() -> None:
    """Revert."""
    op.drop_table("audit_heads")
