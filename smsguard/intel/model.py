"""What an indicator is: the one value type every part of intel sharing speaks.

An indicator says "this was seen in fraud": a sender number (only ever as a keyed hash, see
:mod:`smsguard.intel.phones`), a URL, a domain, or the fingerprint of a fraud SMS text (the
MinHash fingerprint of :mod:`smsguard.fingerprints`, never the text itself). It carries what
STIX 2.1 indicators carry (confidence, first/last seen, TLP marking, expiry, who vouches for
it) so that export and import are translations, not reinterpretations.

The value is always normalised (:func:`normalise_value`), so the same URL seen at two banks is
one indicator, and ``stix_id`` is derived from kind, value and source: the same indicator
exported twice keeps its id, which is what lets a peer import incrementally.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from smsguard.errors import InputError

# STIX ids of our indicators live in a namespace of their own (uuid5), stable across exports.
NAMESPACE = uuid.UUID("6f1f8a2e-6c2b-5b1e-9c55-3e0d1e3a7c42")
_HEX = re.compile(r"^[0-9a-f]+$")
_EPOCH = re.compile(r"^\d{4}-\d{2}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class Kind(StrEnum):
    """What the value is."""

    PHONE_HASH = "phone-hash"  # HMAC of an E.164 sender number under the consortium key
    URL = "url"
    DOMAIN = "domain"
    FINGERPRINT = "sms-fingerprint"  # a fraud text's fingerprint (fingerprints.text)


class Tlp(StrEnum):
    """Traffic Light Protocol 2.0: who the recipient may pass it on to."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"


class Status(StrEnum):
    """Where an indicator stands in its institution: only confirmed ones are shared."""

    CANDIDATE = "candidate"
    CONFIRMED = "confirmed"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Indicator:
    """One indicator as shared between institutions (no local bookkeeping)."""

    kind: Kind
    value: str
    source: str  # the code of the institution that confirmed it
    confidence: int  # 0-100, as STIX
    first_seen: datetime
    last_seen: datetime
    expires_at: datetime
    tlp: Tlp = Tlp.AMBER
    epoch: str | None = None  # the consortium-key epoch of a phone hash (YYYY-MM)
    revoked: bool = False
    # When the source last changed it (a sighting, confidence, confirmation, revocation):
    # the version instant exported as STIX ``modified``. None means ``last_seen``. Not part
    # of the value: two indicators that say the same thing are equal whatever their version.
    modified: datetime | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.confidence <= 100:
            raise InputError(f"confidence {self.confidence} is outside 0-100")
        for name in ("first_seen", "last_seen", "expires_at"):
            if getattr(self, name).tzinfo is None:
                raise InputError(f"{name} needs a time zone")
        if self.last_seen < self.first_seen:
            raise InputError("last_seen is before first_seen")
        if self.modified is not None and self.modified.tzinfo is None:
            raise InputError("modified needs a time zone")
        if (self.kind is Kind.PHONE_HASH) != (self.epoch is not None):
            raise InputError("a phone hash needs its key epoch, and only a phone hash has one")
        if self.epoch is not None and not _EPOCH.match(self.epoch):
            raise InputError(f"epoch {self.epoch!r} is not YYYY-MM")
        if normalise_value(self.kind, self.value) != self.value:
            raise InputError(f"{self.kind.value} value {self.value!r} is not normalised")

    @property
    def stix_id(self) -> str:
        """``indicator--<uuid5>``: the same kind, value and source always give the same id."""
        name = f"{self.kind.value}|{self.epoch or ''}|{self.value}|{self.source}"
        return f"indicator--{uuid.uuid5(NAMESPACE, name)}"

    @property
    def version_at(self) -> datetime:
        """The instant of this version (STIX ``modified``): the later of ``modified`` and
        ``last_seen``, so never before ``first_seen`` and never earlier than a sighting."""
        return self.last_seen if self.modified is None else max(self.modified, self.last_seen)

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def seen_again(self, at: datetime) -> Indicator:
        """The same indicator with ``last_seen`` moved to ``at`` (never backwards)."""
        return replace(self, last_seen=max(self.last_seen, at))


def normalise_value(kind: Kind, raw: str) -> str:
    """The canonical spelling of a value of ``kind``; InputError naming what is wrong."""
    text = raw.strip()
    if kind is Kind.URL:
        return _url(text)
    if kind is Kind.DOMAIN:
        domain = text.lower().rstrip(".")
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InputError(f"{raw!r} is not a domain name") from exc
        if not _DOMAIN.match(domain):
            raise InputError(f"{raw!r} is not a domain name")
        return domain
    value = text.lower()
    want = 64 if kind is Kind.PHONE_HASH else None
    if not _HEX.match(value) or (want is not None and len(value) != want):
        raise InputError(f"{kind.value} value must be {want or 'some'} hex digits")
    return value


def _url(text: str) -> str:
    """Lower-case scheme and host, no fragment, no default port; a bare host gets http://."""
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{text!r} is not an http(s) URL")
    host = normalise_value(Kind.DOMAIN, parts.hostname)
    port = parts.port
    netloc = host if port in (None, 80 if parts.scheme == "http" else 443) else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def utc(value: datetime) -> datetime:
    """SQLite hands instants back without a zone; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
