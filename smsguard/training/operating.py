"""The operating point: thresholds chosen on held-out ham, per writing system.

Why per script (see :mod:`smsguard.risk.scripts`): Chinese held-out ham is labelled "wanted
or not" and holds adverts, English ham does not. A pooled budget was spent almost entirely
on those Chinese adverts and left English spam cut at p ~ 0.96. Each script now gets its own
thresholds from its own held-out ham, with the same budgets and floors.

A script with no held-out ham (a user's data in one language) takes the other script's
thresholds; if neither has any, both get the floors (``min_threshold``). The metadata says
which happened, under ``basis``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from smsguard.risk.model import CLASSES, RiskModel
from smsguard.risk.scripts import SCRIPTS, ScriptThresholds, han_mask

if TYPE_CHECKING:
    from smsguard.training.fit import TrainConfig


def _threshold(scores: Any, allowed: int, floor: float) -> float:
    """The lowest threshold with at most ``allowed`` of ``scores`` at or above it."""
    ordered = np.sort(np.asarray(scores, dtype=np.float64))[::-1]
    if allowed >= len(ordered):
        return floor
    # Rounded *up* to 6 decimals, so the ham at the boundary stays below the threshold.
    threshold = math.ceil(float(np.nextafter(ordered[max(allowed, 0)], np.inf)) * 1e6) / 1e6
    return min(1.0, max(floor, threshold))


def _budget(rate: float, count: int) -> int:
    return math.floor(rate * count + 1e-9)


def choose_thresholds(
    ham_probabilities: Any, config: TrainConfig, sources: Sequence[str] = ()
) -> dict[str, float]:
    """One threshold pair from held-out ham: fraud first, then spam with what is left.

    Fraud gets its own, stricter budget (``fraud_target_ham_fpr``). The spam threshold
    takes the rest of ``spam_target_ham_fpr`` on the ham the fraud rule did not flag, so the
    combined non-ham rate stays within the spam target on the given ham. With
    ``per_source_min_ham`` > 0 both must also hold for each source with that much held-out
    ham, since plentiful easy ham can hide a corpus whose ham is flagged three times as
    often (off by default: see docs/model.md for what it costs). Neither threshold goes
    below ``min_threshold``: a message the model finds more likely ham than not is never
    blocked, however rare such ham was in the held-out part.
    """
    names = np.array(sources if len(sources) else [""] * len(ham_probabilities))
    groups = [np.ones(len(names), dtype=bool)]
    for name in sorted(set(names.tolist())) if config.per_source_min_ham > 0 else ():
        if (names == name).sum() >= config.per_source_min_ham:
            groups.append(names == name)
    fraud = max(
        _threshold(
            ham_probabilities[group, 2],
            _budget(config.fraud_target_ham_fpr, int(group.sum())),
            config.min_threshold,
        )
        for group in groups
    )
    spam = max(_spam_threshold(ham_probabilities[group], fraud, config) for group in groups)
    return {"spam": spam, "fraud": fraud}


def _spam_threshold(ham: Any, fraud: float, config: TrainConfig) -> float:
    flagged = ham[:, 2] >= fraud
    left = _budget(config.spam_target_ham_fpr, len(ham)) - int(flagged.sum())
    return _threshold(ham[~flagged, 1] + ham[~flagged, 2], left, config.min_threshold)


def choose_script_thresholds(
    ham_probabilities: Any,
    ham_canon: Sequence[str],
    config: TrainConfig,
    sources: Sequence[str] = (),
) -> tuple[ScriptThresholds, dict[str, str]]:
    """Per script, :func:`choose_thresholds` on that script's held-out ham; and the basis of
    each pair: ``"held-out ham"``, ``"from <other script>"`` or ``"floors"``."""
    is_han = han_mask(ham_canon)
    names = np.array(sources if len(sources) else [""] * len(ham_canon), dtype=object)
    chosen: ScriptThresholds = {}
    for script in SCRIPTS:
        rows = is_han if script == "han" else ~is_han
        if rows.any():
            picked = choose_thresholds(ham_probabilities[rows], config, names[rows].tolist())
            chosen[script] = picked
    basis = {script: "held-out ham" for script in chosen}
    measured = [script for script in SCRIPTS if script in chosen]
    for script in SCRIPTS:
        if script not in chosen:
            other = measured[0] if measured else None
            floor = config.min_threshold
            chosen[script] = dict(chosen[other]) if other else {"spam": floor, "fraud": floor}
            basis[script] = f"from {other}" if other else "floors"
    return {script: chosen[script] for script in SCRIPTS}, basis


def operating_point(
    probabilities: Any,
    canon: Sequence[str],
    labels: Any,
    sources: Sequence[str],
    model: RiskModel,
    basis: dict[str, str],
) -> dict[str, Any]:
    """What the thresholds do on the held-out part, pooled and per script: ham FPR (overall
    and per source, since one easy corpus can hide a hard one) and recall per class."""
    predicted = np.array([CLASSES.index(x) for x in model.label_of(probabilities, canon)])
    is_han = han_mask(canon)
    thresholds = model.thresholds
    by_script = {}
    for script in SCRIPTS:
        rows = is_han if script == "han" else ~is_han
        by_script[script] = {
            "spam_threshold": thresholds[script]["spam"],
            "fraud_threshold": thresholds[script]["fraud"],
            "basis": basis[script],
            **_rates(predicted[rows], labels[rows], np.array(sources)[rows]),
        }
    return {
        "thresholds": thresholds,
        **_rates(predicted, labels, np.array(sources)),
        "by_script": by_script,
        "accuracy_argmax": round(float((probabilities.argmax(axis=1) == labels).mean()), 4),
    }


def _rates(predicted: Any, labels: Any, sources: Any) -> dict[str, Any]:
    ham, spam, fraud = (labels == k for k in range(3))

    def rate(mask: Any, hit: Any) -> float | None:
        return round(float(hit[mask].mean()), 4) if mask.any() else None

    return {
        "held_out": {CLASSES[k]: int((labels == k).sum()) for k in range(3)},
        "ham_fpr_non_ham": rate(ham, predicted != 0),
        "ham_fpr_fraud": rate(ham, predicted == 2),
        "ham_fpr_by_source": {
            str(name): rate(ham & (sources == name), predicted != 0)
            for name in sorted(set(sources[ham].tolist()))
        },
        "spam_recall_non_ham": rate(spam, predicted != 0),
        "fraud_recall_non_ham": rate(fraud, predicted != 0),
        "fraud_recall_fraud": rate(fraud, predicted == 2),
    }
