"""The composition root: the one place that builds smsguard's objects from settings.

The CLI, the (future) HTTP service and the tests all get their objects here, so each layer
above only translates; nothing else reads settings to decide how to build things.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smsguard.screening.compile import compile_rulebook
from smsguard.screening.engine import Screener
from smsguard.screening.matcher import Backend
from smsguard.screening.matcher_cache import CachingMatcherBuilder
from smsguard.screening.risk import RiskAssessor
from smsguard.screening.rulebook.loader import load_rulebook
from smsguard.screening.rulebook.schema import RateParameters
from smsguard.screening.sender import SenderProfile, load_sender_profile
from smsguard.settings import Settings

if TYPE_CHECKING:
    from smsguard.store import Database


def rate_parameters(settings: Settings) -> RateParameters:
    """Rate caps from settings, which operators set (LPR changes monthly)."""
    return RateParameters(
        review_percent=settings.rate_review_percent,
        block_percent=settings.rate_block_percent,
        lpr_1y_percent=settings.lpr_1y_percent,
        lpr_multiple=settings.lpr_multiple,
    )


def build_screener(
    settings: Settings,
    *,
    sender: SenderProfile | None = None,
    backend: Backend = "auto",
) -> Screener:
    """A screener for the built-in rulebook plus the operator's rule files."""
    rulebook = load_rulebook(settings.rules_paths)
    compiled = compile_rulebook(
        rulebook,
        rates=rate_parameters(settings),
        backend=backend,
        build_matcher=CachingMatcherBuilder(settings.home / "cache"),
    )
    if sender is None and settings.sender_profile is not None:
        sender = load_sender_profile(settings.sender_profile)
    return Screener(
        compiled,
        sender=sender,
        max_text_length=settings.max_text_length,
        risk=build_risk_assessor(settings),
    )


def build_risk_assessor(settings: Settings) -> RiskAssessor | None:
    """The model plus the shipped and the operator's fraud-template indexes (or nothing,
    when ``risk_scoring`` is off)."""
    if not settings.risk_scoring:
        return None
    from smsguard.fingerprints import TemplateIndex, load_seed_index
    from smsguard.risk.assessor import ModelAssessor
    from smsguard.risk.model import RiskModel

    model = RiskModel.load(settings.risk_model) if settings.risk_model else RiskModel.load_default()
    indexes = [load_seed_index()]
    operator_index = settings.effective_fingerprint_index
    if operator_index.exists():
        indexes.append(TemplateIndex.load(operator_index))
    return ModelAssessor(model, indexes)


def build_database(settings: Settings) -> Database:
    """The governance database named by settings (SQLite under ``home`` by default).

    Nothing connects yet and the schema is not touched: ``smsguard db upgrade`` migrates, so
    a read-only command never changes a production schema by surprise.
    """
    from smsguard.store import Database

    return Database.from_url(settings.effective_database_url)
