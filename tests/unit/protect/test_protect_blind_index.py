from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsguard.errors import CryptoError, InputError
from smsguard.protect.blind_index import BlindIndexer

KEY = bytes(range(32))


def test_every_spelling_of_a_number_finds_the_same_index() -> None:
    indexer = BlindIndexer(KEY)
    values = {indexer.index(raw) for raw in ("13812345678", "+86 138-1234-5678", "008613812345678")}
    assert len(values) == 1
    assert len(values.pop()) == 16


def test_index_depends_on_the_key_and_is_no_plain_hash() -> None:
    number = "+8613812345678"
    a, b = BlindIndexer(KEY).index(number), BlindIndexer(bytes(32)).index(number)
    assert a != b
    for name in ("md5", "sha1", "sha256", "sha512"):
        assert hashlib.new(name, number.encode()).digest()[:16] != a


def test_tenants_get_unlinkable_indexes_from_one_master_key() -> None:
    a = BlindIndexer.for_tenant(KEY, "tenant-a").index("13812345678")
    b = BlindIndexer.for_tenant(KEY, "tenant-b").index("13812345678")
    assert a != b
    assert BlindIndexer.for_tenant(KEY, "tenant-a").index("+8613812345678") == a


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_distinct_numbers_get_distinct_indexes(number: str) -> None:
    indexer = BlindIndexer(KEY)
    neighbour = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert indexer.index(number) != indexer.index(neighbour)


def test_short_keys_and_bad_numbers_are_refused() -> None:
    with pytest.raises(CryptoError):
        BlindIndexer(b"short")
    with pytest.raises(CryptoError):
        BlindIndexer.for_tenant(b"short", "t")
    with pytest.raises(InputError) as info:
        BlindIndexer(KEY).index("1281234567")
    assert "1234567" not in info.value.message
    assert "00" not in repr(BlindIndexer(KEY))
