"""Loading a propensity model file: every defect is a ModelError that names the problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smsguard.errors import ModelError
from smsguard.settings import Settings
from smsguard.targeting.propensity import default_model_path, load_model, parse_model
from smsguard.targeting.propensity_train import TrainConfig, TrainingData, train


@pytest.fixture(scope="module")
def good() -> dict[str, Any]:
    rng = np.random.default_rng(2)
    n = 300
    data = TrainingData(
        columns={
            "credit_band": [("A", "B", "C", "D", "E")[i % 5] for i in range(n)],
            "income_band": ["middle"] * n, "product_interest": ["car", None, "cash"] * 100,
            "debt_ratio": list(rng.uniform(0, 1, n)),
            "last_active_at": [datetime(2026, 10, 1, tzinfo=UTC), None, None] * 100,
        },
        labels=(rng.random(n) < 0.4).astype(float), customer_ids=np.arange(n), digest="a" * 64,
    )  # fmt: skip
    model = train(data, "bank-a", TrainConfig(created=date(2026, 11, 1)))
    loaded: dict[str, Any] = json.loads(model.to_json())
    return loaded


def _broken(good: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> str:
    data = json.loads(json.dumps(good))
    change(data)
    return json.dumps(data)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("features.0.column", "region"), "never a model feature"),
        (_set("features.3.column", "birth_year"), "never a model feature"),
        (_set("features.0.column", "phone"), "not one of"),
        (_set("features.0.coefficients", [0.1, 0.2]), "5 levels but 2 coefficients"),
        (_set("features.3.edges", [0.5, 0.2]), "edges must increase"),
        (_set("features.3.coefficients", [0.1]), "need"),
        (_set("thresholds.medium", 0.99), "must not exceed"),
        (_set("thresholds.high", 1.5), "thresholds.high"),
        (_set("intercept", "NaN"), "finite"),
        (_set("version", 7), "retrain"),
        (_set("training.data_sha256", "xyz"), "training.data_sha256"),
        (_set("training.label", "responded"), "training.label"),
        (_set("features.1.kind", "spline"), "features.1"),
        (_set("surprise", 1), "surprise"),
    ],
)
def test_defects_are_named(
    good: dict[str, Any], change: Callable[[dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(ModelError, match=message) as caught:
        parse_model(_broken(good, change), source="m.json")
    assert caught.value.message.startswith("m.json")
    assert caught.value.code == "invalid-model"


def test_good_file_round_trips(good: dict[str, Any]) -> None:
    assert json.loads(parse_model(json.dumps(good)).to_json()) == good


def test_file_level_problems(tmp_path: Path, good: dict[str, Any]) -> None:
    with pytest.raises(ModelError, match="no propensity model") as missing:
        load_model(tmp_path / "absent.json")
    assert "audience train" in missing.value.diagnostics()
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="not JSON"):
        load_model(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "x"}), encoding="utf-8")
    with pytest.raises(ModelError, match="not a propensity model"):
        load_model(tmp_path / "other.json")


def test_default_path_is_under_the_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert default_model_path(settings, "bank-a") == tmp_path / "targeting/bank-a/propensity.json"
    with pytest.raises(ModelError):
        default_model_path(settings, "../x")
