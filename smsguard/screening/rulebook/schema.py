"""The shape of a rule file, validated on load.

A rulebook is a folder of YAML files. ``rulebook.yaml`` names the rulebook, its version and
its parameters (rate caps …); every other file holds ``rules:``, a list of rules. A rule says
WHAT it looks for (``match``: keyword terms, regex patterns, all-of groups, or a named fact
check), WHEN it applies (message purposes, loan-related only), WHAT it concludes
(severity, category, fraud signal, message) and WHY (its legal basis). Each rule also carries
its own positive and negative examples, which one parametrised test runs.

Unknown keys are errors, so a typo never silently disables a rule.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["block", "review", "info"]
Purpose = Literal["marketing", "service", "verification", "collection", "other"]
Confidence = Literal["P", "S", "U"]
ALL_PURPOSES: tuple[Purpose, ...] = ("marketing", "service", "verification", "collection", "other")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9_]{2,63}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Basis(_Strict):
    """One legal or regulatory source a rule rests on."""

    source: str = Field(min_length=2)
    article: str | None = None
    confidence: Confidence = "S"
    note: str | None = None

    def render(self) -> str:
        text = f"{self.source} {self.article}" if self.article else self.source
        return f"{text} [unconfirmed]" if self.confidence == "U" else text


class CheckRef(_Strict):
    """A named predicate over extracted facts, implemented in code (checks.py)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    params: dict[str, Any] = Field(default_factory=dict)


class TermGroup(_Strict):
    """Keyword terms (expanded for evasion variants) and raw regex patterns; any one hits."""

    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    literal: bool = Field(False, description="Match terms exactly, without evasion variants.")

    @field_validator("terms", "patterns")
    @classmethod
    def _no_blank(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not value.strip():
                raise ValueError("must not contain empty strings")
        return values

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"bad regex {value!r}: {exc}") from exc
        return values

    @property
    def empty(self) -> bool:
        return not self.terms and not self.patterns


class Match(TermGroup):
    """What triggers a rule: any term/pattern, AND every ``all`` group, AND the ``check``."""

    all: tuple[TermGroup, ...] = ()
    check: CheckRef | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Match:
        if self.empty and not self.all and self.check is None:
            raise ValueError("needs terms, patterns, all-of groups or a check")
        if any(group.empty for group in self.all):
            raise ValueError("every `all` group needs terms or patterns")
        return self


class Unless(TermGroup):
    """What suppresses a rule: any term/pattern, or the check returning a result."""

    check: CheckRef | None = None


class Examples(_Strict):
    positive: tuple[str, ...] = Field(min_length=1)
    negative: tuple[str, ...] = Field(min_length=1)


class ExampleContext(_Strict):
    """Context that the rule's examples are screened with (e.g. a sender profile)."""

    purpose: Purpose | None = None
    sender: str | None = Field(None, description="Name of a sender profile under tests/fixtures")
    sender_number: str | None = None


class RuleSpec(_Strict):
    """One rule of the rulebook."""

    id: str
    title: str = Field(min_length=3)
    category: str = Field(pattern=r"^[a-z][a-z_]*$")
    severity: Severity
    fraud_signal: bool = False
    purposes: tuple[Purpose, ...] = ALL_PURPOSES
    loan_only: bool = Field(True, description="Apply only when the SMS is about lending.")
    message: str = Field(min_length=3)
    message_zh: str | None = None
    basis: tuple[Basis, ...] = Field(min_length=1)
    match: Match
    unless: Unless | None = None
    examples: Examples
    example_context: ExampleContext = ExampleContext()

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("must be SCREAMING_SNAKE_CASE, 3-64 characters")
        return value


class RuleFile(_Strict):
    rules: tuple[RuleSpec, ...] = Field(min_length=1)


class RateParameters(_Strict):
    review_percent: float = Field(24.0, gt=0)
    block_percent: float = Field(36.0, gt=0)
    lpr_1y_percent: float = Field(3.0, gt=0)
    lpr_multiple: float = Field(4.0, gt=0)


class Parameters(_Strict):
    rates: RateParameters = RateParameters()


class RulebookHeader(_Strict):
    name: str
    version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    parameters: Parameters = Parameters()
