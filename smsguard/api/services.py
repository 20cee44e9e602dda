"""What the HTTP service works with, built once by the composition root.

Routes receive an :class:`ApiServices` and ask it for the library objects of the caller's
institution; the per-institution objects (customer service, gateway, verifier) hold keys
and compiled rules, so they are built on first use and kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from smsguard.api.ratelimit import RateLimiter
from smsguard.errors import ConfigError
from smsguard.governance.credentials import Identity
from smsguard.screening.engine import Screener
from smsguard.settings import Settings
from smsguard.store import Database

if TYPE_CHECKING:
    from smsguard.complaints.service import ComplaintService
    from smsguard.customers import CustomerService
    from smsguard.fraud_reports import FraudIntake
    from smsguard.gateway.events import GatewayEvents
    from smsguard.gateway.service import Gateway
    from smsguard.trace.consumer import ConsumerVerifier

T = TypeVar("T")


class IdentityCache:
    """API-key identities remembered for a few seconds, so a busy client does not cost a
    database lookup per request. A key revoked through this process is forgotten at once
    (``clear``); another process notices within ``seconds``."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, Identity]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Identity | None:
        with self._lock:
            found = self._entries.get(token)
        if found is None or found[0] < self._clock():
            return None
        return found[1]

    def put(self, token: str, identity: Identity) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[token] = (self._clock() + self.seconds, identity)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Builders:
    """How to build each per-institution object (bootstrap supplies these)."""

    customers: Callable[[int], CustomerService]
    gateway: Callable[[int], Gateway]
    verifier: Callable[[int], ConsumerVerifier]
    complaints: Callable[[int], ComplaintService]
    # Optional so older composition roots keep working; the HTTP service's supplies both.
    events: Callable[[int, str], GatewayEvents] | None = None
    fraud_intake: Callable[[], FraudIntake] | None = None


@dataclass
class ApiServices:
    """The service's long-lived objects."""

    settings: Settings
    database: Database
    screener: Screener
    builders: Builders
    public_limiter: RateLimiter
    login_limiter: RateLimiter
    # The /screen quota per API key or login; None: no quota (settings.screen_texts_per_minute).
    screen_limiter: RateLimiter | None = None
    key_cache: IdentityCache = field(default_factory=lambda: IdentityCache(seconds=5.0))
    _cache: dict[tuple[str, int], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def customers(self, institution_id: int) -> CustomerService:
        return self._cached("customers", institution_id, self.builders.customers)

    def gateway(self, institution_id: int) -> Gateway:
        return self._cached("gateway", institution_id, self.builders.gateway)

    def verifier(self, institution_id: int) -> ConsumerVerifier:
        return self._cached("verifier", institution_id, self.builders.verifier)

    def complaints(self, institution_id: int) -> ComplaintService:
        return self._cached("complaints", institution_id, self.builders.complaints)

    def events(self, institution_id: int, provider: str) -> GatewayEvents:
        """The sink for ``provider``'s delivery reports and replies to this institution."""
        build = self.builders.events
        if build is None:
            raise ConfigError("this service takes no provider callbacks")
        return self._cached(
            f"events-{provider}", institution_id, lambda tenant: build(tenant, provider)
        )

    def fraud_intake(self) -> FraudIntake:
        """The public fraud-report intake (one for all institutions)."""
        build = self.builders.fraud_intake
        if build is None:
            raise ConfigError("this service takes no fraud reports")
        return self._cached("fraud-intake", 0, lambda _tenant: build())

    def _cached(self, kind: str, institution_id: int, build: Callable[[int], T]) -> T:
        with self._lock:
            key = (kind, institution_id)
            if key not in self._cache:
                self._cache[key] = build(institution_id)
            found: T = self._cache[key]
            return found
