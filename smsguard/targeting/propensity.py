"""The propensity model: a logistic regression that ranks customers inside the database.

The model estimates the probability that a customer, sent a loan offer, *responds and does
not default* (the training label: ``responded`` and ``repaid`` is not false, see
docs/targeting-model.md). It is linear, so its log-odds is a sum of one coefficient per
feature level; :meth:`PropensityModel.logit` compiles that sum into SQL (``intercept +
CASE … + CASE …`` with bound coefficients) and selection orders and cuts by it without
loading a customer into Python. :meth:`PropensityModel.logits` computes the same numbers in
numpy from raw column values, for tests and for comparison.

The artifact is one JSON file (coefficients, feature definitions, segment thresholds, the
training data digest, seed, metrics and date). :func:`load_model` validates every field and
raises :class:`~smsguard.errors.ModelError` naming the one that is wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Float, literal
from sqlalchemy.sql.elements import ColumnElement

from smsguard._files import write_atomically
from smsguard.errors import ModelError
from smsguard.settings import Settings
from smsguard.targeting.propensity_features import (
    BinFeature,
    CategoryFeature,
    Feature,
    design_indices,
    slot_labels,
    slot_weights,
)

FORMAT: Final = "smsguard.propensity"
FORMAT_VERSION = 1
SEGMENTS = ("high", "medium", "low")
LABEL: Final = "responded and repaid is not false"


class Thresholds(BaseModel):
    """Probability cut-offs of the offer segments: ``high`` at or above ``high``, ``medium``
    at or above ``medium``, ``low`` below."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    high: float = Field(gt=0, lt=1)
    medium: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.medium > self.high:
            raise ValueError("the medium threshold must not exceed the high threshold")
        return self


class TrainingInfo(BaseModel):
    """How the model was made: enough to rebuild it and to know what it has seen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    institution: str
    label: Literal["responded and repaid is not false"] = LABEL
    rows: int = Field(ge=1)
    positives: int = Field(ge=0)
    customers: int = Field(ge=1)
    data_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    seed: int
    holdout_fraction: float = Field(gt=0, lt=1)
    l2: float = Field(ge=0)
    min_level_rows: int = Field(ge=1)
    as_of: datetime
    excluded_columns: tuple[str, ...]


class PropensityModel(BaseModel):
    """A trained model: implements :class:`smsguard.targeting.ports.Scorer`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["smsguard.propensity"] = FORMAT
    version: int = FORMAT_VERSION
    name: str = Field(min_length=1, max_length=100)
    created: date
    intercept: float
    features: tuple[Feature, ...] = Field(min_length=1)
    thresholds: Thresholds
    training: TrainingInfo
    metrics: dict[str, Any]

    @model_validator(mode="after")
    def _complete(self) -> PropensityModel:
        if self.version != FORMAT_VERSION:
            raise ValueError(f"format version {self.version} is not {FORMAT_VERSION}; retrain")
        if not math.isfinite(self.intercept):
            raise ValueError("intercept must be a finite number")
        names = [f.name for f in self.features]
        if len(set(names)) != len(names):
            raise ValueError("feature names repeat")
        for feature in self.features:
            if not feature.coefficients:
                raise ValueError(f"feature {feature.name!r} has no coefficients")
        return self

    # --- the Scorer port -------------------------------------------------------------
    def logit(self, as_of: datetime | None = None) -> ColumnElement[float]:
        """The log-odds as SQL over ``customer_profiles``; recency is measured to ``as_of``
        (default: now, UTC)."""
        moment = _utc(as_of or datetime.now(UTC))
        total: ColumnElement[float] = literal(self.intercept, Float())
        for feature in self.features:
            total = total + feature.sql(moment)
        return total

    def probability(self, logit: float) -> float:
        """The logistic function, stable for large negative and positive log-odds."""
        if logit >= 0:
            return 1.0 / (1.0 + math.exp(-logit))
        odds = math.exp(logit)
        return odds / (1.0 + odds)

    def segment(self, probability: float) -> str:
        """``high``, ``medium`` or ``low`` by the thresholds stored in the model."""
        if probability >= self.thresholds.high:
            return "high"
        return "medium" if probability >= self.thresholds.medium else "low"

    # --- numpy scoring ---------------------------------------------------------------
    def logits(
        self, columns: Mapping[str, Sequence[Any]], as_of: datetime | None = None
    ) -> npt.NDArray[np.float64]:
        """The same log-odds computed in numpy from raw profile columns (name → values)."""
        moment = _utc(as_of or datetime.now(UTC))
        indices = design_indices(self.features, columns, moment)
        weights = np.array([w for f in self.features for w in slot_weights(f)] + [0.0])
        # index -1 (no level) reads the trailing 0.0
        logits: npt.NDArray[np.float64] = self.intercept + weights[indices].sum(axis=1)
        return logits

    def at(self, as_of: datetime) -> ClockedScorer:
        """This model as a Scorer whose recency is measured to ``as_of`` (selection's instant)."""
        return ClockedScorer(self, _utc(as_of))

    def to_json(self) -> str:
        """The artifact: sorted keys and a fixed layout, so equal models are equal bytes."""
        data = self.model_dump(mode="json")
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class ClockedScorer:
    """A model with a fixed scoring instant, so SQL and audit agree on "now"."""

    def __init__(self, model: PropensityModel, as_of: datetime) -> None:
        self.model = model
        self.as_of = as_of
        self.name: str = model.name

    def logit(self) -> ColumnElement[float]:
        return self.model.logit(self.as_of)

    def probability(self, logit: float) -> float:
        return self.model.probability(logit)

    def segment(self, probability: float) -> str:
        return self.model.segment(probability)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def start_of_day(day: date) -> datetime:
    """Midnight UTC of ``day``: the clock a model trained that day measured recency to."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def default_model_path(settings: Settings, institution_code: str) -> Path:
    """Where ``smsguard audience train`` keeps an institution's model under the home."""
    if not institution_code or "/" in institution_code or institution_code.startswith("."):
        raise ModelError(f"institution code {institution_code!r} cannot name a model file")
    return settings.home / "targeting" / institution_code / "propensity.json"


def save_model(model: PropensityModel, path: Path) -> None:
    """Write the artifact atomically (a reader never sees half a model)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, model.to_json().encode("utf-8"), mode=0o644)


def load_model(path: Path) -> PropensityModel:
    """Read and validate a model file; every problem is a ModelError naming file and field."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(
            f"no propensity model at {path}",
            hint="Train one with `smsguard audience train --institution CODE`.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"propensity model {path} cannot be read: {exc}") from exc
    return parse_model(raw, source=str(path))


def parse_model(raw: str, *, source: str = "propensity model") -> PropensityModel:
    """Validate the text of a model file."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{source} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelError(f"{source} is not a propensity model (format must be {FORMAT!r})")
    try:
        return PropensityModel.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "file"
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise ModelError(f"{source}: field {where}: {message}") from exc


def explain_coefficients(model: PropensityModel, limit: int = 8) -> list[dict[str, Any]]:
    """The strongest levels, each relative to the average level of its own feature, as an
    odds multiplier: what a reader needs to check the model makes sense."""
    found: list[dict[str, Any]] = []
    for feature in model.features:
        shares = _level_shares(model, feature)
        weights = np.array(slot_weights(feature))
        centred = weights - float(np.dot(weights, shares))
        for label, value, share in zip(slot_labels(feature), centred, shares, strict=True):
            if share > 0:
                found.append({"feature": feature.name, "level": label, "effect": float(value)})
    found.sort(key=lambda item: (-abs(item["effect"]), item["feature"], item["level"]))
    for item in found[:limit]:
        item["odds_multiplier"] = round(math.exp(item["effect"]), 3)
        item["words"] = _words(item)
    return found[:limit]


def _level_shares(
    model: PropensityModel, feature: CategoryFeature | BinFeature
) -> npt.NDArray[np.float64]:
    counts = model.metrics.get("level_rows", {}).get(feature.name)
    weights = slot_weights(feature)
    if not counts or len(counts) != len(weights):
        return np.full(len(weights), 1.0 / len(weights))
    array = np.asarray(counts, dtype=float)
    return array / array.sum() if array.sum() else np.full(len(weights), 1.0 / len(weights))


def _words(item: Mapping[str, Any]) -> str:
    multiplier = item["odds_multiplier"]
    direction = "more" if multiplier >= 1 else "less"
    times = multiplier if multiplier >= 1 else 1 / multiplier
    return (
        f"{item['feature']} {item['level']}: {times:.2f}x {direction} likely to respond "
        f"and repay than the average {item['feature']} (odds)"
    )
