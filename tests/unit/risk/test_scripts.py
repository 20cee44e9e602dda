"""Writing systems and per-script thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from smsguard.risk.scripts import apply_thresholds, han_mask, per_script, script_of


def test_any_ideograph_makes_a_text_han() -> None:
    assert script_of("晚上一起吃饭吗") == "han"
    assert script_of("ok 好的 see you") == "han"
    assert script_of("urgent call 0 now") == "latin"
    assert script_of("") == "latin"
    assert han_mask(["好", "hi", "𠀀"]).tolist() == [True, False, True]
    assert han_mask([]).shape == (0,)


def test_a_flat_pair_applies_to_both_scripts() -> None:
    pair = {"spam": 0.9, "fraud": 0.6}
    assert per_script(pair) == {"han": pair, "latin": pair}
    nested = {"han": {"spam": 0.99, "fraud": 0.5}, "latin": {"spam": 0.7, "fraud": 0.5}}
    assert per_script(nested) == nested


@pytest.mark.parametrize(
    "bad",
    [
        {"han": {"spam": 0.5, "fraud": 0.5}},
        {"spam": 0.5},
        {"han": {"spam": 0.5, "fraud": 0.5}, "latin": {"spam": 0.5}},
        {"han": {"spam": 0.5, "fraud": 0.5}, "latin": {"spam": -0.1, "fraud": 0.5}},
        {"han": 0.5, "latin": 0.5},
    ],
)
def test_malformed_thresholds_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="thresholds"):
        per_script(bad)


def test_the_label_rule_picks_each_rows_thresholds() -> None:
    thresholds = {"han": {"spam": 0.9, "fraud": 0.8}, "latin": {"spam": 0.6, "fraud": 0.5}}
    spam_or_fraud = np.array([0.7, 0.7, 0.95, 0.85])
    fraud = np.array([0.1, 0.1, 0.1, 0.85])
    is_han = np.array([True, False, True, True])
    labels = apply_thresholds(spam_or_fraud, fraud, is_han, per_script(thresholds))
    assert labels == ["ham", "spam", "spam", "fraud"]
