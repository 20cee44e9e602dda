"""Train a :class:`~smsguard.risk.model.RiskModel`: the only module that uses scikit-learn.

The recipe, and why:

1. De-duplicate by canonical text (template copies would dominate) and hold out a stratified,
   seeded calibration part.
2. Vocabulary: every character n-gram seen in at least ``min_df`` training texts. Rare grams
   are mostly names and typos; requiring two texts halves the vocabulary for free.
3. Features: exactly those of the run-time model (:mod:`smsguard.risk.features`) -- the
   matrix is built through the same hash table, so training and scoring cannot disagree.
4. Multinomial logistic regression (L2, lbfgs): probabilistic, fast to score, deterministic.
   When the vocabulary exceeds ``max_features`` the weakest features (max |weight x idf|
   over classes) are dropped and the model refitted, which keeps the artifact small.
5. On the held-out part: one temperature (minimum log loss) and, per writing system, the
   two thresholds, each the lowest that keeps that script's ham false-positive rate at or
   below its target (:mod:`smsguard.training.operating`). The measured operating point goes
   into the model's metadata.
6. Refit on all data (``refit=True``) with the same vocabulary recipe and keep the
   calibration and thresholds from step 5.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from smsguard import __version__
from smsguard.errors import InputError
from smsguard.risk.canonical import canonical
from smsguard.risk.features import (
    GramIndex,
    build_vocabulary,
    claim_slots,
    string_hashes,
    table_bits,
)
from smsguard.risk.model import CLASSES, RiskModel, softmax
from smsguard.risk.scripts import han_mask
from smsguard.training.corpora import Example, dedupe, row_counts
from smsguard.training.operating import choose_script_thresholds, operating_point

_ABSENT_BIAS = -30.0  # logit of a class the training data never shows: p ~ 1e-13


class Predictor(Protocol):
    """Anything that turns texts into class probabilities (the model and the baseline)."""

    classes: tuple[str, ...]

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]: ...


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of :func:`train_model`; all of it is recorded in the model."""

    seed: int = 13
    ngram_range: tuple[int, int] = (1, 5)
    min_df: int = 2
    max_features: int = 200_000
    c: float = 20.0
    balance: str = "script"  # "script": per (writing system, label); "label"; or "none"
    max_iter: int = 2000
    calibration_fraction: float = 0.2
    # "spam" only sends a text to review, "fraud" blocks it: the budgets follow the cost.
    spam_target_ham_fpr: float = 0.02
    fraud_target_ham_fpr: float = 0.001
    min_threshold: float = 0.5
    per_source_min_ham: int = 0  # > 0: sources with this much held-out ham get their own check
    refit: bool = True
    created: str | None = None  # ISO date for the metadata; default: today (UTC)


@dataclass(frozen=True)
class _Data:
    canon: list[str]
    labels: npt.NDArray[np.int64]
    sources: tuple[str, ...]


def _matrix(
    canon: Sequence[str], vocabulary: Sequence[str], idf: Any, bits: int, config: TrainConfig
) -> Any:
    """The run-time feature matrix (see :mod:`smsguard.risk.features`) as scipy CSR."""
    from scipy import sparse

    index = GramIndex(string_hashes(vocabulary), bits, config.ngram_range)
    grams, ids = index.lookup(canon)
    known = ids >= 0
    rows, cols = grams.rows[known], ids[known]
    counts = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(canon), len(vocabulary))
    )
    counts.sum_duplicates()
    norms = np.sqrt(counts @ (idf.astype(np.float64) ** 2))
    norms[norms == 0.0] = 1.0
    return sparse.diags(1.0 / norms) @ counts @ sparse.diags(idf.astype(np.float64))


def _sample_weights(data: _Data, balance: str) -> Any:
    """Weights that give each group the same total say (mean weight 1).

    Why by writing system: the Chinese corpora hold ~9 spam per ham and the English ones ~1
    spam per 8 ham. Balancing labels globally leaves Chinese text as such looking like
    spam (a plain family SMS scored ~0.35 spam); balancing within each script removes that
    prior, so n-grams that mean something carry the decision.
    """
    if balance == "none":
        return np.ones(len(data.labels))
    keys = data.labels.astype(np.int64)
    if balance == "script":
        chinese = han_mask(data.canon)
        keys = keys + len(CLASSES) * chinese
    elif balance != "label":
        raise ValueError(f"unknown balance {balance!r}")
    _, group, counts = np.unique(keys, return_inverse=True, return_counts=True)
    weights = 1.0 / counts[group]
    return weights * (len(weights) / weights.sum())


def _fit_linear(x: Any, labels: Any, weights_in: Any, config: TrainConfig) -> tuple[Any, Any, int]:
    """Logistic regression; returns (weights V x 3, bias 3, iterations)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    present = np.unique(labels)
    weights = np.zeros((x.shape[1], len(CLASSES)))
    bias = np.full(len(CLASSES), _ABSENT_BIAS)
    learner = LogisticRegression(
        C=config.c,
        max_iter=config.max_iter,
        random_state=config.seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        learner.fit(x, labels, sample_weight=weights_in)
    if len(present) == 2:
        bias[present] = [0.0, float(learner.intercept_[0])]
        weights[:, present[1]] = learner.coef_[0]
    else:
        bias[present] = learner.intercept_
        weights[:, present] = learner.coef_.T
    return weights, bias, int(np.max(learner.n_iter_))


def _fit(data: _Data, config: TrainConfig) -> tuple[RiskModel, dict[str, int]]:
    """One model (uncalibrated) on ``data``, pruned to ``max_features``."""
    vocabulary, df, bits = build_vocabulary(data.canon, config.ngram_range, config.min_df)
    idf = _idf(df, len(data.canon))
    balance = _sample_weights(data, config.balance)
    x = _matrix(data.canon, vocabulary, idf, bits, config)
    weights, bias, iterations = _fit_linear(x, data.labels, balance, config)
    stats = {"candidate_features": len(vocabulary), "iterations": iterations}
    if len(vocabulary) > config.max_features:
        strength = np.abs(weights * idf[:, None]).max(axis=1)
        bits = table_bits(config.max_features)
        preference = np.argsort(-strength, kind="stable").tolist()
        keep = claim_slots(string_hashes(vocabulary), preference, bits, config.max_features)
        vocabulary = [vocabulary[i] for i in keep]
        idf = idf[keep]
        x = _matrix(data.canon, vocabulary, idf, bits, config)
        weights, bias, iterations = _fit_linear(x, data.labels, balance, config)
        stats["iterations"] = max(stats["iterations"], iterations)
    model = RiskModel(
        vocabulary=vocabulary,
        idf=idf,
        weights=weights,
        bias=bias,
        temperature=1.0,
        thresholds={"spam": 0.5, "fraud": 0.5},
        ngram_range=config.ngram_range,
        table_bits=bits,
    )
    stats["features"] = len(vocabulary)
    return model, stats


def _idf(df: Any, documents: int) -> Any:
    """Smoothed idf, rounded to the float16 the artifact stores."""
    idf = np.log((1.0 + documents) / (1.0 + df.astype(np.float64))) + 1.0
    return idf.astype(np.float16).astype(np.float32)


def _log_loss(probabilities: Any, labels: Any) -> float:
    picked = probabilities[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def fit_temperature(logits: Any, labels: Any) -> float:
    """The temperature with the least held-out log loss (golden-section search on log T).

    One scalar cannot change which class ranks first, so calibration never moves a
    decision the linear model made; it only makes the probabilities honest.
    """
    low, high = math.log(0.05), math.log(20.0)
    ratio = (math.sqrt(5.0) - 1.0) / 2.0

    def loss(log_t: float) -> float:
        return _log_loss(softmax(logits, math.exp(log_t)), labels)

    for _ in range(60):
        left, right = high - ratio * (high - low), low + ratio * (high - low)
        if loss(left) <= loss(right):
            high = right
        else:
            low = left
    return round(math.exp((low + high) / 2.0), 6)


def _prepare(examples: Sequence[Example]) -> tuple[_Data, list[Example]]:
    kept: list[Example] = []
    canon: list[str] = []
    for example in dedupe(examples):
        if example.label not in CLASSES:
            raise InputError(f"unknown label {example.label!r} in source {example.source!r}")
        text = canonical(example.text)
        if text:
            kept.append(example)
            canon.append(text)
    labels = np.array([CLASSES.index(e.label) for e in kept], dtype=np.int64)
    if not (labels == 0).any() or len(np.unique(labels)) < 2:
        raise InputError("training needs ham and at least one of spam/fraud")
    return _Data(canon, labels, tuple(e.source for e in kept)), kept


def _split(labels: Any, fraction: float, seed: int) -> tuple[Any, Any]:
    """Stratified, seeded split into (train, held-out) row numbers."""
    rng = np.random.default_rng(seed)
    held: list[Any] = []
    for k in range(len(CLASSES)):
        members = np.flatnonzero(labels == k)
        if len(members) >= 2:
            take = max(1, round(fraction * len(members)))
            held.append(rng.permutation(members)[:take])
    held_out = np.sort(np.concatenate(held)) if held else np.zeros(0, dtype=np.int64)
    train = np.setdiff1d(np.arange(len(labels)), held_out)
    return train, held_out


def _subset(data: _Data, rows: Any) -> _Data:
    return _Data(
        [data.canon[i] for i in rows], data.labels[rows], tuple(data.sources[i] for i in rows)
    )


def train_model(
    examples: Sequence[Example],
    config: TrainConfig = TrainConfig(),
    *,
    data_hashes: Mapping[str, str] | None = None,
) -> RiskModel:
    """Train, calibrate and set the operating point (see the module docstring)."""
    data, kept = _prepare(examples)
    train_rows, held_rows = _split(data.labels, config.calibration_fraction, config.seed)
    held = _subset(data, held_rows)
    stage, stats = _fit(_subset(data, train_rows), config)
    logits = stage.logits(held.canon)
    temperature = fit_temperature(logits, held.labels)
    probabilities = softmax(logits, temperature)
    ham = held.labels == 0
    sources = [name for name, is_ham in zip(held.sources, ham.tolist(), strict=True) if is_ham]
    ham_canon = [text for text, is_ham in zip(held.canon, ham.tolist(), strict=True) if is_ham]
    thresholds, basis = choose_script_thresholds(probabilities[ham], ham_canon, config, sources)
    final, final_stats = _fit(data, config) if config.refit else (stage, stats)
    model = final.recalibrated(temperature, thresholds, {})
    calibration = {
        "log_loss_uncalibrated": round(_log_loss(softmax(logits, 1.0), held.labels), 5),
        "log_loss_calibrated": round(_log_loss(probabilities, held.labels), 5),
        "temperature": temperature,
    }
    metadata = {
        "created": config.created or datetime.now(UTC).date().isoformat(),
        "trainer": f"smsguard {__version__}",
        "config": asdict(config),
        "data_sha256": dict(sorted((data_hashes or {}).items())),
        "rows": row_counts(kept),
        "operating_point": operating_point(
            probabilities, held.canon, held.labels, held.sources, model, basis
        ),
        "calibration": calibration,
        "fit": {"held_out_model": stats, "final_model": final_stats},
    }
    return final.recalibrated(temperature, thresholds, metadata)


class _Baseline:
    """A fitted sklearn pipeline behind the :class:`Predictor` interface."""

    classes: tuple[str, ...] = CLASSES

    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline
        self._columns = [int(k) for k in pipeline.classes_]

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        out = np.zeros((len(texts), len(CLASSES)))
        if len(texts):
            out[:, self._columns] = self._pipeline.predict_proba(list(texts))
        return out


def train_baseline(examples: Sequence[Example], *, seed: int = 13) -> Predictor:
    """The plain comparison: ``TfidfVectorizer()`` defaults + logistic regression on raw text."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = dedupe(examples)
    labels = [CLASSES.index(e.label) for e in rows]
    pipeline = make_pipeline(
        TfidfVectorizer(), LogisticRegression(max_iter=1000, random_state=seed)
    )
    pipeline.fit([e.text for e in rows], labels)
    return _Baseline(pipeline)
