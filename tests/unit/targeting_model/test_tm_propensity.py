"""The propensity model: deterministic training, a planted relationship learned, and the SQL
log-odds equal to the numpy ones on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from pg import PostgresServer
from sqlalchemy import select
from tm_world import NOW, Person, add_people, world

from smsguard.store import Database, upgrade
from smsguard.store.targeting_models import CustomerProfile
from smsguard.store.tenancy import tenant_session
from smsguard.targeting.ports import Scorer
from smsguard.targeting.propensity import (
    PropensityModel,
    explain_coefficients,
    load_model,
    save_model,
)
from smsguard.targeting.propensity_features import FEATURE_COLUMNS
from smsguard.targeting.propensity_fit import fit_logistic, slots
from smsguard.targeting.propensity_train import (
    TrainConfig,
    TrainingData,
    load_training_data,
    train,
)

DAY = date(2026, 11, 1)


def _trained(database: Database, seed: int = 13) -> tuple[PropensityModel, TrainingData]:
    own, _ = world(database)
    with tenant_session(database, own) as session:
        data = load_training_data(session)
    return train(data, "bank-a", TrainConfig(seed=seed, created=DAY)), data


def test_training_is_deterministic_and_learns_the_planted_relationship(
    database: Database, tmp_path: Path
) -> None:
    model, data = _trained(database)
    again = train(data, "bank-a", TrainConfig(seed=13, created=DAY))
    assert model.to_json() == again.to_json()  # byte-identical artifact
    other = train(data, "bank-a", TrainConfig(seed=14, created=DAY))
    assert other.metrics["holdout"] != model.metrics["holdout"]  # the seed picks the split

    band = dict(zip(model.features[0].labels(), model.features[0].coefficients, strict=True))
    assert band["A"] > band["B"] > band["C"] > band["E"]
    holdout = model.metrics["holdout"]
    assert holdout["model"]["auc"] > holdout["credit_band_only"]["auc"] + 0.02
    assert holdout["credit_band_only"]["auc"] > holdout["base_rate"]["auc"] == 0.5
    assert holdout["model"]["log_loss"] < holdout["base_rate"]["log_loss"]
    assert model.training.rows == 1500 and model.training.seed == 13
    assert model.training.excluded_columns == ("region", "birth_year")
    assert not {f.column for f in model.features} & {"region", "birth_year"}

    path = tmp_path / "m.json"
    save_model(model, path)
    assert load_model(path) == model
    assert path.read_text(encoding="utf-8") == model.to_json()
    words = [item["words"] for item in explain_coefficients(model)]
    assert any("credit_band A" in w and "more likely" in w for w in words)


def test_label_is_responded_and_not_defaulted(database: Database) -> None:
    own, _ = world(database, people=200)
    with tenant_session(database, own) as session:
        data = load_training_data(session)
        from smsguard.store.targeting_models import CampaignOutcome

        outcomes = session.execute(
            select(CampaignOutcome.responded, CampaignOutcome.repaid).order_by(
                CampaignOutcome.customer_id
            )
        ).all()
    expected = [float(r and p is not False) for r, p in outcomes]
    assert data.labels.tolist() == expected
    assert any(r and p is None for r, p in outcomes)  # no loan due yet counts as positive
    assert data.skipped == 0 and len(data.digest) == 64


def test_sql_logit_equals_python_logit(database: Database) -> None:
    model, _ = _trained(database)
    own = 1
    edge = [
        Person(9001, 1990, "A", "high", "never-seen-product", 0.5, "44", None),
        Person(9002, None, "E", "low", None, 0.0, "11", NOW + timedelta(days=2)),
        Person(9003, 1980, "C", "middle", "car", 0.8, "51", NOW - timedelta(days=30)),
        Person(9004, 1970, "B", "upper-middle", "home", 12.5, "31", NOW - timedelta(days=9999)),
    ]
    with tenant_session(database, own) as session:
        add_people(session, edge)
        columns = [getattr(CustomerProfile, name) for name in FEATURE_COLUMNS]
        statement = select(CustomerProfile.customer_id, model.logit(NOW), *columns).order_by(
            CustomerProfile.customer_id
        )
        rows = session.execute(statement).all()
    in_sql = np.array([row[1] for row in rows], dtype=float)
    raw = {name: [row[2 + i] for row in rows] for i, name in enumerate(FEATURE_COLUMNS)}
    in_numpy = model.logits(raw, as_of=NOW)
    assert len(rows) == 1504
    np.testing.assert_allclose(in_sql, in_numpy, rtol=0, atol=1e-9)
    assert len(set(np.round(in_sql, 6))) > 50  # many distinct scores, not a constant


def test_probability_segment_and_scorer_port() -> None:
    crowd = np.random.default_rng(1)
    labels = (crowd.random(400) < 0.3).astype(float)
    data = TrainingData(
        columns={
            "credit_band": ["A"] * 400, "income_band": ["low"] * 400,
            "product_interest": [None] * 400, "debt_ratio": [0.1] * 400,
            "last_active_at": [None] * 400,
        },
        labels=labels, customer_ids=np.arange(400), digest="0" * 64,
    )  # fmt: skip
    model = train(data, "bank-a", TrainConfig(created=DAY))
    scorer: Scorer = model.at(NOW)
    assert scorer.name == model.name
    assert scorer.probability(0.0) == 0.5
    assert scorer.probability(-800.0) == 0.0 and scorer.probability(800.0) == 1.0
    assert model.segment(model.thresholds.high) == "high"
    assert model.segment(model.thresholds.medium) in ("medium", "high")
    assert model.segment(0.0) == "low"


def test_newton_fit_matches_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(5)
    levels = rng.integers(0, 3, (600, 3))  # three features of three levels each
    indices = levels + np.array([0, 3, 6])
    indices[rng.random(600) < 0.1, 2] = -1  # some rows have no level of the last feature
    dense = np.zeros((600, 9))
    for j in range(3):
        hit = indices[:, j] >= 0
        dense[np.nonzero(hit)[0], indices[hit, j]] = 1.0
    truth = dense @ np.array([1.0, 0, -1, 0.5, 0, 0, -0.5, 0, 0.5]) - 0.3
    labels = (rng.random(600) < 1 / (1 + np.exp(-truth))).astype(float)
    ours = fit_logistic(slots(indices, 9), 9, labels, l2=1.0)
    theirs = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(dense, labels)
    np.testing.assert_allclose(ours[1:], theirs.coef_[0], atol=1e-5)
    np.testing.assert_allclose(ours[0], theirs.intercept_[0], atol=1e-5)


def test_too_little_data_is_a_clear_error(database: Database) -> None:
    from smsguard.errors import InputError

    own, _ = world(database, people=20)
    with tenant_session(database, own) as session:
        data = load_training_data(session)
    with pytest.raises(InputError, match="at least 50"):
        train(data, "bank-a", TrainConfig(created=DAY))


def test_same_model_from_sqlite_and_postgresql(tmp_path: Path, pg_server: PostgresServer) -> None:
    """The data digest and the whole artifact do not depend on the backend."""
    made = []
    for url in (f"sqlite:///{tmp_path / 'x.db'}", pg_server.create_database("tm_cross")):
        database = Database.from_url(url)
        try:
            upgrade(database)
            made.append(_trained(database)[0].to_json())
        finally:
            database.dispose()
    assert made[0] == made[1]
