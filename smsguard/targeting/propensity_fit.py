"""L2-penalised logistic regression on one-hot levels, by Newton's method, in plain numpy.

The design matrix is never built densely. Each row is a handful of *slots*: column 0 (the
intercept) and the one level each feature sets; so ``X @ w`` is a sum of gathered weights,
``Xᵀ r`` one ``bincount``, and ``Xᵀ W X`` one ``bincount`` per pair of features. That keeps
memory at a few integers per row and needs no BLAS threads, so training time does not depend
on how busy the machine's other cores are. Deterministic: no random start, no sampling.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Slots = npt.NDArray[np.int64]


def slots(indices: Slots, columns: int) -> Slots:
    """Rows × (1 + features): column 0 of the design, then each feature's level shifted by one;
    a feature with no level (-1) points at the dummy column ``columns + 1``, whose weight is 0."""
    shifted = np.where(indices >= 0, indices + 1, columns + 1)
    return np.column_stack([np.zeros(len(indices), dtype=np.int64), shifted])


def linear(design: Slots, weights: Floats) -> Floats:
    """``X @ weights`` for ``weights`` of length ``columns + 1`` (intercept first)."""
    extended = np.append(weights, 0.0)
    result: Floats = extended[design].sum(axis=1)
    return result


def sigmoid(z: Floats) -> Floats:
    result: Floats = np.exp(-np.logaddexp(0.0, -z))
    return result


def fit_logistic(
    design: Slots, columns: int, labels: Floats, l2: float, iterations: int = 100
) -> Floats:
    """Weights (intercept first, then one per level) minimising log loss + ``l2/2 · |w|²``
    over the levels; the intercept is not penalised."""
    size = columns + 2  # intercept, levels, dummy
    penalty = np.full(size - 1, l2)
    penalty[0] = 0.0
    weights = np.zeros(size - 1)
    for _ in range(iterations):
        p = sigmoid(linear(design, weights))
        gradient = _transpose_times(design, p - labels, size) + penalty * weights
        hessian = _gram(design, np.maximum(p * (1 - p), 1e-12), size)
        step = np.linalg.solve(hessian + np.diag(penalty + 1e-9), gradient)
        weights = weights - step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return weights


def _transpose_times(design: Slots, values: Floats, size: int) -> Floats:
    """``Xᵀ values`` without the dummy column."""
    repeated = np.repeat(values, design.shape[1])
    counted = np.bincount(design.ravel(), weights=repeated, minlength=size)
    total: Floats = counted.astype(np.float64)[:-1]
    return total


def _gram(design: Slots, weights: Floats, size: int) -> Floats:
    """``Xᵀ diag(weights) X`` without the dummy row and column."""
    gram = np.zeros((size, size))
    features = design.shape[1]
    for a in range(features):
        for b in range(a, features):
            cell = design[:, a] * size + design[:, b]
            block = np.bincount(cell, weights=weights, minlength=size * size).reshape(size, size)
            gram += block if a == b else block + block.T
    trimmed: Floats = gram[:-1, :-1]
    return trimmed


def level_counts(design: Slots, columns: int) -> npt.NDArray[np.int64]:
    """Rows per level (design columns 1 … columns)."""
    counts: npt.NDArray[np.int64] = np.bincount(design[:, 1:].ravel(), minlength=columns + 2)
    return counts[1 : columns + 1]
