"""Leak-free splits: near-duplicates cluster together and whole clusters stay on one side."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from smsguard.training.corpora import Example
from smsguard.training.splits import (
    ClusterParams,
    Pool,
    cluster_summary,
    connected_components,
    exact_groups,
    group_split,
    leave_out,
    minhash_signatures,
    near_duplicate_groups,
)

TEMPLATE = "Dear {name}, your parcel {code} is held at the depot, pay the fee of {fee} at the link"
NAMES = ("Alice", "Bongani", "Chen", "Dmitri", "Eve", "Farah")
UNRELATED = (
    "are we still meeting for lunch near the old bridge tomorrow",
    "the quarterly report is attached, please review section three",
    "congratulations on the new baby, she looks just like you",
    "football practice moved indoors because of the storm warning",
)


def _examples(texts: Sequence[str], label: str, source: str) -> list[Example]:
    return [Example(text, label, source) for text in texts]


def _variants(count: int, stem: str = "") -> list[str]:
    return [
        stem + TEMPLATE.format(name=NAMES[i % len(NAMES)], code=1000 + i, fee=f"{i}.99")
        for i in range(count)
    ]


def _filler(count: int, word: str) -> list[str]:
    """Texts that share no long character runs with each other."""
    rng = np.random.default_rng([count, *map(ord, word)])
    alphabet = list("abcdefghijklmnopqrstuvwxyz")
    return [f"{word} " + "".join(rng.choice(alphabet, size=40)) for _ in range(count)]


def test_template_copies_share_a_cluster_and_unrelated_texts_do_not() -> None:
    texts = [*_variants(6), *UNRELATED]
    groups = near_duplicate_groups(texts)
    assert len(set(groups[:6].tolist())) == 1
    assert len(set(groups.tolist())) == 1 + len(UNRELATED)


def test_chinese_template_with_changed_name_and_amount_is_a_near_duplicate() -> None:
    texts = [
        "【好借】尊敬的王先生，您的额度已提升至50000元，回复Y立即领取，退订回T",
        "【好借】尊敬的李女士，您的额度已提升至80000元，回复Y立即领取，退订回T",
        "今晚加班，晚饭你们先吃吧，不用等我",
    ]
    groups = near_duplicate_groups(texts)
    assert groups[0] == groups[1] != groups[2]


def test_signatures_are_seeded_and_identical_texts_get_identical_rows() -> None:
    keys = ["same text here", "same text here", "something else entirely"]
    first = minhash_signatures(keys, ClusterParams(seed=5))
    again = minhash_signatures(keys, ClusterParams(seed=5))
    other = minhash_signatures(keys, ClusterParams(seed=6))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.array_equal(first[0], first[1])
    assert (first[0] == first[2]).mean() < 0.3


def test_short_and_empty_texts_still_get_a_signature() -> None:
    groups = near_duplicate_groups(["ok", "", '"', "ok"])
    assert groups[0] == groups[3]
    assert groups[1] == groups[2]  # both canonicalise to nothing
    assert groups[0] != groups[1]


def test_connected_components_follow_chains_and_label_by_smallest_member() -> None:
    left = np.array([4, 3, 2, 7], dtype=np.int64)
    right = np.array([3, 2, 1, 6], dtype=np.int64)
    labels = connected_components(8, left, right)
    assert labels.tolist() == [0, 1, 1, 1, 1, 5, 6, 6]


def test_exact_groups_fold_digits_case_and_punctuation() -> None:
    groups = exact_groups(["Call 0800 123!", "call 0900 999", "call me"])
    assert groups[0] == groups[1] != groups[2]


def _pool_with_clusters() -> tuple[Pool, np.ndarray]:
    corpora = {
        "a": _examples(_variants(10, "offer "), "spam", "a")
        + _examples(_filler(40, "hello"), "ham", "a"),
        "b": _examples(_filler(30, "news"), "ham", "b")
        + _examples(_variants(5, "promo "), "spam", "b"),
    }
    pool = Pool.of(corpora)
    return pool, near_duplicate_groups(pool.texts)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_cluster_split_never_puts_one_cluster_on_both_sides(seed: int) -> None:
    pool, groups = _pool_with_clusters()
    split = group_split(pool, groups, scheme="cluster", seed=seed)
    group_of = {example.text: int(g) for example, g in zip(pool.examples, groups, strict=True)}
    train = {group_of[e.text] for e in split.train}
    test = {group_of[e.text] for items in split.test.values() for e in items}
    assert train and test
    assert not train & test


def test_cluster_split_is_stratified_close_to_the_fraction() -> None:
    corpora = {
        "a": _examples(_filler(200, "chat"), "ham", "a")
        + _examples(_filler(50, "buy"), "spam", "a")
    }
    pool = Pool.of(corpora)
    split = group_split(
        pool, near_duplicate_groups(pool.texts), scheme="cluster", test_fraction=0.2
    )
    labels = [e.label for e in split.test["a"]]
    assert labels.count("ham") == 40
    assert labels.count("spam") == 10
    assert len(split.train) == 200


def test_text_in_two_corpora_lands_on_the_same_side_for_both() -> None:
    """The UCI / Mishra-Soni situation: shared texts (and near copies) never straddle."""
    shared = _filler(30, "shared")
    near_copies = _variants(8)
    uci = _examples(shared + near_copies[:4] + _filler(20, "uci"), "ham", "uci")
    mishra = _examples(shared + near_copies[4:] + _filler(20, "mishra"), "ham", "mishra_soni")
    pool = Pool.of({"uci": uci, "mishra_soni": mishra})
    tested = 0
    for seed in range(5):
        split = group_split(pool, near_duplicate_groups(pool.texts), scheme="cluster", seed=seed)
        trained = {e.text for e in split.train}
        uci_test = {e.text for e in split.test.get("uci", ())}
        mishra_test = {e.text for e in split.test.get("mishra_soni", ())}
        for text in shared:
            assert (text in uci_test) == (text in mishra_test) == (text not in trained)
        tested += len(uci_test & set(shared))
        assert len({t in trained for t in near_copies}) == 1
    assert tested  # the check above was not vacuous


def test_test_only_corpus_pulls_its_clusters_and_train_only_copies_are_dropped() -> None:
    unseen = _variants(3)[:1] + _filler(5, "unseen")
    train = _variants(6)[1:] + _filler(20, "train")
    other = _variants(9)[6:] + _filler(20, "other")
    pool = Pool.of(
        {
            "mudou_unseen": _examples(unseen, "spam", "mudou_unseen"),
            "mudou_train": _examples(train, "spam", "mudou_train"),
            "uci": _examples(other, "spam", "uci"),
        }
    )
    split = group_split(
        pool,
        near_duplicate_groups(pool.texts),
        scheme="cluster",
        test_only=["mudou_unseen"],
        train_only=["mudou_train"],
    )
    assert {e.text for e in split.test["mudou_unseen"]} == set(unseen)
    assert "mudou_train" not in split.test
    trained = {e.text for e in split.train}
    assert not trained & set(_variants(9))  # the template is on the test side only
    assert split.dropped == 5  # mudou-train's template copies can be neither train nor test
    assert {t for t in _variants(9)[6:]} <= {e.text for e in split.test["uci"]}


def test_leave_out_drops_every_cluster_that_touches_the_held_out_corpus() -> None:
    shared = _filler(10, "both")
    pool = Pool.of(
        {
            "uci": _examples(shared + _variants(3) + _filler(10, "uci"), "ham", "uci"),
            "mishra_soni": _examples(
                shared + _variants(6)[3:] + _filler(7, "mishra"), "ham", "mishra_soni"
            ),
            "sms80w": _examples(_filler(12, "zh"), "spam", "sms80w"),
        }
    )
    split = leave_out(pool, near_duplicate_groups(pool.texts), ["uci"], scheme="lodo")
    assert len(split.test["uci"]) == 23
    assert {e.source for e in split.train} == {"mishra_soni", "sms80w"}
    assert len(split.train) == 7 + 12
    assert split.dropped == 10 + 3


def test_cluster_summary_counts_spanning_clusters() -> None:
    pool = Pool.of(
        {
            "a": _examples(["same words in both sets", "only in a, nothing alike"], "ham", "a"),
            "b": _examples(["same words in both sets"], "ham", "b"),
        }
    )
    summary = cluster_summary(pool, near_duplicate_groups(pool.texts), ClusterParams())
    assert summary["clusters"] == 2
    assert summary["largest"] == 2
    assert summary["spanning_corpora"] == 1
    assert summary["per_corpus"] == {"a": 2, "b": 1}
