"""The SMS leaf: salted commitments, canonical bytes, a parser that refuses other spellings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsguard.errors import LogError
from smsguard.tlog import leaf as leaves

SALT = bytes(range(32))
NUMBER = "+8613812345678"
TEXT = "【好借银行】您的还款日为6月1日。拒收请回复R"


def _leaf(**changes: object) -> leaves.SmsLeaf:
    fields: dict[str, object] = {
        "institution": "haojie",
        "template_version": "tv-3",
        "campaign": "c-7",
        "message": "m-1",
        "time": 1767225600,
        "commitment": leaves.commit(SALT, NUMBER, TEXT),
    }
    fields.update(changes)
    return leaves.SmsLeaf(**fields)  # type: ignore[arg-type]


def test_commitment_is_the_documented_encoding() -> None:
    import hashlib

    number, text = NUMBER.encode(), TEXT.encode()
    expected = hashlib.sha256(
        b"smsguard/tlog/sms-commitment/v1\x00"
        + SALT
        + len(number).to_bytes(4, "big")
        + number
        + len(text).to_bytes(4, "big")
        + text
    ).digest()
    assert leaves.commit(SALT, NUMBER, TEXT) == expected


def test_commitment_binds_salt_number_and_exact_text() -> None:
    leaf = _leaf()
    assert leaf.matches(SALT, NUMBER, TEXT)
    assert not leaf.matches(bytes(32), NUMBER, TEXT)
    assert not leaf.matches(SALT, "+8613812345679", TEXT)
    assert not leaf.matches(SALT, NUMBER, TEXT + " ")
    with pytest.raises(LogError, match="does not match the commitment"):
        leaves.verify_commitment(leaf, SALT, NUMBER, TEXT.replace("6月", "7月"))
    with pytest.raises(LogError, match=r"not an E.164"):
        leaves.commit(SALT, "13812345678", TEXT)
    with pytest.raises(LogError, match="salt is 16 bytes"):
        leaves.commit(SALT[:16], NUMBER, TEXT)


def test_serialisation_is_canonical_and_holds_no_number_or_text() -> None:
    raw = _leaf().to_bytes()
    assert raw.startswith(b'{"campaign":"c-7","commitment":"')
    assert NUMBER.encode() not in raw and "好借".encode() not in raw
    assert leaves.parse_leaf(raw) == _leaf()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: json.dumps(d, sort_keys=True),  # spaces
        lambda d: json.dumps(dict(reversed(list(d.items()))), separators=(",", ":")),
        lambda d: json.dumps({**d, "extra": 1}, sort_keys=True, separators=(",", ":")),
        lambda d: json.dumps({**d, "time": 1.5}, sort_keys=True, separators=(",", ":")),
        lambda d: json.dumps({**d, "v": 2}, sort_keys=True, separators=(",", ":")),
        lambda d: json.dumps({**d, "message": ""}, sort_keys=True, separators=(",", ":")),
        lambda d: json.dumps({**d, "commitment": "AB" * 32}, sort_keys=True, separators=(",", ":")),
        lambda d: json.dumps({**d, "campaign": "c 7"}, sort_keys=True, separators=(",", ":")),
        lambda d: "[]",
        lambda d: "{",
    ],
)
def test_parser_fails_closed(mutate: object) -> None:
    text = mutate(_leaf().to_dict())  # type: ignore[operator]
    with pytest.raises(LogError):
        leaves.parse_leaf(text.encode())


IDS = st.from_regex(r"[A-Za-z0-9._:@/+=-]{1,128}", fullmatch=True)


@given(IDS, IDS, IDS, IDS, st.integers(0, 2**63 - 1), st.binary(min_size=32, max_size=32))
def test_round_trip(a: str, b: str, c: str, d: str, time: int, commitment: bytes) -> None:
    leaf = leaves.SmsLeaf(a, b, c, d, time, commitment)
    assert leaves.parse_leaf(leaf.to_bytes()) == leaf


def test_jsonl_import_names_the_bad_line() -> None:
    good = json.dumps(_leaf().to_dict())
    assert leaves.leaves_from_jsonl(f"{good}\n\n{good}\n", institution="haojie") == [_leaf()] * 2
    with pytest.raises(LogError, match="line 2: not a JSON object"):
        leaves.leaves_from_jsonl(f"{good}\n{{oops\n", institution="haojie")
    with pytest.raises(LogError, match="line 1: entry of 'haojie' in 'other'"):
        leaves.leaves_from_jsonl(good, institution="other")
