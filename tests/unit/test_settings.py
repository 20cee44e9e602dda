from __future__ import annotations

from pathlib import Path

import pytest

from smsguard.errors import ConfigError
from smsguard.settings import Settings, load_settings


def test_defaults_keep_state_under_home() -> None:
    settings = load_settings(environ={})
    assert settings.home == Path(".smsguard")
    assert settings.effective_database_url.endswith(".smsguard/smsguard.db")


def test_environment_overrides_file(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text("rate_review_percent: 20\nlpr_1y_percent: 3.1\n", encoding="utf-8")
    env = {"SMSGUARD_CONFIG": str(config), "SMSGUARD_LPR_1Y_PERCENT": "3.45"}
    settings = load_settings(environ=env)
    assert settings.rate_review_percent == 20
    assert settings.lpr_1y_percent == pytest.approx(3.45)


def test_home_settings_file_is_found(tmp_path: Path) -> None:
    (tmp_path / "settings.yaml").write_text("workers: 3\n", encoding="utf-8")
    settings = load_settings(environ={"SMSGUARD_HOME": str(tmp_path)})
    assert settings.workers == 3
    assert settings.home == tmp_path


def test_two_homes_do_not_share_a_database(tmp_path: Path) -> None:
    first = load_settings(environ={"SMSGUARD_HOME": str(tmp_path / "a")})
    second = load_settings(environ={"SMSGUARD_HOME": str(tmp_path / "b")})
    assert first.effective_database_url != second.effective_database_url


def test_database_url_points_elsewhere() -> None:
    settings = load_settings(environ={"SMSGUARD_DATABASE_URL": "postgresql://db/x"})
    assert settings.effective_database_url == "postgresql://db/x"


def test_overrides_win_over_environment() -> None:
    settings = load_settings(environ={"SMSGUARD_WORKERS": "2"}, overrides={"workers": 5})
    assert settings.workers == 5


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"SMSGUARD_WORKERS": "many"}, "workers"),
        ({"SMSGUARD_NO_SUCH_THING": "1"}, "SMSGUARD_NO_SUCH_THING"),
        ({"SMSGUARD_RATE_BLOCK_PERCENT": "-1"}, "rate_block_percent"),
    ],
)
def test_bad_environment_names_the_setting(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_settings(environ=env)


@pytest.mark.parametrize(
    ("content", "needle"),
    [("colour: blue\n", "unknown setting"), ("- a\n- b\n", "mapping"), ("a: [\n", "YAML")],
)
def test_bad_settings_file(tmp_path: Path, content: str, needle: str) -> None:
    config = tmp_path / "s.yaml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle):
        load_settings(config_file=config, environ={})


def test_missing_settings_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(config_file=tmp_path / "nope.yaml", environ={})


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.workers = 4  # type: ignore[misc]


def test_the_debug_switch_is_not_mistaken_for_a_setting() -> None:
    from smsguard.settings import load_settings

    settings = load_settings(environ={"SMSGUARD_DEBUG": "1"})
    assert settings.home.name == ".smsguard"
