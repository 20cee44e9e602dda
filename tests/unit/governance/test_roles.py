"""Roles and permissions: the table decides, and approving needs a current certification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smsguard.errors import InputError, PermissionDenied
from smsguard.governance.roles import PERMISSIONS, Role, allowed, parse_role, require
from smsguard.store.models import User

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _user(*roles: str, certified_until: datetime | None = None, active: bool = True) -> User:
    return User(
        username="u",
        display_name="u",
        roles=list(roles),
        certification_expires_at=certified_until,
        active=active,
    )


def test_marketer_cannot_approve_and_officer_cannot_draft() -> None:
    with pytest.raises(PermissionDenied, match="needs: compliance_officer"):
        require(_user("marketer"), "template.approve", now=NOW)
    with pytest.raises(PermissionDenied):
        require(_user("compliance_officer", certified_until=NOW), "template.draft", now=NOW)


def test_certification_must_be_current_to_approve() -> None:
    valid = _user("compliance_officer", certified_until=NOW + timedelta(days=1))
    require(valid, "template.approve", now=NOW)
    expired = _user("compliance_officer", certified_until=NOW - timedelta(seconds=1))
    with pytest.raises(PermissionDenied, match="expired"):
        require(expired, "campaign.approve", now=NOW)
    with pytest.raises(PermissionDenied, match="no compliance training"):
        require(_user("compliance_officer"), "template.reject", now=NOW)


def test_naive_timestamps_from_sqlite_count_as_utc() -> None:
    naive_past = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    with pytest.raises(PermissionDenied, match="expired"):
        require(
            _user("compliance_officer", certified_until=naive_past), "template.approve", now=NOW
        )


def test_certification_is_not_needed_for_unsigned_actions() -> None:
    require(_user("compliance_officer"), "campaign.pause", now=NOW)


def test_regulator_and_auditor_only_read() -> None:
    for role in (Role.REGULATOR, Role.AUDITOR):
        granted = {action for action, roles in PERMISSIONS.items() if role in roles}
        assert all(
            action.startswith(("audit.", "report.")) or action.endswith(".read")
            for action in granted
        ), role
    assert allowed(_user("regulator"), "report.cross_institution")
    assert not allowed(_user("auditor"), "report.cross_institution")


def test_deactivated_users_may_do_nothing() -> None:
    with pytest.raises(PermissionDenied, match="deactivated"):
        require(_user("marketer", active=False), "template.draft", now=NOW)


def test_roles_parse_from_user_input() -> None:
    assert parse_role(" Compliance-Officer ") is Role.COMPLIANCE_OFFICER
    with pytest.raises(InputError, match="unknown role 'boss'"):
        parse_role("boss")
    with pytest.raises(InputError, match="unknown action"):
        require(_user("admin"), "template.delete", now=NOW)
