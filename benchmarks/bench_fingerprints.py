"""Benchmark the fraud-template index against datasketch's MinHash LSH, in one run.

    .venv/bin/python benchmarks/bench_fingerprints.py [--quick] [--data ../shared/data]

Both indexes see the same made-up templates (smsguard.fingerprints.synthetic) and the same
shingles of the same fingerprint texts; datasketch uses 128 permutations and an LSH
threshold equal to ours, and verifies its candidates by estimated Jaccard, as it is meant to
be used. Printed: lookups per second on one core (batched and one at a time), build time,
memory, recall on variants of each kind, false matches on ham. With the corpora (--data),
also recall on variants of the real seed templates and false matches against the shipped
seed index. Nothing is asserted: the figures are for reading, next to the baseline measured
in the same run. Speeds are per CPU second of this process (one core); the load average is
printed because other work on the machine still slows both through shared caches.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from smsguard.fingerprints import TemplateIndex, fingerprint_text, load_seed_index
from smsguard.fingerprints.build import build_index
from smsguard.fingerprints.synthetic import (
    FAMILIES,
    SyntheticTemplate,
    synthetic_templates,
    template_variant,
    text_variant,
)
from smsguard.training.corpora import labelled_rows

Lookup = Callable[[Sequence[str]], list[set[str]]]
Pairs = list[tuple[str, str]]  # (template id, variant text)


@dataclass
class Contender:
    """One index under test: how to look up one text or many, and what building it cost."""

    name: str
    batched: Lookup | None
    single: Lookup
    build_seconds: float
    memory_mb: float
    arrays: str = "n/a"


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux), for before/after differences."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def shingles(text: str) -> list[bytes]:
    """The shingles smsguard hashes (see signature.py), as bytes for datasketch."""
    fp = fingerprint_text(text)
    grams = {fp[i : i + (3 if "a" <= fp[i] <= "z" else 2)] for i in range(len(fp) - 1)}
    return [gram.encode("utf-8") for gram in grams]


class Baseline:
    """datasketch MinHashLSH, candidates verified by estimated Jaccard."""

    def __init__(self, threshold: float) -> None:
        from datasketch import MinHash, MinHashLSH

        self._minhash = MinHash
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=128)
        self.sketches: dict[str, object] = {}

    def sketch(self, text: str) -> object:
        sketch = self._minhash(num_perm=128)
        sketch.update_batch(shingles(text))
        return sketch

    def add(self, key: str, text: str) -> None:
        sketch = self.sketch(text)
        self.lsh.insert(key, sketch)
        self.sketches[key] = sketch

    def lookup(self, texts: Sequence[str]) -> list[set[str]]:
        found = []
        for text in texts:
            sketch = self.sketch(text)
            keys = self.lsh.query(sketch)
            found.append({k for k in keys if self._close(self.sketches[k], sketch)})
        return found

    def _close(self, stored: object, query: object) -> bool:
        return bool(stored.jaccard(query) >= self.threshold)  # type: ignore[attr-defined]


def batched_lookup(index: TemplateIndex) -> Lookup:
    def lookup(texts: Sequence[str]) -> list[set[str]]:
        results = [
            r for i in range(0, len(texts), 1000) for r in index.match_many(texts[i : i + 1000])
        ]
        return [{m.template_id for m in r} for r in results]

    return lookup


def single_lookup(index: TemplateIndex) -> Lookup:
    def lookup(texts: Sequence[str]) -> list[set[str]]:
        return [{m.template_id for m in index.match(text)} for text in texts]

    return lookup


def rate(lookup: Lookup, texts: Sequence[str], repeats: int = 3) -> float:
    """Lookups per CPU second of this process: per-core throughput, the best of a few runs.

    CPU time rather than wall time, so that waiting for a core other work holds is not
    counted; cache sharing with that work still slows it, so the load average is printed.
    """
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        lookup(texts)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def recall(lookup: Lookup, variants: Pairs) -> float:
    found = lookup([text for _key, text in variants])
    hits = sum(key in got for (key, _text), got in zip(variants, found, strict=True))
    return hits / len(variants)


def false_matches(lookup: Lookup, ham: Sequence[str]) -> str:
    hits = sum(bool(got) for got in lookup(ham))
    return f"{hits}/{len(ham)} = {hits / len(ham):.3%}"


def read_tsv(path: Path, keep: Callable[[str], bool]) -> dict[int, str]:
    """line -> text of rows whose label passes ``keep``; quoting off, as the corpora need."""
    return {line: text for line, label, text in labelled_rows(path) if text and keep(label)}


def real_ham(data: Path) -> list[str] | None:
    mudou = data / "mudou_spam_cn" / "mudou_spam_test_unseen.tsv"
    uci = data / "uci_sms_spam_collection" / "sms_spam_collection.tsv"
    if not (mudou.is_file() and uci.is_file()):
        return None
    return [*read_tsv(mudou, "ham".__eq__).values(), *read_tsv(uci, "ham".__eq__).values()]


def variant_sets(templates: list[SyntheticTemplate], per_family: int) -> dict[str, Pairs]:
    rng = random.Random(31)
    sets: dict[str, Pairs] = {}
    for family in FAMILIES:
        pool = [i for i, t in enumerate(templates) if family != "names" or t.has_slot("name")]
        chosen = rng.sample(pool, min(per_family, len(pool)))
        sets[family] = [(f"t{i}", template_variant(templates[i], i, family, rng)) for i in chosen]
    return sets


def ours(name: str, templates: list[SyntheticTemplate]) -> Contender:
    gc.collect()
    before, start = rss_mb(), time.perf_counter()
    rows = ((f"t{i}", t.fill(i), "synthetic") for i, t in enumerate(templates))
    index, _report = build_index(rows, dedup=None)
    seconds = time.perf_counter() - start
    gc.collect()
    with tempfile.TemporaryDirectory() as folder:
        index.save(Path(folder) / "index.sgfp")
        size = (Path(folder) / "index.sgfp").stat().st_size
    arrays = f"{index.nbytes / 1e6:.1f} / {size / 1e6:.1f}"
    memory = rss_mb() - before
    return Contender(name, batched_lookup(index), single_lookup(index), seconds, memory, arrays)


def baseline(templates: list[SyntheticTemplate], threshold: float) -> Contender:
    gc.collect()
    before, start = rss_mb(), time.perf_counter()
    index = Baseline(threshold)
    for i, t in enumerate(templates):
        index.add(f"t{i}", t.fill(i))
    seconds = time.perf_counter() - start
    gc.collect()
    return Contender("datasketch", None, index.lookup, seconds, rss_mb() - before)


def row(label: str, cells: Sequence[str]) -> None:
    print(f"  {label:<38}" + "".join(f"{cell:>20}" for cell in cells))


def compare(
    contenders: list[Contender],
    queries: dict[str, list[str]],
    variants: dict[str, Pairs],
    ham: list[str],
) -> None:
    """The side-by-side table."""
    row("", [c.name for c in contenders])
    for kind, texts in queries.items():
        row(
            f"lookups/s batched, {kind}",
            [f"{rate(c.batched, texts):,.0f}" if c.batched else "n/a" for c in contenders],
        )
    few = queries["mixed"][: len(queries["mixed"]) // 4]
    row(
        "lookups/s one at a time, mixed",
        [f"{rate(c.single, few, 1 if c.batched is None else 3):,.0f}" for c in contenders],
    )
    row("build time, s", [f"{c.build_seconds:.2f}" for c in contenders])
    row("memory added by the build, MB", [f"{c.memory_mb:.1f}" for c in contenders])
    row("NumPy arrays / file, MB", [c.arrays for c in contenders])
    for family, pairs in variants.items():
        row(
            f"recall, {family} (n={len(pairs)})",
            [f"{recall(c.batched or c.single, pairs):.4f}" for c in contenders],
        )
    row(
        f"false matches, ham (n={len(ham)})",
        [false_matches(c.batched or c.single, ham) for c in contenders],
    )


def seed_section(data: Path, ham: list[str] | None) -> None:
    """Recall on variants of the real seed templates, false matches against the seed."""
    start = time.perf_counter()
    seed = load_seed_index()
    took = time.perf_counter() - start
    print(f"\nshipped seed index: {len(seed)} templates, loaded in {took:.3f} s")
    sources = {
        "mishra-soni": data / "mishra_soni_sms_phishing" / "sms_phishing_5971.tsv",
        "sms80w-6cat": data / "sms80w_cn_subset" / "sms80w_extra_spam_6cat.fine.tsv",
    }
    if ham is None or not all(path.is_file() for path in sources.values()):
        print("  corpora not found: no recall on real templates, no false matches on real ham")
        return
    texts = {tag: read_tsv(path, lambda _label: True) for tag, path in sources.items()}
    kept = []
    for template_id, _category in seed.templates():
        _category_name, tag, line = template_id.split(":")
        kept.append((template_id, texts[tag][int(line[1:])]))
    lookup, rng = batched_lookup(seed), random.Random(99)
    for family in ("numbers", "links", "separators", "homoglyphs", "edits", "all", "all-10%"):
        pairs = [(template_id, text_variant(text, family, rng)) for template_id, text in kept]
        print(f"  recall, variants of the seed templates, {family}: {recall(lookup, pairs):.4f}")
    print(f"  false matches on real ham: {false_matches(lookup, ham)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    args = parser.parse_args()
    small, large, per_family, speed = (
        (2_000, 10_000, 150, 400) if args.quick else (20_000, 100_000, 1_000, 2_000)
    )
    print(f"{platform.processor() or platform.machine()}, load average {os.getloadavg()[0]:.2f}")
    templates = synthetic_templates(large, random.Random(20_24))
    variants = variant_sets(templates[:small], per_family)
    ham = real_ham(args.data)
    if ham is None:
        print("corpora not found: ham is made-up unrelated text (fresh templates never indexed)")
    probe = ham or [t.fill(n) for n, t in enumerate(synthetic_templates(3_000, random.Random(7)))]
    hits = [text for _id, text in variants["all"]][: speed // 2]
    queries = {
        "mixed": hits + probe[: speed // 2],
        "ham only": probe[:speed],
        "variants only": hits,
    }
    contenders = [ours(f"smsguard @{small:,}", templates[:small])]
    contenders.append(baseline(templates[:small], TemplateIndex().threshold))
    contenders[1].name = f"datasketch @{small:,}"
    contenders.append(ours(f"smsguard @{large:,}", templates))
    print("\nfingerprint index vs datasketch MinHashLSH; 'mixed' = half variants, half ham\n")
    compare(contenders, queries, variants, probe)
    seed_section(args.data, ham)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
