"""Figures a propensity model is judged by, in plain numpy: AUC, log loss, Brier score and
calibration by decile. Small on purpose, so the training report needs no extra package."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
_EPS = 1e-12


def auc(labels: Floats, scores: Floats) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half); 0.5 if one class."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return 0.5
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts).astype(float)
    mean_rank = upper - (counts - 1) / 2.0  # average 1-based rank of each distinct score
    ranks = mean_rank[inverse]
    u = ranks[labels == 1].sum() - positives * (positives + 1) / 2.0
    return float(u / (positives * negatives))


def log_loss(labels: Floats, probabilities: Floats) -> float:
    p = np.clip(probabilities, _EPS, 1 - _EPS)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def brier(labels: Floats, probabilities: Floats) -> float:
    return float(np.mean((probabilities - labels) ** 2))


def calibration(labels: Floats, probabilities: Floats, bins: int = 10) -> list[dict[str, Any]]:
    """Rows sorted by probability, cut into ``bins`` groups of (nearly) equal size: mean
    predicted probability against the observed rate in each."""
    order = np.argsort(probabilities, kind="stable")
    table = []
    for decile, part in enumerate(np.array_split(order, bins), start=1):
        if len(part) == 0:
            continue
        table.append(
            {
                "decile": decile,
                "rows": len(part),
                "predicted": round(float(probabilities[part].mean()), 4),
                "observed": round(float(labels[part].mean()), 4),
            }
        )
    return table


def summary(labels: Floats, probabilities: Floats) -> dict[str, float]:
    """AUC, log loss and Brier score, rounded for the report."""
    return {
        "auc": round(auc(labels, probabilities), 4),
        "log_loss": round(log_loss(labels, probabilities), 4),
        "brier": round(brier(labels, probabilities), 4),
    }
