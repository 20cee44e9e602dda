"""The figures the evaluation reports, computed from labels and class probabilities.

Two views of the same predictions are needed because the corpora disagree on what the
classes are: Mishra-Soni separates spam from fraud (smishing), while UCI and mudou only know
ham versus unwanted. The *binary* view therefore folds spam and fraud into one positive class
("flagged"), scored by ``1 - p(ham)``; the *per-class* view keeps all three.

Precision, recall and F1 are written out here (a few lines of NumPy) so that their
conventions are explicit: a class nobody predicted has precision 0, a class absent from the
truth has no recall and is left out of the macro average. ROC-AUC comes from scikit-learn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score

HAM = "ham"
LABELS = ("ham", "spam", "fraud")
Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ClassScores:
    """Precision, recall and F1 of one class, and how many true examples it has."""

    precision: float
    recall: float
    f1: float
    support: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "support": self.support,
        }


@dataclass(frozen=True, slots=True)
class Probabilities:
    """Class probabilities in a model's own column order, read by class name.

    Models may not know every class (a training set without fraud yields no fraud column);
    reading an unknown class gives zeros, which is what the model effectively predicts.
    """

    classes: tuple[str, ...]
    values: Floats

    def column(self, label: str) -> Floats:
        if label in self.classes:
            return np.asarray(self.values[:, self.classes.index(label)], dtype=np.float64)
        return np.zeros(self.values.shape[0], dtype=np.float64)

    def flagged(self) -> Floats:
        """Probability of "not ham": the score of the binary view."""
        if HAM in self.classes:
            return np.clip(1.0 - self.column(HAM), 0.0, 1.0)
        return np.ones(self.values.shape[0], dtype=np.float64)


def _safe_div(num: float, den: float) -> float:
    return num / den if den else 0.0


def _f1(precision: float, recall: float) -> float:
    return _safe_div(2 * precision * recall, precision + recall)


def class_scores(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS
) -> dict[str, ClassScores]:
    """Per-class precision/recall/F1 for every label in ``labels``."""
    true = np.asarray(truth, dtype=object)
    pred = np.asarray(predicted, dtype=object)
    scores: dict[str, ClassScores] = {}
    for label in labels:
        is_true, is_pred = true == label, pred == label
        hits = int(np.count_nonzero(is_true & is_pred))
        support = int(np.count_nonzero(is_true))
        precision = _safe_div(hits, int(np.count_nonzero(is_pred)))
        recall = _safe_div(hits, support)
        scores[label] = ClassScores(precision, recall, _f1(precision, recall), support)
    return scores


def macro_f1(scores: Mapping[str, ClassScores]) -> float | None:
    """Mean F1 over the classes that occur in the truth (None when none do)."""
    present = [score.f1 for score in scores.values() if score.support]
    return float(np.mean(present)) if present else None


def confusion(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS
) -> list[list[int]]:
    """Counts with rows = true label and columns = predicted label, both in ``labels`` order."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for true, pred in zip(truth, predicted, strict=True):
        if true in index and pred in index:
            matrix[index[true], index[pred]] += 1
    return [[int(cell) for cell in row] for row in matrix]


def flagged(labels: Sequence[str]) -> NDArray[np.bool_]:
    """The binary view of labels: True for spam or fraud."""
    return np.asarray([label != HAM for label in labels], dtype=bool)


def binary_scores(truth: Sequence[str], predicted: Sequence[str]) -> ClassScores:
    """Precision/recall/F1 of the folded "spam or fraud" class against ham."""
    folded = ["spam" if label != HAM else HAM for label in truth]
    guessed = ["spam" if label != HAM else HAM for label in predicted]
    return class_scores(folded, guessed, ("spam",))["spam"]


def roc_auc(positive: NDArray[np.bool_], score: Floats) -> float | None:
    """Area under the ROC curve, or None when the truth has only one class."""
    if positive.size == 0 or positive.all() or not positive.any():
        return None
    return float(roc_auc_score(positive, score))


def one_vs_rest_auc(truth: Sequence[str], proba: Probabilities) -> dict[str, float | None]:
    """ROC-AUC of each class against the others, scored by that class's probability."""
    true = np.asarray(truth, dtype=object)
    return {label: roc_auc(true == label, proba.column(label)) for label in LABELS}


def ham_false_positive_rate(truth: Sequence[str], predicted: Sequence[str]) -> float | None:
    """Share of true ham that was flagged: what legitimate senders lose. None without ham."""
    flags = [pred != HAM for true, pred in zip(truth, predicted, strict=True) if true == HAM]
    return float(np.mean(flags)) if flags else None


def flag_rate(predicted: Sequence[str]) -> float | None:
    """Share of messages flagged (spam or fraud): recall when every message is unwanted."""
    return float(np.mean(flagged(predicted))) if predicted else None


def brier(positive: NDArray[np.bool_], score: Floats) -> float | None:
    """Mean squared gap between the flag probability and the 0/1 truth."""
    if positive.size == 0:
        return None
    return float(np.mean((score - positive.astype(np.float64)) ** 2))


def expected_calibration_error(
    positive: NDArray[np.bool_], score: Floats, bins: int = 10
) -> float | None:
    """Weighted mean |accuracy - confidence| over equal-width probability bins.

    It answers "when the model says 0.8, is it right 80 % of the time?", which is what an
    operator setting a threshold relies on.
    """
    if positive.size == 0:
        return None
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(score, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for index in range(bins):
        members = which == index
        if members.any():
            gap = abs(float(positive[members].mean()) - float(score[members].mean()))
            total += gap * int(np.count_nonzero(members))
    return total / positive.size


# Markers of the transactional notices legitimate banks and shops send (card movements,
# payment and order confirmations, one-time codes). The strictest target is that
# these pass: blocking one costs a customer a payment or a login.
NOTICE = re.compile(
    "银行|信用卡|储蓄卡|借记卡|尾号|网银|快捷支付|余额|支付宝|财付通|微信支付|淘宝|天猫|京东"
    "|订单|快递|物流|发货|签收|验证码|校验码|动态码|动态密码"
)


def is_notice(text: str) -> bool:
    """Does this text look like a bank or e-commerce notice?"""
    return NOTICE.search(text) is not None


LOAN_TAG = "贷款诈骗"


def summarise(
    truth: Sequence[str],
    predicted: Sequence[str],
    proba: Probabilities,
    *,
    texts: Sequence[str] = (),
    tags: Sequence[tuple[str, ...]] = (),
) -> dict[str, Any]:
    """Every figure of one test set, JSON-ready.

    ``texts`` enables the bank/e-commerce notice pass rate and ``tags`` the loan-topic
    recall; both are optional so the function also serves sets without them.
    """
    positive, score = flagged(truth), proba.flagged()
    per_class = class_scores(truth, predicted)
    aucs = one_vs_rest_auc(truth, proba)
    block: dict[str, Any] = {
        "n": len(truth),
        "support": {label: per_class[label].support for label in LABELS},
        "per_class": {label: s.as_dict() for label, s in per_class.items()},
        "macro_f1": macro_f1(per_class),
        "binary": binary_scores(truth, predicted).as_dict(),
        "roc_auc": roc_auc(positive, score),
        "roc_auc_ovr": aucs,
        "confusion": {"labels": list(LABELS), "matrix": confusion(truth, predicted)},
        "ham_fpr": ham_false_positive_rate(truth, predicted),
        "flag_rate": flag_rate(predicted),
        "brier": brier(positive, score),
        "ece": expected_calibration_error(positive, score),
    }
    if texts:
        block["notice_pass"] = _notice_pass(truth, predicted, texts)
    if tags:
        block["loan_recall"] = _tag_recall(predicted, tags, LOAN_TAG)
    return block


def _notice_pass(
    truth: Sequence[str], predicted: Sequence[str], texts: Sequence[str]
) -> dict[str, Any]:
    passed = [
        pred == HAM
        for true, pred, text in zip(truth, predicted, texts, strict=True)
        if true == HAM and is_notice(text)
    ]
    return {"n": len(passed), "rate": float(np.mean(passed)) if passed else None}


def _tag_recall(
    predicted: Sequence[str], tags: Sequence[tuple[str, ...]], tag: str
) -> dict[str, Any]:
    hits = [pred != HAM for pred, mine in zip(predicted, tags, strict=True) if tag in mine]
    return {"n": len(hits), "rate": float(np.mean(hits)) if hits else None}


# --- the targets ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """One target of the issue: where its figure lives in a dataset block, and the goal."""

    name: str
    dataset: str
    path: tuple[str, ...]
    goal: float


TARGETS = (
    Target("UCI spam-F1", "uci", ("binary", "f1"), 0.95),
    Target("Mishra-Soni 3-class macro-F1", "mishra_soni", ("macro_f1",), 0.95),
    Target("mudou unseen-test spam-F1", "mudou", ("binary", "f1"), 0.98),
    Target("80万 loan-topic (贷款诈骗) recall", "sms80w", ("loan_recall", "rate"), 0.95),
    Target("mudou bank/e-commerce ham passed", "mudou", ("notice_pass", "rate"), 0.995),
)


def lookup(block: Any, path: Sequence[str]) -> float | None:
    """The number at ``path`` inside nested dicts, or None if any step is missing."""
    value = block
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return None if value is None else float(value)


def targets(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each target measured every way; judged on the cluster split, which cannot leak."""
    rows = []
    for target in TARGETS:
        figures = {
            f"{scheme}/{model}": lookup(
                report["in_distribution"].get(scheme, {}).get(model, {}).get(target.dataset),
                target.path,
            )
            for scheme in ("random", "cluster")
            for model in ("ours", "baseline")
        }
        held = report["leave_one_out"].get(target.dataset, {})
        figures["leave_one_out/ours"] = lookup(held.get("ours"), target.path)
        measured = figures["cluster/ours"]
        rows.append(
            {
                "target": target.name,
                "dataset": target.dataset,
                "goal": target.goal,
                "figures": figures,
                "met": None if measured is None else measured >= target.goal,
                "gap": None if measured is None else round(measured - target.goal, 4),
            }
        )
    return rows
