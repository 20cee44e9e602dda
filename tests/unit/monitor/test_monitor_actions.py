"""Actions are recorded with their reason and reversible only by an authorised person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smsguard.errors import InputError, PermissionDenied
from smsguard.governance.roles import Role
from smsguard.monitor import Action, ActionLog, Alert, Subject
from smsguard.monitor.actions import REVERSE_ROLES

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CAMPAIGN = Subject("campaign", "c1", "inst")


def pause_alert() -> Alert:
    return Alert(
        "opt_out_rate",
        "act",
        CAMPAIGN,
        "opt-out rate 3.1% …",
        Action.PAUSE_CAMPAIGN,
        AT,
        {"rate": 0.031},
    )


def test_reverse_roles_are_real_roles() -> None:
    assert {role.value for role in Role} >= REVERSE_ROLES


def test_apply_records_the_reason_once_while_in_force() -> None:
    log, record = ActionLog().apply_alert(pause_alert())
    assert record is not None and record.reason.startswith("opt-out rate 3.1%")
    same, again = log.apply_alert(pause_alert())
    assert again is None and same is log
    warn = Alert("x", "warn", CAMPAIGN, "w", Action.NONE, AT)
    assert log.apply_alert(warn) == (log, None)


def test_only_admins_and_compliance_officers_may_reverse() -> None:
    log, record = ActionLog().apply_alert(pause_alert())
    assert record is not None
    later = AT + timedelta(hours=1)
    with pytest.raises(PermissionDenied, match="compliance_officer"):
        log.reverse(record.id, by="mallory", roles=["marketer"], reason="oops", at=later)
    with pytest.raises(InputError, match="reason"):
        log.reverse(record.id, by="carol", roles=["compliance_officer"], reason=" ", at=later)
    log, undone = log.reverse(
        record.id, by="carol", roles=["compliance_officer"], reason="template fixed", at=later
    )
    assert undone.reversed_by == "carol" and log.in_force(CAMPAIGN, Action.PAUSE_CAMPAIGN) is None
    with pytest.raises(InputError, match="already reversed"):
        log.reverse(record.id, by="root", roles=["admin"], reason="again", at=later)
    log, again = log.apply_alert(pause_alert())
    assert again is not None and again.id == 2


def test_a_suspended_user_cannot_lift_their_own_suspension() -> None:
    subject = Subject("user", "carol", "inst")
    log, record = ActionLog().apply(Action.SUSPEND_DECRYPT, subject, "5,000 records", AT)
    assert record is not None
    with pytest.raises(PermissionDenied, match="own rights"):
        log.reverse(record.id, by="carol", roles=["compliance_officer"], reason="mine", at=AT)
    log.reverse(record.id, by="root", roles=["admin"], reason="audit done", at=AT)


def test_the_log_round_trips_as_plain_data() -> None:
    log, record = ActionLog().apply_alert(pause_alert())
    assert record is not None
    log, _ = log.reverse(record.id, by="root", roles=["admin"], reason="ok", at=AT)
    assert ActionLog.from_list(log.to_list()) == log
    with pytest.raises(InputError):
        ActionLog.from_list([{"id": 1}])
