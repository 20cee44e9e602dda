"""`smsguard model train` through click."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

from smsguard.cli.model import model
from smsguard.errors import InputError
from smsguard.risk.model import RiskModel

FIXTURE = Path(__file__).parents[2] / "fixtures" / "training" / "small.tsv"


def test_train_writes_a_model_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "m.npz"
    args = ["train", "--data", str(FIXTURE), "--out", str(out), "--created", "2024-01-01"]
    result = CliRunner().invoke(model, args)
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() in result.output
    assert "operating point" in result.output
    assert "ham 24" in result.output
    trained = RiskModel.load(out)
    assert trained.metadata["created"] == "2024-01-01"
    second = tmp_path / "again.npz"
    again = CliRunner().invoke(
        model, ["train", "--data", str(FIXTURE), "--out", str(second), "--created", "2024-01-01"]
    )
    assert again.exit_code == 0 and second.read_bytes() == out.read_bytes()


def test_train_date_follows_source_date_epoch(tmp_path: Path) -> None:
    out = tmp_path / "m.npz"
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "86400"}).invoke(
        model, ["train", "--data", str(FIXTURE), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert RiskModel.load(out).metadata["created"] == "1970-01-02"


def test_a_bad_training_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("label\ttext\nham\tfine\nperhaps\tno idea\n", encoding="utf-8")
    result = CliRunner().invoke(model, ["train", "--data", str(bad), "--out", str(tmp_path / "m")])
    assert isinstance(result.exception, InputError)
    assert "line 3" in str(result.exception)
    assert not (tmp_path / "m").exists()
