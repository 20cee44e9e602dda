"""The risk assessor screening plugs in: the trained model plus the fraud-template indexes.

It implements :class:`smsguard.screening.risk.RiskAssessor`. Several indexes can be
consulted at once (the shipped seed and the operator's own); their matches are merged, best
first, so a template added by the operator counts exactly like a shipped one.
"""

from __future__ import annotations

from collections.abc import Sequence

from smsguard.fingerprints import TemplateIndex, TemplateMatch
from smsguard.risk.model import RiskModel, RiskScore
from smsguard.screening.verdict import RiskAssessment, TemplateHit


class ModelAssessor:
    """Scores SMS with one model and any number of template indexes."""

    def __init__(
        self,
        model: RiskModel,
        indexes: Sequence[TemplateIndex] = (),
        *,
        template_limit: int = 3,
    ) -> None:
        self._model = model
        self._indexes = tuple(index for index in indexes if len(index))
        self._limit = template_limit

    def assess_many(self, texts: Sequence[str], *, explain: bool = True) -> list[RiskAssessment]:
        scores = self._model.assess_many(texts, explain=explain)
        matches = self._templates(texts)
        return [
            _assessment(score, hits, self._model.version)
            for score, hits in zip(scores, matches, strict=True)
        ]

    def _templates(self, texts: Sequence[str]) -> list[tuple[TemplateHit, ...]]:
        merged: list[list[TemplateMatch]] = [[] for _ in texts]
        for index in self._indexes:
            for found, extra in zip(
                merged, index.match_many(texts, limit=self._limit), strict=True
            ):
                found.extend(extra)
        return [_best(found, self._limit) for found in merged]


def _best(found: list[TemplateMatch], limit: int) -> tuple[TemplateHit, ...]:
    found.sort(key=lambda m: (-m.similarity, m.template_id))
    return tuple(TemplateHit(m.template_id, m.similarity, m.category) for m in found[:limit])


def _assessment(score: RiskScore, templates: tuple[TemplateHit, ...], model: str) -> RiskAssessment:
    return RiskAssessment(
        label=score.label,
        probabilities=score.probabilities,
        explanation=tuple((c.feature, c.weight) for c in score.explanation),
        templates=templates,
        model=model,
    )
