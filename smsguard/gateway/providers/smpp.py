"""SMPP 3.4 adapter: one bind_transceiver to a carrier's or aggregator's SMSC, via smpplib.

Threads. The adapter owns one daemon *reader thread* per provider. It connects and binds
(backing off on failure), then reads every PDU of the bind: submit_sm_resp and generic_nack
complete the submit waiting for that sequence number; deliver_sm becomes a DeliveryReport or
an InboundSms handed to the :class:`ProviderEvents` sink *on the reader thread*, and is
acknowledged after the sink returns (ESME_RX_T_APPN if it raised, so the SMSC redelivers);
enquire_link is answered, and sent when the bind is idle. When the bind breaks it rebinds.

:meth:`SmppProvider.submit` runs on the caller's thread (the gateway worker): it waits for a
live bind, writes each part's submit_sm and waits for its response (window 1, so parts go in
order). Writes from both threads are serialised per bind. The sink must therefore be safe to
call from another thread than the worker's, and should be quick: while it runs no PDU is read.

SMPP cannot deduplicate (``idempotent = False``): a submit_sm written but never answered
may have been taken, so it is reported as a permanent, outcome-unknown error rather than
retried, and so is any failure after part 1 of a long message was taken. smpplib's own
logger writes whole PDUs (numbers and text) in hex at DEBUG, so it is held at WARNING here.
"""

from __future__ import annotations

import logging
import random
import re
import select
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from smsguard.errors import ConfigError, ProviderError
from smsguard.gateway.providers import smpp_codec as codec
from smsguard.gateway.providers.base import (
    DeliveryReport,
    InboundSms,
    OutboundSms,
    ProviderEvents,
    Submission,
)
from smsguard.gateway.providers.smpp_link import Link, NoAnswer, NotSent, Sequences
from smsguard.protect.phones import mask_phone, redact_phones

log = logging.getLogger(__name__)
_WIRE_LOGGER = "smsguard.gateway.providers.smpp.wire"
logging.getLogger(_WIRE_LOGGER).setLevel(logging.WARNING)  # its DEBUG lines carry PII
_E164 = re.compile(r"\+[1-9]\d{6,14}")


@dataclass(frozen=True)
class SmppConfig:
    """Where and how to bind; the timeouts are seconds."""

    host: str
    port: int
    system_id: str
    password: str
    system_type: str = ""
    source_addr: str = ""  # used when OutboundSms.sender is None (short code, sender id)
    charset: codec.Charset = "gsm0338"  # what this SMSC means by data_coding 0
    registered_delivery: bool = True  # ask for a receipt of every part
    response_timeout: float = 10.0  # wait for one submit_sm_resp
    bind_timeout: float = 10.0  # how long submit waits for a bind before a transient error
    enquire_link_interval: float = 30.0  # idle time before probing the bind
    reconnect_delay: float = 1.0  # first back-off after a failed bind; doubles
    reconnect_max_delay: float = 60.0
    part_retries: int = 3  # transient refusals of part 2+ retried in place (not resubmitted)
    part_retry_delay: float = 0.5


def _smpplib() -> Any:
    """smpplib, imported only when an SMPP provider is built (an optional dependency)."""
    try:
        import smpplib.client
        import smpplib.smpp
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ConfigError("the SMPP provider needs smpplib: pip install 'smsguard[smpp]'") from exc
    return smpplib


class SmppProvider:
    """A :class:`~smsguard.gateway.providers.base.Provider` over one SMPP transceiver bind.

    Building it starts the reader thread, which binds in the background; ``wait_bound``
    lets a caller (or a test) wait for the first bind. ``close`` unbinds and stops it.
    """

    name = "smpp"
    idempotent = False

    def __init__(self, config: SmppConfig, events: ProviderEvents) -> None:
        self._lib = _smpplib()
        self._config = config
        self._where = f"{config.host}:{config.port}"
        self._events = events
        self._cond = threading.Condition()
        self._link: Link | None = None
        self._closed = threading.Event()
        self._wake = threading.Event()
        self._submit_lock = threading.Lock()
        self._reference = random.randrange(256)
        self._bind_error = "not bound yet"
        self._reassembler = codec.Reassembler()
        self._thread = threading.Thread(
            target=self._run, name=f"smpp-reader-{self._where}", daemon=True
        )
        self._thread.start()

    # -- the worker's side -------------------------------------------------------------

    def wait_bound(self, timeout: float) -> bool:
        """True once a bind is up (within ``timeout`` seconds)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._link is not None, timeout=timeout)

    def submit(self, sms: OutboundSms) -> Submission:
        """Send every part of ``sms`` in order; the first part's SMSC id is the provider id."""
        destination = self._destination(sms)
        with self._submit_lock:
            encoded = self._encode(sms)
            link = self._await_link()
            ids: list[str] = []
            for index, part in enumerate(encoded.parts):
                fields = self._fields(sms, destination, encoded, part)
                ids.append(self._submit_part(link, sms, fields, index, len(encoded.parts), ids))
        log.info("SMPP accepted %s as %s (%d part(s))", sms.message_id, ids[0], len(ids))
        return Submission(sms.message_id, ids[0], segments=len(ids))

    def close(self) -> None:
        """Unbind politely, then stop the reader thread."""
        self._closed.set()
        self._wake.set()
        link = self._link
        if link is not None:
            try:
                link.send(self._lib.smpp.make_pdu("unbind", client=link.client))
            except Exception:  # best effort; the socket is closed next anyway
                log.debug("SMPP unbind not sent", exc_info=True)
            self._thread.join(timeout=2)
            link.kill()
        self._thread.join(timeout=5)

    def _destination(self, sms: OutboundSms) -> str:
        if not _E164.fullmatch(sms.to):
            raise ProviderError(
                f"recipient {mask_phone(sms.to)} of {sms.message_id} is not E.164",
                reason="INVALID_RECIPIENT",
                transient=False,
            )
        return sms.to[1:]

    def _encode(self, sms: OutboundSms) -> codec.EncodedSms:
        try:
            encoded = codec.encode_sms(sms.text, self._reference, self._config.charset)
        except ValueError as exc:
            raise ProviderError(str(exc), reason="TOO_LONG", transient=False) from exc
        if len(encoded.parts) > 1:
            self._reference = (self._reference + 1) % 256
        return encoded

    def _fields(
        self, sms: OutboundSms, destination: str, encoded: codec.EncodedSms, part: bytes
    ) -> dict[str, Any]:
        """submit_sm fields; alphanumeric senders go as TON 5, numbers as international."""
        sender = sms.sender or self._config.source_addr
        alnum = any(c.isalpha() for c in sender)
        return {
            "source_addr_ton": 5 if alnum else 1,
            "source_addr_npi": 0 if alnum else 1,
            "source_addr": sender,
            "dest_addr_ton": 1,
            "dest_addr_npi": 1,
            "destination_addr": destination,
            "esm_class": encoded.esm_class,
            "data_coding": encoded.data_coding,
            "registered_delivery": 1 if self._config.registered_delivery else 0,
            "short_message": part,
        }

    def _await_link(self) -> Link:
        with self._cond:
            if self._link is None:
                self._wake.set()  # cut a reconnect back-off short: someone is waiting
            self._cond.wait_for(
                lambda: self._link is not None or self._closed.is_set(),
                timeout=self._config.bind_timeout,
            )
            link = self._link
        if link is None or self._closed.is_set():
            raise ProviderError(
                f"SMPP not bound to {self._config.host}:{self._config.port} ({self._bind_error})",
                reason="SMPP_NOT_BOUND",
                transient=True,
            )
        return link

    def _submit_part(
        self,
        link: Link,
        sms: OutboundSms,
        fields: dict[str, Any],
        index: int,
        total: int,
        accepted: list[str],
    ) -> str:
        """One part's message id; later parts retry transient refusals in place."""
        attempts = 1 if index == 0 else 1 + self._config.part_retries
        for attempt in range(attempts):
            try:
                status, message_id = self._exchange(link, fields)
            except (NotSent, NoAnswer) as exc:
                raise codec.lost_error(
                    sms.message_id, str(exc), isinstance(exc, NoAnswer), index, total, accepted
                ) from exc
            if status == 0:
                return message_id
            if index == 0 or not codec.is_transient(status) or attempt == attempts - 1:
                raise codec.refusal_error(sms.message_id, status, index, total)
            self._closed.wait(self._config.part_retry_delay * 2**attempt)
        raise AssertionError("unreachable")

    def _exchange(self, link: Link, fields: dict[str, Any]) -> tuple[int, str]:
        pdu = self._lib.smpp.make_pdu("submit_sm", client=link.client, **fields)
        waiter = link.request(pdu)
        if not waiter.done.wait(self._config.response_timeout):
            link.forget(pdu.sequence)
            raise NoAnswer(f"no submit_sm_resp within {self._config.response_timeout}s")
        if waiter.status is None:
            raise NoAnswer("the bind broke before submit_sm_resp")
        return waiter.status, waiter.message_id

    # -- the reader thread ---------------------------------------------------------------

    def _run(self) -> None:
        """Bind, read until the bind breaks, rebind; until ``close``."""
        delay = self._config.reconnect_delay
        while not self._closed.is_set():
            try:
                link = self._open()
            except Exception as exc:  # any bind failure means "try again later"
                self._bind_error = _describe(exc)
                log.warning(
                    "SMPP bind to %s failed: %s; retry in %.1fs",
                    self._where,
                    self._bind_error,
                    delay,
                )
                self._backoff(delay)
                delay = min(delay * 2, self._config.reconnect_max_delay)
                continue
            delay = self._config.reconnect_delay
            self._serve(link)
            if not self._closed.is_set():
                self._backoff(delay)

    def _backoff(self, delay: float) -> None:
        self._wake.wait(delay)
        self._wake.clear()

    def _open(self) -> Link:
        cfg = self._config
        client = self._lib.client.Client(
            cfg.host,
            cfg.port,
            timeout=cfg.response_timeout,
            sequence_generator=Sequences(),
            logger_name=_WIRE_LOGGER,
            allow_unknown_opt_params=True,
        )
        client.connect()
        try:
            client.bind_transceiver(
                system_id=cfg.system_id, password=cfg.password, system_type=cfg.system_type
            )
        except Exception:
            client.disconnect()
            raise
        log.info("SMPP bound to %s as %s", self._where, cfg.system_id)
        return Link(client)

    def _serve(self, link: Link) -> None:
        """Publish the bind, read it until it breaks, then withdraw it."""
        with self._cond:
            self._link = link
            self._cond.notify_all()
        try:
            self._read_loop(link)
        except Exception as exc:  # any read failure ends this bind
            if not self._closed.is_set():
                log.warning("SMPP bind to %s lost: %s", self._where, _describe(exc))
        finally:
            with self._cond:
                self._link = None
            link.kill()

    def _read_loop(self, link: Link) -> None:
        # smpplib has no public accessor for its socket; select() needs it to idle-probe.
        sock = link.client._socket
        while not self._closed.is_set():
            readable, _, _ = select.select([sock], [], [], self._config.enquire_link_interval)
            if not readable:
                if link.probing:
                    raise ConnectionError("enquire_link unanswered")
                link.probing = True
                link.send(self._lib.smpp.make_pdu("enquire_link", client=link.client))
                continue
            pdu = link.client.read_pdu()
            link.probing = False
            if not self._dispatch(link, pdu):
                return

    def _dispatch(self, link: Link, pdu: Any) -> bool:
        """Act on one PDU; False when the SMSC ended the bind."""
        command = pdu.command
        if command in ("submit_sm_resp", "generic_nack"):
            message_id = codec.as_text(getattr(pdu, "message_id", None))
            link.resolve(pdu.sequence, int(pdu.status), message_id)
        elif command == "deliver_sm":
            self._respond(link, pdu, "deliver_sm_resp", self._on_deliver(pdu))
        elif command == "enquire_link":
            self._respond(link, pdu, "enquire_link_resp", 0)
        elif command == "unbind":
            self._respond(link, pdu, "unbind_resp", 0)
            return False
        elif command == "unbind_resp":
            return False
        elif command != "enquire_link_resp":
            log.info("SMPP ignored %s", command)
        return True

    def _respond(self, link: Link, pdu: Any, command: str, status: int) -> None:
        resp = self._lib.smpp.make_pdu(command, client=link.client, status=status)
        resp.sequence = pdu.sequence
        link.send(resp)

    def _on_deliver(self, pdu: Any) -> int:
        """Hand a deliver_sm to the sink; the status to acknowledge it with."""
        now = datetime.now(UTC)
        try:
            event = codec.deliver_event(pdu, self._reassembler, self._config.charset, now)
            if isinstance(event, DeliveryReport):
                self._events.delivery_report(event)
            elif isinstance(event, InboundSms):
                self._events.inbound(event)
        except Exception as exc:  # the SMSC must hear "retry", not lose it
            log.error(
                "SMPP deliver_sm not handled (%s: %s); SMSC asked to redeliver",
                type(exc).__name__,
                redact_phones(str(exc)),
            )
            return 0x64  # ESME_RX_T_APPN
        return 0


def _describe(exc: Exception) -> str:
    """An smpplib failure in words: the SMPP status name when there is one."""
    args: tuple[object, ...] = exc.args
    if len(args) > 1 and isinstance(args[1], int):
        return codec.status_name(args[1])
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
