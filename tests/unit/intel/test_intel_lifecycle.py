"""Candidates, confirmation with audit, permissions, export and import (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from intel_helpers import NOW, Bank
from sqlalchemy import select, text

from smsguard.errors import InputError, NotFound, PermissionDenied
from smsguard.governance import audit
from smsguard.intel.lifecycle import (
    IntelContext,
    confirm,
    expire,
    exportable,
    list_indicators,
    revoke,
)
from smsguard.intel.model import Indicator, Kind
from smsguard.intel.phones import ConsortiumKeys, epoch_of
from smsguard.intel.sources import add_manual, from_complaint, from_fraud_report
from smsguard.intel.store import save_imported
from smsguard.store import tenant_session
from smsguard.store.intel_models import IntelIndicator
from smsguard.store.signal_models import FraudReport

FRAUD_TEXT = (
    "【建设银行】您的信用卡额度已提升至五万元，请登录 https://ccb-vip.top/act?id=9 激活，"
    "详情见 www.ccb.com ，逾期将冻结账户并影响个人征信记录"
)
SENDER = "+86 170 0000 1234"
REPORTER = "13811112222"


def _report(bank: Bank, *, status: str = "confirmed", sender: str | None = SENDER) -> int:
    with tenant_session(bank.database, bank.institution_id) as session:
        row = FraudReport(
            receipt="FR-TEST",
            institution_id=bank.institution_id,
            text=FRAUD_TEXT,
            sender_number=sender,
            reporter_index="ab" * 32,
            verdict="block",
            fraud=True,
            rules=[],
            status=status,
            received_at=NOW,
        )
        session.add(row)
        session.flush()
        return row.id


def test_report_gives_candidates_then_confirm_is_audited(bank: Bank, ctx: IntelContext) -> None:
    report_id = _report(bank)
    with tenant_session(bank.database, bank.institution_id) as session:
        derived = from_fraud_report(session, bank.user("olga"), report_id, ctx)
        rows = {row.kind: row for row in session.scalars(select(IntelIndicator))}
    # the fake link and its host, the sender's hash, the text's fingerprint; the bank's real
    # domain beside the link is allow-listed and skipped
    assert set(rows) == {"url", "domain", "phone-hash", "sms-fingerprint"}
    assert rows["url"].value == "https://ccb-vip.top/act?id=9"
    assert rows["domain"].value == "ccb-vip.top"
    assert rows["phone-hash"].epoch == epoch_of(NOW) == "2025-03"
    assert rows["phone-hash"].value == ctx.keys.hash_number(SENDER, "2025-03")  # type: ignore[union-attr]
    assert all(row.status == "candidate" and row.origin == "fraud_report" for row in rows.values())
    assert any("allow-list" in reason for reason in derived.skipped)
    url_id = rows["url"].id
    with tenant_session(bank.database, bank.institution_id) as session:
        assert exportable(session, ctx=ctx, now=NOW) == []  # candidates are not shared
        shared = confirm(session, bank.user("omar"), url_id, ctx)
        assert shared.kind is Kind.URL and shared.source == "bank-a"
        trail = audit.trail(session, "intel_indicator", url_id)
        assert [event.action for event in trail] == ["intel.add", "intel.confirm"]
        assert trail[-1].actor == "omar"
        assert [i.value for i in exportable(session, ctx=ctx, now=NOW)] == [shared.value]
        assert exportable(session, ctx=ctx, now=NOW + timedelta(days=181)) == []  # expired
        with pytest.raises(InputError, match="not a candidate"):
            confirm(session, bank.user("olga"), url_id, ctx)


def test_unconfirmed_reports_give_nothing(bank: Bank, ctx: IntelContext) -> None:
    report_id = _report(bank, status="new")
    with tenant_session(bank.database, bank.institution_id) as session:
        with pytest.raises(InputError, match="confirm it first"):
            from_fraud_report(session, bank.user("olga"), report_id, ctx)
        with pytest.raises(NotFound):
            from_fraud_report(session, bank.user("olga"), report_id + 99, ctx)


def test_marketer_may_neither_propose_nor_confirm(bank: Bank, ctx: IntelContext) -> None:
    with tenant_session(bank.database, bank.institution_id) as session:
        with pytest.raises(PermissionDenied, match=r"intel\.submit"):
            add_manual(session, bank.user("mia"), "url", "http://evil.cn/x", ctx)
        ident = add_manual(session, bank.user("olga"), "url", "http://evil.cn/x", ctx)
        with pytest.raises(PermissionDenied, match=r"intel\.confirm"):
            confirm(session, bank.user("mia"), ident, ctx)
        with pytest.raises(PermissionDenied, match="someone else"):
            confirm(session, bank.user("olga"), ident, ctx)  # four eyes on manual entries
        confirm(session, bank.user("omar"), ident, ctx)
        assert audit.trail(session, "intel_indicator", ident)[-1].action == "intel.confirm"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("phone", "95588"),
        ("domain", "icbc.com.cn"),
        ("url", "https://m.boc.cn/x"),
        ("domain", "com.cn"),
    ],
)
def test_allow_listed_values_are_refused(
    bank: Bank, ctx: IntelContext, kind: str, value: str
) -> None:
    with tenant_session(bank.database, bank.institution_id) as session:
        with pytest.raises(InputError, match="allow-list"):
            add_manual(session, bank.user("olga"), kind, value, ctx, seen=NOW)
        assert list_indicators(session) == []


def test_exportable_excludes_candidates_expired_and_revoked(bank: Bank, ctx: IntelContext) -> None:
    olga, omar = bank.user("olga"), bank.user("omar")
    with tenant_session(bank.database, bank.institution_id) as session:
        live = add_manual(session, olga, "domain", "live-scam.cn", ctx, seen=NOW)
        old = add_manual(
            session, olga, "domain", "old-scam.cn", ctx, seen=NOW - timedelta(days=400)
        )
        gone = add_manual(session, olga, "url", "http://gone-scam.cn/", ctx, seen=NOW)
        add_manual(session, olga, "domain", "candidate-scam.cn", ctx, seen=NOW)
        for ident in (live, old, gone):
            confirm(session, omar, ident, ctx, now=NOW)
        revoke(session, omar, gone, "false positive", now=NOW + timedelta(minutes=1))
        values = [i.value for i in exportable(session, ctx=ctx, now=NOW)]
        assert values == ["live-scam.cn"]
        since = [i for i in exportable(session, NOW, ctx=ctx, include_revoked=True, now=NOW)]
        assert [(i.value, i.revoked) for i in since] == [("http://gone-scam.cn/", True)]
        with pytest.raises(InputError, match="reason"):
            revoke(session, omar, live, " ")
        assert audit.trail(session, "intel_indicator", gone)[-1].action == "intel.revoke"


def test_no_number_and_no_unkeyed_hash_is_stored(bank: Bank, ctx: IntelContext) -> None:
    report_id = _report(bank)
    with tenant_session(bank.database, bank.institution_id) as session:
        from_fraud_report(session, bank.user("olga"), report_id, ctx)
        add_manual(session, bank.user("olga"), "phone", "13900002222", ctx, seen=NOW)
    forbidden: set[str] = set()
    for raw in (SENDER, "13900002222", REPORTER):
        digits = "".join(c for c in raw if c.isdigit())
        national = digits[-11:]
        for form in (national, "+86" + national, "86" + national):
            forbidden.add(form)
            for algo in ("md5", "sha1", "sha256", "sha512"):
                forbidden.add(hashlib.new(algo, form.encode()).hexdigest())
            forbidden.add(hashlib.sha256(b"smsguard-intel-phone|" + form.encode()).hexdigest())
    with bank.database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM intel_indicators")).all()
    assert rows
    dump = " ".join(str(value) for row in rows for value in row)
    for needle in forbidden:
        assert needle not in dump, needle
    assert REPORTER[-8:] not in dump


def test_customers_and_complainants_numbers_are_refused(bank: Bank, keys: ConsortiumKeys) -> None:
    from smsguard.store.complaint_models import Complaint
    from smsguard.store.models import Customer

    index = lambda e164: hashlib.sha256(b"test-index|" + e164.encode()).hexdigest()  # noqa: E731
    ctx = IntelContext(keys=keys, blind_index=index)
    with tenant_session(bank.database, bank.institution_id) as session:
        session.add(
            Customer(phone_index=index("+8613800000001"), phone_ciphertext=b"x", key_id="k")
        )
        complaint = Complaint(
            channel="web",
            category="fraud_impersonation",
            status="received",
            contact_index=index("+8613800000002"),
            received_at=NOW,
            clock_started_at=NOW,
            due_at=NOW + timedelta(days=15),
        )
        session.add(complaint)
        session.flush()
        with pytest.raises(InputError, match="customer's or the complainant's"):
            add_manual(session, bank.user("olga"), "phone", "13800000001", ctx, seen=NOW)
        with pytest.raises(InputError, match="customer's or the complainant's"):
            from_complaint(
                session, bank.user("olga"), complaint.id, ctx, sender_number="13800000002", seen=NOW
            )
        derived = from_complaint(
            session,
            bank.user("olga"),
            complaint.id,
            ctx,
            fraud_text=FRAUD_TEXT,
            sender_number="17000009999",
            seen=NOW,
        )
        assert len(derived.created) == 4


def test_import_drops_allow_listed_own_and_expired(bank: Bank, keys: ConsortiumKeys) -> None:
    from smsguard.intel.allowlist import shipped_allowlist

    until = NOW + timedelta(days=30)

    def ind(kind: Kind, value: str, source: str = "bank-b", **extra: object) -> Indicator:
        return Indicator(kind, value, source, 80, NOW, NOW, until, **extra)  # type: ignore[arg-type]

    batch = [
        ind(Kind.URL, "http://peer-scam.cn/"),
        ind(Kind.DOMAIN, "bankcomm.com"),
        ind(Kind.PHONE_HASH, keys.hash_number("95566", "2025-03"), epoch="2025-03"),
        ind(Kind.PHONE_HASH, keys.hash_number("17000001111", "2025-03"), epoch="2025-03"),
        ind(Kind.DOMAIN, "mine.cn", source="bank-a"),
        Indicator(
            Kind.DOMAIN,
            "old.cn",
            "bank-b",
            80,
            NOW - timedelta(days=60),
            NOW - timedelta(days=60),
            NOW - timedelta(days=1),
        ),
    ]
    with tenant_session(bank.database, bank.institution_id) as session:
        counts = save_imported(
            session,
            batch,
            peer="bank-b",
            own_code="bank-a",
            allowlist=shipped_allowlist(),
            keys=keys,
            now=NOW,
        )
        assert (
            counts.added,
            counts.dropped_allowlisted,
            counts.dropped_own,
            counts.dropped_expired,
        ) == (2, 2, 1, 1)
        again = save_imported(
            session,
            batch[:1],
            peer="bank-b",
            own_code="bank-a",
            allowlist=shipped_allowlist(),
            keys=keys,
            now=NOW,
        )
        assert (again.added, again.unchanged) == (0, 1)
        revoked = save_imported(
            session,
            [
                Indicator(
                    Kind.URL, "http://peer-scam.cn/", "bank-b", 80, NOW, NOW, until, revoked=True
                )
            ],
            peer="bank-b",
            own_code="bank-a",
            allowlist=shipped_allowlist(),
            keys=keys,
            now=NOW + timedelta(seconds=1),
        )
        assert revoked.revoked == 1
        assert exportable(session, ctx=IntelContext(keys=keys), now=NOW) == []  # never re-shared
        later = NOW + timedelta(days=31)
        assert expire(session, now=later).imported_deleted == 2


def test_each_institution_sees_only_its_own_indicators(bank: Bank, ctx: IntelContext) -> None:
    from smsguard.store.institutions import add_institution

    other = add_institution(bank.database, code="bank-z", name="Bank Z")
    with tenant_session(bank.database, bank.institution_id) as session:
        add_manual(session, bank.user("olga"), "domain", "a-scam.cn", ctx, seen=NOW)
    with tenant_session(bank.database, other.id) as session:
        assert list_indicators(session) == []


def test_time_zone_free_datetimes_are_refused() -> None:
    with pytest.raises(InputError):
        Indicator(
            Kind.URL,
            "http://x.cn/",
            "b",
            1,
            datetime(2025, 1, 1),
            datetime(2025, 1, 1, tzinfo=UTC),
            datetime(2025, 2, 1, tzinfo=UTC),
        )
