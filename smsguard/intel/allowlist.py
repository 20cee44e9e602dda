"""Allow-lists: official numbers and domains that are never shared as malicious.

Fraud SMS name the bank they impersonate, often with its real hotline or web site beside
the fake link, and a spoofed sender can show a bank's own 955xx number. An indicator made
from such a report would make every consortium member block the bank itself. The
allow-list (the role MISP warninglists play) stops that at every door:

* a candidate matching it is refused with an InputError that names the entry (manual
  entries), or skipped and reported (indicators derived from a fraud report);
* confirming re-checks it (the list may have grown since the candidate was made);
* export leaves matching indicators out, import drops and counts them.

Numbers match exactly in canonical form (:func:`smsguard.intel.phones.sender_e164`);
phone *hashes* match through the hashes of the listed numbers under each epoch key held. A
domain entry covers itself and every subdomain, and an indicator domain that is a parent of
an entry (``com.cn`` for ``icbc.com.cn``) is refused too, since it would cover the entry.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

import yaml

from smsguard.errors import ConfigError, InputError
from smsguard.intel.model import Kind, normalise_value
from smsguard.intel.phones import ConsortiumKeys, sender_e164
from smsguard.screening.sender import SenderProfile


@dataclass(frozen=True)
class AllowList:
    """Official numbers (canonical E.164) and domains, each with the name it belongs to."""

    numbers: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)
    _hash_cache: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict, repr=False)

    def with_profile(self, profile: SenderProfile | None) -> AllowList:
        """This list plus the institution's own official numbers and domains."""
        if profile is None:
            return self
        numbers, domains = dict(self.numbers), dict(self.domains)
        for number in profile.official_numbers + ((profile.hotline,) if profile.hotline else ()):
            _add_number(numbers, number, profile.institution)
        for domain in profile.official_domains:
            domains[normalise_value(Kind.DOMAIN, domain)] = profile.institution
        return AllowList(numbers, domains)

    def number_owner(self, raw: str) -> str | None:
        """Whose official number ``raw`` is, or None."""
        try:
            return self.numbers.get(sender_e164(raw))
        except InputError:
            return None

    def domain_owner(self, domain: str) -> str | None:
        """Whose official domain covers ``domain`` (itself or a parent), or whose official
        domain ``domain`` would cover (a parent of an entry); None when neither."""
        labels = domain.split(".")
        for start in range(len(labels) - 1):
            owner = self.domains.get(".".join(labels[start:]))
            if owner is not None:
                return owner
        suffix = "." + domain
        for listed, owner in self.domains.items():
            if listed.endswith(suffix):
                return owner
        return None

    def phone_hashes(self, keys: ConsortiumKeys, epoch: str) -> frozenset[str]:
        """The hashes of every listed number under ``epoch`` (empty without its key)."""
        if epoch not in keys:
            return frozenset()
        slot = (epoch, keys.hash_e164("+0", epoch))  # tells keys of one epoch apart
        cached = self._hash_cache.get(slot)
        if cached is None:
            cached = frozenset(keys.hash_e164(number, epoch) for number in self.numbers)
            self._hash_cache[slot] = cached
        return cached

    def owner_of(
        self, kind: Kind, value: str, epoch: str | None = None, keys: ConsortiumKeys | None = None
    ) -> str | None:
        """Whose official number or domain the normalised indicator value is, or None."""
        if kind is Kind.DOMAIN:
            return self.domain_owner(value)
        if kind is Kind.URL:
            host = value.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
            return self.domain_owner(host)
        if kind is Kind.PHONE_HASH and epoch is not None and keys is not None:
            return (
                "an allow-listed institution" if value in self.phone_hashes(keys, epoch) else None
            )
        return None

    def refuse(
        self, kind: Kind, value: str, epoch: str | None = None, keys: ConsortiumKeys | None = None
    ) -> None:
        """InputError when the value is allow-listed: it may never be shared as malicious."""
        owner = self.owner_of(kind, value, epoch, keys)
        if owner is not None:
            raise InputError(
                f"{kind.value} {_shown(kind, value)} is on the allow-list ({owner}); an "
                "official number or domain is never shared as a fraud indicator"
            )


def _shown(kind: Kind, value: str) -> str:
    return value[:16] + "…" if kind is Kind.PHONE_HASH else value


def _add_number(numbers: dict[str, str], raw: str, owner: str) -> None:
    try:
        numbers[sender_e164(raw)] = owner
    except InputError as exc:
        raise ConfigError(f"allow-listed number of {owner} is not a number: {exc}") from exc


def parse_allowlist(entries: Iterable[dict[str, object]], *, source: str) -> AllowList:
    """An allow-list from ``{name, numbers, domains}`` entries; ConfigError naming the entry."""
    numbers: dict[str, str] = {}
    domains: dict[str, str] = {}
    for entry in entries:
        name = str(entry.get("name") or "")
        if not name:
            raise ConfigError(f"{source}: an allow-list entry has no name")
        for number in _strings(entry.get("numbers"), source, name):
            _add_number(numbers, number, name)
        for domain in _strings(entry.get("domains"), source, name):
            try:
                domains[normalise_value(Kind.DOMAIN, domain)] = name
            except InputError as exc:
                raise ConfigError(f"{source}: {name}: {exc}") from exc
    return AllowList(numbers, domains)


def _strings(value: object, source: str, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{source}: {name}: expected a list")
    return [str(item) for item in value]


@functools.cache
def shipped_allowlist() -> AllowList:
    """The allow-list shipped in ``smsguard/intel/data/allowlist.yaml``."""
    text = resources.files("smsguard.intel").joinpath("data/allowlist.yaml").read_text("utf-8")
    return parse_allowlist(yaml.safe_load(text)["institutions"], source="data/allowlist.yaml")


def allowlist_for(profile: SenderProfile | None) -> AllowList:
    """The shipped list plus the institution's own numbers and domains."""
    return shipped_allowlist().with_profile(profile)
