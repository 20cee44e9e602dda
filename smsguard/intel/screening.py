"""The shared indicators as screening sees them: the :class:`IntelLookup` port, implemented.

:class:`IntelScreening` answers screening's questions from an :class:`IndicatorSet` and
keeps that set fresh: at most every ``refresh_seconds`` (30 by default) it asks the database
whether any indicator changed (one aggregate query: row count and latest ``modified_at``)
and rebuilds the set when something did, or when the earliest indicator in it expired. An
indicator imported from a peer is therefore screened against within a minute.

It fails safe in one direction only: a database without the intel table, or without rows,
gives an empty set (screening goes on with rules and model alone, as before intel existed);
a refresh that fails after a set was built keeps the last good set rather than forgetting
every indicator, and says so in the log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from smsguard.errors import SmsguardError
from smsguard.intel.lookup import IndicatorSet, normalised_url
from smsguard.intel.phones import ConsortiumKeys
from smsguard.intel.store import change_marker, live_rows, to_indicator
from smsguard.screening.shared_intel import IntelHit, IntelQuery
from smsguard.store import Database, tenant_session

log = logging.getLogger(__name__)
Marker = tuple[int, datetime | None]


def hits_for(indicators: IndicatorSet, queries: Sequence[IntelQuery]) -> list[list[IntelHit]]:
    """The shared indicators each query matches (pure: a function of the set)."""
    results: list[list[IntelHit]] = []
    for query in queries:
        hits: list[IntelHit] = []
        for url in query.urls:
            value = normalised_url(url.normalized)
            found = indicators.url(value) if value is not None else None
            if found is not None:
                hits.append(
                    IntelHit("url", value or url.raw, found.sources, found.confidence, url.span)
                )
                continue
            listed = indicators.domain(url.host)
            if listed is not None:
                domain, attribution = listed
                hits.append(
                    IntelHit(
                        "domain", domain, attribution.sources, attribution.confidence, url.span
                    )
                )
        if query.sender_number:
            phone = indicators.sender(query.sender_number)
            if phone is not None:
                shown = f"sender number (hash of epoch {phone.epoch})"
                hits.append(
                    IntelHit(
                        "sender", shown, phone.attribution.sources, phone.attribution.confidence
                    )
                )
        results.append(hits)
    if indicators.fingerprints is not None and queries:
        texts = indicators.texts([q.text for q in queries])
        for hits, text_hit in zip(results, texts, strict=True):
            if text_hit is not None:
                attribution = text_hit.attribution
                hits.append(
                    IntelHit(
                        "fingerprint",
                        "shared fraud text",
                        attribution.sources,
                        attribution.confidence,
                        similarity=text_hit.similarity,
                    )
                )
    return results


class StaticIntel:
    """A fixed set (tests, benchmarks, one-off scans)."""

    def __init__(self, indicators: IndicatorSet) -> None:
        self.indicators = indicators

    def lookup_many(self, queries: Sequence[IntelQuery]) -> list[list[IntelHit]]:
        return hits_for(self.indicators, queries)


class IntelScreening:
    """The set of one institution's live indicators, refreshed from its database."""

    def __init__(
        self,
        load: Callable[[], IndicatorSet],
        marker: Callable[[], Marker],
        *,
        refresh_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._marker = marker
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._set = IndicatorSet()
        self._seen: Marker | None = None
        self._checked_at: float | None = None
        self.refresh(force=True)

    @classmethod
    def for_database(
        cls,
        database: Database,
        institution_id: int,
        keys: ConsortiumKeys | None,
        *,
        refresh_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        release: bool = False,
    ) -> IntelScreening:
        """Indicators held by ``institution_id`` in ``database`` (own confirmed and imports).

        ``release`` closes the pooled connections after each look at the database: for a
        database opened only for this, so that a connection is not held between refreshes."""

        def load() -> IndicatorSet:
            try:
                with tenant_session(database, institution_id) as session:
                    rows = live_rows(session, datetime.now(UTC))
                    return IndicatorSet.build((to_indicator(row) for row in rows), keys)
            finally:
                if release:
                    database.dispose()

        def marker() -> Marker:
            try:
                with tenant_session(database, institution_id) as session:
                    return change_marker(session)
            finally:
                if release:
                    database.dispose()

        return cls(load, marker, refresh_seconds=refresh_seconds, clock=clock)

    @property
    def indicators(self) -> IndicatorSet:
        """The current set, refreshed first when due."""
        now = self._clock()
        if self._checked_at is None or now - self._checked_at >= self._refresh_seconds:
            self.refresh()
        return self._set

    def refresh(self, *, force: bool = False) -> bool:
        """Rebuild the set when the database changed (or ``force``); True when rebuilt."""
        with self._lock:
            self._checked_at = self._clock()
            try:
                marker = self._marker()
                expiry = self._set.earliest_expiry
                expired = expiry is not None and expiry <= datetime.now(UTC)
                if not force and marker == self._seen and not expired:
                    return False
                built = self._load()
            except Exception as exc:  # fail safe, and logged
                if self._seen is None:
                    log.info("no shared indicators to screen with (%s)", _why(exc))
                else:
                    log.warning("keeping the last indicator set: refresh failed (%s)", _why(exc))
                return False
            self._set, self._seen = built, marker
            return True

    def lookup_many(self, queries: Sequence[IntelQuery]) -> list[list[IntelHit]]:
        return hits_for(self.indicators, queries)


def _why(exc: BaseException) -> str:
    return exc.message if isinstance(exc, SmsguardError) else type(exc).__name__
