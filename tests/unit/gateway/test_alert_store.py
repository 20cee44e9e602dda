"""Monitor alerts kept as rows, linked to the audit row of the action they caused."""

from __future__ import annotations

import pytest
from gateway_helpers import MORNING, Bank
from sqlalchemy import select

from smsguard.errors import InputError
from smsguard.gateway.watch import GatewayWatch
from smsguard.monitor.alerts import Action, Alert, Subject
from smsguard.monitor_actions import actions_in_force, reverse_action
from smsguard.monitor_alerts import list_alerts, record_alerts, save_alerts
from smsguard.store import tenant_session
from smsguard.store.models import User


def _alert(bank: Bank, action: Action, severity: str = "act") -> Alert:
    subject = Subject("campaign", str(bank.campaign_id), str(bank.institution_id))
    return Alert("opt_out_spike", severity, subject, "opt-outs at 9.0%", action, MORNING,  # type: ignore[arg-type]
                 {"rate": 0.09})  # fmt: skip


def test_an_acted_alert_points_at_its_pause_and_can_be_reversed(bank: Bank) -> None:
    bank.gateway.begin("mia", bank.campaign_id)
    alert = _alert(bank, Action.PAUSE_CAMPAIGN)
    GatewayWatch(bank.database, bank.institution_id)._act(alert)
    save_alerts(bank.database, bank.institution_id, [alert, _alert(bank, Action.NONE, "warn")])
    with tenant_session(bank.database, bank.institution_id) as session:
        page = list_alerts(session, severity="act")
        (held,) = actions_in_force(session)
        assert page.total == 1 and page.items[0].action_audit_id == held.id
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        reverse_action(session, olga, held.id, "looked at it")
        assert actions_in_force(session) == []


def test_an_alert_whose_action_was_not_taken_has_no_audit_row(bank: Bank) -> None:
    with tenant_session(bank.database, bank.institution_id) as session:
        (row_id,) = record_alerts(
            session, bank.institution_id, [_alert(bank, Action.PAUSE_CAMPAIGN)]
        )
        assert list_alerts(session).items[0].id == row_id
        assert list_alerts(session).items[0].action_audit_id is None
        with pytest.raises(InputError):
            list_alerts(session, severity="loud")
