"""Training the propensity model on an institution's own campaign outcomes.

1. **Data**: every row of ``campaign_outcomes`` joined to the customer's profile (outcomes of
   customers without a profile are counted and skipped). Label 1 when the customer
   ``responded`` and ``repaid`` is not false (repaid, or no loan due yet); 0 otherwise.
2. **Hold out** a seeded 20 % of *customers* (all their outcomes together, so a customer in
   several campaigns never sits on both sides).
3. **Fit** L2-regularised logistic regression by Newton's method in numpy on one-hot
   levels (unpenalised intercept). Deterministic: no random start, no sampling.
4. **Evaluate** on the held-out part against two baselines: the base rate, and a model on
   credit band only. Calibration by decile.
5. **Refit** on all rows; segment thresholds are quantiles of the refitted probabilities.

The same data, seed and ``created`` date give a byte-identical model file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from smsguard.errors import InputError
from smsguard.store.targeting_models import (
    CREDIT_BANDS,
    INCOME_BANDS,
    CampaignOutcome,
    CustomerProfile,
)
from smsguard.targeting import propensity_fit as fit
from smsguard.targeting import propensity_metrics as metrics
from smsguard.targeting.propensity import PropensityModel, Thresholds, TrainingInfo, start_of_day
from smsguard.targeting.propensity_features import (
    FEATURE_COLUMNS,
    NONE_LEVEL,
    OTHER_LEVEL,
    BinFeature,
    CategoryFeature,
    design_indices,
    width,
)

Floats = npt.NDArray[np.float64]
_COLUMNS = ("campaign_id", "customer_id", "responded", "repaid", *FEATURE_COLUMNS)
MIN_ROWS = 50


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the model besides the data."""

    seed: int = 13
    holdout_fraction: float = 0.2
    l2: float = 1.0
    min_level_rows: int = 30  # a product interest seen less often joins "(other)"
    high_share: float = 0.2  # top 20 % of training probabilities → "high"
    medium_share: float = 0.4  # the next 40 % → "medium", the rest "low"
    debt_edges: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
    recency_days: tuple[float, ...] = (7, 30, 90, 180, 365)
    created: date | None = None


@dataclass(frozen=True)
class TrainingData:
    """Outcome rows with the raw profile columns, in (campaign, customer) order."""

    columns: dict[str, list[Any]]
    labels: Floats
    customer_ids: npt.NDArray[np.int64]
    digest: str
    skipped: int = 0
    notes: tuple[str, ...] = field(default=())


def created_date(explicit: date | None) -> date:
    """The option, else SOURCE_DATE_EPOCH's date, else today (UTC): as for the fraud model."""
    if explicit is not None:
        return explicit
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return datetime.now(UTC).date()
    if not epoch.isdigit():
        raise InputError(f"SOURCE_DATE_EPOCH must be seconds since 1970; got {epoch!r}")
    return datetime.fromtimestamp(int(epoch), UTC).date()


def load_training_data(session: Session) -> TrainingData:
    """The session's institution's outcomes joined to profiles (one query, no per-row I/O)."""
    profile = CustomerProfile
    outcome = CampaignOutcome
    joined = and_(
        profile.customer_id == outcome.customer_id,
        profile.institution_id == outcome.institution_id,
    )
    statement = (
        select(
            outcome.campaign_id,
            outcome.customer_id,
            outcome.responded,
            outcome.repaid,
            *(getattr(profile, name) for name in FEATURE_COLUMNS),
            profile.id,
        )
        .outerjoin(profile, joined)
        .order_by(outcome.campaign_id, outcome.customer_id)
    )
    own = getattr(session, "institution_id", None)
    if isinstance(own, int):  # the tenant session filters too; say it where it matters
        statement = statement.where(outcome.institution_id == own)
    found = session.execute(statement).all()
    rows = [row[:-1] for row in found if row[-1] is not None]
    columns: dict[str, list[Any]] = {
        name: [row[i] for row in rows] for i, name in enumerate(_COLUMNS)
    }
    pairs = zip(columns["responded"], columns["repaid"], strict=True)
    labels = np.array([bool(r) and p is not False for r, p in pairs], dtype=float)
    ids = np.array(columns["customer_id"], dtype=np.int64)
    return TrainingData(columns, labels, ids, _digest(rows), skipped=len(found) - len(rows))


def _digest(rows: Sequence[Sequence[Any]]) -> str:
    """sha256 of the rows in a backend-neutral text form (timestamps as UTC ISO)."""
    digest = hashlib.sha256()
    for row in rows:
        cells = [_cell(value) for value in row]
        digest.update(("\t".join(cells) + "\n").encode("utf-8"))
    return digest.hexdigest()


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    return "" if value is None else repr(value)


def feature_plan(
    data: TrainingData, config: TrainConfig
) -> tuple[CategoryFeature | BinFeature, ...]:
    """The features, before coefficients: fixed levels and bins, product interests as seen."""
    counts: dict[str, int] = {}
    for value in data.columns["product_interest"]:
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    frequent = sorted(v for v, n in counts.items() if n >= config.min_level_rows)
    return (
        CategoryFeature(name="credit_band", column="credit_band", levels=CREDIT_BANDS),
        CategoryFeature(name="income_band", column="income_band", levels=INCOME_BANDS),
        CategoryFeature(
            name="product_interest",
            column="product_interest",
            levels=(*frequent, OTHER_LEVEL, NONE_LEVEL),
        ),
        BinFeature(name="debt_ratio", column="debt_ratio", unit="ratio", edges=config.debt_edges),
        BinFeature(
            name="recency", column="last_active_at", unit="days_since", edges=config.recency_days
        ),
    )


def holdout_mask(customer_ids: npt.NDArray[np.int64], config: TrainConfig) -> npt.NDArray[np.bool_]:
    """True for rows of the seeded held-out customers."""
    customers = np.unique(customer_ids)
    count = min(max(1, round(config.holdout_fraction * len(customers))), len(customers) - 1)
    chosen = np.random.default_rng(config.seed).permutation(customers)[:count]
    return np.isin(customer_ids, chosen)


def train(
    data: TrainingData, institution: str, config: TrainConfig | None = None
) -> PropensityModel:
    """Fit, evaluate and refit; the returned model carries its metrics and provenance."""
    config = config or TrainConfig()
    _check_enough(data)
    created = created_date(config.created)
    as_of = start_of_day(created)
    plan = feature_plan(data, config)
    columns = sum(width(f) for f in plan)
    design = fit.slots(design_indices(plan, data.columns, as_of), columns)
    held = holdout_mask(data.customer_ids, config)
    _check_classes(data.labels[~held], "training part")
    evaluation = _evaluate(design, columns, data.labels, held, config.l2)
    weights = fit.fit_logistic(design, columns, data.labels, config.l2)
    probabilities = fit.sigmoid(fit.linear(design, weights))
    thresholds = _thresholds(probabilities, config)
    features = _with_weights(plan, weights[1:])
    shares = _segment_shares(probabilities, thresholds)
    level_rows = _level_rows(plan, fit.level_counts(design, columns))
    evaluation |= {"segments": shares, "level_rows": level_rows, "skipped_outcomes": data.skipped}
    return PropensityModel(
        name=f"propensity-{institution}-{created.isoformat()}",
        created=created,
        intercept=float(weights[0]),
        features=features,
        thresholds=thresholds,
        training=_training_info(data, institution, config, as_of),
        metrics=evaluation,
    )


def _check_enough(data: TrainingData) -> None:
    if len(data.labels) < MIN_ROWS:
        raise InputError(
            f"only {len(data.labels)} campaign outcomes with a profile; the propensity model "
            f"needs at least {MIN_ROWS}",
            hint="Record outcomes of past campaigns (campaign_outcomes) first.",
        )
    _check_classes(data.labels, "the outcomes")
    if len(np.unique(data.customer_ids)) < 2:
        raise InputError("the outcomes cover a single customer; nothing to hold out")


def _check_classes(labels: Floats, where: str) -> None:
    positives = int(labels.sum())
    if positives == 0 or positives == len(labels):
        kind = "no customer" if positives == 0 else "every customer"
        raise InputError(f"in {where}, {kind} responded and repaid; the model cannot learn")


def _evaluate(
    design: fit.Slots, columns: int, labels: Floats, held: npt.NDArray[np.bool_], l2: float
) -> dict[str, Any]:
    train_x, test_x, train_y, test_y = design[~held], design[held], labels[~held], labels[held]
    model_p = fit.sigmoid(fit.linear(test_x, fit.fit_logistic(train_x, columns, train_y, l2)))
    base_p = np.full(len(test_y), float(np.clip(train_y.mean(), 1e-6, 1 - 1e-6)))
    band = design[:, :2].copy()  # intercept and credit band (the first feature)
    band[band > len(CREDIT_BANDS)] = len(CREDIT_BANDS) + 1  # other levels: none
    band_w = fit.fit_logistic(band[~held], len(CREDIT_BANDS), train_y, l2)
    band_p = fit.sigmoid(fit.linear(band[held], band_w))
    return {
        "holdout": {
            "rows": len(test_y),
            "positives": int(test_y.sum()),
            "model": metrics.summary(test_y, model_p),
            "base_rate": metrics.summary(test_y, base_p),
            "credit_band_only": metrics.summary(test_y, band_p),
        },
        "calibration": metrics.calibration(test_y, model_p),
    }


def _thresholds(probabilities: Floats, config: TrainConfig) -> Thresholds:
    high = float(np.quantile(probabilities, 1 - config.high_share))
    medium = float(np.quantile(probabilities, 1 - config.high_share - config.medium_share))
    return Thresholds(high=round(high, 6), medium=round(min(medium, high), 6))


def _segment_shares(probabilities: Floats, thresholds: Thresholds) -> dict[str, float]:
    high = float(np.mean(probabilities >= thresholds.high))
    medium = float(np.mean(probabilities >= thresholds.medium)) - high
    return {"high": round(high, 4), "medium": round(medium, 4), "low": round(1 - high - medium, 4)}


def _with_weights(
    plan: Sequence[CategoryFeature | BinFeature], weights: Floats
) -> tuple[CategoryFeature | BinFeature, ...]:
    out: list[CategoryFeature | BinFeature] = []
    start = 0
    for feature in plan:
        end = start + width(feature)
        out.append(feature.with_coefficients([float(w) for w in weights[start:end]]))
        start = end
    return tuple(out)


def _level_rows(
    plan: Sequence[CategoryFeature | BinFeature], counts: npt.NDArray[np.int64]
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    start = 0
    for feature in plan:
        out[feature.name] = [int(c) for c in counts[start : start + width(feature)]]
        start += width(feature)
    return out


def _training_info(
    data: TrainingData, institution: str, config: TrainConfig, as_of: datetime
) -> TrainingInfo:
    return TrainingInfo(
        institution=institution,
        rows=len(data.labels),
        positives=int(data.labels.sum()),
        customers=len(np.unique(data.customer_ids)),
        data_sha256=data.digest,
        seed=config.seed,
        holdout_fraction=config.holdout_fraction,
        l2=config.l2,
        min_level_rows=config.min_level_rows,
        as_of=as_of,
        excluded_columns=("region", "birth_year"),
    )
