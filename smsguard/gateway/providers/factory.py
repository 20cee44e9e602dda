"""Building the configured provider from its name and a mapping of options (provider.yaml).

Each adapter declares its options as a frozen pydantic model, so a misspelt or missing option
is a ConfigError naming it, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smsguard.errors import ConfigError
from smsguard.gateway.providers.base import Provider
from smsguard.gateway.providers.simulated import SimulatedProvider, SimulationRates

M = TypeVar("M", bound=BaseModel)


class SimulatedOptions(BaseModel):
    """Options of the simulated provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 0
    latency_ms: float = Field(0.0, ge=0, description="Simulated hand-off time per message.")
    journal: Path | None = Field(None, description="File of accepted keys, relative to home.")
    transient_failure: float = Field(0.0, ge=0, le=1)
    permanent_failure: float = Field(0.0, ge=0, le=1)
    undelivered: float = Field(0.0, ge=0, le=1)
    opt_out_reply: float = Field(0.0, ge=0, le=1)
    complaint_reply: float = Field(0.0, ge=0, le=1)


def provider_from_options(name: str, options: Mapping[str, object], *, home: Path) -> Provider:
    """The provider called ``name``, configured by ``options``."""
    if name == "simulated":
        return _simulated(_parse(SimulatedOptions, name, options), home)
    raise ConfigError(f"provider {name!r} is not available in this build")


def _parse(model: type[M], name: str, options: Mapping[str, object]) -> M:
    try:
        return model.model_validate(dict(options))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(options)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"provider {name!r} options: {problems}") from None


def _simulated(options: SimulatedOptions, home: Path) -> SimulatedProvider:
    rates = SimulationRates(
        transient_failure=options.transient_failure,
        permanent_failure=options.permanent_failure,
        undelivered=options.undelivered,
        opt_out_reply=options.opt_out_reply,
        complaint_reply=options.complaint_reply,
    )
    journal = None if options.journal is None else home / options.journal
    return SimulatedProvider(
        rates, seed=options.seed, journal=journal, latency=options.latency_ms / 1000
    )
