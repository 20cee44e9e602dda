"""The propensity model's features: one definition, read two ways.

Every feature turns one profile column into one level per customer, and the model adds the
coefficient of that level. The same definition is

* compiled to SQL (:meth:`CategoryFeature.sql`, :meth:`BinFeature.sql`): a ``CASE`` over the
  column whose branches are the bound coefficients, so scoring runs inside the database;
* evaluated in numpy (:meth:`encode`): the level index of each row, which training uses to
  build its design matrix and which tests use to check the SQL against.

Only the columns in :data:`FEATURE_COLUMNS` may be used. ``region`` (and ``birth_year``, the
customer's age) are refused by name: they exist for the fairness report, never to rank
customers (docs/targeting-model.md).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Self

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Float, case, literal
from sqlalchemy.sql.elements import ColumnElement

from smsguard.store.targeting_models import CustomerProfile

NONE_LEVEL = "(none)"  # the column is NULL (no product interest, never active)
OTHER_LEVEL = "(other)"  # a value the model did not see often enough to learn
FEATURE_COLUMNS = ("credit_band", "income_band", "product_interest", "debt_ratio", "last_active_at")
PROTECTED_COLUMNS = ("region", "birth_year", "age", "is_student")
IntArray = npt.NDArray[np.int64]


def _column_allowed(column: str) -> str:
    if column in PROTECTED_COLUMNS:
        raise ValueError(
            f"column {column!r} is never a model feature: region and age are used only by "
            "the fairness report (docs/targeting-model.md)"
        )
    if column not in FEATURE_COLUMNS:
        raise ValueError(f"column {column!r} is not one of {', '.join(FEATURE_COLUMNS)}")
    return column


def _finite(values: Sequence[float], what: str) -> None:
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{what} must be finite numbers")


class _Feature(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    column: str
    coefficients: tuple[float, ...] = ()

    @field_validator("column")
    @classmethod
    def _check_column(cls, value: str) -> str:
        return _column_allowed(value)

    def labels(self) -> tuple[str, ...]:
        raise NotImplementedError

    def with_coefficients(self, values: Sequence[float]) -> Self:
        return self.model_copy(update={"coefficients": tuple(float(v) for v in values)})

    def _column(self) -> ColumnElement[Any]:
        return CustomerProfile.__table__.c[self.column]


def _coef(value: float) -> ColumnElement[float]:
    return literal(float(value), Float())


class CategoryFeature(_Feature):
    """One coefficient per value of a text column; ``(none)`` for NULL, ``(other)`` for the
    rest. A value with no level of its own (and no ``(other)`` level) adds nothing."""

    kind: Literal["category"] = "category"
    levels: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> CategoryFeature:
        if len(set(self.levels)) != len(self.levels):
            raise ValueError(f"feature {self.name!r}: levels repeat")
        if self.coefficients and len(self.coefficients) != len(self.levels):
            raise ValueError(
                f"feature {self.name!r}: {len(self.levels)} levels but "
                f"{len(self.coefficients)} coefficients"
            )
        _finite(self.coefficients, f"feature {self.name!r} coefficients")
        return self

    def labels(self) -> tuple[str, ...]:
        return self.levels

    def encode(self, values: Sequence[Any], as_of: datetime) -> IntArray:
        """The level index of each value (-1: no level, adds nothing)."""
        index = {level: i for i, level in enumerate(self.levels)}
        none = index.get(NONE_LEVEL, -1)
        other = index.get(OTHER_LEVEL, -1)
        found = [none if v is None else index.get(str(v), other) for v in values]
        return np.asarray(found, dtype=np.int64)

    def sql(self, as_of: datetime) -> ColumnElement[float]:
        column = self._column()
        weights = dict(zip(self.levels, self.coefficients, strict=True))
        whens: list[tuple[ColumnElement[bool], ColumnElement[float]]] = []
        if NONE_LEVEL in weights:
            whens.append((column.is_(None), _coef(weights[NONE_LEVEL])))
        for level, weight in weights.items():
            if level not in (NONE_LEVEL, OTHER_LEVEL):
                whens.append((column == level, _coef(weight)))
        return case(*whens, else_=_coef(weights.get(OTHER_LEVEL, 0.0)))


class BinFeature(_Feature):
    """A number cut into bins: bin ``i`` holds ``edges[i-1] <= x < edges[i]``; NULL has its
    own coefficient ``missing``. With ``unit: days_since`` the column is a timestamp and
    ``x`` is the days from it to the scoring time (recency)."""

    kind: Literal["bins"] = "bins"
    unit: Literal["ratio", "days_since"]
    edges: tuple[float, ...] = Field(min_length=1)
    missing: float = 0.0

    @model_validator(mode="after")
    def _consistent(self) -> BinFeature:
        _finite((*self.edges, self.missing), f"feature {self.name!r} edges")
        if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)):
            raise ValueError(f"feature {self.name!r}: edges must increase")
        if self.coefficients and len(self.coefficients) != len(self.edges) + 1:
            raise ValueError(
                f"feature {self.name!r}: {len(self.edges)} edges need "
                f"{len(self.edges) + 1} coefficients, not {len(self.coefficients)}"
            )
        _finite(self.coefficients, f"feature {self.name!r} coefficients")
        expected = "days_since" if self.column == "last_active_at" else "ratio"
        if self.unit != expected:
            raise ValueError(f"feature {self.name!r}: column {self.column} needs unit {expected}")
        return self

    def labels(self) -> tuple[str, ...]:
        unit = " days" if self.unit == "days_since" else ""
        bounds = ("", *(f"{e:g}" for e in self.edges), "")
        return tuple(_bin_label(lo, hi, unit) for lo, hi in itertools.pairwise(bounds))

    def with_coefficients(self, values: Sequence[float]) -> Self:
        """``values`` holds one per bin and, last, the NULL coefficient."""
        floats = tuple(float(v) for v in values)
        return self.model_copy(update={"coefficients": floats[:-1], "missing": floats[-1]})

    def encode(self, values: Sequence[Any], as_of: datetime) -> IntArray:
        """The bin of each value; ``len(edges) + 1`` marks NULL (the ``missing`` slot)."""
        if self.unit == "days_since":
            numbers = days_since(values, as_of)
        else:
            numbers = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        bins = np.searchsorted(np.asarray(self.edges), numbers, side="right").astype(np.int64)
        bins[np.isnan(numbers)] = len(self.edges) + 1
        return bins

    def sql(self, as_of: datetime) -> ColumnElement[float]:
        column = self._column()
        whens: list[tuple[ColumnElement[bool], ColumnElement[float]]] = [
            (column.is_(None), _coef(self.missing))
        ]
        for edge, weight in zip(self.edges, self.coefficients, strict=False):
            if self.unit == "days_since":
                whens.append((column > as_of - timedelta(days=edge), _coef(weight)))
            else:
                whens.append((column < edge, _coef(weight)))
        return case(*whens, else_=_coef(self.coefficients[-1]))


Feature = Annotated[CategoryFeature | BinFeature, Field(discriminator="kind")]


def _bin_label(lo: str, hi: str, unit: str) -> str:
    if not lo:
        return f"< {hi}{unit}"
    return f">= {lo}{unit}" if not hi else f"{lo}-{hi}{unit}"


def width(feature: CategoryFeature | BinFeature) -> int:
    """Columns the feature takes in the design matrix (bins: one more for NULL)."""
    if isinstance(feature, BinFeature):
        return len(feature.edges) + 2
    return len(feature.levels)


def slot_labels(feature: CategoryFeature | BinFeature) -> tuple[str, ...]:
    """A readable name for every design-matrix column of the feature."""
    if isinstance(feature, BinFeature):
        return (*feature.labels(), "never" if feature.unit == "days_since" else NONE_LEVEL)
    return feature.labels()


def slot_weights(feature: CategoryFeature | BinFeature) -> tuple[float, ...]:
    """The coefficients in design-matrix order (bins: ``missing`` last)."""
    if isinstance(feature, BinFeature):
        return (*feature.coefficients, feature.missing)
    return feature.coefficients


def days_since(values: Sequence[Any], as_of: datetime) -> npt.NDArray[np.float64]:
    """Days from each timestamp to ``as_of`` (NaN for NULL); naive values are UTC (SQLite
    returns stored UTC timestamps without their zone)."""
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if value is not None:
            moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            out[i] = (as_of - moment).total_seconds() / 86_400
    return out


def design_indices(
    features: Sequence[CategoryFeature | BinFeature],
    columns: Mapping[str, Sequence[Any]],
    as_of: datetime,
) -> IntArray:
    """Rows × features: the design-matrix column each row sets to 1 (-1: none)."""
    offsets = np.cumsum([0, *(width(f) for f in features)])
    parts = []
    for feature, offset in zip(features, offsets, strict=False):
        local = feature.encode(columns[feature.column], as_of)
        parts.append(np.where(local >= 0, local + offset, -1))
    return np.stack(parts, axis=1) if parts else np.zeros((0, 0), dtype=np.int64)
