"""How the screener reaches the executors: built once on the driver, broadcast as bytes,
unpickled once per Python worker.

The driver builds the screener exactly as the local scan does (``bootstrap.build_screener``:
rulebook, rate caps, model, fraud-template indexes, sender profile) and pickles it; the
matcher pickles its compiled Hyperscan database, so no executor compiles patterns or reads
the operator's rule, model or index files, which need not exist on a cluster's nodes. The
shared fraud indicators are the one part that lives in a database: the driver takes a
snapshot of them (:class:`~smsguard.intel.screening.StaticIntel`), so every partition is
screened against the same set even when the database changes mid-job.

A worker keeps the unpickled screener in :data:`_SCREENERS`, keyed by the bytes' digest, so
with ``spark.python.worker.reuse`` (the default) a worker process unpickles it once, however
many tasks it runs.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from typing import Protocol

from smsguard.errors import InputError
from smsguard.screening.engine import Screener
from smsguard.screening.sender import SenderProfile
from smsguard.screening.shared_intel import IntelLookup
from smsguard.settings import Settings


class BytesBroadcast(Protocol):
    """What a worker needs of ``pyspark.Broadcast[bytes]``."""

    @property
    def value(self) -> bytes: ...


@dataclass(frozen=True)
class PackedScreener:
    """The pickled screener and the sender each call passes, named by their digest."""

    digest: str
    blob: bytes


def pack_screener(settings: Settings, sender: SenderProfile | None) -> PackedScreener:
    """Build the screener the local scan would build and pickle it with ``sender``."""
    from smsguard.bootstrap import build_screener

    screener = build_screener(settings, sender=sender, intel=_intel_snapshot(settings))
    try:
        blob = pickle.dumps((screener, sender), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise InputError(f"the screener cannot be sent to Spark executors: {err}") from err
    return PackedScreener(hashlib.sha256(blob).hexdigest()[:24], blob)


def _intel_snapshot(settings: Settings) -> IntelLookup | None:
    """The shared indicators as they are now, as a fixed set (None when there are none)."""
    from smsguard.bootstrap.screening import build_intel_lookup
    from smsguard.intel.screening import IntelScreening, StaticIntel

    lookup = build_intel_lookup(settings)
    if isinstance(lookup, IntelScreening):
        return StaticIntel(lookup.indicators)
    return lookup


_SCREENERS: dict[str, tuple[Screener, SenderProfile | None]] = {}


def worker_screener(
    digest: str, broadcast: BytesBroadcast
) -> tuple[Screener, SenderProfile | None]:
    """The screener and sender of ``digest``, unpickled on first use in this process."""
    cached = _SCREENERS.get(digest)
    if cached is None:
        screener, sender = pickle.loads(broadcast.value)
        if not isinstance(screener, Screener):
            raise TypeError(f"broadcast {digest} does not hold a Screener")
        _SCREENERS.clear()  # one scan at a time: drop an earlier job's screener
        cached = _SCREENERS[digest] = (screener, sender)
    return cached
