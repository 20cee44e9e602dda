"""One process per institution runs the detectors; the others forward what they hear."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from gateway_helpers import Bank
from sqlalchemy import func, select, text

from smsguard.errors import InputError
from smsguard.gateway import monitor_inbox
from smsguard.gateway.monitor_lease import AdvisoryLease, NeverLead, lease_for
from smsguard.gateway.watch import GatewayWatch
from smsguard.monitor.events import Event, EventKind, Scope
from smsguard.monitor.windows import Window
from smsguard.store import Database, tenant_session
from smsguard.store.institutions import add_institution
from smsguard.store.monitor_models import MonitorInbox

APPROVED = "【某银行】王芳您好，您的账单1000元已出，请于2026-12-15前还款。回复TD退订"


def _pair(bank: Bank) -> tuple[GatewayWatch, GatewayWatch]:
    from smsguard.bootstrap import build_monitor

    forwarder = GatewayWatch(bank.database, bank.institution_id, clock=bank.clock,
                             lease=NeverLead())  # fmt: skip
    holder = GatewayWatch(bank.database, bank.institution_id, build_monitor(bank.settings),
                          clock=bank.clock)  # fmt: skip
    return forwarder, holder


def _inbox_rows(bank: Bank) -> int:
    with tenant_session(bank.database, bank.institution_id) as session:
        return session.scalar(select(func.count()).select_from(MonitorInbox)) or 0


def test_opt_outs_heard_by_a_forwarder_are_counted_by_the_lease_holder(bank: Bank) -> None:
    forwarder, holder = _pair(bank)
    forwarder.counted(EventKind.OPT_OUT, [bank.campaign_id] * 3)
    assert _inbox_rows(bank) == 1
    holder.poll_inbox()
    counted = holder.monitor.count(Scope.CAMPAIGN, str(bank.campaign_id), EventKind.OPT_OUT,
                                   Window.MINUTE, bank.clock())  # fmt: skip
    assert counted == 3
    assert _inbox_rows(bank) == 0, "the holder deletes what it has seen"
    heard = forwarder.monitor.count(Scope.CAMPAIGN, str(bank.campaign_id), EventKind.OPT_OUT,
                                    Window.MINUTE, bank.clock())  # fmt: skip
    assert heard == 0, "a forwarder counts nothing itself"


def test_a_forwarded_text_is_never_stored_but_a_wrong_one_still_pauses(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    forwarder, holder = _pair(bank)
    forwarder.handed_over([(bank.campaign_id, 1, APPROVED, "k1")])
    forwarder.handed_over([(bank.campaign_id, 2, "【某银行】王芳点击 http://x.cn 领取额度", "k2")])
    with tenant_session(bank.database, bank.institution_id) as session:
        stored = repr(session.scalars(select(MonitorInbox.events)).all())
    assert "王芳" not in stored and "x.cn" not in stored
    holder.poll_inbox()
    assert bank.gateway.status(bank.campaign_id).state == "paused"
    assert [a.detector for a in holder.alerts] == ["text_not_approved"]


def test_an_event_record_survives_the_trip_and_a_bad_one_is_named() -> None:
    event = Event(EventKind.SENT, datetime(2026, 11, 29, 4, 0, tzinfo=UTC), "7", campaign="3",
                  recipient="41", count=2)  # fmt: skip
    assert monitor_inbox.event_from_record(monitor_inbox.event_record(event)) == event
    with pytest.raises(InputError, match="malformed"):
        monitor_inbox.event_from_record({"kind": "sent", "at": "yesterday", "institution": "7"})
    with pytest.raises(InputError, match="rendered text"):
        monitor_inbox.forward(None, [event.__class__(EventKind.SENT, event.at, "7", text="hi")])  # type: ignore[arg-type]


def test_only_one_worker_holds_the_lease_and_a_dead_holder_loses_it(database: Database) -> None:
    bank = add_institution(database, code="bank-l", name="Bank L").id
    if database.backend == "sqlite":
        assert lease_for(database, bank).held(), "a lone SQLite worker always leads"
        return
    ticks = iter(range(0, 1000, 2))  # each check two seconds after the last
    first = AdvisoryLease(database, bank, clock=lambda: float(next(ticks)))
    second = AdvisoryLease(database, bank, clock=lambda: float(next(ticks)))
    assert first.held() and not second.held()
    elsewhere = AdvisoryLease(database, bank + 1000)
    assert elsewhere.held(), "another institution's lease is apart"
    elsewhere.release()
    with database.engine.connect() as admin:  # the holder's connection dies (kill -9, restart)
        admin.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_locks "
            "WHERE locktype = 'advisory' AND objid = :bank AND granted"
        ), {"bank": bank})  # fmt: skip
    assert not first.held(), "the holder notices it lost the lease"
    assert second.held(), "another worker takes over"
    second.release()
    assert first.held(), "and a released lease is free again"
    first.release()
