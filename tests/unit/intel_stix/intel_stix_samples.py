"""Sample indicators of every kind (helpers of the intel_stix tests)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from smsguard.intel.model import Indicator, Kind, Tlp

T0 = datetime(2026, 11, 3, 10, 0, 0, 123000, tzinfo=UTC)
CONSORTIUM_KEY = b"k" * 32
KNOWN_NUMBER = "+8613812345678"


def keyed_hash(e164: str, key: bytes = CONSORTIUM_KEY) -> str:
    return hmac.new(key, e164.encode(), hashlib.sha256).hexdigest()


def sample(kind: Kind, value: str, **changes: object) -> Indicator:
    fields: dict[str, object] = {
        "kind": kind,
        "value": value,
        "source": "haojie",
        "confidence": 80,
        "first_seen": T0,
        "last_seen": T0 + timedelta(hours=5),
        "expires_at": T0 + timedelta(days=90),
        "tlp": Tlp.AMBER,
        "epoch": "2026-11" if kind is Kind.PHONE_HASH else None,
    }
    fields.update(changes)
    return Indicator(**fields)  # type: ignore[arg-type]


def every_kind() -> list[Indicator]:
    return [
        sample(Kind.URL, "http://loan-fast.cn/apply?id=1", tlp=Tlp.GREEN),
        sample(Kind.URL, "https://evil.example.com/it's\\odd", tlp=Tlp.CLEAR, confidence=0),
        sample(Kind.DOMAIN, "loan-fast.cn", tlp=Tlp.AMBER_STRICT, revoked=True),
        sample(Kind.DOMAIN, "xn--fiqs8s.cn", confidence=100),
        sample(Kind.FINGERPRINT, "0f" * 32, tlp=Tlp.RED),
        sample(Kind.PHONE_HASH, keyed_hash(KNOWN_NUMBER)),
    ]
