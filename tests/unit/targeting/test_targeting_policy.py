"""``targeting.yaml``: thresholds only, validated, errors naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsguard.errors import ConfigError
from smsguard.settings import Settings
from smsguard.targeting.exclusions import EXCLUSIONS
from smsguard.targeting.policy import ExclusionPolicy, load_exclusion_policy, policy_for


def test_a_missing_or_empty_file_means_the_documented_defaults(tmp_path: Path) -> None:
    assert load_exclusion_policy(tmp_path / "none.yaml") == ExclusionPolicy()
    (tmp_path / "empty.yaml").write_text("")
    policy = load_exclusion_policy(tmp_path / "empty.yaml", timezone="UTC")
    assert (policy.max_debt_ratio, policy.complaint_days, policy.declined_days) == (0.5, 180, 90)
    assert policy.timezone == "UTC"


def test_settings_point_at_the_file_and_give_the_zone(tmp_path: Path) -> None:
    (tmp_path / "targeting.yaml").write_text("max_debt_ratio: 0.4\ncomplaint_days: 30\n")
    policy = policy_for(Settings(home=tmp_path, timezone="Asia/Urumqi"))
    assert (policy.max_debt_ratio, policy.complaint_days, policy.timezone) == (
        0.4, 30, "Asia/Urumqi"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_debt_ratio: 0\n", "max_debt_ratio: Input should be greater than 0"),
        ("complaint_days: -1\n", "complaint_days: Input should be greater than or equal to 1"),
        ("timezone: Mars/Base\n", "timezone: unknown time zone"),
        ("students: false\n", "students: Extra inputs are not permitted"),
        ("- 1\n", "expected a mapping"),
    ],
)
def test_bad_files_are_refused_naming_file_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "targeting.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as raised:
        load_exclusion_policy(path)
    assert str(path) in raised.value.message


def test_no_exclusion_can_be_switched_off_and_each_has_words_and_a_basis() -> None:
    assert "enabled" not in ExclusionPolicy.model_fields
    assert len({e.id for e in EXCLUSIONS}) == len(EXCLUSIONS) == 10
    for exclusion in EXCLUSIONS:
        zh, en = exclusion.explanation(ExclusionPolicy())
        assert zh and en and "§" in exclusion.basis
        if exclusion.threshold is not None:
            assert exclusion.threshold in ExclusionPolicy.model_fields
            assert "[U]" in exclusion.basis
