"""What every detector shares: the state it may read, the approved plans, the protocol.

Detectors are plain objects with a ``name``, the event ``kinds`` that can change their answer
(the engine runs a detector only for those, which is what keeps throughput high), and
``check(event, now, second, ctx)`` returning an :class:`Alert` or ``None``. ``now`` is the
caller's instant and ``second`` its integer epoch second; nothing here reads a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from smsguard.errors import ConfigError
from smsguard.monitor.alerts import Alert
from smsguard.monitor.events import Event, EventKind, Scope
from smsguard.monitor.windows import Window, Windows

# The placeholder grammar of smsguard.governance.variables: {label} or {label:type}.
_PLACEHOLDER = re.compile(r"\{[a-z][a-z0-9_]{0,31}(?::[a-z_]+)?\}")
MAX_VALUE_CHARS = 64


@dataclass(frozen=True)
class CampaignPlan:
    """What a compliance officer approved for a campaign, as the monitor needs it.

    ``approved_messages`` is the approved volume; ``max_per_minute`` the approved sending
    rate (``None``: not limited); ``template_body`` the approved wording with placeholders
    (``None``: no wording cross-check).
    """

    approved_messages: int
    max_per_minute: int | None = None
    template_body: str | None = None
    pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.approved_messages < 0:
            raise ConfigError(f"approved_messages must be >= 0, got {self.approved_messages}")
        if self.max_per_minute is not None and self.max_per_minute < 1:
            raise ConfigError(f"max_per_minute must be >= 1, got {self.max_per_minute}")
        pattern = None if self.template_body is None else template_pattern(self.template_body)
        object.__setattr__(self, "pattern", pattern)


def template_pattern(body: str) -> re.Pattern[str]:
    """A regex matching exactly the texts ``body`` can render to.

    Fixed wording must match character for character; each placeholder matches 1 to 64
    characters without a line break (typed values are short: a name, an amount, a date).
    """
    parts: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(body):
        parts.append(re.escape(body[last : match.start()]))
        parts.append(f"[^\\n]{{1,{MAX_VALUE_CHARS}}}?")
        last = match.end()
    parts.append(re.escape(body[last:]))
    return re.compile("".join(parts))


@dataclass(slots=True)
class Context:
    """The engine's state that detectors read: windows, approved plans, lifetime sends."""

    windows: Windows = field(default_factory=Windows)
    plans: dict[str, CampaignPlan] = field(default_factory=dict)
    sent_total: dict[str, int] = field(default_factory=dict)

    def total(
        self, scope: Scope, key: str, kinds: tuple[EventKind, ...], window: Window, second: int
    ) -> int:
        """Sum of ``kinds`` under ``(scope, key)`` in ``window`` as of ``second``."""
        count = self.windows.count
        return sum(count((scope, key, kind), window, second) for kind in kinds)


class Detector(Protocol):
    """One named check over the events of some kinds."""

    @property
    def name(self) -> str: ...

    @property
    def kinds(self) -> frozenset[EventKind]: ...

    def check(self, event: Event, now: datetime, second: int, ctx: Context) -> Alert | None:
        """An alert when ``event`` (already counted) makes something wrong, else ``None``."""
        ...


def require(condition: bool, message: str) -> None:
    """Raise :class:`ConfigError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ConfigError(message)


WINDOW_WORDS = {
    Window.MINUTE: "the last minute",
    Window.HOUR: "the last hour",
    Window.DAY: "the last 24 hours",
}
