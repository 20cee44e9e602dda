"""Screening events for the monitor: per-chunk screening summaries written by expansion and
the worker's cursor over them.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_summaries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "institution_id",
            sa.Integer(),
            sa.ForeignKey("institutions.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("template_version_id", sa.Integer(), nullable=False),
        sa.Column("screened", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False),
        sa.Column("fraud", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id", "campaign_id"],
            ["campaigns.institution_id", "campaigns.id"],
            ondelete="RESTRICT",
        ),
    )
    with op.batch_alter_table("monitor_state") as batch:
        batch.add_column(
            sa.Column("screening_cursor", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("monitor_state") as batch:
        batch.drop_column("screening_cursor")
    op.drop_table("screening_summaries")
