"""Settings: one validated table, read from a file and from ``SMSGUARD_*`` variables.

Precedence, lowest first: built-in defaults → the settings file → environment variables →
explicit overrides (command-line flags). The settings file is YAML; it is found at the path
given by ``--config`` or ``SMSGUARD_CONFIG``, else at ``$SMSGUARD_HOME/settings.yaml`` when
that exists. Every piece of local state lives under ``home`` unless ``database_url`` points
elsewhere, so two instances with different homes never share anything.

Environment variables are read here and in the CLI only; the library takes a ``Settings``
value and never looks at the environment itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smsguard._yaml import read_yaml
from smsguard.errors import ConfigError

ENV_PREFIX = "SMSGUARD_"
# Variables that are not settings: CONFIG names the settings file, DATA is where `model eval`
# finds corpora, DEBUG makes the CLI print tracebacks.
_NOT_SETTINGS = frozenset({"CONFIG", "DATA", "DEBUG"})


class Settings(BaseModel):
    """Every setting smsguard reads, with its default and meaning."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path = Field(Path(".smsguard"), description="Folder holding all local state.")
    database_url: str | None = Field(
        None, description="Database URL; default: SQLite file under home."
    )
    rules_paths: tuple[Path, ...] = Field(
        (), description="Extra rule files or folders, layered over the built-in rulebook."
    )
    sender_profile: Path | None = Field(
        None, description="Default sender profile (YAML) used when none is given."
    )
    rate_review_percent: float = Field(
        24.0, gt=0, description="Annualised rate above which a loan SMS needs review."
    )
    rate_block_percent: float = Field(
        36.0, gt=0, description="Annualised rate above which a loan SMS is blocked (usury)."
    )
    lpr_1y_percent: float = Field(
        3.0, gt=0, description="One-year LPR (unconfirmed value; set the current one)."
    )
    lpr_multiple: float = Field(4.0, gt=0, description="Private-lending cap as a multiple of LPR.")
    max_text_length: int = Field(
        65_536, gt=0, description="Longest text screening accepts, in characters."
    )
    workers: int = Field(0, ge=0, description="Processes for bulk scans; 0 means one per core.")
    risk_scoring: bool = Field(
        True, description="Score every SMS with the fraud/spam model and the template index."
    )
    risk_model: Path | None = Field(
        None, description="Model file from `smsguard model train`; default: the shipped model."
    )
    fingerprint_index: Path | None = Field(
        None,
        description="Operator's fraud-template index; default: fingerprints/index.sgfp under home.",
    )
    master_key_file: Path | None = Field(
        None,
        description="Key file of master keys wrapping data keys; default: keys/master.keys.",
    )
    quiet_hours_start: time = Field(
        time(8, 0), description="Marketing may be sent from this local time (inclusive)."
    )
    quiet_hours_end: time = Field(
        time(20, 0), description="… until this local time (exclusive); unconfirmed by statute."
    )
    timezone: str = Field("Asia/Shanghai", description="Time zone of the sending window.")
    frequency_cap_messages: int = Field(
        1, ge=1, description="Most marketing SMS per customer per institution per window."
    )
    frequency_cap_hours: float = Field(24.0, gt=0, description="Length of that window, hours.")
    index_key_file: Path | None = Field(
        None,
        description="Key file of the blind-index key for phone look-ups; default: keys/index.keys.",
    )
    sms_provider: Literal["simulated", "kannel", "smpp", "aliyun"] = Field(
        "simulated", description="Where the gateway hands messages over."
    )
    transparency_log: bool = Field(
        True, description="Write every handed-over SMS to the institution's transparency log."
    )
    log_storage: Literal["directory", "database"] = Field(
        "directory", description="Where transparency-log tiles live: home folder or database."
    )
    alert_webhooks: tuple[str, ...] = Field(
        (), description="URLs that receive every monitor alert as a signed JSON POST."
    )
    alert_webhook_secret_file: Path | None = Field(
        None, description="Shared secret signing those POSTs; default: keys/webhook.secret."
    )
    monitor_file: Path | None = Field(
        None, description="YAML thresholds of the monitor's detectors; default: monitor.yaml."
    )
    targeting_file: Path | None = Field(
        None, description="YAML thresholds of the mandatory exclusions; default: targeting.yaml."
    )
    sms_provider_file: Path | None = Field(
        None, description="YAML options of that provider; default: provider.yaml under home."
    )
    # Shared fraud indicators (docs/intel.md).
    consortium_key_file: Path | None = Field(
        None,
        description="Key file of the consortium's monthly phone-hash keys; default: "
        "keys/consortium.keys.",
    )
    intel_screening: bool = Field(
        True, description="Screen against the shared fraud indicators held in the database."
    )
    intel_institution: str | None = Field(
        None,
        description="Code of the institution whose indicators screening uses; default: the "
        "only institution in the database.",
    )
    intel_refresh_seconds: float = Field(
        30.0, gt=0, le=3600, description="How often screening looks for changed indicators."
    )
    intel_poll_seconds: float = Field(
        30.0, gt=0, le=86400, description="How often `smsguard serve` polls subscribed peers."
    )
    # The HTTP service (docs/api.md).
    session_hours: float = Field(
        8.0, gt=0, le=24 * 30, description="Lifetime of a dashboard login session, hours."
    )
    secure_cookies: bool = Field(
        False, description="Mark the session cookie Secure; set it whenever TLS fronts the service."
    )
    public_requests_per_minute: int = Field(
        30, ge=1, description="Per client address on the public verify and report endpoints."
    )
    login_attempts_per_minute: int = Field(
        10, ge=1, description="Per client address on the login endpoints."
    )
    screen_texts_per_minute: int = Field(
        60_000,
        ge=0,
        description="Per API key or login on /screen and /screen/batch, in "
        "texts (a batch counts each); 0: no quota.",
    )
    api_processes: int = Field(
        1,
        ge=1,
        description="API processes sharing the per-client limits; each enforces its "
        "share. `smsguard serve --workers N` sets it.",
    )
    api_max_in_flight: int = Field(
        64, ge=1, description="Requests one API process works on at once; more wait, then 503."
    )
    api_queue_seconds: float = Field(
        0.5,
        gt=0,
        le=60,
        description="Longest a request may wait for a free slot or a busy "
        "process before it is refused with 503 instead of being answered late.",
    )

    @property
    def effective_fingerprint_index(self) -> Path:
        """The operator's fraud-template index, used on top of the shipped seed."""
        return self.fingerprint_index or self.home / "fingerprints" / "index.sgfp"

    @property
    def effective_master_key_file(self) -> Path:
        """Where the master keys live; a path only, the key material never enters settings."""
        return self.master_key_file or self.home / "keys" / "master.keys"

    @property
    def effective_index_key_file(self) -> Path:
        """Where the blind-index key lives; kept apart from the master keys (see protection)."""
        return self.index_key_file or self.home / "keys" / "index.keys"

    @property
    def effective_consortium_key_file(self) -> Path:
        """Where the consortium's phone-hash keys live (docs/intel.md)."""
        return self.consortium_key_file or self.home / "keys" / "consortium.keys"

    @property
    def effective_provider_file(self) -> Path:
        """Options of the configured SMS provider (addresses, accounts, simulation rates)."""
        return self.sms_provider_file or self.home / "provider.yaml"

    @property
    def effective_monitor_file(self) -> Path:
        """The detectors' thresholds (docs/monitoring.md); a missing file means the defaults."""
        return self.monitor_file or self.home / "monitor.yaml"

    @property
    def effective_targeting_file(self) -> Path:
        """The exclusions' thresholds (docs/targeting.md); a missing file means the defaults."""
        return self.targeting_file or self.home / "targeting.yaml"

    @property
    def effective_webhook_secret_file(self) -> Path:
        """The HMAC secret shared with the webhook receivers; never inside settings."""
        return self.alert_webhook_secret_file or self.home / "keys" / "webhook.secret"

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the embedded SQLite file under ``home``."""
        return self.database_url or f"sqlite:///{(self.home / 'smsguard.db').resolve()}"


def load_settings(
    *,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build settings from defaults, the settings file, the environment and overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = _settings_file(config_file, env)
    if path is not None:
        values.update(_read_file(path))
    values.update(_from_environ(env))
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(p) for p in problem["loc"])
        raise ConfigError(f"setting {field!r}: {problem['msg']}") from exc


def _settings_file(explicit: Path | None, env: Mapping[str, str]) -> Path | None:
    if explicit is not None:
        return explicit
    if env.get(ENV_PREFIX + "CONFIG"):
        return Path(env[ENV_PREFIX + "CONFIG"])
    default = Path(env.get(ENV_PREFIX + "HOME", ".smsguard")) / "settings.yaml"
    return default if default.is_file() else None


def _read_file(path: Path) -> dict[str, Any]:
    data = read_yaml(path, what="settings file", error=ConfigError)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"settings file {path} must hold a mapping of setting: value")
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"settings file {path}: unknown setting(s) {', '.join(unknown)}")
    return data


def _from_environ(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        if name in _NOT_SETTINGS:
            continue
        field = name.lower()
        if field not in Settings.model_fields:
            raise ConfigError(f"environment variable {key} is not a smsguard setting")
        values[field] = _parse_env_value(field, raw)
    return values


def _parse_env_value(field: str, raw: str) -> Any:
    if field == "rules_paths":
        return tuple(Path(p) for p in raw.split(os.pathsep) if p)
    if field == "alert_webhooks":
        return tuple(url for url in raw.split() if url)  # space-separated URLs
    return raw
