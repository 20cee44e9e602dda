"""STIX 2.1 bundles back into indicators, trusting nothing that cannot be checked.

:func:`indicators_from_bundle` returns the indicators of a bundle and a :class:`Problem`
for every object it refuses (docs/intel-stix.md, "Import trusts nothing it cannot check"):
the pattern must be one of the four shapes :mod:`smsguard.intel.stix` writes, the TLP
marking one it knows, the source an identity whose id it can recompute, and the id the one
smsguard derives for the content; the :class:`~.model.Indicator` constructor validates the
rest. STIX ``modified`` is read as ``last_seen``: the latest instant the source vouched for
the indicator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from smsguard.errors import InputError
from smsguard.intel.model import Indicator, Kind, Tlp
from smsguard.intel.stix import (
    INSTITUTION_CODE,
    PHONE_HASH_ALGORITHM,
    PHONE_HASH_TYPE,
    SMS_TYPE,
    SPEC_VERSION,
    TLP_MARKINGS,
    identity_id,
)

# TLP 1.0 markings of STIX 2.1 itself (section 7.2.1.4), accepted on import: WHITE is CLEAR.
TLP1_MARKINGS: dict[str, Tlp] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
_TLP_BY_ID: dict[str, Tlp] = {**{v: k for k, v in TLP_MARKINGS.items()}, **TLP1_MARKINGS}
_STIX_ID = re.compile(
    r"[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z")
_COMPARISON = re.compile(r"\s*([a-z0-9][a-z0-9-]*):([a-z0-9_]+)\s*=\s*'((?:[^'\\]|\\['\\])*)'\s*")
_AND = re.compile(r"AND(?=\s)")
_UNESCAPE = re.compile(r"\\(['\\])")


@dataclass(frozen=True)
class Problem:
    """An object of a bundle that was not imported, and why."""

    object_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.object_id}: {self.reason}"


def indicators_from_bundle(
    bundle: object, *, producer: str | None = None
) -> tuple[list[Indicator], list[Problem]]:
    """The indicators of a STIX 2.1 bundle, and a :class:`Problem` for each object refused.

    Objects that are not indicators (identities, markings, extension definitions) are read
    for reference only. An indicator is refused, with a reason, when its pattern is not one
    smsguard shares, its TLP marking is missing or unknown, its source is not an identity in
    the bundle, its id is not the one its content gives, or (with ``producer``) it claims a
    source other than the producer of the feed. InputError when ``bundle`` is not a bundle.
    """
    if not isinstance(bundle, Mapping) or bundle.get("type") != "bundle":
        raise InputError("not a STIX bundle (no object with type 'bundle')")
    objects = bundle.get("objects", [])
    if not isinstance(objects, list):
        raise InputError("the bundle's objects are not a list")
    identities: dict[str, str] = {}
    for obj in objects:
        if isinstance(obj, Mapping) and obj.get("type") == "identity":
            name, ident = obj.get("name"), obj.get("id")
            if (
                isinstance(name, str)
                and INSTITUTION_CODE.fullmatch(name)
                and ident == identity_id(name)
            ):
                identities[ident] = name
    indicators: list[Indicator] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, obj in enumerate(objects):
        if not isinstance(obj, Mapping):
            problems.append(Problem(f"objects[{index}]", "not a JSON object"))
            continue
        if obj.get("type") != "indicator":
            continue
        object_id = obj.get("id")
        where = object_id if isinstance(object_id, str) else f"objects[{index}]"
        try:
            indicator = _indicator(obj, identities, producer)
        except InputError as exc:
            problems.append(Problem(where, exc.message))
            continue
        if indicator.stix_id in seen:
            problems.append(Problem(where, "the same indicator appears twice in the bundle"))
            continue
        seen.add(indicator.stix_id)
        indicators.append(indicator)
    return indicators, problems


def _indicator(
    obj: Mapping[str, Any], identities: Mapping[str, str], producer: str | None
) -> Indicator:
    object_id = obj.get("id")
    if not isinstance(object_id, str) or not _STIX_ID.fullmatch(object_id):
        raise InputError("the indicator has no valid STIX id")
    if obj.get("spec_version") != SPEC_VERSION:
        raise InputError(f"spec_version {obj.get('spec_version')!r} is not '2.1'")
    if obj.get("pattern_type") != "stix":
        raise InputError(f"pattern_type {obj.get('pattern_type')!r} is not 'stix'")
    kind, value, epoch = parse_pattern(obj.get("pattern"))
    source = identities.get(obj.get("created_by_ref", ""))
    if source is None:
        raise InputError(
            "created_by_ref does not name an institution identity in the bundle "
            "(an identity whose name is an institution code and whose id derives from it)"
        )
    if producer is not None and source != producer:
        raise InputError(f"the indicator claims source {source!r} in a feed from {producer!r}")
    confidence = obj.get("confidence")
    if not isinstance(confidence, int) or isinstance(confidence, bool):
        raise InputError("confidence is missing or not an integer")
    revoked = obj.get("revoked", False)
    if not isinstance(revoked, bool):
        raise InputError("revoked is not a boolean")
    indicator = Indicator(
        kind=kind,
        value=value,
        source=source,
        confidence=confidence,
        first_seen=_parse_timestamp(obj, "valid_from"),
        last_seen=_parse_timestamp(obj, "modified"),
        expires_at=_parse_timestamp(obj, "valid_until"),
        tlp=_tlp(obj.get("object_marking_refs")),
        epoch=epoch,
        revoked=revoked,
    )
    if indicator.stix_id != object_id:
        raise InputError(
            f"the id is not the one smsguard derives for this indicator ({indicator.stix_id})"
        )
    return indicator


def parse_pattern(pattern: object) -> tuple[Kind, str, str | None]:
    """(kind, value, epoch) of one of the four patterns smsguard shares; InputError
    naming why any other pattern is refused."""
    if not isinstance(pattern, str):
        raise InputError("the indicator has no pattern")
    comparisons = _comparisons(pattern)
    if comparisons is None:
        raise InputError(
            f"unsupported pattern {pattern[:120]!r}: smsguard imports one observation of "
            "equality comparisons joined by AND, nothing else"
        )
    types = {object_type for object_type, _, _ in comparisons}
    props = {prop: value for _, prop, value in comparisons}
    if len(types) != 1 or len(props) != len(comparisons):
        raise InputError(f"unsupported pattern {pattern[:120]!r}: mixes objects or properties")
    (object_type,) = types
    shape = (object_type, frozenset(props))
    if shape == ("url", frozenset({"value"})):
        return Kind.URL, props["value"], None
    if shape == ("domain-name", frozenset({"value"})):
        return Kind.DOMAIN, props["value"], None
    if shape == (SMS_TYPE, frozenset({"fingerprint"})):
        return Kind.FINGERPRINT, props["fingerprint"], None
    if shape == (PHONE_HASH_TYPE, frozenset({"algorithm", "epoch", "value"})):
        if props["algorithm"] != PHONE_HASH_ALGORITHM:
            raise InputError(
                f"phone hash algorithm {props['algorithm']!r} is not {PHONE_HASH_ALGORITHM!r}"
            )
        return Kind.PHONE_HASH, props["value"], props["epoch"]
    raise InputError(
        f"unsupported pattern {pattern[:120]!r}: smsguard imports url:value, "
        f"domain-name:value, {SMS_TYPE}:fingerprint and {PHONE_HASH_TYPE} "
        "(algorithm, epoch, value)"
    )


def _comparisons(pattern: str) -> list[tuple[str, str, str]] | None:
    text = pattern.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    inner, pos, found = text[1:-1], 0, []
    while True:
        match = _COMPARISON.match(inner, pos)
        if match is None:
            return None
        object_type, prop, quoted = match.groups()
        found.append((object_type, prop, _UNESCAPE.sub(r"\1", quoted)))
        pos = match.end()
        if pos == len(inner):
            return found
        joined = _AND.match(inner, pos)
        if joined is None:
            return None
        pos = joined.end()


def _tlp(refs: object) -> Tlp:
    if not isinstance(refs, list) or not refs:
        raise InputError("no TLP marking (object_marking_refs is missing or empty)")
    unknown = [ref for ref in refs if ref not in _TLP_BY_ID]
    if unknown:
        raise InputError(f"unknown marking {unknown[0]!r}: only TLP markings are understood")
    tlps = {_TLP_BY_ID[ref] for ref in refs}
    if len(tlps) != 1:
        raise InputError("more than one TLP marking")
    return tlps.pop()


def _parse_timestamp(obj: Mapping[str, Any], name: str) -> datetime:
    raw = obj.get(name)
    match = _TIMESTAMP.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        raise InputError(f"{name} is missing or not a STIX timestamp")
    whole, fraction = match.groups()
    micros = int(((fraction or "") + "000000")[:6])
    try:
        value = datetime.fromisoformat(whole).replace(microsecond=micros, tzinfo=UTC)
    except ValueError as exc:
        raise InputError(f"{name} {raw!r} is not a valid instant") from exc
    # carried to the millisecond: truncate so export → import is exact
    return value.replace(microsecond=micros // 1000 * 1000)
