"""The API's exception tree and how each error becomes an HTTP response.

    KinemaError
    └── ApiError                    an error with an HTTP status, shown to the client
        ├── BadRequest       400    the request is well-formed JSON but makes no sense
        ├── Unauthorized     401    no valid session or token
        ├── Forbidden        403    authenticated, but not allowed (role, plan, token scope)
        ├── NotFoundError    404
        ├── ConflictError    409
        ├── Gone             410    an expired or finished resource (upload, signed URL)
        ├── PayloadTooLarge  413
        ├── RangeNotSatisfiable 416
        ├── InvalidResource  422    the cluster refused a Video (CRD validation)
        ├── TooManyRequests  429    rate limit or concurrent-stream limit
        └── Unavailable      503    a backing service is down

Errors raised by the core (``kinema.catalog.errors``, ``kinema.storage.errors``) are
mapped here too, so routes let them propagate, and so is the database giving up on a
lock (SQLite's single writer was busy for ``db_write_timeout_s``): 503 ``database_busy``
with ``Retry-After``, so a client retries instead of a worker thread waiting on; and
PostgreSQL not reachable (a restart, a failover): 503 ``database_unavailable`` with
``Retry-After``, never a 500 (the pool's pre-ping replaces dead connections once it is back).
Every error body is ``{"detail": "<one line>", "code": "<machine-readable>"}``; an
error may add fields of its own beside them (``extra``: the 429 ``too_many_streams``
names the devices streaming), each documented by the routes that raise it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kinema.catalog import errors as catalog_errors
from kinema.catalog.db import is_lock_timeout, is_unavailable
from kinema.errors import KinemaError
from kinema.storage import errors as storage_errors

log = logging.getLogger(__name__)


class ApiError(KinemaError):
    status_code = 500
    code = "error"

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        # JSON-ready fields the body carries beside ``detail`` and ``code``.
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        return {**self.extra, **_body(self.detail, self.code)}


class BadRequest(ApiError):
    status_code, code = 400, "bad_request"


class Unauthorized(ApiError):
    status_code, code = 401, "unauthorized"


class Forbidden(ApiError):
    status_code, code = 403, "forbidden"


class NotFoundError(ApiError):
    status_code, code = 404, "not_found"


class ConflictError(ApiError):
    status_code, code = 409, "conflict"


class Gone(ApiError):
    status_code, code = 410, "gone"


class PayloadTooLarge(ApiError):
    status_code, code = 413, "payload_too_large"


class RangeNotSatisfiable(ApiError):
    status_code, code = 416, "range_not_satisfiable"


class InvalidResource(ApiError):
    status_code, code = 422, "invalid_resource"


class TooManyRequests(ApiError):
    status_code, code = 429, "too_many_requests"


class Unavailable(ApiError):
    status_code, code = 503, "unavailable"


_CORE: list[tuple[type[KinemaError], int, str]] = [
    (catalog_errors.NotFound, 404, "not_found"),
    (catalog_errors.Conflict, 409, "conflict"),
    (catalog_errors.InvalidChange, 409, "invalid_change"),
    (storage_errors.ObjectNotFound, 404, "not_found"),
    (storage_errors.InvalidKey, 400, "invalid_key"),
    (storage_errors.ChecksumMismatch, 422, "checksum_mismatch"),
    (storage_errors.UploadError, 409, "upload_error"),
    (storage_errors.NotSupported, 400, "not_supported"),
    (storage_errors.StorageUnavailable, 503, "storage_unavailable"),
]


# Seconds a client is told to wait when the database was busy: a write holds SQLite's
# lock for milliseconds, so a second is plenty unless something is badly wrong.
DATABASE_BUSY_RETRY_S = 1
# ... and when the database server was not reachable (a restart, a failover).
DATABASE_DOWN_RETRY_S = 3


def _body(detail: str, code: str) -> dict[str, str]:
    return {"detail": detail, "code": code}


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ApiError):
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)
    for cls, status, code in _CORE:
        if isinstance(exc, cls):
            return JSONResponse(_body(str(exc), code), status_code=status)
    return JSONResponse(_body(str(exc) or type(exc).__name__, "error"), status_code=500)


async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    if is_lock_timeout(exc):
        return JSONResponse(
            _body("the database is busy with other writes; retry in a moment", "database_busy"),
            status_code=503,
            headers={"Retry-After": str(DATABASE_BUSY_RETRY_S)},
        )
    if is_unavailable(exc):
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return JSONResponse(
            _body("the database is not reachable right now; retry shortly", "database_unavailable"),
            status_code=503,
            headers={"Retry-After": str(DATABASE_DOWN_RETRY_S)},
        )
    raise exc  # anything else is a server error, logged with its traceback


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    problems = []
    details = exc.errors() if isinstance(exc, RequestValidationError) else []
    for err in details[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return JSONResponse(
        {"detail": "; ".join(problems) or "invalid request", "code": "validation_error"},
        status_code=422,
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover - registration
        return await _api_error(_request, exc)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(
        _body(str(exc.detail), code), status_code=exc.status_code, headers=exc.headers
    )


async def error_response(request: Request, exc: Exception) -> JSONResponse:
    """The answer the app's handlers give ``exc`` (for code that answers before routing);
    an exception no handler takes is raised again, as it would be from a route."""
    if isinstance(exc, KinemaError):
        return await _api_error(request, exc)
    if isinstance(exc, DBAPIError):
        return await _database_error(request, exc)
    raise exc


def install(app: FastAPI) -> None:
    app.add_exception_handler(KinemaError, _api_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
