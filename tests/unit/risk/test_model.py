"""The run-time model: probabilities, labels, explanations and the artifact."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from smsguard.errors import ModelError
from smsguard.risk.canonical import canonical
from smsguard.risk.model import RiskModel, RiskScore

TEXTS = [
    "【建设银行】您的账户存在异常已被冻结，请立即登录 ccb-safe.top 输入卡号和密码解冻",
    "晚上一起吃饭吗？",
    "URGENT! You have won a FREE prize, txt WIN to 80086",
    "",
]


def _with_thresholds(model: RiskModel, spam: float, fraud: float) -> RiskModel:
    return RiskModel(
        vocabulary=model.vocabulary,
        idf=model.idf,
        weights=model.weights,
        bias=model.bias,
        temperature=model.temperature,
        thresholds={"spam": spam, "fraud": fraud},
        ngram_range=model.ngram_range,
        table_bits=model.table_bits,
    )


def test_probabilities_are_rows_that_sum_to_one(small_model: RiskModel) -> None:
    probabilities = small_model.predict_proba(TEXTS)
    assert probabilities.shape == (4, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert small_model.classes == ("ham", "spam", "fraud")
    assert small_model.predict_proba([]).shape == (0, 3)


def test_the_fixture_model_learned_something(small_model: RiskModel) -> None:
    fraud, ham, spam, _ = small_model.predict_proba(TEXTS)
    assert fraud.argmax() == 2 and ham.argmax() == 0 and spam.argmax() == 1


def test_labels_follow_the_thresholds(small_model: RiskModel) -> None:
    probabilities = small_model.predict_proba(TEXTS)
    for spam, fraud in ((0.5, 0.5), (0.9, 0.2), (0.01, 0.99), (1.0, 1.0)):
        model = _with_thresholds(small_model, spam, fraud)
        for row, score in zip(probabilities, model.assess_many(TEXTS), strict=True):
            if row[2] >= fraud:
                expected = "fraud"
            elif row[1] + row[2] >= spam:
                expected = "spam"
            else:
                expected = "ham"
            assert score.label == expected
            assert score.probabilities == pytest.approx(dict(zip(model.classes, row, strict=True)))


def test_explanation_names_phrases_of_the_message(small_model: RiskModel) -> None:
    score = small_model.assess(TEXTS[0])
    assert score.label != "ham"
    assert 1 <= len(score.explanation) <= 5
    text = canonical(TEXTS[0])
    for contribution in score.explanation:
        assert contribution.feature in text
        assert contribution.weight > 0
    weights = [c.weight for c in score.explanation]
    assert weights == sorted(weights, reverse=True)
    assert small_model.assess("").explanation == ()


def test_score_serialises(small_model: RiskModel) -> None:
    data = small_model.assess(TEXTS[2]).to_dict()
    assert set(data) == {"label", "probabilities", "explanation"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    with pytest.raises(AttributeError):
        RiskScore("ham", {}, ()).label = "spam"  # type: ignore[misc]


def test_save_and_load_round_trip(small_model: RiskModel, tmp_path: Path) -> None:
    path = tmp_path / "sub" / "model.npz"
    small_model.save(path)
    loaded = RiskModel.load(path)
    assert loaded.to_bytes() == small_model.to_bytes()
    assert loaded.version == small_model.version
    assert loaded.metadata == small_model.metadata
    assert np.array_equal(loaded.predict_proba(TEXTS), small_model.predict_proba(TEXTS))
    assert [p.name for p in path.parent.iterdir()] == ["model.npz"]  # no temp file left


def test_missing_and_corrupt_files_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        RiskModel.load(tmp_path / "absent.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(ModelError, match="not a valid risk model"):
        RiskModel.load(junk)


def _rewrite(source: bytes, target: Path, change: dict[str, object] | None, drop: str = "") -> None:
    with (
        zipfile.ZipFile(target, "w") as out,
        zipfile.ZipFile(__import__("io").BytesIO(source)) as src,
    ):
        for name in src.namelist():
            data = src.read(name)
            if name == drop:
                continue
            if name == "metadata.json" and change:
                header = json.loads(data)
                header.update(change)
                data = json.dumps(header).encode()
            out.writestr(name, data)


@pytest.mark.parametrize(
    ("change", "drop", "message"),
    [
        ({"format_version": 99}, "", "format version 99"),
        ({"format_version": 1}, "", "version 1,.*retrain"),
        ({"thresholds": {"latin": {"spam": 0.5, "fraud": 0.5}}}, "", "scripts"),
        ({"thresholds": {"han": {"spam": 0.5}, "latin": {"spam": 0.5}}}, "", "need exactly"),
        ({"thresholds": {"spam": 1.5, "fraud": 0.5}}, "", r"\[0, 1\]"),
        ({"classes": ["ham", "spam"]}, "", "classes"),
        ({"format": "other"}, "", "not a smsguard risk model"),
        ({"temperature": -1.0}, "", "temperature"),
        ({"table_bits": 60}, "", "out of range"),
        ({"ngram_range": [1]}, "", "not a valid risk model"),
        (None, "weights.npy", "weights.npy"),
    ],
)
def test_incompatible_artifacts_raise_model_error(
    small_model: RiskModel,
    tmp_path: Path,
    change: dict[str, object] | None,
    drop: str,
    message: str,
) -> None:
    path = tmp_path / "bad.npz"
    _rewrite(small_model.to_bytes(), path, change, drop)
    with pytest.raises(ModelError, match=message):
        RiskModel.load(path)


def test_scoring_does_not_import_scikit_learn() -> None:
    code = (
        "import sys; from smsguard.risk.model import RiskModel; "
        "RiskModel.load_default().assess('hello'); "
        "assert not any(m.split('.')[0] in ('sklearn', 'scipy') for m in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_each_script_uses_its_own_thresholds(small_model: RiskModel) -> None:
    # Chinese texts may never be flagged, English texts always are (unless they are fraud).
    strict_han = {"han": {"spam": 1.0, "fraud": 1.0}, "latin": {"spam": 0.0, "fraud": 1.0}}
    model = small_model.recalibrated(small_model.temperature, strict_han, {})
    labels = [score.label for score in model.assess_many(TEXTS)]
    assert labels == ["ham", "ham", "spam", "spam"]  # the empty text counts as latin
    assert model.thresholds == strict_han
    flipped = {"han": strict_han["latin"], "latin": strict_han["han"]}
    other = small_model.recalibrated(small_model.temperature, flipped, {})
    assert [score.label for score in other.assess_many(TEXTS)] == ["spam", "spam", "ham", "ham"]
    assert other.version != model.version  # thresholds are part of the fingerprint


def test_thresholds_are_a_copy_and_survive_a_round_trip(small_model: RiskModel) -> None:
    thresholds = small_model.thresholds
    assert set(thresholds) == {"han", "latin"}
    thresholds["han"]["spam"] = 0.0
    assert small_model.thresholds["han"]["spam"] != 0.0
    loaded = RiskModel.from_bytes(small_model.to_bytes())
    assert loaded.thresholds == small_model.thresholds


def test_label_of_needs_one_text_per_row(small_model: RiskModel) -> None:
    probabilities = small_model.predict_proba(TEXTS)
    with pytest.raises(ValueError, match="one canonical text per row"):
        small_model.label_of(probabilities, [canonical(TEXTS[0])])
    labels = small_model.label_of(probabilities, [canonical(text) for text in TEXTS])
    assert labels == [score.label for score in small_model.assess_many(TEXTS)]
