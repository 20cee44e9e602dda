"""Screening uses shared indicators through its port, and picks up new ones within a refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from intel_helpers import Bank

from smsguard.bootstrap import build_intel_lookup, build_screener
from smsguard.intel.lifecycle import IntelContext, confirm
from smsguard.intel.lookup import IndicatorSet, text_fingerprint
from smsguard.intel.model import Indicator, Kind
from smsguard.intel.phones import ConsortiumKeys, epoch_of
from smsguard.intel.screening import IntelScreening, StaticIntel
from smsguard.intel.sources import add_manual
from smsguard.screening.engine import Screener
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session, upgrade

T0 = datetime.now(UTC) - timedelta(days=1)
UNTIL = T0 + timedelta(days=30)
MESSAGE = "【示例银行】您的账户存在异常，请尽快访问 https://Secure-Check.cn/verify 核实身份，谢谢"
CLEAN = "【示例银行】您本月账单已出，请按时还款，详情请登录官方网站 www.example-bank.cn 查询，谢谢"
SENDER = "17000004321"


def _screener(tmp_path: Path, intel: object) -> Screener:
    settings = Settings(home=tmp_path, risk_scoring=False, intel_screening=False)
    return build_screener(settings, intel=intel)  # type: ignore[arg-type]


def _set(keys: ConsortiumKeys, *indicators: Indicator) -> StaticIntel:
    return StaticIntel(IndicatorSet.build(indicators, keys))


def test_an_intel_url_blocks_and_an_intel_sender_is_flagged(
    tmp_path: Path, keys: ConsortiumKeys
) -> None:
    epoch = epoch_of(T0)
    keys = ConsortiumKeys({epoch: b"k" * 32})
    intel = _set(
        keys,
        Indicator(Kind.URL, "https://secure-check.cn/verify", "bank-b", 85, T0, T0, UNTIL),
        Indicator(
            Kind.PHONE_HASH,
            keys.hash_number(SENDER, epoch),
            "bank-b",
            80,
            T0,
            T0,
            UNTIL,
            epoch=epoch,
        ),
    )
    screener = _screener(tmp_path, intel)
    verdict = screener.screen(MESSAGE)
    assert verdict.verdict == "block" and verdict.fraud
    finding = next(f for f in verdict.findings if f.rule == "INTEL_URL")
    assert finding.category == "fraud" and "bank-b" in finding.basis and "§E" in finding.basis
    assert MESSAGE[finding.span[0] : finding.span[1]].startswith("https://Secure-Check.cn")
    flagged = screener.screen(CLEAN, context={"sender_number": "+86 170 0000 4321"})
    assert [f.rule for f in flagged.findings if f.rule.startswith("INTEL")] == ["INTEL_SENDER"]
    assert flagged.verdict in ("review", "block")
    clean = screener.screen(CLEAN, context={"sender_number": "17000009999"})
    assert not [f for f in clean.findings if f.rule.startswith("INTEL")]
    # the batch path and the keyword-only fast path see the same
    many = list(screener.screen_many([MESSAGE, CLEAN], facts=False))
    assert any(f.rule == "INTEL_URL" for f in many[0].findings)
    assert not any(f.rule.startswith("INTEL") for f in many[1].findings)


def test_a_domain_covers_its_subdomains_and_a_fingerprint_its_copies(
    tmp_path: Path, keys: ConsortiumKeys
) -> None:
    fraud = (
        "您的信用卡额度已提升至五万元，请登录网站激活，"
        "逾期将冻结账户并影响个人征信记录，客服专员稍后联系您"
    )
    intel = _set(
        keys,
        Indicator(Kind.DOMAIN, "secure-check.cn", "bank-b", 70, T0, T0, UNTIL),
        Indicator(Kind.FINGERPRINT, text_fingerprint(fraud), "bank-c", 90, T0, T0, UNTIL),
    )
    screener = _screener(tmp_path, intel)
    verdict = screener.screen("请访问 http://www.secure-check.cn/a 领取")
    assert "INTEL_URL" in {f.rule for f in verdict.findings}
    copy = screener.screen(fraud.replace("五万", "八万") + " ccb-xx.top")
    finding = next(f for f in copy.findings if f.rule == "INTEL_TEMPLATE")
    assert finding.severity == "block" and "bank-c" in finding.basis


def _confirmed_domain(bank: Bank, ctx: IntelContext, domain: str) -> None:
    with tenant_session(bank.database, bank.institution_id) as session:
        ident = add_manual(session, bank.user("olga"), "domain", domain, ctx, seen=T0)
        confirm(session, bank.user("omar"), ident, ctx)


def test_refresh_picks_up_a_new_indicator(bank: Bank, ctx: IntelContext) -> None:
    clock = [0.0]
    live = IntelScreening.for_database(
        bank.database, bank.institution_id, ctx.keys, refresh_seconds=30, clock=lambda: clock[0]
    )
    assert len(live.indicators) == 0
    _confirmed_domain(bank, ctx, "secure-check.cn")
    clock[0] = 10.0
    assert len(live.indicators) == 0  # not due yet
    clock[0] = 31.0
    assert live.indicators.domain("secure-check.cn") is not None
    assert live.refresh() is False  # nothing changed since: no rebuild


def test_bootstrap_is_fail_safe_and_wires_the_database(
    tmp_path: Path, database: Database, bank: Bank, ctx: IntelContext
) -> None:
    assert build_intel_lookup(Settings(home=tmp_path / "nothing")) is None  # no database
    assert not (tmp_path / "nothing" / "smsguard.db").exists()  # and none created
    bare = Database.from_url(f"sqlite:///{tmp_path / 'bare.db'}")
    try:
        assert build_intel_lookup(Settings(home=tmp_path), bare, 1) is None  # no table
    finally:
        bare.dispose()
    url = str(database.engine.url.render_as_string(hide_password=False))
    settings = Settings(home=tmp_path, database_url=url, risk_scoring=False)
    lookup = build_intel_lookup(settings)
    assert isinstance(lookup, IntelScreening) and len(lookup.indicators) == 0  # no rows
    _confirmed_domain(bank, ctx, "secure-check.cn")
    screener = build_screener(settings)
    assert screener.screen(MESSAGE).verdict == "block"
    off = Settings(home=tmp_path, database_url=url, intel_screening=False)
    assert build_intel_lookup(off) is None


def test_an_empty_migrated_database_screens_as_before(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'smsguard.db'}")
    try:
        upgrade(database)
    finally:
        database.dispose()
    settings = Settings(home=tmp_path, risk_scoring=False)
    assert build_intel_lookup(settings) is None  # no institution to speak for
    assert build_screener(settings).screen(CLEAN).verdict == "pass"


@pytest.mark.parametrize("value", ["not a url", ""])
def test_lookups_ignore_what_is_not_a_link(
    tmp_path: Path, keys: ConsortiumKeys, value: str
) -> None:
    from smsguard.intel.lookup import normalised_url

    assert normalised_url(value) is None
