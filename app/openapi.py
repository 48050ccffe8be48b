"""The OpenAPI document: every error an operation can answer with, its headers, and links.

Routes declare their success shapes; the errors every operation shares (problem+json bodies
for 4xx and 5xx, rate-limit and retry headers) and the headers clients act on (``Location``,
validators, caching) are added here in one place, so the document is complete for clients
and for schema-driven tests alike. Links name the next calls of the main workflows (sign in
after registering, follow a listed topic), and every list's next page, with where each
call's parameters come from: a next page repeats the query (filters and size) of the page
before, as its cursor is bound to them.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.middleware import PRIVATE_PATH_PREFIXES
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


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


LOCATION = {"Location": _header("The path of the resource created.")}
ETAG = {
    "ETag": _header(
        "Strong validator of the representation (a gzip-coded body has its own); send it "
        "back in `If-None-Match`."
    )
}
FEED_HEADERS = {
    **ETAG,
    "Last-Modified": _header("When it last changed; send it back in `If-Modified-Since`."),
    "Cache-Control": _header("`public, max-age=60`."),
    "Vary": _header(
        "`Accept-Encoding` (and `X-API-Key` for the JSON list, whose cursors are the key's)."
    ),
}
PRIVATE = {"Cache-Control": _header("`private, no-store`: personal data is not for caches.")}
# operation -> (statuses, headers) of its successful answers.
SUCCESS_HEADERS: dict[tuple[str, str], tuple[tuple[str, ...], dict[str, Any]]] = {
    ("post", "/v1/articles"): (("201",), LOCATION),
    ("post", "/v1/topics"): (("201",), LOCATION),
    ("get", "/v1/articles/{article_id}"): (("200", "304"), ETAG),
    **{
        ("get", f"/v1/topics/{{slug}}/feed{suffix}"): (("200", "304"), FEED_HEADERS)
        for suffix in ("", ".rss", ".atom", ".json")
    },
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
        "Bookmark": (("put", "/v1/me/bookmarks/{article_id}"), FIRST_FEED_ARTICLE, None),
        "Hide": (("put", "/v1/me/hidden/{article_id}"), FIRST_FEED_ARTICLE, None),
    },
    (("put", "/v1/me/bookmarks/{article_id}"), "204"): {
        "ListBookmarks": (("get", "/v1/me/bookmarks"), {}, None),
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
            if path.startswith(PRIVATE_PATH_PREFIXES):
                for response in responses.values():
                    response.setdefault("headers", {}).update(PRIVATE)
    for (method, path), (statuses, headers) in SUCCESS_HEADERS.items():
        for status in statuses:
            response = document["paths"][path][method]["responses"][status]
            response.setdefault("headers", {}).update(headers)
    _add_links(document)
    _add_next_pages(document)
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


def _add_next_pages(document: dict[str, Any]) -> None:
    """A ``NextPage`` link on every list (a GET taking a cursor): the same path and query,
    with the page's ``next_cursor``."""
    for operations in document["paths"].values():
        operation = operations.get("get")
        parameters = [] if operation is None else operation.get("parameters", [])
        if not any(p["in"] == "query" and p["name"] == "cursor" for p in parameters):
            continue
        values = {
            p["name"]: f"$request.{p['in']}.{p['name']}"
            for p in parameters
            if p["in"] in ("path", "query") and p["name"] != "cursor"
        }
        link = {
            "operationId": operation["operationId"],
            "parameters": {**values, "cursor": "$response.body#/next_cursor"},
        }
        operation["responses"]["200"].setdefault("links", {})["NextPage"] = link
