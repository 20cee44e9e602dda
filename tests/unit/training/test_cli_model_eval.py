"""``smsguard model eval`` on a tiny folder laid out like the shared data."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from smsguard.cli.model_eval import data_folder, register
from smsguard.errors import InputError

MINI = Path(__file__).parents[2] / "fixtures" / "shared_data_mini"


def _group() -> click.Group:
    @click.group()
    def model() -> None:
        """Stand-in for the real ``model`` group."""

    register(model)
    return model


def test_eval_writes_markdown_and_json(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "model-eval"
    result = CliRunner().invoke(
        _group(), ["eval", "--data", str(MINI), "--out", str(out), "--quick"]
    )
    assert result.exit_code == 0, result.output
    assert "UCI spam-F1" in result.output
    markdown = (tmp_path / "docs" / "model-eval.md").read_text(encoding="utf-8")
    report = json.loads((tmp_path / "docs" / "model-eval.json").read_text(encoding="utf-8"))
    assert markdown.startswith("# Risk model evaluation")
    assert report["meta"]["sample"] == 1500
    assert len(report["meta"]["fit_seconds"]) == 12
    thresholds = report["operating_point"]["evaluated"]["thresholds"]
    assert thresholds.keys() == {"han", "latin"}
    assert all(pair.keys() == {"spam", "fraud"} for pair in thresholds.values())
    assert "spam threshold han / latin" in markdown


def test_missing_data_folder_is_a_user_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(_group(), ["eval", "--data", str(tmp_path / "nowhere")])
    assert isinstance(result.exception, InputError)
    assert "nowhere" in result.exception.message
    assert "--data" in result.exception.hint


def test_data_folder_falls_back_to_the_environment_then_the_sibling_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSGUARD_DATA", str(MINI))
    assert data_folder(None) == MINI
    monkeypatch.delenv("SMSGUARD_DATA")
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert data_folder(None).resolve() == (tmp_path / "shared" / "data").resolve()
    assert data_folder(MINI) == MINI
