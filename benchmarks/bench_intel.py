"""Shared-indicator lookups: the in-memory IndicatorSet against a SQL lookup per question.

    .venv/bin/python benchmarks/bench_intel.py [--indicators 100000] [--queries 200000]

Builds N made-up indicators (URLs, domains, phone hashes of two epochs), then asks a mix
of questions, half of them hits. Prints lookups per CPU second on one core for: URL
membership, domain membership with parent domains, phone-hash membership (hash given), a
sender number (HMAC under each epoch, then membership), the whole screening lookup of one
SMS's facts (hits_for), and the baseline: one indexed SQL query per question against the
same indicators in SQLite. Figures only, no asserts; rerun rather than trust them.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from smsguard.intel.lookup import IndicatorSet
from smsguard.intel.model import Indicator, Kind
from smsguard.intel.phones import ConsortiumKeys
from smsguard.intel.screening import hits_for
from smsguard.screening.facts.urls import find_urls
from smsguard.screening.normalize import normalize
from smsguard.screening.shared_intel import IntelQuery

NOW = datetime.now(UTC)
EPOCHS = ("2025-02", "2025-03")


def _rate(label: str, work: Callable[[], int]) -> float:
    start = time.process_time()
    count = work()
    seconds = time.process_time() - start
    rate = count / seconds if seconds else float("inf")
    print(f"{label:<58} {rate:>14,.0f} /s  ({count:,} in {seconds:.3f} s CPU)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200_000)
    args = parser.parse_args()
    rng = random.Random(7)
    keys = ConsortiumKeys({epoch: os.urandom(32) for epoch in EPOCHS})
    n = args.indicators
    domains = [f"scam{i}-{rng.randrange(10**6)}.cn" for i in range(n // 3)]
    urls = [f"http://{d}/p/{i}" for i, d in enumerate(domains)]
    numbers = [f"170{rng.randrange(10**8):08d}" for _ in range(n // 3)]
    until = NOW + timedelta(days=90)
    indicators = [Indicator(Kind.DOMAIN, d, "bank-a", 80, NOW, NOW, until) for d in domains]
    indicators += [Indicator(Kind.URL, u, "bank-a", 80, NOW, NOW, until) for u in urls]
    indicators += [
        Indicator(
            Kind.PHONE_HASH,
            keys.hash_number(num, EPOCHS[i % 2]),
            "bank-a",
            80,
            NOW,
            NOW,
            until,
            epoch=EPOCHS[i % 2],
        )
        for i, num in enumerate(numbers)
    ]
    start = time.perf_counter()
    found = IndicatorSet.build(indicators, keys)
    print(f"{len(found):,} indicators; set built in {time.perf_counter() - start:.2f} s")

    q = args.queries
    url_q = [rng.choice(urls) if i % 2 else f"http://miss{i}.cn/p" for i in range(q)]
    dom_q = [("a.b." + rng.choice(domains)) if i % 2 else f"x.y.miss{i}.cn" for i in range(q)]
    hash_q = [
        (
            EPOCHS[i % 2],
            keys.hash_number(rng.choice(numbers), EPOCHS[i % 2])
            if i % 2
            else keys.hash_number(f"139{i:08d}", EPOCHS[i % 2]),
        )
        for i in range(min(q, 50_000))
    ]
    num_q = [rng.choice(numbers) if i % 2 else f"139{i:08d}" for i in range(min(q, 50_000))]

    def urls_() -> int:
        lookup = found.url
        for u in url_q:
            lookup(u)
        return len(url_q)

    def domains_() -> int:
        lookup = found.domain
        for d in dom_q:
            lookup(d)
        return len(dom_q)

    def hashes_() -> int:
        lookup = found.phone_hash
        for epoch, value in hash_q:
            lookup(epoch, value)
        return len(hash_q)

    def senders_() -> int:
        lookup = found.sender
        for number in num_q:
            lookup(number)
        return len(num_q)

    print("\nmembership, in memory (half hits), one core:")
    _rate("URL (exact, normalised)", urls_)
    _rate("domain (itself + each parent, 4-label hosts)", domains_)
    _rate("phone hash (hash given, one epoch)", hashes_)
    _rate(f"sender number (HMAC under {len(EPOCHS)} epochs + membership)", senders_)

    texts = [
        f"您的账户异常，请访问 {rng.choice(urls) if i % 2 else 'http://ok.cn/x'} 核实"
        for i in range(2000)
    ]
    queries = [IntelQuery(t, find_urls(normalize(t))[0], num_q[i]) for i, t in enumerate(texts)]

    def per_sms() -> int:
        for start in range(0, len(queries), 256):
            hits_for(found, queries[start : start + 256])
        return len(queries)

    _rate("screening lookup of one SMS (links + sender; facts given)", per_sms)

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE ind (kind TEXT, epoch TEXT, value TEXT)")
    db.execute("CREATE UNIQUE INDEX ix ON ind (kind, epoch, value)")
    db.executemany(
        "INSERT OR IGNORE INTO ind VALUES (?, ?, ?)",
        [(i.kind.value, i.epoch or "", i.value) for i in indicators],
    )
    sql_q = url_q[:50_000]

    def sql_() -> int:
        cur = db.cursor()
        for u in sql_q:
            cur.execute("SELECT 1 FROM ind WHERE kind='url' AND epoch='' AND value=?", (u,))
            cur.fetchone()
        return len(sql_q)

    print("\nbaseline:")
    _rate("URL, one indexed SQL query each (SQLite in memory)", sql_)


if __name__ == "__main__":
    main()
