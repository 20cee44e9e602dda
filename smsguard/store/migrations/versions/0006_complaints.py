"""Complaints desk: cases linked to message, campaign, template, consent and log entry, and
their append-only history (status changes, reminders, escalations, notices).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_STATUSES = "'received', 'acknowledged', 'assigned', 'extended', 'resolved', 'closed'"
_CATEGORIES = (
    "'sms_marketing', 'harassment', 'consent_privacy', 'fees_rates', 'product_service', "
    "'fraud_impersonation', 'collection', 'other'"
)
_APPEND_ONLY = "complaint_events is append-only"
_PG_FUNCTION = f"""
CREATE FUNCTION smsguard_complaint_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{_APPEND_ONLY}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER complaint_events_append_only BEFORE UPDATE OR DELETE ON complaint_events "
    "FOR EACH ROW EXECUTE FUNCTION smsguard_complaint_events_append_only()",
    "CREATE TRIGGER complaint_events_no_truncate BEFORE TRUNCATE ON complaint_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION smsguard_complaint_events_append_only()",
)
_SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER complaint_events_no_{verb.lower()} BEFORE {verb} ON complaint_events "
    f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
)


def _when(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant() -> sa.Column[object]:
    return sa.Column(
        "institution_id",
        sa.Integer(),
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )


def _ref(name: str, target: str) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete="RESTRICT"), nullable=True)


def upgrade() -> None:
    _complaints()
    _complaint_events()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        statements: tuple[str, ...] = _PG_TRIGGERS
    else:
        statements = _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def _complaints() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("contact_index", sa.String(128), nullable=True),
        sa.Column("contact_ciphertext", sa.LargeBinary(), nullable=True),
        _ref("message_id", "messages.id"),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("template_version_id", sa.Integer(), nullable=True),
        sa.Column("log_index", sa.Integer(), nullable=True),
        _ref("consent_id", "consents.id"),
        _ref("audit_event_id", "audit_events.id"),
        _ref("assignee_id", "users.id"),
        sa.Column("text_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("resolution_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        _when("received_at", nullable=False),
        _when("clock_started_at", nullable=False),
        _when("level_since"),
        _when("due_at", nullable=False),
        _when("promise_due_at"),
        _when("acknowledged_at"),
        _when("resolved_at"),
        _when("closed_at"),
        _when("created_at", nullable=False),
        *_complaint_constraints(),
    )
    op.create_index("ix_complaints_open", "complaints", ["institution_id", "status", "due_at"])
    op.create_index("ix_complaints_received", "complaints", ["institution_id", "received_at"])


def _complaint_constraints() -> tuple[sa.Constraint, ...]:
    return (
        sa.ForeignKeyConstraint(
            ["institution_id", "customer_id"],
            ["customers.institution_id", "customers.id"],
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "campaign_id"],
            ["campaigns.institution_id", "campaigns.id"],
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id", "template_version_id"],
            ["template_versions.institution_id", "template_versions.id"],
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("institution_id", "id"),
        sa.UniqueConstraint("audit_event_id"),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        sa.CheckConstraint("channel IN ('sms', 'web', 'api')", name="channel"),
        sa.CheckConstraint(f"category IN ({_CATEGORIES})", name="category"),
        sa.CheckConstraint("extensions BETWEEN 0 AND 2", name="extensions"),
    )


def _complaint_events() -> None:
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("complaint_id", sa.Integer(), nullable=False, index=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _when("at", nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id", "complaint_id"],
            ["complaints.institution_id", "complaints.id"],
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("complaint_id", "key"),
        sa.CheckConstraint("kind IN ('status', 'reminder', 'escalation', 'notice')", name="kind"),
    )


def downgrade() -> None:
    op.drop_table("complaint_events")
    op.drop_table("complaints")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS smsguard_complaint_events_append_only()")
