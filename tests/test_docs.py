"""The docs stay true: every setting is documented and the rule catalogue is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from smsguard.settings import Settings

ROOT = Path(__file__).parents[1]


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name}`" in doc, name
        assert f"SMSGUARD_{name.upper()}" in doc, name


def test_rule_catalogue_is_current() -> None:
    script = ROOT / "scripts" / "gen_rule_catalogue.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make serve" in readme and "make test" in readme
