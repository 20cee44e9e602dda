"""``monitor.yaml``: operators' thresholds reach the detectors; mistakes name file and field."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from test_monitor_detectors import START, campaign_minutes

from smsguard.bootstrap import build_monitor
from smsguard.errors import ConfigError
from smsguard.monitor import Action, Event, EventKind, MonitorConfig
from smsguard.monitor.detectors import (
    FraudConfig,
    complaint_detector,
    failure_detector,
    opt_out_detector,
)
from smsguard.monitor.sending import SendRulesConfig
from smsguard.monitor_config import load_monitor_config
from smsguard.settings import Settings

GOOD = """
opt_out: {act: 0.05}
fraud: {high_score: 0.9, act_count: 20}
baseline: {act_z: 8}
working_hours:
  start: '08:30'
  days: [Mon, Tue, Wed, Thu, Fri, Sat]
  severity: act
records: {enabled: false}
maker_checker: true
cooldown_minutes: 5
"""


def _home(tmp_path: Path, text: str) -> Settings:
    (tmp_path / "monitor.yaml").write_text(text, encoding="utf-8")
    return Settings(home=tmp_path)


def test_written_keys_override_and_the_rest_keep_their_defaults(tmp_path: Path) -> None:
    settings = _home(tmp_path, GOOD)
    config = build_monitor(settings).config
    assert config.opt_out is not None
    default = opt_out_detector().config
    assert (config.opt_out.act, config.opt_out.warn) == (0.05, default.warn)
    assert config.fraud == FraudConfig(high_score=0.9, warn_count=3, act_count=20)
    assert config.baseline.act_z == 8 and config.baseline.warn_z == 3.5
    hours = config.working_hours
    assert (hours.start, hours.end, hours.days) == (time(8, 30), time(18), frozenset(range(6)))
    assert hours.severity == "act" and not config.records.enabled
    assert config.cooldown == timedelta(minutes=5)
    assert config.send_rules.cap_messages == settings.frequency_cap_messages, "from settings"


def test_the_operators_thresholds_change_what_pauses(tmp_path: Path) -> None:
    """3% opt-outs pause a campaign under the defaults, not with ``act: 0.05``."""
    default = campaign_minutes(build_monitor(Settings(home=tmp_path)), 2, 1200, 0.03)
    assert any(a.action is Action.PAUSE_CAMPAIGN for a in default)
    tuned = campaign_minutes(build_monitor(_home(tmp_path, GOOD)), 2, 1200, 0.03)
    assert not any(a.action is Action.PAUSE_CAMPAIGN for a in tuned)
    assert any(a.detector == "opt_out_rate" and a.severity == "warn" for a in tuned)


def test_a_fraud_burst_under_the_raised_count_only_warns(tmp_path: Path) -> None:
    monitor = build_monitor(_home(tmp_path, GOOD))
    events = [Event(EventKind.SCREENED, START, "i", "c1", value=0.95) for _ in range(15)]
    alerts = monitor.observe_many(events, START)
    assert [a.severity for a in alerts if a.detector == "fraud_burst"] == ["warn"]


@pytest.mark.parametrize("text", ["", "# nothing yet\n"])
def test_no_file_or_an_empty_one_means_the_defaults(tmp_path: Path, text: str) -> None:
    rules = SendRulesConfig()
    assert load_monitor_config(tmp_path / "absent.yaml", rules).fraud == FraudConfig()
    (tmp_path / "monitor.yaml").write_text(text)
    assert load_monitor_config(tmp_path / "monitor.yaml", rules).fraud == FraudConfig()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("opt_out: {wran: 0.01}\n", "opt_out.wran: Extra inputs are not permitted"),
        ("opt_out: {warn: 0.05, act: 0.02}\n", "opt_out: need 0 < warn <= act <= 1"),
        ("complaint: {act: 3}\n", "complaint.act: Input should be less than or equal to 1"),
        ("fraud: {warn_count: 30}\n", "fraud: need 1 <= warn_count <= act_count"),
        ("failure: {min_sample: lots}\n", "failure.min_sample: Input should be a valid integer"),
        ("working_hours: {end: 18:00}\n", "working_hours.end: Value error, write the time in"),
        ("working_hours: {days: [Mon, Funday]}\n", "working_hours.days.1: Input should be"),
        ("working_hours: {tz: Mars/Olympus}\n", "working_hours: working hours: unknown time"),
        ("baseline: {history_minutes: 90}\n", "baseline.history_minutes: Input should be less"),
        ("cooldown_minutes: -1\n", "cooldown_minutes: Input should be greater than or equal"),
        ("detectors: {}\n", "detectors: Extra inputs are not permitted"),
        ("- opt_out\n", "expected a mapping of detector sections"),
        ("opt_out: [\n", "is not valid YAML"),
    ],
)
def test_a_bad_file_names_itself_and_the_field(tmp_path: Path, text: str, needle: str) -> None:
    settings = _home(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        build_monitor(settings)
    assert str(settings.effective_monitor_file) in caught.value.message
    assert needle in caught.value.message


def test_the_monitor_file_setting_points_elsewhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "conf" / "watch.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text("fraud: {act_count: 50}\n")
    settings = Settings(home=tmp_path / "home", monitor_file=elsewhere)
    assert build_monitor(settings).config.fraud.act_count == 50


def test_the_documented_example_is_valid_and_spells_out_the_defaults(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[3] / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = doc.split("## Monitor thresholds", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    rules = SendRulesConfig()
    (tmp_path / "monitor.yaml").write_text(example, encoding="utf-8")
    written = load_monitor_config(tmp_path / "monitor.yaml", rules)
    defaults = MonitorConfig(send_rules=rules)
    rates = {"opt_out": opt_out_detector, "complaint": complaint_detector,
             "failure": failure_detector}  # fmt: skip
    for name in MonitorConfig.__dataclass_fields__:
        expected = rates[name]().config if name in rates else getattr(defaults, name)
        assert getattr(written, name) == expected, name
