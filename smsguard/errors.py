"""The one error hierarchy of smsguard.

Every failure a user can see is an :class:`SmsguardError` with a stable ``code`` (kebab-case,
safe to match on in scripts and API clients) and a human-readable ``message``. ``diagnostics()``
adds a next step. Parsers and adapters turn low-level exceptions (``ValueError``,
``UnicodeDecodeError``, ``yaml.YAMLError`` …) into these types and keep the original as
``__cause__``, so callers catch one type.

    SmsguardError
    ├── InputError            bad text or input file handed to screening
    │   └── NotFound          an id or name that names nothing this caller can see
    ├── RulebookError         a rule file that does not load (names file, rule id, field)
    ├── SenderProfileError    a sender profile that does not load
    ├── ConfigError           settings file or environment variable that does not parse
    ├── ModelError            a model or fingerprint-index file that does not load
    ├── CryptoError           a key file, wrapped key or ciphertext that cannot be used
    ├── AccessDenied          a role and purpose that may not reveal personal data
    ├── PermissionDenied      a role that may not take this action (maker-checker, roles)
    ├── Unauthenticated       no valid API key or session (the HTTP service's 401)
    ├── RateLimited           too many requests; ``retry_after`` says when to come back
    ├── Overloaded            the service is saturated and sheds load (the HTTP 503)
    ├── ProviderError         an SMS provider refused or failed a message (``transient``)
    ├── LogError              a transparency-log entry, proof or signature that does not verify
    ├── FeedError             a shared-intel feed refused on import; ``reason`` names the check
    └── StorageError          the database cannot be reached, migrated or written
        └── TenancyError      a write that would cross into another institution's rows
"""

from __future__ import annotations


class SmsguardError(Exception):
    """Base of every smsguard error: a stable code and a message that names the problem."""

    code: str = "smsguard-error"
    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def diagnostics(self) -> str:
        """The message plus a next step, for people."""
        return f"{self.message}\n{self.hint}" if self.hint else self.message

    def to_dict(self) -> dict[str, str]:
        """The error as a stable JSON-ready object."""
        return {"code": self.code, "message": self.message}


class InputError(SmsguardError):
    """Text or an input file that cannot be screened as given."""

    code = "invalid-input"


class NotFound(InputError):
    """An id or name that names nothing the caller can see (another institution's rows
    included: they do not exist for this caller)."""

    code = "not-found"


class Unauthenticated(SmsguardError):
    """A request without a valid, unrevoked API key or login session."""

    code = "authentication-required"
    hint = "Send `Authorization: Bearer <API key>` or log in at /login."


class RateLimited(SmsguardError):
    """Too many requests from one client; ``retry_after`` is in whole seconds."""

    code = "rate-limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Overloaded(SmsguardError):
    """The service has more work than it can do in time and refuses this request rather than
    answer it late; ``retry_after`` is in whole seconds (docs/deployment.md)."""

    code = "overloaded"
    hint = "Retry after the Retry-After delay, with backoff."

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RulebookError(SmsguardError):
    """A rule file that is not valid; the message names file, rule id and field."""

    code = "invalid-rulebook"
    hint = "Fix the rule file and run `smsguard rules check` again."

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        rule_id: str | None = None,
        field: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"rule {rule_id}" if rule_id else "",
                f"field {field}" if field else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.rule_id = rule_id
        self.field = field


class SenderProfileError(SmsguardError):
    """A sender profile file that is not valid."""

    code = "invalid-sender-profile"


class ConfigError(SmsguardError):
    """A settings file or SMSGUARD_* environment variable that does not parse."""

    code = "invalid-config"


class ModelError(SmsguardError):
    """A risk-model or fingerprint-index artifact that is missing, corrupt or incompatible."""

    code = "invalid-model"
    hint = "Retrain with `smsguard model train` or reinstall smsguard to restore the shipped model."


class CryptoError(SmsguardError):
    """A key file, wrapped key or ciphertext that cannot be used; never carries plaintext."""

    code = "crypto-error"


class AccessDenied(SmsguardError):
    """A caller whose role and purpose do not allow the requested reveal of personal data."""

    code = "access-denied"


class StorageError(SmsguardError):
    """The database cannot be reached, migrated or written as asked; the cause is chained."""

    code = "storage-error"
    hint = "Check `database_url` (or SMSGUARD_DATABASE_URL) and run `smsguard db status`."


class TenancyError(StorageError):
    """A write that would put or move a row into another institution than the session's own."""

    code = "tenancy-violation"
    hint = "Open a session for the institution that owns the row."


class PermissionDenied(SmsguardError):
    """A user whose roles (or lapsed certification) do not allow the requested action."""

    code = "permission-denied"


class ProviderError(SmsguardError):
    """An SMS provider refused or failed a message; ``transient`` says whether a retry may help.

    ``reason`` is the provider's own code or words (never the recipient's number), kept on the
    message so an operator can see why it ended. ``uncertain`` marks the case where the request
    left but no usable answer came back: the provider may have the message, so it must not be
    resent to a provider that cannot deduplicate; a delivery report settles it later.
    """

    code = "provider-error"

    def __init__(
        self, message: str, *, reason: str, transient: bool, uncertain: bool = False
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.transient = transient and not uncertain
        self.uncertain = uncertain


class LogError(SmsguardError):
    """A transparency-log entry, proof, tile, checkpoint or signature that does not verify."""

    code = "log-error"


class FeedError(SmsguardError):
    """A shared-intel feed that is refused (docs/intel-stix.md); ``reason`` names the failed
    check: ``malformed``, ``unknown-producer``, ``wrong-key``, ``bad-signature``,
    ``tampered``, ``replayed``, ``from-the-future`` or ``too-old``
    (:data:`smsguard.intel.feed.REASONS`)."""

    code = "invalid-feed"

    def __init__(self, reason: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{reason}: {message}", hint=hint)
        self.reason = reason

    def to_dict(self) -> dict[str, str]:
        return {**super().to_dict(), "reason": self.reason}
