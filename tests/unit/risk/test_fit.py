"""Training: determinism, calibration, the operating point and bad input."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pytest

from smsguard.errors import InputError
from smsguard.risk.model import RiskModel
from smsguard.training.corpora import Corpus, Example
from smsguard.training.fit import (
    TrainConfig,
    fit_temperature,
    train_baseline,
    train_model,
)
from smsguard.training.operating import choose_script_thresholds, choose_thresholds

CONFIG = TrainConfig(created="2024-01-01")


def test_same_data_and_seed_give_the_same_bytes(
    small_corpus: Corpus, small_model: RiskModel
) -> None:
    again = train_model(small_corpus.examples, CONFIG, data_hashes={"small": small_corpus.sha256})
    assert again.to_bytes() == small_model.to_bytes()


def test_another_seed_holds_out_other_rows(small_corpus: Corpus, small_model: RiskModel) -> None:
    other = train_model(small_corpus.examples, replace(CONFIG, seed=7, refit=False))
    assert other.to_bytes() != small_model.to_bytes()


def test_metadata_records_data_config_and_operating_point(small_model: RiskModel) -> None:
    meta = small_model.metadata
    assert meta["data_sha256"]["small"] and meta["config"]["seed"] == 13
    assert meta["created"] == "2024-01-01"
    assert meta["rows"]["small"] == {"fraud": 16, "ham": 24, "spam": 20}
    point = meta["operating_point"]
    assert point["thresholds"] == small_model.thresholds
    for script in ("han", "latin"):
        part = point["by_script"][script]
        assert part["spam_threshold"] == small_model.thresholds[script]["spam"]
        assert part["fraud_threshold"] == small_model.thresholds[script]["fraud"]
        assert part["basis"] == "held-out ham"
    held = [point["by_script"][script]["held_out"] for script in ("han", "latin")]
    assert {k: held[0][k] + held[1][k] for k in held[0]} == {"ham": 5, "spam": 4, "fraud": 3}
    assert point["held_out"] == {"ham": 5, "spam": 4, "fraud": 3}
    assert point["ham_fpr_non_ham"] == 0.0


def test_thresholds_keep_held_out_ham_within_the_targets() -> None:
    rng = np.random.default_rng(0)
    ham = rng.dirichlet([8.0, 1.0, 1.0], size=1000)
    config = TrainConfig(spam_target_ham_fpr=0.01, fraud_target_ham_fpr=0.002, min_threshold=0.0)
    chosen = choose_thresholds(ham, config)
    fraud = ham[:, 2] >= chosen["fraud"]
    flagged = fraud | (ham[:, 1] + ham[:, 2] >= chosen["spam"])
    assert fraud.sum() <= 2 and flagged.sum() <= 10
    assert flagged.sum() >= 9  # as low as the budget allows, not needlessly strict
    assert choose_thresholds(ham, TrainConfig())["spam"] >= 0.5  # the floor


def test_temperature_tames_overconfident_logits() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, size=2000)
    logits = rng.normal(size=(2000, 3))
    logits[np.arange(2000), labels] += 1.0
    temperature = fit_temperature(logits * 6.0, labels)
    assert 4.0 < temperature < 9.0


def test_training_needs_ham_and_another_label() -> None:
    with pytest.raises(InputError, match="needs ham"):
        train_model([Example("hi", "ham", "x"), Example("hello there", "ham", "x")])
    with pytest.raises(InputError, match="unknown label"):
        train_model([Example("hi", "maybe", "x")])


def test_two_label_data_gives_no_fraud(small_corpus: Corpus) -> None:
    rows = [e for e in small_corpus.examples if e.label != "fraud"]
    model = train_model(rows, CONFIG)
    probabilities = model.predict_proba(["【优品商城】全场五折，回TD退订", "晚上一起吃饭吗"])
    assert probabilities[:, 2].max() < 1e-6
    assert probabilities[0].argmax() == 1 and probabilities[1].argmax() == 0


def test_baseline_is_a_predictor(small_corpus: Corpus) -> None:
    baseline = train_baseline(small_corpus.examples)
    probabilities = baseline.predict_proba(["URGENT you have won", "see you at lunch"])
    assert baseline.classes == ("ham", "spam", "fraud")
    assert probabilities.shape == (2, 3) and np.allclose(probabilities.sum(axis=1), 1.0)


def test_script_balance_gives_each_language_and_label_the_same_say() -> None:
    from smsguard.training.fit import _Data, _sample_weights

    canon = ["促销", "促销 打折", "促销 退订", "你好", "hello", "hi there", "win"]
    labels = np.array([1, 1, 1, 0, 0, 0, 1])
    data = _Data(canon, labels, ("x",) * 7)
    weights = _sample_weights(data, "script")
    groups = {"zh spam": [0, 1, 2], "zh ham": [3], "en ham": [4, 5], "en spam": [6]}
    totals = {name: weights[rows].sum() for name, rows in groups.items()}
    assert max(totals.values()) == pytest.approx(min(totals.values()))
    assert weights.mean() == pytest.approx(1.0)
    assert np.allclose(_sample_weights(data, "none"), 1.0)


def test_a_source_with_many_false_alarms_sets_the_threshold_for_all() -> None:
    rng = np.random.default_rng(2)
    easy = rng.dirichlet([30.0, 1.0, 1.0], size=900)
    hard = rng.dirichlet([3.0, 2.0, 1.0], size=200)
    ham = np.concatenate([easy, hard])
    sources = ["easy"] * 900 + ["hard"] * 200
    config = TrainConfig(min_threshold=0.0)
    pooled = choose_thresholds(ham, config, sources)
    strict = choose_thresholds(ham, replace(config, per_source_min_ham=100), sources)
    assert strict["spam"] > pooled["spam"]
    flagged = (hard[:, 1] + hard[:, 2] >= strict["spam"]) | (hard[:, 2] >= strict["fraud"])
    assert flagged.sum() <= math.floor(config.spam_target_ham_fpr * 200)


def test_each_script_spends_its_own_ham_budget() -> None:
    rng = np.random.default_rng(3)
    hard_han = rng.dirichlet([3.0, 2.0, 1.0], size=400)
    easy_latin = rng.dirichlet([30.0, 1.0, 1.0], size=1000)
    ham = np.concatenate([hard_han, easy_latin])
    canon = ["你好"] * 400 + ["hello"] * 1000
    config = TrainConfig(min_threshold=0.0)
    chosen, basis = choose_script_thresholds(ham, canon, config)
    assert basis == {"han": "held-out ham", "latin": "held-out ham"}
    pooled = choose_thresholds(ham, config)
    assert chosen["latin"]["spam"] < pooled["spam"] <= chosen["han"]["spam"]
    for script, part in (("han", hard_han), ("latin", easy_latin)):
        cut = chosen[script]
        flagged = (part[:, 1] + part[:, 2] >= cut["spam"]) | (part[:, 2] >= cut["fraud"])
        budget = math.floor(config.spam_target_ham_fpr * len(part))
        assert budget - 1 <= flagged.sum() <= budget  # not needlessly strict


def test_a_script_without_held_out_ham_borrows_or_gets_the_floors() -> None:
    ham = np.random.default_rng(4).dirichlet([8.0, 1.0, 1.0], size=300)
    chosen, basis = choose_script_thresholds(ham, ["hello"] * 300, TrainConfig())
    assert basis == {"han": "from latin", "latin": "held-out ham"}
    assert chosen["han"] == chosen["latin"]
    empty, basis = choose_script_thresholds(np.zeros((0, 3)), [], TrainConfig(min_threshold=0.6))
    assert basis == {"han": "floors", "latin": "floors"}
    assert empty["han"] == empty["latin"] == {"spam": 0.6, "fraud": 0.6}


def test_a_model_trained_on_one_script_scores_both(small_corpus: Corpus) -> None:
    english = [e for e in small_corpus.examples if not re.search(r"[\u4e00-\u9fff]", e.text)]
    model = train_model(english, CONFIG)
    point = model.metadata["operating_point"]["by_script"]
    assert point["han"]["basis"] == "from latin" and point["latin"]["basis"] == "held-out ham"
    assert point["han"]["held_out"] == {"ham": 0, "spam": 0, "fraud": 0}
    assert model.thresholds["han"] == model.thresholds["latin"]
    labels = [score.label for score in model.assess_many(["晚上一起吃饭吗", "You won a prize"])]
    assert len(labels) == 2 and set(labels) <= {"ham", "spam", "fraud"}
    assert RiskModel.from_bytes(model.to_bytes()).thresholds == model.thresholds
