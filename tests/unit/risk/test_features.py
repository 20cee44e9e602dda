"""The n-gram hashing that training and scoring share."""

from __future__ import annotations

import numpy as np

from smsguard.risk.features import (
    GramIndex,
    claim_slots,
    gram_hashes,
    linear_scores,
    merge_phrases,
    string_hashes,
    table_bits,
)


def _spelled(texts: list[str], ngram_range: tuple[int, int] = (1, 4)) -> list[list[str]]:
    grams = gram_hashes(texts, ngram_range)
    out: list[list[str]] = [[] for _ in texts]
    for i in range(len(grams.hashes)):
        out[int(grams.rows[i])].append(grams.gram(i))
    return out


def test_grams_are_padded_and_never_cross_messages() -> None:
    first, second = _spelled(["ab", "贷款"], (1, 3))
    assert sorted(first) == sorted(["a", "b", " a", "ab", "b ", " ab", "ab "])
    assert " " not in first  # the lone space is no feature
    assert "b 贷" not in first + second and "贷款 " in second


def test_hash_in_context_equals_hash_of_the_string() -> None:
    grams = gram_hashes(["win a prize 0", "立即登录 ↗"])
    spelled = [grams.gram(i) for i in range(len(grams.hashes))]
    assert np.array_equal(string_hashes(spelled), grams.hashes)
    assert len(set(string_hashes(["ab", "ba", "a", "b"]).tolist())) == 4


def test_index_finds_only_vocabulary_grams() -> None:
    vocabulary = ["登录", "冻结", " wi"]
    index = GramIndex(string_hashes(vocabulary), 12, (1, 4))
    grams, ids = index.lookup(["账户冻结 请登录", "win"])
    found = {(int(grams.rows[i]), grams.gram(i), int(ids[i])) for i in np.flatnonzero(ids >= 0)}
    assert found == {(0, "冻结", 1), (0, "登录", 0), (1, " wi", 2)}


def test_linear_scores_normalise_each_row() -> None:
    weights = np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    idf_squared = np.array([1.0, 1.0], dtype=np.float32)
    rows = np.array([0, 0, 1], dtype=np.int64)
    ids = np.array([0, 1, 0], dtype=np.int64)
    columns = [np.ascontiguousarray(weights[:, k], dtype=np.float64) for k in range(2)]
    scores = linear_scores(3, rows, ids, columns, idf_squared.astype(np.float64))
    assert np.allclose(scores, [[1 / np.sqrt(2), 2 / np.sqrt(2)], [1.0, 0.0], [0.0, 0.0]])


def test_overlapping_grams_merge_into_one_phrase() -> None:
    text = " 账户冻结了 请登录 "
    spans = [(3, 5, 1.0), (4, 6, 0.5), (8, 10, 0.75)]
    assert merge_phrases(text, spans) == [("冻结了", 1.5), ("登录", 0.75)]


def test_a_slot_clash_keeps_the_preferred_gram_and_respects_the_limit() -> None:
    top = np.uint64(1) << np.uint64(52)  # with 12 bits, the slot is hash >> 52
    hashes = np.array([5, 5, 7], dtype=np.uint64) * top + np.array([0, 1, 0], dtype=np.uint64)
    assert claim_slots(hashes, [1, 0, 2], 12, 10) == [1, 2]
    assert claim_slots(hashes, [0, 1, 2], 12, 10) == [0, 2]
    assert claim_slots(hashes, [2, 1, 0], 12, 1) == [2]
    assert table_bits(200_000) == 20 and table_bits(10) == 12
