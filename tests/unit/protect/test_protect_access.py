from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smsguard.errors import AccessDenied, CryptoError, InputError
from smsguard.protect.access import (
    DEFAULT_POLICY,
    AuditEvent,
    MemoryAuditSink,
    Reveal,
    Revealer,
    Visibility,
)
from smsguard.protect.envelope import DataKeyRing

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ROW = {"tenant": "tenant-a", "field": "phone", "record_id": "r1"}


def _request(roles: set[str], purpose: str, field: str = "phone") -> Reveal:
    return Reveal("alice", frozenset(roles), purpose, "tenant-a", "r1", field)


def _revealer(ring: DataKeyRing, sink: MemoryAuditSink) -> Revealer:
    return Revealer(ring, sink, clock=lambda: NOW)


def test_allowed_role_and_purpose_see_the_full_number_and_are_audited(ring: DataKeyRing) -> None:
    sink = MemoryAuditSink()
    blob = ring.encrypt_field("+8613812345678", **ROW)
    request = _request({"compliance_officer"}, "complaint_handling")
    assert _revealer(ring, sink).reveal_phone(request, blob) == "+8613812345678"
    assert sink.events == [
        AuditEvent(
            "alice",
            ("compliance_officer",),
            "complaint_handling",
            "tenant-a",
            "r1",
            "phone",
            "full",
            NOW,
        )
    ]


def test_masked_roles_never_get_the_middle_digits(ring: DataKeyRing) -> None:
    sink = MemoryAuditSink()
    blob = ring.encrypt_field("13812345678", **ROW)
    shown = _revealer(ring, sink).reveal_phone(_request({"marketer"}, "campaign_review"), blob)
    assert shown == "138****5678"
    assert sink.events[0].outcome == "masked"


@pytest.mark.parametrize(
    ("roles", "purpose"),
    [({"marketer"}, "complaint_handling"), ({"admin"}, "curiosity"), (set(), "complaint_handling")],
)
def test_other_pairs_are_denied_and_the_attempt_is_audited(
    ring: DataKeyRing, roles: set[str], purpose: str
) -> None:
    sink = MemoryAuditSink()
    blob = ring.encrypt_field("13812345678", **ROW)
    with pytest.raises(AccessDenied) as info:
        _revealer(ring, sink).reveal_phone(_request(roles, purpose), blob)
    assert "5678" not in info.value.message
    assert [event.outcome for event in sink.events] == ["denied"]


def test_marketers_never_see_full_values_under_the_default_policy() -> None:
    assert all(
        visibility is not Visibility.FULL
        for (role, _), visibility in DEFAULT_POLICY.items()
        if role == "marketer"
    )


def test_the_widest_of_several_roles_wins(ring: DataKeyRing) -> None:
    blob = ring.encrypt_field("13812345678", **ROW)
    roles = {"marketer", "compliance_officer"}
    request = _request(roles, "complaint_handling")
    assert _revealer(ring, MemoryAuditSink()).reveal_phone(request, blob) == "13812345678"


class _BrokenSink:
    def record(self, event: AuditEvent) -> None:
        raise OSError("disk full")


def test_nothing_is_revealed_when_the_audit_write_fails(ring: DataKeyRing) -> None:
    blob = ring.encrypt_field("13812345678", **ROW)
    revealer = Revealer(ring, _BrokenSink())
    with pytest.raises(CryptoError, match="audit write failed") as info:
        revealer.reveal_phone(_request({"admin"}, "data_subject_request"), blob)
    assert "5678" not in str(info.value)


def test_other_fields_use_their_own_masks(ring: DataKeyRing) -> None:
    sink = MemoryAuditSink()
    revealer = _revealer(ring, sink)
    name = ring.encrypt_field("张小明", tenant="tenant-a", field="name", record_id="r1")
    request = _request({"support_agent"}, "customer_service", field="name")
    assert revealer.reveal(request, name) == "张**"
    with pytest.raises(InputError):
        revealer.reveal_phone(request, name)
    with pytest.raises(InputError):
        revealer.reveal(_request({"admin"}, "data_subject_request", field="notes"), name)
    assert [event.field for event in sink.events] == ["name"]


def test_a_ciphertext_from_another_row_is_not_revealed(ring: DataKeyRing) -> None:
    blob = ring.encrypt_field("13812345678", tenant="tenant-a", field="phone", record_id="r2")
    with pytest.raises(CryptoError):
        _revealer(ring, MemoryAuditSink()).reveal_phone(
            _request({"admin"}, "data_subject_request"), blob
        )
