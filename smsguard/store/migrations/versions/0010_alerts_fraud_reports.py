"""Monitor alerts kept in the database, and consumers' fraud reports.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _institution(nullable: bool) -> sa.Column[int]:
    return sa.Column(
        "institution_id",
        sa.Integer(),
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"),
        nullable=nullable,
        index=True,
    )


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _institution(False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detector", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("action_audit_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_alerts_raised", "alerts", ["institution_id", "raised_at"])
    op.create_table(
        "fraud_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("receipt", sa.String(32), nullable=False, unique=True),
        _institution(True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sender_number", sa.String(32), nullable=True),
        sa.Column("reporter_index", sa.String(64), nullable=True),
        sa.Column("reporter_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("fraud", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reviewed_by", sa.String(100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fraud_reports")
    op.drop_index("ix_alerts_raised", table_name="alerts")
    op.drop_table("alerts")
