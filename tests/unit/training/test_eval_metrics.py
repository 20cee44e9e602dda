"""Evaluation metrics against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from smsguard.training.metrics import (
    Probabilities,
    binary_scores,
    brier,
    class_scores,
    confusion,
    expected_calibration_error,
    ham_false_positive_rate,
    is_notice,
    lookup,
    macro_f1,
    roc_auc,
    summarise,
    targets,
)

TRUTH = ["ham", "ham", "spam", "spam", "fraud", "fraud"]
PRED = ["ham", "spam", "spam", "ham", "fraud", "spam"]


def test_per_class_scores() -> None:
    scores = class_scores(TRUTH, PRED)
    assert scores["ham"].precision == pytest.approx(0.5)
    assert scores["ham"].recall == pytest.approx(0.5)
    assert scores["spam"].precision == pytest.approx(1 / 3)
    assert scores["spam"].recall == pytest.approx(0.5)
    assert scores["spam"].f1 == pytest.approx(0.4)
    assert scores["fraud"].precision == pytest.approx(1.0)
    assert scores["fraud"].f1 == pytest.approx(2 / 3)
    assert scores["fraud"].support == 2


def test_macro_f1_skips_classes_absent_from_the_truth() -> None:
    assert macro_f1(class_scores(TRUTH, PRED)) == pytest.approx((0.5 + 0.4 + 2 / 3) / 3)
    two_class = class_scores(["ham", "spam"], ["ham", "fraud"])
    assert two_class["fraud"].precision == 0.0
    assert macro_f1(two_class) == pytest.approx(0.5)  # ham 1.0, spam 0.0; fraud not counted
    assert macro_f1(class_scores([], [])) is None


def test_binary_view_folds_spam_and_fraud() -> None:
    scores = binary_scores(TRUTH, PRED)
    assert (scores.precision, scores.recall, scores.f1) == pytest.approx((0.75, 0.75, 0.75))
    assert scores.support == 4


def test_confusion_rows_are_truth_columns_are_predictions() -> None:
    assert confusion(TRUTH, PRED) == [[1, 1, 0], [1, 1, 0], [0, 1, 1]]


def test_ham_false_positive_rate() -> None:
    assert ham_false_positive_rate(TRUTH, PRED) == pytest.approx(0.5)
    assert ham_false_positive_rate(["spam"], ["ham"]) is None


def test_roc_auc_counts_ties_as_half() -> None:
    positive = np.array([True, False, True, False])
    score = np.array([0.8, 0.8, 0.3, 0.1])
    assert roc_auc(positive, score) == pytest.approx(0.625)
    assert roc_auc(np.array([True, True]), np.array([0.2, 0.9])) is None


def test_brier_and_calibration_error() -> None:
    assert brier(np.array([True, False]), np.array([0.8, 0.4])) == pytest.approx(0.1)
    positive = np.array([True, False, True, True])
    score = np.array([0.9, 0.9, 0.1, 0.1])
    # bin of 0.9: accuracy 0.5 vs 0.9; bin of 0.1: accuracy 1.0 vs 0.1; weights 2 and 2.
    assert expected_calibration_error(positive, score) == pytest.approx(0.65)


def test_probabilities_are_read_by_class_name() -> None:
    proba = Probabilities(("spam", "ham"), np.array([[0.7, 0.3], [0.1, 0.9]]))
    assert proba.column("ham").tolist() == [0.3, 0.9]
    assert proba.column("fraud").tolist() == [0.0, 0.0]
    assert proba.flagged() == pytest.approx([0.7, 0.1])


def test_summarise_reports_notices_and_loan_topic_recall() -> None:
    truth = ["ham", "ham", "spam", "spam"]
    predicted = ["spam", "ham", "spam", "ham"]
    texts = ["【工商银行】您尾号1234的卡消费50元", "今晚吃什么", "无抵押贷款当天放款", "房贷低息"]
    tags = [(), (), ("贷款诈骗",), ("贷款诈骗", "房地产推销信息")]
    proba = Probabilities(("ham", "spam", "fraud"), np.array([[0.2, 0.8, 0.0]] * 4))
    block = summarise(truth, predicted, proba, texts=texts, tags=tags)
    assert block["notice_pass"] == {"n": 1, "rate": 0.0}
    assert block["loan_recall"] == {"n": 2, "rate": 0.5}
    assert block["ham_fpr"] == pytest.approx(0.5)
    assert block["confusion"]["matrix"][0] == [1, 1, 0]


def test_notice_detector() -> None:
    assert is_notice("您的验证码是123456")
    assert is_notice("【淘宝】您的订单已发货")
    assert not is_notice("周末去爬山吗")


def test_targets_are_judged_on_the_cluster_split() -> None:
    def block(f1: float) -> dict[str, object]:
        return {"binary": {"f1": f1}}

    report = {
        "in_distribution": {
            "random": {"ours": {"uci": block(0.99)}, "baseline": {"uci": block(0.9)}},
            "cluster": {"ours": {"uci": block(0.94)}, "baseline": {"uci": block(0.9)}},
        },
        "leave_one_out": {"uci": {"ours": block(0.5)}},
    }
    rows = {row["target"]: row for row in targets(report)}
    uci = rows["UCI spam-F1"]
    assert uci["met"] is False
    assert uci["gap"] == pytest.approx(-0.01)
    assert uci["figures"]["random/ours"] == pytest.approx(0.99)
    assert uci["figures"]["leave_one_out/ours"] == pytest.approx(0.5)
    assert rows["Mishra-Soni 3-class macro-F1"]["met"] is None
    assert lookup({"a": {"b": None}}, ("a", "b")) is None
