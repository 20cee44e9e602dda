"""Indicators as STIX 2.1: one ``indicator`` SDO each, in a bundle any STIX tool can read.

Translation only (docs/intel-stix.md): this module holds the vocabulary (ids, TLP 2.0
markings, our extension definitions, patterns) and the export side, :func:`bundle_of`, which
turns :class:`~.model.Indicator` values into a bundle dict; :mod:`smsguard.intel.stix_import`
turns a bundle back into indicators. Nothing here signs, stores or decides what to share.

Each indicator becomes::

    {"type": "indicator", "id": Indicator.stix_id, "pattern": "[url:value = '…']",
     "created": first_seen, "modified": Indicator.version_at, "valid_from": first_seen,
     "valid_until": expires_at, "confidence": …, "created_by_ref": identity of the source,
     "object_marking_refs": [the TLP 2.0 marking-definition], "revoked": true (if revoked)}

``modified`` is the instant of the indicator's latest change at its source (a sighting, a
confidence change, confirmation or revocation: the store's ``modified_at``), never earlier
than ``last_seen``, so every new version of an indicator has a later ``modified``, as STIX
versioning requires.

URLs and domains use the standard ``url`` and ``domain-name`` observables. STIX has no SMS
object, so two new SCOs are declared by our own ``extension-definition`` objects (shipped in
``data/extension-definition.json``, schemas in ``data/schemas/``): ``x-smsguard-sms``
(a fraud text's fingerprint) and ``x-smsguard-phone-hash`` (a sender number as a keyed hash,
with its key epoch and the algorithm name ``hmac-sha256-consortium``).

Export builds plain dicts (the ``stix2`` library validates each object, which is two orders
of magnitude slower for a 100,000-indicator feed); the tests check every shape against
``stix2`` and the OASIS ``stix2-validator``.

Timestamps travel to the millisecond (STIX ``created``/``modified`` are millisecond
precise), so an indicator comes back with its instants truncated to the millisecond.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from smsguard.errors import InputError, SmsguardError
from smsguard.intel.model import NAMESPACE, Indicator, Kind, Tlp

SPEC_VERSION = "2.1"
PHONE_HASH_ALGORITHM = "hmac-sha256-consortium"
SMS_TYPE = "x-smsguard-sms"
PHONE_HASH_TYPE = "x-smsguard-phone-hash"
PROJECT_IDENTITY = "identity--d1170cf3-17cc-473d-bcef-a28dd5868852"
SMS_EXTENSION = "extension-definition--a8345779-aaa8-4c87-bef5-7cbfdac96064"
PHONE_HASH_EXTENSION = "extension-definition--7f0d2e79-b857-490d-a191-e43b205ce7b8"
INDICATOR_TYPES = ("malicious-activity",)
IDENTITY_CREATED = "2026-01-01T00:00:00.000Z"  # fixed: one identity object per institution

# TLP 2.0 marking definitions (OASIS cti-stix-common-objects, extension-definition-specifications
# /tlp-2.0): fixed ids, created 2022-10-01, each carrying the TLP 2.0 property extension.
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP_MARKINGS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

_NAMES = {
    Kind.PHONE_HASH: "Fraud SMS sender (keyed hash)",
    Kind.URL: "Fraud URL",
    Kind.DOMAIN: "Fraud domain",
    Kind.FINGERPRINT: "Fraud SMS text fingerprint",
}
_DESCRIPTIONS = {
    Kind.PHONE_HASH: "A sender number seen in confirmed fraud SMS, as HMAC-SHA256 under the "
    "consortium key of the given epoch; the number itself is not shared.",
    Kind.URL: "A URL seen in confirmed fraud SMS.",
    Kind.DOMAIN: "A domain seen in confirmed fraud SMS.",
    Kind.FINGERPRINT: "The fingerprint of a confirmed fraud SMS text; the text is not shared.",
}
INSTITUTION_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@cache
def identity_id(code: str) -> str:
    """``identity--<uuid5>`` of an institution: the same code always gives the same id."""
    return f"identity--{uuid.uuid5(NAMESPACE, f'institution|{_check_code(code)}')}"


def identity_object(code: str) -> dict[str, Any]:
    """The ``identity`` SDO of an institution; its name is the institution code."""
    return {
        "type": "identity",
        "spec_version": SPEC_VERSION,
        "id": identity_id(code),
        "created": IDENTITY_CREATED,
        "modified": IDENTITY_CREATED,
        "name": code,
        "identity_class": "organization",
        "sectors": ["financial-services"],
    }


def tlp_marking(tlp: Tlp) -> dict[str, Any]:
    """The official TLP 2.0 ``marking-definition`` object of ``tlp``."""
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": TLP_MARKINGS[tlp],
        "created": TLP2_CREATED,
        "name": f"TLP:{tlp.value.upper()}",
        "extensions": {
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value}
        },
    }


@cache
def extension_objects() -> tuple[dict[str, Any], ...]:
    """Our ``extension-definition`` SMOs and the identity that authors them (shipped data)."""
    text = resources.files("smsguard.intel").joinpath("data/extension-definition.json")
    objects = json.loads(text.read_text(encoding="utf-8"))
    ids = {obj["id"] for obj in objects}
    if ids != {PROJECT_IDENTITY, SMS_EXTENSION, PHONE_HASH_EXTENSION}:  # pragma: no cover
        raise SmsguardError("the shipped STIX extension definitions do not match the code")
    return tuple(objects)


def schema_dir() -> str:
    """The folder of JSON schemas of our extensions, named by extension id (for
    ``stix2validator.ValidationOptions(schema_dir=...)``)."""
    return str(resources.files("smsguard.intel").joinpath("data/schemas"))


def timestamp(value: datetime) -> str:
    """A STIX timestamp in UTC, to the millisecond."""
    d = value.astimezone(UTC)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond // 1000:03d}Z"


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern_of(indicator: Indicator) -> str:
    """The STIX pattern of an indicator (one observation, equality comparisons only)."""
    value = _quote(indicator.value)
    kind = indicator.kind
    if kind is Kind.URL:
        return f"[url:value = {value}]"
    if kind is Kind.DOMAIN:
        return f"[domain-name:value = {value}]"
    if kind is Kind.FINGERPRINT:
        return f"[{SMS_TYPE}:fingerprint = {value}]"
    return (
        f"[{PHONE_HASH_TYPE}:algorithm = '{PHONE_HASH_ALGORITHM}' AND "
        f"{PHONE_HASH_TYPE}:epoch = {_quote(indicator.epoch or '')} AND "
        f"{PHONE_HASH_TYPE}:value = {value}]"
    )


def indicator_object(indicator: Indicator) -> dict[str, Any]:
    """The ``indicator`` SDO of one indicator; InputError when STIX cannot express it."""
    first_seen = timestamp(indicator.first_seen)
    expires_at = timestamp(indicator.expires_at)
    if expires_at <= first_seen:
        raise InputError(
            f"indicator {indicator.stix_id} expires at or before it was first seen; "
            "STIX requires valid_until after valid_from"
        )
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": SPEC_VERSION,
        "id": indicator.stix_id,
        "created": first_seen,
        "modified": timestamp(indicator.version_at),
        "created_by_ref": identity_id(indicator.source),
        "name": _NAMES[indicator.kind],
        "description": _DESCRIPTIONS[indicator.kind],
        "indicator_types": list(INDICATOR_TYPES),
        "labels": list(INDICATOR_TYPES),
        "pattern": pattern_of(indicator),
        "pattern_type": "stix",
        "pattern_version": SPEC_VERSION,
        "valid_from": first_seen,
        "valid_until": expires_at,
        "confidence": indicator.confidence,
        "object_marking_refs": [TLP_MARKINGS[indicator.tlp]],
    }
    if indicator.revoked:
        obj["revoked"] = True
    return obj


def bundle_of(
    indicators: Iterable[Indicator], producer: str, *, bundle_id: str | None = None
) -> dict[str, Any]:
    """A STIX 2.1 bundle of ``indicators`` as exported by institution ``producer``.

    The bundle holds the producer's and every source's identity, our extension definitions,
    the TLP 2.0 markings in use, then one indicator per value (in the given order). Object
    ids depend only on content, so the same indicator keeps its id in every export; the
    bundle id is random unless given.
    """
    items = list(indicators)
    codes = {_check_code(producer)} | {indicator.source for indicator in items}
    tlps = {indicator.tlp for indicator in items}
    objects = [indicator_object(indicator) for indicator in items]
    head: list[dict[str, Any]] = [identity_object(code) for code in sorted(codes)]
    head.extend(extension_objects())
    head.extend(tlp_marking(tlp) for tlp in Tlp if tlp in tlps)
    return {
        "type": "bundle",
        "id": bundle_id or f"bundle--{uuid.uuid4()}",
        "objects": head + objects,
    }


def _check_code(code: str) -> str:
    if not INSTITUTION_CODE.fullmatch(code):
        raise InputError(f"{code!r} is not an institution code")
    return code
