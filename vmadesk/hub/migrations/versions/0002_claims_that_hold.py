"""Claims that hold (done work stays owned, handoff offers, reassignment); practice identities.

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
    with op.batch_alter_table("claims") as batch:
        batch.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="active")
        )
        batch.add_column(sa.Column("offered_to", sa.String(length=32), nullable=True))
    op.create_index("ix_claims_state_lease", "claims", ["state", "lease_expires_at"])
    with op.batch_alter_table("claim_events") as batch:
        batch.add_column(sa.Column("actor", sa.String(length=32), nullable=True))
    op.create_index("ix_claim_events_claimant", "claim_events", ["claimant", "id"])
    op.create_index("ix_claim_events_holder", "claim_events", ["holder", "id"])
    op.create_table(
        "practice_aliases",
        sa.Column("alias", sa.String(length=32), nullable=False),
        sa.Column("practice", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("alias"),
    )
    op.create_index("ix_practice_aliases_practice", "practice_aliases", ["practice"])


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_practice_aliases_practice", table_name="practice_aliases")
    op.drop_table("practice_aliases")
    op.drop_index("ix_claim_events_holder", table_name="claim_events")
    op.drop_index("ix_claim_events_claimant", table_name="claim_events")
    with op.batch_alter_table("claim_events") as batch:
        batch.drop_column("actor")
    op.drop_index("ix_claims_state_lease", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("offered_to")
        batch.drop_column("state")
