"""STIX translation: round trips, validity for stix2 and the OASIS validator, refusals."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import stix2
from intel_stix_samples import every_kind, sample
from stix2patterns.validator import validate as validate_pattern
from stix2validator import ValidationOptions, validate_instance

from smsguard.errors import InputError
from smsguard.intel.model import Indicator, Kind, Tlp
from smsguard.intel.stix import (
    PHONE_HASH_EXTENSION,
    SMS_EXTENSION,
    TLP_MARKINGS,
    bundle_of,
    identity_id,
    schema_dir,
    timestamp,
)
from smsguard.intel.stix_import import indicators_from_bundle, parse_pattern

# Strict: every SHOULD is an error and no custom property on a standard object; only the
# UUIDv4 recommendation is off (smsguard ids are UUIDv5 so that they are stable, by design).
STRICT = {"version": "2.1", "strict": True, "strict_properties": True, "disabled": "uuid-check"}


@pytest.fixture
def indicators() -> list[Indicator]:
    return every_kind()


def _validate(instance: dict[str, Any], **extra: Any) -> Any:
    return validate_instance(instance, ValidationOptions(**{**STRICT, **extra}))


def _indicator_objects(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == "indicator"]


def test_every_kind_round_trips(indicators: list[Indicator]) -> None:
    bundle = bundle_of(indicators, "haojie")
    back, problems = indicators_from_bundle(json.loads(json.dumps(bundle)))
    assert problems == []
    assert back == indicators


def test_round_trip_keeps_every_tlp_and_the_revoked_flag() -> None:
    items = [sample(Kind.DOMAIN, f"d{i}.cn", tlp=tlp) for i, tlp in enumerate(Tlp)]
    items.append(sample(Kind.DOMAIN, "gone.cn", revoked=True))
    back, _ = indicators_from_bundle(bundle_of(items, "haojie"))
    assert [(i.tlp, i.revoked) for i in back] == [(i.tlp, i.revoked) for i in items]


def test_instants_travel_to_the_millisecond() -> None:
    item = sample(Kind.DOMAIN, "a.cn")
    fine = sample(Kind.DOMAIN, "a.cn", first_seen=item.first_seen.replace(microsecond=123456))
    (back,), _ = indicators_from_bundle(bundle_of([fine], "haojie"))
    assert back.first_seen == item.first_seen


def test_modified_is_the_latest_change_not_only_the_last_sighting() -> None:
    """A revocation or confidence change without a new sighting is a new STIX version."""
    seen = sample(Kind.DOMAIN, "a.cn")
    later = seen.last_seen + timedelta(days=2)
    changed = replace(seen, revoked=True, modified=later)
    before = replace(seen, modified=seen.first_seen)  # never earlier than last_seen
    objects = bundle_of([seen, changed, before], "haojie")["objects"]
    modified = [o["modified"] for o in objects if o["type"] == "indicator"]
    assert modified == [timestamp(seen.last_seen), timestamp(later), timestamp(seen.last_seen)]
    result = _validate(bundle_of([changed], "haojie"))
    assert result.is_valid, [str(e) for e in result.errors]
    (back,), _ = indicators_from_bundle(bundle_of([changed], "haojie"))
    assert back.last_seen == later and back.revoked and back == replace(changed, last_seen=later)


def test_bundle_passes_the_oasis_validator_strictly(indicators: list[Indicator]) -> None:
    result = _validate(bundle_of(indicators, "haojie"))
    assert result.is_valid, [str(e) for e in result.errors]
    assert result.warnings == []


def test_bundle_passes_the_default_validator_with_only_the_uuid_remark() -> None:
    result = validate_instance(bundle_of(every_kind(), "haojie"), ValidationOptions())
    assert result.is_valid
    assert all("UUIDv4" in str(w) for w in result.warnings)


def test_stix2_library_builds_every_object(indicators: list[Indicator]) -> None:
    bundle = bundle_of(indicators, "haojie")
    parsed = stix2.parse(bundle, allow_custom=True)
    assert len(parsed.objects) == len(bundle["objects"])
    for obj in _indicator_objects(bundle):  # full validation, patterns included
        built = stix2.v21.Indicator(**obj)
        assert json.loads(built.serialize()) == obj
        assert validate_pattern(obj["pattern"], stix_version="2.1")


def test_tlp_markings_are_present_and_official(indicators: list[Indicator]) -> None:
    bundle = bundle_of(indicators, "haojie")
    markings = {o["id"]: o for o in bundle["objects"] if o["type"] == "marking-definition"}
    for item, obj in zip(indicators, _indicator_objects(bundle), strict=True):
        assert obj["object_marking_refs"] == [TLP_MARKINGS[item.tlp]]
        marking = markings[TLP_MARKINGS[item.tlp]]
        assert marking["name"] == "TLP:" + item.tlp.value.upper()
    assert TLP_MARKINGS[Tlp.CLEAR] == "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    assert TLP_MARKINGS[Tlp.RED] == "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


def test_ids_are_stable_across_exports(indicators: list[Indicator]) -> None:
    first, second = bundle_of(indicators, "haojie"), bundle_of(list(indicators), "haojie")
    assert first["id"] != second["id"]
    assert first["objects"] == second["objects"]
    assert [o["id"] for o in _indicator_objects(first)] == [i.stix_id for i in indicators]


def test_source_identity_is_derived_from_the_code(indicators: list[Indicator]) -> None:
    bundle = bundle_of(indicators, "zhongyuan")
    ids = {o["id"]: o["name"] for o in bundle["objects"] if o["type"] == "identity"}
    assert ids[identity_id("haojie")] == "haojie"
    assert ids[identity_id("zhongyuan")] == "zhongyuan"
    assert all(o["created_by_ref"] == identity_id("haojie") for o in _indicator_objects(bundle))


def test_extension_definitions_are_in_the_bundle_and_declare_new_scos() -> None:
    bundle = bundle_of(every_kind(), "haojie")
    found = {o["id"]: o for o in bundle["objects"] if o["type"] == "extension-definition"}
    assert set(found) == {SMS_EXTENSION, PHONE_HASH_EXTENSION}
    assert {o["name"] for o in found.values()} == {"x-smsguard-sms", "x-smsguard-phone-hash"}
    assert all(o["extension_types"] == ["new-sco"] for o in found.values())


def _sco(kind: str, **props: Any) -> dict[str, Any]:
    ext = SMS_EXTENSION if kind == "x-smsguard-sms" else PHONE_HASH_EXTENSION
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--0b6a3c1e-64f4-5e0a-9a0f-1b2c3d4e5f60",
        "extensions": {ext: {"extension_type": "new-sco"}},
        **props,
    }


def test_custom_objects_validate_against_their_declared_extension_schema() -> None:
    good = [
        _sco("x-smsguard-sms", fingerprint="0f" * 32),
        _sco(
            "x-smsguard-phone-hash",
            value="a" * 64,
            epoch="2026-11",
            algorithm="hmac-sha256-consortium",
        ),
    ]
    for obj in good:
        result = _validate(obj, schema_dir=schema_dir())
        assert result.is_valid, [str(e) for e in result.errors]
    bad = _sco("x-smsguard-phone-hash", value="a" * 64, epoch="2026-11", algorithm="sha256")
    assert not _validate(bad, schema_dir=schema_dir()).is_valid
    number = _sco(
        "x-smsguard-phone-hash",
        value="+8613812345678",
        epoch="2026-11",
        algorithm="hmac-sha256-consortium",
    )
    assert not _validate(number, schema_dir=schema_dir()).is_valid


def test_export_refuses_an_indicator_stix_cannot_express() -> None:
    item = sample(Kind.DOMAIN, "a.cn", expires_at=sample(Kind.DOMAIN, "a.cn").first_seen)
    with pytest.raises(InputError, match="valid_until after valid_from"):
        bundle_of([item], "haojie")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("[ipv4-addr:value = '1.2.3.4']", "unsupported pattern"),
        ("[url:value = 'http://a.cn/' OR url:value = 'http://b.cn/']", "unsupported pattern"),
        ("[url:value = 'http://a.cn/'] REPEATS 2 TIMES", "unsupported pattern"),
        ("[url:value LIKE 'http://a.cn/%']", "unsupported pattern"),
        ("[url:value = 'http://a.cn/' AND domain-name:value = 'a.cn']", "mixes objects"),
        ("[x-smsguard-phone-hash:value = '" + "a" * 64 + "']", "unsupported pattern"),
        (
            "[x-smsguard-phone-hash:algorithm = 'sha256' AND x-smsguard-phone-hash:epoch = "
            "'2026-11' AND x-smsguard-phone-hash:value = '" + "a" * 64 + "']",
            "algorithm 'sha256'",
        ),
        ("url:value = 'http://a.cn/'", "unsupported pattern"),
    ],
)
def test_unknown_patterns_are_refused_with_a_reason(pattern: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_pattern(pattern)


def test_patterns_parse_in_any_order_and_spacing() -> None:
    text = (
        "[ x-smsguard-phone-hash:value='" + "a" * 64 + "'  AND x-smsguard-phone-hash:epoch = "
        "'2026-11' AND x-smsguard-phone-hash:algorithm = 'hmac-sha256-consortium' ]"
    )
    assert parse_pattern(text) == (Kind.PHONE_HASH, "a" * 64, "2026-11")


def _tampered(change: Any) -> tuple[list[Indicator], list[Any]]:
    bundle = bundle_of(every_kind(), "haojie")
    change(_indicator_objects(bundle)[0], bundle)
    return indicators_from_bundle(bundle)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda o, b: o.update(pattern="[ipv4-addr:value = '1.2.3.4']"), "unsupported pattern"),
        (lambda o, b: o.update(pattern_type="sigma"), "pattern_type"),
        (lambda o, b: o.update(object_marking_refs=[]), "no TLP marking"),
        (lambda o, b: o.pop("object_marking_refs"), "no TLP marking"),
        (
            lambda o, b: o.update(
                object_marking_refs=[
                    "marking-definition--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12
                ]
            ),
            "unknown marking",
        ),
        (
            lambda o, b: o.update(
                created_by_ref="identity--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12
            ),
            "created_by_ref",
        ),
        (lambda o, b: o.update(confidence=101), "confidence"),
        (lambda o, b: o.update(confidence="80"), "confidence"),
        (lambda o, b: o.update(valid_until="soon"), "valid_until"),
        (
            lambda o, b: o.update(id="indicator--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12),
            "derives",
        ),
        (lambda o, b: o.update(pattern="[url:value = 'HTTP://A.CN']"), "not normalised"),
        (lambda o, b: o.update(revoked="yes"), "revoked"),
    ],
)
def test_untrustworthy_indicators_become_problems_not_crashes(change: Any, reason: str) -> None:
    back, problems = _tampered(change)
    assert len(back) == len(every_kind()) - 1
    assert len(problems) == 1
    assert reason in problems[0].reason


def test_a_forged_identity_is_not_believed() -> None:
    def forge(obj: dict[str, Any], bundle: dict[str, Any]) -> None:
        for other in bundle["objects"]:
            if other["type"] == "identity" and other["name"] == "haojie":
                other["name"] = "zhongyuan"  # the id no longer derives from the name

    back, problems = _tampered(forge)
    assert back == [] and len(problems) == len(every_kind())


def test_indicators_from_another_source_than_the_producer_are_refused() -> None:
    bundle = bundle_of(every_kind(), "haojie")
    back, problems = indicators_from_bundle(bundle, producer="zhongyuan")
    assert back == []
    assert all("claims source 'haojie'" in p.reason for p in problems)


def test_duplicates_and_junk_objects_are_reported() -> None:
    bundle = bundle_of(every_kind(), "haojie")
    bundle["objects"].append(copy.deepcopy(_indicator_objects(bundle)[0]))
    bundle["objects"].append("not an object")
    back, problems = indicators_from_bundle(bundle)
    assert len(back) == len(every_kind())
    assert [p.reason for p in problems] == [
        "the same indicator appears twice in the bundle",
        "not a JSON object",
    ]


@pytest.mark.parametrize(
    "junk", [None, [], {"type": "indicator"}, {"type": "bundle", "objects": {}}]
)
def test_what_is_not_a_bundle_is_an_input_error(junk: object) -> None:
    with pytest.raises(InputError):
        indicators_from_bundle(junk)
