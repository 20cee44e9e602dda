"""Operators set the sending window and the cap; the composition root builds the rules."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from smsguard.bootstrap import build_send_rules
from smsguard.errors import ConfigError, InputError
from smsguard.settings import Settings, load_settings


def test_defaults_are_eight_to_eight_in_shanghai_one_a_day() -> None:
    rules = build_send_rules(Settings())
    assert (rules.quiet.start, rules.quiet.end, rules.quiet.tz) == (
        time(8),
        time(20),
        "Asia/Shanghai",
    )
    assert rules.cap.max_messages == 1 and rules.cap.window.total_seconds() == 86_400


def test_environment_moves_the_window() -> None:
    settings = load_settings(
        environ={"SMSGUARD_QUIET_HOURS_START": "09:30", "SMSGUARD_QUIET_HOURS_END": "18:00"}
    )
    rules = build_send_rules(settings)
    late = datetime(2026, 11, 30, 18, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert rules.quiet.next_allowed(late).time() == time(9, 30)


def test_bad_values_name_the_setting() -> None:
    with pytest.raises(ConfigError, match="quiet_hours_start"):
        load_settings(environ={"SMSGUARD_QUIET_HOURS_START": "25:00"})
    with pytest.raises(InputError, match=r"(?i)tz|zone"):
        build_send_rules(Settings(timezone="Mars/Olympus"))
