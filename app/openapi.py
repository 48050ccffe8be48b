"""The OpenAPI document: every error an operation can answer with, and its headers.

Routes declare their success shapes; the errors every operation shares (problem+json bodies
for 4xx and 5xx, rate-limit and retry headers) are added here in one place, so the document
is complete for clients and for schema-driven tests alike.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.schemas import Problem, ValidationProblem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
VALIDATION_REF = {"$ref": "#/components/schemas/ValidationProblem"}

RATE_LIMIT_HEADERS = {
    name: {"description": description, "schema": {"type": "string"}}
    for name, description in (
        ("RateLimit-Policy", "The quota and its window, e.g. `600;w=60`."),
        ("RateLimit", "`limit`, `remaining` and `reset` (seconds) of the current window."),
        ("X-RateLimit-Limit", "Requests allowed in the window."),
        ("X-RateLimit-Remaining", "Requests left in the window."),
        ("X-RateLimit-Reset", "When the window resets (Unix time)."),
    )
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {"description": "The expected credentials.", "schema": {"type": "string"}}
}

ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("The request cannot be served as sent (e.g. an invalid cursor).", {}),
    "401": ("Missing or invalid credentials.", WWW_AUTHENTICATE),
    "403": ("The caller lacks the role or scope.", {}),
    "404": ("No such resource (or not yours).", {}),
    "405": ("Method not allowed; see Allow.", {"Allow": {"schema": {"type": "string"}}}),
    "409": ("Conflicts with existing data or a concurrent change.", {}),
    "410": ("Retracted.", {}),
    "413": ("The request body is larger than 1 MiB.", {}),
    "429": ("Over the rate limit; retry after Retry-After.", RETRY_AFTER),
    "500": ("An unexpected error (never with details).", {}),
    "503": ("The database is unavailable; retry after Retry-After.", RETRY_AFTER),
}
UNLIMITED_PATHS = {"/healthz", "/readyz", "/metrics"}


def _problem(description: str, headers: dict[str, Any], schema: dict[str, str]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": schema}},
    }
    if headers:
        response["headers"] = headers
    return response


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with the shared errors and headers declared."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, ValidationProblem):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path, operations in document["paths"].items():
        limited = path not in UNLIMITED_PATHS
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, (description, headers) in ERRORS.items():
                if (
                    status in {"400", "401", "403", "404", "409", "410", "413", "429"}
                    and not limited
                ):
                    continue
                responses[status] = _problem(description, headers, PROBLEM_REF)
            responses["422"] = _problem("The request is not valid; see errors.", {}, VALIDATION_REF)
            if limited:
                for status, response in responses.items():
                    if status.startswith(("2", "3", "4")):
                        response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)
    app.openapi_schema = document
    return document
