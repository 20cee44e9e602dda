"""Staff behaviour seen through the audit trail: off-hours approvals and mass reveals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from gateway_helpers import Bank
from sqlalchemy import insert, select

from smsguard.errors import AccessDenied, InputError, PermissionDenied
from smsguard.gateway.watch import GatewayWatch
from smsguard.governance.users import restore_decrypt_right
from smsguard.monitor import Monitor, MonitorConfig
from smsguard.monitor.events import EventKind, Scope
from smsguard.monitor.staff import WorkingHours
from smsguard.monitor.windows import Window
from smsguard.store import tenant_session
from smsguard.store.models import AuditEvent, Customer


def _watching_worker(bank: Bank) -> tuple[GatewayWatch, object]:
    strict = Monitor(MonitorConfig(working_hours=WorkingHours(severity="act")))
    watch = GatewayWatch(bank.database, bank.institution_id, strict, clock=bank.clock)
    worker = bank.worker()
    worker._watch = watch
    return watch, worker


def _audit_rows(bank: Bank, rows: list[dict[str, object]]) -> None:
    with tenant_session(bank.database, bank.institution_id) as session:
        session.execute(
            insert(AuditEvent.__table__),
            [{"institution_id": bank.institution_id, "target_type": "customer", **row}
             for row in rows],
        )  # fmt: skip


def test_an_approval_before_working_hours_pauses_the_campaign_when_so_configured(
    bank: Bank,
) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    watch, worker = _watching_worker(bank)
    watch.poll_audit()  # the watch starts reading here (earlier rows carry real clock times)
    early = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai, a Tuesday
    _audit_rows(bank, [{"actor": "olga", "action": "campaign.approved", "at": early,
                        "target_type": "campaign", "target_id": str(bank.campaign_id),
                        "detail": {}}])  # fmt: skip
    worker.run_once()  # type: ignore[attr-defined]
    assert bank.gateway.status(bank.campaign_id).state == "paused"
    alert = next(a for a in watch.alerts if a.detector == "approval_off_hours")
    assert "08:30" in alert.explanation and "olga" in alert.explanation
    with tenant_session(bank.database, bank.institution_id) as session:
        actions = set(
            session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "monitor"))
        )
    assert actions == {"approval.reapproval_required", "campaign.pause"}


def test_mass_reveals_suspend_the_users_decrypt_right_until_restored(bank: Bank) -> None:
    now = bank.clock()
    watch, worker = _watching_worker(bank)
    watch.poll_audit()
    _audit_rows(bank, [{"actor": "snoop", "action": "reveal", "at": now - timedelta(minutes=30),
                        "target_id": str(n), "detail": {"outcome": "full"}}
                       for n in range(1100)])  # fmt: skip
    worker.run_once()  # type: ignore[attr-defined]
    worker.run_once()  # type: ignore[attr-defined]
    alert = next(a for a in watch.alerts if a.subject.kind == "user")
    assert alert.subject.id == "snoop" and "above 1,000 allowed" in alert.explanation
    with tenant_session(bank.database, bank.institution_id) as session:
        customer = session.scalars(select(Customer.id)).first()
    assert customer is not None

    def reveal() -> str:
        return bank.customers.reveal(customer, actor="snoop", roles=["compliance_officer"],
                                     purpose="complaint_handling")  # fmt: skip

    with pytest.raises(AccessDenied, match="may not reveal customer data"):
        reveal()
    with pytest.raises(PermissionDenied):
        restore_decrypt_right(bank.database, "bank-a", actor="mia", username="snoop",
                              reason="checked")  # fmt: skip
    with pytest.raises(InputError, match="needs a reason"):
        restore_decrypt_right(bank.database, "bank-a", actor="olga", username="snoop",
                              reason=" ")  # fmt: skip
    restore_decrypt_right(bank.database, "bank-a", actor="olga", username="snoop",
                          reason="bulk complaint review, approved by the DPO")  # fmt: skip
    assert reveal().startswith("+86138")


def test_logins_are_counted_per_user(bank: Bank) -> None:
    watch, worker = _watching_worker(bank)
    watch.poll_audit()
    now = bank.clock()
    _audit_rows(bank, [{"actor": "mia", "action": action, "at": now - timedelta(minutes=5),
                        "target_type": "user", "target_id": "1", "detail": {}}
                       for action in ("login", "login", "login.failed")])  # fmt: skip
    worker.run_once()  # type: ignore[attr-defined]
    counts = watch.monitor.count(Scope.USER, "mia", EventKind.LOGIN, Window.HOUR, now)
    assert counts == 2
