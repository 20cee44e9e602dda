"""Signatures estimate Jaccard similarity, independently of how texts are batched."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

from smsguard.fingerprints import signature
from smsguard.fingerprints.signature import (
    BANDS,
    WORDS,
    agreement,
    signatures,
    signatures_of_fingerprints,
    similarity,
)
from smsguard.fingerprints.synthetic import SyntheticTemplate, edit_characters
from smsguard.fingerprints.text import fingerprint_text


def shingles(fingerprint: str) -> set[str]:
    """The shingles signature.py hashes, written out plainly as the reference."""
    return {
        fingerprint[i : i + (3 if "a" <= fingerprint[i] <= "z" else 2)]
        for i in range(len(fingerprint) - 1)
    }


def jaccard(first: str, second: str) -> float:
    a, b = shingles(fingerprint_text(first)), shingles(fingerprint_text(second))
    return len(a & b) / len(a | b)


def estimate(first: str, second: str) -> float:
    bits = signatures([first, second]).bits
    one, two = np.array([0]), np.array([1])
    return float(similarity(agreement(bits, one, bits, two))[0])


def test_a_signature_does_not_depend_on_its_batch(templates: list[SyntheticTemplate]) -> None:
    texts = [template.fill(n) for n, template in enumerate(templates[:60])]
    together = signatures(texts)
    alone = [signatures([text]) for text in texts]
    assert together.keys.shape == (60, BANDS) and together.bits.shape == (60, WORDS)
    assert np.array_equal(together.keys, np.concatenate([one.keys for one in alone]))
    assert np.array_equal(together.bits, np.concatenate([one.bits for one in alone]))


def test_signatures_are_fixed_constants_of_the_text() -> None:
    """Stored indexes rely on it: a text signs the same way in every process and release.

    If this fails after a deliberate change to the shingles, hashes or text rules, bump
    ``TEXT_VERSION`` or ``SCHEME`` (old index files then refuse to load), rebuild the seed
    index and update the digest here.
    """
    texts = [
        "【工商银行】您的账户已被冻结，请点击链接验证身份并缴纳解冻费",
        "Your parcel is waiting, pay the customs fee at http://x-y.top today",
    ]
    signed = signatures(texts)
    digest = hashlib.sha256(signed.keys.tobytes() + signed.bits.tobytes()).hexdigest()
    assert digest[:16] == "2ffc0d2838a98a2f"
    assert len(set(signed.keys[0].tolist())) == BANDS  # distinct digests, no empty bands


def test_the_estimate_tracks_exact_jaccard(templates: list[SyntheticTemplate]) -> None:
    rng = random.Random(3)
    errors = []
    for number, template in enumerate(templates[:150]):
        text = template.fill(number)
        edited = edit_characters(text, rng, rate=rng.uniform(0.0, 0.3))
        errors.append(estimate(text, edited) - jaccard(text, edited))
    assert abs(float(np.mean(errors))) < 0.02  # unbiased
    assert float(np.std(errors)) < 0.06  # 256 slots: about 0.03 expected


def test_identical_and_unrelated_texts() -> None:
    text = "您的快递因地址不详被退回，请登录链接重新填写收货信息，逾期将销毁"
    other = "Your electricity bill for March is ready, log in to view and pay by direct debit"
    assert estimate(text, text) == 1.0
    assert estimate(text, other) < 0.05


def test_short_texts_are_unusable_and_sign_as_zeros() -> None:
    signed = signatures_of_fingerprints(["好的", "ok see you", "", fingerprint_text("您好" * 10)])
    assert signed.usable.tolist() == [False, False, False, True]
    assert not signed.keys[:3].any() and not signed.bits[:3].any()


def test_content_counts_letters_at_half_weight() -> None:
    """Eight ideographs suffice; eight Latin letters carry too little, sixteen do."""
    signed = signatures_of_fingerprints(["验证身份缴纳费用", "abcdefgh", "abcdefghijklmnop"])
    assert signed.usable.tolist() == [True, False, True]


def test_the_popcount_fallback_counts_like_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """NumPy before 2.0 has no ``bitwise_count``; the byte-table fallback must agree."""
    words = np.array([[0, 1, 2**64 - 1], [0x5555555555555555, 2**63, 12345]], dtype=np.uint64)
    expected = [[0, 1, 64], [32, 1, bin(12345).count("1")]]
    assert signature._popcount(words).tolist() == expected
    monkeypatch.delattr(np, "bitwise_count", raising=False)
    assert signature._popcount(words).tolist() == expected


def test_two_bit_agreement_counts_equal_slots() -> None:
    """Slots agree when both of their bits agree; a difference in either bit breaks it."""
    stored = np.zeros((1, WORDS), dtype=np.uint64)
    query = np.zeros((1, WORDS), dtype=np.uint64)
    query[0, 0] = np.uint64(0b01 | 0b10 << 2 | 0b11 << 4)  # three slots differ
    share = agreement(stored, np.array([0]), query, np.array([0]))
    assert share.tolist() == [(WORDS * 32 - 3) / (WORDS * 32)]
