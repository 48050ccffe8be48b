"""Requests answered before routing (``app.fast_path``), told apart from those a route answers."""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI

from app.auth.dependencies import current_user_id, refuse_invalid_credentials
from app.errors import Forbidden

# What a signed-in user's request passes on its way to a route.
USER_CHECKS: Sequence[Callable[..., Any]] = (current_user_id, refuse_invalid_credentials)


def refuse_routing(app: FastAPI, checks: Sequence[Callable[..., Any]] = USER_CHECKS) -> None:
    """From now on a request that reaches a route passing ``checks`` is refused (403
    "routed"), so one answered before routing shows by its answer."""

    def refused() -> None:
        raise Forbidden("routed")

    for check in checks:
        app.dependency_overrides[check] = refused


def route_again(app: FastAPI, checks: Sequence[Callable[..., Any]] = USER_CHECKS) -> None:
    """Undo ``refuse_routing``."""
    for check in checks:
        app.dependency_overrides.pop(check)
