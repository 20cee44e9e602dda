"""The demo system as ``make serve`` runs it: ``smsguard demo`` in a home, then ``smsguard
serve`` as a real process on a free port (used by tests/integration and tests/browser)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START_TIMEOUT = 90.0  # the first start compiles the rulebook and loads the model


def environ(home: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMSGUARD_")}
    # A loaded test machine must not make the service shed the tests' own requests.
    return {**clean, "SMSGUARD_HOME": str(home), "SMSGUARD_API_QUEUE_SECONDS": "30"}


def smsguard(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smsguard", *args], capture_output=True,
                          text=True, env=environ(home), input=stdin, check=False)  # fmt: skip


def ok(home: Path, *args: str, stdin: str | None = None) -> str:
    result = smsguard(home, *args, stdin=stdin)
    assert result.returncode == 0, f"{args}: {result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Service:
    """A running ``smsguard serve``."""

    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT/ (with the slash)

    def get(self, path: str) -> tuple[int, bytes]:
        return request(self.url + path.lstrip("/"))

    def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        return request(self.url + path.lstrip("/"), data, headers)

    def stop(self, timeout: float = 60.0) -> tuple[int, str, str]:
        """SIGTERM, then (exit code, stdout, stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise AssertionError(f"smsguard serve ignored SIGTERM for {timeout} s") from None
        return self.process.returncode, out, err


def request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def start(home: Path, *extra: str) -> Service:
    """Start ``smsguard serve`` on a free port and wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "smsguard", "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ(home),
    )  # fmt: skip
    service = Service(process, f"http://127.0.0.1:{port}/")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            code, out, err = service.stop()
            raise AssertionError(f"smsguard serve exited {code}: {out}\n{err}")
        try:
            if service.get("api/v1/openapi.json")[0] == 200:
                return service
        except OSError:
            pass
        time.sleep(0.3)
    code, out, err = service.stop()
    raise AssertionError(f"smsguard serve did not answer within {START_TIMEOUT} s: {err}")


@contextmanager
def running(home: Path, *extra: str) -> Iterator[Service]:
    service = start(home, *extra)
    try:
        yield service
    finally:
        if service.process.poll() is None:
            service.stop()
