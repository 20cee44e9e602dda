"""The audience language: who a campaign is for, as validated data (docs/targeting.md).

A definition is a small boolean tree over an allow-listed set of customer attributes::

    {"all": [{"credit_band": {"in": ["A", "B"]}},
             {"debt_ratio": {"lt": 0.3}},
             {"not": {"region": {"in": ["11"]}}}],
     "rank": {"by": "propensity", "limit": 5000, "min_probability": 0.2}}

Nodes are ``all`` (a list), ``any`` (a list), ``not`` (one node) and the leaves
``credit_band``, ``income_band``, ``product_interest``, ``region`` (``in``), ``debt_ratio``
(``lt``/``le``/``gt``/``ge`` or ``between``), ``age`` (``between``, from the birth year) and
``active_within_days``. Beside the tree a definition may name ``customer_ids`` (only these
customers) and ``rank`` (order by the propensity model, keep the best ``limit``, drop those
below ``min_probability``). The legacy shapes ``{"all": true}`` (everyone) and
``{"customer_ids": [...]}`` stay valid. Anything else is an :class:`InputError` naming the
place and the problem, raised when the campaign is created, never when it is sent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError
from pydantic import model_validator as _model_validator

from smsguard.errors import InputError
from smsguard.store.targeting_models import CREDIT_BANDS, INCOME_BANDS

# GB/T 2260 province-level codes (two digits).
_PROVINCES = "11-15 21-23 31-37 41-46 50-54 61-65 71 81 82"
REGIONS = frozenset(
    f"{n:02d}" for span in _PROVINCES.split() for n in range(int(span[:2]), int(span[-2:]) + 1)
)
MAX_IDS = 100_000
CreditBand = Literal["A", "B", "C", "D", "E"]
IncomeBand = Literal["low", "lower-middle", "middle", "upper-middle", "high"]
assert set(CreditBand.__args__) == set(CREDIT_BANDS)  # type: ignore[attr-defined]
assert set(IncomeBand.__args__) == set(INCOME_BANDS)  # type: ignore[attr-defined]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class InSet(_Strict):
    """``{"in": [...]}``: the attribute is one of these values."""

    in_: tuple[str, ...] = Field(alias="in", min_length=1, max_length=200)

    @_model_validator(mode="after")
    def _distinct(self) -> InSet:
        if len(set(self.in_)) != len(self.in_):
            raise ValueError("the values of 'in' must be distinct")
        return self


class BandSet(InSet):
    """Credit bands A (best) to E."""

    in_: tuple[CreditBand, ...] = Field(alias="in", min_length=1)


class IncomeSet(InSet):
    """Income bands from ``low`` to ``high``."""

    in_: tuple[IncomeBand, ...] = Field(alias="in", min_length=1)


class RegionSet(InSet):
    """Two-digit GB/T 2260 province codes (``"44"`` Guangdong)."""

    @_model_validator(mode="after")
    def _known(self) -> RegionSet:
        unknown = sorted(set(self.in_) - REGIONS)
        if unknown:
            raise ValueError(f"not GB/T 2260 province codes: {', '.join(unknown)}")
        return self


class ProductSet(InSet):
    """Product-interest labels as the institution's profiles store them."""

    in_: tuple[Annotated[str, Field(min_length=1, max_length=32)], ...] = Field(
        alias="in", min_length=1
    )


class Ratio(_Strict):
    """Bounds on a ratio: any of ``lt``/``le``/``gt``/``ge``, or ``between`` (inclusive)."""

    lt: float | None = Field(None, ge=0)
    le: float | None = Field(None, ge=0)
    gt: float | None = Field(None, ge=0)
    ge: float | None = Field(None, ge=0)
    between: tuple[float, float] | None = None

    @_model_validator(mode="after")
    def _sensible(self) -> Ratio:
        bounds = [v for v in (self.lt, self.le, self.gt, self.ge) if v is not None]
        if self.between is not None:
            if bounds:
                raise ValueError("use either 'between' or lt/le/gt/ge, not both")
            bounds = list(self.between)
            if not self.between[0] <= self.between[1]:
                raise ValueError("'between' needs [low, high] with low <= high")
        if not bounds:
            raise ValueError("give at least one of lt, le, gt, ge or between")
        if not all(math.isfinite(v) and v >= 0 for v in bounds):
            raise ValueError("bounds must be finite and not negative")
        return self


class AgeRange(_Strict):
    """``{"between": [25, 45]}``: whole years, both ends included."""

    between: tuple[Annotated[int, Field(ge=0, le=130)], Annotated[int, Field(ge=0, le=130)]]

    @_model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.between[0] > self.between[1]:
            raise ValueError("'between' needs [youngest, oldest] with youngest <= oldest")
        return self


class CreditBandIs(_Strict):
    credit_band: BandSet


class IncomeBandIs(_Strict):
    income_band: IncomeSet


class ProductInterestIs(_Strict):
    product_interest: ProductSet


class RegionIs(_Strict):
    region: RegionSet


class DebtRatioIs(_Strict):
    debt_ratio: Ratio


class AgeIs(_Strict):
    age: AgeRange


class ActiveWithin(_Strict):
    active_within_days: int = Field(ge=1, le=3650)


class AllOf(_Strict):
    all: tuple[Condition, ...] = Field(min_length=1, max_length=100)


class AnyOf(_Strict):
    any: tuple[Condition, ...] = Field(min_length=1, max_length=100)


class NotOf(_Strict):
    not_: Condition = Field(alias="not")


LEAVES: dict[str, type[_Strict]] = {
    "credit_band": CreditBandIs,
    "income_band": IncomeBandIs,
    "product_interest": ProductInterestIs,
    "region": RegionIs,
    "debt_ratio": DebtRatioIs,
    "age": AgeIs,
    "active_within_days": ActiveWithin,
}
NODES: dict[str, type[_Strict]] = {"all": AllOf, "any": AnyOf, "not": NotOf, **LEAVES}
Leaf = (
    CreditBandIs | IncomeBandIs | ProductInterestIs | RegionIs | DebtRatioIs | AgeIs | ActiveWithin
)


def _tag(value: Any) -> str | None:
    """The node kind: the single key of the mapping, when it is a known one."""
    if isinstance(value, Mapping) and len(value) == 1:
        key = next(iter(value))
        return key if key in NODES else None
    if isinstance(value, BaseModel):
        for key, model in NODES.items():
            if type(value) is model:
                return key
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[CreditBandIs, Tag("credit_band")]
    | Annotated[IncomeBandIs, Tag("income_band")]
    | Annotated[ProductInterestIs, Tag("product_interest")]
    | Annotated[RegionIs, Tag("region")]
    | Annotated[DebtRatioIs, Tag("debt_ratio")]
    | Annotated[AgeIs, Tag("age")]
    | Annotated[ActiveWithin, Tag("active_within_days")],
    Discriminator(
        _tag,
        custom_error_type="unknown_condition",
        custom_error_message=(
            "a condition is one of {all: [...]}, {any: [...]}, {not: {...}} or one attribute "
            f"of {', '.join(LEAVES)}"
        ),
    ),
]


for _model in (AllOf, AnyOf, NotOf):
    _model.model_rebuild()


class Rank(_Strict):
    """Order by the propensity model; keep the best ``limit`` above ``min_probability``."""

    by: Literal["propensity"] = "propensity"
    limit: int | None = Field(None, ge=1, le=100_000_000)
    min_probability: float | None = Field(None, gt=0, lt=1)

    @_model_validator(mode="after")
    def _something(self) -> Rank:
        if self.limit is None and self.min_probability is None:
            raise ValueError("rank needs a limit, a min_probability or both")
        return self


class AudienceDefinition(_Strict):
    """A parsed audience: an optional condition, an optional id list and optional ranking.

    No condition and no id list means every customer of the institution; the mandatory
    exclusions (:mod:`smsguard.targeting.exclusions`) apply to every definition.
    """

    where: Condition | None = None
    customer_ids: tuple[int, ...] | None = Field(None, min_length=1, max_length=MAX_IDS)
    rank: Rank | None = None
    # segment -> values of the template's placeholders (smsguard.targeting.offers)
    offers: dict[str, dict[str, str]] | None = None

    @_model_validator(mode="after")
    def _positive_ids(self) -> AudienceDefinition:
        if self.customer_ids is not None and any(
            isinstance(i, bool) or i < 1 for i in self.customer_ids
        ):
            raise ValueError("customer_ids are positive row ids")
        if self.offers is not None and self.rank is None:
            raise ValueError("offers per segment need a rank: segments come from the model")
        return self

    @property
    def everyone(self) -> bool:
        """No condition and no id list: the whole institution (before exclusions)."""
        return self.where is None and self.customer_ids is None


def parse_audience(data: object) -> AudienceDefinition:
    """The definition in ``data`` (a mapping as read from JSON or YAML), or InputError."""
    if not isinstance(data, Mapping):
        raise InputError('an audience is a mapping, e.g. {"all": true}')
    try:
        return AudienceDefinition.model_validate(_normalised(dict(data)))
    except ValidationError as exc:
        raise InputError(f"audience: {_describe(exc)}") from exc


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    """Accept the tree at the top level beside ``rank``/``customer_ids``, and the legacy
    ``{"all": true}``; everything else goes under ``where``."""
    if data.get("all") is True:
        del data["all"]
        if "where" in data:
            raise InputError('audience: {"all": true} means everyone; drop "where" or it')
    ids = data.get("customer_ids")
    if isinstance(ids, list) and any(isinstance(i, bool) for i in ids):
        raise InputError("audience: customer_ids are row ids, not true/false")
    tree = {k: v for k, v in data.items() if k not in ("where", "customer_ids", "rank", "offers")}
    if not tree:
        return data
    if "where" in data:
        raise InputError(f"audience: put the condition under 'where' or at the top, not both "
                         f"(found {', '.join(sorted(tree))})")  # fmt: skip
    if len(tree) > 1:
        found = ", ".join(sorted(tree))
        raise InputError(f"audience: one condition at the top level, found {found}; "
                         "combine them with {all: [...]}")  # fmt: skip
    rest = {k: v for k, v in data.items() if k not in tree}
    return {**rest, "where": tree}


def _describe(exc: ValidationError) -> str:
    """The first problem with its place (``where.all.0.credit_band.in.0``); repeated parts of
    the location (a tag and its field) are shown once."""
    problem = exc.errors()[0]
    parts: list[str] = []
    for part in problem["loc"]:
        if not parts or parts[-1] != str(part):
            parts.append(str(part))
    message = str(problem["msg"]).removeprefix("Value error, ")
    return f"{'.'.join(parts) or '(top)'}: {message}"


def leaves(condition: object) -> list[tuple[str, Leaf]]:
    """Every leaf of a condition tree with its path (``all.0.credit_band``), in order."""
    found: list[tuple[str, Leaf]] = []
    _walk(condition, "", found)
    return found


def _walk(node: object, path: str, found: list[tuple[str, Leaf]]) -> None:
    if isinstance(node, AllOf | AnyOf):
        key = "all" if isinstance(node, AllOf) else "any"
        for i, child in enumerate(node.all if isinstance(node, AllOf) else node.any):
            _walk(child, f"{path}{key}.{i}.", found)
    elif isinstance(node, NotOf):
        _walk(node.not_, f"{path}not.", found)
    else:
        key = _tag(node) or "?"
        found.append((f"{path}{key}", node))  # type: ignore[arg-type]
