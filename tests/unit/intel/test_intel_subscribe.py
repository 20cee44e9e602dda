"""The subscriptions file, the poller's error handling and ``smsguard intel subscribe``."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from smsguard.cli import intel_subscribe
from smsguard.cli._context import CliState
from smsguard.errors import ConfigError
from smsguard.intel.lifecycle import IntelContext
from smsguard.intel.subscribe import (
    Poller,
    Subscription,
    add_subscription,
    load_subscriptions,
    remove_subscription,
)
from smsguard.settings import Settings
from smsguard.store import Database


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_subscriptions_round_trip_with_paths_relative_to_the_home(tmp_path: Path) -> None:
    token = tmp_path / "keys" / "a.token"
    token.parent.mkdir()
    token.write_text("sgk_x\n")
    add_subscription(tmp_path, Subscription("bank-a", "http://127.0.0.1:1/", token, "bank-b"))
    add_subscription(tmp_path, Subscription("bank-a", "http://127.0.0.1:2/", token, "bank-b"))
    found = load_subscriptions(tmp_path)
    assert found == [Subscription("bank-a", "http://127.0.0.1:2/", token, "bank-b")]
    assert "keys/a.token" in (tmp_path / "intel" / "subscriptions.yaml").read_text()
    assert remove_subscription(tmp_path, "bank-b", "bank-a")
    assert load_subscriptions(tmp_path) == []


@pytest.mark.parametrize(
    "text",
    [
        "subscriptions: [{peer: bank-a, url: ftp://x/, api_key_file: k, institution: b}]",
        "subscriptions: [{peer: 'bad code', url: 'http://x/', api_key_file: k, institution: b}]",
        "subscriptions: [{peer: a, url: 'http://x/', api_key_file: k, institution: b, x: 1}]",
        "subscriptions: 3",
    ],
)
def test_a_broken_subscriptions_file_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "intel" / "subscriptions.yaml"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(ConfigError):
        load_subscriptions(tmp_path)


def test_the_poller_logs_failures_and_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = Database.from_url("sqlite://")
    from smsguard.store import upgrade
    from smsguard.store.institutions import add_institution

    upgrade(database)
    add_institution(database, code="bank-b", name="B")
    token = tmp_path / "a.token"
    token.write_text("sgk_x")
    url = f"http://127.0.0.1:{_closed_port()}/"
    add_subscription(tmp_path, Subscription("bank-a", url, token, "bank-b"))
    add_subscription(tmp_path, Subscription("bank-c", url, tmp_path / "missing", "bank-b"))
    add_subscription(tmp_path, Subscription("bank-d", url, token, "nobody"))
    poller = Poller(tmp_path, database, lambda _tenant: IntelContext(), interval=0.01)
    with caplog.at_level(logging.ERROR, logger="smsguard.intel.subscribe"):
        results = poller.round()
    assert set(results) == {"bank-b/bank-a", "bank-b/bank-c", "nobody/bank-d"}
    assert all(isinstance(result, str) for result in results.values())
    assert "unreachable" in str(results["bank-b/bank-a"])
    assert "unreadable" in str(results["bank-b/bank-c"])
    assert len(caplog.records) == 3
    database.dispose()


def test_the_cli_group_adds_lists_and_removes(tmp_path: Path) -> None:
    group = click.Group("intel")
    intel_subscribe.register(group)
    token = tmp_path / "a.token"
    token.write_text("sgk_x")
    state = CliState(home=tmp_path, _settings=Settings(home=tmp_path))
    runner = CliRunner()
    added = runner.invoke(
        group,
        ["subscribe", "add", "bank-a", "http://127.0.0.1:9/", "--api-key-file", str(token),
         "--institution", "bank-b"],
        obj=state,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = runner.invoke(group, ["subscribe", "list"], obj=state)
    assert listed.output.split("\t")[:3] == ["bank-b", "bank-a", "http://127.0.0.1:9/"]
    removed = runner.invoke(group, ["subscribe", "remove", "bank-a", "--institution", "bank-b"],
                            obj=state)  # fmt: skip
    assert removed.exit_code == 0 and load_subscriptions(tmp_path) == []
