"""The feed commands, attached to a stand-in intel group with a fake source and sink."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from intel_stix_samples import every_kind

from smsguard.cli._context import CliState
from smsguard.cli.intel_feed import register
from smsguard.errors import FeedError
from smsguard.intel.model import Indicator


@pytest.fixture
def taken() -> list[tuple[str, list[Indicator], str]]:
    return []


@pytest.fixture
def group(taken: list[tuple[str, list[Indicator], str]]) -> click.Group:
    @click.group()
    def intel() -> None:
        """Stand-in for the intel group."""

    def source(state: CliState, code: str, since: datetime | None) -> list[Indicator]:
        assert since is None or since.tzinfo is not None
        return [i for i in every_kind() if i.source == code]

    def sink(state: CliState, code: str, items: list[Indicator], producer: str) -> int:
        taken.append((code, items, producer))
        return len(items)

    register(intel, source, sink)
    return intel


def _run(group: click.Group, home: Path, *args: str) -> click.testing.Result:
    return CliRunner().invoke(group, list(args), obj=CliState(home=home))


def test_export_then_import_between_two_homes(
    group: click.Group, tmp_path: Path, taken: list[tuple[str, list[Indicator], str]]
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    init = _run(group, a, "feed-key", "init", "--institution", "haojie")
    assert init.exit_code == 0, init.output
    vkey = init.output.rsplit(": ", 1)[1].strip()
    assert _run(group, b, "peer", "add", "haojie", vkey).exit_code == 0
    assert "haojie" in _run(group, b, "peer", "list").output

    out = tmp_path / "feed.json"
    done = _run(group, a, "export", "--format", "stix", str(out), "--institution", "haojie",
                "--since", "2026-11-01T00:00:00+08:00")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "feed #1" in done.output

    got = _run(group, b, "import", str(out), "--institution", "zhongyuan", "--max-age-days", "3650")
    assert got.exit_code == 0, got.output
    assert taken == [("zhongyuan", every_kind(), "haojie")]

    again = _run(
        group, b, "import", str(out), "--institution", "zhongyuan", "--max-age-days", "3650"
    )
    assert isinstance(again.exception, FeedError) and again.exception.reason == "replayed"

    second = _run(group, a, "export", str(out), "--institution", "haojie")
    assert "feed #2" in second.output


def test_import_from_an_untrusted_home_is_refused(group: click.Group, tmp_path: Path) -> None:
    a = tmp_path / "a"
    _run(group, a, "feed-key", "init", "--institution", "haojie")
    out = tmp_path / "feed.json"
    _run(group, a, "export", str(out), "--institution", "haojie")
    got = _run(group, tmp_path / "b", "import", str(out), "--institution", "zhongyuan")
    assert isinstance(got.exception, FeedError) and got.exception.reason == "unknown-producer"


def test_export_needs_the_feed_key(group: click.Group, tmp_path: Path) -> None:
    got = _run(group, tmp_path, "export", str(tmp_path / "f.json"), "--institution", "haojie")
    assert got.exit_code != 0 and "feed-key init" in got.exception.hint  # type: ignore[union-attr]
