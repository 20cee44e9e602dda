"""Sender numbers are shared only as keyed hashes; values are normalised; allow-lists hold."""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smsguard.errors import CryptoError, InputError
from smsguard.intel.allowlist import allowlist_for, shipped_allowlist
from smsguard.intel.lookup import IndicatorSet, decode_fingerprint, text_fingerprint
from smsguard.intel.model import Indicator, Kind, normalise_value
from smsguard.intel.phones import (
    ConsortiumKeys,
    add_epoch,
    epoch_of,
    import_keys,
    init_key_file,
    sender_e164,
)
from smsguard.screening.sender import parse_sender_profile

T0 = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("138 1234 5678", "+8613812345678"),
        ("+86-138-1234-5678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("95588", "+8695588"),
        ("1069 1234 5678", "+86106912345678"),
        ("+44 7700 900123", "+447700900123"),
        ("010-12345678", "+861012345678"),
    ],
)
def test_sender_numbers_have_one_canonical_spelling(raw: str, e164: str) -> None:
    assert sender_e164(raw) == e164


def test_a_non_number_is_refused_without_echoing_it() -> None:
    with pytest.raises(InputError) as caught:
        sender_e164("call me 5")
    assert "call me" not in str(caught.value)


def test_values_are_normalised() -> None:
    assert normalise_value(Kind.URL, "HTTP://Evil.EXAMPLE.cn:80/Pay?x=1#frag") == (
        "http://evil.example.cn/Pay?x=1"
    )
    assert normalise_value(Kind.URL, "evil.cn") == "http://evil.cn/"
    assert normalise_value(Kind.DOMAIN, "Evil.CN.") == "evil.cn"
    with pytest.raises(InputError):
        normalise_value(Kind.PHONE_HASH, "abc")


def test_hashes_are_keyed_per_epoch_and_never_the_plain_hash() -> None:
    keys = ConsortiumKeys({"2025-02": os.urandom(32), "2025-03": os.urandom(32)})
    number = "13812345678"
    february, march = keys.hash_number(number, "2025-02"), keys.hash_number(number, "2025-03")
    assert february != march
    assert len(february) == 64 and int(february, 16) >= 0
    assert keys.hash_number("+86 138 1234 5678", "2025-02") == february  # spelling-free
    e164 = b"+8613812345678"
    unkeyed = {
        hashlib.sha256(e164).hexdigest(),
        hashlib.sha256(b"13812345678").hexdigest(),
        hashlib.sha256(b"smsguard-intel-phone|" + e164).hexdigest(),
    }
    assert not unkeyed & {february, march}
    other = ConsortiumKeys({"2025-02": os.urandom(32)})
    assert other.hash_number(number, "2025-02") != february  # no key, no match
    with pytest.raises(CryptoError, match="no consortium key for epoch 2024-12"):
        keys.hash_number(number, "2024-12")
    assert "key" not in repr(keys).replace("keys hidden", "").replace("ConsortiumKeys", "")


def test_hash_is_the_documented_hmac() -> None:
    key = os.urandom(32)
    value = ConsortiumKeys({"2025-03": key}).hash_number("13812345678", "2025-03")
    expected = hmac.new(key, b"smsguard-intel-phone|+8613812345678", hashlib.sha256).hexdigest()
    assert value == expected


def test_epochs_are_utc_months() -> None:
    assert epoch_of(datetime(2025, 3, 31, 23, 30, tzinfo=UTC)) == "2025-03"
    shanghai = datetime(2025, 4, 1, 0, 30, tzinfo=UTC) + timedelta(hours=0)
    assert epoch_of(shanghai) == "2025-04"
    with pytest.raises(InputError):
        epoch_of(datetime(2025, 3, 1))


def test_key_file_init_add_epoch_import(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.keys", tmp_path / "theirs.keys"
    init_key_file(ours, "2025-02")
    assert ours.stat().st_mode & 0o077 == 0
    with pytest.raises(CryptoError, match="exists already"):
        init_key_file(ours, "2025-03")
    add_epoch(ours, "2025-03")
    with pytest.raises(InputError, match="already"):
        add_epoch(ours, "2025-03")
    with pytest.raises(InputError, match="YYYY-MM"):
        add_epoch(ours, "2025-13")
    assert ConsortiumKeys.from_file(ours).epochs == ("2025-02", "2025-03")
    # A member without a file imports the consortium's; a conflicting key is refused.
    assert import_keys(theirs, ours) == ["2025-02", "2025-03"]
    assert import_keys(theirs, ours) == []
    a, b = ConsortiumKeys.from_file(ours), ConsortiumKeys.from_file(theirs)
    assert a.hash_number("13812345678", "2025-03") == b.hash_number("13812345678", "2025-03")
    rogue = tmp_path / "rogue.keys"
    init_key_file(rogue, "2025-03")
    with pytest.raises(CryptoError, match="another key for epoch 2025-03"):
        import_keys(theirs, rogue)


def test_allow_list_covers_bank_numbers_domains_and_subdomains() -> None:
    allow = shipped_allowlist()
    for number in (
        "95588",
        "95533",
        "95599",
        "95566",
        "95559",
        "95555",
        "95568",
        "95528",
        "95595",
        "95558",
        "95561",
        "95577",
        "95580",
    ):
        assert allow.number_owner(number), number
    assert allow.owner_of(Kind.DOMAIN, "icbc.com.cn")
    assert allow.owner_of(Kind.DOMAIN, "mybank.icbc.com.cn")
    assert allow.owner_of(Kind.URL, "https://www.ccb.com/cn/home")
    assert allow.owner_of(Kind.DOMAIN, "com.cn")  # a parent would cover the bank too
    assert allow.owner_of(Kind.DOMAIN, "icbc-com.cn") is None
    assert allow.owner_of(Kind.DOMAIN, "ccb-update.com") is None
    with pytest.raises(InputError, match="allow-list"):
        allow.refuse(Kind.DOMAIN, "psbc.com")


def test_allow_list_takes_the_institutions_own_numbers_and_domains() -> None:
    profile = parse_sender_profile(
        {
            "institution": "示例消费金融",
            "licence": "consumer_finance",
            "signatures": ["示例消金"],
            "official_domains": ["example-cf.cn"],
            "official_numbers": ["10690001"],
        },
        source="test",
    )
    allow = allowlist_for(profile)
    assert allow.owner_of(Kind.DOMAIN, "app.example-cf.cn") == "示例消费金融"
    assert allow.number_owner("1069 0001") == "示例消费金融"
    assert shipped_allowlist().owner_of(Kind.DOMAIN, "example-cf.cn") is None


def test_allow_listed_phone_hashes_are_recognised_under_held_epochs() -> None:
    keys = ConsortiumKeys({"2025-03": os.urandom(32)})
    value = keys.hash_number("95588", "2025-03")
    assert shipped_allowlist().owner_of(Kind.PHONE_HASH, value, "2025-03", keys)
    other = keys.hash_number("13812345678", "2025-03")
    assert shipped_allowlist().owner_of(Kind.PHONE_HASH, other, "2025-03", keys) is None


FRAUD = (
    "【建设银行】您的信用卡额度已提升至五万元，请登录网站激活，"
    "逾期将冻结账户并影响个人征信记录，客服专员稍后联系您办理"
)


def test_fingerprints_round_trip_and_match_reworded_copies() -> None:
    value = text_fingerprint(FRAUD)
    assert len(value) == 640 and normalise_value(Kind.FINGERPRINT, value) == value
    assert decode_fingerprint(value).usable.all()
    indicator = Indicator(Kind.FINGERPRINT, value, "bank-a", 80, T0, T0, T0 + timedelta(days=9))
    found = IndicatorSet.build([indicator]).texts([FRAUD.replace("五万", "八万"), "您好，明天见"])
    assert found[0] is not None and found[0].attribution.sources == ("bank-a",)
    assert found[1] is None
    with pytest.raises(InputError, match="too short"):
        text_fingerprint("短信")


def test_indicator_set_membership() -> None:
    keys = ConsortiumKeys({"2025-02": os.urandom(32), "2025-03": os.urandom(32)})
    until = T0 + timedelta(days=30)
    hashed = keys.hash_number("13900001111", "2025-02")
    indicators = [
        Indicator(Kind.URL, "http://evil.cn/pay", "bank-a", 80, T0, T0, until),
        Indicator(Kind.DOMAIN, "scam.xyz", "bank-b", 60, T0, T0, until),
        Indicator(Kind.DOMAIN, "scam.xyz", "bank-a", 90, T0, T0, until),
        Indicator(Kind.PHONE_HASH, hashed, "bank-a", 80, T0, T0, until, epoch="2025-02"),
        Indicator(Kind.URL, "http://gone.cn/", "bank-a", 80, T0, T0, until, revoked=True),
    ]
    found = IndicatorSet.build(indicators, keys)
    assert len(found) == 3
    assert found.url("http://evil.cn/pay") is not None and found.url("http://gone.cn/") is None
    hit = found.domain("a.b.scam.xyz")
    assert hit is not None and hit[0] == "scam.xyz"
    assert set(hit[1].sources) == {"bank-a", "bank-b"} and hit[1].confidence == 90
    assert found.domain("notscam.xyz") is None and found.domain("xyz") is None
    sender = found.sender("139 0000 1111")
    assert sender is not None and sender.epoch == "2025-02"
    assert found.sender("13900001112") is None
    assert found.phone_hash("2025-02", hashed) is not None
    assert IndicatorSet.build(indicators).sender("13900001111") is None  # no keys held
