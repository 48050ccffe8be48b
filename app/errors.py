"""Domain errors and the one place that renders every error as RFC 9457 problem+json."""

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://mynews.example/problems/"
DATABASE_RETRY_AFTER_SECONDS = 5
HTTP_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


class AppError(Exception):
    """An error a client can act on: it carries its status, and is rendered as a problem."""

    status: int = 400
    code: str = "bad-request"
    # Commit the request's changes although it fails (a security response that must stick).
    persist_changes: bool = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})

    def response(self) -> "ProblemResponse":
        return problem(self.status, self.message, code=self.code, headers=self.headers)


class InvalidCursor(AppError):
    status, code = 400, "invalid-cursor"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str, *, scheme: str = "Bearer", error: str | None = None) -> None:
        challenge = f'{scheme} realm="mynews"'
        if error:
            challenge += f', error="{error}"'
        super().__init__(message, headers={"WWW-Authenticate": challenge})


class AccountGone(Unauthorized):
    """A valid access token whose account no longer exists."""

    def __init__(self) -> None:
        super().__init__("The access token is invalid.", error="invalid_token")


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not-found"


class Conflict(AppError):
    status, code = 409, "conflict"


class Gone(AppError):
    status, code = 410, "gone"


class PayloadTooLarge(AppError):
    status, code = 413, "payload-too-large"


class TooManyRequests(AppError):
    status, code = 429, "too-many-requests"


class Busy(AppError):
    """Too much of one kind of work is in progress; retry after ``retry_after`` seconds."""

    status, code = 503, "busy"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ProblemResponse:
    """An RFC 9457 problem response."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (code or phrase.lower().replace(" ", "-").replace("'", "")),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if extra:
        body.update(extra)
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


def _field_path(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location)


def validation_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Field paths and messages only: the submitted values are never echoed back."""
    return [{"field": _field_path(e["loc"]), "message": e["msg"]} for e in errors]


async def handle_app_error(_request: Request, error: AppError) -> ProblemResponse:
    return error.response()


async def handle_http_exception(request: Request, error: StarletteHTTPException) -> ProblemResponse:
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    if error.status_code == 404 and detail == "Not Found":
        detail = "No such resource."
    elif error.status_code == 405:
        detail = "This method is not allowed here; see the Allow header."
        return problem(405, detail, headers={"Allow": ", ".join(allowed_methods(request))})
    elif error.status_code == PayloadTooLarge.status:
        # A body found too large as it streams in: the problem a declared one gets.
        return problem(413, detail, code=PayloadTooLarge.code, headers=error.headers)
    return problem(error.status_code, detail, headers=error.headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (the router reports only the first)."""
    allowed = []
    for method in HTTP_METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    if "GET" in allowed:
        allowed.append("HEAD")  # app.middleware.HeadMiddleware
    return sorted(allowed)


async def handle_validation_error(
    _request: Request, error: RequestValidationError
) -> ProblemResponse:
    return problem(
        422,
        "The request is not valid; see errors.",
        code="validation-error",
        extra={"errors": validation_errors(error.errors())},
    )


# What a statement the PostgreSQL driver runs itself raises (``app.db._on_driver``), besides
# OSError.
DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)
# SQLSTATE classes meaning "cannot serve now": connection exception, insufficient resources,
# operator intervention (shutdown, statement timeout).
UNAVAILABLE_SQLSTATE_CLASSES = {"08", "53", "57"}
# SQLite says the same only in words.
UNAVAILABLE_SQLITE_MESSAGES = ("database is locked", "unable to open database", "disk i/o error")


def is_database_unavailable(error: BaseException) -> bool:
    """True for errors that mean "the database cannot serve now", not a bug of ours."""
    if isinstance(error, sa_exc.TimeoutError | ConnectionError | TimeoutError):
        return True
    if isinstance(error, asyncpg.PostgresError):
        # Raised by a statement the driver ran itself (``app.db.fetch_mappings``).
        return str(error.sqlstate)[:2] in UNAVAILABLE_SQLSTATE_CLASSES
    if isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError):
        # The connection was lost or is out of step; a value it cannot send is our bug.
        return not isinstance(error, asyncpg.DataError)
    if not isinstance(error, sa_exc.DBAPIError):
        return isinstance(error, OSError)
    if error.connection_invalidated or isinstance(error, sa_exc.InterfaceError):
        return True
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if isinstance(sqlstate, str):
        return sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES
    cause = getattr(original, "__cause__", None)
    if isinstance(original, OSError) or isinstance(cause, OSError | TimeoutError):
        return True
    message = str(original).lower()
    return any(text in message for text in UNAVAILABLE_SQLITE_MESSAGES)


def database_unavailable() -> ProblemResponse:
    return problem(
        503,
        "The database is unavailable; retry shortly.",
        code="database-unavailable",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


async def handle_unexpected_error(request: Request, error: Exception) -> ProblemResponse:
    if isinstance(error, sa_exc.IntegrityError):
        # A concurrent request wrote the same unique value first; a retry sees it.
        logger.info("integrity conflict during %s %s: %r", request.method, request.url.path, error)
        return problem(409, "This conflicts with a concurrent change; retry the request.")
    if is_database_unavailable(error):
        logger.warning(
            "database unavailable during %s %s: %r", request.method, request.url.path, error
        )
        return database_unavailable()
    logger.exception("unhandled error during %s %s", request.method, request.url.path)
    return problem(500, "An unexpected error occurred.", code="internal-error")


def install_error_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json."""
    app.exception_handler(AppError)(handle_app_error)
    app.exception_handler(StarletteHTTPException)(handle_http_exception)
    app.exception_handler(RequestValidationError)(handle_validation_error)
    # Database errors are handled (not re-raised) so an outage is a 503; anything else
    # unexpected is logged with its traceback and becomes a bare 500 problem.
    app.exception_handler(sa_exc.SQLAlchemyError)(handle_unexpected_error)
    app.exception_handler(OSError)(handle_unexpected_error)
    # And those of statements the PostgreSQL driver runs itself (``app.db._on_driver``).
    for driver_error in DRIVER_ERRORS:
        app.exception_handler(driver_error)(handle_unexpected_error)
    app.exception_handler(Exception)(handle_unexpected_error)
