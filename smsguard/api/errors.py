"""One JSON error shape with stable codes, and never a traceback (docs/api.md, "Errors").

Every failure leaves as ``{"error": {"code": ..., "message": ...}}`` with the status below;
the codes are the library's own (:mod:`smsguard.errors`), so a script that matches on
``permission-denied`` works the same against the CLI's JSON and the API. Pages of the
dashboard render the same error as HTML through ``app.state.error_page`` when it is set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from smsguard import errors

log = logging.getLogger("smsguard.api")

# Most specific class first; the first match decides the status.
STATUS: tuple[tuple[type[errors.SmsguardError], int], ...] = (
    (errors.NotFound, 404),
    (errors.TenancyError, 404),
    (errors.Unauthenticated, 401),
    (errors.PermissionDenied, 403),
    (errors.AccessDenied, 403),
    (errors.RateLimited, 429),
    (errors.Overloaded, 503),
    (errors.StorageError, 503),
    (errors.ConfigError, 503),
    (errors.CryptoError, 503),
    (errors.ModelError, 503),
    (errors.ProviderError, 502),
    (errors.SmsguardError, 400),
)
# Paths that answer errors in JSON even with the dashboard mounted (machines read them).
JSON_PATHS = ("/api/", "/taxii2/", "/healthz", "/readyz")
_HTTP_CODES = {404: "not-found", 405: "method-not-allowed", 401: "authentication-required"}


class ErrorDetail(BaseModel):
    code: str
    message: str
    hint: str | None = None
    fields: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def status_of(error: errors.SmsguardError) -> int:
    return next(status for kind, status in STATUS if isinstance(error, kind))


def error_response(
    request: Request, status: int, detail: ErrorDetail, headers: dict[str, str] | None = None
) -> Response:
    """JSON for the API, the dashboard's error page for a person's browser."""
    page: Callable[[Request, int, ErrorDetail], Response] | None = getattr(
        request.app.state, "error_page", None
    )
    if page is not None and not request.url.path.startswith(JSON_PATHS):
        response = page(request, status, detail)
        response.headers.update(headers or {})
        return response
    body = ErrorBody(error=detail).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, headers=headers)


def _library_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.SmsguardError)
    status = status_of(exc)
    if status >= 500 and not isinstance(exc, errors.Overloaded):
        # Operators need to know; the message never carries personal data (errors.py).
        log.warning("%s on %s: %s", exc.code, request.url.path, exc.message)
    headers = {"Retry-After": str(_retry_after(exc))} if status in (429, 503) else {}
    detail = ErrorDetail(code=exc.code, message=exc.message, hint=exc.hint or None)
    return error_response(request, status, detail, headers)


def _retry_after(exc: errors.SmsguardError) -> int:
    """Seconds a client should wait: the error's own figure, else 30 for a storage or key
    outage, which takes an operator rather than a moment."""
    found = getattr(exc, "retry_after", None)
    return found if isinstance(found, int) else 30


def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"location": [str(part) for part in item.get("loc", ())], "problem": str(item.get("msg"))}
        for item in exc.errors()
    ]
    where = ", ".join(".".join(f["location"]) for f in fields[:3])
    detail = ErrorDetail(
        code="invalid-request", message=f"the request is not valid: {where}", fields=fields
    )
    return error_response(request, 422, detail)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http-error")
    detail = ErrorDetail(code=code, message=str(exc.detail))
    return error_response(request, exc.status_code, detail, dict(exc.headers or {}))


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    detail = ErrorDetail(code="internal-error", message="an unexpected error; it has been logged")
    return error_response(request, 500, detail)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(errors.SmsguardError, _library_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "The input is not valid"),
        (401, "No valid API key or session"),
        (403, "The caller's role or key scopes do not allow this"),
        (404, "Nothing with that id that this caller can see"),
        (422, "The request does not match the schema"),
        (429, "Too many requests; see Retry-After"),
        (503, "Overloaded, or the storage or keys cannot be reached; see Retry-After"),
    )
}
