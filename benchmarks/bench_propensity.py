"""Propensity model: training time, and scoring inside the database against numpy.

    .venv/bin/python benchmarks/bench_propensity.py [--rows 200000] [--backend sqlite|postgresql]

For each backend (a SQLite file; a throw-away PostgreSQL started as tests/pg.py does):
insert N synthetic customers with profiles and one past campaign outcome each (planted
relationships, invented data), then time

* loading the outcomes (one joined query) and training (numpy Newton, hold-out, refit);
* in-database scoring: ``SELECT count(*) … WHERE logit >= t`` (a full scan computing the
  compiled CASE sum for every row), and ``ORDER BY logit DESC LIMIT 10000``, the top of the
  ranking as selection uses it;
* the baseline: fetch the raw profile columns into Python and score them with numpy
  (``PropensityModel.logits``), reported as fetch + compute and compute alone.

Both scorings are checked to give the same count above the threshold.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import func, insert, select

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from smsguard.store import Database, tenant_session, upgrade  # noqa: E402
from smsguard.store.institutions import add_institution  # noqa: E402
from smsguard.store.models import Customer, User  # noqa: E402
from smsguard.store.targeting_models import CampaignOutcome, CustomerProfile  # noqa: E402
from smsguard.store.workflow_models import Campaign, Template, TemplateVersion  # noqa: E402
from smsguard.targeting.propensity import PropensityModel  # noqa: E402
from smsguard.targeting.propensity_features import FEATURE_COLUMNS  # noqa: E402
from smsguard.targeting.propensity_train import TrainConfig, load_training_data, train  # noqa: E402

T = TypeVar("T")
NOW = datetime(2026, 11, 1, tzinfo=UTC)
BATCH = 20_000


def timed(work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def _campaign(database: Database, own: int) -> int:
    with tenant_session(database, own) as session:
        user = User(username="bench", display_name="bench", roles=["marketer"])
        session.add(user)
        session.flush()
        template = Template(name="bench", author_id=user.id)
        session.add(template)
        session.flush()
        version = TemplateVersion(template_id=template.id, version=1, body="【某银行】回复TD退订",
                                  variables={}, state="draft", author_id=user.id)  # fmt: skip
        session.add(version)
        session.flush()
        row = Campaign(name="past", template_version_id=version.id, audience={}, variables={},
                       starts_at=NOW, rate_limit_per_minute=60, created_by_id=user.id)  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


def populate(database: Database, rows: int, seed: int) -> int:
    own = add_institution(database, code="bench", name="Bench").id
    campaign = _campaign(database, own)
    rng = np.random.default_rng(seed)
    for start in range(1, rows + 1, BATCH):
        ids = range(start, min(start + BATCH, rows + 1))
        with tenant_session(database, own) as session:
            _insert_batch(session, own, campaign, list(ids), rng)
    return own


def _insert_batch(session: Any, own: int, campaign: int, ids: list[int], rng: Any) -> None:
    n = len(ids)
    band = rng.integers(0, 5, n)
    debt = np.round(rng.gamma(2.0, 0.15, n), 3)
    days = rng.exponential(60, n)
    silent = rng.random(n) < 0.1
    z = -1.0 - 0.5 * band - 1.5 * (debt > 0.5) - 0.8 * (silent | (days > 180))
    good = rng.random(n) < 1 / (1 + np.exp(-z))
    interests = ("car", "home", "cash", "card", None)
    incomes = ("low", "lower-middle", "middle", "upper-middle", "high")
    customers, profiles, outcomes = [], [], []
    for i, cid in enumerate(ids):
        customers.append({"id": cid, "institution_id": own, "phone_index": f"b{cid}",
                          "phone_ciphertext": b"\x01", "key_id": "k", "is_student": False,
                          "birth_year": int(1950 + (cid * 7) % 55)})  # fmt: skip
        active = None if silent[i] else NOW - timedelta(days=float(days[i]))
        profiles.append({"id": cid, "institution_id": own, "customer_id": cid,
                         "credit_band": "ABCDE"[band[i]], "debt_ratio": float(debt[i]),
                         "income_band": incomes[cid % 5], "product_interest": interests[cid % 5],
                         "region": ("44", "11", "31", "51")[cid % 4], "last_active_at": active,
                         "in_arrears": False, "updated_at": NOW})  # fmt: skip
        outcomes.append({"institution_id": own, "campaign_id": campaign, "customer_id": cid,
                         "responded": bool(good[i]) or bool(rng.random() < 0.1),
                         "repaid": None if good[i] else False, "recorded_at": NOW})  # fmt: skip
    session.execute(insert(Customer), customers)
    session.execute(insert(CustomerProfile), profiles)
    session.execute(insert(CampaignOutcome), outcomes)


def score(database: Database, own: int, model: PropensityModel, rows: int) -> None:
    threshold = float(np.log(model.thresholds.high / (1 - model.thresholds.high)))
    logit = model.logit(NOW)
    with tenant_session(database, own) as session:
        counted, seconds = timed(
            lambda: session.scalar(select(func.count()).where(logit >= threshold))
        )
        print(f"  in database: count(logit >= t)  {seconds:7.2f} s  {rows / seconds:>12,.0f} rows/s"
              f"  ({counted:,} high)")  # fmt: skip
        top = select(CustomerProfile.customer_id).order_by(logit.desc()).limit(10_000)
        _, seconds = timed(lambda: session.execute(top).all())
        print(
            f"  in database: top 10,000 by logit {seconds:6.2f} s  {rows / seconds:>12,.0f} rows/s"
        )
        columns = [getattr(CustomerProfile, c) for c in FEATURE_COLUMNS]
        fetched, fetch_s = timed(lambda: session.execute(select(*columns)).all())
    raw = {name: [row[i] for row in fetched] for i, name in enumerate(FEATURE_COLUMNS)}
    values, numpy_s = timed(lambda: model.logits(raw, as_of=NOW))
    same = "same count" if int((values >= threshold).sum()) == counted else "COUNT DIFFERS"
    total = fetch_s + numpy_s
    print(
        f"  baseline: fetch + numpy        {total:7.2f} s  {rows / total:>12,.0f} rows/s ({same})"
    )
    print(f"  baseline: numpy alone          {numpy_s:7.2f} s  {rows / numpy_s:>12,.0f} rows/s")


def run(backend: str, url: str, rows: int, seed: int) -> None:
    database = Database.from_url(url)
    upgrade(database)
    own, seconds = timed(lambda: populate(database, rows, seed))
    print(f"{backend}: {rows:,} customers with outcomes inserted in {seconds:.1f} s", flush=True)

    def load() -> Any:
        with tenant_session(database, own) as session:
            return load_training_data(session)

    data, load_s = timed(load)
    model, train_s = timed(lambda: train(data, "bench", TrainConfig(created=date(2026, 11, 1))))
    holdout = model.metrics["holdout"]
    auc, band_auc = holdout["model"]["auc"], holdout["credit_band_only"]["auc"]
    print(f"  load outcomes {load_s:.2f} s, train {train_s:.2f} s; held-out AUC {auc:.3f} "
          f"(credit band only {band_auc:.3f})", flush=True)  # fmt: skip
    score(database, own, model, rows)
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), action="append",
                        help="run only this backend (repeatable; default both)")  # fmt: skip
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory(prefix="bench-propensity-") as tmp:
        if "sqlite" in backends:
            run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.rows, args.seed)
        if "postgresql" in backends:
            from pg import start_postgres  # type: ignore[import-not-found]

            server = start_postgres()
            try:
                run("postgresql", server.create_database("bench"), args.rows, args.seed)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
