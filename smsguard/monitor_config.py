"""The monitor's detector thresholds from ``monitor.yaml``: validated, each section optional.

The defaults (docs/monitoring.md) suit a typical lender, but an institution whose opt-out rate
is normally 1.5% needs other thresholds, and one that approves templates on Saturdays needs
other working days. Operators write only what differs: every key left out keeps its default.
The pure monitor never reads a file, so this module is the edge that turns the file into a
:class:`~smsguard.monitor.MonitorConfig`. The quiet-hours window and the frequency cap are not
here: they come from the same settings as the planner's, so the defence-in-depth checks can
never disagree with what the gateway allowed.

Every problem is a :class:`ConfigError` naming the file and the field, whether the type is
wrong (pydantic) or the values contradict each other (the detectors' own checks).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smsguard._yaml import read_yaml
from smsguard.errors import ConfigError
from smsguard.monitor import MonitorConfig
from smsguard.monitor.detectors import (
    BaselineConfig,
    FraudConfig,
    RateConfig,
    complaint_detector,
    failure_detector,
    opt_out_detector,
)
from smsguard.monitor.sending import SendRulesConfig, VolumeConfig
from smsguard.monitor.staff import RecordVolumeConfig, WorkingHours

Day = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAYS: tuple[Day, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
T = TypeVar("T")


class _Section(BaseModel):
    """A section of the file: unknown keys are errors, absent keys keep the default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def merged(self, default: T, name: str, path: Path) -> T:
        """``default`` with the keys written in the file; the detector's checks name it."""
        try:
            return replace(default, **self.changes())  # type: ignore[type-var]
        except ConfigError as exc:
            raise ConfigError(f"monitor file {path}: {name}: {exc.message}") from exc

    def changes(self) -> dict[str, Any]:
        """The keys the operator wrote, as the detector's configuration names them."""
        return self.model_dump(exclude_unset=True)


class RateSection(_Section):
    """``opt_out``, ``complaint``, ``failure``: rates as fractions (0.025 is 2.5%)."""

    warn: float = Field(0, gt=0, le=1)
    act: float = Field(0, gt=0, le=1)
    min_sample: int = Field(0, ge=1)
    enabled: bool = True


class BaselineSection(_Section):
    """The robust baseline (modified z-scores)."""

    warn_z: float = Field(0, gt=0)
    act_z: float | None = Field(None, gt=0)
    history_minutes: int = Field(0, ge=1, le=59)
    min_history: int = Field(0, ge=1)
    min_minute_sample: int = Field(0, ge=1)
    min_sample: int = Field(0, ge=1)
    mad_floor: float = Field(0, gt=0)
    enabled: bool = True


class FraudSection(_Section):
    """Fraud bursts: the score that counts as high, and how many in a minute."""

    high_score: float = Field(0, gt=0, le=1)
    warn_count: int = Field(0, ge=1)
    act_count: int = Field(0, ge=1)
    enabled: bool = True


class VolumeSection(_Section):
    """Sending faster than approved: the tolerance over the approved rate."""

    rate_tolerance: float = Field(0, ge=0)
    enabled: bool = True


class RecordsSection(_Section):
    """Staff record volume (decrypted plus exported records per 24 hours)."""

    warn_z: float = Field(0, gt=0)
    act_z: float = Field(0, gt=0)
    history_days: int = Field(0, ge=1)
    min_history_days: int = Field(0, ge=1)
    min_records: int = Field(0, ge=0)
    ceiling_without_history: int = Field(0, ge=1)
    mad_floor: float = Field(0, gt=0)
    enabled: bool = True


class WorkingHoursSection(_Section):
    """Working days and hours for approvals; ``severity: act`` requires re-approval."""

    start: time = time(9)
    end: time = time(18)
    days: tuple[Day, ...] = Field((), min_length=1)
    tz: str = ""
    severity: Literal["warn", "act"] = "warn"
    enabled: bool = True

    @field_validator("start", "end", mode="before")
    @classmethod
    def _quoted_time(cls, value: object) -> object:
        """YAML 1.1 reads an unquoted 18:00 as the number 1080; refuse it, never guess."""
        if isinstance(value, int | float):
            raise ValueError(
                "write the time in quotes, e.g. '18:00' (YAML reads 18:00 as a number)"
            )
        return value

    def changes(self) -> dict[str, Any]:
        """Day names become the weekday numbers the detector uses (Mon = 0)."""
        found = super().changes()
        if "days" in found:
            found["days"] = frozenset(DAYS.index(day) for day in found["days"])
        return found


class SendRulesSection(_Section):
    """Only the switch: the window and the cap come from the settings (see the docstring)."""

    enabled: bool = True


class MonitorFile(_Section):
    """The whole ``monitor.yaml``."""

    opt_out: RateSection = RateSection()
    complaint: RateSection = RateSection()
    failure: RateSection = RateSection()
    baseline: BaselineSection = BaselineSection()
    fraud: FraudSection = FraudSection()
    volume: VolumeSection = VolumeSection()
    records: RecordsSection = RecordsSection()
    working_hours: WorkingHoursSection = WorkingHoursSection()
    send_rules: SendRulesSection = SendRulesSection()
    maker_checker: bool = True
    template_check: bool = True
    cooldown_minutes: float = Field(15, ge=0, le=24 * 60)

    def config(self, path: Path, send_rules: SendRulesConfig) -> MonitorConfig:
        """The monitor configuration: defaults, overridden by what the file says."""
        return MonitorConfig(
            opt_out=self._rate("opt_out", opt_out_detector().config, path),
            complaint=self._rate("complaint", complaint_detector().config, path),
            failure=self._rate("failure", failure_detector().config, path),
            baseline=self.baseline.merged(BaselineConfig(), "baseline", path),
            fraud=self.fraud.merged(FraudConfig(), "fraud", path),
            volume=self.volume.merged(VolumeConfig(), "volume", path),
            send_rules=self.send_rules.merged(send_rules, "send_rules", path),
            records=self.records.merged(RecordVolumeConfig(), "records", path),
            working_hours=self.working_hours.merged(WorkingHours(), "working_hours", path),
            maker_checker=self.maker_checker,
            template_check=self.template_check,
            cooldown=timedelta(minutes=self.cooldown_minutes),
        )

    def _rate(self, name: str, default: RateConfig, path: Path) -> RateConfig:
        section: RateSection = getattr(self, name)
        return section.merged(default, name, path)


def load_monitor_config(path: Path, send_rules: SendRulesConfig) -> MonitorConfig:
    """The configuration in ``path`` (the defaults when it does not exist or is empty) with
    the given send rules; ConfigError naming the file and the field otherwise."""
    if not path.exists():
        return MonitorConfig(send_rules=send_rules)
    data = read_yaml(path, what="monitor file", error=ConfigError)
    if data is None:
        return MonitorConfig(send_rules=send_rules)
    if not isinstance(data, dict):
        raise ConfigError(f"monitor file {path}: expected a mapping of detector sections")
    try:
        parsed = MonitorFile.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise ConfigError(f"monitor file {path}: {field}: {problem['msg']}") from exc
    return parsed.config(path, send_rules)
