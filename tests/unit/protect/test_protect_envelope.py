from __future__ import annotations

import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsguard.errors import CryptoError
from smsguard.protect.envelope import DataKeyRing
from smsguard.protect.keys import StaticKeyProvider

ROW = {"tenant": "tenant-a", "field": "phone", "record_id": "r1"}


@given(st.text(max_size=200), st.text(min_size=1, max_size=20))
def test_round_trip_for_any_text(plaintext: str, record_id: str) -> None:
    ring = DataKeyRing(StaticKeyProvider({"m": b"m" * 32}, active="m"))
    ring.new_data_key("t")
    blob = ring.encrypt_field(plaintext, tenant="t", field="name", record_id=record_id)
    assert ring.decrypt_field(blob, tenant="t", field="name", record_id=record_id) == plaintext


def test_same_value_encrypts_differently_each_time(ring: DataKeyRing) -> None:
    first, second = (ring.encrypt_field("13812345678", **ROW) for _ in range(2))
    assert first != second
    assert b"13812345678" not in first


@pytest.mark.parametrize(
    "moved",
    [
        {"tenant": "tenant-b"},
        {"field": "name"},
        {"record_id": "r2"},
    ],
)
def test_ciphertext_moved_to_another_tenant_field_or_row_fails(
    ring: DataKeyRing, moved: dict[str, str]
) -> None:
    blob = ring.encrypt_field("13812345678", **ROW)
    with pytest.raises(CryptoError) as info:
        ring.decrypt_field(blob, **{**ROW, **moved})
    assert "13812345678" not in info.value.message


def test_tampered_or_foreign_blobs_fail(ring: DataKeyRing) -> None:
    blob = ring.encrypt_field("13812345678", **ROW)
    with pytest.raises(CryptoError):
        ring.decrypt_field(blob[:-1] + bytes([blob[-1] ^ 1]), **ROW)
    with pytest.raises(CryptoError, match="not a smsguard ciphertext"):
        ring.decrypt_field(b"\x02" + blob[1:], **ROW)
    with pytest.raises(CryptoError, match="not a smsguard ciphertext"):
        ring.decrypt_field(b"short", **ROW)


def test_encrypting_for_a_tenant_without_key_fails(ring: DataKeyRing) -> None:
    with pytest.raises(CryptoError, match="no data key"):
        ring.encrypt_field("x", tenant="nobody", field="phone", record_id="r1")


def test_data_key_rotation_keeps_old_ciphertexts_readable(ring: DataKeyRing) -> None:
    old = ring.encrypt_field("old", **ROW)
    ring.new_data_key("tenant-a")
    new = ring.encrypt_field("new", **ROW)
    assert old[1:9] != new[1:9]  # a different data key id in the header
    assert ring.decrypt_field(old, **ROW) == "old"
    assert ring.decrypt_field(new, **ROW) == "new"


def test_master_rotation_rewraps_and_a_reloaded_ring_reads_old_data() -> None:
    first = StaticKeyProvider({"mk-1": secrets.token_bytes(32)}, active="mk-1")
    ring = DataKeyRing(first)
    stored = [ring.new_data_key("tenant-a"), ring.new_data_key("tenant-a")]
    blob = ring.encrypt_field("13812345678", **ROW)
    keys = {"mk-1": secrets.token_bytes(32), "mk-2": secrets.token_bytes(32)}
    second = StaticKeyProvider(keys, active="mk-2")
    rewrapped = ring.rotate_master(second)
    assert {w.wrapped.master_key_id for w in rewrapped} == {"mk-2"}
    assert [(w.dek_id, w.generation) for w in rewrapped] == [
        (w.dek_id, w.generation) for w in stored
    ]
    assert ring.decrypt_field(blob, **ROW) == "13812345678"  # no downtime in the live ring
    only_new = StaticKeyProvider({"mk-2": keys["mk-2"]}, active="mk-2")
    reloaded = DataKeyRing.load(only_new, rewrapped)
    assert reloaded.decrypt_field(blob, **ROW) == "13812345678"
    with pytest.raises(CryptoError):
        DataKeyRing.load(only_new, stored)  # old wraps need the old master key


def test_loaded_ring_encrypts_with_the_newest_generation(ring: DataKeyRing) -> None:
    provider = StaticKeyProvider({"m": b"m" * 32}, active="m")
    source = DataKeyRing(provider)
    stored = [source.new_data_key("t") for _ in range(3)]
    loaded = DataKeyRing.load(provider, reversed(stored))
    blob = loaded.encrypt_field("x", tenant="t", field="phone", record_id="r")
    assert blob[1:9].hex() == stored[-1].dek_id


def test_field_and_record_boundaries_cannot_be_shifted(ring: DataKeyRing) -> None:
    blob = ring.encrypt_field("x", tenant="tenant-a", field="phone", record_id="1r")
    with pytest.raises(CryptoError):
        ring.decrypt_field(blob, tenant="tenant-a", field="phone1", record_id="r")
