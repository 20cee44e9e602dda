"""Risk-model speed, one core, against the plain scikit-learn pipeline on the same texts.

Rows (all in one run, same messages, same machine):
  canonical() only           the text folding every model input goes through (a floor)
  RiskModel.predict_proba    canonical + n-gram hashing + linear scores + calibration
  RiskModel.assess_many      the same plus labels and a merged-phrase explanation per SMS
  ... explain=False          labels and probabilities only
  baseline predict_proba     sklearn TfidfVectorizer() + LogisticRegression (defaults),
                             trained on the same corpora -- the issue's comparison
Also: load time of the shipped artifact (fresh parse, no cache) and its size.

Target (issue #3): >= 20,000 SMS/s per core, batched; load < 1 s; artifact a few MB.
Usage:
    .venv/bin/python benchmarks/bench_model.py [--data ../shared/data] [--limit 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from smsguard.risk.canonical import canonical
from smsguard.risk.model import RiskModel
from smsguard.training.corpora import Example, labelled_rows

FILES = (
    "mudou_spam_cn/mudou_spam_train.tsv",
    "sms80w_cn_subset/sms80w_extra_spam.tsv",
    "uci_sms_spam_collection/sms_spam_collection.tsv",
    "mishra_soni_sms_phishing/sms_phishing_5971.tsv",
)
LABELS = {"ham": "ham", "spam": "spam", "smishing": "fraud"}


def load(data: Path, limit: int) -> list[Example]:
    """Real labelled SMS from the shared corpora, shuffled so both languages are mixed."""
    rows: list[Example] = []
    for name in FILES:
        found = labelled_rows(data / name)
        rows.extend(Example(text, LABELS[label], name) for _, label, text in found if text)
    random.Random(13).shuffle(rows)
    return rows[:limit]


def generated(limit: int) -> list[Example]:
    """Made-up SMS for machines without the shared data."""
    rng = random.Random(13)
    parts = {
        "ham": ["【某银行】您尾号{n}的账户支出{n}元", "see you at {n}", "晚上{n}点吃饭"],
        "spam": ["全场{n}折，回TD退订", "Win {n} cash now! txt WIN", "低息贷款，额度{n}万"],
        "fraud": ["账户异常已冻结，请登录 x{n}.top 解冻", "Verify your bank at b{n}.top"],
    }
    out = []
    for _ in range(limit):
        label = rng.choice(list(parts))
        text = rng.choice(parts[label]).format(n=rng.randint(1, 99999))
        out.append(Example(text, label, "generated"))
    return out


def rate(fn: Callable[[], object], count: int, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return count / best


def load_time(data: bytes, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        RiskModel.from_bytes(data)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, measured honestly
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    parser.add_argument("--limit", type=int, default=20_000)
    args = parser.parse_args()
    have_data = all((args.data / name).is_file() for name in FILES)
    examples = load(args.data, args.limit) if have_data else generated(args.limit)
    texts = [e.text for e in examples]
    artifact = resources.files("smsguard.risk").joinpath("data", "model.npz").read_bytes()
    model = RiskModel.from_bytes(artifact)
    print(f"texts: {len(texts):,} ({'shared corpora' if have_data else 'generated'}), one core")
    print(f"shipped model {model.version}: {len(model.vocabulary):,} features")
    print(f"  artifact size            {len(artifact) / 1e6:10.2f} MB")
    print(f"  load (parse + index)     {load_time(artifact) * 1000:10.1f} ms")
    count = len(texts)
    print(f"  {'row':<24} {'SMS/s':>10}")
    rows: list[tuple[str, Callable[[], object]]] = [
        ("canonical() only", lambda: [canonical(t) for t in texts]),
        ("RiskModel.predict_proba", lambda: model.predict_proba(texts)),
        ("RiskModel.assess_many", lambda: model.assess_many(texts)),
        ("  ... explain=False", lambda: model.assess_many(texts, explain=False)),
    ]
    for name, fn in rows:
        print(f"  {name:<24} {rate(fn, count):>10,.0f}")
    try:
        from smsguard.training.fit import train_baseline
    except ImportError:
        print("  baseline: scikit-learn not installed (pip install 'smsguard[train]')")
        return
    baseline = train_baseline(examples)
    speed = rate(lambda: baseline.predict_proba(texts), len(texts))
    print(f"  {'baseline predict_proba':<24} {speed:>10,.0f}")


if __name__ == "__main__":
    main()
