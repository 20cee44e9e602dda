"""One small model trained on the fixture, shared by the risk-model tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsguard.risk.model import RiskModel
from smsguard.training.corpora import Corpus, load_labelled_file
from smsguard.training.fit import TrainConfig, train_model

FIXTURE = Path(__file__).parents[2] / "fixtures" / "training" / "small.tsv"
CONFIG = TrainConfig(created="2024-01-01")


@pytest.fixture(scope="session")
def small_corpus() -> Corpus:
    return load_labelled_file(FIXTURE)


@pytest.fixture(scope="session")
def small_model(small_corpus: Corpus) -> RiskModel:
    return train_model(small_corpus.examples, CONFIG, data_hashes={"small": small_corpus.sha256})
