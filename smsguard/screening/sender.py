"""Sender profiles: who is allowed to send as whom.

A sender profile describes one institution: its name, licence type, the SMS signatures
(【…】) filed for it, its official web domains and phone numbers, and its hotline. Rules use it
to tell a lender's real SMS from a forgery: a 【XX银行】 signature with a link outside the
official domains, or with a callback number that is not official, is a strong fraud signal.

smsguard also ships a small directory of well-known banks (``data/institutions.yaml``) so that
impersonation of those banks is caught even when no profile is given. That directory is seed
data: operators can extend or replace it with their own profiles.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smsguard._yaml import read_yaml
from smsguard.errors import SenderProfileError

Licence = Literal[
    "bank", "consumer_finance", "microlender", "auto_finance", "trust", "platform", "other"
]


class SenderProfile(BaseModel):
    """One institution's identity for SMS."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    institution: str = Field(min_length=2)
    licence: Licence
    signatures: tuple[str, ...] = Field(min_length=1)
    official_domains: tuple[str, ...] = ()
    official_numbers: tuple[str, ...] = ()
    hotline: str | None = None
    lenders: tuple[str, ...] = Field(
        (), description="For platforms: the licensed lenders whose loans it markets."
    )

    @field_validator("official_domains")
    @classmethod
    def _lower_domains(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip().lower().removeprefix("www.") for v in values)

    @field_validator("official_numbers")
    @classmethod
    def _digits_only(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple("".join(ch for ch in v if ch.isdigit()) for v in values)

    def owns_domain(self, domain: str) -> bool:
        """True when ``domain`` is an official domain or a subdomain of one."""
        domain = domain.lower()
        return any(domain == d or domain.endswith("." + d) for d in self.official_domains)

    def owns_number(self, number: str) -> bool:
        numbers = set(self.official_numbers)
        if self.hotline:
            numbers.add("".join(ch for ch in self.hotline if ch.isdigit()))
        return number in numbers

    @property
    def is_bank_like(self) -> bool:
        return self.licence in ("bank", "consumer_finance", "auto_finance", "trust")


def load_sender_profile(path: Path) -> SenderProfile:
    """Read and validate one profile; errors name the file and the field."""
    data = read_yaml(path, what="sender profile", error=SenderProfileError)
    return parse_sender_profile(data, source=str(path))


def parse_sender_profile(data: object, *, source: str) -> SenderProfile:
    if not isinstance(data, Mapping):
        raise SenderProfileError(f"sender profile {source} must be a mapping")
    try:
        return SenderProfile.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(p) for p in problem["loc"]) or "(profile)"
        raise SenderProfileError(
            f"sender profile {source}, field {field}: {problem['msg']}"
        ) from exc


class SenderDirectory:
    """Profiles indexed by signature, for recognising who a 【signature】 claims to be."""

    def __init__(self, profiles: Iterable[SenderProfile]) -> None:
        self._by_signature: dict[str, SenderProfile] = {}
        for profile in profiles:
            for signature in profile.signatures:
                self._by_signature.setdefault(signature.lower(), profile)

    def lookup(self, signature: str) -> SenderProfile | None:
        return self._by_signature.get(signature.lower())


@functools.cache
def builtin_directory() -> SenderDirectory:
    """The shipped seed directory of well-known banks."""
    text = (
        resources.files("smsguard.screening").joinpath("data/institutions.yaml").read_text("utf-8")
    )
    entries = yaml.safe_load(text)["institutions"]
    return SenderDirectory(
        parse_sender_profile(entry, source="data/institutions.yaml") for entry in entries
    )
