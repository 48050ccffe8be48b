"""The OpenAPI document: every error an operation can answer with, its headers, and links.

Routes declare their success shapes; the errors every operation shares (problem+json bodies
for 4xx and 5xx, rate-limit and retry headers) are added here in one place, so the document
is complete for clients and for schema-driven tests alike. Links name the next calls of the
main workflows (sign in after registering, follow a listed topic, page through the feed),
with where each call's parameters come from.
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

Operation = tuple[str, str]
REFRESH_TOKEN = {"refresh_token": "$response.body#/refresh_token"}
SAME_LABEL = {"kind": "$request.path.kind", "slug": "$request.path.slug"}
FIRST_FEED_ARTICLE = {"article_id": "$response.body#/items/0/article/id"}
NEXT_PAGE = {"cursor": "$response.body#/next_cursor"}

# (operation, status) -> link name -> (target operation, parameters, request body)
LINKS: dict[tuple[Operation, str], dict[str, tuple[Operation, dict[str, str], Any]]] = {
    (("post", "/v1/auth/register"), "201"): {
        "SignIn": (
            ("post", "/v1/auth/token"),
            {},
            {"username": "$request.body#/email", "password": "$request.body#/password"},
        ),
    },
    (("post", "/v1/auth/token"), "200"): {
        "Refresh": (("post", "/v1/auth/refresh"), {}, REFRESH_TOKEN),
        "SignOut": (("post", "/v1/auth/logout"), {}, REFRESH_TOKEN),
    },
    (("post", "/v1/auth/refresh"), "200"): {
        "Refresh": (("post", "/v1/auth/refresh"), {}, REFRESH_TOKEN),
        "SignOut": (("post", "/v1/auth/logout"), {}, REFRESH_TOKEN),
    },
    **{
        (("get", f"/v1/{kind}"), "200"): {
            "Follow": (
                ("put", "/v1/me/subscriptions/{kind}/{slug}"),
                {"kind": kind, "slug": "$response.body#/items/0/slug"},
                None,
            ),
            "Mute": (
                ("put", "/v1/me/mutes/{kind}/{slug}"),
                {"kind": kind, "slug": "$response.body#/items/0/slug"},
                None,
            ),
        }
        for kind in ("topics", "authors")
    },
    (("put", "/v1/me/subscriptions/{kind}/{slug}"), "204"): {
        "Unfollow": (("delete", "/v1/me/subscriptions/{kind}/{slug}"), SAME_LABEL, None),
        "ReadFeed": (("get", "/v1/me/feed"), {}, None),
    },
    (("put", "/v1/me/mutes/{kind}/{slug}"), "204"): {
        "Unmute": (("delete", "/v1/me/mutes/{kind}/{slug}"), SAME_LABEL, None),
        "ReadFeed": (("get", "/v1/me/feed"), {}, None),
    },
    (("get", "/v1/me/feed"), "200"): {
        "NextPage": (("get", "/v1/me/feed"), NEXT_PAGE, None),
        "Bookmark": (("put", "/v1/me/bookmarks/{article_id}"), FIRST_FEED_ARTICLE, None),
        "Hide": (("put", "/v1/me/hidden/{article_id}"), FIRST_FEED_ARTICLE, None),
    },
    (("put", "/v1/me/bookmarks/{article_id}"), "204"): {
        "ListBookmarks": (("get", "/v1/me/bookmarks"), {}, None),
    },
    (("get", "/v1/me/bookmarks"), "200"): {
        "NextPage": (("get", "/v1/me/bookmarks"), NEXT_PAGE, None),
    },
    (("get", "/v1/articles"), "200"): {
        "NextPage": (("get", "/v1/articles"), NEXT_PAGE, None),
    },
}


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
    _add_links(document)
    app.openapi_schema = document
    return document


def _add_links(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for ((method, path), status), links in LINKS.items():
        response = paths[path][method]["responses"][status]
        for name, ((target_method, target_path), parameters, body) in links.items():
            link: dict[str, Any] = {"operationId": paths[target_path][target_method]["operationId"]}
            if parameters:
                link["parameters"] = parameters
            if body is not None:
                link["requestBody"] = body
            response.setdefault("links", {})[name] = link
