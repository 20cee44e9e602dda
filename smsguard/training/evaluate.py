"""The evaluation protocol of the risk model, run end to end in one call.

What it guards against, and how:

* **template leakage** -- every figure is given for a random (exact-duplicate-aware) split
  and for a near-duplicate cluster split side by side, so the gap shows how much a score owes
  to memorised templates (see :mod:`smsguard.training.splits`);
* **one-corpus optimism** -- real traffic looks like no single corpus, so each corpus is
  also held out entirely (trained on the others, minus anything clustered with it);
* **gains without a reference** -- a plain TF-IDF + logistic-regression baseline is trained
  on exactly the same examples in the same run, so every figure has a comparison;
* **brittleness** -- the cluster-split test sets are rewritten the way senders and other
  corpora differ (punctuation stripped, digits masked, placeholders, spaced out) and scored
  again.

One model per split scheme is trained on the union of all train sides and reported per
dataset, because that union is what ships. The result is a JSON-ready dict; rendering lives
in :mod:`smsguard.training.report`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from smsguard.risk.canonical import canonical
from smsguard.risk.scripts import apply_thresholds, han_mask, per_script
from smsguard.training.corpora import Corpus, Example
from smsguard.training.metrics import HAM, Probabilities, binary_scores, summarise, targets
from smsguard.training.report import provenance
from smsguard.training.splits import (
    ClusterParams,
    Pool,
    Split,
    cluster_summary,
    exact_groups,
    group_split,
    leave_out,
    near_duplicate_groups,
)


class Scorer(Protocol):
    """What the evaluation needs of a model: its classes and class probabilities."""

    @property
    def classes(self) -> tuple[str, ...]: ...

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]: ...


Trainer = Callable[[Sequence[Example]], Scorer]


@dataclass(frozen=True, slots=True)
class Dataset:
    """A reported dataset: which corpora form its test side, and its headline figure.

    ``kind`` decides the headline: ``binary`` (spam-or-fraud F1 against ham), ``multiclass``
    (macro-F1 over ham/spam/fraud) or ``spam_only`` (recall; the set has no ham).
    """

    name: str
    test: tuple[str, ...]
    held_out: tuple[str, ...]
    kind: str


DATASETS = (
    Dataset("uci", ("uci",), ("uci",), "binary"),
    Dataset("mishra_soni", ("mishra_soni",), ("mishra_soni",), "multiclass"),
    Dataset("mudou", ("mudou_unseen",), ("mudou_train", "mudou_unseen"), "binary"),
    Dataset("sms80w", ("sms80w",), ("sms80w",), "spam_only"),
)
TEST_ONLY = ("mudou_unseen",)
TRAIN_ONLY = ("mudou_train",)
DEFAULT_THRESHOLDS = {"spam": 0.5, "fraud": 0.5}


@dataclass(frozen=True, slots=True)
class EvalConfig:
    """Knobs of one run. ``sample`` caps every corpus (seeded) for a quick smoke run."""

    seed: int = 13
    test_fraction: float = 0.2
    cluster: ClusterParams = field(default_factory=ClusterParams)
    leave_one_out: bool = True
    robustness: bool = True
    sample: int | None = None


def headline(kind: str, block: Mapping[str, Any]) -> float | None:
    """The one figure a dataset is judged by (see :class:`Dataset`)."""
    if kind == "multiclass":
        value = block["macro_f1"]
    elif kind == "spam_only":
        value = block["flag_rate"]
    else:
        value = block["binary"]["f1"]
    return None if value is None else float(value)


def threshold_labels(
    proba: Probabilities, thresholds: Mapping[str, Any], texts: Sequence[str]
) -> list[str]:
    """The shipped label rule: fraud if p(fraud) >= t_fraud, else spam if p(spam) +
    p(fraud) >= t_spam, else ham, with the thresholds of each text's writing system
    (``thresholds`` per script, or one flat pair for all). Applied by class name so column
    order does not matter."""
    fraud = proba.column("fraud")
    is_han = han_mask([canonical(text) for text in texts])
    return list(
        apply_thresholds(proba.column("spam") + fraud, fraud, is_han, per_script(thresholds))
    )


def predict(model: Scorer, texts: Sequence[str]) -> tuple[Probabilities, list[str]]:
    """Probabilities and labels at the model's own operating point (0.5/0.5 if it has none).

    The baseline has no tuned thresholds on purpose: it is the plain method.
    """
    values = np.asarray(model.predict_proba(texts), dtype=np.float64)
    proba = Probabilities(tuple(model.classes), values.reshape(len(texts), -1))
    thresholds = getattr(model, "thresholds", None) or DEFAULT_THRESHOLDS
    return proba, threshold_labels(proba, thresholds, texts)


def score_examples(model: Scorer, examples: Sequence[Example], kind: str) -> dict[str, Any]:
    """Every metric of one model on one test set, plus its ``headline`` figure."""
    texts = [example.text for example in examples]
    proba, labels = predict(model, texts)
    truth = [example.label for example in examples]
    tags = [example.tags for example in examples]
    block = summarise(truth, labels, proba, texts=texts, tags=tags)
    block["headline"] = headline(kind, block)
    # The same probabilities cut at 0.5: separates ranking quality from threshold choice.
    at_half = threshold_labels(proba, DEFAULT_THRESHOLDS, texts)
    block["binary_at_half"] = binary_scores(truth, at_half).as_dict()
    return block


# --- robustness rewrites -----------------------------------------------------------------

_PUNCT = re.compile(r"[^\w\s]+")
_AMOUNT = re.compile(
    r"(?:[£$¥€]|rs\.?|usd|rmb)\s?\d[\d,.]*|\d[\d,.]*\s?(?:元|万|块|pounds?|usd|rmb)", re.I
)
_PHONE = re.compile(r"\+?\d[\d -]{6,}\d")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.I)
_NAME = re.compile(
    r"(?<=尊敬的)[\u4e00-\u9fff]{1,3}(?=先生|女士|客户|会员)|(?<=\b[Dd]ear )[A-Z][a-z]+"
)


def strip_punctuation(text: str) -> str:
    """What a relay that drops punctuation delivers."""
    return _PUNCT.sub("", text)


def mask_digits(text: str) -> str:
    """The 80万 corpus's convention: every digit is ``x``."""
    return re.sub(r"\d", "x", text)


def placeholders(text: str) -> str:
    """A template as a bulk-sender platform stores it: slots instead of values."""
    text = _LINK.sub("{url}", text)
    text = _AMOUNT.sub("{amount}", text)
    text = _PHONE.sub("{phone}", text)
    return _NAME.sub("{name}", text)


def spaced(text: str, *, seed: int = 13, rate: float = 0.15) -> str:
    """Spaces wedged between characters, an old keyword-filter dodge (seeded per text)."""
    rng = np.random.default_rng([seed, len(text)])
    cuts = rng.random(len(text)) < rate
    return "".join(char + " " if cut else char for char, cut in zip(text, cuts, strict=True))


REWRITES: dict[str, Callable[[str], str]] = {
    "punctuation stripped": strip_punctuation,
    "digits masked": mask_digits,
    "placeholders": placeholders,
    "spaces inserted": spaced,
}


def robustness(
    models: Mapping[str, Scorer], split: Split, datasets: Sequence[Dataset]
) -> dict[str, Any]:
    """Headline figure of each model on each rewritten test set, and the drop from clean."""
    out: dict[str, Any] = {}
    for dataset in datasets:
        examples = _test_side(split, dataset)
        if not examples:
            continue
        out[dataset.name] = {
            name: _rewritten_scores(model, examples, dataset.kind) for name, model in models.items()
        }
    return out


def _rewritten_scores(model: Scorer, examples: Sequence[Example], kind: str) -> dict[str, Any]:
    clean = score_examples(model, examples, kind)["headline"]
    scores: dict[str, Any] = {"clean": clean}
    for name, rewrite in REWRITES.items():
        changed = [_replace_text(example, rewrite(example.text)) for example in examples]
        value = score_examples(model, changed, kind)["headline"]
        drop = None if value is None or clean is None else clean - value
        scores[name] = {"value": value, "drop": drop}
    return scores


def _replace_text(example: Example, text: str) -> Example:
    return Example(text=text, label=example.label, source=example.source, tags=example.tags)


# --- the protocol ------------------------------------------------------------------------


def _test_side(split: Split, dataset: Dataset) -> tuple[Example, ...]:
    return tuple(example for name in dataset.test for example in split.test.get(name, ()))


def _held_out_side(split: Split, dataset: Dataset) -> tuple[Example, ...]:
    return tuple(example for name in dataset.held_out for example in split.test.get(name, ()))


def _fit(
    trainer: Trainer, examples: Sequence[Example], timings: dict[str, float], key: str
) -> Scorer:
    started = time.perf_counter()
    model = trainer(examples)
    timings[key] = round(time.perf_counter() - started, 2)
    return model


def _split_summary(split: Split) -> dict[str, Any]:
    return {
        "train": len(split.train),
        "train_labels": _label_counts(split.train),
        "test": {name: len(items) for name, items in split.test.items()},
        "dropped": split.dropped,
    }


def _label_counts(examples: Sequence[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        key = f"{example.source}:{example.label}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def _sample(corpora: Mapping[str, Corpus], cap: int | None, seed: int) -> dict[str, list[Example]]:
    """The corpora as lists, each cut to ``cap`` examples by a seeded draw (order kept)."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[Example]] = {}
    for name, corpus in corpora.items():
        items = list(corpus.examples)
        if cap is not None and len(items) > cap:
            keep = np.sort(rng.choice(len(items), size=cap, replace=False))
            items = [items[int(i)] for i in keep]
        out[name] = items
    return out


def _leave_one_out(
    pool: Pool,
    groups: npt.NDArray[np.int64],
    models: Mapping[str, Trainer],
    timings: dict[str, float],
) -> dict[str, Any]:
    """Train without one dataset (and its clusters), test on all of it; per dataset."""
    out: dict[str, Any] = {}
    for dataset in DATASETS:
        if not any(name in pool.corpus for name in dataset.held_out):
            continue
        split = leave_out(pool, groups, dataset.held_out, scheme="leave-one-out")
        test = _held_out_side(split, dataset)
        block: dict[str, Any] = {"split": _split_summary(split)}
        for name, trainer in models.items():
            model = _fit(trainer, split.train, timings, f"leave-one-out/{dataset.name}/{name}")
            block[name] = score_examples(model, test, dataset.kind)
        out[dataset.name] = block
    return out


def _in_distribution(split: Split, models: Mapping[str, Scorer]) -> dict[str, dict[str, Any]]:
    return {
        name: {
            dataset.name: score_examples(model, _test_side(split, dataset), dataset.kind)
            for dataset in DATASETS
            if _test_side(split, dataset)
        }
        for name, model in models.items()
    }


def _operating_point(evaluated: Scorer, shipped: Scorer | None, split: Split) -> dict[str, Any]:
    """Thresholds and ham false-positive rates of the evaluated and the shipped model.

    The shipped model may have been trained on these very test sides (it ships trained on
    everything), so its figures here are an upper bound unless its metadata says otherwise.
    """
    ham_sides = {
        name: [example for example in split.test.get(name, ()) if example.label == HAM]
        for name in ("mudou_unseen", "uci", "mishra_soni")
    }
    out: dict[str, Any] = {}
    for role, model in (("evaluated", evaluated), ("shipped", shipped)):
        if model is None:
            continue
        rates = {}
        for name, hams in ham_sides.items():
            if hams:
                _, labels = predict(model, [example.text for example in hams])
                rates[name] = {"n": len(hams), "fpr": float(np.mean([x != HAM for x in labels]))}
        meta = getattr(model, "metadata", None)
        out[role] = {
            "thresholds": per_script(getattr(model, "thresholds", None) or DEFAULT_THRESHOLDS),
            "ham_fpr": rates,
            "recorded": (meta or {}).get("operating_point") if isinstance(meta, Mapping) else None,
            "version": getattr(model, "version", None),
        }
    return out


def run_evaluation(
    corpora: Mapping[str, Corpus],
    *,
    trainer: Trainer,
    baseline: Trainer,
    config: EvalConfig | None = None,
    shipped: Scorer | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the whole protocol (see the module docstring); return the JSON-ready report."""
    config = config or EvalConfig()
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    used = _sample(corpora, config.sample, config.seed)
    pool = Pool.of(used)
    say(f"clustering {len(pool.examples)} texts")
    clusters = near_duplicate_groups(pool.texts, config.cluster)
    splits = {
        "random": _split(pool, exact_groups(pool.texts), "random", config),
        "cluster": _split(pool, clusters, "cluster", config),
    }
    trainers = {"ours": trainer, "baseline": baseline}
    report: dict[str, Any] = {"in_distribution": {}, "leave_one_out": {}, "robustness": {}}
    fitted: dict[str, Scorer] = {}
    for scheme, split in splits.items():
        say(f"{scheme} split: training on {len(split.train)} examples")
        fitted = {
            name: _fit(fit, split.train, timings, f"{scheme}/{name}")
            for name, fit in trainers.items()
        }
        report["in_distribution"][scheme] = _in_distribution(split, fitted)
    if config.robustness:
        say("robustness rewrites")
        report["robustness"] = robustness(fitted, splits["cluster"], DATASETS)
    if config.leave_one_out:
        say("leave-one-dataset-out")
        report["leave_one_out"] = _leave_one_out(pool, clusters, trainers, timings)
    report["operating_point"] = _operating_point(fitted["ours"], shipped, splits["cluster"])
    report["targets"] = targets(report)
    report["clusters"] = cluster_summary(pool, clusters, config.cluster)
    report["splits"] = {scheme: _split_summary(split) for scheme, split in splits.items()}
    settings = {"seed": config.seed, "test_fraction": config.test_fraction, "sample": config.sample}
    report["meta"] = provenance(corpora, used, settings)
    report["meta"]["fit_seconds"] = timings
    report["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    return report


def _split(pool: Pool, groups: npt.NDArray[np.int64], scheme: str, config: EvalConfig) -> Split:
    return group_split(
        pool,
        groups,
        scheme=scheme,
        test_fraction=config.test_fraction,
        seed=config.seed,
        test_only=TEST_ONLY,
        train_only=TRAIN_ONLY,
    )
