"""Approval workflow: templates, template versions and campaigns.

Written by hand like 0001. The CHECK constraints repeat the maker-checker rules of
smsguard.governance so that raw SQL cannot approve a blocked text or let an author approve
their own work; a trigger on each backend refuses UPDATE and DELETE of a template version once
it is approved or rejected, because campaigns and the audit trail point at that exact wording.

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

_FROZEN = "template version is approved or rejected and cannot change"
_FINAL = "('approved', 'rejected')"

_PG_FUNCTION = f"""
CREATE FUNCTION smsguard_template_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state IN {_FINAL} THEN
        RAISE EXCEPTION '{_FROZEN}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$
"""
_PG_TRIGGER = (
    "CREATE TRIGGER template_versions_frozen BEFORE UPDATE OR DELETE ON template_versions "
    "FOR EACH ROW EXECUTE FUNCTION smsguard_template_version_frozen()"
)
_SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER template_versions_frozen_{verb.lower()} BEFORE {verb} ON template_versions "
    f"WHEN OLD.state IN {_FINAL} BEGIN SELECT RAISE(ABORT, '{_FROZEN}: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _tenant() -> sa.Column[object]:
    return sa.Column(
        "institution_id",
        sa.Integer(),
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )


def _user(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=nullable
    )


def _when(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    _templates()
    _template_versions()
    _campaigns()
    _frozen_trigger()


def _templates() -> None:
    op.create_table(
        "templates",
        _id(),
        _tenant(),
        sa.Column("name", sa.String(200), nullable=False),
        _user("author_id"),
        _when("created_at", nullable=False),
        sa.UniqueConstraint("institution_id", "name"),
        sa.UniqueConstraint("institution_id", "id"),
    )


def _template_versions() -> None:
    op.create_table(
        "template_versions",
        _id(),
        _tenant(),
        sa.Column("template_id", sa.Integer(), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _user("author_id"),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("rulebook_version", sa.String(100), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=True),
        _when("screened_at"),
        _when("submitted_at"),
        _user("decided_by_id", nullable=True),
        _when("decided_at"),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id", "template_id"],
            ["templates.institution_id", "templates.id"],
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("template_id", "version"),
        sa.UniqueConstraint("institution_id", "id"),
        *_version_checks(),
    )


def _version_checks() -> tuple[sa.CheckConstraint, ...]:
    return (
        sa.CheckConstraint(
            "state IN ('draft', 'screened', 'submitted', 'approved', 'rejected')", name="state"
        ),
        sa.CheckConstraint(
            "verdict IS NULL OR verdict IN ('pass', 'review', 'block')", name="verdict"
        ),
        sa.CheckConstraint(
            "state <> 'approved' OR verdict IN ('pass', 'review')", name="approvable"
        ),
        sa.CheckConstraint(
            "state <> 'approved' OR verdict <> 'review' OR justification IS NOT NULL",
            name="justified",
        ),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> author_id", name="four_eyes"),
    )


def _campaigns() -> None:
    op.create_table(
        "campaigns",
        _id(),
        _tenant(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("template_version_id", sa.Integer(), nullable=False, index=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        _when("starts_at", nullable=False),
        _when("ends_at"),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _user("created_by_id"),
        _user("approved_by_id", nullable=True),
        _when("approved_at"),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id", "template_version_id"],
            ["template_versions.institution_id", "template_versions.id"],
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("institution_id", "name"),
        sa.CheckConstraint(
            "state IN ('draft', 'approved', 'running', 'paused', 'completed')", name="state"
        ),
        sa.CheckConstraint("rate_limit_per_minute > 0", name="rate_limit"),
        sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="schedule"),
        sa.CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> created_by_id", name="four_eyes"
        ),
    )


def _frozen_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        statements: tuple[str, ...] = (_PG_TRIGGER,)
    else:
        statements = _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for table in ("campaigns", "template_versions", "templates"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS smsguard_template_version_frozen()")
