"""The thresholds of the mandatory exclusions, from ``targeting.yaml`` (docs/targeting.md).

Which exclusions apply is not configurable: every one of them applies to every campaign. Only
the numbers that no rule fixes are settings, each with a documented default: the debt-ratio
limit, how long a complaint or a declined application keeps a customer out, and the time zone
in which ages are counted. A missing file means the defaults; an unknown key or a bad value is
a :class:`ConfigError` naming the file and the field, like ``monitor.yaml``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smsguard._yaml import read_yaml
from smsguard.errors import ConfigError
from smsguard.settings import Settings

DEFAULT_MAX_DEBT_RATIO = 0.5
DEFAULT_COMPLAINT_DAYS = 180
DEFAULT_DECLINED_DAYS = 90


class ExclusionPolicy(BaseModel):
    """The configurable numbers of the mandatory exclusions (none of them can be switched off).

    - ``max_debt_ratio``: monthly debt service over monthly income above which a customer is
      over-indebted (0.5 = 50 %). No rule fixes the number [U]; 0.5 is a common affordability
      ceiling in consumer-credit practice.
    - ``complaint_days``: a complaint received this many days ago or less keeps the customer out.
    - ``declined_days``: a credit application declined this many days ago or less keeps the
      customer out (do not invite again whom the institution just refused).
    - ``timezone``: the zone whose calendar date decides ages (the sending window's zone).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_debt_ratio: float = Field(DEFAULT_MAX_DEBT_RATIO, gt=0, le=10)
    complaint_days: int = Field(DEFAULT_COMPLAINT_DAYS, ge=1, le=3650)
    declined_days: int = Field(DEFAULT_DECLINED_DAYS, ge=1, le=3650)
    timezone: str = "Asia/Shanghai"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def local_day(self, at: datetime) -> date:
        """The calendar date at ``at`` in the policy's zone."""
        return at.astimezone(ZoneInfo(self.timezone)).date()


def load_exclusion_policy(path: Path, *, timezone: str = "Asia/Shanghai") -> ExclusionPolicy:
    """The policy in ``path`` (defaults when the file is missing or empty); ``timezone`` is the
    settings' sending-window zone unless the file names another."""
    data: object = None
    if path.exists():
        data = read_yaml(path, what="targeting file", error=ConfigError)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"targeting file {path}: expected a mapping of thresholds")
    try:
        return ExclusionPolicy.model_validate({"timezone": timezone, **data})
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"targeting file {path}: {field}: {message}") from exc


def policy_for(settings: Settings) -> ExclusionPolicy:
    """The policy the settings point at (``targeting_file``, the sending window's zone)."""
    return load_exclusion_policy(settings.effective_targeting_file, timezone=settings.timezone)
