"""Audience selection over millions of synthetic customers, on PostgreSQL and SQLite.

    .venv/bin/python benchmarks/bench_audience.py [--customers N] [--backend postgresql|sqlite]

For each backend (a throw-away PostgreSQL started with initdb/pg_ctl as tests/pg.py does,
and a SQLite file): generate N synthetic customers (default 5,000,000) with
``smsguard.targeting.synthetic.generate``, then time, for a realistic definition (credit
band A-C, debt ratio < 0.4, regions 44/31/11, active within 90 days) with every mandatory
exclusion:

* ``audience_report``: the base, each exclusion and the selection, counted in the database;
* ``freeze_audience``: the selection written into ``campaign_audiences`` with its digest;
* the baseline: the same selection by loading the rows into Python
  (benchmarks/audience_baseline.py), whose count must equal the report's.

Targets (issue 10): PostgreSQL <= 30 s, SQLite <= 60 s for the selection. Peak memory is
this process's maximum resident set so far (the PostgreSQL server's memory is not in it).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

from audience_baseline import Wanted, select_in_python  # noqa: E402

from smsguard.bootstrap import build_blind_indexer, build_master_key_provider  # noqa: E402
from smsguard.protect import generate_key_file  # noqa: E402
from smsguard.settings import Settings  # noqa: E402
from smsguard.store import Database, tenant_session, upgrade  # noqa: E402
from smsguard.store.institutions import add_institution  # noqa: E402
from smsguard.store.workflow_models import Campaign, Template, TemplateVersion  # noqa: E402
from smsguard.targeting.language import parse_audience  # noqa: E402
from smsguard.targeting.policy import ExclusionPolicy  # noqa: E402
from smsguard.targeting.selection import audience_report, freeze_audience  # noqa: E402
from smsguard.targeting.synthetic import generate  # noqa: E402
from smsguard.targeting.synthetic_past import TEMPLATE_NAME  # noqa: E402

T = TypeVar("T")
DEFINITION = {
    "all": [
        {"credit_band": {"in": ["A", "B", "C"]}},
        {"debt_ratio": {"lt": 0.4}},
        {"region": {"in": ["44", "31", "11"]}},
        {"active_within_days": 90},
    ]
}
WANTED = Wanted(frozenset("ABC"), 0.4, frozenset({"44", "31", "11"}), 90)
TARGET_SECONDS = {"postgresql": 30.0, "sqlite": 60.0}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def _bank(home: Path, url: str) -> tuple[Settings, Database, int]:
    (home / "keys").mkdir(parents=True)
    settings = Settings(home=home, database_url=url)
    generate_key_file(settings.effective_master_key_file)
    generate_key_file(settings.effective_index_key_file)
    database = Database.from_url(url)
    upgrade(database)
    return settings, database, add_institution(database, code="bank-a", name="Bank A").id


def _draft_campaign(database: Database, bank: int, now: datetime) -> int:
    """A draft campaign with the benchmark's definition, on the generator's template."""
    with tenant_session(database, bank) as session:
        version = session.scalars(
            select(TemplateVersion).join(Template, Template.id == TemplateVersion.template_id)
            .where(Template.name == TEMPLATE_NAME)
        ).one()  # fmt: skip
        campaign = Campaign(
            name="bench-audience", template_version_id=version.id, audience=DEFINITION,
            variables={}, starts_at=now, rate_limit_per_minute=600, state="draft",
            created_by_id=version.author_id,
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        return campaign.id


def run(backend: str, url: str, home: Path, customers: int, seed: int) -> None:
    settings, database, bank = _bank(home, url)
    provider, indexer = build_master_key_provider(settings), build_blind_indexer(settings, bank)
    print(f"{backend}: generating {customers:,} synthetic customers …", flush=True)
    summary = generate(database, bank, provider, indexer, customers=customers, seed=seed)
    rate = customers / summary.seconds
    print(f"  generation          {summary.seconds:8.1f} s  ({rate:,.0f} customers/s)  "
          f"peak {peak_mb():,.0f} MB", flush=True)  # fmt: skip
    now, policy = datetime.now(UTC), ExclusionPolicy()
    definition = parse_audience(DEFINITION)
    with tenant_session(database, bank) as session:
        report, seconds = timed(lambda: audience_report(session, definition, policy, now))
    verdict = "ok" if seconds <= TARGET_SECONDS[backend] else "OVER TARGET"
    print(f"  audience_report     {seconds:8.1f} s  base {report.base:,}, excluded "
          f"{report.excluded:,}, selected {report.selected:,}  [{verdict}, target "
          f"{TARGET_SECONDS[backend]:.0f} s]  peak {peak_mb():,.0f} MB", flush=True)  # fmt: skip
    for name, count in report.exclusions.items():
        print(f"      {name:<20} {count:>10,}")
    campaign_id = _draft_campaign(database, bank, now)
    with tenant_session(database, bank) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        frozen, seconds = timed(lambda: freeze_audience(session, campaign, policy, now))
    verdict = "ok" if seconds <= TARGET_SECONDS[backend] else "OVER TARGET"
    print(f"  freeze_audience     {seconds:8.1f} s  {frozen.selected:,} members frozen  "
          f"[{verdict}]  peak {peak_mb():,.0f} MB", flush=True)  # fmt: skip
    with tenant_session(database, bank) as session:
        count, seconds = timed(lambda: select_in_python(session, WANTED, policy, now))
    same = "same count" if count == report.selected else f"DIFFERS from SQL ({report.selected:,})"
    print(f"  baseline in Python  {seconds:8.1f} s  selected {count:,} ({same})  "
          f"peak {peak_mb():,.0f} MB", flush=True)  # fmt: skip
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), action="append",
                        help="run only this backend (repeatable; default both)")  # fmt: skip
    args = parser.parse_args()
    backends = args.backend or ["postgresql", "sqlite"]
    with tempfile.TemporaryDirectory(prefix="bench-audience-") as tmp:
        if "postgresql" in backends:
            from pg import start_postgres

            server = start_postgres()
            try:
                url = server.create_database("bench")
                run("postgresql", url, Path(tmp) / "pg", args.customers, args.seed)
            finally:
                server.stop()
        if "sqlite" in backends:
            home = Path(tmp) / "sqlite"
            run("sqlite", f"sqlite:///{home}.db", home, args.customers, args.seed)


if __name__ == "__main__":
    main()
