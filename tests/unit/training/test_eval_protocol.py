"""The evaluation protocol end to end on a tiny corpus, with a small stand-in model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from smsguard.risk.canonical import canonical
from smsguard.training.corpora import Example, load_shared_corpora
from smsguard.training.evaluate import (
    EvalConfig,
    mask_digits,
    placeholders,
    predict,
    run_evaluation,
    spaced,
    strip_punctuation,
    threshold_labels,
)
from smsguard.training.metrics import Probabilities
from smsguard.training.report import render_markdown, write_report

MINI = Path(__file__).parents[2] / "fixtures" / "shared_data_mini"
SECTIONS = (
    "## 1. Targets",
    "## 2. In-distribution",
    "## 3. Per-dataset figures",
    "## 4. Leave-one-dataset-out",
    "## 5. Robustness",
    "## 6. Operating point",
    "## 7. Calibration",
    "## 8. Splits and near-duplicate clusters",
    "## 9. Provenance",
)


class TinyModel:
    """Character n-gram TF-IDF + logistic regression: fast enough for a unit test."""

    def __init__(self, pipeline: Pipeline, thresholds: dict[str, float] | None = None) -> None:
        self.pipeline = pipeline
        self.classes = tuple(str(c) for c in pipeline.classes_)
        self.scored: list[str] = []
        if thresholds is not None:
            self.thresholds = thresholds

    def predict_proba(self, texts: Sequence[str]) -> Any:
        self.scored.extend(texts)
        return self.pipeline.predict_proba(list(texts))


def tiny_trainer(examples: Sequence[Example]) -> TinyModel:
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)),
        LogisticRegression(max_iter=500),
    )
    pipeline.fit([e.text for e in examples], [e.label for e in examples])
    return TinyModel(pipeline)


class Recorder:
    """A trainer that remembers every training set it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[Example, ...]] = []
        self.models: list[TinyModel] = []

    def __call__(self, examples: Sequence[Example]) -> TinyModel:
        self.calls.append(tuple(examples))
        self.models.append(tiny_trainer(examples))
        return self.models[-1]


@pytest.fixture(scope="module")
def run() -> tuple[dict[str, Any], Recorder]:
    corpora = load_shared_corpora(MINI)
    recorder = Recorder()
    report = run_evaluation(corpora, trainer=recorder, baseline=recorder, config=EvalConfig())
    return report, recorder


def test_every_dataset_is_scored_under_both_schemes(run: tuple[dict[str, Any], Recorder]) -> None:
    report, recorder = run
    assert len(recorder.calls) == 2 * 2 + 2 * 4  # two schemes + four left-out corpora, x2
    for scheme in ("random", "cluster"):
        for model in ("ours", "baseline"):
            blocks = report["in_distribution"][scheme][model]
            assert set(blocks) == {"uci", "mishra_soni", "mudou", "sms80w"}
    assert report["in_distribution"]["cluster"]["ours"]["mudou"]["n"] == 7  # the unseen file
    assert set(report["leave_one_out"]) == {"uci", "mishra_soni", "mudou", "sms80w"}
    assert [row["dataset"] for row in report["targets"]] == [
        "uci",
        "mishra_soni",
        "mudou",
        "sms80w",
        "mudou",
    ]
    json.dumps(report, allow_nan=False)


def test_mudou_unseen_is_never_trained_on_by_a_model_tested_on_it(
    run: tuple[dict[str, Any], Recorder],
) -> None:
    """Split-scheme models (first four calls) and the mudou-left-out ones never see it;
    models tested on other corpora may learn from it."""
    _, recorder = run
    unseen = {canonical(e.text) for e in load_shared_corpora(MINI)["mudou_unseen"].examples}
    no_mudou = [c for c in recorder.calls if all(not e.source.startswith("mudou") for e in c)]
    assert len(no_mudou) == 2
    for call in [*recorder.calls[:4], *no_mudou]:
        assert not unseen & {canonical(e.text) for e in call}
    assert any(unseen & {canonical(e.text) for e in call} for call in recorder.calls[4:])


def test_leaving_uci_out_also_removes_the_mishra_texts_it_shares(
    run: tuple[dict[str, Any], Recorder],
) -> None:
    _, recorder = run
    corpora = load_shared_corpora(MINI)
    uci = {canonical(e.text) for e in corpora["uci"].examples}
    mishra_only = {canonical(e.text) for e in corpora["mishra_soni"].examples} - uci
    without_uci = [call for call in recorder.calls if all(e.source != "uci" for e in call)]
    assert len(without_uci) == 2  # ours and the baseline
    for call in without_uci:
        trained = {canonical(e.text) for e in call}
        assert not trained & uci
        assert mishra_only <= trained | uci


def test_no_model_is_scored_on_a_text_it_was_trained_on(
    run: tuple[dict[str, Any], Recorder],
) -> None:
    """The core no-leak property, checked on every one of the twelve models."""
    report, recorder = run
    assert len(recorder.calls[2]) == report["splits"]["cluster"]["train"]
    for call, model in zip(recorder.calls, recorder.models, strict=True):
        assert model.scored
        trained = {canonical(e.text) for e in call}
        assert not trained & {canonical(text) for text in model.scored}


def test_markdown_has_every_section_and_json_round_trips(
    run: tuple[dict[str, Any], Recorder], tmp_path: Path
) -> None:
    report, _ = run
    text = render_markdown(report)
    for heading in SECTIONS:
        assert heading in text
    assert "UCI spam-F1" in text and "≥ 0.95" in text
    assert "ham of its language" in text
    markdown, data = write_report(report, tmp_path / "out" / "model-eval.md")
    assert markdown.name == "model-eval.md" and data.name == "model-eval.json"
    assert json.loads(data.read_text(encoding="utf-8"))["targets"] == report["targets"]
    assert markdown.read_text(encoding="utf-8") == text


def test_model_thresholds_decide_the_label() -> None:
    examples = [Example("win cash now", "spam", "t"), Example("see you at home", "ham", "t")] * 3
    lenient = tiny_trainer(examples)
    strict = TinyModel(lenient.pipeline, {"spam": 0.999, "fraud": 0.999})
    _, loose_labels = predict(lenient, ["win cash now"])
    _, strict_labels = predict(strict, ["win cash now"])
    assert loose_labels == ["spam"]
    assert strict_labels == ["ham"]


def test_the_evaluation_applies_each_texts_script_thresholds() -> None:
    # Columns in another order than the model's, as a baseline may give them.
    proba = Probabilities(("spam", "ham", "fraud"), np.array([[0.8, 0.2, 0.0]] * 2))
    texts = ["买一送一", "buy one get one"]
    per_script = {"han": {"spam": 0.9, "fraud": 0.5}, "latin": {"spam": 0.7, "fraud": 0.5}}
    assert threshold_labels(proba, per_script, texts) == ["ham", "spam"]
    assert threshold_labels(proba, {"spam": 0.5, "fraud": 0.5}, texts) == ["spam", "spam"]


def test_rewrites() -> None:
    assert strip_punctuation("Hi! Call me, ok?") == "Hi Call me ok"
    assert strip_punctuation("您好，请回电。") == "您好请回电"
    assert mask_digits("call 0800 12") == "call xxxx xx"
    rewritten = placeholders("Dear John, pay £250 at www.x.example or call 0800 123 4567")
    assert rewritten == "Dear {name}, pay {amount} at {url} or call {phone}"
    assert placeholders("尊敬的王先生，您可借50000元") == "尊敬的{name}先生，您可借{amount}"
    once = spaced("a long enough message to split")
    assert once == spaced("a long enough message to split")
    assert once.replace(" ", "") == "a long enough message to split".replace(" ", "")
    assert once != "a long enough message to split"


def test_quick_sample_caps_every_corpus() -> None:
    corpora = load_shared_corpora(MINI)
    report = run_evaluation(
        corpora,
        trainer=tiny_trainer,
        baseline=tiny_trainer,
        config=EvalConfig(sample=10, leave_one_out=False, robustness=False),
    )
    assert all(info["used"] <= 10 for info in report["meta"]["data"].values())
    assert report["leave_one_out"] == {} and report["robustness"] == {}
    assert "## 5. Robustness" not in render_markdown(report)
    assert np.isclose(report["meta"]["test_fraction"], 0.2)
