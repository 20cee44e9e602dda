"""Start a real Kannel (bearerbox + smsbox) on free ports, wait until it works, always stop it.

The configuration is ``kannel.conf.in`` filled in for this run and written, with the logs,
into a temporary directory. Under root the daemons run as ``nobody`` (a test has no reason to
run a network daemon as root) and the directory is handed to that user. Readiness means what
a test needs: the admin status page shows the carrier SMSC online and an smsbox connected,
and smsbox's sendsms port accepts connections. ``stop`` kills both process groups whatever
state they are in, so a failing test never leaves a Kannel behind.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Template
from typing import Any

from smsguard.gateway.callback_server import CallbackServer
from smsguard.gateway.providers.base import DeliveryReport, InboundSms, ProviderEvents
from smsguard.gateway.providers.kannel import KannelSettings, mo_get_url

from .carrier import SHORT_CODE, ReceivedMt, TestCarrier, wait_until

TEMPLATE = Path(__file__).with_name("kannel.conf.in")
BINARIES = ("bearerbox", "smsbox")
_UNPRIVILEGED = "nobody"
_SMSC_ONLINE = re.compile(r"carrier\[carrier\].*\(online ")


class KannelUnavailable(RuntimeError):
    """bearerbox or smsbox is not installed."""


def missing_binaries() -> list[str]:
    """The Kannel programs not found on PATH (or in /usr/sbin, where Debian puts them)."""
    return [name for name in BINARIES if _which(name) is None]


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class KannelConfig:
    """Everything that varies between runs; the rest is in the template."""

    carrier_url: str
    mo_url: str
    sendsms_username: str = "smsguard"
    sendsms_password: str = "s3cret-sendsms"
    carrier_username: str = "carrier"
    carrier_password: str = "s3cret-carrier"
    admin_password: str = "s3cret-admin"
    log_level: int = 1
    ports: dict[str, int] = field(
        default_factory=lambda: {
            name: free_port() for name in ("admin", "smsbox", "smsc", "sendsms")
        }
    )

    def render(self, workdir: Path) -> str:
        return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
            workdir=workdir,
            carrier_url=self.carrier_url,
            mo_url=self.mo_url,
            sendsms_username=self.sendsms_username,
            sendsms_password=self.sendsms_password,
            carrier_username=self.carrier_username,
            carrier_password=self.carrier_password,
            admin_password=self.admin_password,
            log_level=self.log_level,
            **{f"{name}_port": port for name, port in self.ports.items()},
        )


class Kannel:
    """A running bearerbox and smsbox; ``sendsms_url`` is what KannelProvider talks to."""

    def __init__(self, config: KannelConfig) -> None:
        if missing := missing_binaries():
            raise KannelUnavailable(f"Kannel programs not installed: {', '.join(missing)}")
        self.config = config
        self.workdir = Path(tempfile.mkdtemp(prefix="smsguard-kannel-"))
        self.conf_path = self.workdir / "kannel.conf"
        self._processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.config.ports['sendsms']}/cgi-bin/sendsms"

    @property
    def smsc_url(self) -> str:
        """The generic HTTP SMSC's listener, where the carrier delivers MOs and DLRs."""
        return f"http://127.0.0.1:{self.config.ports['smsc']}/"

    @property
    def status_url(self) -> str:
        password = self.config.admin_password
        return f"http://127.0.0.1:{self.config.ports['admin']}/status.txt?password={password}"

    def start(self, timeout: float = 15.0) -> None:
        """Write the config, start both boxes and wait until messages can flow."""
        self.conf_path.write_text(self.config.render(self.workdir), encoding="utf-8")
        self._hand_to_daemon_user()
        try:
            self._spawn("bearerbox")
            wait_until(self._bearerbox_listening, timeout, "bearerbox's admin port")
            self._spawn("smsbox")
            wait_until(self._ready, timeout, "Kannel readiness (SMSC online, smsbox connected)")
        except Exception as exc:
            self.stop()
            raise AssertionError(f"Kannel did not start: {exc}\n{self.logs()}") from exc
        except BaseException:
            self.stop()
            raise

    def sendsms_open(self) -> bool:
        """True while smsbox accepts connections on its sendsms port."""
        return _accepts(self.config.ports["sendsms"])

    def stop_process(self, name: str) -> None:
        """Kill one box (its whole process group) and wait for it to go."""
        process = self._processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait(timeout=10)

    def stop(self) -> None:
        """Kill both boxes; safe to call twice and after a failed start."""
        for name in ("smsbox", "bearerbox"):
            self.stop_process(name)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def logs(self) -> str:
        """The tail of every log, for failure messages."""
        parts = []
        for path in sorted(self.workdir.glob("*.log")) + sorted(self.workdir.glob("*.stdout")):
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
            parts.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(parts)

    def status(self) -> str:
        """bearerbox's plain-text status page ('' when it does not answer)."""
        try:
            with urllib.request.urlopen(self.status_url, timeout=2) as response:
                body: bytes = response.read()
                return body.decode("utf-8", "replace")
        except (OSError, urllib.error.URLError):
            return ""

    def _spawn(self, name: str) -> None:
        argv = [_which(name) or name, str(self.conf_path)]
        user, group = _daemon_user()
        log = (self.workdir / f"{name}.stdout").open("wb")
        self._processes[name] = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.workdir,
            start_new_session=True,
            user=user,
            group=group,
        )
        log.close()

    def _bearerbox_listening(self) -> bool | None:
        self._check_alive()
        return True if self.status() else None

    def _ready(self) -> bool | None:
        self._check_alive()
        status = self.status()
        smsc_online = _SMSC_ONLINE.search(status) is not None
        smsbox_connected = "smsbox:" in status and "on-line" in status
        if smsc_online and smsbox_connected and self.sendsms_open():
            return True
        return None

    def _check_alive(self) -> None:
        for name, process in self._processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}")

    def _hand_to_daemon_user(self) -> None:
        if os.geteuid() != 0:
            return
        entry = pwd.getpwnam(_UNPRIVILEGED)
        for path in (self.workdir, self.conf_path):
            os.chown(path, entry.pw_uid, entry.pw_gid)


def _daemon_user() -> tuple[str | None, str | None]:
    """(user, group) that drop root to ``nobody``; (None, None) keeps a non-root user."""
    if os.geteuid() != 0:
        return None, None
    try:
        group = grp.getgrnam("nogroup").gr_name
    except KeyError:
        group = _UNPRIVILEGED
    return _UNPRIVILEGED, group


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class RecordingEvents:
    """A ProviderEvents sink that keeps every event and can pass it on to a real one.

    Tests read ``reports`` and ``inbound_messages``; a test of the whole pipeline sets
    ``forward_to`` to the gateway's sink so callbacks reach it as they would in production.
    """

    def __init__(self) -> None:
        self.forward_to: ProviderEvents | None = None
        self._lock = threading.Lock()
        self._reports: list[DeliveryReport] = []
        self._inbound: list[InboundSms] = []

    def delivery_report(self, report: DeliveryReport) -> None:
        with self._lock:
            self._reports.append(report)
        if self.forward_to is not None:
            self.forward_to.delivery_report(report)

    def inbound(self, sms: InboundSms) -> None:
        with self._lock:
            self._inbound.append(sms)
        if self.forward_to is not None:
            self.forward_to.inbound(sms)

    def reports(self) -> list[DeliveryReport]:
        with self._lock:
            return list(self._reports)

    def inbound_messages(self) -> list[InboundSms]:
        with self._lock:
            return list(self._inbound)

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()
            self._inbound.clear()
        self.forward_to = None

    def wait_for_report(self, message_id: str, timeout: float = 10.0) -> DeliveryReport:
        return wait_until(
            lambda: next((r for r in self.reports() if r.message_id == message_id), None),
            timeout,
            f"a delivery report for {message_id}",
        )

    def wait_for_inbound(self, count: int, timeout: float = 10.0) -> list[InboundSms]:
        return wait_until(
            lambda: got if len(got := self.inbound_messages()) >= count else None,
            timeout,
            f"{count} inbound message(s)",
        )


@dataclass
class KannelStack:
    """Carrier ⇄ Kannel ⇄ callback server, running; what a test of sending needs."""

    carrier: TestCarrier
    kannel: Kannel
    callbacks: CallbackServer
    events: RecordingEvents

    @property
    def sendsms_url(self) -> str:
        return self.kannel.sendsms_url

    @property
    def username(self) -> str:
        return self.kannel.config.sendsms_username

    @property
    def password(self) -> str:
        return self.kannel.config.sendsms_password

    @property
    def callback_url(self) -> str:
        """Base URL of the callback server: KannelSettings.callback_base_url."""
        return self.callbacks.url

    def provider_settings(self, **overrides: Any) -> KannelSettings:
        """KannelSettings for this Kannel; keyword arguments replace single fields."""
        settings = KannelSettings(
            sendsms_url=self.sendsms_url,
            username=self.username,
            password=self.password,
            callback_base_url=self.callback_url,
            default_sender=SHORT_CODE,
        )
        return replace(settings, **overrides)

    def received(self) -> list[ReceivedMt]:
        return self.carrier.received()

    def inject_mo(self, sender: str, text: str, **options: Any) -> str:
        return self.carrier.inject_mo(sender, text, **options)

    def inject_dlr(self, carrier_id: str, dlr_type: int, text: str = "") -> str:
        """Report on ``carrier_id``; retried while Kannel has not yet stored the message's
        DLR entry (it does so only after the carrier's answer to the MT reached it)."""

        def accepted() -> str | None:
            answer = self.carrier.inject_dlr(carrier_id, dlr_type, text)
            return None if answer.startswith("Unknown DLR") else answer

        return wait_until(accepted, 5, f"Kannel to know the DLR of {carrier_id}")

    def reset(self) -> None:
        """Forget what earlier tests sent and received."""
        self.carrier.clear()
        self.events.clear()


@contextmanager
def running_stack() -> Iterator[KannelStack]:
    """Start carrier, callback server and Kannel; stop all three however the block ends."""
    events = RecordingEvents()
    carrier = TestCarrier(username="carrier", password="s3cret-carrier")
    callbacks = CallbackServer(events)
    kannel: Kannel | None = None
    carrier.start()
    callbacks.start()
    try:
        config = KannelConfig(carrier_url=carrier.send_url_base, mo_url=mo_get_url(callbacks.url))
        config.carrier_username, config.carrier_password = carrier.username, carrier.password
        kannel = Kannel(config)
        carrier.smsc_url = kannel.smsc_url
        kannel.start()
        yield KannelStack(carrier, kannel, callbacks, events)
    finally:
        if kannel is not None:
            kannel.cleanup()
        callbacks.stop()
        carrier.stop()
