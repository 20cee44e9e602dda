"""The in-memory set screening asks: is this URL, domain, sender or text a known fraud one?

Built from the institution's live indicators (own confirmed ones and imports, unexpired),
it answers membership with plain Python dicts of normalised values, which is exact (no
false positives, unlike a Bloom filter) and fast: one hash and one comparison per question,
well over a million questions a second on one core (benchmarks/bench_intel.py). Memory is
about 150 bytes per indicator, 15 MB for 100,000. A domain question also asks each parent
domain (``a.b.evil.cn`` → ``b.evil.cn`` → ``evil.cn``), so a shared domain covers its
subdomains. A sender number is hashed under every epoch the set holds phone hashes for (one
HMAC each, about a microsecond) and each hash looked up. Fraud-text fingerprints go into a
:class:`~smsguard.fingerprints.TemplateIndex`, so a reworded copy of a shared fraud text
matches too, not only the identical text.

Fingerprint values are the signature the fingerprint index keeps (64 band keys and the
packed 2-bit slots, 320 bytes) in hex: :func:`text_fingerprint` makes one from a text.
Like the index itself it keeps no text and cannot be turned back into one
(docs/fingerprints.md, "Privacy").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from smsguard.errors import InputError
from smsguard.fingerprints import TemplateIndex
from smsguard.fingerprints.signature import BANDS, WORDS, Signatures, signatures
from smsguard.intel.model import Indicator, Kind, normalise_value
from smsguard.intel.phones import ConsortiumKeys, sender_e164

FINGERPRINT_HEX = (BANDS * 4 + WORDS * 8) * 2  # 640


def text_fingerprint(text: str) -> str:
    """The shareable fingerprint of a fraud text; InputError when it is too short."""
    signed = signatures([text])
    if not signed.usable[0]:
        raise InputError("the text is too short to fingerprint (docs/fingerprints.md)")
    keys = signed.keys[0].astype("<u4").tobytes()
    bits = signed.bits[0].astype("<u8").tobytes()
    return bytes(keys + bits).hex()


def decode_fingerprint(value: str) -> Signatures:
    """A one-row :class:`Signatures` from a fingerprint value; InputError if malformed."""
    if len(value) != FINGERPRINT_HEX:
        raise InputError(f"a fingerprint is {FINGERPRINT_HEX} hex digits, not {len(value)}")
    raw = bytes.fromhex(value)
    keys = np.frombuffer(raw[: BANDS * 4], dtype="<u4").astype(np.uint32).reshape(1, BANDS)
    bits = np.frombuffer(raw[BANDS * 4 :], dtype="<u8").astype(np.uint64).reshape(1, WORDS)
    return Signatures(keys, bits, np.ones(1, dtype=np.bool_))


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who vouches for an indicator in the set (several sources may share one value)."""

    sources: tuple[str, ...]
    confidence: int


@dataclass(frozen=True, slots=True)
class PhoneHit:
    """A sender number on the set: the epoch it matched under and who vouches for it."""

    epoch: str
    attribution: Attribution


@dataclass(frozen=True, slots=True)
class FingerprintHit:
    similarity: float
    attribution: Attribution


@dataclass
class IndicatorSet:
    """Exact sets of live indicator values, each with its attribution."""

    urls: dict[str, Attribution] = field(default_factory=dict)
    domains: dict[str, Attribution] = field(default_factory=dict)
    phones: dict[str, dict[str, Attribution]] = field(default_factory=dict)  # epoch → hash →
    fingerprints: TemplateIndex | None = None
    fingerprint_sources: dict[str, Attribution] = field(default_factory=dict)
    keys: ConsortiumKeys | None = None
    size: int = 0
    earliest_expiry: datetime | None = None
    domain_labels: int = 0  # labels of the longest listed domain

    @classmethod
    def build(
        cls, indicators: Iterable[Indicator], keys: ConsortiumKeys | None = None
    ) -> IndicatorSet:
        """A set of the given (live) indicators; revoked ones are skipped."""
        merged: dict[tuple[Kind, str, str], Attribution] = {}
        earliest: datetime | None = None
        for ind in indicators:
            if ind.revoked:
                continue
            key = (ind.kind, ind.epoch or "", ind.value)
            known = merged.get(key)
            if known is None:
                merged[key] = Attribution((ind.source,), ind.confidence)
            elif ind.source not in known.sources:
                merged[key] = Attribution(
                    (*known.sources, ind.source), max(known.confidence, ind.confidence)
                )
            earliest = ind.expires_at if earliest is None else min(earliest, ind.expires_at)
        out = cls(keys=keys, size=len(merged), earliest_expiry=earliest)
        for (kind, epoch, value), attribution in merged.items():
            if kind is Kind.URL:
                out.urls[value] = attribution
            elif kind is Kind.DOMAIN:
                out.domains[value] = attribution
                out.domain_labels = max(out.domain_labels, value.count(".") + 1)
            elif kind is Kind.PHONE_HASH:
                out.phones.setdefault(epoch, {})[value] = attribution
            elif kind is Kind.FINGERPRINT:
                if out.fingerprints is None:
                    out.fingerprints = TemplateIndex()
                template_id = value[:16]
                if template_id in out.fingerprints:
                    continue
                out.fingerprints.add_signature(
                    template_id, decode_fingerprint(value), 0, category="intel"
                )
                out.fingerprint_sources[template_id] = attribution
        if out.fingerprints is not None:
            out.fingerprints.optimize()
        return out

    def __len__(self) -> int:
        return self.size

    # --- questions ------------------------------------------------------------------------

    def url(self, normalised_url: str) -> Attribution | None:
        """The attribution of a URL (already normalised) on the set, or None."""
        return self.urls.get(normalised_url)

    def domain(self, host: str) -> tuple[str, Attribution] | None:
        """(the listed domain, its attribution) when ``host`` or a parent is on the set.

        Only suffixes with as many labels as the longest listed domain are tried, shortest
        first, so a deep host costs no more than a shallow one."""
        domains = self.domains
        if not domains:
            return None
        pos = host.rfind(".")
        if pos == -1:
            return None
        for _ in range(self.domain_labels - 1):
            pos = host.rfind(".", 0, pos)
            suffix = host if pos == -1 else host[pos + 1 :]
            found = domains.get(suffix)
            if found is not None:
                return suffix, found
            if pos == -1:
                break
        return None

    def phone_hash(self, epoch: str, value: str) -> Attribution | None:
        """Membership of a ready-made phone hash in one epoch."""
        table = self.phones.get(epoch)
        return None if table is None else table.get(value)

    def sender(self, raw: str) -> PhoneHit | None:
        """Whether a sender number is on the set, under any epoch the set has hashes for."""
        if not self.phones or self.keys is None:
            return None
        try:
            e164 = sender_e164(raw)
        except InputError:
            return None
        for epoch, table in self.phones.items():
            if epoch not in self.keys:
                continue
            found = table.get(self.keys.hash_e164(e164, epoch))
            if found is not None:
                return PhoneHit(epoch, found)
        return None

    def texts(self, texts: Sequence[str]) -> list[FingerprintHit | None]:
        """For each text, the best shared fraud fingerprint it resembles, or None."""
        if self.fingerprints is None or not texts:
            return [None] * len(texts)
        out: list[FingerprintHit | None] = []
        for matches in self.fingerprints.match_many(list(texts), limit=1):
            if not matches:
                out.append(None)
                continue
            best = matches[0]
            out.append(FingerprintHit(best.similarity, self.fingerprint_sources[best.template_id]))
        return out


def normalised_url(raw: str) -> str | None:
    """The indicator spelling of a URL found in a message, or None when it has none."""
    try:
        return normalise_value(Kind.URL, raw)
    except InputError:
        return None
