"""Screening speed on the labelled corpora in ../shared/data, one core, side by side.

Rows (all in one run, same messages, same machine):
  baseline re, plain terms  Python `re`: one alternation of every rule term as written
                            (no evasion variants) and regex, finditer — the issue's baseline
  baseline re, expanded     the same over the evasion-expanded patterns (500 messages)
  rules-only (hyperscan)    screen_many(facts=False): normalise + one scan + keyword rules
  rules-only (re fallback)  the same with the pure-Python matcher
  full screen_many          every rule: facts, rates, links, signature, sender checks
  rules-only + risk         the fast pass plus the risk model and fraud-template index
  full + risk               the whole pipeline as shipped (rules, facts, model, templates)
  full + risk, unexplained  the same without the model's explanations (what `scan` runs)
  single screen() p50/p99   per-message latency of the full pipeline, without and with risk

Targets (issue #2): rules-only >= 200,000 SMS/s per core on batches; full >= 20,000 SMS/s
per core; single-message p99 <= 2 ms; issue #3: the full target holds with risk on. Usage:
    .venv/bin/python benchmarks/bench_screening.py [--quick] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from smsguard.bootstrap import build_screener
from smsguard.screening.engine import Screener
from smsguard.screening.normalize import normalize
from smsguard.settings import Settings
from smsguard.training.corpora import labelled_rows

CORPORA = {
    "zh": [
        "mudou_spam_cn/mudou_spam_train.tsv",
        "mudou_spam_cn/mudou_spam_test_unseen.tsv",
        "sms80w_cn_subset/sms80w_subset.tsv",
    ],
    "en": [
        "uci_sms_spam_collection/sms_spam_collection.tsv",
        "mishra_soni_sms_phishing/sms_phishing_5971.tsv",
    ],
}


def load(data: Path, files: Iterable[str], limit: int) -> list[str]:
    texts: list[str] = []
    for name in files:
        texts.extend(text for _, _, text in labelled_rows(data / name) if text)
    return texts[:limit]


def rate(fn: Callable[[], object], count: int, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return count / best


def plain_alternation(screener: Screener) -> re.Pattern[str]:
    """One `re` alternation of every rule term as written (no evasion variants) and regex."""
    pieces: list[str] = []
    book = screener.compiled.rulebook
    groups = [getattr(book.signals, name) for name in type(book.signals).model_fields]
    for rule in book.rules:
        groups.extend([rule.match, *rule.match.all, *([rule.unless] if rule.unless else [])])
    for group in groups:
        pieces.extend(re.escape(term.lower()) for term in group.terms)
        pieces.extend(group.patterns)
    return re.compile("|".join(f"(?:{p})" for p in pieces))


def expanded_alternation(screener: Screener) -> re.Pattern[str]:
    """One `re` alternation of the same evasion-expanded patterns the matcher runs."""
    return re.compile("|".join(f"(?:{s.regex})" for s in screener.compiled.matcher_specs))


def baseline(combined: re.Pattern[str]) -> Callable[[list[str]], int]:
    def run(texts: list[str]) -> int:
        found = 0
        for text in texts:
            for _match in combined.finditer(normalize(text).text):
                found += 1
        return found

    return run


def latencies(screener: Screener, texts: list[str]) -> tuple[float, float]:
    samples = []
    for text in texts:
        start = time.perf_counter_ns()
        screener.screen(text)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def bench_language(
    lang: str, texts: list[str], fast: Screener, slow: Screener, scored: Screener
) -> list[str]:
    n = len(texts)
    plain, expanded = baseline(plain_alternation(fast)), baseline(expanded_alternation(fast))
    rows = [
        ("baseline re, plain terms", rate(lambda: plain(texts), n)),
        ("baseline re, expanded", rate(lambda: expanded(texts[:500]), min(n, 500), 1)),
        ("rules-only (hyperscan)", rate(lambda: list(fast.screen_many(texts, facts=False)), n)),
        (
            "rules-only (re fallback)",
            rate(lambda: list(slow.screen_many(texts, facts=False)), n, 1),
        ),
        ("full screen_many", rate(lambda: list(fast.screen_many(texts)), n)),
        ("rules-only + risk", rate(lambda: list(scored.screen_many(texts, facts=False)), n)),
        ("full + risk", rate(lambda: list(scored.screen_many(texts)), n)),
        (
            "full + risk, unexplained",
            rate(lambda: list(scored.screen_many(texts, explain=False)), n),
        ),
    ]
    out = [f"{lang}: {n:,} messages"]
    out += [f"  {name:<28}{value:>12,.0f} SMS/s" for name, value in rows]
    for label, screener in (("", fast), (" + risk", scored)):
        p50, p99 = latencies(screener, texts[:5000])
        name = f"single screen(){label} p50/p99"
        out.append(f"  {name:<28}{p50:>9.3f} ms / {p99:.3f} ms")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    parser.add_argument("--quick", action="store_true", help="2,000 messages per language")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"corpora not found at {args.data}; pass --data")
    limit = 2_000 if args.quick else 1_000_000
    rules_only = Settings(risk_scoring=False)
    fast = build_screener(rules_only, backend="hyperscan")
    slow = build_screener(rules_only, backend="re")
    scored = build_screener(Settings(), backend="hyperscan")
    print(f"rulebook {fast.rulebook_version}, {len(fast.compiled.matcher_specs)} patterns")
    for lang, files in CORPORA.items():
        print("\n".join(bench_language(lang, load(args.data, files, limit), fast, slow, scored)))


if __name__ == "__main__":
    main()
